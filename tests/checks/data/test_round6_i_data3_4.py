"""Round 6 (helper I): data-3 library benchmarks and TTL, data-4 policy tests and deny lists
applied by feature code."""

from __future__ import annotations

from tests.checks.data.util import ci, details, evidence, hints
from tests.helpers import audit, levels, make_repo, run_check

# -- data-3: a library's own benchmarks ---------------------------------------------------

ENCODER = """
import pandas as pd


class CountEncoder:
    def fit(self, X, y=None):
        self.counts_ = {c: X[c].value_counts().to_dict() for c in X.columns}
        return self

    def transform(self, X):
        return X.apply(lambda s: s.map(self.counts_[s.name]))
"""
BENCH = """
import pandas as pd

from mylib.encoders import CountEncoder


def test_count_encoder_transform(benchmark):
    X = pd.DataFrame({"a": list("abcab") * 1000})
    enc = CountEncoder().fit(X)
    benchmark(enc.transform, X)
"""
TRAIN = """
import pandas as pd
from sklearn.linear_model import LogisticRegression

from mylib.encoders import CountEncoder


def main():
    X = CountEncoder().fit_transform(pd.read_csv("data/train.csv"))
    LogisticRegression().fit(X, X.pop("y"))


if __name__ == "__main__":
    main()
"""


def test_data3_library_benchmarks_not_credited(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            "mylib/__init__.py": "",
            "mylib/encoders.py": ENCODER,
            "benchmarks/test_encoders.py": BENCH,
            "pyproject.toml": '[project]\nname = "mylib"\n',
        },
    )
    out = run_check(root, "feature-cost")
    assert evidence(out) == []
    assert hints(out)[0] == (
        "benchmarks time the package's own functions, but the repository has no training "
        "entry point (an ML library's own tests are not an ML system's practice), not "
        "credited: benchmarks/test_encoders.py:6"
    )
    assert levels(audit(root))["data-3"] == "none"


def test_data3_benchmarks_of_a_training_project_credited(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            "mylib/__init__.py": "",
            "mylib/encoders.py": ENCODER,
            "benchmarks/test_encoders.py": BENCH,
            "train.py": TRAIN,
        },
    )
    out = run_check(root, "feature-cost")
    assert evidence(out) == [
        ("benchmarks/test_encoders.py", 6, "test", "automated", "test_count_encoder_transform")
    ]
    assert levels(audit(root))["data-3"] == "manual"


FEAST = """
from datetime import timedelta

from feast import Entity, FeatureView, Field
from feast.types import Int64

store = Entity(name="store", join_keys=["store_id"])
sales = FeatureView(
    name="sales",
    entities=[store],
    ttl=timedelta(days=3650),
    schema=[Field(name="promo", dtype=Int64)],
)
"""


def test_data3_feature_view_ttl_still_credited(tmp_path) -> None:
    """The rubric names "feature-store definitions with cost/TTL metadata" as a data-3
    signal, so a declared TTL stays manual evidence (decision of round 6, REVIEW-G D12)."""
    root = make_repo(
        tmp_path,
        {"feature_repo/feature_store.yaml": "project: p\n", "feature_repo/features.py": FEAST},
    )
    out = run_check(root, "feature-cost")
    assert evidence(out) == [("feature_repo/features.py", 7, "code", "manual", None)]
    assert details(out) == ["Feast feature view `sales` declares ttl"]


# -- data-4: deny/allow lists written as tests or feature code -----------------------------

