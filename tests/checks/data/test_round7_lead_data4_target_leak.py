"""data-4: a test that the label column stays out of the features ("does not leak the target")
is split hygiene, not a policy on which features or sources may be used; a test that leakage
columns (data not available at inference time) are dropped still is."""

from __future__ import annotations

from tests.checks.data.util import ci, evidence
from tests.helpers import make_repo, run_check

FEATURES = """
import pandas as pd


def build_features(df: pd.DataFrame, target: str = "species") -> pd.DataFrame:
    return df.drop(columns=[target, "id"])
"""
TARGET_TEST = """
import pandas as pd

from src.features import build_features


def test_run_does_not_leak_target_column_into_features():
    out = build_features(pd.DataFrame({"species": ["a"], "id": [1], "petal": [0.2]}))
    assert "species" not in out.columns
"""


def _repo(tmp_path, test: str):
    return make_repo(
        tmp_path,
        {
            "src/__init__.py": "",
            "src/features.py": FEATURES,
            "tests/test_features.py": test,
            ".github/workflows/ci.yml": ci("pytest tests"),
        },
    )


def test_keeping_the_label_out_of_the_features_is_not_a_feature_policy(tmp_path):
    assert evidence(run_check(_repo(tmp_path, TARGET_TEST), "feature-requirements")) == []


def test_dropping_leakage_columns_still_is(tmp_path):
    test = TARGET_TEST.replace("does_not_leak_target_column", "drops_leakage_and_id_columns")
    test = test.replace('"species" not in', '"id" not in')
    assert evidence(run_check(_repo(tmp_path, test), "feature-requirements")) == [
        (
            "tests/test_features.py",
            6,
            "test",
            "automated",
            "test_run_drops_leakage_and_id_columns_into_features",
        )
    ]
