"""Model items end to end: evidence run by a GitHub Actions workflow on push is automated; the
same repository without CI is manual; traps stay at none.

These tests rely on the AutomationMap resolving `pytest tests` in `.github/workflows/ci.yml`
to the test functions (and the code they call)."""

from __future__ import annotations

import json
from pathlib import Path

from tests.checks.model.test_model1_specs import CONFIG_TEST
from tests.checks.model.test_model5_baselines import TEST_BEATS
from tests.checks.model.test_model6_slices import SLICE_TEST
from tests.checks.model.test_model7_fairness import FAIRNESS_TEST
from tests.helpers import audit, levels, make_repo, notebook

CI = """
name: ci
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pip install -r requirements.txt
      - run: pytest tests
"""
TUNING_TEST = """
import optuna


def test_search_finds_good_params():
    study = optuna.create_study(direction="maximize")
    study.optimize(lambda t: -((t.suggest_float("x", -1, 1)) ** 2), n_trials=5)
    assert study.best_value > -0.1
"""
MODEL_FILES = {
    "requirements.txt": "pytest\n",
    "conf/model/ranker.yaml": "learning_rate: 0.05\nnum_leaves: 31\n",
    ".github/CODEOWNERS": "/conf/ @ml-team\n",
    "tests/test_configs.py": CONFIG_TEST,
    "tests/test_tuning.py": TUNING_TEST,
    "tests/test_quality.py": TEST_BEATS,
    "tests/test_slices.py": SLICE_TEST,
    "tests/test_fairness.py": FAIRNESS_TEST,
}
MODEL_ITEMS = ("model-1", "model-3", "model-5", "model-6", "model-7")


def _model_levels(root: Path) -> dict[str, str]:
    got = levels(audit(root))
    return {k: v for k, v in got.items() if k.startswith("model-")}


def test_tests_run_by_ci_on_push_are_automated(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {**MODEL_FILES, ".github/workflows/ci.yml": CI}, git=True)
    got = _model_levels(root)
    # a study on a test's toy objective tunes nothing that ships (tests_automate: false)
    expected = {**dict.fromkeys(MODEL_ITEMS, "automated"), "model-3": "manual"}
    assert {k: got[k] for k in MODEL_ITEMS} == expected
    assert got["model-2"] == "none"
    assert got["model-4"] == "none"


def test_same_tests_without_ci_are_manual(tmp_path: Path) -> None:
    root = make_repo(tmp_path, MODEL_FILES, git=True)
    got = _model_levels(root)
    assert {k: got[k] for k in MODEL_ITEMS} == dict.fromkeys(MODEL_ITEMS, "manual")


def test_workflow_outside_github_workflows_is_not_automation(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {**MODEL_FILES, "ci/ci.yml": CI}, git=True)
    got = _model_levels(root)
    assert {k: got[k] for k in MODEL_ITEMS} == dict.fromkeys(MODEL_ITEMS, "manual")


def test_manual_records_only(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            ".github/workflows/ci.yml": CI,
            "docs/experiments.md": (
                "# Experiments\n\n## Online experiment: ranker v2\n\nA two-week online "
                "experiment on 10% of traffic: offline NDCG +1.2% went with +0.8% clicks, "
                "so offline NDCG is a usable proxy for clicks.\n"
            ),
            "docs/staleness.md": (
                "# Staleness\n\n## Model staleness\n\nSnapshots evaluated on fresh data lose "
                "about 0.5 AUC points per week; after four weeks the drop exceeds our 2 point "
                "budget, so we retrain every two weeks.\n"
            ),
            "reports/slices.json": json.dumps({"lang=de": {"f1": 0.71}, "lang=en": {"f1": 0.77}}),
            "notebooks/tuning.ipynb": notebook(
                "from sklearn.model_selection import GridSearchCV",
                "gs = GridSearchCV(model, param_grid={'C': [1, 10]})\ngs.fit(X, y)",
                outputs=True,
            ),
        },
        git=True,
    )
    got = _model_levels(root)
    assert got == {
        "model-1": "none",
        "model-2": "manual",
        "model-3": "manual",
        "model-4": "manual",
        "model-5": "none",
        "model-6": "manual",
        "model-7": "none",
    }


def test_traps_stay_at_none_even_with_ci(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            ".github/workflows/ci.yml": CI,
            "conf/train.yaml": "lr: 0.01\nepochs: 3\n",
            "CODEOWNERS": "/docs/ @writers\n",
            "src/model.py": (
                "import optuna\n"
                "from sklearn.dummy import DummyClassifier\n"
                "from sklearn.model_selection import GridSearchCV\n\n"
                "def build():\n    return DummyClassifier()\n"
            ),
            "tests/test_model.py": (
                "from src.model import build\n\ndef test_build():\n    assert build() is not None\n"
            ),
        },
        git=True,
    )
    assert _model_levels(root) == dict.fromkeys((f"model-{i}" for i in range(1, 8)), "none")
