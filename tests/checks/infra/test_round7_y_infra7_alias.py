"""Round 7 (held-out review R point 6), infra-7: a registry alias moved to a model version
through a project wrapper or W&B `link_artifact(aliases=...)` is a versioned registry a person
can point back (manual); a shell-alias helper or a link without aliases is not."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import audit, levels, make_repo

PROMOTE = """\
from churn.registry import ModelRegistry


def promote(registry: ModelRegistry, name, current, candidate):
    registry.set_alias(model_name=name, alias="former_champion", version=current)
    registry.set_alias(model_name=name, alias="champion", version=candidate)


if __name__ == "__main__":
    promote(ModelRegistry(), "churn", 3, 4)
"""
WANDB = """\
import wandb


def main(name):
    run = wandb.init(job_type="promote")
    artifact = run.use_artifact(name)
    run.link_artifact(artifact, target_path="model-registry/ct-scan", aliases=["production"])


if __name__ == "__main__":
    main("entity/project/model:v3")
"""


def _infra7(root: Path) -> tuple[str, list]:
    item = next(i for i in audit(root).items if i.id == "infra-7")
    return item.level, [(e.detail, e.location()) for e in item.evidence]


def test_wrapper_alias_move_to_a_version_is_manual_rollback_evidence(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"src/churn/promote.py": PROMOTE})
    assert _infra7(root) == (
        "manual",
        [
            (
                "model registry alias set to a version (`registry.set_alias`)",
                "src/churn/promote.py:5",
            )
        ],
    )


def test_wandb_link_with_aliases_is_manual_rollback_evidence(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"src/promote_model.py": WANDB})
    assert _infra7(root) == (
        "manual",
        [
            (
                "W&B model registry link with aliases (`run.link_artifact`): every link is a "
                "registry version",
                "src/promote_model.py:7",
            )
        ],
    )


def test_trap_shell_alias_helper_and_link_without_aliases(tmp_path: Path) -> None:
    shell = """\
    def configure(shell):
        shell.set_alias("ll", "ls -l")


    if __name__ == "__main__":
        configure(load_shell())
    """
    link = WANDB.replace(', aliases=["production"]', "")
    root = make_repo(tmp_path, {"tools/shell.py": shell, "src/promote_model.py": link})
    assert levels(audit(root))["infra-7"] == "none"
