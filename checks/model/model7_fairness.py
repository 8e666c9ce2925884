"""model-7: the model has been tested for considerations of inclusion.

Evidence: fairness metrics computed with fairlearn, AIF360, TFMA Fairness Indicators or the
What-If Tool, and fairness sections of model cards that report measured results. Code that checks
a fairness threshold (`assert dpd < 0.1`) can be automated when CI or the pipeline runs it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ml_readiness.checks.model._clarify import clarify_bias
from ml_readiness.checks.model._compare import module_thresholds
from ml_readiness.checks.model._shared import call_at, thresholds_in
from ml_readiness.checks.model.model1_specs import card_specs

from ml_readiness.checklib import doc_sections
from ml_readiness.evidence import Evidence, Hint
from ml_readiness.facts import Facts, is_example_config
from ml_readiness.facts.python import Call, PythonFacts
from ml_readiness.registry import check

ITEM = "model-7"
FAIRLEARN = tuple(
    f"fairlearn.metrics.{name}"
    for name in (
        "demographic_parity_difference",
        "demographic_parity_ratio",
        "equalized_odds_difference",
        "equalized_odds_ratio",
        "equal_opportunity_difference",
        "equal_opportunity_ratio",
    )
)
AIF360_METRICS = ("BinaryLabelDatasetMetric", "ClassificationMetric", "DatasetMetric")
AIF360_METHODS = frozenset(
    {
        "disparate_impact",
        "statistical_parity_difference",
        "equal_opportunity_difference",
        "average_odds_difference",
        "average_abs_odds_difference",
        "theil_index",
        "consistency",
        "false_positive_rate_difference",
        "true_positive_rate_difference",
    }
)
FAIRNESS_TITLES = (
    r"fairness|\bbias\b|inclusion|inclusive|equity|disaggregated|subgroup|"
    r"demographic|protected (groups?|attributes?)"
)
FAIRNESS_WORDS = re.compile(
    r"parity|disparit|disparate|equali[sz]ed|equal_opportunity|selection_rate|_gap\b|gap_|"
    r"\bgap\b|fair|odds|theil|\bdpd\b|\beod\b",
    re.I,
)
ANY = re.compile(r".")
RESULT_NUMBER = re.compile(r"\b\d+\.\d+\b|\b\d+(\.\d+)?\s*%")
FAIRNESS_DOC_NAMES = re.compile(r"fairness|bias|inclusion|model[_-]?card", re.I)


def _evidence(facts: Facts, path: str, pf: PythonFacts, call: Call, detail: str) -> Evidence:
    """Automated-capable when a fairness threshold is checked in the call's function, or by a
    gate elsewhere in the same module (`if dpd > thresholds["max_selection_rate_gap"]:
    failures.append(...)` in `gate_failures`, which `main` turns into an exit)."""
    found = thresholds_in(facts, path, pf, call.scope) or [
        (line, cond) for line, cond, _s in module_thresholds(facts, path, FAIRNESS_WORDS, ANY)
    ]
    if found:
        shown = "; ".join(cond for _, cond in found[:2])
        return call_at(facts, ITEM, path, call, f"{detail}; thresholds: {shown}")
    return call_at(facts, ITEM, path, call, f"{detail}; no thresholds", credit="manual")


def fairness_code(facts: Facts) -> Iterator[Evidence]:
    tokens = ("fairlearn", "aif360", "FairnessIndicators", "fairness_indicators", "witwidget")
    for path, pf in facts.python_files(mentions=tokens, notebooks=True):
        done: set[str] = set()
        aif_methods = [c for c in pf.calls if c.attr in AIF360_METHODS]
        for call in pf.calls:
            if call.scope in done:
                continue
            detail = None
            if (
                call.qualified in FAIRLEARN
                or call.qualified.endswith(tuple("." + q.rsplit(".", 1)[-1] for q in FAIRLEARN))
                and call.qualified.startswith("fairlearn")
            ):
                detail = f"fairlearn `{call.attr}` computed"
            elif call.qualified.endswith("MetricFrame") and call.has_kw("sensitive_features"):
                detail = "fairlearn MetricFrame over sensitive_features"
            elif call.attr in AIF360_METRICS and call.qualified.startswith("aif360"):
                methods = sorted({c.attr for c in aif_methods})
                if not methods:
                    continue
                detail = f"AIF360 {call.attr} computes {', '.join(methods[:3])}"
            elif call.attr == "FairnessIndicators" or call.qualified.endswith(
                "fairness_indicators"
            ):
                detail = "TFMA Fairness Indicators configured"
            elif call.qualified.startswith("witwidget") and call.attr in (
                "WitWidget",
                "WitConfigBuilder",
            ):
                detail = "What-If Tool analysis"
            if detail:
                done.add(call.scope)
                yield _evidence(facts, path, pf, call, detail)


def fairness_configs(facts: Facts) -> Iterator[Evidence]:
    """TFMA eval configs that add Fairness Indicators."""
    paths = [
        p
        for p in facts.repo.with_suffix(".pbtxt", ".config", ".json", ".yaml", ".yml")
        if not is_example_config(p) and facts.mentions(p, "FairnessIndicators")
    ]
    seen: set[str] = set()
    for path, line, _ in facts.grep(r"class_name\W+FairnessIndicators", paths):
        if path in seen:
            continue
        seen.add(path)
        yield Evidence(
            ITEM, "TFMA eval config adds Fairness Indicators", path, line, "config", "manual"
        )


def card_sections(facts: Facts) -> Iterator[Evidence | Hint]:
    """Fairness sections of model cards (and fairness docs) that report measured results."""
    cards = {s.path for s in card_specs(facts)}
    paths = [p for p in facts.docs() if p in cards or FAIRNESS_DOC_NAMES.search(p)]
    for path, section in doc_sections(facts, FAIRNESS_TITLES, paths):
        if RESULT_NUMBER.search(section.body):
            where = "model card" if path in cards else "fairness report"
            yield Evidence(
                ITEM,
                f'{where} section "{section.title}" reports measured results',
                path,
                section.line,
                "doc",
                "manual",
            )
        else:
            yield Hint(
                ITEM,
                f'{path}:{section.line} has a "{section.title}" section but reports no measured '
                "results (no numbers); not credited",
            )


@check(ITEM)
def inclusion_testing(facts: Facts) -> Iterator[Evidence | Hint]:
    """Fairness metrics computed and recorded, with thresholds when present.

    Looks for fairlearn fairness metrics (`demographic_parity_difference`,
    `equalized_odds_difference`, ...) and `MetricFrame(..., sensitive_features=...)`, AIF360
    dataset/classification metrics whose fairness methods are called, TFMA Fairness Indicators
    (code or eval config), the What-If Tool, and fairness/bias sections of model cards that
    report numbers, and SageMaker Clarify bias analysis: a `ClarifyCheckStep` with a
    `DataBiasCheckConfig`/`ModelBiasCheckConfig` (`BiasConfig(facet_name=...)`) that a
    `Pipeline(steps=[...])` lists (automated-capable only when the check is not skipped on the
    run path and has baseline constraints; a runner setting `SkipModelBiasCheck=True` leaves it
    manual), or `SageMakerClarifyProcessor.run_bias/run_post_training_bias` (manual). Code
    checking a threshold in the same function (`assert dpd < 0.1`) is automated when CI or the
    pipeline runs it; without a threshold it is manual; a notebook with saved outputs is a
    manual result.
    """
    found = False
    values = (
        *fairness_code(facts),
        *fairness_configs(facts),
        *card_sections(facts),
        *clarify_bias(facts),
    )
    for value in values:
        found = found or isinstance(value, Evidence)
        yield value
    if not found:
        yield Hint(
            ITEM,
            "no fairness metrics (fairlearn, AIF360, Fairness Indicators, What-If Tool) or "
            "model-card fairness results found",
        )
