"""model-5: baselines fitted and compared, or comparison with the production model."""

from __future__ import annotations

from pathlib import Path

from tests.checks.model._util import produced, where
from tests.helpers import make_repo

CHECK = "baseline-comparison"
EVALUATE = """
from sklearn.dummy import DummyClassifier
from sklearn.metrics import roc_auc_score


def evaluate(model, X, y, X_test, y_test):
    baseline = DummyClassifier(strategy="prior")
    baseline.fit(X, y)
    base_auc = roc_auc_score(y_test, baseline.predict_proba(X_test)[:, 1])
    auc = roc_auc_score(y_test, model.predict_proba(X_test)[:, 1])
    return {"auc": auc, "baseline_auc": base_auc}
"""
TEST_BEATS = """
from sklearn.dummy import DummyRegressor


def test_model_beats_constant_baseline(model, data):
    X, y = data
    base = DummyRegressor().fit(X, y)
    assert model.score(X, y) > base.score(X, y) + 0.05
"""


def test_dummy_baseline_in_evaluation_and_test(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"src/evaluate.py": EVALUATE, "tests/test_quality.py": TEST_BEATS})
    evidence, hints = produced(root, CHECK)
    assert where(evidence) == [
        ("src/evaluate.py", 6, "code", "automated", "evaluate"),
        ("tests/test_quality.py", 6, "test", "automated", "test_model_beats_constant_baseline"),
    ]
    assert evidence[0].detail == (
        "DummyClassifier baseline fitted and scored with the model in `evaluate` (roc_auc_score)"
    )
    assert evidence[1].detail == (
        "DummyRegressor baseline fitted and scored with the model in "
        "`test_model_beats_constant_baseline` (score)"
    )
    assert hints == []


def test_models_dict_and_champion_assert_and_dvc_diff(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "src/compare.py": """
            from sklearn.linear_model import LogisticRegression
            from sklearn.model_selection import cross_val_score


            def compare(X, y, model):
                candidates = {"baseline": LogisticRegression(), "model": model}
                for name, m in candidates.items():
                    m.fit(X, y)
                    print(name, cross_val_score(m, X, y).mean())
            """,
            "tests/test_promotion.py": """
            def test_candidate_not_worse_than_champion(metrics):
                assert metrics["candidate_auc"] >= metrics["champion_auc"] - 0.01
            """,
            ".github/workflows/metrics.yml": "on:\n  pull_request:\njobs:\n  diff:\n"
            "    runs-on: ubuntu-latest\n    steps:\n      - run: dvc metrics diff main\n",
            "scripts/compare.sh": "#!/bin/sh\ndvc exp diff HEAD~1\n",
        },
    )
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [
        ("src/compare.py", 6, "code", "automated", "compare"),
        (
            "tests/test_promotion.py",
            2,
            "test",
            "automated",
            "test_candidate_not_worse_than_champion",
        ),
        (
            ".github/workflows/metrics.yml",
            7,
            "config",
            "automated",
            ".github/workflows/metrics.yml#diff",
        ),
        ("scripts/compare.sh", 2, "code", "automated", None),
    ]
    assert evidence[0].detail == (
        "LogisticRegression baseline fitted and scored with the model in `compare` "
        "(cross_val_score)"
    )
    assert evidence[1].detail == (
        'model metric compared with a reference: `assert metrics["candidate_auc"] >= '
        'metrics["champion_auc"] - 0.01`'
    )
    assert evidence[2].enforced is False  # the root's trigger decides (round 6 J)
    assert evidence[2].detail == (
        "CI job .github/workflows/metrics.yml#diff compares metrics with the main branch: "
        "`dvc metrics diff main`"
    )


def test_production_model_loaded_and_scored(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "pipeline/validate.py": """
            import mlflow
            from sklearn.metrics import f1_score


            def validate(candidate, X, y):
                prod = mlflow.pyfunc.load_model("models:/churn/Production")
                new, old = f1_score(y, candidate.predict(X)), f1_score(y, prod.predict(X))
                return new - old
            """,
        },
    )
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [("pipeline/validate.py", 6, "code", "automated", "validate")]
    assert evidence[0].detail == (
        "production model loaded (`models:/churn/Production`) and scored next to the candidate"
    )


def test_trap_dummy_imported_or_instantiated_only(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "src/models.py": """
            from sklearn.dummy import DummyClassifier, DummyRegressor
            from sklearn.metrics import accuracy_score


            def make_baseline():
                return DummyClassifier()


            def fit_only(X, y):
                d = DummyClassifier()
                d.fit(X, y)
                return accuracy_score(y, d.predict(X))
            """,
            "docs/baseline.md": "# Baseline\n\nassert model > baseline is something we want\n",
        },
    )
    evidence, hints = produced(root, CHECK)
    assert evidence == []
    assert hints == [
        "DummyClassifier instantiated at src/models.py:6 but never fitted; not credited",
        "DummyClassifier fitted at src/models.py:10 but its metric is not compared with the "
        "model's in the same function; not credited",
    ]


