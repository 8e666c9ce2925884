"""A script run with command-line options runs only the branches those options select:
`python run.py --pipeline batch` on a schedule does not retrain because `run.py` also trains
under `if pipeline == "training":`. Branches on other values, or on values the command does not
give literally, are followed as before."""

from __future__ import annotations

from ml_readiness.automation.resolve import cli_options
from ml_readiness.facts.python import extract
from tests.automation.util import amap_of, runs

RUN = """
import argparse
import sys

from pipelines.training import training_pipeline


def main(pipeline: str, env: str) -> None:
    if pipeline == "training":
        run = training_pipeline.with_options(config_path=f"configs/{env}.yaml")
        run()
    elif pipeline in ("batch", "batch_inference"):
        from pipelines.scoring import score

        score()
    else:
        raise SystemExit(f"unknown pipeline {pipeline}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["report"]:
        raise SystemExit(0)
    parser = argparse.ArgumentParser()
    parser.add_argument("--pipeline", default="training")
    parser.add_argument("--env", default="local")
    args = parser.parse_args()
    main(args.pipeline, args.env)
"""
TRAINING = """
from zenml import pipeline, step


@step
def train_model():
    return 1


@pipeline
def training_pipeline():
    train_model()
"""
SCORING = """
def score():
    return 0
"""


def _workflow(cron: bool, command: str) -> str:
    on = "on:\n  schedule:\n    - cron: '0 3 * * *'\n" if cron else "on: [pull_request]\n"
    return (
        f"name: w\n{on}jobs:\n  run:\n    runs-on: ubuntu-latest\n    steps:\n"
        f"      - uses: actions/checkout@v4\n      - run: {command}\n"
    )


def test_branch_guards_are_recorded_on_calls():
    facts = extract(RUN, "run.py")
    guards = {c.name: c.guards for c in facts.calls if c.scope == "main"}
    assert guards["run"] == (("pipeline", ("training",), True),)
    assert guards["score"] == (
        ("pipeline", ("training",), False),
        ("pipeline", ("batch", "batch_inference"), True),
    )
    assert guards["SystemExit"][-1] == ("pipeline", ("batch", "batch_inference"), False)


def test_only_string_literal_tests_are_guards():
    source = (
        "def main(mode, n):\n"
        "    if mode in ('a', True, 1):\n"  # mixed constants: not a selector (and no crash)
        "        one()\n"
        "    if n == 3:\n"
        "        two()\n"
        "    if mode in ('a', b):\n"
        "        three()\n"
        "    if mode == 'a' or n == 'b':\n"  # an `or` over two keys decides nothing
        "        four()\n"
    )
    assert {c.name: c.guards for c in extract(source, "run.py").calls} == {
        "one": (),
        "two": (),
        "three": (),
        "four": (),
    }


def test_command_line_values_are_read_literally():
    assert cli_options(["--pipeline", "batch", "--env=prod", "--dry-run"]) == {
        "pipeline": "batch",
        "env": "prod",
    }
    assert cli_options(["train", "--lr", "0.1", "--model-dir", "$OUT"]) == {
        "sys.argv[1]": "train",
        "lr": "0.1",
    }


def test_only_the_selected_pipeline_runs(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".github/workflows/nightly.yml": _workflow(True, "python run.py --pipeline batch"),
            ".github/workflows/pr.yml": _workflow(False, "python run.py --pipeline training"),
            ".github/workflows/other.yml": _workflow(False, "python run.py --pipeline $P"),
            "run.py": RUN,
            "pipelines/__init__.py": "",
            "pipelines/training.py": TRAINING,
            "pipelines/scoring.py": SCORING,
        },
    )
    # the configured copy (`with_options`) is run; the nightly job never takes that branch
    assert runs(amap, "pipelines/training.py", "train_model") == {
        ".github/workflows/pr.yml#run (change)",
        ".github/workflows/other.yml#run (change)",  # an unknown value decides nothing
        "pipelines/training.py#training_pipeline (manual)",
    }
    assert runs(amap, "pipelines/scoring.py", "score") == {
        ".github/workflows/nightly.yml#run (schedule)",
        ".github/workflows/other.yml#run (change)",
    }
