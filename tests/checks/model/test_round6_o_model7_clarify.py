"""model-7 accuracy (round 6, O / REVIEW-M D6): SageMaker Clarify bias checks are fairness
evidence — a `ClarifyCheckStep` with a `DataBiasCheckConfig`/`ModelBiasCheckConfig` over a
`BiasConfig(facet_name=...)` that a `Pipeline(steps=[...])` lists, or a
`SageMakerClarifyProcessor.run_*bias` report. It enforces a threshold (automated-capable) only
when the check is not skipped on the run path and has baseline constraints: a runner that sets
`SkipDataBiasCheck=True` leaves it manual even under CI. A step no pipeline lists earns nothing."""

from __future__ import annotations

from pathlib import Path

from tests.checks.model._util import produced, where
from tests.helpers import audit, levels, make_repo

CHECK = "inclusion-testing"
PIPELINE = """
from sagemaker.clarify import BiasConfig, DataConfig
from sagemaker.workflow.check_job_config import CheckJobConfig
from sagemaker.workflow.clarify_check_step import ClarifyCheckStep, DataBiasCheckConfig
from sagemaker.workflow.parameters import ParameterBoolean
from sagemaker.workflow.pipeline import Pipeline


def get_pipeline(role, train_uri, out_uri, constraints_uri):
    skip_bias = ParameterBoolean(name="SkipDataBiasCheck", default_value=False)
    check_cfg = CheckJobConfig(role=role, instance_count=1, instance_type="ml.c5.xlarge")
    data_cfg = DataConfig(s3_data_input_path=train_uri, s3_output_path=out_uri, label=0)
    bias = BiasConfig(label_values_or_threshold=[1], facet_name=["customer_age"])
    bias_step = ClarifyCheckStep(
        name="DataBiasCheck",
        clarify_check_config=DataBiasCheckConfig(data_config=data_cfg, data_bias_config=bias),
        check_job_config=check_cfg,
        skip_check=skip_bias,
        supplied_baseline_constraints=constraints_uri,
    )
    return Pipeline(name="demo", parameters=[skip_bias], steps={steps})
"""
RUNNER = """
import sys
from pipelines.demo.pipeline import get_pipeline


def main():
    pipeline = get_pipeline(*sys.argv[1:5])
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


def _repo(
    tmp_path: Path, steps: str = "[bias_step]", parameters: str = "", ci: bool = True
) -> Path:
    files = {
        "pipelines/demo/pipeline.py": PIPELINE.replace("{steps}", steps),
        "pipelines/run_pipeline.py": RUNNER.replace("{parameters}", parameters),
    }
    if ci:
        files[".github/workflows/pipeline.yml"] = ON_PUSH
    return make_repo(tmp_path, files)


def test_bias_check_with_baseline_run_on_push_is_automated(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [
        ("pipelines/demo/pipeline.py", 13, "code", "automated", "get_pipeline")
    ]
    assert evidence[0].detail == (
        "SageMaker Clarify pre-training bias check over facet customer_age in the steps of the "
        "SageMaker Pipeline at line 20; checked against baseline constraints "
        "(`SkipDataBiasCheck` defaults to False)"
    )
    assert levels(audit(root))["model-7"] == "automated"


def test_trap_runner_skipping_the_check_is_manual_even_on_push(tmp_path: Path) -> None:
    root = _repo(tmp_path, parameters="parameters=dict(SkipDataBiasCheck=True)")
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [("pipelines/demo/pipeline.py", 13, "code", "manual", "get_pipeline")]
    assert evidence[0].detail.endswith(
        "; the comparison is skipped (`SkipDataBiasCheck` is set to True at "
        "pipelines/run_pipeline.py:8): metrics recorded, no threshold"
    )
    assert levels(audit(root))["model-7"] == "manual"


def test_bias_check_without_baseline_is_manual(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    text = (root / "pipelines/demo/pipeline.py").read_text()
    text = text.replace("        supplied_baseline_constraints=constraints_uri,\n", "")
    (root / "pipelines/demo/pipeline.py").write_text(text)
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [("pipelines/demo/pipeline.py", 13, "code", "manual", "get_pipeline")]
    assert "no baseline constraints to compare with" in evidence[0].detail


def test_trap_bias_step_not_in_pipeline_steps(tmp_path: Path) -> None:
    root = _repo(tmp_path, steps="[]")
    evidence, hints = produced(root, CHECK)
    assert evidence == []
    assert (
        "SageMaker Clarify pre-training bias check over facet customer_age at "
        "pipelines/demo/pipeline.py:13 is not in any Pipeline's steps (never run); not credited"
    ) in hints
    assert levels(audit(root))["model-7"] == "none"


def test_trap_bias_config_without_facet(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    text = (root / "pipelines/demo/pipeline.py").read_text()
    (root / "pipelines/demo/pipeline.py").write_text(text.replace('["customer_age"]', "[]"))
    evidence, hints = produced(root, CHECK)
    assert evidence == []
    assert (
        "Clarify bias check at pipelines/demo/pipeline.py:13 names no facet; not credited"
    ) in hints


def test_trap_explainability_check_is_not_fairness(tmp_path: Path) -> None:
    pipeline = """
    from sagemaker.clarify import DataConfig, SHAPConfig
    from sagemaker.workflow.clarify_check_step import (
        ClarifyCheckStep,
        ModelExplainabilityCheckConfig,
    )
    from sagemaker.workflow.pipeline import Pipeline


    def get_pipeline(data_cfg, model_cfg, check_cfg):
        shap_step = ClarifyCheckStep(
            name="Explain",
            clarify_check_config=ModelExplainabilityCheckConfig(
                data_config=data_cfg, model_config=model_cfg, explainability_config=SHAPConfig()
            ),
            check_job_config=check_cfg,
        )
        return Pipeline(name="demo", steps=[shap_step])
    """
    files = {"pipelines/demo/pipeline.py": pipeline, "pipelines/run_pipeline.py": RUNNER}
    root = make_repo(tmp_path, files)
    evidence, _ = produced(root, CHECK)
    assert evidence == []


def test_clarify_processor_bias_report_is_manual(tmp_path: Path) -> None:
    script = """
    from sagemaker import clarify


    def main():
        processor = clarify.SageMakerClarifyProcessor(
            role="arn", instance_count=1, instance_type="ml.c5.xlarge"
        )
        bias = clarify.BiasConfig(label_values_or_threshold=[1], facet_name="gender")
        processor.run_post_training_bias(
            data_config=None, data_bias_config=bias, model_config=None,
            model_predicted_label_config=None,
        )
        processor.run_bias(data_config=None, bias_config=bias, model_config=None)


    if __name__ == "__main__":
        main()
    """
    root = make_repo(tmp_path, {"bias.py": script, ".github/workflows/ci.yml": ON_PUSH})
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [
        ("bias.py", 9, "code", "manual", "main"),
        ("bias.py", 13, "code", "manual", "main"),
    ]
    assert evidence[1].detail == (
        "SageMaker Clarify pre- and post-training bias report over facet gender "
        "(`processor.run_bias`); no thresholds"
    )


def test_trap_buildspec_kwargs_skipping_the_check_is_manual(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    buildspec = (
        "version: 0.2\nphases:\n  build:\n    commands:\n"
        '      - run-pipeline --kwargs "{\\"SkipDataBiasCheck\\": true}"\n'
    )
    (root / "codebuild-buildspec.yml").write_text(buildspec)
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [("pipelines/demo/pipeline.py", 13, "code", "manual", "get_pipeline")]
    assert "`SkipDataBiasCheck` is set to True at codebuild-buildspec.yml:5" in evidence[0].detail
