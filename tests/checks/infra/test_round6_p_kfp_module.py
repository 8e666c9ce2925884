"""infra-4 (REVIEW-M D4 a): Google Cloud Pipeline Components ops under `dsl.Condition` are
promotion steps; a script that only compiles the pipeline runs nothing (infra-3). infra-3
(REVIEW-L D5): a live test importing a module whose module-level code trains is a smoke run."""

from __future__ import annotations

from pathlib import Path

import pytest
from ml_readiness.checks.infra._gates import promotion_step

from tests.checks.infra.test_infra_accuracy import _ev, _hints
from tests.helpers import audit, levels, make_repo, run_check

PIPELINE = """\
from google_cloud_pipeline_components.v1.endpoint import EndpointCreateOp, ModelDeployOp
from google_cloud_pipeline_components.v1.model import ModelUploadOp
from kfp import compiler, dsl


@dsl.component(base_image="python:3.11")
def evaluate(metrics_path: str, min_accuracy: float) -> float:
    import json
    acc = json.load(open(metrics_path))["accuracy"]
    return float(acc > min_accuracy)


@dsl.component(base_image="python:3.11")
def train(metrics: dsl.OutputPath(str)):
    import json
    json.dump({"accuracy": 0.95}, open(metrics, "w"))


@dsl.pipeline(name="demo")
def demo_pipeline(project: str, min_accuracy: float = 0.9):
    trained = train()
    decision = evaluate(metrics_path=trained.outputs["metrics"], min_accuracy=min_accuracy)
    with dsl.Condition(decision.output == 1.0):
        BODY


if __name__ == "__main__":
    compiler.Compiler().compile(pipeline_func=demo_pipeline, package_path="pipeline.json")
"""
SHIP = 'ModelUploadOp(project=project, display_name="m")'
NO_SHIP = 'EndpointCreateOp(project=project, display_name="e")'
CI = """\
name: pipeline
on: [push]
jobs:
  run:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: python pipeline/pipeline.py
"""


@pytest.mark.parametrize(
    ("name", "ships"),
    [
        ("ModelUploadOp", True),
        ("ModelDeployOp", True),
        ("EndpointDeployModelOp", True),
        ("deploy_model", True),
        ("upload_to_registry", True),
        ("EndpointCreateOp", False),
        ("ModelBatchPredictOp", False),
        ("download_data", False),
        ("uploader", False),
    ],
)
def test_promotion_step_names(name: str, ships: bool) -> None:
    assert promotion_step(name) is ships


def _kfp(tmp_path: Path, body: str) -> Path:
    files = {"pipeline/pipeline.py": PIPELINE.replace("BODY", body), ".github/workflows/ci.yml": CI}
    return make_repo(tmp_path, files)


def test_gcpc_upload_under_condition_is_a_gate_manual_when_only_compiled(tmp_path: Path) -> None:
    root = _kfp(tmp_path, SHIP)
    ev = _ev(run_check(root, "metric-gate-in-code"))
    assert [(e[0], e[1], e[4]) for e in ev] == [
        (
            "pipeline runs `ModelUploadOp` only when `evaluate` passes: acc > min_accuracy "
            "(pipeline/pipeline.py:10)",
            "pipeline/pipeline.py:23",
            "demo_pipeline",
        )
    ]
    result = levels(audit(root))
    assert result["infra-4"] == "manual"  # CI only compiles the pipeline
    assert result["infra-3"] == "none"


def test_compile_only_script_is_not_an_end_to_end_run(tmp_path: Path) -> None:
    found = run_check(_kfp(tmp_path, SHIP), "pipeline-integration-test")
    assert _ev(found) == []
    assert any("only compiles a KFP pipeline" in h for h in _hints(found))


def test_trap_condition_that_only_creates_an_endpoint_is_not_a_gate(tmp_path: Path) -> None:
    root = _kfp(tmp_path, NO_SHIP)
    assert _ev(run_check(root, "metric-gate-in-code")) == []
    assert levels(audit(root))["infra-4"] == "none"


MODULE_TRAIN = """\
import os
import pandas as pd
from sklearn.linear_model import Ridge
from sklearn.metrics import mean_squared_error

path = "data/ratings.csv"
df = pd.read_csv(path) if os.path.exists(path) else pd.DataFrame({"u": [1, 2], "r": [4.0, 3.0]})
model = Ridge().fit(df[["u"]], df["r"])
rmse = mean_squared_error(df["r"], model.predict(df[["u"]])) ** 0.5
"""
DEFS_ONLY = """\
import pandas as pd
from sklearn.linear_model import Ridge


def main():
    df = pd.read_csv("data/ratings.csv")
    return Ridge().fit(df[["u"]], df["r"])


if __name__ == "__main__":
    main()
"""
IMPORT_TEST = """\
from pipeline import train


def test_train_imports():
    assert hasattr(train, "model")
"""
PYTEST_CI = CI.replace("python pipeline/pipeline.py", "pytest")


def _script(tmp_path: Path, train: str, test: str = IMPORT_TEST) -> Path:
    files = {
        "pipeline/__init__.py": "",
        "pipeline/train.py": train,
        "tests/test_train.py": test,
        ".github/workflows/ci.yml": PYTEST_CI,
    }
    return make_repo(tmp_path, files)


