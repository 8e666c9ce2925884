"""data-2: every feature has been shown to be beneficial (importance, ablation, selection)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from ml_readiness.checklib import attestation_hint, call_evidence, notebook_results
from ml_readiness.evidence import Evidence, Hint
from ml_readiness.facts import Facts, is_example_config, is_test_path
from ml_readiness.facts.python import Call, PythonFacts
from ml_readiness.registry import check

from ._importance_callers import recorded_by_caller
from ._shared import calls_from, scope_at
from .clarify_shap import clarify_shap

ITEM = "data-2"
SELECTORS = (
    "SelectKBest",
    "SelectPercentile",
    "RFE",
    "RFECV",
    "SelectFromModel",
    "SequentialFeatureSelector",
)
SHAP_EXPLAINERS = (
    "Explainer",
    "TreeExplainer",
    "KernelExplainer",
    "DeepExplainer",
    "LinearExplainer",
    "GradientExplainer",
)
SHAP_USE = ("shap_values", "summary_plot", "bar", "beeswarm", "waterfall")
REPORTING = (
    "print",
    "info",
    "log_metric",
    "log_metrics",
    "log_dict",
    "log_table",
    "log",
    "to_csv",
    "to_json",
    "to_markdown",
    "dump",
    "savefig",
    "barh",
    "bar",
    "plot",
    "write",
    "write_text",
    "Series",
    "DataFrame",
)
ABLATION = re.compile(
    r"ablation|drop_col|drop_feature|leave_one_(feature|out)|without_feature", re.I
)
# a project's own fit helper (`_fit_model`, `train_model`) retrains like `.fit` does
RETRAIN = re.compile(r"_?(fit|train)_(model|pipeline|estimator)")
IMPORTANCE_ATTRS = (
    ("feature_importances_", "`feature_importances_`"),
    ("featureImportances", "Spark ML `featureImportances`"),
)
IMPORTANCE_CALLS = (
    ("xgboost", "get_score", "XGBoost booster `get_score()`"),
    ("xgboost", "get_fscore", "XGBoost booster `get_fscore()`"),
    ("lightgbm", "feature_importance", "LightGBM booster `feature_importance()`"),
    ("catboost", "get_feature_importance", "CatBoost `get_feature_importance()`"),
)
REPORT_FILE = re.compile(
    r"(feature[_-]?importance|permutation[_-]?importance|shap|ablation)[^/]*\."
    r"(csv|json|md|html|png|svg|txt)$",
    re.I,
)


# A table whose folder or name says importance (`feature/importance/importance_0013.csv`,
# `reports/importances/lgbm.csv`); credited only when its rows pair feature names with numbers.
IMPORTANCE_TABLE = re.compile(
    r"(^|/)[^/]*importances?[^/]*/[^/]+\.(csv|tsv)$|(^|/)importances?[^/]*\.(csv|tsv)$", re.I
)


def _kind(facts: Facts, path: str, call_line: int) -> tuple[str, str]:
    """(kind, credit): notebooks with saved outputs are committed results (manual)."""
    if path.endswith(".ipynb") and notebook_results(facts, path):
        return "result", "manual"
    return "", "automated"


def _emit(facts: Facts, path: str, call: Call, detail: str) -> Evidence:
    kind, credit = _kind(facts, path, call.line)
    if kind:
        detail += " (notebook with saved outputs)"
    return call_evidence(ITEM, path, call, detail, kind=kind or None, credit=credit)  # type: ignore[arg-type]


def _importance(facts: Facts, path: str, pf: PythonFacts) -> Iterator[Evidence]:
    for call in calls_from(pf, ("sklearn",), ("permutation_importance",)):
        yield _emit(facts, path, call, "permutation importance computed")
    explainers = calls_from(pf, ("shap",), SHAP_EXPLAINERS)
    used = [c for c in pf.calls if c.attr in SHAP_USE] or [
        c for c in pf.calls if c.name in {_target(facts, path, e) for e in explainers}
    ]
    if explainers and used:
        # cite where the values are computed: building an explainer (for per-request
        # explanations, say) is no analysis until something computes and reads its values
        yield _emit(facts, path, used[0], f"SHAP values computed with `{explainers[0].name}`")
    for call in calls_from(pf, ("sklearn",), SELECTORS):
        if pf.method_calls("fit", "fit_transform") or calls_from(
            pf, ("sklearn",), ("Pipeline", "make_pipeline")
        ):
            yield _emit(
                facts, path, call, f"feature selection with `{call.attr}` in a fitted pipeline"
            )
    for fn in pf.functions:
        if ABLATION.search(fn.name) and any(
            (c.attr in ("fit", "cross_val_score", "cross_validate") or RETRAIN.fullmatch(c.attr))
            and c.scope.startswith(fn.qualname)
            for c in pf.calls
        ):
            kind, credit = _kind(facts, path, fn.line)
            yield Evidence(
                ITEM,
                f"drop-column/ablation experiment `{fn.name}` retrains without features",
                path,
                fn.line,
                kind=kind or "code",
                credit=credit,
                symbol=fn.qualname,
            )  # type: ignore[arg-type]


def _target(facts: Facts, path: str, call: Call) -> str:
    lines = facts.lines(path)
    if path.endswith(".ipynb") or not 0 < call.line <= len(lines):
        return "\0"
    m = re.match(r"\s*(\w+)\s*=", lines[call.line - 1])
    return m.group(1) if m else "\0"


def _importance_reads(pf: PythonFacts) -> list[tuple[str, str]]:
    """(grep pattern, label) of the model importance reads this file can make: scikit-learn
    style `feature_importances_`, Spark ML `featureImportances`, and the native boosters'
    calls (XGBoost `get_score`/`get_fscore`, LightGBM `feature_importance()`, CatBoost
    `get_feature_importance()`), each only where the library is imported."""
    out = []
    for attr, label in IMPORTANCE_ATTRS:
        if attr in pf.attributes:
            out.append((rf"\.{attr}\b", label))
    if "coef_" in pf.attributes:
        # a linear model's coefficients are importances only where the code says so
        # (`importance = np.abs(model.coef_)`), not every coefficient read
        out.append((r"(?i)importance.*\.coef_\b|\.coef_\b.*importance", "linear-model `coef_`"))
    for lib, method, label in IMPORTANCE_CALLS:
        if pf.imports_module(lib) and pf.method_calls(method):
            out.append((rf"\.{method}\(", label))
    return out


def _feature_importances(facts: Facts, path: str, pf: PythonFacts) -> Iterator[Evidence]:
    seen: set[int | None] = set()
    for pattern, label in _importance_reads(pf):
        for ev in _reported(facts, path, pf, pattern, label):
            if ev.line not in seen:  # one site per line (importances_ and coef_ branches)
                seen.add(ev.line)
                yield ev


def _reported(
    facts: Facts, path: str, pf: PythonFacts, pattern: str, label: str
) -> Iterator[Evidence]:
    for _p, number, text in facts.grep(pattern, [path]):
        if text.lstrip().lstrip('"').lstrip().startswith("#"):
            continue
        scope = scope_at(pf, number) or "<module>"
        near = [c for c in pf.calls if c.line in (number, number + 1) or c.scope == scope]
        if not any(c.attr in REPORTING for c in near):
            fn = pf.enclosing(number)
            if fn is None or path.endswith(".ipynb"):
                continue
            recorded = next(iter(recorded_by_caller(facts, path, pf, fn, label)), None)
            if recorded is not None:
                yield recorded
                return
            continue
        kind, credit = _kind(facts, path, number)
        detail = f"{label} read and reported"
        if kind:
            detail += " (notebook with saved outputs)"
        yield Evidence(
            ITEM,
            detail,
            path,
            number,
            kind=kind or "code",  # type: ignore[arg-type]
            credit=credit,  # type: ignore[arg-type]
            symbol=None if scope == "<module>" else scope,
        )
        return


def _importance_table(facts: Facts, path: str) -> bool:
    """A committed table under an importance folder or file name (`feature/importance/
    importance_0013.csv`): a CSV/TSV whose rows pair a feature name with a number."""
    if not IMPORTANCE_TABLE.search(path) or (facts.repo.size(path) or 0) == 0:
        return False
    if is_test_path(path) or is_example_config(path):
        return False  # fixture tables of a test suite are nobody's analysis
    text = facts.text(path) or ""
    rows = [r for r in text.splitlines()[1:21] if r.strip()]
    sep = "\t" if path.lower().endswith(".tsv") else ","
    paired = 0
    for row in rows:
        cells = [c.strip().strip('"') for c in row.split(sep)]
        if len(cells) >= 2 and re.match(r"^[A-Za-z_]", cells[0]):
            paired += any(re.fullmatch(r"-?\d+(\.\d+)?([eE]-?\d+)?", c) for c in cells[1:])
    return paired >= 2


def _report_files(facts: Facts) -> Iterator[Evidence]:
    # REPORT_FILE and IMPORTANCE_TABLE both need one of these words in the path
    for path in facts.repo.paths_containing("importance", "shap", "ablation", lower=True):
        named = REPORT_FILE.search(path.rsplit("/", 1)[-1]) and (facts.repo.size(path) or 0) > 0
        if named or _importance_table(facts, path):
            yield Evidence(
                ITEM,
                f"committed feature-importance report `{path.rsplit('/', 1)[-1]}`",
                path,
                None,
                kind="result",
                credit="manual",
            )


def _runs(facts: Facts, ev: Evidence) -> bool:
    """True when automation executes the notebook (papermill/nbconvert in CI or a pipeline)."""
    run = facts.automation.execution_of(ev.path, ev.symbol) if ev.path else None
    return run is not None and run.automated


@check("data-2")
def feature_importance(facts: Facts) -> Iterator[Evidence | Hint]:
    """Feature importance, ablation or selection analysis.

    Credits `permutation_importance` calls, SHAP explainers whose values are computed or
    plotted, model importances read and reported (printed, logged, saved or plotted):
    `feature_importances_`, Spark ML `featureImportances`, XGBoost `get_score()`, LightGBM
    `feature_importance()`, CatBoost `get_feature_importance()`, and a linear model's `coef_`
    where the code calls it importance; importances a helper returns count when the function
    calling the helper records them (`mlflow.log_artifact`/`log_dict`, `json.dump`, `savefig`,
    `to_csv` of the importances or of a file named after them), printing alone does not;
    drop-column/ablation functions that retrain, and SelectKBest/RFE/SelectFromModel/
    SequentialFeatureSelector used in a fitted pipeline; notebooks with saved outputs and
    committed report files (feature_importance.csv, shap_summary.png, ...) and committed tables
    under an importance folder or name (`feature/importance/importance_0013.csv`) whose rows
    pair feature names with numbers are manual results.
    SageMaker Clarify SHAP explainability (a `ClarifyCheckStep` with a
    `ModelExplainabilityCheckConfig(explainability_config=SHAPConfig(...))` listed in a
    Pipeline's steps, or `SageMakerClarifyProcessor.run_explainability` with a `SHAPConfig`)
    counts too; a skipped check is manual, a step no pipeline lists earns nothing.
    A notebook without saved outputs that nothing executes is listed only when nothing better
    (a script, a committed result) exists. Code evidence is automated when the pipeline or CI
    executes it. Imports alone earn nothing.
    """
    found = False
    unexecuted: list[Evidence] = []
    tokens = (
        "permutation_importance",
        "shap",
        "feature_importance",
        "featureImportances",
        "get_score",
        "get_fscore",
        "coef_",
        *SELECTORS,
        "ablation",
        "drop_col",
    )
    for path, pf in facts.python_files(mentions=tokens, notebooks=True):
        for ev in (*_importance(facts, path, pf), *_feature_importances(facts, path, pf)):
            if path.endswith(".ipynb") and ev.kind != "result" and not _runs(facts, ev):
                unexecuted.append(ev)  # a notebook without saved outputs: no result shown
                continue
            found = True
            yield ev
    for ev in _report_files(facts):
        found = True
        yield ev
    for ev in clarify_shap(facts):
        if isinstance(ev, Evidence):
            found = True
        yield ev
    for ev in unexecuted:
        if found:
            # scripts or committed results are the better evidence; the notebook adds nothing
            yield Hint(
                ITEM,
                f"{ev.location()} ({ev.detail}) is a notebook without saved outputs; not "
                "listed, the script/result evidence is",
            )
        else:
            yield replace(ev, detail=f"{ev.detail} (notebook has no saved outputs)")
    found = found or bool(unexecuted)
    if not found:
        yield attestation_hint(
            ITEM,
            "permutation_importance, SHAP values, reported feature_importances_, ablation "
            "experiments, feature selection in a pipeline, or a committed importance report",
            "reports/feature-importance.md",
        )
