"""data-5 (privacy controls), data-6 (adding features) and data-7 (feature code tests)."""

from __future__ import annotations

from tests.checks.data.util import ci, details, evidence, hints
from tests.helpers import audit, levels, make_repo, run_check

ANON = """
import hashlib

from presidio_analyzer import AnalyzerEngine


def pseudonymise(df):
    df["email"] = df["email"].map(lambda v: hashlib.sha256(v.encode()).hexdigest())
    return df


def find_pii(texts):
    engine = AnalyzerEngine()
    return [engine.analyze(text=t, language="en") for t in texts]
"""


def test_data5_controls(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            "src/anon.py": ANON,
            ".gitignore": "__pycache__/\ndata/\n",
            ".dvc/config": "[core]\n    remote = storage\n['remote \"storage\"']\n    url = s3://b\n",
            ".pre-commit-config.yaml": """
                repos:
                  - repo: https://github.com/gitleaks/gitleaks
                    rev: v8.18.0
                    hooks:
                      - id: gitleaks
            """,
        },
    )
    out = run_check(root, "privacy-controls")
    assert evidence(out) == [
        ("src/anon.py", 13, "code", "automated", "find_pii"),
        ("src/anon.py", 7, "code", "automated", "pseudonymise"),
        (".gitignore", 2, "config", "manual", None),
        (".pre-commit-config.yaml", 5, "config", "automated", None),
    ]
    assert details(out)[1] == "identifier columns email hashed with `hashlib.sha256`"
    assert details(out)[2] == (
        "data kept out of git: `data/` ignored and stored via DVC remote storage (.dvc/config)"
    )


def test_data5_manual_docs_only(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            "docs/data.md": """
                # Data

                ## Access and retention

                Raw exports live in the restricted bucket. Only the data team has read access,
                granted through the access request form, and raw files are deleted after 30 days.
            """
        },
    )
    out = run_check(root, "privacy-controls")
    assert evidence(out) == [("docs/data.md", 3, "doc", "manual", None)]
    assert levels(audit(root))["data-5"] == "manual"


def test_data5_trap_gitignore_without_remote_and_unused_hash(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            ".gitignore": "data/\n",
            "src/util.py": "import hashlib\n\ndef digest(b):\n    return hashlib.md5(b).digest()\n",
            "docs/privacy.md": "# Privacy\n\nTODO\n",
        },
    )
    out = run_check(root, "privacy-controls")
    assert evidence(out) == []
    assert hints(out)[0].startswith("data kept out of git needs both")


def test_data6_feast_config_list_and_procedure(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            "feature_repo/feature_store.yaml": "project: shop\nregistry: data/registry.db\n",
            "feature_repo/views.py": """
                from feast import FeatureView

                orders = FeatureView(name="orders", entities=[])
            """,
            "configs/features.yaml": "target: churn\nfeatures:\n  - age\n  - income\n",
            "src/build.py": 'import yaml\n\nCFG = yaml.safe_load(open("configs/features.yaml"))\n',
            "CONTRIBUTING.md": """
                # Contributing

                ## Adding a new feature

                Add the column to configs/features.yaml, implement it in src/build.py, add a unit
                test next to the other feature tests and open a pull request for review.
            """,
            "CHANGELOG.md": "# Changes\n\n## New features\n\n" + "Added a lot of things. " * 10,
        },
    )
    out = run_check(root, "feature-onboarding")
    assert evidence(out) == [
        ("feature_repo/feature_store.yaml", 1, "config", "manual", None),
        ("feature_repo/views.py", 3, "code", "manual", None),
        ("configs/features.yaml", 2, "config", "manual", None),
        ("CONTRIBUTING.md", 3, "doc", "manual", None),
    ]
    assert details(out)[2] == (
        "config-driven feature list `features` (2 features) read by src/build.py"
    )


def test_data6_trap_unread_config_and_changelog(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            "configs/features.yaml": "features:\n  - age\n  - income\n",
            "CHANGELOG.md": "# Changes\n\n## New features\n\n" + "Added a pipeline config. " * 10,
        },
    )
    out = run_check(root, "feature-onboarding")
    assert evidence(out) == []
    assert "docs/adding-a-feature.md" in hints(out)[0]


