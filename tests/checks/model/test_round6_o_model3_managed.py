"""model-3 accuracy (round 6, O / REVIEW-M D5): managed hyperparameter tuning services are
search evidence when the search runs — SageMaker `HyperparameterTuner` in a `TuningStep` that a
`Pipeline(steps=[...])` lists (or fitted directly), Vertex AI `HyperparameterTuningJob(...).run()`,
Azure ML `command(...).sweep(...)` submitted and `type: sweep` job YAML submitted by CI. A tuner
or sweep that is configured but never run earns nothing."""

from __future__ import annotations

from pathlib import Path

from tests.checks.model._util import produced, where
from tests.helpers import audit, levels, make_repo

CHECK = "hyperparameter-search"
RUNNER = """
import sys
from pipelines.demo.pipeline import get_pipeline


def main():
    pipeline = get_pipeline(*sys.argv[1:5])
    pipeline.upsert(role_arn=sys.argv[1])
    pipeline.start()


if __name__ == "__main__":
    main()
"""
HEAD = """
from sagemaker.estimator import Estimator
from sagemaker.tuner import ContinuousParameter as Continuous
from sagemaker.tuner import HyperparameterTuner, IntegerParameter
from sagemaker.workflow.pipeline import Pipeline
from sagemaker.workflow.steps import TuningStep


def get_pipeline(role, image_uri, train_uri):
    xgb = Estimator(image_uri=image_uri, instance_type="ml.m5.xlarge", role=role)
    tuner = HyperparameterTuner(
        estimator=xgb,
        objective_metric_name="validation:auc",
        hyperparameter_ranges={"max_depth": IntegerParameter(3, 10), "eta": Continuous(0.01, 0.2)},
        max_jobs=10,
    )
"""
IN_STEPS = (
    HEAD
    + """    step_tune = TuningStep(name="Tune", tuner=tuner, inputs={"train": train_uri})
    return Pipeline(name="demo", steps=[step_tune])
"""
)


def _sagemaker(tmp_path: Path, pipeline: str) -> Path:
    files = {"pipelines/demo/pipeline.py": pipeline, "pipelines/run_pipeline.py": RUNNER}
    return make_repo(tmp_path, files)


def test_sagemaker_tuning_step_in_pipeline_steps_is_credited(tmp_path: Path) -> None:
    root = _sagemaker(tmp_path, IN_STEPS)
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [
        ("pipelines/demo/pipeline.py", 10, "code", "automated", "get_pipeline")
    ]
    assert evidence[0].detail == (
        "SageMaker HyperparameterTuner `tuner` over max_depth, eta run as TuningStep (line 16) "
        "in the steps of the SageMaker Pipeline at line 17"
    )
    # the pipeline is started by a script a person runs: manual
    assert levels(audit(root))["model-3"] == "manual"


def test_sagemaker_step_args_in_a_grown_steps_list_is_credited(tmp_path: Path) -> None:
    pipeline = (
        HEAD.replace(
            "def get_pipeline",
            "from sagemaker.workflow.pipeline_context import PipelineSession\n\n\ndef get_pipeline",
        )
        + """    args = tuner.fit(inputs={"train": train_uri})
    steps = []
    steps.append(TuningStep(name="Tune", step_args=args))
    return Pipeline(name="demo", steps=steps, sagemaker_session=PipelineSession())
"""
    )
    root = _sagemaker(tmp_path, pipeline)
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [
        ("pipelines/demo/pipeline.py", 13, "code", "automated", "get_pipeline")
    ]
    assert "run as TuningStep (line 21)" in evidence[0].detail


def test_trap_tuner_never_added_to_steps_is_not_credited(tmp_path: Path) -> None:
    root = _sagemaker(tmp_path, HEAD + '    return Pipeline(name="demo", steps=[])\n')
    evidence, hints = produced(root, CHECK)
    assert evidence == []
    assert (
        "SageMaker HyperparameterTuner `tuner` over max_depth, eta configured at "
        "pipelines/demo/pipeline.py:10 but never run; not credited"
    ) in hints
    assert levels(audit(root))["model-3"] == "none"


