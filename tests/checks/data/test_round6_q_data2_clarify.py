"""data-2 accuracy (round 6, Q / REVIEW-M D7): SageMaker Clarify SHAP explainability is
feature-importance evidence — a `ClarifyCheckStep` with a
`ModelExplainabilityCheckConfig(explainability_config=SHAPConfig(...))` that a
`Pipeline(steps=[...])` lists, or `SageMakerClarifyProcessor.run_explainability` with a
`SHAPConfig`. Automated only when automation runs the pipeline and the check is not skipped
(a runner's `SkipModelExplainabilityCheck=True` keeps it manual). A `SHAPConfig` that is never
run, or a step no pipeline lists, earns nothing."""

from __future__ import annotations

from pathlib import Path

from tests.checks.data.util import details, evidence, hints
from tests.helpers import audit, levels, make_repo, run_check

CHECK = "feature-importance"
PIPELINE = """
from sagemaker.clarify import DataConfig, ModelConfig, SHAPConfig
from sagemaker.workflow.clarify_check_step import ClarifyCheckStep, ModelExplainabilityCheckConfig
from sagemaker.workflow.parameters import ParameterBoolean
from sagemaker.workflow.pipeline import Pipeline


def get_pipeline(role, train_uri, out_uri, model_name, check_cfg):
    skip_explain = ParameterBoolean(name="SkipModelExplainabilityCheck", default_value=False)
    data_cfg = DataConfig(s3_data_input_path=train_uri, s3_output_path=out_uri, label=0)
    model_cfg = ModelConfig(model_name=model_name, instance_count=1)
    shap_config = SHAPConfig(seed=123, num_samples=10)
    explain_cfg = ModelExplainabilityCheckConfig(
        data_config=data_cfg, model_config=model_cfg, explainability_config={explain}
    )
    shap_step = ClarifyCheckStep(
        name="ModelExplainabilityCheck",
        clarify_check_config=explain_cfg,
        check_job_config=check_cfg,
        skip_check={skip},
    )
    return Pipeline(name="demo", parameters=[skip_explain], steps={steps})
"""
RUNNER = """
import sys
from pipelines.demo.pipeline import get_pipeline


def main():
    pipeline = get_pipeline(*sys.argv[1:6])
    pipeline.upsert(role_arn=sys.argv[1])
    pipeline.start({parameters})


if __name__ == "__main__":
    main()
"""
ON_PUSH = """
on: [push]
jobs:
  pipeline:
    runs-on: ubuntu-latest
    steps:
      - run: python pipelines/run_pipeline.py
"""
STEP = ("pipelines/demo/pipeline.py", 15, "code", "automated", "get_pipeline")


def _repo(  # noqa: PLR0913
    tmp_path: Path,
    steps: str = "[shap_step]",
    parameters: str = "",
    ci: bool = True,
    skip: str = "skip_explain",
    explain: str = "shap_config",
) -> Path:
    pipeline = PIPELINE.replace("{steps}", steps).replace("{skip}", skip)
    files = {
        "pipelines/demo/pipeline.py": pipeline.replace("{explain}", explain),
        "pipelines/run_pipeline.py": RUNNER.replace("{parameters}", parameters),
    }
    if ci:
        files[".github/workflows/pipeline.yml"] = ON_PUSH
    return make_repo(tmp_path, files)


