"""infra-3 (REVIEW-F #1): a CI line counts when its program runs the pipeline, or when the
AutomationMap shows the root executing a training script, not when it only names `train.py`."""

from __future__ import annotations

from pathlib import Path

from tests.checks.infra.test_infra_accuracy import _ev
from tests.helpers import audit, levels, make_repo, run_check

CHECK = "pipeline-integration-test"
TRAIN = """\
from sklearn.linear_model import LogisticRegression


def main():
    LogisticRegression().fit([[0], [1]], [0, 1])


if __name__ == "__main__":
    main()
"""
WORKFLOW = """\
name: ci
on: [push]
jobs:
  JOB:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: RUN
"""


def _repo(tmp_path: Path, job: str, run: str, **extra: str) -> Path:
    ci = WORKFLOW.replace("JOB", job).replace("RUN", run)
    return make_repo(tmp_path, {"src/train.py": TRAIN, ".github/workflows/ci.yml": ci, **extra})


def test_ci_running_the_training_script_with_flags(tmp_path: Path) -> None:
    root = _repo(tmp_path, "smoke", "poetry run python -u src/train.py --sample")
    assert _ev(run_check(root, CHECK)) == [
        (
            ".github/workflows/ci.yml#smoke runs `poetry run python -u src/train.py --sample` "
            "(change) on small data",
            ".github/workflows/ci.yml:4",
            "config",
            "automated",
            ".github/workflows/ci.yml#smoke",
        )
    ]
    assert levels(audit(root))["infra-3"] == "automated"


def test_ci_running_training_through_make(tmp_path: Path) -> None:
    makefile = "train:\n\tpython src/train.py\n"
    root = _repo(tmp_path, "e2e", "make train", Makefile=makefile)
    ev = _ev(run_check(root, CHECK))
    assert [e[1:] for e in ev] == [
        (".github/workflows/ci.yml:4", "config", "automated", ".github/workflows/ci.yml#e2e")
    ]
    assert ev[0][0].startswith(
        ".github/workflows/ci.yml#e2e executes the training script src/train.py `"
    )
    assert levels(audit(root))["infra-3"] == "automated"


def test_trap_ci_line_that_only_names_the_training_script(tmp_path: Path) -> None:
    root = _repo(tmp_path, "deploy", "zip -r release.zip deploy.py src/train.py model/")
    assert _ev(run_check(root, CHECK)) == []
    assert levels(audit(root))["infra-3"] == "none"


def test_trap_echo_or_install_lines_are_not_runs(tmp_path: Path) -> None:
    root = _repo(tmp_path, "build", 'echo "dvc repro later" && pip install metaflow')
    assert _ev(run_check(root, CHECK)) == []


DVC_PREPARE = """\
stages:
  prepare:
    cmd: python src/prepare.py
    outs: [data/prepared]
"""
DVC_TRAIN = (
    DVC_PREPARE
    + """\
  train:
    cmd: python src/train.py
    deps: [data/prepared]
"""
)
PREPARE = "import pandas as pd\n\nif __name__ == '__main__':\n    pd.DataFrame().to_csv('x.csv')\n"


def test_trap_dvc_repro_of_data_stages_only(tmp_path: Path) -> None:
    files = {"dvc.yaml": DVC_PREPARE, "src/prepare.py": PREPARE}
    root = _repo(tmp_path, "pipeline", "dvc repro", **files)
    produced = run_check(root, CHECK)
    assert _ev(produced) == []
    assert (
        ".github/workflows/ci.yml#pipeline runs `dvc repro`, but its DVC stages only prepare data "
        "(prepare) and the job runs no model step: not an end-to-end run of the model; not credited"
    ) in [h.detail for h in produced if not hasattr(h, "credit")]
    assert levels(audit(root))["infra-3"] == "none"


def test_dvc_repro_with_a_training_stage(tmp_path: Path) -> None:
    files = {"dvc.yaml": DVC_TRAIN, "src/prepare.py": PREPARE}
    root = _repo(tmp_path, "pipeline", "dvc repro", **files)
    assert [e[0] for e in _ev(run_check(root, CHECK))] == [
        ".github/workflows/ci.yml#pipeline runs `dvc repro` (change)"
    ]
    assert levels(audit(root))["infra-3"] == "automated"