def test_trap_tuning_step_built_but_not_in_steps(tmp_path: Path) -> None:
    pipeline = (
        HEAD
        + """    step_tune = TuningStep(name="Tune", step_args=tuner.fit(inputs={"t": train_uri}))
    return Pipeline(name="demo", steps=[])
"""
    )
    root = _sagemaker(tmp_path, pipeline)
    evidence, hints = produced(root, CHECK)
    assert evidence == []
    assert (
        "SageMaker TuningStep at pipelines/demo/pipeline.py:16 is not in any Pipeline's steps "
        "(configured, never run); not credited"
    ) in hints


def test_trap_tuner_without_ranges(tmp_path: Path) -> None:
    pipeline = IN_STEPS.replace(
        'hyperparameter_ranges={"max_depth": IntegerParameter(3, 10), "eta": '
        "Continuous(0.01, 0.2)}",
        "hyperparameter_ranges={}",
    )
    root = _sagemaker(tmp_path, pipeline)
    evidence, hints = produced(root, CHECK)
    assert evidence == []
    assert (
        "SageMaker HyperparameterTuner at pipelines/demo/pipeline.py:10 has no "
        "hyperparameter ranges"
    ) in hints


def test_sagemaker_tuner_fitted_by_a_ci_script_is_automated(tmp_path: Path) -> None:
    script = HEAD.replace("def get_pipeline(role, image_uri, train_uri):", "def main():").replace(
        "role=role", 'role="arn"'
    ).replace("image_uri=image_uri", 'image_uri="xgb"') + (
        '    tuner.fit({"train": "s3://bucket/train"})\n\n\nif __name__ == "__main__":\n'
        "    main()\n"
    )
    workflow = """
    on: [push]
    jobs:
      tune:
        runs-on: ubuntu-latest
        steps:
          - run: python tune.py
    """
    root = make_repo(tmp_path, {"tune.py": script, ".github/workflows/tune.yml": workflow})
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [("tune.py", 10, "code", "automated", "main")]
    assert evidence[0].detail.endswith("run with `.fit` (line 16)")
    assert levels(audit(root))["model-3"] == "automated"


VERTEX = """
from google.cloud import aiplatform
from google.cloud.aiplatform import hyperparameter_tuning as hpt


def main():
    custom = aiplatform.CustomJob.from_local_script(display_name="t", script_path="train.py")
    job = aiplatform.HyperparameterTuningJob(
        display_name="tune",
        custom_job=custom,
        metric_spec={"accuracy": "maximize"},
        parameter_spec={"lr": hpt.DoubleParameterSpec(min=1e-4, max=1e-1, scale="log")},
        max_trial_count=20,
        parallel_trial_count=4,
    )
{run}

if __name__ == "__main__":
    main()
"""


def test_vertex_tuning_job_run_is_credited(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"tune.py": VERTEX.replace("{run}", "    job.run()\n")})
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [("tune.py", 7, "code", "automated", "main")]
    assert evidence[0].detail == "Vertex AI HyperparameterTuningJob over lr run with `.run()`"
    assert levels(audit(root))["model-3"] == "manual"


def test_trap_vertex_tuning_job_never_run(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"tune.py": VERTEX.replace("{run}", "    print(job)\n")})
    evidence, hints = produced(root, CHECK)
    assert evidence == []
    assert "Vertex AI HyperparameterTuningJob over lr at tune.py:7 is never run; not credited" in (
        hints
    )


AZURE_SWEEP = """
from azure.ai.ml import MLClient, command
from azure.ai.ml.sweep import Choice, Uniform
from azure.identity import DefaultAzureCredential


def main():
    ml_client = MLClient.from_config(DefaultAzureCredential())
    job = command(
        code="./src",
        command="python train.py --lr ${{inputs.lr}} --depth ${{inputs.depth}}",
        inputs={"lr": 0.01, "depth": 3},
        environment="azureml:sklearn@latest",
    )
    job_for_sweep = job(lr=Uniform(min_value=0.001, max_value=0.1), depth=Choice([3, 5, 7]))
    sweep_job = job_for_sweep.sweep(
        compute="cpu-cluster",
        sampling_algorithm="random",
        primary_metric="val_auc",
        goal="Maximize",
    )
{submit}

if __name__ == "__main__":
    main()
"""


