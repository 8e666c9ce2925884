"""data-2 (importance), data-3 (cost) and data-4 (meta-level requirements)."""

from __future__ import annotations

from tests.checks.data.util import ci, details, evidence, hints
from tests.helpers import audit, levels, make_repo, notebook, run_check

IMPORTANCE = """
from sklearn.ensemble import RandomForestClassifier
from sklearn.inspection import permutation_importance


def analyse(model, X, y):
    result = permutation_importance(model, X, y, n_repeats=5)
    print(result.importances_mean)
    return result


def report(model, names):
    for name, value in zip(names, model.feature_importances_):
        print(name, value)


if __name__ == "__main__":
    analyse(RandomForestClassifier(), [[1]], [1])
"""


def test_data2_importance_code(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            "src/importance.py": IMPORTANCE,
            ".github/workflows/ci.yml": ci("python src/importance.py"),
        },
    )
    out = run_check(root, "feature-importance")
    assert evidence(out) == [
        ("src/importance.py", 6, "code", "automated", "analyse"),
        ("src/importance.py", 12, "code", "automated", "report"),
    ]
    assert details(out) == [
        "permutation importance computed",
        "`feature_importances_` read and reported",
    ]


def test_data2_importance_automated_by_ci(tmp_path) -> None:
    """Depends on the AutomationMap following `python src/importance.py` into `analyse`."""
    root = make_repo(
        tmp_path,
        {
            "src/importance.py": IMPORTANCE,
            ".github/workflows/ci.yml": ci("python src/importance.py"),
        },
    )
    assert levels(audit(root))["data-2"] == "automated"


SPARK_TRAINING = """
from pyspark.ml.regression import GBTRegressor
import xgboost as xgb


def train(df, feature_cols):
    model = GBTRegressor(featuresCol="features", labelCol="y").fit(df)
    importance = model.featureImportances
    ranked = sorted(zip(feature_cols, importance), key=lambda x: -x[1])
    print(ranked[:10])
    return model


def boosted(dtrain):
    booster = xgb.train({"max_depth": 3}, dtrain)
    scores = booster.get_score(importance_type="gain")
    return scores


if __name__ == "__main__":
    train(None, [])
"""


def test_data2_spark_feature_importances_and_unreported_booster_scores(tmp_path) -> None:
    """Spark's `featureImportances` printed is credited; an XGBoost `get_score` that is only
    returned (never printed, logged or saved) is not."""
    root = make_repo(
        tmp_path,
        {
            "spark/jobs/ml_training.py": SPARK_TRAINING,
            ".github/workflows/nightly.yml": """
                name: nightly
                on:
                  schedule:
                    - cron: "0 3 * * *"
                jobs:
                  train:
                    runs-on: ubuntu-latest
                    steps:
                      - uses: actions/checkout@v4
                      - run: python spark/jobs/ml_training.py
            """,
        },
    )
    out = run_check(root, "feature-importance")
    assert evidence(out) == [("spark/jobs/ml_training.py", 7, "code", "automated", "train")]
    assert details(out) == ["Spark ML `featureImportances` read and reported"]
    assert levels(audit(root))["data-2"] == "automated"


def test_data2_xgboost_get_score_logged(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            "train.py": """
                import mlflow
                import xgboost as xgb


                def fit(dtrain):
                    booster = xgb.train({"max_depth": 3}, dtrain)
                    mlflow.log_dict(booster.get_score(importance_type="gain"), "importance.json")
            """,
        },
    )
    out = run_check(root, "feature-importance")
    assert evidence(out) == [("train.py", 7, "code", "automated", "fit")]
    assert details(out) == ["XGBoost booster `get_score()` read and reported"]


def test_data2_notebook_with_outputs_and_report_file_are_manual(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            "notebooks/shap.ipynb": notebook(
                "import shap\nexplainer = shap.TreeExplainer(model)",
                "values = explainer.shap_values(X)\nshap.summary_plot(values, X)",
                outputs=True,
            ),
            "reports/feature_importance.csv": "feature,importance\nage,0.4\n",
        },
    )
    out = run_check(root, "feature-importance")
    assert [(p, k, c) for p, _l, k, c, _s in evidence(out)] == [
        ("notebooks/shap.ipynb", "result", "manual"),
        ("reports/feature_importance.csv", "result", "manual"),
    ]
    assert levels(audit(root))["data-2"] == "manual"


def test_data2_trap_import_comment_and_unfitted_selector(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            "src/model.py": """
                import shap  # TODO compute SHAP values
                from sklearn.feature_selection import SelectKBest

                # we should print model.feature_importances_ one day
                selector = SelectKBest(k=3)
            """,
        },
    )
    out = run_check(root, "feature-importance")
    assert evidence(out) == []
    assert hints(out)[0].startswith("looked for permutation_importance")
    assert "attestations: [{item: data-2" in hints(out)[0]


