"""Deepchecks drift checks (monitor-7, monitor-3): `FeatureDrift().run(train_dataset=R,
test_dataset=C)` and the drift suites, with where R and C come from and whether a threshold
fails the run. Read like Evidently: C's origin is decided by `data_source`."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ml_readiness.facts import Facts
from ml_readiness.facts.python import Call, PythonFacts

from ._sources import Source, data_source

CHECK_MODULES = re.compile(r"^deepchecks\.(tabular|nlp|vision)(\.checks|\.suites)?\.")
SUITES = ("train_test_validation", "model_evaluation")
# `if drift > threshold:` / `if not result.passed_conditions():` ahead of an exit or raise
GATE_LINE = re.compile(
    r"^\s*(el)?if\s+(not\s+[\w.]*passed_conditions\(|.*\w*(drift|score)\w*(\[[^\]]*\])*\s*[<>]=?)",
    re.I,
)
FAILS = re.compile(r"\b(sys\.exit\(\s*[1-9]|raise\s+\w+|exit\(\s*[1-9])")


@dataclass(frozen=True)
class DriftRun:
    """One Deepchecks drift check or suite run: what it checks and what it compares."""

    path: str
    call: Call
    check: str
    reference: Source
    current: Source
    gate: str | None  # the condition or threshold that fails the run, or None


def deepchecks_runs(facts: Facts) -> list[DriftRun]:
    """Every `.run(train_dataset=…, test_dataset=…)` of a Deepchecks drift check or drift suite
    in the repository's code (not tests)."""
    return facts.memo("monitor.deepchecks", _collect)


def _collect(facts: Facts) -> list[DriftRun]:
    out: list[DriftRun] = []
    for path, pf in facts.python_files(mentions=("deepchecks",), tests=False, notebooks=True):
        if not pf.imports_module("deepchecks"):
            continue
        checks = [
            c for c in pf.calls
            if CHECK_MODULES.match(c.qualified)
            and ("Drift" in c.attr or c.attr in SUITES)
        ]  # fmt: skip
        if not checks:
            continue
        gate = _gate(facts, path, pf)
        for call in pf.method_calls("run"):
            if not call.has_kw("test_dataset"):
                continue
            ref = data_source(facts, path, pf, call.line, call.kw("train_dataset"), "train_dataset")
            cur = data_source(facts, path, pf, call.line, call.kw("test_dataset"), "test_dataset")
            near = min(checks, key=lambda c: abs(c.line - call.line))
            out.append(DriftRun(path, call, near.attr, ref, cur, gate))
    return out


def _gate(facts: Facts, path: str, pf: PythonFacts) -> str | None:
    """`add_condition_*(…)` on a check, or an `if` on a drift score / `passed_conditions()`
    followed within a few lines by `sys.exit(1)` or `raise`."""
    cond = next((c for c in pf.calls if c.attr.startswith("add_condition")), None)
    if cond is not None:
        return f"`{cond.attr}`"
    lines = facts.lines(path) if not path.endswith(".ipynb") else []
    for i, text in enumerate(lines):
        if GATE_LINE.match(text) and any(FAILS.search(t) for t in lines[i + 1 : i + 12]):
            return f"`{text.strip()[:70]}`"
    return None
