"""model-1 accuracy (round 7, X / REVIEW-T point 2): a pull-request workflow whose path filter
covers the model config and that runs the training entry point with that config checks every
spec change in CI (automated). A workflow that only comments on the pull request asking for
review is a manual route; a filter that leaves the config out, a push-only trigger, or a
training step whose failure is swallowed earns no automated credit."""

from __future__ import annotations

from pathlib import Path

from tests.checks.model._util import produced, where
from tests.helpers import audit, levels, make_repo

CHECK = "model-specs-reviewed"
CONFIG = """
parameters:
  n_estimators: 50
  max_depth: 5
"""
RUN = """
from pathlib import Path

import click

CONFIG_DIR = Path("configs")


@click.command()
@click.option("--pipeline", type=click.Choice(["training", "inference"]), default="training")
@click.option("--environment", type=click.Choice(["local", "staging"]), default="local")
def main(pipeline, environment):
    if pipeline == "training":
        from src.training import training_pipeline

        config_path = CONFIG_DIR / f"{environment}.yaml"
        training_pipeline.with_options(config_path=str(config_path))()


if __name__ == "__main__":
    main()
"""
TRAINING = """
def training_pipeline():
    return None
"""


def _workflow(on: str, run: str, extra: str = "") -> str:
    return f"""
name: train
on:
{on}
jobs:
  train:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Train
{extra}        run: {run}
"""


PR_CONFIGS = "  pull_request:\n    paths:\n      - 'src/**'\n      - 'configs/**'\n"


def _repo(tmp_path: Path, workflow: str) -> Path:
    files = {
        "configs/staging.yaml": CONFIG,
        "run.py": RUN,
        "src/__init__.py": "",
        "src/training.py": TRAINING,
        ".github/workflows/train.yml": workflow,
    }
    return make_repo(tmp_path, files)


def test_pr_training_with_the_config_is_automated(tmp_path: Path) -> None:
    run = "python run.py --pipeline training --environment staging"
    root = _repo(tmp_path, _workflow(PR_CONFIGS, run))
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [
        ("configs/staging.yaml", 1, "config", "manual", None),
        (
            ".github/workflows/train.yml",
            14,
            "config",
            "automated",
            ".github/workflows/train.yml#train",
        ),
    ]
    assert evidence[1].detail == (
        "pull-request CI job .github/workflows/train.yml#train trains with model config "
        "configs/staging.yaml on every change to it (`python run.py --pipeline training "
        "--environment staging`)"
    )
    assert levels(audit(root))["model-1"] == "automated"


def test_config_passed_on_the_command_line_is_automated(tmp_path: Path) -> None:
    files = {
        "configs/model.yaml": CONFIG,
        "train.py": "import sys\n\nif __name__ == '__main__':\n    print(sys.argv)\n",
        ".github/workflows/train.yml": _workflow(
            "  pull_request:\n", "python train.py --config configs/model.yaml"
        ),
    }
    root = make_repo(tmp_path, files)
    assert levels(audit(root))["model-1"] == "automated"


def test_path_filter_without_the_config_is_not_credited(tmp_path: Path) -> None:
    on = "  pull_request:\n    paths:\n      - 'src/**'\n"
    run = "python run.py --pipeline training --environment staging"
    root = _repo(tmp_path, _workflow(on, run))
    evidence, _ = produced(root, CHECK)
    assert evidence == []
    assert levels(audit(root))["model-1"] == "none"


def test_push_only_training_is_not_a_spec_check(tmp_path: Path) -> None:
    run = "python run.py --pipeline training --environment staging"
    root = _repo(tmp_path, _workflow("  push:\n    branches: [main]\n", run))
    evidence, _ = produced(root, CHECK)
    assert evidence == []


def test_swallowed_training_step_is_not_credited(tmp_path: Path) -> None:
    run = "python run.py --pipeline training --environment staging"
    root = _repo(tmp_path, _workflow(PR_CONFIGS, run, "        continue-on-error: true\n"))
    assert produced(root, CHECK)[0] == []
    root2 = _repo(tmp_path / "b", _workflow(PR_CONFIGS, run + " || true"))
    assert produced(root2, CHECK)[0] == []


def test_inference_run_with_the_config_is_not_training(tmp_path: Path) -> None:
    files = {
        "configs/model.yaml": CONFIG,
        "predict.py": "import sys\n\nif __name__ == '__main__':\n    print(sys.argv)\n",
        ".github/workflows/predict.yml": _workflow(
            "  pull_request:\n", "python predict.py --config configs/model.yaml"
        ),
    }
    root = make_repo(tmp_path, files)
    assert produced(root, CHECK)[0] == []


def test_pr_comment_asking_for_review_is_a_manual_route(tmp_path: Path) -> None:
    workflow = """
    name: review
    on:
      pull_request:
    jobs:
      comment:
        runs-on: ubuntu-latest
        steps:
          - name: Comment on PR
            uses: actions/github-script@v7
            with:
              script: |
                github.rest.issues.createComment({
                  issue_number: context.issue.number,
                  body: `Review the model metrics in the dashboard before merging`
                })
    """
    files = {"configs/staging.yaml": CONFIG, ".github/workflows/review.yml": workflow}
    root = make_repo(tmp_path, files)
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [
        ("configs/staging.yaml", 1, "config", "manual", None),
        (".github/workflows/review.yml", 8, "config", "manual", None),
    ]
    assert evidence[1].detail == (
        "CI comments model results on each pull request for review: `actions/github-script` "
        "createComment posts Review the model metrics in the dashboard before merging"
    )
    assert levels(audit(root))["model-1"] == "manual"


def test_script_that_only_splits_data_is_not_training(tmp_path: Path) -> None:
    script = """
    import sys

    import yaml
    from sklearn.model_selection import train_test_split

    if __name__ == "__main__":
        cfg = yaml.safe_load(open(sys.argv[1]))
        print(train_test_split([1, 2, 3, 4], test_size=cfg["parameters"]["max_depth"] / 10))
    """
    files = {
        "configs/model.yaml": CONFIG,
        "scripts/split.py": script,
        ".github/workflows/split.yml": _workflow(
            "  pull_request:\n", "python scripts/split.py configs/model.yaml --train-data x.csv"
        ),
    }
    root = make_repo(tmp_path, files)
    assert produced(root, CHECK)[0] == []
