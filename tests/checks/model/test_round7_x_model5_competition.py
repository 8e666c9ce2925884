"""model-5 accuracy (round 7, X / REVIEW-T point 4, REVIEW-S point 9): a training function
that fits a linear/logistic model next to more complex estimators and keeps the best by a
metric compares against a simpler model (automated when a schedule or CI runs it); a committed
results file listing a linear model's metrics next to complex ones is manual. Sorting feature
importances, a competition without a simple model, and a README leaderboard earn nothing."""

from __future__ import annotations

from pathlib import Path

from tests.checks.model._util import produced, where
from tests.helpers import audit, levels, make_repo

CHECK = "baseline-comparison"
TRAIN = """
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from xgboost import XGBClassifier


def fit_one(model, X, y):
    model.fit(X, y)
    return {"model": model, "auc": roc_auc_score(y, model.predict_proba(X)[:, 1])}


def train(X, y):
    models = [
        (LogisticRegression(max_iter=1000), "logreg"),
        (RandomForestClassifier(), "rf"),
        (XGBClassifier(), "xgb"),
    ]
    best_auc, best = -1, None
    for model, name in models:
        result = fit_one(model, X, y)
        if result["auc"] > best_auc:
            best_auc = result["auc"]
            best = result
    return best
"""
DAG = """
from airflow import DAG
from airflow.operators.python import PythonOperator
from training import train

with DAG("retrain", schedule_interval="@weekly", start_date=None) as dag:
    PythonOperator(task_id="train", python_callable=train)
"""
RESULTS = """
Random_Forest:
RMSE: 8.727
R-squared: -0.02

XG_Boost:
RMSE: 8.624
R-squared: 0.0003

Linear_Regression:
Best parameters: {'alpha': 100}
Root Mean Square Error (RMSE): 8.671
"""


def test_scheduled_competition_with_logistic_regression_is_automated(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"dags/training.py": TRAIN, "dags/retrain_dag.py": DAG})
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [("dags/training.py", 14, "code", "automated", "train")]
    assert evidence[0].detail == (
        "simple model `LogisticRegression` competes with RandomForestClassifier, XGBClassifier "
        'in `train`, which keeps the best by a metric (`if result["auc"] > best_auc`)'
    )
    assert levels(audit(root))["model-5"] == "automated"


def test_hand_run_competition_is_manual(tmp_path: Path) -> None:
    main = '\n\nif __name__ == "__main__":\n    train(None, None)\n'
    root = make_repo(tmp_path, {"src/training.py": TRAIN + main})
    assert levels(audit(root))["model-5"] == "manual"


def test_competition_picked_with_max_key_is_credited(tmp_path: Path) -> None:
    code = """
    from sklearn.dummy import DummyClassifier
    from sklearn.ensemble import GradientBoostingClassifier
    from sklearn.model_selection import cross_val_score

    def select(X, y):
        scores = {}
        models = {"dummy": DummyClassifier(), "gbm": GradientBoostingClassifier()}
        for name, model in models.items():
            scores[name] = cross_val_score(model, X, y, scoring="f1").mean()
        return max(scores, key=scores.get)

    if __name__ == "__main__":
        select(None, None)
    """
    root = make_repo(tmp_path, {"select.py": code})
    evidence, _ = produced(root, CHECK)
    assert [(e.path, e.line, e.symbol) for e in evidence] == [("select.py", 7, "select")]
    assert evidence[0].detail.endswith("keeps the best by a metric (`max(...)`)")


def test_sorting_feature_importances_is_not_a_selection(tmp_path: Path) -> None:
    code = """
    import pandas as pd
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.linear_model import LogisticRegression

    def train_models(X, y):
        out = {}
        for model in (LogisticRegression(), RandomForestClassifier()):
            model.fit(X, y)
            fi = getattr(model, "feature_importances_", None)
            pd.Series(fi).sort_values(ascending=False).head(20).plot(kind="bar")
            out[type(model).__name__] = model.score(X, y)
        return out

    if __name__ == "__main__":
        train_models(None, None)
    """
    root = make_repo(tmp_path, {"train.py": code})
    evidence, _ = produced(root, CHECK)
    assert evidence == []


def test_competition_without_a_simple_model_is_not_credited(tmp_path: Path) -> None:
    code = TRAIN.replace('(LogisticRegression(max_iter=1000), "logreg"),', "")
    root = make_repo(tmp_path, {"dags/training.py": code, "dags/retrain_dag.py": DAG})
    evidence, _ = produced(root, CHECK)
    assert evidence == []


def test_competition_in_a_method_of_an_unused_class_is_not_credited(tmp_path: Path) -> None:
    # the pipeline imports the module-level `train`; nothing names `Trainer`
    method = """

class Trainer:
    def train(self, X, y):
        scores = {}
        for model in (LogisticRegression(), RandomForestClassifier()):
            model.fit(X, y)
            scores[type(model).__name__] = roc_auc_score(y, model.predict(X))
        return max(scores, key=scores.get)
"""
    files = {"dags/training.py": TRAIN + method, "dags/retrain_dag.py": DAG}
    root = make_repo(tmp_path, files)
    evidence, hints = produced(root, CHECK)
    assert [(e.path, e.line, e.symbol) for e in evidence] == [("dags/training.py", 14, "train")]
    assert any(
        "(dags/training.py:30), but class `Trainer` is never instantiated, subclassed or "
        "imported, so `Trainer.train` never runs; not credited" in h
        for h in hints
    )


def test_committed_results_with_linear_model_are_manual(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"models_evaluation/results.txt": RESULTS})
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [("models_evaluation/results.txt", 9, "result", "manual", None)]
    assert evidence[0].detail == (
        "committed results compare simple model `Linear_Regression` (RMSE 8.671) with "
        "Random_Forest, XG_Boost in models_evaluation/results.txt"
    )
    assert levels(audit(root))["model-5"] == "manual"


def test_results_table_with_header_metrics_is_manual(tmp_path: Path) -> None:
    table = """
    | model | accuracy | f1 |
    |---|---|---|
    | LogisticRegression | 0.81 | 0.77 |
    | RandomForest | 0.85 | 0.80 |
    """
    root = make_repo(tmp_path, {"reports/model_comparison.md": table})
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [("reports/model_comparison.md", 3, "result", "manual", None)]


def test_readme_leaderboard_and_names_without_metrics_are_not_credited(tmp_path: Path) -> None:
    readme = """
    | Model | Accuracy |
    |---|---|
    | LogisticRegression | 0.98 |
    | RandomForestClassifier | 0.97 |
    | DummyClassifier | 0.51 |
    """
    notes = """
    We tried linear regression and a random forest; see the notebook for numbers.
    """
    root = make_repo(tmp_path, {"README.md": readme, "results/notes.md": notes})
    evidence, _ = produced(root, CHECK)
    assert evidence == []