def test_azure_sweep_submitted_is_credited(tmp_path: Path) -> None:
    submit = "    ml_client.jobs.create_or_update(sweep_job)\n"
    root = make_repo(tmp_path, {"sweep.py": AZURE_SWEEP.replace("{submit}", submit)})
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [("sweep.py", 15, "code", "automated", "main")]
    assert evidence[0].detail == (
        "Azure ML sweep job submitted (`ml_client.jobs.create_or_update` at line 21)"
    )


def test_trap_azure_sweep_never_submitted(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"sweep.py": AZURE_SWEEP.replace("{submit}", "    print(1)\n")})
    evidence, hints = produced(root, CHECK)
    assert evidence == []
    assert "Azure ML sweep job at sweep.py:15 is configured but never submitted" in hints


SWEEP_YAML = """
$schema: https://azuremlschemas.azureedge.net/latest/sweepJob.schema.json
type: sweep
trial:
  code: ../src
  command: python train.py --lr ${{search_space.lr}}
  environment: azureml:sklearn@latest
compute: azureml:cpu-cluster
sampling_algorithm: random
search_space:
  lr:
    type: uniform
    min_value: 0.001
    max_value: 0.1
objective:
  goal: maximize
  primary_metric: val_auc
limits:
  max_total_trials: 20
"""


def test_azure_sweep_yaml_submitted_on_push_is_automated(tmp_path: Path) -> None:
    workflow = """
    on: [push]
    jobs:
      sweep:
        runs-on: ubuntu-latest
        steps:
          - run: az ml job create --file jobs/sweep.yml --stream
    """
    files = {"jobs/sweep.yml": SWEEP_YAML, ".github/workflows/sweep.yml": workflow}
    root = make_repo(tmp_path, files)
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [
        ("jobs/sweep.yml", 1, "config", "automated", ".github/workflows/sweep.yml#sweep")
    ]
    assert evidence[0].detail.startswith("Azure ML sweep job over lr submitted by ")
    assert levels(audit(root))["model-3"] == "automated"


def test_azure_sweep_yaml_submitted_from_a_script_is_manual(tmp_path: Path) -> None:
    files = {"jobs/sweep.yml": SWEEP_YAML, "run.sh": "az ml job create -f jobs/sweep.yml\n"}
    root = make_repo(tmp_path, files)
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [("jobs/sweep.yml", 1, "config", "manual", None)]
    assert evidence[0].detail == "Azure ML sweep job over lr submitted from run.sh:1"


def test_trap_azure_sweep_yaml_never_submitted(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"jobs/sweep.yml": SWEEP_YAML})
    evidence, hints = produced(root, CHECK)
    assert evidence == []
    assert (
        "Azure ML sweep job over lr at jobs/sweep.yml is never submitted (no `az ml job "
        "create`); not credited"
    ) in hints
    assert levels(audit(root))["model-3"] == "none"


HYPERDRIVE = """
from azureml.core import ScriptRunConfig
from azureml.pipeline.core import Pipeline
from azureml.pipeline.steps import HyperDriveStep
from azureml.train.hyperdrive import HyperDriveConfig, RandomParameterSampling, uniform


def build(ws, src):
    sampling = RandomParameterSampling({"--lr": uniform(0.001, 0.1)})
    hd_config = HyperDriveConfig(
        run_config=src,
        hyperparameter_sampling=sampling,
        primary_metric_name="auc",
        primary_metric_goal="MAXIMIZE",
        max_total_runs=20,
    )
    hd_step = HyperDriveStep(name="tune", hyperdrive_config=hd_config)
    return Pipeline(workspace=ws, steps={steps})


if __name__ == "__main__":
    build(None, ScriptRunConfig(source_directory="src", script="train.py"))
"""


