"""model-1 accuracy (round 6): hyperparameters written in the script that launches training
(Made-With-ML's `TRAIN_LOOP_CONFIG='{...}'`) are specs, and a pull-request workflow that
comments the model's training/evaluation results on the PR is a review route."""

from __future__ import annotations

from pathlib import Path

from tests.checks.model._util import produced, where
from tests.helpers import audit, levels, make_repo

CHECK = "model-specs-reviewed"
WORKLOADS = """
#!/bin/bash
# Train
export TRAIN_LOOP_CONFIG='{"dropout_p": 0.5, "lr": 1e-4, "lr_factor": 0.8, "lr_patience": 3}'
python madewithml/train.py --train-loop-config "$TRAIN_LOOP_CONFIG" --num-epochs 10
"""
PR_WORKFLOW = """
name: workloads
on:
  pull_request:
    branches: [main]
jobs:
  workloads:
    runs-on: ubuntu-22.04
    steps:
      - uses: actions/checkout@v3
      - run: bash deploy/jobs/workloads.sh
      - name: Comment evaluation results on PR
        uses: thollander/actions-comment-pull-request@v2
        with:
          filePath: {posted}
"""


def test_pr_comment_of_model_results_is_a_review_route(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "deploy/jobs/workloads.sh": WORKLOADS,
            ".github/workflows/workloads.yaml": PR_WORKFLOW.replace(
                "{posted}", "results/evaluation_results.md"
            ),
        },
    )
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [
        ("deploy/jobs/workloads.sh", 3, "config", "manual", None),
        (".github/workflows/workloads.yaml", 11, "config", "manual", None),
    ]
    assert [e.detail for e in evidence] == [
        "hyperparameters `TRAIN_LOOP_CONFIG` (dropout_p, lr, lr_factor, lr_patience) in "
        "deploy/jobs/workloads.sh",
        "CI comments model results on each pull request for review: "
        "`thollander/actions-comment-pull-request` posts results/evaluation_results.md",
    ]
    assert levels(audit(root))["model-1"] == "manual"


def test_trap_pr_comment_of_a_coverage_report_is_no_model_review(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "deploy/jobs/workloads.sh": WORKLOADS,
            ".github/workflows/workloads.yaml": PR_WORKFLOW.replace(
                "{posted}", "coverage/coverage-summary.md"
            ),
        },
    )
    evidence, hints = produced(root, CHECK)
    assert evidence == []
    assert hints[0].startswith(
        "model specs are checked in (deploy/jobs/workloads.sh) but no review route was found"
    )
    assert levels(audit(root))["model-1"] == "none"


def test_trap_results_comment_on_push_and_single_key_json(tmp_path: Path) -> None:
    # a push-triggered workflow reviews nothing before merge; `{"lr": 0.1}` alone is no spec
    root = make_repo(
        tmp_path,
        {
            "run.sh": 'python train.py --config \'{"lr": 0.1, "seed": 1}\'\n',
            ".github/workflows/workloads.yaml": PR_WORKFLOW.replace(
                "{posted}", "results/evaluation_results.md"
            ).replace("pull_request:", "push:"),
        },
    )
    evidence, hints = produced(root, CHECK)
    assert evidence == []
    assert hints == ["no model configuration, hyperparameters in code or model card found"]
