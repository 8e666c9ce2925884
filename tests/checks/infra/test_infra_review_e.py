"""Regression tests from REVIEW-E (movie recommender, image classifier): each rule has its
positive fixture and the trap."""

from __future__ import annotations

from tests.checks.infra.test_infra_accuracy import _ev, _hints, _infra
from tests.helpers import make_repo, run_check

# -- infra-4: a champion/challenger rule that returns its verdict ----------------------------
PROMOTION = """\
from dataclasses import dataclass


@dataclass
class PromotionDecision:
    promote: bool
    reason: str


def decide_promotion(current, candidate, epsilon=1e-9):
    current_recall = float(current["recall_at_k"])
    candidate_recall = float(candidate["recall_at_k"])
    if candidate_recall > current_recall + epsilon:
        return PromotionDecision(promote=True, reason="recall improved")
    return PromotionDecision(promote=False, reason="keep current")


def main(registry, current, candidate):
    decision = decide_promotion(current, candidate)
    if decision.promote:
        registry["active_model"] = {"name": "bpr"}
"""


def test_returned_promotion_verdict_guarding_the_registry_is_a_gate(tmp_path):
    root = make_repo(tmp_path, {"src/pipeline/retrain_pipeline.py": PROMOTION})
    assert _ev(run_check(root, "metric-gate-in-code")) == [
        (
            "model is registered/promoted only when candidate_recall > current_recall + epsilon",
            "src/pipeline/retrain_pipeline.py:13",
            "code",
            "automated",
            "decide_promotion",
        )
    ]


def test_trap_verdict_that_guards_nothing_is_not_a_gate(tmp_path):
    reported = PROMOTION.replace(
        '        registry["active_model"] = {"name": "bpr"}', '        print("would promote")'
    )
    root = make_repo(tmp_path, {"src/pipeline/retrain_pipeline.py": reported})
    assert _ev(run_check(root, "metric-gate-in-code")) == []


# -- infra-3: neither a syntax check nor a scheduled production run is an integration run ---
COMPILE_CI = """\
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: python -m py_compile src/models/train.py
"""
RETRAIN_CI = """\
on:
  schedule:
    - cron: "0 3 * * 1"
jobs:
  retrain:
    runs-on: ubuntu-latest
    steps:
      - run: python src/pipeline/retrain_pipeline.py --strategy schedule
"""
TRAIN = "def main():\n    fit()\n\nif __name__ == '__main__':\n    main()\n"


def test_trap_py_compile_of_training_scripts_is_not_an_integration_run(tmp_path):
    root = make_repo(
        tmp_path, {".github/workflows/ci.yml": COMPILE_CI, "src/models/train.py": TRAIN}
    )
    out = run_check(root, "pipeline-integration-test")
    assert _ev(out) == []
    assert _hints(out)[0] == (
        ".github/workflows/ci.yml#test runs `python -m py_compile src/models/train.py`: a "
        "syntax or lint check reads the training scripts without running them; not an "
        "integration run"
    )
    assert _infra(root)["infra-3"] == "none"


def test_trap_scheduled_production_pipeline_run_is_not_an_integration_test(tmp_path):
    # a weekly retrain on full data is production, not an integration test on small data,
    # whatever the script is called (reviewers disagreed; precision wins: see docs)
    root = make_repo(
        tmp_path,
        {
            ".github/workflows/retrain.yml": RETRAIN_CI,
            "src/pipeline/retrain_pipeline.py": TRAIN,
        },
    )
    assert _ev(run_check(root, "pipeline-integration-test")) == []
    assert _infra(root)["infra-3"] == "none"


# -- infra-2: plain model classes and module-level Keras models are model code ---------------
BPR = """\
import numpy as np


class BPRModel:
    def fit(self, df):
        self.w = np.zeros(3)
        return self

    def recommend_for_user(self, user_id):
        return [1, 2]
"""
BPR_TEST = """\
from src.models.bpr import BPRModel


def test_bpr_fit_and_recommend():
    model = BPRModel().fit([1])
    assert model.recommend_for_user(1) == [1, 2]
"""


def test_plain_numpy_model_class_in_models_is_model_code(tmp_path):
    root = make_repo(
        tmp_path,
        {"src/__init__.py": "", "src/models/__init__.py": "", "src/models/bpr.py": BPR,
         "tests/test_bpr.py": BPR_TEST},
    )  # fmt: skip
    assert _ev(run_check(root, "model-unit-tests")) == [
        (
            "tests src/models/bpr.py (BPRModel): a training step",
            "tests/test_bpr.py:4",
            "test",
            "automated",
            "test_bpr_fit_and_recommend",
        )
    ]


def test_trap_class_without_predict_outside_models_is_not_model_code(tmp_path):
    loader = BPR.replace("class BPRModel", "class CsvLoader").replace("recommend_for_user", "rows")
    test = BPR_TEST.replace("BPRModel", "CsvLoader").replace("src.models.bpr", "src.io")
    root = make_repo(
        tmp_path, {"src/__init__.py": "", "src/io.py": loader, "tests/test_io.py": test}
    )
    out = run_check(root, "model-unit-tests")
    assert _ev(out) == []
    assert _hints(out)[0].startswith("no model code found")


KERAS_SCRIPT = """\
import keras
from keras import layers

inputs = keras.Input(shape=(4,))
outputs = layers.Dense(2)(inputs)
model = keras.Model(inputs, outputs)
model.fit([[0, 0, 0, 0]], [0])
"""


def test_module_level_keras_model_is_model_code_without_a_test(tmp_path):
    root = make_repo(tmp_path, {"src/train_model.py": KERAS_SCRIPT})
    out = run_check(root, "model-unit-tests")
    assert _ev(out) == []
    assert _hints(out) == ["model code in src/train_model.py has no live unit test that calls it"]
    assert _infra(root)["infra-2"] == "none"


def test_trap_keras_model_built_inside_a_test_only_is_not_model_code(tmp_path):
    root = make_repo(tmp_path, {"tests/test_shapes.py": KERAS_SCRIPT, "src/util.py": "X = 1\n"})
    out = run_check(root, "model-unit-tests")
    assert _hints(out)[0].startswith("no model code found")
