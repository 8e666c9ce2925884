"""Facts: every file parsed at most once per audit, shared by all checks.

A check receives a `Facts` and asks it for what it needs — it never walks the tree, opens a
file or parses anything itself. Derived views that several checks share (serving entry points,
the import graph) are computed once with `Facts.memo`.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

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
        self.parses: dict[str, int] = {}

    # -- shared derived views ---------------------------------------------------------------
    def memo(self, key: str, compute: Callable[[Facts], T]) -> T:
        """Compute a derived view once per audit (e.g. `memo("serving", find_serving)`)."""
        if key not in self._memo:
            self._memo[key] = compute(self)
        return self._memo[key]

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
        """Decoded text of an indexed file (None for binary/undecodable/unreadable/oversized)."""
        return self.repo.read_text(path)

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
        hits = []
        for path in paths:
            text = self.text(path)
            if text is None or not rx.search(text):
                continue
            for number, line in enumerate(text.splitlines(), start=1):
                if rx.search(line):
                    hits.append((path, number, line.strip()[:200]))
        return hits

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

    def python(self, path: str) -> PythonFacts | None:
        """Facts of a `.py` file or of an `.ipynb` notebook's code cells."""
        if path.endswith(".ipynb"):
            nb = self.notebook(path)
            if nb is None:
                return None
            return self._parsed("nbpy", path, lambda _: extract(nb.code, path, nb.line_map))
        return self._parsed("py", path, lambda text: extract(text, path))

    def python_files(
        self, mentions: Iterable[str] = (), notebooks: bool = False, tests: bool | None = None
    ) -> list[tuple[str, PythonFacts]]:
        """(path, facts) for the repo's Python files, parsed on demand.

        `mentions`: only files whose text contains one of these strings are parsed (a cheap
        pre-filter; pass the names the check is looking for). `notebooks`: include `.ipynb`.
        `tests`: True for test files only, False to leave them out, None for all.
        """
        tokens = tuple(mentions)
        key = (tokens, notebooks, tests)
        cached = self._listings.get(key)
        if cached is not None:
            return list(cached)
        suffixes = (".py", ".ipynb") if notebooks else (".py",)
        out = []
        for path in self.repo.with_suffix(*suffixes):
            if tests is not None and is_test_path(path) != tests:
                continue
            if tokens and not self.mentions(path, *tokens):
                continue
            facts = self.python(path)
            if facts is not None:
                out.append((path, facts))
        self._listings[key] = out
        return list(out)

    def notebook(self, path: str) -> NotebookFacts | None:
        return self._parsed("nb", path, lambda text: parse_notebook(text, path))

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
        return self._parsed("json", path, load_json)

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


def is_example_config(path: str) -> bool:
    """`.example`/`.sample`/`.disabled`/`.template` copies never count as live configuration."""
    low = path.lower()
    return any(
        tag in low
        for tag in (".example", ".sample", ".disabled", ".template", ".bak", ".orig", ".off")
    )