def test_data3_documented_cost_feast_ttl_and_benchmark(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            "docs/features.md": """
                # Features

                ## Feature cost

                | feature | latency | upstream |
                |---|---|---|
                | user_age | 2 ms | users table |
                | basket_value | 40 ms | orders service, memory 200 MB per batch |
            """,
            "repo/views.py": """
                from datetime import timedelta
                from feast import FeatureView

                orders = FeatureView(name="orders", entities=[], ttl=timedelta(days=1))
            """,
            "tests/test_speed.py": """
                from features import build_features


                def test_feature_latency(benchmark):
                    result = benchmark(build_features, [1, 2])
                    assert result
            """,
        },
    )
    out = run_check(root, "feature-cost")
    assert evidence(out) == [
        ("docs/features.md", 3, "doc", "manual", None),
        ("repo/views.py", 4, "code", "manual", None),
        ("tests/test_speed.py", 4, "test", "automated", "test_feature_latency"),
    ]
    assert details(out)[1] == "Feast feature view `orders` declares ttl"


def test_data3_trap_placeholder_doc_gives_attestation_hint(tmp_path) -> None:
    root = make_repo(tmp_path, {"docs/features.md": "# Feature cost\n\nTODO: measure latency.\n"})
    out = run_check(root, "feature-cost")
    assert evidence(out) == []
    assert "docs/feature-costs.md" in hints(out)[0]


POLICY = """
PROTECTED_COLUMNS = ["race", "gender", "religion"]
"""
POLICY_TEST = """
from features.policy import PROTECTED_COLUMNS
from features.build import build


def test_no_protected_columns():
    df = build()
    assert not set(PROTECTED_COLUMNS) & set(df.columns)
"""


def test_data4_deny_list_enforced_by_test(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            "features/policy.py": POLICY,
            "features/build.py": "def build():\n    return None\n",
            "tests/test_policy.py": POLICY_TEST,
            ".github/workflows/ci.yml": ci(),
        },
    )
    out = run_check(root, "feature-requirements")
    assert evidence(out) == [
        ("tests/test_policy.py", 5, "test", "automated", "test_no_protected_columns")
    ]
    assert details(out) == [
        "`test_no_protected_columns` asserts feature columns against `PROTECTED_COLUMNS`"
    ]


FROZEN_POLICY = """
import pandas as pd

FORBIDDEN_FEATURES = frozenset({"application_id", "age", "region"})
ALLOWED_SOURCES = set(["crm", "bureau"])


def build_features(raw: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    forbidden = FORBIDDEN_FEATURES.intersection(columns)
    if forbidden:
        raise ValueError(f"forbidden features requested: {sorted(forbidden)}")
    return raw[columns]
"""


def test_data4_frozenset_deny_list_enforced_in_code_and_test(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            "src/risk/features.py": FROZEN_POLICY,
            "tests/test_features.py": """
                from risk.features import FORBIDDEN_FEATURES


                def test_no_forbidden_feature_is_a_model_input():
                    feature_columns = ["income", "loan_amount"]
                    assert not FORBIDDEN_FEATURES.intersection(feature_columns)
            """,
            ".github/workflows/ci.yml": ci(),
        },
    )
    out = run_check(root, "feature-requirements")
    assert evidence(out) == [
        ("src/risk/features.py", 7, "code", "automated", "build_features"),
        (
            "tests/test_features.py",
            4,
            "test",
            "automated",
            "test_no_forbidden_feature_is_a_model_input",
        ),
        ("src/risk/features.py", 4, "config", "manual", None),
    ]
    assert details(out)[0] == "`build_features` checks feature columns against `FORBIDDEN_FEATURES`"
    assert details(out)[2] == (
        "feature list `ALLOWED_SOURCES` (2 entries) written down but not enforced by any test or "
        "pipeline check"
    )
    assert levels(audit(root))["data-4"] == "automated"


def test_data4_trap_frozenset_of_a_non_literal_is_not_a_list(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {"src/risk/features.py": "import os\nFORBIDDEN_FEATURES = frozenset(os.environ)\n"},
    )
    out = run_check(root, "feature-requirements")
    assert evidence(out) == []


def test_data4_automated_when_ci_runs_the_test(tmp_path) -> None:
    """Depends on the AutomationMap recording tests collected by `pytest tests`."""
    root = make_repo(
        tmp_path,
        {
            "features/policy.py": POLICY,
            "features/build.py": "def build():\n    return None\n",
            "tests/test_policy.py": POLICY_TEST,
            ".github/workflows/ci.yml": ci(),
        },
    )
    assert levels(audit(root))["data-4"] == "automated"