FEATURES_NAMED = """
import pandas as pd

FEATURE_COLUMNS = ["store", "day_of_week", "promo"]
LEAKAGE_COLUMNS = ("customers", "id")


def build_features(df: pd.DataFrame) -> pd.DataFrame:
    df = df.drop(columns=[c for c in LEAKAGE_COLUMNS if c in df.columns])
    return df[FEATURE_COLUMNS]
"""
FEATURES_INLINE = """
import pandas as pd


def build_features(df: pd.DataFrame) -> pd.DataFrame:
    dt = pd.to_datetime(df.pop("date"))
    df["year"] = dt.dt.year
    # not available at inference time
    return df.drop(columns=[c for c in ("customers", "id") if c in df.columns])
"""
DENY_TEST = """
import pandas as pd

from src.features import build_features


def test_leakage_and_identifier_columns_are_dropped():
    out = build_features(pd.DataFrame({"date": ["2015-01-01"], "customers": [5], "id": [7]}))
    assert "customers" not in out.columns
    assert "id" not in out.columns
"""


def test_data4_deny_list_dropped_and_tested_automated(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            "src/__init__.py": "",
            "src/features.py": FEATURES_NAMED,
            "tests/test_features.py": DENY_TEST.replace(
                '{"date": ["2015-01-01"], ', '{"store": [1], "day_of_week": [2], "promo": [0], '
            ),
            ".github/workflows/ci.yml": ci("pytest tests"),
        },
    )
    out = run_check(root, "feature-requirements")
    assert evidence(out) == [
        ("src/features.py", 7, "code", "manual", "build_features"),
        (
            "tests/test_features.py",
            6,
            "test",
            "automated",
            "test_leakage_and_identifier_columns_are_dropped",
        ),
    ]
    assert details(out) == [
        "`build_features` drops the columns of `LEAKAGE_COLUMNS`",
        "`test_leakage_and_identifier_columns_are_dropped` asserts denied columns are absent "
        "from the feature output",
    ]
    assert levels(audit(root))["data-4"] == "automated"


def test_data4_policy_test_without_named_list_manual(tmp_path) -> None:
    """The forecast layout: the deny list is inline in the feature code, the test says why."""
    root = make_repo(
        tmp_path,
        {
            "src/__init__.py": "",
            "src/features.py": FEATURES_INLINE,
            "tests/test_features.py": DENY_TEST,
        },
    )
    out = run_check(root, "feature-requirements")
    assert evidence(out) == [
        (
            "tests/test_features.py",
            6,
            "test",
            "automated",
            "test_leakage_and_identifier_columns_are_dropped",
        )
    ]
    assert levels(audit(root))["data-4"] == "manual"


def test_data4_approved_feature_list_pinned_by_test(tmp_path) -> None:
    test = """
    from src.features import FEATURE_COLUMNS


    def test_only_approved_features_are_used():
        assert FEATURE_COLUMNS == ["store", "day_of_week", "promo"]
    """
    root = make_repo(
        tmp_path,
        {
            "src/__init__.py": "",
            "src/features.py": 'FEATURE_COLUMNS = ["store", "day_of_week", "promo"]\n',
            "tests/test_features.py": test,
        },
    )
    out = run_check(root, "feature-requirements")
    assert evidence(out) == [
        ("tests/test_features.py", 4, "test", "automated", "test_only_approved_features_are_used")
    ]
    assert details(out) == [
        "`test_only_approved_features_are_used` asserts the feature list is the approved list"
    ]


def test_data4_trap_transformation_tests_not_policy(tmp_path) -> None:
    """Absence of a split column and a pinned column order are transformation tests."""
    test = """
    import pandas as pd

    from src.features import FEATURE_COLUMNS, build_features


    def test_build_features_splits_date_into_year():
        out = build_features(pd.DataFrame({"date": ["2015-01-01"]}))
        assert "date" not in out.columns
        assert out.loc[0, "year"] == 2015


    def test_feature_columns_match_training_order():
        assert FEATURE_COLUMNS == ["store", "day_of_week", "promo"]
    """
    root = make_repo(
        tmp_path,
        {
            "src/__init__.py": "",
            "src/features.py": FEATURES_INLINE + 'FEATURE_COLUMNS = ["store", "promo"]\n',
            "tests/test_features.py": test,
            ".github/workflows/ci.yml": ci("pytest tests"),
        },
    )
    assert evidence(run_check(root, "feature-requirements")) == []
    assert levels(audit(root))["data-4"] == "none"


