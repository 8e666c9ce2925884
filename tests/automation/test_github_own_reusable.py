"""A reusable workflow named `owner/repo/.github/workflows/x.yml@ref` that is this repository."""

from __future__ import annotations

import pytest

from tests.automation.util import amap_of, runs

CALLER = """
on: push
jobs:
  train:
    uses: USES
    with:
      data: data/train.csv
"""
CALLED = """
on:
  workflow_call:
    inputs:
      data: {type: string}
jobs:
  run:
    runs-on: ubuntu-latest
    steps:
      - run: python src/train.py --train_data ${{ inputs.data }}
"""
TRAIN = "def main():\n    return 1\n\n\nif __name__ == '__main__':\n    main()\n"


def _files(uses: str, called: bool = True) -> dict[str, str]:
    files = {".github/workflows/main.yml": CALLER.replace("USES", uses), "src/train.py": TRAIN}
    if called:
        files[".github/workflows/run-train.yml"] = CALLED
    return files


@pytest.mark.parametrize(
    "uses",
    [
        "acme/demo/.github/workflows/run-train.yml@main",  # its own origin
        "someone/fork/.github/workflows/run-train.yml@v1",  # a callable workflow of that path
    ],
)
def test_a_reusable_workflow_of_this_repository_is_followed(tmp_path, uses):
    amap = amap_of(tmp_path, _files(uses), git=True)
    assert runs(amap, "src/train.py", "main") == {".github/workflows/main.yml#train (change)"}


def test_trap_a_remote_workflow_with_no_local_copy_is_not_followed(tmp_path):
    uses = "Azure/mlops-templates/.github/workflows/run-train.yml@main"
    amap = amap_of(tmp_path, _files(uses, called=False))
    assert runs(amap, "src/train.py", "main") == set()
    assert (
        ".github/workflows/main.yml",
        f"reusable workflow {uses} is outside the repository; not followed",
    ) in amap.unresolved