def test_azure_hyperdrive_step_in_pipeline_is_credited(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"hd.py": HYPERDRIVE.replace("{steps}", "[hd_step]")})
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [("hd.py", 9, "code", "automated", "build")]
    assert evidence[0].detail == "Azure ML HyperDrive run submitted (as HyperDriveStep at line 16)"


def test_trap_azure_hyperdrive_step_not_in_pipeline(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"hd.py": HYPERDRIVE.replace("{steps}", "[]")})
    evidence, hints = produced(root, CHECK)
    assert evidence == []
    assert "Azure ML HyperDrive run at hd.py:9 is configured but never submitted" in hints


BUILDERS = """
from sagemaker.tuner import HyperparameterTuner, IntegerParameter
from sagemaker.workflow.steps import TuningStep


def create_tuner(estimator):
    tuner = HyperparameterTuner(estimator, "val_accuracy", {"epochs": IntegerParameter(10, 50)})
    return tuner


def create_tuner_step(tuner, train_uri):
    return TuningStep(name="tune-model", step_args=tuner.fit(inputs={"train": train_uri}))
"""
PIPELINE_FILE = """
from sagemaker.workflow.pipeline import Pipeline

from aws_pipelines.steps import create_tuner, create_tuner_step


def create_pipeline(estimator, train_uri, training_step, use_tuning_step=True):
    tuner = create_tuner(estimator)
    tune_step = create_tuner_step(tuner, train_uri)
    return Pipeline(name="demo", steps={steps})


if __name__ == "__main__":
    create_pipeline(None, "s3://b/train", None).upsert(role_arn="arn")
"""


def test_tuner_handed_to_a_step_builder_of_another_file_is_credited(tmp_path: Path) -> None:
    steps = "[tune_step if use_tuning_step else training_step]"
    files = {
        "aws_pipelines/__init__.py": "",
        "aws_pipelines/steps.py": BUILDERS,
        "aws_pipelines/pipeline.py": PIPELINE_FILE.replace("{steps}", steps),
    }
    root = make_repo(tmp_path, files)
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [("aws_pipelines/steps.py", 6, "code", "automated", "create_tuner")]
    assert evidence[0].detail == (
        "SageMaker HyperparameterTuner `tuner` over epochs returned by `create_tuner` and run as "
        "TuningStep (aws_pipelines/steps.py:11) in the steps of the SageMaker Pipeline in "
        "aws_pipelines/pipeline.py (built by `create_tuner_step`)"
    )
    assert levels(audit(root))["model-3"] == "manual"


def test_trap_step_builder_never_listed_in_the_pipeline(tmp_path: Path) -> None:
    files = {
        "aws_pipelines/__init__.py": "",
        "aws_pipelines/steps.py": BUILDERS,
        "aws_pipelines/pipeline.py": PIPELINE_FILE.replace("{steps}", "[training_step]"),
    }
    root = make_repo(tmp_path, files)
    evidence, hints = produced(root, CHECK)
    assert evidence == []
    assert (
        "SageMaker HyperparameterTuner `tuner` over epochs configured at "
        "aws_pipelines/steps.py:6 but never run; not credited"
    ) in hints
    assert levels(audit(root))["model-3"] == "none"


