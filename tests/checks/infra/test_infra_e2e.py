"""End-to-end: infra levels from a full audit (scoring + the AutomationMap)."""

from __future__ import annotations

from tests.checks.infra.test_infra6_7 import KSERVE, ROLLOUT
from tests.helpers import audit, levels, make_repo

CI = """\
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pytest tests
      - run: dvc repro
"""
TRAIN = """\
import numpy as np


def train(seed):
    np.random.seed(seed)
    return np.random.rand()
"""
TESTS = """\
from train import train
from models import Net


def test_retrain_is_identical():
    assert train(1) == train(1)


def test_forward_shape():
    assert Net().forward([1, 2]).shape == (2,)


def test_accuracy_threshold():
    accuracy = 0.93
    assert accuracy >= 0.9
"""
MODEL = (
    "import torch\n\n\nclass Net(torch.nn.Module):\n    def forward(self, x):\n        return x\n"
)


def _infra(root):
    return {k: v for k, v in levels(audit(root)).items() if k.startswith("infra")}


def test_manifests_are_automated_without_ci(tmp_path):
    root = make_repo(tmp_path, {"deploy/isvc.yaml": KSERVE, "deploy/rollout.yaml": ROLLOUT})
    got = _infra(root)
    assert got["infra-6"] == "automated"
    assert got["infra-7"] == "automated"


def test_code_evidence_is_manual_without_ci(tmp_path):
    root = make_repo(
        tmp_path,
        {
            "train.py": TRAIN,
            "models.py": MODEL,
            "tests/test_all.py": TESTS,
        },
    )
    got = _infra(root)
    assert (got["infra-1"], got["infra-2"], got["infra-4"]) == ("manual", "manual", "manual")
    assert got["infra-6"] == "none"


def test_ci_makes_tests_automated_and_mutable_data_caps_infra1(tmp_path):
    files = {
        ".github/workflows/ci.yml": CI,
        "train.py": TRAIN,
        "models.py": MODEL,
        "tests/test_all.py": TESTS,
        "dvc.yaml": "stages:\n  train:\n    cmd: python train.py\n",
    }
    root = make_repo(tmp_path / "a", files)
    got = _infra(root)
    assert got["infra-1"] == "automated"  # the retrain test runs in CI
    assert got["infra-2"] == "automated"
    assert got["infra-3"] == "automated"  # `dvc repro` on push
    assert got["infra-4"] == "automated"
    mutable = dict(files)
    mutable["fetch_data.py"] = (
        "import urllib.request\n"
        "urllib.request.urlretrieve('https://github.com/acme/d/raw/main/train.csv', 'd.csv')\n"
    )
    assert _infra(make_repo(tmp_path / "b", mutable))["infra-1"] == "manual"