def test_data4_trap_policy_named_test_without_repo_code(tmp_path) -> None:
    """A test that builds its own frame and asserts on it does not enforce anything."""
    test = """
    import pandas as pd


    def test_leakage_columns_absent():
        out = pd.DataFrame({"store": [1]})
        assert "customers" not in out.columns
    """
    root = make_repo(
        tmp_path,
        {"src/features.py": FEATURES_INLINE, "tests/test_features.py": test},
    )
    assert evidence(run_check(root, "feature-requirements")) == []


def test_data4_trap_leakage_list_nothing_reaches(tmp_path) -> None:
    """A LEAKAGE_COLUMNS constant dropped in a function nothing calls earns nothing."""
    test = """
    from src.features import FEATURE_COLUMNS


    def test_feature_count():
        assert len(FEATURE_COLUMNS) == 3
    """
    root = make_repo(
        tmp_path,
        {
            "src/__init__.py": "",
            "src/features.py": FEATURES_NAMED,
            "tests/test_features.py": test,
        },
    )
    assert evidence(run_check(root, "feature-requirements")) == []
    assert levels(audit(root))["data-4"] == "none"


def test_data4_unittest_and_parametrized_policy_tests(tmp_path) -> None:
    test = """
    import unittest

    import pytest

    from src.features import build_features


    class TestPrivacy(unittest.TestCase):
        def test_pii_removed(self):
            out = build_features(load())
            self.assertNotIn("email", out.columns)


    @pytest.mark.parametrize("col", ["customers", "id"])
    def test_leaky_column_absent(col):
        assert col not in build_features(load()).columns
    """
    root = make_repo(
        tmp_path,
        {
            "src/__init__.py": "",
            "src/features.py": FEATURES_INLINE,
            "tests/test_policy.py": test,
        },
    )
    assert evidence(run_check(root, "feature-requirements")) == [
        ("tests/test_policy.py", 9, "test", "automated", "TestPrivacy.test_pii_removed"),
        ("tests/test_policy.py", 15, "test", "automated", "test_leaky_column_absent"),
    ]


def test_data4_allow_list_applied_by_training_code(tmp_path) -> None:
    train = """
    import pandas as pd
    from sklearn.linear_model import LogisticRegression

    APPROVED_FEATURES = ["store", "promo"]


    def main():
        df = pd.read_csv("data/train.csv")
        LogisticRegression().fit(df[APPROVED_FEATURES], df["y"])


    if __name__ == "__main__":
        main()
    """
    root = make_repo(tmp_path, {"train.py": train})
    out = run_check(root, "feature-requirements")
    assert evidence(out) == [("train.py", 7, "code", "automated", "main")]
    assert details(out) == ["`main` keeps only the columns of `APPROVED_FEATURES`"]
    assert levels(audit(root))["data-4"] == "manual"


def test_data4_deny_list_reached_only_by_a_shape_test_is_manual(tmp_path) -> None:
    """The feature code drops the named deny list, but the CI test only checks the shape: the
    list is applied when someone runs the pipeline, nothing automated checks it."""
    test = """
    import pandas as pd

    from src.features import build_features


    def test_build_features_shape():
        out = build_features(pd.DataFrame({"store": [1], "customers": [5]}))
        assert len(out) == 1
    """
    root = make_repo(
        tmp_path,
        {
            "src/__init__.py": "",
            "src/features.py": FEATURES_NAMED,
            "tests/test_features.py": test,
            ".github/workflows/ci.yml": ci("pytest tests"),
        },
    )
    out = run_check(root, "feature-requirements")
    assert evidence(out) == [("src/features.py", 7, "code", "manual", "build_features")]
    assert levels(audit(root))["data-4"] == "manual"
