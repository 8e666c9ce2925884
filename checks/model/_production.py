"""model-5 comparisons with the model in production: loading the production/champion model
and scoring it next to the candidate, `mlflow.evaluate(baseline_model=...)`, and `dvc metrics
diff`/`dvc exp diff` run by CI or scripts; and the rule that project code only a unit test runs
is not an automated comparison. No check is registered here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from ml_readiness.checks.model._shared import call_at, command_line, is_metric_call, scope_calls

from ml_readiness.automation import test_hop
from ml_readiness.evidence import Evidence
from ml_readiness.facts import Facts, is_test_path

ITEM = "model-5"
PROD_MODEL = re.compile(r"models:/.*(production|staging|@champion)|champion|production", re.I)
LOADERS = frozenset(
    {"load_model", "load", "download_artifacts", "get_model_version_by_alias", "load_learner"}
)
DVC_DIFF = re.compile(r"\bdvc\s+(metrics|exp)\s+diff\b")


def production_comparisons(facts: Facts, skip: set[tuple[str, str]]) -> Iterator[Evidence]:
    """The production/champion model loaded and scored next to the candidate, or
    `mlflow.evaluate(..., baseline_model=...)`."""
    for path, pf in facts.python_files(mentions=("baseline_model",), notebooks=True):
        for call in pf.calls_to("mlflow.evaluate"):
            if call.has_kw("baseline_model") and (path, call.scope) not in skip:
                gate = " with validation thresholds" if call.has_kw("validation_thresholds") else ""
                skip.add((path, call.scope))
                detail = f"mlflow.evaluate against baseline_model{gate}"
                yield call_at(facts, ITEM, path, call, detail)
    for path, pf in facts.python_files(mentions=("champion", "roduction"), notebooks=True):
        for call in pf.calls:
            values = [*call.args, *(v for _, v in call.kwargs)]
            named = [v for v in values if isinstance(v, str) and not v.startswith("$")]
            if call.attr not in LOADERS or not any(PROD_MODEL.search(v) for v in named):
                continue
            if (path, call.scope) in skip:
                continue
            metrics = [c for c in scope_calls(pf, call.scope) if is_metric_call(c)]
            if len(metrics) >= 2:
                skip.add((path, call.scope))
                yield call_at(
                    facts,
                    ITEM,
                    path,
                    call,
                    f"production model loaded (`{named[0][:40]}`) and scored next to the candidate",
                )


def dvc_diffs(facts: Facts) -> Iterator[Evidence]:
    """`dvc metrics diff` / `dvc exp diff` run by a CI job, schedule or pipeline (any CI
    system the AutomationMap reads: the job's trigger decides the level), and in scripts and
    Makefiles."""
    seen: set[str] = set()
    for root, text in facts.automation.commands_matching(DVC_DIFF):
        if root.id in seen:
            continue
        seen.add(root.id)
        yield Evidence(
            ITEM,
            f"CI job {root.id} compares metrics with the main branch: `{text[:60]}`",
            root.path,
            command_line(facts, root, DVC_DIFF),
            "config",
            "automated",
            symbol=root.id,
        )
    scripts = [
        p
        for p in facts.repo.files
        if p.endswith(".sh") or p.rsplit("/", 1)[-1] in ("Makefile", "justfile")
    ]
    scripts = [p for p in scripts if not p.startswith("../") and facts.mentions(p, "dvc")]
    for path, line, text in facts.grep(DVC_DIFF, scripts):
        if text.startswith("#"):
            continue
        detail = f"script compares metrics with the previous model: `{text[:60]}`"
        yield Evidence(ITEM, detail, path, line, "code", "automated")
    for path, pf in facts.python_files(mentions=("dvc",)):
        for call in pf.calls:
            if not call.qualified.startswith(("subprocess.", "os.system")):
                continue
            words = " ".join(_flatten(call.args[:1]))
            if DVC_DIFF.search(words):
                detail = f"script compares metrics with the previous model: `{words[:60]}`"
                yield call_at(facts, ITEM, path, call, detail)


def _flatten(values: tuple) -> list[str]:
    out: list[str] = []
    for v in values:
        if isinstance(v, tuple):
            out.extend(_flatten(v))
        elif isinstance(v, str) and not v.startswith("$"):
            out.append(v)
    return out


def unless_test_only(facts: Facts, ev: Evidence) -> Evidence:
    """Project code (not a test) that only tests run automatically is manual: a unit test
    calling `evaluate_candidate(0.8, 0.7, 0.01)` compares no model that ships. (The rubric's
    `tests_automate: false` would say the same for every model-5 execution.)"""
    if ev.kind != "code" or ev.credit != "automated" or not ev.symbol or is_test_path(ev.path):
        return ev
    runs = [r for r in facts.automation.executions(ev.path, ev.symbol) if r.automated]
    hops = [test_hop(r.chain) for r in runs]
    if not runs or not all(hops):
        return ev
    detail = f"{ev.detail} (only a test runs it automatically: {hops[0]})"
    return replace(ev, detail=detail, credit="manual")
