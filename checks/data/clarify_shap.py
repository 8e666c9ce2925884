"""data-2 evidence from SageMaker Clarify SHAP explainability (no checks registered here).

- `ClarifyCheckStep(clarify_check_config=ModelExplainabilityCheckConfig(
  explainability_config=SHAPConfig(...)))` that a `Pipeline(steps=[...])` lists: Clarify
  computes per-feature SHAP attributions and records the report. Automated when the pipeline
  is run by automation and the check is not skipped on the run path (`skip_check` a literal
  False, or a `ParameterBoolean` whose default is False and that no file sets to True, as for
  the model-7 bias checks); a skipped check is manual. A step no pipeline lists is never run.
- `SageMakerClarifyProcessor(...).run_explainability(..., explainability_config=SHAPConfig(...))`:
  a SHAP report; automated only when automation executes the calling code.

A `SHAPConfig` that no run or listed step uses earns nothing.
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

from ml_readiness.checklib import call_evidence
from ml_readiness.evidence import Evidence, Hint
from ml_readiness.facts import Facts

ITEM = "data-2"
CHECK_CONFIG = "ModelExplainabilityCheckConfig"
# positional index of `explainability_config` in the config class and in run_explainability
POSITION = 2


def _arg(node: ast.Call, key: str, position: int) -> ast.expr | None:
    value = kw(node, key)
    if value is None and len(node.args) > position:
        value = node.args[position]
    return value


def _uses_shap(facts: Facts, path: str, line: int, config: ast.expr | None) -> bool:
    """Is the explainability config a `SHAPConfig(...)` (a name bound to one, or a list with
    one)?"""
    if config is None:
        return False
    config = bound_value(facts, path, line, config)
    values = config.elts if isinstance(config, ast.List | ast.Tuple) else [config]
    for value in values:
        value = bound_value(facts, path, line, value)
        if isinstance(value, ast.Call) and callee(value) == "SHAPConfig":
            return True
    return False


def _steps(facts: Facts) -> Iterator[Evidence | Hint]:
    for path, call, node, config in clarify_check_steps(facts):
        if callee(config) != CHECK_CONFIG:
            continue  # a bias or quality check
        explain = _arg(config, "explainability_config", POSITION)
        if not _uses_shap(facts, path, call.line, explain):
            continue
        where = f"{path}:{call.line}"
        label = "SageMaker Clarify SHAP explainability check"
        listed = in_pipeline(facts, path, call.line, call.scope)
        if listed is None:
            yield Hint(
                ITEM,
                f"{label} at {where} is not in any Pipeline's steps (never run); not credited",
            )
            continue
        detail = f"{label} (per-feature SHAP attributions recorded) in {listed}"
        skipped, why = skip_state(facts, path, call.line, kw(node, "skip_check"))
        if skipped:
            detail += f"; the check is skipped on the run path ({why}): manual"
            yield call_evidence(ITEM, path, call, detail, credit="manual")
        else:
            yield call_evidence(ITEM, path, call, f"{detail} ({why})")


def _processors(facts: Facts) -> Iterator[Evidence]:
    for path, pf in facts.python_files(mentions=("SageMakerClarifyProcessor",), tests=False):
        if not path.endswith(".py") or not pf.calls_to(
            "sagemaker.clarify.SageMakerClarifyProcessor"
        ):
            continue
        for call in pf.calls:
            if call.attr != "run_explainability":
                continue
            node = call_node(facts, path, call)
            if node is None:
                continue
            if not _uses_shap(
                facts, path, call.line, _arg(node, "explainability_config", POSITION)
            ):
                continue
            detail = f"SageMaker Clarify SHAP explainability report (`{call.name}`)"
            yield call_evidence(ITEM, path, call, detail)


def clarify_shap(facts: Facts) -> Iterator[Evidence | Hint]:
    """All SageMaker Clarify SHAP evidence and hints for data-2."""
    yield from _steps(facts)
    yield from _processors(facts)
