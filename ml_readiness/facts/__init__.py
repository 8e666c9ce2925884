"""Facts: every file parsed at most once per audit, shared by all checks.

A check receives a `Facts` and asks it for what it needs — it never walks the tree, opens a
file or parses anything itself. Derived views that several checks share (serving entry points,
the import graph) are computed once with `Facts.memo`.
"""

from __future__ import annotations

import ast
import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from ml_readiness.facts.corpus import Corpus
from ml_readiness.facts.python import PythonFacts, extract
from ml_readiness.facts.structured import (
    MarkdownFacts,
    NotebookFacts,
    StructureError,
    load_ini,
    load_json,
    load_toml,
    load_yaml,
    parse_markdown,
    parse_notebook,
)
from ml_readiness.repo import Repo

if TYPE_CHECKING:
    from ml_readiness.automation import AutomationMap

T = TypeVar("T")
_MISSING = object()
GREP_CORPUS_MIN = 64  # `grep` over at least this many files searches their joined text
MARKDOWN_SUFFIXES = (".md", ".markdown", ".rst", ".txt")
DOC_SUFFIXES = (".md", ".markdown", ".rst")


class Facts:
    """Lazily parsed, cached facts about the files of one `Repo`."""

    def __init__(self, repo: Repo, config: Any = None, as_of: dt.date | None = None) -> None:
        self.repo = repo
        self.config = config
        self.as_of = as_of or dt.date.today()  # the audit's "today" (--as-of)
        self._cache: dict[tuple[str, str], Any] = {}
        self._memo: dict[str, Any] = {}
        self._automation: AutomationMap | None = None
        self._listings: dict[tuple, list[tuple[str, PythonFacts]]] = {}
        self._texts: dict[str, str | None] = {}  # path -> text, own outputs as None
        self._corpora: dict[tuple[str, bool], Corpus] = {}
        self._grep_corpora: dict[tuple[str, ...], Corpus] = {}
        self._notebook_json: dict[str, tuple[Any, StructureError | None]] = {}
        self._groups: dict[tuple[str, bool], list[int]] = {}
        self.parses: dict[str, int] = {}  # path -> parses of any kind
        self.parse_counts: dict[tuple[str, str], int] = {}  # (kind, path) -> parses
        self._trees: dict[str, ast.Module | None] = {}

    # -- shared derived views ---------------------------------------------------------------
    def memo(self, key: str, compute: Callable[[Facts], T]) -> T:
        """Compute a derived view once per audit (e.g. `memo("serving", find_serving)`)."""
        if key not in self._memo:
            self._memo[key] = compute(self)
        return self._memo[key]

    def table(self, key: str) -> dict:
        """A dict kept for the whole audit under `key`, for per-file caches of derived views
        (`facts.table("entrypoints.names")[path]`); cheaper to ask for than `memo`."""
        table = self._memo.get(key)
        if table is None:
            table = self._memo[key] = {}
        return table

    @property
    def automation(self) -> AutomationMap:
        """The AutomationMap of this repo, built on first use."""
        if self._automation is None:
            from ml_readiness.automation import build_automation_map

            self._automation = build_automation_map(self)
        return self._automation

    @automation.setter
    def automation(self, value: AutomationMap) -> None:
        self._automation = value

    # -- raw text -------------------------------------------------------------------------
    def text(self, path: str) -> str | None:
        """Decoded text of an indexed file (None for binary/undecodable/unreadable/oversized).

        The tool's own outputs (committed reports, badges) and its config are never evidence:
        they repeat the rubric's wording, so checks would credit our words as the project's.
        """
        text = self._texts.get(path, _MISSING)  # decided once per file: asked very often
        if text is _MISSING:
            text = self.repo.read_text(path)
            if text is not None and is_own_output(path, text):
                if path not in OWN_CONFIGS:
                    self.repo.note(path, "a report written by mlready; not read as evidence")
                text = None
            self._texts[path] = text
        return text

    def lines(self, path: str) -> list[str]:
        text = self.text(path)
        return text.splitlines() if text is not None else []

    def mentions(self, path: str, *tokens: str) -> bool:
        """Cheap byte-level test: does the file contain any of `tokens`? (no parsing)."""
        text = self.text(path)
        return text is not None and any(t in text for t in tokens)

    def grep(
        self, pattern: str | re.Pattern[str], paths: Iterable[str], flags: int = 0
    ) -> list[tuple[str, int, str]]:
        """(path, line, line text) for every line matching `pattern` in `paths`."""
        rx = re.compile(pattern, flags) if isinstance(pattern, str) else pattern
        paths = list(paths)
        matching: set[str] | None = None
        if len(paths) >= GREP_CORPUS_MIN:  # many files: find those that match at C speed
            matching = self._matching_files(rx, paths)
        hits = []
        for path in paths:
            if matching is not None and path not in matching:
                continue
            text = self.text(path)
            if text is None or not rx.search(text):
                continue
            for number, line in enumerate(text.splitlines(), start=1):
                if rx.search(line):
                    hits.append((path, number, line.strip()[:200]))
        return hits

    def _matching_files(self, rx: re.Pattern[str], paths: list[str]) -> set[str]:
        """The paths whose text matches `rx`: Python files through the joined texts already
        kept for `python_files` (no second copy of them), the others through a corpus of
        their own (cached per list of paths)."""
        files = self.repo.files
        wanted = set(paths)
        found: set[str] = set()
        if any(p.endswith(".py") for p in paths):
            for is_test in (True, False):
                group = self._corpus(".py", is_test)
                found.update(
                    p for p in (files[i] for i in group.matching_pattern(rx)) if p in wanted
                )
        others = tuple(p for p in paths if not p.endswith(".py"))
        if others:
            corpus = self._grep_corpora.get(others)
            if corpus is None:
                corpus = Corpus(list(range(len(others))), [self.text(p) for p in others])
                self._grep_corpora[others] = corpus
            found.update(others[i] for i in corpus.matching_pattern(rx))
        return found

    # -- parsed ---------------------------------------------------------------------------
    def _parsed(self, kind: str, path: str, parse: Callable[[str], T]) -> T | None:
        key = (kind, path)
        hit = self._cache.get(key, _MISSING)
        if hit is not _MISSING:
            return hit
        text = self.text(path)
        value: Any = None
        if text is not None:
            self.parses[path] = self.parses.get(path, 0) + 1
            self.parse_counts[key] = self.parse_counts.get(key, 0) + 1
            try:
                value = parse(text)
            except StructureError as exc:
                where = f" (line {exc.line})" if exc.line else ""
                self.repo.note(path, f"{exc}{where}; not read")
            except SyntaxError as exc:
                self.repo.note(path, f"Python syntax error at line {exc.lineno}; not read")
            except (RecursionError, MemoryError):
                self.repo.note(path, "too deeply nested to parse; not read")
            except ValueError as exc:
                self.repo.note(path, f"could not be parsed ({type(exc).__name__}); not read")
        self._cache[key] = value
        return value

    def syntax_tree(self, path: str) -> ast.Module | None:
        """The whole syntax tree of a `.py` file, for the few checks that must read the exact
        shape of statements (an `if` and what its body does). Parsed once per audit and kept,
        so callers should ask only for files a cheap filter chose; None when unparseable."""
        if path not in self._trees:
            text = self.text(path) if path.endswith(".py") else None
            try:
                self._trees[path] = ast.parse(text) if text else None
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                self._trees[path] = None
        return self._trees[path]

    def python(self, path: str) -> PythonFacts | None:
        """Facts of a `.py` file or of an `.ipynb` notebook's code cells."""
        is_notebook = path.endswith(".ipynb")
        hit = self._cache.get(("nbpy" if is_notebook else "py", path), _MISSING)
        if hit is not _MISSING:  # the common case: asked again by another check
            return hit
        if is_notebook:
            nb = self.notebook(path)
            if nb is None:
                return None
            return self._parsed("nbpy", path, lambda _: extract(nb.code, path, nb.line_map))
        return self._parsed("py", path, lambda text: extract(text, path))

    def python_files(
        self,
        mentions: Iterable[str] = (),
        notebooks: bool = False,
        tests: bool | None = None,
        pattern: str | re.Pattern[str] | None = None,
        select: Callable[[str], bool] | None = None,
    ) -> list[tuple[str, PythonFacts]]:
        """(path, facts) for the repo's Python files, parsed on demand.

        `mentions`: only files whose text contains one of these strings are parsed (a cheap
        pre-filter; pass the names the check is looking for). `notebooks`: include `.ipynb`.
        `tests`: True for test files only, False to leave them out, None for all.
        `pattern`: only files whose text matches this regex (e.g. a case-insensitive name).
        `select`: only paths for which this returns True (checked before anything is read).
        Every filter given must hold; give the filters whenever a check looks for something
        specific, so that files which cannot matter are never parsed.
        """
        tokens = tuple(mentions)
        rx = re.compile(pattern) if isinstance(pattern, str) else pattern
        key = (tokens, notebooks, tests, rx)
        cached = self._listings.get(key) if select is None else None
        if cached is not None:
            return list(cached)
        keys = [
            (suffix, is_test)
            for suffix in ((".py", ".ipynb") if notebooks else (".py",))
            for is_test in (True, False)
            if tests is None or tests == is_test
        ]
        files = self.repo.files
        if select is None:
            groups = [self._corpus(*k) for k in keys]
        else:  # a path filter: read only the files it keeps
            kept = sorted(i for k in keys for i in self._group(*k) if select(files[i]))
            groups = [Corpus(kept, [self.text(files[i]) for i in kept])]
        hits: set[int] = set()
        for group in groups:
            if tokens and rx is not None:  # confirm the regex only where a token occurs
                slots = group.slots()
                found = {i for i in group.matching(tokens) if rx.search(group.texts[slots[i]])}
            elif tokens:
                found = set(group.matching(tokens))
            else:
                found = set(group.indexes)
                if rx is not None:
                    found &= group.matching_pattern(rx)
            hits |= found
        out = []
        for index in sorted(hits):
            path = files[index]
            facts = self.python(path)
            if facts is not None:
                out.append((path, facts))
        if select is None:
            self._listings[key] = out
        return list(out)

    def mentioning(self, token: str, notebooks: bool = True) -> Iterator[str]:
        """Paths of the Python files (and notebooks) whose text contains `token`, in index
        order, found in the joined texts without parsing anything."""
        files = self.repo.files
        out: set[int] = set()
        for suffix in (".py", ".ipynb") if notebooks else (".py",):
            for is_test in (True, False):
                out |= self._corpus(suffix, is_test).matching((token,))
        return (files[i] for i in sorted(out))

    def _group(self, suffix: str, tests: bool) -> list[int]:
        """Indexes (into `repo.files`) of one disjoint group: `.py`/`.ipynb`, tests or not."""
        key = (suffix, tests)
        group = self._groups.get(key)
        if group is None:
            wanted = set(self.repo.with_suffix(suffix))
            group = [
                i
                for i, path in enumerate(self.repo.files)
                if path in wanted and is_test_path(path) == tests
            ]
            self._groups[key] = group
        return group

    def _corpus(self, suffix: str, tests: bool) -> Corpus:
        """The texts of one group, read once and joined for fast token searches."""
        key = (suffix, tests)
        corpus = self._corpora.get(key)
        if corpus is None:
            indexes = self._group(suffix, tests)
            corpus = Corpus(indexes, [self.text(self.repo.files[i]) for i in indexes])
            self._corpora[key] = corpus
        return corpus

    def notebook(self, path: str) -> NotebookFacts | None:
        return self._parsed(
            "nb", path, lambda text: parse_notebook(text, path, self._json_of(path, text))
        )

    def _json_of(self, path: str, text: str) -> Any:
        """`text` loaded as JSON once, for the notebook view and `json()` of an `.ipynb`
        alike (raises the same StructureError to each of them when it is not JSON)."""
        if not path.endswith(".ipynb"):
            return load_json(text)
        loaded = self._notebook_json.get(path)
        if loaded is None:
            try:
                loaded = (load_json(text), None)
            except StructureError as exc:
                loaded = (None, exc)
            self._notebook_json[path] = loaded
        else:  # the second of the two readers: nothing else will ask for it
            del self._notebook_json[path]
        data, error = loaded
        if error is not None:
            raise StructureError(str(error), error.line)
        return data

    def yaml(self, path: str) -> list[Any] | None:
        """All documents of a YAML file (maps/lists carry `.line`), or None when unreadable."""
        return self._parsed("yaml", path, load_yaml)

    def yaml_doc(self, path: str) -> Any:
        """The first document of a YAML file, or None."""
        docs = self.yaml(path)
        return docs[0] if docs else None

    def toml(self, path: str) -> dict[str, Any] | None:
        return self._parsed("toml", path, load_toml)

    def json(self, path: str) -> Any:
        return self._parsed("json", path, lambda text: self._json_of(path, text))

    def ini(self, path: str) -> Any:
        return self._parsed("ini", path, load_ini)

    def markdown(self, path: str) -> MarkdownFacts | None:
        return self._parsed("md", path, lambda text: parse_markdown(text, path))

    def docs(self) -> list[str]:
        """Documentation files (Markdown/reST) in the index."""
        return self.repo.with_suffix(*DOC_SUFFIXES)


