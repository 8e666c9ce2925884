"""Round 7 (held-out review T point 1), infra-3: a CI job that runs a launcher script which
reaches the training function (through a pipeline) runs the pipeline end to end; the same
function reached only by a scheduled job is the production retrain, not an integration test."""

from __future__ import annotations

from pathlib import Path

from tests.checks.infra.test_infra_accuracy import _ev, _hints
from tests.helpers import audit, levels, make_repo, run_check

CHECK = "pipeline-integration-test"
TRAINER = """\
from sklearn.linear_model import LogisticRegression


def train_model(X, y):
    return LogisticRegression().fit(X, y)
"""
PIPELINE = """\
from src.steps.model_trainer import train_model


def churn_pipeline():
    X, y = load_small_sample()
    return train_model(X, y)
"""
LAUNCHER = """\
import sys

from src.pipelines.churn_pipeline import churn_pipeline


def main(name):
    if name == "training":
        churn_pipeline()


if __name__ == "__main__":
    main(sys.argv[-1])
"""
PR_CI = """\
on:
  pull_request:
    paths: ["src/**"]
jobs:
  train:
    runs-on: ubuntu-latest
    steps:
      - run: python run.py --pipeline training
"""


def test_ci_launcher_reaching_the_training_function_is_an_integration_run(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "src/steps/model_trainer.py": TRAINER,
            "src/pipelines/churn_pipeline.py": PIPELINE,
            "run.py": LAUNCHER,
            ".github/workflows/train.yml": PR_CI,
        },
    )
    found = _ev(run_check(root, CHECK))
    assert [(e[1], e[3], e[4]) for e in found] == [
        (".github/workflows/train.yml:5", "automated", ".github/workflows/train.yml#train")
    ]
    assert found[0][0].startswith(
        ".github/workflows/train.yml#train executes the training function "
        "src/steps/model_trainer.py:train_model"
    )
    assert levels(audit(root))["infra-3"] == "automated"


def test_trap_scheduled_launcher_is_the_production_retrain(tmp_path: Path) -> None:
    nightly = PR_CI.replace(
        'pull_request:\n    paths: ["src/**"]', 'schedule:\n    - cron: "0 2 * * *"'
    )
    root = make_repo(
        tmp_path,
        {
            "src/steps/model_trainer.py": TRAINER,
            "src/pipelines/churn_pipeline.py": PIPELINE,
            "run.py": LAUNCHER,
            ".github/workflows/train.yml": nightly,
        },
    )
    out = run_check(root, CHECK)
    assert _ev(out) == []
    assert any(
        "a scheduled production run on full data, not an integration test" in h for h in _hints(out)
    )
    assert levels(audit(root))["infra-3"] == "none"
