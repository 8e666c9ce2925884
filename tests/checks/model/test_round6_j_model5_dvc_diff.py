"""model-5 accuracy (round 6, J): `dvc metrics diff` / `dvc exp diff` in any CI system the
AutomationMap reads is root evidence (`symbol=root.id`, never `enforced`), so the job's own
trigger decides the level (mlops-guide's GitLab merge-request report job)."""

from __future__ import annotations

from pathlib import Path

from tests.checks.model._util import produced, where
from tests.helpers import audit, levels, make_repo

CHECK = "baseline-comparison"
GITLAB = """
stages: [report]

report:
  stage: report
  rules:
    - if: $CI_COMMIT_BRANCH == "main"
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
  script:
    - |
      # Compare metrics to main branch
      dvc metrics diff main --show-md >> report.md
      cml comment create --target=pr --publish report.md
"""


def test_gitlab_merge_request_metrics_diff_is_automated(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {".gitlab-ci.yml": GITLAB})
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [
        (".gitlab-ci.yml", 11, "config", "automated", ".gitlab-ci.yml#report")
    ]
    assert evidence[0].enforced is False
    assert evidence[0].detail == (
        "CI job .gitlab-ci.yml#report compares metrics with the main branch: "
        "`dvc metrics diff main --show-md >> report.md`"
    )
    assert levels(audit(root))["model-5"] == "automated"


def test_azure_pipeline_exp_diff_is_automated(tmp_path: Path) -> None:
    pipeline = """
    trigger: [main]
    pr: [main]
    steps:
      - script: pip install dvc
      - script: dvc exp diff main
    """
    root = make_repo(tmp_path, {"azure-pipelines.yml": pipeline})
    evidence, _ = produced(root, CHECK)
    assert [(e.path, e.line, e.kind, e.credit) for e in evidence] == [
        ("azure-pipelines.yml", 5, "config", "automated")
    ]
    assert evidence[0].symbol is not None and evidence[0].symbol.startswith("azure-pipelines.yml#")
    assert levels(audit(root))["model-5"] == "automated"


def test_trap_manual_and_disabled_jobs_are_not_automated(tmp_path: Path) -> None:
    """A diff in a workflow_dispatch-only job is manual (the root says so, not the check);
    a job with `if: false` runs never and a commented-out diff is no command: no evidence."""
    manual = """
    on: workflow_dispatch
    jobs:
      diff:
        runs-on: ubuntu-latest
        steps:
          - run: dvc metrics diff main
    """
    off = """
    on: [push]
    jobs:
      diff:
        if: false
        runs-on: ubuntu-latest
        steps:
          - run: dvc metrics diff main
      lint:
        runs-on: ubuntu-latest
        steps:
          - run: |
              # dvc metrics diff main
              ruff check .
    """
    root = make_repo(
        tmp_path,
        {".github/workflows/manual.yml": manual, ".github/workflows/off.yml": off},
    )
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [
        (
            ".github/workflows/manual.yml",
            6,
            "config",
            "automated",
            ".github/workflows/manual.yml#diff",
        )
    ]
    report = audit(root)
    assert levels(report)["model-5"] == "manual"
