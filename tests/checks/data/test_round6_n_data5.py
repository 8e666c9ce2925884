"""data-5 (round 6, N): .gitignore entries that keep a data folder out of git are recognised at
any depth (`app/data`, `**/data/`, a `data/.gitignore` written by DVC); one non-data file inside
a data folder (`data/index/.lock`) is not the data folder."""

from __future__ import annotations

import pytest
from ml_readiness.checks.data.data5_privacy import ignores_data

from tests.checks.data.util import evidence, hints
from tests.helpers import audit, levels, make_repo, run_check

CHECK = "privacy-controls"
REMOTE = "[core]\n    remote = storage\n['remote \"storage\"']\n    url = s3://bucket/dvc\n"
DVC_YAML = "stages:\n  train:\n    cmd: python train.py\n    deps:\n      - data\n"


def _repo(tmp_path, gitignore: str, extra: dict[str, str] | None = None):
    files = {".gitignore": gitignore, ".dvc/config": REMOTE, "dvc.yaml": DVC_YAML, **(extra or {})}
    return make_repo(tmp_path, files, git=True)


def test_nested_data_folder_with_dvc_remote_is_manual(tmp_path) -> None:
    root = _repo(tmp_path, "__pycache__/\n.venv\napp/data\napp/dvc_storage\n")
    out = run_check(root, CHECK)
    assert evidence(out) == [(".gitignore", 3, "config", "manual", None)]
    assert levels(audit(root))["data-5"] == "manual"


def test_any_depth_glob_data_folder_with_dvc_remote_is_manual(tmp_path) -> None:
    root = _repo(tmp_path, "**/data/\n")
    assert evidence(run_check(root, CHECK)) == [(".gitignore", 1, "config", "manual", None)]
    assert levels(audit(root))["data-5"] == "manual"


def test_data_folder_gitignore_written_by_dvc_counts(tmp_path) -> None:
    root = _repo(tmp_path, "*.pyc\n", {"data/.gitignore": "/raw\n/train.csv\n"})
    assert evidence(run_check(root, CHECK)) == [("data/.gitignore", 1, "config", "manual", None)]
    assert levels(audit(root))["data-5"] == "manual"


def test_one_lock_file_inside_the_data_folder_is_not_the_data_folder(tmp_path) -> None:
    root = _repo(
        tmp_path,
        "*.lock\n.env\n!data/.gitkeep\ndata/index/.lock\n",
        {"data/index/meta.json": '{"n": 1}\n'},
    )
    out = run_check(root, CHECK)
    assert evidence(out) == []
    assert hints(out)[0] == (
        "data kept out of git needs both a .gitignore entry for the data folder and a DVC "
        "remote or Git LFS: DVC remote storage (.dvc/config) is configured, but no .gitignore "
        "entry keeps the data folder out of git"
    )
    assert levels(audit(root))["data-5"] == "none"


@pytest.mark.parametrize(
    ("entry", "folder", "expected"),
    [
        ("app/data", "", True),
        ("/data/", "", True),
        ("src/data/raw", "", True),
        ("data/**/*.parquet", "", True),
        ("*.csv", "", True),
        ("data/qdrant_db/", "", True),
        ("*", "data", True),
        ("/images", "data", True),
        ("data/index/.lock", "", False),
        ("data/.gitkeep", "", False),
        ("data/*.lock", "", False),
        ("!data/", "", False),
        ("# data", "", False),
        ("metadata/", "", False),
        ("database.py", "", False),
        ("/cache", ".dvc", False),
    ],
)
def test_ignores_data_entries(entry: str, folder: str, expected: bool) -> None:
    assert ignores_data(entry, folder) is expected