def test_dvc_diff_from_python_counts_strings_do_not(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "scripts/report.py": '''
            """Compare with main using `dvc metrics diff` (documentation only)."""
            import subprocess


            def compare():
                subprocess.run(["dvc", "metrics", "diff", "main"], check=True)
            ''',
            "tests/test_fixture_text.py": '''
            FIXTURE = """
            def test_x():
                assert auc > baseline_auc
            """


            def test_fixture_mentions_baseline():
                assert '<b>better than baseline</b>' in FIXTURE or True
            ''',
        },
    )
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [("scripts/report.py", 6, "code", "automated", "compare")]
    assert evidence[0].detail == (
        "script compares metrics with the previous model: `dvc metrics diff main`"
    )


GUARDRAILS = """
def evaluate_promotion(candidate_metrics, champion_metrics, minimum_relative_improvement):
    candidate_rmse = candidate_metrics["overall_rmse"]
    champion_rmse = champion_metrics["overall_rmse"]
    if champion_rmse <= 0:
        raise ValueError("Champion overall RMSE must be positive.")
    relative_improvement = (champion_rmse - candidate_rmse) / champion_rmse
    reasons = []
    if relative_improvement < minimum_relative_improvement:
        reasons.append("not enough improvement over the champion")
    return not reasons
"""


def test_champion_comparison_through_derived_names_not_sanity_checks(tmp_path: Path) -> None:
    """`relative_improvement` is computed from the champion's RMSE, so its threshold check is
    the comparison; `if champion_rmse <= 0: raise` is a sanity check on an input."""
    root = make_repo(tmp_path, {"src/promotion.py": GUARDRAILS})
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [("src/promotion.py", 8, "code", "automated", "evaluate_promotion")]
    assert evidence[0].detail == (
        "model metric compared with a reference: "
        "`if relative_improvement < minimum_relative_improvement:`"
    )


def test_trap_literal_zero_checks_and_production_thresholds(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "src/checks.py": """
            MIN_PRODUCTION_AUC = 0.7


            def check(champion_rmse, auc):
                if champion_rmse <= 0:
                    raise ValueError("Champion RMSE must be positive.")
                if auc < MIN_PRODUCTION_AUC:
                    raise RuntimeError("production model degraded")
            """,
        },
    )
    evidence, hints = produced(root, CHECK)
    assert evidence == []
    assert hints == ["no baseline model, champion comparison or metrics diff found"]


NAIVE = """
from pyspark.ml.evaluation import RegressionEvaluator


def _persistence_rmse(df, target_col):
    return df.selectExpr(f"sqrt(avg(pow({target_col} - temperature, 2)))").first()[0]


def train(model, test_df, target_col):
    scored = model.transform(test_df)
    rmse = RegressionEvaluator(labelCol=target_col, metricName="rmse").evaluate(scored)
    persistence = _persistence_rmse(scored, target_col)
    return {"rmse": rmse, "persistence_rmse": persistence, "skill": 1 - rmse / persistence}


def describe(df):
    return _persistence_rmse(df, "t")
"""


def test_naive_baseline_scored_next_to_the_model(tmp_path: Path) -> None:
    """A persistence baseline's RMSE computed next to the model's RMSE counts; the same
    helper called where no model metric is computed (`describe`) does not."""
    root = make_repo(tmp_path, {"spark/jobs/ml_training.py": NAIVE})
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [("spark/jobs/ml_training.py", 11, "code", "automated", "train")]
    assert evidence[0].detail == (
        "naive baseline `_persistence_rmse` scored next to the model's `evaluate` in `train`"
    )


def test_fitted_baseline_component_scored_by_the_evaluation_step(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "pipelines/components/prophet_op.py": """
            def train_prophet_baseline(raw, forecast):
                from prophet import Prophet

                m = Prophet()
                m.fit(raw)
                return m.predict(raw)
            """,
            "pipelines/components/evaluate_op.py": """
            def evaluate(holdout, xgb_model, prophet_forecast, threshold=0.35):
                def _wmape(y, yhat):
                    return abs(y - yhat).sum() / abs(y).sum()

                wmape_xgb = _wmape(holdout["y"], xgb_model.predict(holdout))
                wmape_prophet = _wmape(holdout["y"], prophet_forecast["yhat"])
                return wmape_xgb <= threshold, wmape_xgb, wmape_prophet
            """,
            "pipelines/components/report_op.py": """
            def summarise(prophet_forecast):
                return len(prophet_forecast)
            """,
        },
    )
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [
        ("pipelines/components/evaluate_op.py", 1, "code", "automated", "evaluate")
    ]
    assert evidence[0].detail == (
        "baseline model `train_prophet_baseline` (pipelines/components/prophet_op.py) scored "
        "next to the model in `evaluate` (_wmape)"
    )


