"""data-2 helper: a model's importances read in a helper (`train_model` returning
`{"feature_importance": dict(zip(names, model.feature_importances_))}`) and recorded by the
function that calls it (`plt.savefig(...)` / `mlflow.log_artifact(...)` / `json.dump(...)` of
the importances). No checks registered here."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ml_readiness.checklib import call_evidence
from ml_readiness.evidence import Evidence
from ml_readiness.facts import Facts
from ml_readiness.facts.imports import imported_files
from ml_readiness.facts.python import Call, Function, PythonFacts

from ._shared import code_lines, function_text

# Calls that record a result where people or later runs can read it: tracking-server logs,
# files, figures. Printing is not recording.
RECORDING = frozenset(
    {
        "log_artifact",
        "log_artifacts",
        "log_dict",
        "log_figure",
        "log_image",
        "log_table",
        "log_text",
        "log_metric",
        "log_metrics",
        "dump",
        "to_csv",
        "to_json",
        "to_parquet",
        "to_markdown",
        "savefig",
        "write",
        "write_text",
    }
)
IMPORTANCE_WORD = re.compile(r"importance", re.I)
ASSIGNED = re.compile(r"^\s*([A-Za-z_]\w*)\s*(?::[^=]+)?=(?!=)")


def recorded_by_caller(
    facts: Facts, path: str, pf: PythonFacts, fn: Function, label: str
) -> Iterator[Evidence]:
    """Evidence where a function calling `fn` (in `fn`'s module or a module importing it)
    records the importances `fn` computed: a recording call (RECORDING) on a line that names
    the importances (`importance` in the line) or a variable assigned from such a line
    (`fi = result["feature_importance"]`, `plot_path = f"/tmp/feature_importance_{m}.png"`).
    The first such call per caller; callers that only use the importances (sorting, printing,
    returning them) record nothing."""
    name = fn.name
    sites: list[tuple[str, PythonFacts]] = [(path, pf)]
    for other, opf in facts.python_files(mentions=(name,), tests=False):
        if other != path and path in imported_files(facts, other, opf):
            sites.append((other, opf))
    for site, spf in sites:
        for caller in spf.functions:
            if caller.qualname == fn.qualname or not _calls(spf, caller, name):
                continue
            call = _recording_call(facts, site, spf, caller)
            if call is None:
                continue
            detail = (
                f"{label} read in `{fn.qualname}` and recorded by its caller "
                f"`{caller.qualname}` (`{call.name}`)"
            )
            yield call_evidence("data-2", site, call, detail)


def _calls(pf: PythonFacts, caller: Function, name: str) -> bool:
    return any(c.attr == name and c.scope == caller.qualname for c in pf.calls)


def _recording_call(facts: Facts, path: str, pf: PythonFacts, caller: Function) -> Call | None:
    text = code_lines(function_text(facts, path, caller))
    if not IMPORTANCE_WORD.search(text):
        return None
    names: set[str] = set()
    lines: dict[int, str] = {}
    for offset, raw in enumerate(function_text(facts, path, caller).splitlines()):
        number = caller.line + offset
        code = raw.split("#", 1)[0]
        lines[number] = code
        m = ASSIGNED.match(code)
        if m and (IMPORTANCE_WORD.search(code) or _mentions(code, names)):
            names.add(m.group(1))
    for call in pf.calls:
        if call.scope != caller.qualname or call.attr not in RECORDING:
            continue
        code = lines.get(call.line, "")
        if IMPORTANCE_WORD.search(code) or _mentions(code.split("=", 1)[-1], names):
            return call
    return None


def _mentions(code: str, names: set[str]) -> bool:
    return any(re.search(rf"\b{re.escape(n)}\b", code) for n in names)
