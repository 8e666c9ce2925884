"""Helpers shared by the model-section checks (no checks here).

- notebook-aware evidence: a committed notebook with saved outputs is a *result* (manual); a
  notebook without outputs is *code* that a person may run (manual at most);
- metric calls and thresholds (`assert auc >= 0.8`) inside one function;
- Markdown headings of notebooks, and the triggers of a GitHub Actions workflow.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ml_readiness.checklib import doc_sections, kind_of, symbol_of
from ml_readiness.evidence import Credit, Evidence, Kind
from ml_readiness.facts import Facts, is_example_config
from ml_readiness.facts.imports import module_index
from ml_readiness.facts.python import MAIN, MODULE, Call, PythonFacts

if TYPE_CHECKING:
    from ml_readiness.automation import Root

_METRIC_ATTR = re.compile(
    r"^(score|evaluate|cross_val_score|cross_validate|compute_metrics|classification_report)$"
    r"|_(score|error|loss|auc)$"
    r"|^(accuracy|auc|roc_auc|f1|precision|recall|rmse|mse|mae|r2|ndcg|brier|mape|log_loss)$",
    re.I,
)
_METRIC_MODULES = ("sklearn.metrics.", "torchmetrics.", "evaluate.")
_COMPARE = r"(<=|>=|<|>|==)"
_NUMBER = r"-?\d+(?:\.\d+)?(?:e-?\d+)?%?"
_ASSERT = re.compile(rf"^\s*assert\s+(.*?{_COMPARE}.*?)\s*$")
_IF_RAISE = re.compile(rf"^\s*if\s+(.*?{_COMPARE}.*?):")
_HAS_NUMBER = re.compile(rf"{_COMPARE}\s*{_NUMBER}\b|\b{_NUMBER}\s*{_COMPARE}")


def is_metric_call(call: Call) -> bool:
    """True for a call that computes a quality metric (sklearn.metrics, `.score`, `*_score`)."""
    if call.qualified.startswith(_METRIC_MODULES):
        return True
    head = call.name.split(".", 1)[0].lower()
    if head in ("log", "logger", "logging", "self.log"):
        return False
    return bool(_METRIC_ATTR.search(call.attr))


def in_scope(call: Call, scope: str) -> bool:
    """True when `call` is made in function `scope` (or a function nested inside it)."""
    return call.scope == scope or call.scope.startswith(scope + ".")


def scope_calls(pf: PythonFacts, scope: str) -> list[Call]:
    """Calls made in `scope`; module-level and `__main__` code share one scope for scripts."""
    if scope in (MODULE, MAIN):
        return [c for c in pf.calls if c.scope in (MODULE, MAIN)]
    return [c for c in pf.calls if in_scope(c, scope)]


def scope_range(facts: Facts, path: str, pf: PythonFacts, scope: str) -> tuple[int, int]:
    """First and last line of `scope` (the whole file for module-level code)."""
    fn = pf.function(scope) if scope not in (MODULE, MAIN) else None
    if fn is not None:
        return fn.line, fn.end_line
    return 1, len(facts.lines(path))


_TRIPLE = re.compile(r'"""|\'\'\'')
_STRING = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'')


def _string_block_lines(lines: list[str]) -> frozenset[int]:
    """1-based numbers of lines inside (or opening/closing) triple-quoted strings."""
    inside: str | None = None
    out = set()
    for number, line in enumerate(lines, start=1):
        started_inside = inside is not None
        for m in _TRIPLE.finditer(line):
            if inside is None:
                inside = m.group(0)
            elif m.group(0) == inside:
                inside = None
        if started_inside or inside is not None:
            out.add(number)
    return frozenset(out)


def code_text(facts: Facts, path: str, number: int) -> str | None:
    """The Python source of line `number` (a notebook's JSON line decoded), or None when the
    line is a comment or lies inside a triple-quoted string (a docstring, a fixture text)."""
    lines = facts.lines(path)
    if not 0 < number <= len(lines):
        return None
    text = lines[number - 1]
    if path.endswith(".ipynb"):
        raw = text.strip().rstrip(",")
        try:
            decoded = json.loads(raw)
        except ValueError:
            return None
        text = decoded if isinstance(decoded, str) else ""
    elif number in facts.memo(f"model:string-blocks:{path}", lambda _: _string_block_lines(lines)):
        return None
    if text.lstrip().startswith("#"):
        return None
    return text.rstrip("\n")


