"""Tests that import a project's classes through its package facade (`from shop.models import
FeatureBuilder`, re-exported by `models/__init__.py`) test the module defining them: data-7
and infra-2 follow the re-export. A name the package defines itself stays with the package."""

from __future__ import annotations

from tests.checks.data.util import ci
from tests.helpers import audit, levels, make_repo

FEATURES = """
import pandas as pd


class FeatureBuilder:
    def transform(self, df: pd.DataFrame) -> pd.DataFrame:
        out = df.copy()
        out["tenure_years"] = out["tenure_months"] / 12
        return out
"""
MODEL = """
from sklearn.linear_model import LogisticRegression


def build_model(c: float = 1.0) -> LogisticRegression:
    return LogisticRegression(C=c, max_iter=200)
"""
TRAIN = """
import pandas as pd
from shop.models import FeatureBuilder, build_model


def main() -> None:
    df = FeatureBuilder().transform(pd.read_csv("data/train.csv"))
    build_model().fit(df[["tenure_years"]], df["churn"])


if __name__ == "__main__":
    main()
"""
TESTS = """
import pandas as pd
from shop.models import FeatureBuilder, build_model


def test_tenure_in_years():
    out = FeatureBuilder().transform(pd.DataFrame({"tenure_months": [24]}))
    assert out["tenure_years"].tolist() == [2.0]


def test_model_fits_two_rows():
    model = build_model().fit([[0.0], [1.0]], [0, 1])
    assert list(model.predict([[1.0]])) == [1]
"""


def _repo(tmp_path, init: str):
    return make_repo(
        tmp_path,
        {
            "src/shop/__init__.py": "",
            "src/shop/models/__init__.py": init,
            "src/shop/models/features.py": FEATURES,
            "src/shop/models/model.py": MODEL,
            "src/shop/train.py": TRAIN,
            "tests/test_models.py": TESTS,
            ".github/workflows/ci.yml": ci("pytest tests"),
        },
        git=True,
    )


def test_tests_through_the_facade_test_the_defining_modules(tmp_path):
    init = "from .features import FeatureBuilder\nfrom .model import *\n"
    result = audit(_repo(tmp_path, init))
    assert {k: levels(result)[k] for k in ("data-7", "infra-2")} == {
        "data-7": "automated",
        "infra-2": "automated",
    }
    items = {i.id: i for i in result.items}
    assert [(e.path, e.line) for e in items["data-7"].evidence] == [("tests/test_models.py", 5)]
    assert "src/shop/models/features.py" in items["data-7"].reason


def test_a_facade_that_defines_nothing_of_it_links_nothing(tmp_path):
    # the trap: the package's own stand-ins share the names; the modules are never imported
    init = "class FeatureBuilder:\n    pass\n\n\ndef build_model():\n    return None\n"
    result = audit(_repo(tmp_path, init))
    assert {k: levels(result)[k] for k in ("data-7", "infra-2")} == {
        "data-7": "none",
        "infra-2": "none",
    }
