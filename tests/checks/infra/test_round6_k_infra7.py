"""infra-7 (REVIEW-G D5): a rollback that runs by itself after a failed deploy is automated."""

from __future__ import annotations

from pathlib import Path

from tests.checks.infra.test_infra_accuracy import _ev
from tests.helpers import audit, levels, make_repo, run_check

CHECK = "rollback-procedure"
DEPLOY = """\
name: deploy
on: {push: {branches: [main]}}
jobs:
  gate:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: python scripts/check_drift.py
"""
ROLLBACK = """\
name: rollback
on:
  workflow_run: {workflows: [deploy], types: [completed]}
jobs:
  rollback:
    if: github.event.workflow_run.conclusion == 'failure'
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: python scripts/rollback.py
"""
SCRIPT = """\
from mlflow.tracking import MlflowClient

client = MlflowClient()
current = int(client.get_model_version_by_alias("m", "production").version)
client.set_registered_model_alias("m", "production", str(current - 1))
"""


def _job(produced: list) -> tuple:
    return next(e for e in _ev(produced) if e[4] == ".github/workflows/rollback.yml#rollback")


def _repo(tmp_path: Path, rollback: str) -> Path:
    files = {
        ".github/workflows/deploy.yml": DEPLOY,
        ".github/workflows/rollback.yml": rollback,
        "scripts/rollback.py": SCRIPT,
        "scripts/check_drift.py": "print('ok')\n",
    }
    return make_repo(tmp_path, files)


def test_rollback_on_failed_workflow_run_is_automated(tmp_path: Path) -> None:
    root = _repo(tmp_path, ROLLBACK)
    assert _job(run_check(root, CHECK)) == (
        "rollback runs automatically when the workflow deploy fails "
        "(`github.event.workflow_run.conclusion == 'failure'`): "
        ".github/workflows/rollback.yml#rollback (runs `python scripts/rollback.py`)",
        ".github/workflows/rollback.yml:5",
        "config",
        "automated",
        ".github/workflows/rollback.yml#rollback",
    )
    assert levels(audit(root))["infra-7"] == "automated"


def test_trap_dispatched_rollback_stays_manual(tmp_path: Path) -> None:
    manual = ROLLBACK.replace(
        "  workflow_run: {workflows: [deploy], types: [completed]}", "  workflow_dispatch: {}"
    ).replace("    if: github.event.workflow_run.conclusion == 'failure'\n", "")
    root = _repo(tmp_path, manual)
    assert _job(run_check(root, CHECK))[0] == (
        "manual-triggered rollback job .github/workflows/rollback.yml#rollback "
        "(runs `python scripts/rollback.py`)"
    )
    assert levels(audit(root))["infra-7"] == "manual"


def test_trap_workflow_run_without_a_failure_condition_is_not_automatic(tmp_path: Path) -> None:
    root = _repo(
        tmp_path, ROLLBACK.replace("    if: github.event.workflow_run.conclusion", "    # ")
    )
    job = _job(run_check(root, CHECK))
    assert job[0].startswith("change-triggered rollback job") and job[3] == "manual"
    assert levels(audit(root))["infra-7"] == "manual"


STEP_GUARD = """\
name: deploy
on: {push: {branches: [main]}}
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: kubectl apply -f k8s/model.yaml && kubectl rollout status deploy/model
      - if: failure()
        run: kubectl rollout undo deploy/model
"""


def test_failure_step_rolling_back_is_automated(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {".github/workflows/deploy.yml": STEP_GUARD})
    assert _ev(run_check(root, CHECK)) == [
        (
            "rollback runs automatically when an earlier step fails (step `if: failure()`): "
            ".github/workflows/deploy.yml#deploy (runs `kubectl rollout undo deploy/model`)",
            ".github/workflows/deploy.yml:4",
            "config",
            "automated",
            ".github/workflows/deploy.yml#deploy",
        )
    ]
    assert levels(audit(root))["infra-7"] == "automated"


def test_trap_failure_step_that_only_notifies(tmp_path: Path) -> None:
    ci = STEP_GUARD.replace(
        "run: kubectl rollout undo deploy/model", "run: echo 'deploy failed, roll back by hand'"
    )
    root = make_repo(tmp_path, {".github/workflows/deploy.yml": ci})
    assert _ev(run_check(root, CHECK)) == []
    assert levels(audit(root))["infra-7"] == "none"


GITLAB = """\
stages: [deploy, rollback]
deploy:
  stage: deploy
  script:
    - kubectl apply -f k8s/model.yaml
rollback:
  stage: rollback
  when: WHEN
  script:
    - kubectl rollout undo deploy/model
"""


def test_gitlab_rollback_on_failure_is_automated(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {".gitlab-ci.yml": GITLAB.replace("WHEN", "on_failure")})
    ev = [e for e in _ev(run_check(root, CHECK)) if e[4] == ".gitlab-ci.yml#rollback"]
    assert [(e[0], e[3]) for e in ev] == [
        (
            "rollback runs automatically when an earlier stage fails (`when: on_failure`): "
            ".gitlab-ci.yml#rollback (runs `kubectl rollout undo deploy/model`)",
            "automated",
        )
    ]
    assert levels(audit(root))["infra-7"] == "automated"


def test_trap_gitlab_manual_rollback_job(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {".gitlab-ci.yml": GITLAB.replace("WHEN", "manual")})
    assert levels(audit(root))["infra-7"] == "manual"


def test_trap_step_guarded_by_not_failure(tmp_path: Path) -> None:
    ci = STEP_GUARD.replace("- if: failure()", "- if: ${{ !failure() && inputs.undo }}")
    root = make_repo(tmp_path, {".github/workflows/deploy.yml": ci})
    assert [e[3] for e in _ev(run_check(root, CHECK))] == ["manual"]