def without_strings(text: str) -> str:
    """`text` with its string literals emptied (so operators inside strings do not count)."""
    return _STRING.sub('""', text)


def thresholds_in(
    facts: Facts, path: str, pf: PythonFacts, scope: str, words: Iterable[str] = ()
) -> list[tuple[int, str]]:
    """(line, condition) of numeric thresholds checked in `scope`: `assert x < 0.1`, or
    `if x > 0.1:` followed by `raise`/`sys.exit`. `words`: the condition must mention one."""
    first, last = scope_range(facts, path, pf, scope)
    lines = facts.lines(path)
    wanted = tuple(w.lower() for w in words)
    out = []
    for number in range(first, min(last, len(lines)) + 1):
        text = code_text(facts, path, number)
        if text is None:
            continue
        m = _ASSERT.search(text)
        cond = m.group(1) if m else None
        if cond is None:
            m = _IF_RAISE.search(text)
            after = " ".join(filter(None, (code_text(facts, path, n) for n in (number + 1,))))
            if m and re.search(r"\braise\b|sys\.exit|\bexit\(", text + " " + after):
                cond = m.group(1)
        if cond is None or not _HAS_NUMBER.search(without_strings(cond)):
            continue
        if wanted and not any(w in cond.lower() for w in wanted):
            continue
        out.append((number, cond.strip()[:80]))
    return out


def evidence_at(
    facts: Facts,
    item: str,
    path: str,
    line: int | None,
    scope: str | None,
    detail: str,
    credit: Credit = "automated",
    kind: Kind | None = None,
) -> Evidence:
    """Evidence at a line of code; in a notebook it is a manual result (saved outputs) or manual
    code (no outputs), never automated."""
    if path.endswith(".ipynb"):
        nb = facts.notebook(path)
        if nb is not None and nb.has_outputs:
            return Evidence(
                item, f"{detail} (notebook with saved outputs)", path, line, "result", "manual"
            )
        return Evidence(
            item, f"{detail} (notebook without saved outputs)", path, line, "code", "manual"
        )
    symbol = symbol_of(scope) if scope else None
    return Evidence(item, detail, path, line, kind or kind_of(path), credit, symbol)


def call_at(
    facts: Facts, item: str, path: str, call: Call, detail: str, credit: Credit = "automated"
) -> Evidence:
    """`evidence_at` for a call site."""
    return evidence_at(facts, item, path, call.line, call.scope, detail, credit)


@dataclass(frozen=True)
class Heading:
    """A Markdown heading in a notebook's markdown cell, with the text under it in that cell."""

    title: str
    line: int
    body: str


def notebook_headings(facts: Facts, path: str) -> list[Heading]:
    """Headings of a notebook's markdown cells (line = the heading's line in the file)."""
    data = facts.json(path)
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        return []
    raw = facts.lines(path)
    out = []
    cursor = 0
    for cell in data["cells"]:
        if not isinstance(cell, dict) or cell.get("cell_type") != "markdown":
            continue
        src = cell.get("source", "")
        text = "".join(map(str, src)) if isinstance(src, list) else str(src)
        cell_lines = text.splitlines()
        for k, line in enumerate(cell_lines):
            m = re.match(r"^#{1,6}\s+(.+?)\s*#*\s*$", line)
            if not m:
                continue
            needle = json.dumps(line)[1:-1]
            found = next((i for i in range(cursor, len(raw)) if needle in raw[i]), None)
            number = (found + 1) if found is not None else 0
            cursor = found + 1 if found is not None else cursor
            body = "\n".join(cell_lines[k + 1 :])
            out.append(Heading(m.group(1), number, body))
    return out


def notebooks(facts: Facts) -> list[str]:
    """Committed notebooks (not `.example` copies)."""
    return [p for p in facts.repo.with_suffix(".ipynb") if not is_example_config(p)]