def test_shap_check_step_run_on_push_is_automated(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    out = run_check(root, CHECK)
    assert evidence(out) == [STEP]
    assert details(out) == [
        "SageMaker Clarify SHAP explainability check (per-feature SHAP attributions recorded) "
        "in the steps of the SageMaker Pipeline at line 21 (`SkipModelExplainabilityCheck` "
        "defaults to False)"
    ]
    assert levels(audit(root))["data-2"] == "automated"


def test_shap_check_step_run_by_hand_is_manual(tmp_path: Path) -> None:
    root = _repo(tmp_path, ci=False)
    assert evidence(run_check(root, CHECK)) == [STEP]  # automated-capable; nothing runs it
    assert levels(audit(root))["data-2"] == "manual"


def test_shap_config_in_a_list_with_a_literal_skip_false(tmp_path: Path) -> None:
    root = _repo(tmp_path, skip="False", explain="[shap_config]")
    assert evidence(run_check(root, CHECK)) == [STEP]
    assert levels(audit(root))["data-2"] == "automated"


def test_trap_runner_skipping_the_check_is_manual_even_on_push(tmp_path: Path) -> None:
    root = _repo(tmp_path, parameters="parameters=dict(SkipModelExplainabilityCheck=True)")
    out = run_check(root, CHECK)
    assert evidence(out) == [("pipelines/demo/pipeline.py", 15, "code", "manual", "get_pipeline")]
    assert details(out)[0].endswith(
        "; the check is skipped on the run path (`SkipModelExplainabilityCheck` is set to True "
        "at pipelines/run_pipeline.py:8): manual"
    )
    assert levels(audit(root))["data-2"] == "manual"


def test_trap_literal_skip_true_is_manual(tmp_path: Path) -> None:
    root = _repo(tmp_path, skip="True")
    assert evidence(run_check(root, CHECK)) == [
        ("pipelines/demo/pipeline.py", 15, "code", "manual", "get_pipeline")
    ]
    assert levels(audit(root))["data-2"] == "manual"


def test_trap_shap_step_not_in_pipeline_steps(tmp_path: Path) -> None:
    root = _repo(tmp_path, steps="[]")
    out = run_check(root, CHECK)
    assert evidence(out) == []
    assert (
        "SageMaker Clarify SHAP explainability check at pipelines/demo/pipeline.py:15 is not in "
        "any Pipeline's steps (never run); not credited"
    ) in hints(out)
    assert levels(audit(root))["data-2"] == "none"


def test_trap_explainability_check_without_shap_config(tmp_path: Path) -> None:
    root = _repo(tmp_path, explain="PDPConfig(features=['age'])")
    assert evidence(run_check(root, CHECK)) == []
    assert levels(audit(root))["data-2"] == "none"


def test_trap_shap_config_built_but_never_run(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "pipelines/explain.py": (
                "from sagemaker.clarify import SHAPConfig, SageMakerClarifyProcessor\n"
                "\n"
                "\n"
                "def configure(role):\n"
                "    processor = SageMakerClarifyProcessor(role=role, instance_count=1)\n"
                "    shap_config = SHAPConfig(seed=1, num_samples=10)\n"
                "    return processor, shap_config\n"
            ),
            ".github/workflows/pipeline.yml": ON_PUSH.replace("run_pipeline.py", "explain.py"),
        },
    )
    assert evidence(run_check(root, CHECK)) == []
    assert levels(audit(root))["data-2"] == "none"


PROCESSOR = """
from sagemaker.clarify import SHAPConfig, SageMakerClarifyProcessor


def explain(role, data_config, model_config):
    processor = SageMakerClarifyProcessor(role=role, instance_count=1)
    shap_config = SHAPConfig(baseline=[[0, 0]], num_samples=50, agg_method="mean_abs")
    processor.run_explainability(data_config, model_config, {explain})
"""


MAIN = "\n\nif __name__ == '__main__':\n    explain('role', None, None)\n"


def test_clarify_processor_run_explainability_by_hand_is_manual(tmp_path: Path) -> None:
    text = PROCESSOR.replace("{explain}", "shap_config") + MAIN
    root = make_repo(tmp_path, {"scripts/explain.py": text})
    out = run_check(root, CHECK)
    assert evidence(out) == [("scripts/explain.py", 7, "code", "automated", "explain")]
    assert details(out) == [
        "SageMaker Clarify SHAP explainability report (`processor.run_explainability`)"
    ]
    assert levels(audit(root))["data-2"] == "manual"


def test_trap_clarify_processor_in_a_function_nothing_calls(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path, {"scripts/explain.py": PROCESSOR.replace("{explain}", "shap_config")}
    )
    assert len(evidence(run_check(root, CHECK))) == 1
    assert levels(audit(root))["data-2"] == "none"  # dead code: `explain()` is never called


def test_clarify_processor_run_explainability_on_push_is_automated(tmp_path: Path) -> None:
    text = PROCESSOR.replace("{explain}", "explainability_config=shap_config") + MAIN
    workflow = ON_PUSH.replace("pipelines/run_pipeline.py", "scripts/explain.py")
    root = make_repo(
        tmp_path, {"scripts/explain.py": text, ".github/workflows/explain.yml": workflow}
    )
    assert evidence(run_check(root, CHECK)) == [
        ("scripts/explain.py", 7, "code", "automated", "explain")
    ]
    assert levels(audit(root))["data-2"] == "automated"


def test_trap_clarify_processor_run_explainability_without_shap(tmp_path: Path) -> None:
    text = PROCESSOR.replace("{explain}", "explainability_config=pdp_config") + MAIN
    root = make_repo(tmp_path, {"scripts/explain.py": text})
    assert evidence(run_check(root, CHECK)) == []
    assert levels(audit(root))["data-2"] == "none"


def test_trap_bias_check_step_is_not_importance(tmp_path: Path) -> None:
    pipeline = """
from sagemaker.clarify import BiasConfig
from sagemaker.workflow.clarify_check_step import ClarifyCheckStep, DataBiasCheckConfig
from sagemaker.workflow.pipeline import Pipeline


def get_pipeline(data_cfg, check_cfg):
    bias = BiasConfig(label_values_or_threshold=[1], facet_name=["age"])
    step = ClarifyCheckStep(
        name="Bias",
        clarify_check_config=DataBiasCheckConfig(data_config=data_cfg, data_bias_config=bias),
        check_job_config=check_cfg,
    )
    return Pipeline(name="demo", steps=[step])
"""
    root = make_repo(tmp_path, {"pipelines/demo/pipeline.py": pipeline})
    assert evidence(run_check(root, CHECK)) == []
    assert levels(audit(root))["data-2"] == "none"
