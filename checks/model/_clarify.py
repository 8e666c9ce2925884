"""model-7 evidence from SageMaker Clarify bias analysis (no checks registered here).

- `ClarifyCheckStep(clarify_check_config=DataBiasCheckConfig|ModelBiasCheckConfig(
  data_bias_config=BiasConfig(facet_name=...)))` that a `Pipeline(steps=[...])` lists: Clarify
  computes the pre/post-training bias metrics for the facet. It enforces a threshold only when
  the check is not skipped on the run path (`skip_check` a literal False, or a
  `ParameterBoolean` whose default is False and that no runner sets to True) *and* it has a
  baseline to compare with (`supplied_baseline_constraints=` or `model_package_group_name=`,
  the latest approved model's baseline); otherwise it is manual evidence (metrics computed and
  recorded, compared with nothing).
- `SageMakerClarifyProcessor(...).run_bias/run_pre_training_bias/run_post_training_bias(
  bias_config|data_bias_config=BiasConfig(facet_name=...))`: a bias report, manual (no
  threshold).

`BiasConfig.facet_name` must be a non-empty literal; a step no pipeline lists is never run.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ml_readiness.checks.model._sagemaker_steps import (
    bound_value,
    call_node,
    callee,
    clarify_check_steps,
    in_pipeline,
    kw,
    skip_state,
)
from ml_readiness.checks.model._shared import call_at

from ml_readiness.evidence import Evidence, Hint
from ml_readiness.facts import Facts

ITEM = "model-7"
CONFIGS = {"DataBiasCheckConfig": "pre-training", "ModelBiasCheckConfig": "post-training"}
RUNS = {
    "run_bias": "pre- and post-training",
    "run_pre_training_bias": "pre-training",
    "run_post_training_bias": "post-training",
}


def _facet(facts: Facts, path: str, line: int, config: ast.expr | None) -> str | None:
    """The literal `facet_name` of a `BiasConfig(...)` (or a name bound to one)."""
    if config is None:
        return None
    config = bound_value(facts, path, line, config)
    if not isinstance(config, ast.Call) or callee(config) != "BiasConfig":
        return None
    facet = kw(config, "facet_name")
    if facet is None and len(config.args) >= 2:
        facet = config.args[1]
    values = facet.elts if isinstance(facet, ast.List | ast.Tuple) else [facet]
    names = [
        str(v.value) for v in values if isinstance(v, ast.Constant) and v.value not in ("", None)
    ]
    return ", ".join(names) if names else None


def clarify_steps(facts: Facts) -> Iterator[Evidence | Hint]:
    for path, call, node, config in clarify_check_steps(facts):
        kind = CONFIGS.get(callee(config))
        if kind is None:
            continue  # a quality or explainability check, not a bias check
        facet = _facet(facts, path, call.line, kw(config, "data_bias_config"))
        where = f"{path}:{call.line}"
        if facet is None:
            yield Hint(ITEM, f"Clarify bias check at {where} names no facet; not credited")
            continue
        label = f"SageMaker Clarify {kind} bias check over facet {facet}"
        listed = in_pipeline(facts, path, call.line, call.scope)
        if listed is None:
            yield Hint(
                ITEM,
                f"{label} at {where} is not in any Pipeline's steps (never run); not credited",
            )
            continue
        skipped, why = skip_state(facts, path, call.line, kw(node, "skip_check"))
        baseline = kw(node, "supplied_baseline_constraints") or kw(node, "model_package_group_name")
        detail = f"{label} in {listed}"
        if skipped:
            detail += f"; the comparison is skipped ({why}): metrics recorded, no threshold"
            yield call_at(facts, ITEM, path, call, detail, credit="manual")
        elif baseline is None:
            detail += "; no baseline constraints to compare with: metrics recorded only"
            yield call_at(facts, ITEM, path, call, detail, credit="manual")
        else:
            detail += f"; checked against baseline constraints ({why})"
            yield call_at(facts, ITEM, path, call, detail)


def clarify_processors(facts: Facts) -> Iterator[Evidence | Hint]:
    for path, pf in facts.python_files(mentions=("SageMakerClarifyProcessor",), tests=False):
        processor = pf.calls_to("sagemaker.clarify.SageMakerClarifyProcessor")
        if not path.endswith(".py") or not processor:
            continue
        for call in pf.calls:
            if call.attr not in RUNS:
                continue
            node = call_node(facts, path, call)
            if node is None:
                continue
            given = kw(node, "bias_config") or kw(node, "data_bias_config")
            if given is None and len(node.args) >= 2:
                given = node.args[1]
            facet = _facet(facts, path, call.line, given)
            if facet is None:
                continue
            detail = (
                f"SageMaker Clarify {RUNS[call.attr]} bias report over facet {facet} "
                f"(`{call.name}`); no thresholds"
            )
            yield call_at(facts, ITEM, path, call, detail, credit="manual")


def clarify_bias(facts: Facts) -> Iterator[Evidence | Hint]:
    """All SageMaker Clarify bias evidence and hints."""
    yield from clarify_steps(facts)
    yield from clarify_processors(facts)