def section_evidence(
    facts: Facts, item: str, title_rx: str, what: str, body_rx: str | None = None
) -> list[Evidence]:
    """Manual evidence for substantive doc sections and notebook headings titled `title_rx`
    (optionally whose body matches `body_rx`). Notebooks need code cells to count."""
    out = []
    body_re = re.compile(body_rx, re.I) if body_rx else None
    for path, section in doc_sections(facts, title_rx):
        if body_re and not body_re.search(section.body):
            continue
        out.append(
            Evidence(
                item, f'{what}: section "{section.title}"', path, section.line, "doc", "manual"
            )
        )
    rx = re.compile(title_rx, re.I)
    for path in notebooks(facts):
        nb = facts.notebook(path)
        if nb is None or not nb.code_cells:
            continue
        for heading in notebook_headings(facts, path):
            if not rx.search(heading.title):
                continue
            if body_re and not body_re.search(heading.body + "\n" + nb.code):
                continue
            kind: Kind = "result" if nb.has_outputs else "code"
            state = "with saved outputs" if nb.has_outputs else "without saved outputs"
            out.append(
                Evidence(
                    item,
                    f'{what}: notebook section "{heading.title}" ({state})',
                    path,
                    heading.line or None,
                    kind,
                    "manual",
                )
            )
            break
    return out


def workflow_events(facts: Facts, path: str) -> tuple[str, ...]:
    """The `on:` events of a GitHub Actions workflow (empty when unreadable)."""
    doc = facts.yaml_doc(path)
    if not isinstance(doc, dict):
        return ()
    on = doc.get("on", doc.get(True))
    if isinstance(on, str):
        return (on,)
    if isinstance(on, list):
        return tuple(str(e) for e in on)
    if isinstance(on, dict):
        return tuple(str(e) for e in on)
    return ()


def workflows(facts: Facts) -> list[str]:
    """GitHub Actions workflows where GitHub reads them (also an enclosing repository's)."""
    return [
        p
        for p in facts.repo.glob(".github/workflows/*.yml", ".github/workflows/*.yaml")
        if not is_example_config(p)
    ]


AUTOMATIC_EVENTS = frozenset(
    {"push", "pull_request", "pull_request_target", "merge_group", "schedule"}
)


def command_line(facts: Facts, root: Root, rx: re.Pattern[str]) -> int | None:
    """The line of `root.path` where the root's job runs a command matching `rx`: the first
    uncommented match at or after the job's own line (read from the file when the map has
    none, as for GitLab jobs); the job's line when the command comes from elsewhere."""
    lines = facts.lines(root.path)
    start = root.line
    if start is None and "#" in root.id:
        name = re.escape(root.id.rsplit("#", 1)[1])
        start = next(
            (n for n, text in enumerate(lines, 1) if re.match(rf"\s*['\"]?{name}['\"]?\s*:", text)),
            None,
        )
    for number, text in enumerate(lines[(start or 1) - 1 :], start or 1):
        if rx.search(text) and not text.lstrip().startswith("#"):
            return number
    return root.line


def repo_functions(facts: Facts, path: str, pf: PythonFacts) -> dict[str, tuple[str, str]]:
    """Function name -> (file, qualname) for this file's module-level functions and the repo
    functions it imports by name (`from .baselines import persistence_rmse`)."""
    out = {f.name: (path, f.qualname) for f in pf.functions if "." not in f.qualname}
    index = module_index(facts)
    for imp in pf.imports:
        if not imp.name:
            continue
        for target in index.resolve(path, imp):
            other = facts.python(target)
            if other and other.function(imp.name):
                out[imp.alias] = (target, imp.name)
    return out


def own_nodes(node: ast.AST) -> list[ast.AST]:
    """The nodes of a function body (or module) without those of nested functions, classes
    and lambdas: what runs when that body runs."""
    out: list[ast.AST] = []
    stack = list(ast.iter_child_nodes(node))
    while stack:
        sub = stack.pop()
        if isinstance(sub, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda | ast.ClassDef):
            continue
        out.append(sub)
        stack.extend(ast.iter_child_nodes(sub))
    return out