def test_tuning_step_builder_in_one_function_is_credited(tmp_path: Path) -> None:
    builder = """
    from sagemaker.tuner import HyperparameterTuner, IntegerParameter
    from sagemaker.workflow.steps import TuningStep


    def create_tuning_step(estimator, train_uri):
        tuner = HyperparameterTuner(
            estimator,
            objective_metric_name="val_mae",
            hyperparameter_ranges={"epochs": IntegerParameter(10, 50)},
        )
        return TuningStep(name="tune", step_args=tuner.fit(inputs={"train": train_uri}))
    """
    pipeline = """
    from sagemaker.workflow.pipeline import Pipeline

    from aws_pipelines.tuning import create_tuning_step


    def create_pipeline(estimator, train_uri):
        steps = []
        steps.append(create_tuning_step(estimator, train_uri))
        return Pipeline(name="demo", steps=steps)


    if __name__ == "__main__":
        create_pipeline(None, "s3://b/train").upsert(role_arn="arn")
    """
    files = {
        "aws_pipelines/__init__.py": "",
        "aws_pipelines/tuning.py": builder,
        "aws_pipelines/pipeline.py": pipeline,
    }
    root = make_repo(tmp_path, files)
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [
        ("aws_pipelines/tuning.py", 6, "code", "automated", "create_tuning_step")
    ]
    assert evidence[0].detail.endswith(
        "run as TuningStep (line 11) in the steps of the SageMaker Pipeline in "
        "aws_pipelines/pipeline.py (built by `create_tuning_step`)"
    )


def test_positional_ranges_and_an_unlisted_warm_start_step(tmp_path: Path) -> None:
    """aws-samples HPO-step layout: ranges bound to a name and passed positionally; the first
    TuningStep is listed, the warm-start one is built but left out of `steps=[...]`."""
    pipeline = """
    from sagemaker.tuner import ContinuousParameter, HyperparameterTuner
    from sagemaker.workflow.pipeline import Pipeline
    from sagemaker.workflow.steps import TuningStep


    def get_pipeline(xgb_train, inputs, warm_start_config):
        objective_metric_name = "validation:rmse"
        hyperparameter_ranges = {
            "alpha": ContinuousParameter(0.01, 10, scaling_type="Logarithmic"),
            "lambda": ContinuousParameter(0.01, 10, scaling_type="Logarithmic"),
        }
        tuner_log = HyperparameterTuner(xgb_train, objective_metric_name, hyperparameter_ranges)
        step_tuning = TuningStep(name="HPTuning", tuner=tuner_log, inputs=inputs)
        tuner_warm = HyperparameterTuner(
            xgb_train,
            objective_metric_name,
            hyperparameter_ranges,
            warm_start_config=warm_start_config,
        )
        step_warm = TuningStep(name="HPTuningWarmStart", tuner=tuner_warm, inputs=inputs)
        return Pipeline(name="hpo", steps=[step_tuning])
    """
    root = _sagemaker(tmp_path, pipeline)
    evidence, hints = produced(root, CHECK)
    assert where(evidence) == [
        ("pipelines/demo/pipeline.py", 12, "code", "automated", "get_pipeline")
    ]
    assert evidence[0].detail == (
        "SageMaker HyperparameterTuner `tuner_log` over alpha, lambda run as TuningStep "
        "(line 13) in the steps of the SageMaker Pipeline at line 21"
    )
    assert (
        "SageMaker TuningStep at pipelines/demo/pipeline.py:20 is not in any Pipeline's steps "
        "(configured, never run); not credited"
    ) in hints


def test_vertex_tuning_op_in_a_pipeline_is_manual(tmp_path: Path) -> None:
    pipeline = """
    from google_cloud_pipeline_components.v1.hyperparameter_tuning_job import (
        HyperparameterTuningJobRunOp,
    )
    from kfp import dsl


    @dsl.pipeline(name="tune")
    def tune_pipeline(project: str, worker_pool_specs: list, study_spec_parameters: list):
        HyperparameterTuningJobRunOp(
            display_name="tune",
            project=project,
            worker_pool_specs=worker_pool_specs,
            study_spec_parameters=study_spec_parameters,
            max_trial_count=20,
            parallel_trial_count=4,
        )
    """
    root = make_repo(tmp_path, {"pipeline.py": pipeline})
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [("pipeline.py", 9, "code", "manual", "tune_pipeline")]
    assert evidence[0].detail == (
        "Vertex AI HyperparameterTuningJobRunOp in the `tune_pipeline` pipeline (runs when a "
        "person submits the pipeline)"
    )