FEATURES = """
import numpy as np
import pandas as pd


def add_ratios(df: pd.DataFrame) -> pd.DataFrame:
    df["ratio"] = df["a"] / df["b"]
    return df


def log_income(df):
    return np.log1p(df["income"])
"""


def test_data7_feature_tests(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            "src/shop/features.py": FEATURES,
            "src/shop/cleaning.py": """
                import pandas as pd


                def clean_orders(df):
                    return df.fillna(0)
            """,
            "src/shop/model.py": "def train(x):\n    return x\n",
            "tests/test_features.py": """
                from shop.features import add_ratios


                def test_ratio():
                    out = add_ratios(make())
                    assert list(out["ratio"]) == [0.5]
            """,
            "tests/test_model.py": """
                from shop.model import train


                def test_train():
                    assert train(1) == 1
            """,
            ".github/workflows/ci.yml": ci(),
        },
    )
    out = run_check(root, "feature-code-tests")
    assert evidence(out) == [("tests/test_features.py", 4, "test", "automated", "test_ratio")]
    assert details(out) == ["tests feature code in src/shop/features.py"]
    assert hints(out) == [
        "feature modules without a live test calling into them: src/shop/cleaning.py"
    ]


def test_data7_automated_when_ci_collects_the_test(tmp_path) -> None:
    """Depends on the AutomationMap recording tests collected by `pytest tests`."""
    root = make_repo(
        tmp_path,
        {
            "src/shop/features.py": FEATURES,
            "tests/test_features.py": """
                from shop.features import add_ratios


                def test_ratio():
                    assert add_ratios(None) is None
            """,
            ".github/workflows/ci.yml": ci(),
        },
    )
    assert levels(audit(root))["data-7"] == "automated"


def test_data7_trap_skipped_and_unrelated_tests_with_coverage(tmp_path) -> None:
    coverage = """<?xml version="1.0" ?>
<coverage line-rate="0.5">
  <packages><package name="shop"><classes>
    <class name="features.py" filename="shop/features.py" line-rate="0.8"></class>
  </classes></package></packages>
</coverage>
"""
    root = make_repo(
        tmp_path,
        {
            "src/shop/features.py": FEATURES,
            "tests/test_features.py": """
                import pytest
                from shop.features import add_ratios


                @pytest.mark.skip(reason="flaky")
                def test_ratio():
                    assert add_ratios(None) is None


                def test_nothing():
                    add_ratios(None)
            """,
            "coverage.xml": coverage,
        },
    )
    out = run_check(root, "feature-code-tests")
    assert evidence(out) == [("coverage.xml", 4, "result", "manual", None)]
    assert details(out) == [
        "committed coverage report: feature module line coverage src/shop/features.py 80%"
    ]
    assert hints(out) == [
        "feature modules without a live test calling into them: src/shop/features.py"
    ]
    assert levels(audit(root))["data-7"] == "manual"


def test_data7_coverage_with_entities_is_refused(tmp_path) -> None:
    hostile = (
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">]>\n'
        "<coverage><packages/></coverage>\n"
    )
    root = make_repo(
        tmp_path,
        {"src/shop/features.py": FEATURES, "coverage.xml": hostile},
    )
    out = run_check(root, "feature-code-tests")
    assert evidence(out) == []
    assert "coverage.xml declares a DOCTYPE/ENTITY; not parsed (XML entity safety)" in hints(out)


def test_data7_transformer_class_found_by_behaviour(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            "pkg/steps.py": """
                from sklearn.base import BaseEstimator, TransformerMixin


                class Clipper(BaseEstimator, TransformerMixin):
                    def fit(self, X, y=None):
                        return self

                    def transform(self, X):
                        return X.clip(0, 1)
            """,
        },
    )
    out = run_check(root, "feature-code-tests")
    assert hints(out) == ["feature modules without a live test calling into them: pkg/steps.py"]