def test_importing_a_module_that_trains_at_module_level_is_a_smoke_run(tmp_path: Path) -> None:
    root = _script(tmp_path, MODULE_TRAIN)
    ev = _ev(run_check(root, "pipeline-integration-test"))
    assert [(e[0], e[1], e[2], e[4]) for e in ev] == [
        (
            "smoke test: tests/test_train.py imports pipeline/train.py, whose module-level code "
            "trains (`.fit()` at :8) and evaluates (`mean_squared_error()` at :9); the module "
            "builds an in-memory frame at :7 (small data)",
            "tests/test_train.py:1",
            "test",
            "test_train_imports",
        )
    ]
    assert levels(audit(root))["infra-3"] == "automated"


def test_trap_importing_a_module_that_only_defines_functions(tmp_path: Path) -> None:
    root = _script(tmp_path, DEFS_ONLY)
    assert _ev(run_check(root, "pipeline-integration-test")) == []
    assert levels(audit(root))["infra-3"] == "none"


def test_trap_import_in_a_file_whose_tests_are_all_skipped(tmp_path: Path) -> None:
    skipped = "import pytest\n" + IMPORT_TEST.replace("def test", "@pytest.mark.skip\ndef test")
    root = _script(tmp_path, MODULE_TRAIN, skipped)
    assert _ev(run_check(root, "pipeline-integration-test")) == []
    assert levels(audit(root))["infra-3"] == "none"


SUBMIT = """\
from google.cloud import aiplatform

if __name__ == "__main__":
    aiplatform.init(project="p", location="europe-west4")
    aiplatform.PipelineJob(display_name="demo", template_path="TEMPLATE").ACTION()
"""


def _submitted(tmp_path: Path, template: str, action: str) -> Path:
    ci = CI + "      - run: python pipeline/submit.py\n"
    submit = SUBMIT.replace("TEMPLATE", template).replace("ACTION", action)
    files = {
        "pipeline/pipeline.py": PIPELINE.replace("BODY", SHIP),
        "pipeline/submit.py": submit,
        ".github/workflows/ci.yml": ci,
    }
    return make_repo(tmp_path, files)


def test_ci_submitting_the_compiled_pipeline_without_waiting_is_manual(tmp_path: Path) -> None:
    root = _submitted(tmp_path, "pipeline.json", "submit")
    ev = _ev(run_check(root, "pipeline-integration-test"))
    assert [(e[0], e[1], e[3]) for e in ev] == [
        (
            ".github/workflows/ci.yml#run submits the KFP pipeline compiled by "
            "pipeline/pipeline.py (pipeline/submit.py:5, `pipeline.json`) (change), but does "
            "not wait for the run or check that it succeeded",
            ".github/workflows/ci.yml:4",
            "manual",
        )
    ]
    assert levels(audit(root))["infra-3"] == "manual"


def test_ci_running_the_compiled_pipeline_synchronously_is_automated(tmp_path: Path) -> None:
    root = _submitted(tmp_path, "pipeline.json", "run")
    assert levels(audit(root))["infra-3"] == "automated"


def test_trap_submitting_a_template_no_training_file_compiles(tmp_path: Path) -> None:
    root = _submitted(tmp_path, "other.json", "run")
    assert _ev(run_check(root, "pipeline-integration-test")) == []
    assert levels(audit(root))["infra-3"] == "none"


def _cli(tmp_path: Path, command: str) -> Path:
    ci = CI + f"      - run: {command}\n"
    files = {"pipeline/pipeline.py": PIPELINE.replace("BODY", SHIP), ".github/workflows/ci.yml": ci}
    return make_repo(tmp_path, files)


def test_ci_submitting_the_package_with_gcloud_is_manual(tmp_path: Path) -> None:
    root = _cli(tmp_path, "gcloud ai pipelines run demo --region=eu --file=pipeline.json")
    ev = _ev(run_check(root, "pipeline-integration-test"))
    assert [(e[1], e[3]) for e in ev] == [(".github/workflows/ci.yml:4", "manual")]
    assert levels(audit(root))["infra-3"] == "manual"


def test_ci_submitting_the_package_with_kfp_watch_is_automated(tmp_path: Path) -> None:
    root = _cli(tmp_path, "kfp run create -e demo -f pipeline.json --watch")
    assert levels(audit(root))["infra-3"] == "automated"


def test_trap_cli_submitting_a_package_nothing_compiles(tmp_path: Path) -> None:
    root = _cli(tmp_path, "gcloud ai pipelines run demo --file=batch_scoring.json")
    assert _ev(run_check(root, "pipeline-integration-test")) == []
    assert levels(audit(root))["infra-3"] == "none"


def test_trap_module_level_training_on_data_missing_from_the_repo(tmp_path: Path) -> None:
    train = """\
    import pandas as pd
    from sklearn.linear_model import Ridge

    df = pd.read_csv("data/ratings.csv")
    model = Ridge().fit(df[["u"]], df["r"])
    """
    root = _script(tmp_path, train)
    found = run_check(root, "pipeline-integration-test")
    assert _ev(found) == []
    assert any("`data/ratings.csv` (:4)" in h for h in _hints(found))
    assert levels(audit(root))["infra-3"] == "none"


def test_module_level_training_on_committed_sample_data(tmp_path: Path) -> None:
    train = """\
    import pandas as pd
    from sklearn.linear_model import Ridge

    df = pd.read_csv("tests/data/sample.csv")
    model = Ridge().fit(df[["u"]], df["r"])
    """
    root = _script(tmp_path, train)
    make_repo(root, {"tests/data/sample.csv": "u,r\n1,4.0\n2,3.0\n"})
    assert levels(audit(root))["infra-3"] == "automated"
