"""monitor-7: prediction quality and drift are monitored in production."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from ml_readiness.checklib import call_evidence, module_name
from ml_readiness.evidence import Evidence, Hint
from ml_readiness.facts import Facts
from ml_readiness.facts.python import MAIN, Call
from ml_readiness.registry import check

from ._deepchecks import deepchecks_runs
from ._exported import quality_metric, quality_rules, watched_metrics
from ._live import QUALITY_WORDS, hand_rolled_drift, live_threshold_monitors, reads_serving_output
from ._platform import platform_monitors
from ._shared import automated_run, evidently_data, scheduled_run
from ._sources import data_source, served_or_fresh

ITEM = "monitor-7"
DETECTORS = {
    "alibi_detect.cd": "alibi-detect drift detector",
    "nannyml.CBPE": "NannyML performance estimation",
    "nannyml.DLE": "NannyML performance estimation",
    "nannyml.UnivariateDriftCalculator": "NannyML drift calculator",
    "nannyml.DataReconstructionDriftCalculator": "NannyML drift calculator",
    "sagemaker.model_monitor.DefaultModelMonitor": "SageMaker Model Monitor",
    "sagemaker.model_monitor.ModelQualityMonitor": "SageMaker Model Quality Monitor",
    "google.cloud.aiplatform.ModelDeploymentMonitoringJob": "Vertex AI model monitoring",
    "whylogs.log": "whylogs profile",
}
DRIFT_PRESETS = re.compile(r"Drift|Classification|Regression|Quality", re.I)
# `ModelVersionDrift` (too many registered versions) or config drift is not model quality
QUALITY_RULES = (
    r"accuracy|auc|f1|precision|recall|(?<!version)(?<!version_)(?<!config)(?<!config_)drift"
    r"|psi|mape|rmse|mae|model_quality|error_rate"
)
EVAL_SCRIPT = re.compile(r"(eval|evaluate|monitor|quality)\w*\.py$")
QUALITY_KINDS = ("data quality", "model quality")


@check(ITEM)
def production_quality_monitoring(facts: Facts) -> Iterator[Evidence | Hint]:
    """Production prediction quality or drift is monitored and alerted on.

    Counts drift/quality monitors run on production data (Evidently Report/TestSuite with
    drift or quality presets whose current data is production data, whylogs profiles,
    alibi-detect detectors, NannyML estimators, SageMaker Model Monitor and Vertex AI model
    monitoring; Model Monitor schedules declared in CDK, CloudFormation or Terraform are
    config the platform enforces), evaluation scripts that a schedule runs (fresh labels), and
    alert rules on model-quality metrics (Prometheus, Grafana, CloudWatch alarms in
    CloudFormation, Terraform or CDK). Whether Evidently's current data is production data is
    read from the code that binds it (its name, what it is read from, the callers' arguments),
    never from docstrings, or from a file path the serving code writes request rows to. Drift
    between a training and a test split is offline analysis, not production monitoring.
    Manual credit, with no alert or schedule: quality, output-distribution or disagreement
    metrics the serving code exports to a scraped Prometheus; a hand-written two-sample test
    or PSI comparing logged serving data with the stored training reference on a serving
    route or job; a script comparing the service's live accuracy with a threshold. An alert
    rule that filters an exported metric on a label or value the code never emits can never
    fire and earns nothing.
    """
    found = explained = False  # explained: a hint says why an Evidently run is not credited
    for path, pf in facts.python_files(mentions=("evidently",), tests=False, notebooks=True):
        if not pf.imports_module("evidently"):
            continue
        presets = [c for c in pf.calls if DRIFT_PRESETS.search(c.attr) and c.attr[:1].isupper()]
        for call in pf.method_calls("run"):
            data = evidently_data(pf, call) if presets else None
            if data is None:
                continue
            current = str(data[0] or "")
            source = data_source(facts, path, pf, call.line, data[0])
            if source.verdict == "production":
                found = True
                name = call.attr if "?" in call.name else call.name  # `Report(...).run`
                detail = f"Evidently {presets[0].attr} on production data (`{name}`)"
                yield call_evidence(ITEM, path, call, detail)
            elif source.verdict == "offline":
                explained = True
                why = "" if source.why == f"`{current[1:]}`" else f": {source.why}"
                yield Hint(
                    ITEM,
                    f"{path}:{call.line} runs Evidently on {current[1:] or 'data'} that is not "
                    f"production data (an offline comparison{why}); not credited",
                )
            elif served := reads_serving_output(facts, path, pf):
                found = True
                detail = f"Evidently {presets[0].attr} on data the serving code logs ({served})"
                yield call_evidence(ITEM, path, call, detail)
            else:
                explained = True
                yield Hint(
                    ITEM,
                    f"{path}:{call.line} runs Evidently, but nothing in the code shows that its "
                    f"current data ({source.why}) is production data (serving logs, requests, "
                    "a recent window); not credited",
                )
    for produced in _deepchecks_monitors(facts):
        found = found or isinstance(produced, Evidence)
        explained = True
        yield produced
    for path, pf in facts.python_files(
        mentions=("alibi_detect", "nannyml", "model_monitor", "ModelMonitor", "whylogs",
                  "ModelDeploymentMonitoringJob"), tests=False, notebooks=True
    ):  # fmt: skip
        for call in pf.calls:
            label = next((v for k, v in DETECTORS.items() if call.qualified.startswith(k)), None)
            if label:
                found = True
                yield call_evidence(ITEM, path, call, f"{label} `{call.name}`")
                break
    platform = list(_platform_schedules(facts))
    found = found or any(isinstance(e, Evidence) for e in platform)
    yield from platform
    eval_named = lambda p: bool(EVAL_SCRIPT.search(p.rsplit("/", 1)[-1]))  # noqa: E731
    for path, pf in facts.python_files(tests=False, select=eval_named):
        if not EVAL_SCRIPT.search(path.rsplit("/", 1)[-1]) or not pf.has_main:
            continue
        run = scheduled_run(facts, path, MAIN)
        line = min((c.line for c in pf.calls if c.scope == MAIN), default=1)
        fresh = served_or_fresh(path, pf) if run is not None else None
        if run is not None and fresh:
            found = True
            yield Evidence(
                ITEM, f"evaluation {path} runs on a schedule via {run.root} and scores {fresh}",
                path, line, symbol=MAIN,
            )  # fmt: skip
        elif run is not None:
            explained = True
            yield Hint(
                ITEM,
                f"{path} runs on a schedule via {run.root}, but it scores a model file on a "
                "static split: nothing shows it loads the serving/registered model or data "
                "newer than training (offline evaluation, not production monitoring); not "
                "credited",
            )
        elif automated_run(facts, path, MAIN) is not None:
            yield Hint(ITEM, f"{path} runs on change, not on a schedule over fresh labels")
    for produced in _scheduled_champion_evaluation(facts):
        found = found or isinstance(produced, Evidence)
        yield produced
    for produced in _scheduled_outcome_validation(facts):
        found = found or isinstance(produced, Evidence)
        yield produced
    for produced in _drift_reports(facts):
        found = True
        yield produced
    rules = quality_rules(facts, ITEM, QUALITY_RULES)
    yield from rules
    watched = watched_metrics(facts, ITEM, quality_metric, "prediction quality or distribution")
    watched += list(hand_rolled_drift(facts, ITEM))
    watched += live_threshold_monitors(facts, ITEM, QUALITY_WORDS)
    found = found or bool(watched)
    yield from watched
    if not found and not rules and not explained:
        yield Hint(
            ITEM,
            "no production drift/quality monitor, scheduled evaluation or quality alert rule",
        )


def _deepchecks_monitors(facts: Facts) -> Iterator[Evidence | Hint]:
    """Deepchecks drift checks on production data with a condition or threshold that fails the
    run: manual when run by hand or on change, automated when a schedule runs them. A check
    between two offline splits, or without a threshold, is not credited."""
    for run in deepchecks_runs(facts):
        where = f"{run.path}:{run.call.line}"
        if run.current.verdict != "production":
            what = (
                "data that is not production data (an offline comparison"
                if run.current.verdict == "offline"
                else "data nothing shows is production data (serving logs, requests, a window"
            )
            yield Hint(
                ITEM,
                f"{where} runs Deepchecks {run.check} on {what}: {run.current.why}); not credited",
            )
            continue
        if run.gate is None:
            yield Hint(
                ITEM,
                f"{where} runs Deepchecks {run.check} on production data, but no condition or "
                "threshold fails the run; not credited",
            )
            continue
        scope = run.call.scope
        sched = scheduled_run(facts, run.path, scope)
        detail = (
            f"Deepchecks {run.check} on production data ({run.current.why}) with a threshold "
            f"({run.gate})"
        )
        if sched is not None:
            yield call_evidence(
                ITEM, run.path, run.call, f"{detail} on a schedule via {sched.root}"
            )
        else:
            yield call_evidence(
                ITEM, run.path, run.call, f"{detail}, not on a schedule", credit="manual"
            )


def _platform_schedules(facts: Facts) -> Iterator[Evidence | Hint]:
    """SageMaker Model Monitor declared as infrastructure (CDK, CloudFormation, Terraform)."""
    monitors = platform_monitors(facts)
    schedules = [m for m in monitors if m.kind == "schedule"]
    for mon in schedules:
        if mon.monitors in QUALITY_KINDS:
            yield mon.evidence(ITEM, f"SageMaker Model Monitor {mon.monitors} schedule")
        else:
            yield Hint(
                ITEM,
                f"{mon.path}:{mon.line} schedules a SageMaker {mon.monitors} monitor, not data "
                "or model quality; not credited",
            )
    if not schedules:
        for mon in monitors:
            yield Hint(
                ITEM,
                f"{mon.path}:{mon.line} declares a SageMaker {mon.kind} job definition "
                f"(`{mon.resource}`), but no monitoring schedule runs it; not credited",
            )


MODEL_LOAD = re.compile(r"^mlflow\.(\w+\.)?load_model$")
REGISTRY_LOOKUPS = ("get_model_version_by_alias", "get_latest_versions")
SCORERS = ("sklearn.metrics.", "scipy.stats.ks_2samp", "scipy.stats.wasserstein_distance")


def _loads(call: Call) -> bool:
    return bool(MODEL_LOAD.match(call.qualified)) or call.attr in REGISTRY_LOOKUPS


def _scores(call: Call) -> bool:
    return call.qualified.startswith(SCORERS)


def _known(call: Call, module: str, names: set[str]) -> bool:
    """The call resolves to one of `names` (imported, or defined in the same module)."""
    return call.qualified in names or f"{module}.{call.qualified}" in names


def _helpers(facts: Facts, test: Callable[[Call], bool], mentions: tuple[str, ...]) -> set[str]:
    """Dotted names (`pkg.mod.func`) of repo functions that directly make a call `test` accepts."""
    out: set[str] = set()
    for path, pf in facts.python_files(mentions=mentions, tests=False):
        mod = module_name(facts, path)
        if mod:
            out |= {f"{mod}.{c.scope}" for c in pf.calls if test(c) and "<" not in c.scope}
    return out


def _scheduled_champion_evaluation(facts: Facts) -> Iterator[Evidence | Hint]:
    """A function that loads the registered (served) model from the MLflow registry and scores
    it (sklearn metrics, KS/Wasserstein drift), directly or through one repo helper each, and
    that a schedule runs: the served model is evaluated on fresh data. Training a new model
    and scoring it on a test split is not production monitoring (nothing is loaded)."""
    loaders = _helpers(facts, _loads, ("load_model", *REGISTRY_LOOKUPS))
    scorers = _helpers(facts, _scores, ("sklearn", "scipy"))
    short = tuple({n.rsplit(".", 1)[-1] for n in loaders} | {"load_model", *REGISTRY_LOOKUPS})
    for path, pf in facts.python_files(mentions=short, tests=False):
        mod = module_name(facts, path) or ""
        by_scope: dict[str, list[Call]] = {}
        for c in pf.calls:
            by_scope.setdefault(c.scope, []).append(c)
        for fn in pf.functions:
            calls = by_scope.get(fn.qualname, [])
            load = next((c for c in calls if _loads(c) or _known(c, mod, loaders)), None)
            score = next((c for c in calls if _scores(c) or _known(c, mod, scorers)), None)
            if load is None or score is None or load is score:
                continue
            run = scheduled_run(facts, path, fn.qualname)
            what = f"{path}:{fn.qualname} loads the registered model (`{load.name}`) and scores it"
            if run is not None:
                yield Evidence(
                    ITEM, f"{what} (`{score.name}`) on a schedule via {run.root}", path,
                    fn.line, symbol=fn.qualname,
                )  # fmt: skip
            elif (other := automated_run(facts, path, fn.qualname)) is not None:
                yield Hint(
                    ITEM,
                    f"{what}, but it runs via {other.root} on {other.trigger}, not on a schedule "
                    "over fresh production data; not credited",
                )


LOGGED_PREDICTIONS = re.compile(r"(?i)^(get|load|read|fetch|query)_?\w*predictions?(_|$)")
OUTCOMES = re.compile(r"(?i)outcome|actuals?(_|$)|ground_?truth|feedback|realized|observed")
METRIC_CALLS = re.compile(r"(?i)metric|recall|precision|accuracy|auc|f1|rmse|mae|mape|brier")


def _scheduled_outcome_validation(facts: Facts) -> Iterator[Evidence | Hint]:
    """Logged predictions scored against the outcomes observed since: a function that loads
    the predictions the model made earlier (`store.get_predictions_for_validation()`,
    `load_predictions()`), in a class or module that joins them with observed outcomes
    (names with outcome/actual/ground truth/feedback) and computes quality metrics, and that a
    schedule runs: the served model's predictions are evaluated on fresh labels. Loading
    predictions to score a test split by hand is offline analysis, not credited."""
    for path, pf in facts.python_files(mentions=("prediction",), tests=False):
        for call in pf.calls:
            if not LOGGED_PREDICTIONS.search(call.attr) or "<" in call.scope:
                continue
            owner = call.scope.rsplit(".", 1)[0] if "." in call.scope else call.scope
            near = [c for c in pf.calls if c.scope == owner or c.scope.startswith(owner + ".")]
            names = [c.name for c in near] + [
                f.name for f in pf.functions if f.qualname.startswith(owner)
            ] + [c.qualname for c in pf.classes if c.qualname.startswith(owner)]  # fmt: skip
            outcome = next((n for n in names if OUTCOMES.search(n.rsplit(".", 1)[-1])), None)
            metric = next((c for c in near if METRIC_CALLS.search(c.attr) and c is not call), None)
            if outcome is None or metric is None:
                continue
            run = scheduled_run(facts, path, call.scope)
            what = (
                f"{path}:{call.scope} loads logged predictions (`{call.name}`) and scores them "
                f"against observed outcomes (`{outcome}`, `{metric.name}`)"
            )
            if run is not None:
                yield call_evidence(ITEM, path, call, f"{what} on a schedule via {run.root}")
            else:
                yield Hint(ITEM, f"{what}, but no schedule runs it; not credited")
            break


DIVERGENCE = re.compile(
    r"(?i)divergence|(^|_)(psi|kl|js)(_|$)|population_stability|wasserstein|drift_score"
)
DIVERGENCE_CALLS = (
    "scipy.stats.ks_2samp",
    "scipy.stats.wasserstein_distance",
    "scipy.spatial.distance.jensenshannon",
    "scipy.stats.entropy",
)
PRODUCTION = re.compile(r"(?i)prod(uction)?(_|$)|(^|_)(request|serving|inference)_?logs?|_live_")
DRIFT_GATE = re.compile(
    r"^\s*(el)?if\s+[\w.]*(drift|psi|divergence)\w*\s*[<>]=?\s*.*(thresh|warn|limit|max_)",
    re.I,
)


def _drift_reports(facts: Facts) -> Iterator[Evidence]:
    """A drift report: one file computes a divergence (JS/KL/PSI/KS/Wasserstein) between the
    training distribution and a production one (a function or call naming production data or
    request logs) and compares the drift value with a threshold (`if drift_score >
    thresholds["drift_score_warn"]`). Manual when run by hand, automated when a schedule runs
    the function holding the threshold. Drift between a train and a test split is offline."""
    for path, pf in facts.python_files(mentions=("drift",), tests=False):
        diverges = any(DIVERGENCE.search(fn.name) for fn in pf.functions) or any(
            c.qualified in DIVERGENCE_CALLS for c in pf.calls
        )
        names = [fn.name for fn in pf.functions] + [c.name for c in pf.calls]
        production = next((n for n in names if PRODUCTION.search(n.rsplit(".", 1)[-1])), None)
        if not diverges or production is None:
            continue
        lines = facts.lines(path)
        hit = next((i for i, t in enumerate(lines, 1) if DRIFT_GATE.match(t)), None)
        if hit is None:
            continue
        scope = next(
            (f.qualname for f in pf.functions if f.line <= hit <= f.end_line),
            MAIN,
        )
        run = scheduled_run(facts, path, scope)
        detail = (
            f"drift report compares the training distribution with production data "
            f"(`{production}`) and applies a threshold (`{lines[hit - 1].strip()[:80]}`)"
        )
        if run is not None:
            yield Evidence(ITEM, f"{detail} on a schedule via {run.root}", path, hit, symbol=scope)
        else:
            yield Evidence(ITEM, f"{detail}, run by hand", path, hit, credit="manual")
        return
