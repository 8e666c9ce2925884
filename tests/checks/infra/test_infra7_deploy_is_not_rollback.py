"""infra-7: a deploy job that splits traffic or moves an alias is not a rollback job."""

from __future__ import annotations

import pytest

from tests.helpers import audit, make_repo

WORKFLOW = """
name: NAME
on:
  workflow_dispatch:
jobs:
  JOB:
    runs-on: ubuntu-latest
    steps:
      - run: COMMAND
"""


def _infra7(tmp_path, name: str, job: str, command: str):
    text = WORKFLOW.replace("NAME", name).replace("JOB", job).replace("COMMAND", command)
    root = make_repo(tmp_path, {".github/workflows/deploy.yml": text})
    return next(i for i in audit(root).items if i.id == "infra-7")


@pytest.mark.parametrize(
    "command",
    [
        'az ml online-endpoint update --name taxi --traffic "blue=100"',
        "aws lambda update-alias --function-name scorer --name live --function-version 7",
        "gcloud run services update-traffic scorer --to-latest",
    ],
)
def test_trap_a_deploy_job_promoting_a_new_version_is_not_a_rollback(tmp_path, command):
    item = _infra7(tmp_path, "deploy", "allocate-traffic", command)
    assert (item.level, item.evidence) == ("none", ())


def test_a_job_named_for_rollback_that_switches_traffic_back_is_one(tmp_path):
    command = 'az ml online-endpoint update --name taxi --traffic "green=100"'
    item = _infra7(tmp_path, "rollback", "restore-previous", command)
    assert item.level == "manual"
    assert item.evidence[0].detail.startswith(
        "manual-triggered rollback job .github/workflows/deploy.yml#restore-previous "
        "(named `rollback`, runs `az ml online-endpoint update"
    )


def test_an_undo_command_is_a_rollback_whatever_the_job_is_called(tmp_path):
    item = _infra7(tmp_path, "ops", "fix", "kubectl rollout undo deployment/scorer")
    assert item.level == "manual"
    assert "runs `kubectl rollout undo deployment/scorer`" in item.evidence[0].detail
