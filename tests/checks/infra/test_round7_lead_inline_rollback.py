"""infra-7: a rollback command given inline in a runbook sentence about rolling back
("roll back to the previous model version via `aws sagemaker update-endpoint ...`") is a
documented procedure, like one in a fenced block; the same command with no talk of rolling
back, or in a sentence saying it is planned, is not."""

from __future__ import annotations

from tests.helpers import audit, levels, make_repo

RUNBOOK = (
    "# Runbook\n\n### 2. Endpoint errors\n\n**Common causes + fixes**:\n"
    "- **Model artifact corrupt**: check `model.tar.gz` in S3; roll back to previous model "
    "version via `aws sagemaker update-endpoint --endpoint-config-name <prior-config>`\n"
)


def _items(tmp_path, text: str):
    root = make_repo(tmp_path, {"docs/RUNBOOK.md": text})
    return {i.id: i for i in audit(root).items}


def test_inline_rollback_command_in_a_runbook_is_manual(tmp_path):
    item = _items(tmp_path, RUNBOOK)["infra-7"]
    assert item.level == "manual"
    assert [(e.path, e.line, e.detail) for e in item.evidence] == [
        (
            "docs/RUNBOOK.md",
            6,
            "documented rollback command (under `2. Endpoint errors`): "
            "`aws sagemaker update-endpoint --endpoint-config-name <prior-config>`",
        )
    ]


def test_the_same_command_without_rollback_talk_or_planned_is_not(tmp_path):
    deploy = RUNBOOK.replace("roll back to previous model version via", "deploy with")
    assert _items(tmp_path / "a", deploy)["infra-7"].level == "none"
    planned = RUNBOOK.replace("roll back to previous", "TODO: roll back to previous")
    assert (
        levels(audit(make_repo(tmp_path / "b", {"docs/RUNBOOK.md": planned})))["infra-7"] == "none"
    )