PROMOTION = """
def decide_promotion(current_metrics, candidate_metrics, epsilon=1e-9):
    current_recall = float(current_metrics.get("recall_at_k", 0.0))
    candidate_recall = float(candidate_metrics.get("recall_at_k", 0.0))
    if candidate_recall > current_recall + epsilon:
        return True
    return False
"""
EARLY_STOPPING = """
def fit(model, epochs, val):
    best_val_map = float("-inf")
    for epoch in range(epochs):
        current_map = model.ranking_metrics(val)["map_at_k"]
        if current_map > best_val_map:
            best_val_map = current_map
            continue
        return model
"""
POPULARITY = """
def recall_at_k(recommended, relevant, k):
    return len(set(recommended[:k]) & relevant) / max(len(relevant), 1)


def evaluate_popularity_baseline(items, test_df, k):
    return {"recall_at_k": recall_at_k(items, set(test_df), k)}


def evaluate_personalized_model(bundle, test_df, k):
    return {"recall_at_k": recall_at_k(bundle["recs"], set(test_df), k)}


def run_evaluation(items, bundle, test_df, k):
    baseline = evaluate_popularity_baseline(items, test_df, k)
    model = evaluate_personalized_model(bundle, test_df, k)
    return {"popularity_baseline": baseline, "personalized": model}
"""
POPULARITY_ALONE = """
def recall_at_k(recommended, relevant, k):
    return len(set(recommended[:k]) & relevant) / max(len(relevant), 1)


def evaluate_popularity_baseline(items, test_df, k):
    return {"recall_at_k": recall_at_k(items, set(test_df), k)}


def run_baseline(items, val_df, test_df, k):
    val = evaluate_popularity_baseline(items, val_df, k)
    test = evaluate_popularity_baseline(items, test_df, k)
    return {"val": val, "test": test, "rows": len(test_df)}
"""


def test_champion_challenger_promotion_rule(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"src/pipeline/retrain.py": PROMOTION})
    evidence, hints = produced(root, CHECK)
    assert where(evidence) == [
        ("src/pipeline/retrain.py", 4, "code", "automated", "decide_promotion")
    ]
    assert evidence[0].detail == (
        "model metric compared with a reference: `if candidate_recall > current_recall + epsilon:`"
    )
    assert hints == []


SEARCH_LOOP = """
def search(trials, evaluate):
    current_best_score = 0.5
    for params in trials:
        candidate_score = evaluate(params)
        if candidate_score > current_best_score + 0.01:
            return params
    return None
"""


def test_early_stopping_on_current_metric_is_not_a_champion_comparison(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path, {"src/models/bpr.py": EARLY_STOPPING, "src/models/search.py": SEARCH_LOOP}
    )
    evidence, hints = produced(root, CHECK)
    assert evidence == []
    assert hints == ["no baseline model, champion comparison or metrics diff found"]


def test_popularity_baseline_scored_next_to_recommender(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"src/models/evaluate.py": POPULARITY})
    evidence, hints = produced(root, CHECK)
    assert where(evidence) == [
        ("src/models/evaluate.py", 14, "code", "automated", "run_evaluation")
    ]
    assert evidence[0].detail == (
        "naive baseline `evaluate_popularity_baseline` scored next to the model's "
        "`evaluate_personalized_model` in `run_evaluation`"
    )
    assert hints == []


def test_popularity_baseline_scored_alone_is_not_a_comparison(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"src/models/baseline.py": POPULARITY_ALONE})
    evidence, hints = produced(root, CHECK)
    assert evidence == []
    assert hints == ["no baseline model, champion comparison or metrics diff found"]


RETRAIN_PROMOTE = """
import shutil


def main(model, current_model, val, cfg):
    new_metrics = calculate_metrics(val.y, model.predict(val.X))
    current_metrics = calculate_metrics(val.y, current_model.predict(val.X))
    improvement = new_metrics["macro_f1"] - current_metrics["macro_f1"]
    min_improvement = cfg.get("min_improvement_f1", 0.02)
    if improvement >= min_improvement:
        shutil.copy(cfg["new_model_path"], cfg["current_model_path"])
    else:
        print("not promoted")
"""
LOOP_DECISION = """
def run_cycle(champion, challenger, holdout, margin):
    champ_holdout = rmse(champion.pipeline, holdout)
    chal_holdout = rmse(challenger.pipeline, holdout)
    decision = "promoted" if chal_holdout < champ_holdout * (1 - margin) else "rejected"
    return decision
"""


def test_new_vs_current_promotion_by_copy_and_labelled_champion_decision(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {"src/retrain.py": RETRAIN_PROMOTE, "src/loop.py": LOOP_DECISION},
    )
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [
        ("src/loop.py", 4, "code", "automated", "run_cycle"),
        ("src/retrain.py", 9, "code", "automated", "main"),
    ]
    assert [e.detail for e in evidence] == [
        "model metric compared with a reference: `decision: chal_holdout < champ_holdout * "
        "(1 - margin)`",
        "model metric compared with a reference: `if improvement >= min_improvement:`",
    ]


TRAP_NO_REFERENCE = """
def report(n_rows, new_loss, current_loss):
    size = "big" if n_rows > 1000 else "small"
    if new_loss < current_loss:
        print("improved")
    return size
"""


def test_trap_label_without_reference_and_comparison_that_does_nothing(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"src/report.py": TRAP_NO_REFERENCE})
    evidence, hints = produced(root, CHECK)
    assert evidence == []
    assert hints == ["no baseline model, champion comparison or metrics diff found"]
