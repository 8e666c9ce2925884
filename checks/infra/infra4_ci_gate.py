"""infra-4: a CI step whose inline Python fails the job when a quality metric misses a threshold."""

from __future__ import annotations

import ast
import re
import textwrap
from collections.abc import Iterator

from ml_readiness.checks.infra._gates import gate_comparison, stops

from ml_readiness.evidence import Evidence, Hint
from ml_readiness.facts import Facts
from ml_readiness.registry import check

# `python -c "..."` / `python3 -c '...'` (the code runs to the matching quote)
INLINE_C = re.compile(r"\bpython(?:3(?:\.\d+)?)?\s+-c\s+([\"'])(.*?)(?<!\\)\1", re.S)
# `python - <<EOF` / `python3 - <<'EOF'` / `<<-"PY"` … a line holding only the delimiter
HEREDOC = re.compile(
    r"\bpython(?:3(?:\.\d+)?)?\s+-?\s*<<-?\s*([\"']?)(\w+)\1[^\n]*\n(.*?)\n\s*\2\s*(?:\n|$)", re.S
)
# a file the inline code reads by a literal name (`open('metrics.json')`, `Path("m.json")`)
READ_FILE = re.compile(r"\b(?:open|Path|read_json|read_csv)\(\s*[\"']([^\"']+\.(?:json|csv|txt))")


def inline_python(command: str) -> list[str]:
    """Python source run inline by a shell command (`python -c`, `python - <<EOF`)."""
    out = [m.group(2) for m in INLINE_C.finditer(command)]
    out += [m.group(3) for m in HEREDOC.finditer(command)]
    return [textwrap.dedent(code).strip("\n") for code in out]


def _gate(code: str) -> tuple[str, ast.stmt] | None:
    """The first `if metric < threshold: exit(1)` (or `raise`, or the else branch) or `assert
    metric >= threshold` in `code`: (condition, statement)."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError):
        return None
    for node in ast.walk(tree):
        fails = isinstance(node, ast.If) and (stops(node.body) or stops(node.orelse))
        if not (fails or isinstance(node, ast.Assert)):
            continue
        condition = gate_comparison(node.test, {}, code)  # type: ignore[attr-defined]
        if condition:
            return condition, node
    return None


def _line_of(facts: Facts, path: str, start: int | None, text: str) -> int | None:
    """The workflow line holding `text` (the gate's first line), from the job's line on."""
    lines = facts.lines(path)
    for number in range(max(start or 1, 1), len(lines) + 1):
        if text and text in lines[number - 1]:
            return number
    return start


def _unwritten(facts: Facts, path: str, code: str) -> list[str]:
    """Files the inline code reads that no other file of the repository names (nothing
    writes them, so the gate cannot pass)."""
    missing = []
    for name in sorted(set(READ_FILE.findall(code))):
        base = name.rsplit("/", 1)[-1]
        others = [p for p in facts.repo.files if p != path and facts.mentions(p, base)]
        if not others:
            missing.append(name)
    return missing


@check("infra-4")
def ci_inline_metric_gate(facts: Facts) -> Iterator[Evidence | Hint]:
    """A CI step whose inline Python (`python -c "..."`, `python - <<EOF`) exits 1, raises or
    asserts when a quality metric is below a threshold.

    The step's run text comes from the automation roots (GitHub Actions jobs, GitLab CI...).
    The code must compare a metric (accuracy, f1, auc, rmse...) with a threshold (a literal
    other than 0/1, a `threshold`/`min_*` name or a config value) and fail: `sys.exit(1)`,
    `exit(1)`, `raise`, or `assert`. Automated when the job runs on change, schedule or in a
    pipeline. When the code reads a metrics file that no other file of the repository names
    (nothing writes it), the gate always fails: manual only, with a hint.
    """
    seen: set[tuple[str, str]] = set()
    for root in facts.automation.roots:
        for command in root.commands:
            if "python" not in command:
                continue
            for code in inline_python(command):
                found = _gate(code)
                if found is None or (root.path, found[0]) in seen:
                    continue
                seen.add((root.path, found[0]))
                condition, node = found
                first = code.splitlines()[node.lineno - 1].strip()
                line = _line_of(facts, root.path, root.line, first)
                verb = "asserts" if isinstance(node, ast.Assert) else "fails the job when"
                detail = f"CI step {verb} {condition} (inline Python)"
                missing = _unwritten(facts, root.path, code)
                if missing:
                    detail += f"; it reads {missing[0]}, which nothing in the repository writes"
                    yield Evidence("infra-4", detail, root.path, line, "config", "manual")
                    yield Hint(
                        "infra-4",
                        f"{root.path}:{line}: the inline gate reads {missing[0]}, which no "
                        "other file names, so it cannot pass as written; manual only",
                    )
                    continue
                yield Evidence("infra-4", detail, root.path, line, "config", "automated", root.id)
