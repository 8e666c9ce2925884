"""model-5: a simpler model is not better.

Evidence: a baseline (DummyClassifier/DummyRegressor, a linear/logistic model named as the
baseline) that is fitted AND whose metric is computed alongside the model's in the same
function; an assertion comparing the model's metric with a baseline/champion metric; a
comparison with the production model (`dvc metrics diff`/`dvc exp diff`, loading the
production/champion model and scoring both, `mlflow.evaluate(baseline_model=...)`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ml_readiness.checks.model._compare import Guard, module_guards
from ml_readiness.checks.model._competition import candidate_competitions
from ml_readiness.checks.model._operands import constant_condition
from ml_readiness.checks.model._production import (
    dvc_diffs,
    production_comparisons,
    unless_test_only,
)
from ml_readiness.checks.model._registry_champion import registry_champions
from ml_readiness.checks.model._results_file import committed_comparisons
from ml_readiness.checks.model._shared import (
    call_at,
    code_text,
    evidence_at,
    is_metric_call,
    repo_functions,
    scope_calls,
    without_strings,
)
from ml_readiness.checks.model._tfx_baseline import tfx_baseline_evaluations

from ml_readiness.checklib import always_skipped
from ml_readiness.evidence import Evidence, Hint
from ml_readiness.facts import Facts, is_test_path
from ml_readiness.facts.python import MODULE, Call, PythonFacts
from ml_readiness.registry import check

ITEM = "model-5"
DUMMY = ("sklearn.dummy.DummyClassifier", "sklearn.dummy.DummyRegressor")
LINEAR = (
    "pyspark.ml.regression.LinearRegression",
    "pyspark.ml.classification.LogisticRegression",
    "sklearn.linear_model.LogisticRegression",
    "sklearn.linear_model.LinearRegression",
    "sklearn.linear_model.Ridge",
    "sklearn.linear_model.Lasso",
)
CV = ("cross_val_score", "cross_validate")
REFERENCE = r"baseline|dummy|champion|production|prod_|previous|incumbent|current_model"
# Champion/challenger code names the two sides `candidate_*` (or `new_*`) and `current_*`
# (`if candidate_recall > current_recall + eps: return PromotionDecision(promote=True)`).
# Both sides must be named: `current_loss < best_loss` alone is early stopping, and a
# search loop keeping `current_best_score` compares trials, not models in production.
CHALLENGER = re.compile(r"(^|\s)(candidate|challenger|new_)\w*", re.I)
INCUMBENT = re.compile(r"(^|\s)(current|deployed|active|serving|live)_\w+", re.I)
COMPARE_CODE = re.compile(rf"^\s*(assert|if)\b(?=.*(<=|>=|<|>))(?=.*({REFERENCE}))", re.I)
COMPARE_LINE = re.compile(
    rf"(^|\")\s*(assert|if)\b(?=.*(<=|>=|<|>))(?=.*({REFERENCE}))", re.I | re.M
)
NAIVE_NAME = re.compile(
    r"baseline|persistence|climatolog|naive|majority|seasonal|last_value|moving_average|"
    r"random_guess|popularity|most_popular",
    re.I,
)
METRIC_ATTR = re.compile(
    r"(^|_)(w?mape|smape|wape|mase|rmse|mse|mae|auc|f1|accuracy|r2|brier|log_?loss|error|"
    r"skill|recall|precision|ndcg|mrr|hit_rate|map_at_k)(_|$)",
    re.I,
)
GENERIC_WORDS = frozenset(
    {"train", "fit", "baseline", "model", "build", "make", "run", "op", "component", "get"}
)
REFERENCE_TOKENS = (
    "baseline",
    "Baseline",
    "BASELINE",
    "dummy",
    "Dummy",
    "champion",
    "Champion",
    "production",
    "prod_",
    "previous",
    "incumbent",
    "current_model",
    "candidate",
    "challenger",
)
METRIC_WORDS = re.compile(
    r"auc|acc|f1|precision|recall|rmse|mse|mae|mape|loss|score|error|ndcg|r2|brier|metric|"
    r"log_?loss|perplexity|bleu|rouge|wer|iou",
    re.I,
)


def _assigned_name(facts: Facts, path: str, line: int) -> str | None:
    lines = facts.lines(path)
    text = lines[line - 1] if 0 < line <= len(lines) else ""
    m = re.search(r"(\w+)\s*(?::[^=]+)?=\s*[\w.]*(Dummy|Logistic|Linear|Ridge|Lasso)", text)
    return m.group(1) if m else None


def _baseline_calls(facts: Facts, path: str, pf: PythonFacts) -> list[tuple[Call, str]]:
    out = [(c, c.attr) for c in pf.calls_to(*DUMMY)]
    for c in pf.calls_to(*LINEAR):
        lines = facts.lines(path)
        text = lines[c.line - 1] if 0 < c.line <= len(lines) else ""
        if "baseline" in text.lower() or "baseline" in c.scope.lower():
            out.append((c, c.attr))
    return out


def _judge(
    facts: Facts, path: str, pf: PythonFacts, call: Call, label: str
) -> tuple[str | None, str | None]:
    """(evidence detail, None) when the baseline is fitted and compared; else (None, why)."""
    calls = scope_calls(pf, call.scope)
    var = _assigned_name(facts, path, call.line)
    same_line = [c for c in calls if c.line == call.line]
    chained = any(c.attr == "fit" for c in same_line)
    cv = any(c.attr in CV for c in same_line)
    in_collection = var is None and not chained and not cv
    fitted = (
        chained
        or cv
        or (var is not None and any(c.name == f"{var}.fit" for c in calls))
        or (in_collection and any(c.attr == "fit" for c in calls))
    )
    where = f"{path}:{call.line}"
    if not fitted:
        return None, f"{label} instantiated at {where} but never fitted; not credited"
    metrics = [c for c in calls if is_metric_call(c)]
    compared = len(metrics) >= 2 or (in_collection and metrics)
    if not compared:
        return None, (
            f"{label} fitted at {where} but its metric is not compared with the model's in "
            "the same function; not credited"
        )
    scope = "the notebook" if path.endswith(".ipynb") else f"`{call.scope}`"
    if call.scope == MODULE and not path.endswith(".ipynb"):
        scope = "module-level code"
    names = ", ".join(sorted({c.attr for c in metrics})[:3])
    return f"{label} baseline fitted and scored with the model in {scope} ({names})", None


def baseline_models(facts: Facts) -> Iterator[Evidence | Hint]:
    tokens = ("Dummy", "baseline", "Baseline")
    for path, pf in facts.python_files(mentions=tokens, notebooks=True):
        for call, label in _baseline_calls(facts, path, pf):
            fn = pf.function(call.scope)
            if fn is not None and fn.is_test and always_skipped(fn, pf):
                yield Hint(ITEM, f"{label} at {path}:{call.line} is in a skipped test")
                continue
            detail, why = _judge(facts, path, pf, call, label)
            if detail:
                yield call_at(facts, ITEM, path, call, detail)
            else:
                yield Hint(ITEM, why or "")


def _has_reference(words: frozenset[str]) -> bool:
    return bool(re.search(REFERENCE, " ".join(sorted(words)), re.I))


def _two_models(guard: Guard) -> bool:
    """False when the guard compares one model's metric with a fixed value (a number or a
    threshold from a config or dict: `if actual_value < min_value`, `if production_accuracy
    < thresholds["min_accuracy"]`), or a difference of metrics that both come from the
    reference (`self.baseline_metrics["production_model"]["accuracy"] - production_accuracy`:
    the deployed model's drop since monitoring began). A difference of a reference's score
    and another model's (`champion_rmse - candidate_rmse`), compared with a threshold, counts."""
    lifts = [
        (a, b)
        for a, b in guard.lifts
        if METRIC_WORDS.search(" ".join(a)) and METRIC_WORDS.search(" ".join(b))
    ]
    if lifts:
        return any(_has_reference(a) != _has_reference(b) for a, b in lifts)
    return not guard.fixed


def comparisons(facts: Facts, skip: set[tuple[str, str]]) -> Iterator[Evidence]:
    """A metric compared with a baseline/champion/production metric, from the syntax tree:
    an `assert`, or an `if` that raises, exits, records a failure reason, sets a flag or
    returns. The comparison's operands, or what they were computed from in the same function
    (`relative_improvement = (champion_rmse - candidate_rmse) / champion_rmse`), must name a
    reference and a metric. A comparison with a literal 0/None (`if champion_rmse <= 0: raise`)
    is a sanity check on an input, not a comparison of models. Notebooks: line rules."""
    files = facts.python_files(mentions=REFERENCE_TOKENS, notebooks=True)
    for path, pf in files:
        if not path.endswith(".py"):
            continue
        for guard in module_guards(facts, path).guards:
            if guard.trivial or not guard.ordered or (path, guard.scope) in skip:
                continue
            if not _two_models(guard):
                continue
            words = guard.words()
            plain = guard.words(thresholds=False)
            reference = re.search(REFERENCE, plain, re.I) or (
                CHALLENGER.search(plain) and INCUMBENT.search(plain) and "best" not in plain
            )
            if not (reference and METRIC_WORDS.search(words)):
                continue
            fn = pf.function(guard.scope) if guard.scope != MODULE else None
            if fn and fn.is_test and always_skipped(fn, pf):
                continue
            skip.add((path, guard.scope))
            shown = f"assert {guard.text}" if guard.action == "assert" else f"if {guard.text}:"
            if guard.action == "decide":
                shown = f"decision: {guard.text}"
            yield evidence_at(
                facts,
                ITEM,
                path,
                guard.line,
                guard.scope,
                f"model metric compared with a reference: `{shown[:90]}`",
            )
    paths = [p for p, _ in files if p.endswith(".ipynb")]
    for path, line, _ in facts.grep(COMPARE_LINE, paths):
        text = code_text(facts, path, line)
        pf = facts.python(path)
        if pf is None or text is None or not COMPARE_CODE.search(text):
            continue
        if not re.search(r"<=|>=|<|>", without_strings(text)):
            continue  # the comparison sits inside a string literal
        if constant_condition(text):
            continue  # a metric against a fixed threshold, not a second model
        fn = pf.enclosing(line)
        scope = fn.qualname if fn else MODULE
        if (path, scope) in skip or (fn and fn.is_test and always_skipped(fn, pf)):
            continue
        if text.lstrip().startswith("if"):
            following = code_text(facts, path, line + 1) or ""
            if not re.search(r"\braise\b|sys\.exit", text + " " + following):
                continue
        skip.add((path, scope))
        cond = text.strip()[:80]
        yield evidence_at(
            facts, ITEM, path, line, scope, f"model metric compared with a reference: `{cond}`"
        )


def _metric_like(call: Call) -> bool:
    return is_metric_call(call) or bool(METRIC_ATTR.search(call.attr))


def _scores_metric(facts: Facts, known: dict[str, tuple[str, str]], name: str) -> bool:
    """True when `name` is a repo function whose body computes a metric
    (`evaluate_personalized_model` calling `recall_at_k`)."""
    if name not in known:
        return False
    where, qual = known[name]
    other = facts.python(where)
    return other is not None and any(_metric_like(c) for c in scope_calls(other, qual))


def naive_baselines(facts: Facts, skip: set[tuple[str, str]]) -> Iterator[Evidence]:
    """Naive/heuristic baselines (persistence, climatology, seasonal naive, majority class...)
    scored by a repository function and computed next to the model's own metric.

    (a) A call to a repo function named like a naive baseline that yields a metric (its name
    says so, `_persistence_rmse`, or it computes one) in a scope that also computes the model's
    metric (`evaluator.evaluate`, `roc_auc_score` ...).
    (b) A baseline model fitted in its own function (`train_prophet_baseline` calls `.fit`)
    whose output an evaluation function takes (a parameter named after it,
    `prophet_forecast`, or a call to it) and scores next to the model (two metric values)."""
    tokens = (
        "baseline",
        "persistence",
        "climatolog",
        "naive",
        "majority",
        "seasonal",
        "popularity",
        "most_popular",
    )
    files = [(p, pf) for p, pf in facts.python_files(mentions=tokens) if not is_test_path(p)]
    fitted: dict[str, tuple[str, str]] = {}  # label -> (path, function)
    for path, pf in files:
        known = repo_functions(facts, path, pf)
        for call in pf.calls:
            if not NAIVE_NAME.search(call.attr) or call.attr not in known:
                continue
            where, qual = known[call.attr]
            other = facts.python(where)
            yields_metric = METRIC_ATTR.search(call.attr) or (
                other is not None and any(_metric_like(c) for c in scope_calls(other, qual))
            )
            if not yields_metric or (path, call.scope) in skip:
                continue
            model = [
                c
                for c in scope_calls(pf, call.scope)
                if not NAIVE_NAME.search(c.attr)
                and c.attr != call.attr
                and (_metric_like(c) or _scores_metric(facts, known, c.attr))
            ]
            if not model:
                continue
            skip.add((path, call.scope))
            detail = (
                f"naive baseline `{call.attr}` scored next to the model's `{model[0].attr}` "
                f"in `{call.scope}`"
            )
            yield call_at(facts, ITEM, path, call, detail)
        for fn in pf.functions:
            if "." in fn.qualname or "baseline" not in fn.name.lower():
                continue
            if any(c.attr == "fit" for c in scope_calls(pf, fn.qualname)):
                words = [w for w in fn.name.lower().split("_") if w and w not in GENERIC_WORDS]
                fitted[words[0] if words else fn.name] = (path, fn.name)
    for label, (bpath, bname) in sorted(fitted.items()):
        for path, pf in facts.python_files(mentions=(label,)):
            if is_test_path(path):
                continue
            for fn in pf.functions:
                if fn.name == bname or (path, fn.qualname) in skip:
                    continue
                calls = scope_calls(pf, fn.qualname)
                takes = any(label in p.lower() for p in fn.params) or any(
                    c.attr == bname for c in calls
                )
                metrics = [c for c in calls if _metric_like(c)]
                if not takes or len(metrics) < 2:
                    continue
                skip.add((path, fn.qualname))
                detail = (
                    f"baseline model `{bname}` ({bpath}) scored next to the model in "
                    f"`{fn.qualname}` ({', '.join(sorted({c.attr for c in metrics})[:3])})"
                )
                yield evidence_at(facts, ITEM, path, fn.line, fn.qualname, detail)
                break


@check(ITEM)
def baseline_comparison(facts: Facts) -> Iterator[Evidence | Hint]:
    """A baseline model trained and compared, or a comparison with the production model.

    Counts a DummyClassifier/DummyRegressor (or a linear/logistic model named as the baseline)
    that is fitted and whose metric is computed in the same function as the model's (in a
    test or evaluation code, or a `cross_val_score` over both); a naive baseline (persistence,
    climatology, seasonal naive, majority, popularity ...) scored by a repo function next to
    the model's metric (computed there or by a repo function that computes one); a baseline
    model fitted in its own function (`train_prophet_baseline`) whose output
    an evaluation function scores next to the model; an `assert` or guarded `if` (raise, exit,
    failure reason, flag) comparing a metric with a baseline/champion/production metric,
    directly or through values computed from it (not a sanity check against a literal 0),
    or a `candidate_*` metric compared with a `current_*` one (champion/challenger); a
    metric compared with a fixed value (a number or a threshold from a config or dict:
    `if production_accuracy < thresholds["min_accuracy"]`) is a gate or an alert, not a
    baseline, unless the compared value is the difference of a reference's score and
    another model's (`(champion_rmse - candidate_rmse) / champion_rmse < MIN_GAIN`);
    loading the production or
    champion model and scoring it next to the candidate; the candidate's score compared with
    the scores of every registered version (a loop over `search_model_versions` loading
    `models:/name/version`, then `score >= max(scores.values())` deciding a flag);
    `mlflow.evaluate(baseline_model=...)`;
    `dvc metrics diff` / `dvc exp diff` run by a CI job of any system (the job's trigger
    decides: automated on push/PR/MR/schedule, manual when triggered by hand) or in scripts;
    a TFX `Evaluator(baseline_model=...)` added to the pipeline (with its change threshold);
    a training function that fits a linear/logistic/Ridge/Dummy model next to more complex
    estimators (directly or through a repo helper) and keeps the best by a metric (`if score >
    best_score`, `max(..., key=...)`, `sorted(..., key=...)`): automated when a schedule or CI
    runs that function; a committed results file (not a README or docs page) listing metric
    values of a linear/logistic/dummy model next to those of a more complex model (manual).
    A baseline imported or instantiated but never fitted and compared earns nothing.
    """
    found: list[Evidence] = []
    hints: list[Hint] = []
    for value in baseline_models(facts):
        (found if isinstance(value, Evidence) else hints).append(value)
    skip = {(e.path, e.symbol or MODULE) for e in found}
    for value in candidate_competitions(facts, ITEM):
        key = (value.path, value.symbol or MODULE) if isinstance(value, Evidence) else None
        if key is None:
            hints.append(value)
        elif key not in skip:
            skip.add(key)
            found.append(value)
    found += list(naive_baselines(facts, skip))
    found += list(comparisons(facts, skip))
    found += list(production_comparisons(facts, skip))
    found += list(registry_champions(facts, skip))
    found += list(dvc_diffs(facts))
    for value in tfx_baseline_evaluations(facts, ITEM):
        (found if isinstance(value, Evidence) else hints).append(value)
    found += list(committed_comparisons(facts, ITEM))
    yield from (unless_test_only(facts, e) for e in found)
    yield from hints
    if not found and not hints:
        yield Hint(ITEM, "no baseline model, champion comparison or metrics diff found")