@functools.lru_cache(maxsize=65536)
def is_test_path(path: str) -> bool:
    """True for files under a tests folder or named like pytest test modules."""
    parts = path.split("/")
    base = parts[-1]
    return (
        any(p in ("tests", "test", "testing") for p in parts[:-1])
        or base.startswith("test_")
        or base.endswith("_test.py")
        or base == "conftest.py"
    )


@functools.lru_cache(maxsize=1 << 17)
def is_example_config(path: str) -> bool:
    """`.example`/`.sample`/`.disabled`/`.template` copies never count as live configuration."""
    return _EXAMPLE_TAG.search(path.lower()) is not None


# one C-speed search instead of a Python loop over the tags (asked ~10 times per file)
_EXAMPLE_TAG = re.compile(r"\.(?:example|sample|disabled|template|bak|orig|off)")


OWN_CONFIGS = frozenset({"mlready.yaml", "mlready.yml", ".mlready.yaml", ".mlready.yml"})
_OWN_MARKERS = (
    "<!-- mlready-report -->",  # Markdown report
    '<meta name="generator" content="ml-readiness">',  # HTML report
    '<testsuites name="mlready',  # JUnit report
    '"automationDetails": {\n        "id": "mlready/',  # SARIF report
    'aria-label="ML Test Score:',  # SVG badge
    '"label": "ML Test Score"',  # shields.io endpoint badge
)


def is_own_output(path: str, text: str) -> bool:
    """True for files mlready itself writes: its config at the root and its reports."""
    if path in OWN_CONFIGS:
        return True
    head = text[:4096]
    if any(marker in head for marker in _OWN_MARKERS):
        return True
    # the canonical JSON result (keys sorted, so the tool's name sits past the head)
    return (
        path.endswith(".json") and '"schema_version"' in text and '"name": "ml-readiness"' in text
    )