def test_data4_list_written_down_and_licence_are_manual(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            "features/policy.py": POLICY,
            "DATA_CARD.md": """
                # Data card

                ## Data sources and licences

                The click log is our own first-party data. The census table is used under
                CC-BY 4.0 from the national statistics office, with attribution in the app.
            """,
        },
    )
    out = run_check(root, "feature-requirements")
    assert evidence(out) == [
        ("features/policy.py", 1, "config", "manual", None),
        ("DATA_CARD.md", 3, "doc", "manual", None),
    ]
    assert levels(audit(root))["data-4"] == "manual"


def test_data4_trap_skipped_test_and_no_assert(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            "tests/test_policy.py": """
                import pytest

                FORBIDDEN_FEATURES = ["ssn"]


                @pytest.mark.skip(reason="later")
                def test_forbidden():
                    assert not set(FORBIDDEN_FEATURES) & set(load().columns)


                def test_printing():
                    print("race" not in load().columns)
            """,
        },
    )
    out = run_check(root, "feature-requirements")
    assert evidence(out) == [("tests/test_policy.py", 3, "config", "manual", None)]
    assert "written down but not enforced" in details(out)[0]


def test_data2_script_is_preferred_over_a_notebook_without_outputs(tmp_path) -> None:
    """An unexecuted notebook (no saved outputs) is not listed when a script computes the
    same analysis; the reason then leads with the script."""
    files = {
        "notebooks/04_shap.ipynb": notebook(
            "import shap\nexplainer = shap.TreeExplainer(model)",
            "values = explainer.shap_values(X)",
        ),
        "src/models/train.py": """
            import shap


            def explain(model, X):
                explainer = shap.TreeExplainer(model)
                return explainer.shap_values(X)
        """,
    }
    out = run_check(make_repo(tmp_path / "both", files), "feature-importance")
    # the evidence is where the values are computed, not where the explainer is built
    assert evidence(out) == [("src/models/train.py", 6, "code", "automated", "explain")]
    assert hints(out) == [
        "notebooks/04_shap.ipynb:19 (SHAP values computed with `shap.TreeExplainer`) is a "
        "notebook without saved outputs; not listed, the script/result evidence is"
    ]
    alone = make_repo(
        tmp_path / "alone", {"notebooks/04_shap.ipynb": files["notebooks/04_shap.ipynb"]}
    )
    out = run_check(alone, "feature-importance")
    assert details(out) == [
        "SHAP values computed with `shap.TreeExplainer` (notebook has no saved outputs)"
    ]
    assert levels(audit(alone))["data-2"] == "manual"


ABLATION_HELPER = """
from sklearn.metrics import roc_auc_score

from fdml.models.train.runner import _fit_model, featurize

FEATURE_GROUPS = {"log_amount": lambda d: d.update(log_amount=False)}


def run_ablation(cfg, X_train, X_val, y_train, y_val):
    rows = []
    for name, mutate in FEATURE_GROUPS.items():
        X_tr, X_va = featurize(X_train, X_val, mutate)
        model = _fit_model(cfg, X_tr, y_train)
        rows.append((name, roc_auc_score(y_val, model.predict_proba(X_va)[:, 1])))
    return rows


if __name__ == "__main__":
    print(run_ablation(None, [], [], [], []))
"""


def test_data2_ablation_with_own_fit_helper(tmp_path) -> None:
    """An ablation loop that retrains through the project's `_fit_model` helper (REVIEW-H)."""
    root = make_repo(tmp_path, {"src/fdml/ablation.py": ABLATION_HELPER})
    out = run_check(root, "feature-importance")
    assert evidence(out) == [("src/fdml/ablation.py", 8, "code", "automated", "run_ablation")]
    assert details(out) == [
        "drop-column/ablation experiment `run_ablation` retrains without features"
    ]
    assert levels(audit(root))["data-2"] == "manual"


def test_data2_ablation_named_function_without_retraining_trap(tmp_path) -> None:
    """`summarize_ablation` only tabulates results (and `train_test_split` is no retraining)."""
    trap = """
from sklearn.model_selection import train_test_split


def summarize_ablation(results):
    train, test = train_test_split(results)
    return results.groupby("variant").mean()
"""
    root = make_repo(tmp_path, {"src/fdml/ablation.py": trap})
    out = run_check(root, "feature-importance")
    assert evidence(out) == []
    assert levels(audit(root))["data-2"] == "none"
