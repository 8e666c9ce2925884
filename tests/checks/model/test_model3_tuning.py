"""model-3: hyperparameter searches that are configured and run."""

from __future__ import annotations

from pathlib import Path

from tests.checks.model._util import produced, where
from tests.helpers import audit, levels, make_repo, notebook

CHECK = "hyperparameter-search"


def test_fitted_grid_search_and_optimised_study(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "src/tune.py": """
            import optuna
            from sklearn.model_selection import GridSearchCV


            def grid(model, X, y):
                search = GridSearchCV(model, param_grid={"C": [1, 10], "gamma": [0.1, 1]})
                search.fit(X, y)
                return search.best_params_


            def study(objective):
                s = optuna.create_study(direction="maximize")
                s.optimize(objective, n_trials=50)
            """,
        },
    )
    evidence, hints = produced(root, CHECK)
    assert where(evidence) == [
        ("src/tune.py", 6, "code", "automated", "grid"),
        ("src/tune.py", 13, "code", "automated", "study"),
    ]
    assert evidence[0].detail == (
        "scikit-learn grid search `GridSearchCV` over C, gamma run with `.fit`"
    )
    assert evidence[1].detail == "Optuna study optimised with n_trials=50"
    assert hints == []


def test_sweep_configs_are_manual(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "sweep.yaml": "method: bayes\nmetric: {name: val_loss, goal: minimize}\n"
            "parameters:\n  lr: {min: 0.0001, max: 0.1}\n  dropout: {values: [0.1, 0.3]}\n",
            "conf/config.yaml": "defaults:\n  - _self_\n  - override hydra/sweeper: optuna\n"
            "lr: 0.01\n",
            "conf/tune.yaml": "hydra:\n  sweeper:\n    _target_: "
            "hydra_plugins.hydra_nevergrad_sweeper.nevergrad_sweeper.NevergradSweeper\n",
            "katib/experiment.yaml": "apiVersion: kubeflow.org/v1beta1\nkind: Experiment\n"
            "spec:\n  algorithm:\n    algorithmName: random\n  parameters:\n    - name: lr\n",
        },
    )
    evidence, _ = produced(root, CHECK)
    assert sorted(where(evidence)) == [
        ("conf/config.yaml", 3, "config", "manual", None),
        ("conf/tune.yaml", 2, "config", "manual", None),
        ("katib/experiment.yaml", 1, "config", "manual", None),
        ("sweep.yaml", 1, "config", "manual", None),
    ]
    assert sorted(e.detail for e in evidence) == [
        "Hydra nevergrad sweeper configured",
        "Hydra optuna sweeper configured",
        "Katib hyperparameter experiment (random)",
        "W&B sweep config (bayes) over lr, dropout",
    ]


def test_notebook_search_with_outputs_is_a_result(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "notebooks/tune.ipynb": notebook(
                "from sklearn.model_selection import RandomizedSearchCV",
                "rs = RandomizedSearchCV(model, param_distributions={'max_depth': [3, 5]})\n"
                "rs.fit(X, y)",
                outputs=True,
            )
        },
    )
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [("notebooks/tune.ipynb", 34, "result", "manual", None)]
    assert evidence[0].detail == (
        "scikit-learn randomized search `RandomizedSearchCV` over max_depth run with `.fit` "
        "(notebook with saved outputs)"
    )


def test_trap_import_only_and_unrun_searches(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "src/model.py": """
            import optuna
            from sklearn.model_selection import GridSearchCV, RandomizedSearchCV


            def build(model):
                return RandomizedSearchCV(model, param_distributions={"C": [1, 2]})


            def study():
                return optuna.create_study()
            """,
            "conf/sweep.yaml.example": "method: grid\nparameters:\n  lr: {values: [1]}\n",
        },
    )
    evidence, hints = produced(root, CHECK)
    assert evidence == []
    assert hints == [
        "scikit-learn randomized search configured at src/model.py:6 but never run (no `.fit` "
        "call); not credited",
        "Optuna study created at src/model.py:10 but never optimised; not credited",
        "no hyperparameter search that is run, and no sweep config, found",
    ]


SPARK_TRAIN = """
from pyspark.ml import Pipeline
from pyspark.ml.evaluation import RegressionEvaluator
from pyspark.ml.regression import GBTRegressor
from pyspark.ml.tuning import CrossValidator, ParamGridBuilder, TrainValidationSplit


def train(train_df):
    gbt = GBTRegressor(featuresCol="features", labelCol="y")
    grid = ParamGridBuilder().addGrid(gbt.maxDepth, [3, 5]).build()
    cv = CrossValidator(
        estimator=Pipeline(stages=[gbt]),
        estimatorParamMaps=grid,
        evaluator=RegressionEvaluator(metricName="rmse"),
        numFolds=3,
    )
    return cv.fit(train_df)


def quick(df):
    return TrainValidationSplit(estimator=GBTRegressor(), estimatorParamMaps=[])


if __name__ == "__main__":
    train(None)
"""
NIGHTLY = """
name: nightly
on:
  schedule:
    - cron: "0 2 * * *"
jobs:
  pipeline:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: python spark/jobs/ml_training.py
"""


def test_spark_cross_validator_run_on_schedule(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {"spark/jobs/ml_training.py": SPARK_TRAIN, ".github/workflows/nightly.yml": NIGHTLY},
    )
    evidence, hints = produced(root, CHECK)
    assert where(evidence) == [("spark/jobs/ml_training.py", 10, "code", "automated", "train")]
    assert (
        evidence[0].detail == "Spark ML CrossValidator grid search `CrossValidator` run with `.fit`"
    )
    assert hints == [
        "Spark ML TrainValidationSplit search configured at spark/jobs/ml_training.py:20 but "
        "never run (no `.fit` call); not credited"
    ]
    assert levels(audit(root))["model-3"] == "automated"


def test_searches_in_tests_tune_the_project_model_only_through_project_code(
    tmp_path: Path,
) -> None:
    """A library's test that grid-searches its own estimator class on toy data checks the
    search API (not credited); a test that searches over the model the project's own builder
    makes is manual evidence (test data, not the deployed model's tuning)."""
    root = make_repo(
        tmp_path,
        {
            "src/shop/model.py": """
            from sklearn.linear_model import LogisticRegression


            def build_model(params):
                return LogisticRegression(C=params["C"])
            """,
            "tests/test_api.py": """
            from sklearn.model_selection import GridSearchCV

            from shop.model import build_model
            from skorchlike import NeuralNetClassifier


            def test_grid_search_works(data):
                gs = GridSearchCV(NeuralNetClassifier(max_epochs=1), {"lr": [0.01, 0.1]}, cv=2)
                gs.fit(*data)


            def test_project_model_is_searchable(data):
                model = build_model({"C": 1.0})
                gs = GridSearchCV(model, param_grid={"C": [0.1, 1.0]}, cv=2)
                gs.fit(*data)
                assert gs.best_params_
            """,
            ".github/workflows/ci.yml": "on: [push]\njobs:\n  t:\n    runs-on: ubuntu-latest\n"
            "    steps:\n      - run: pytest tests\n",
        },
    )
    evidence, hints = produced(root, CHECK)
    assert where(evidence) == [
        ("tests/test_api.py", 14, "test", "manual", "test_project_model_is_searchable")
    ]
    assert evidence[0].detail == (
        "test runs scikit-learn grid search `GridSearchCV` over C over the project's model "
        "(`build_model`) on test data"
    )
    assert hints[0] == (
        "scikit-learn grid search at tests/test_api.py:8 runs in a test on an estimator the test "
        "builds itself (checks the search API on toy data, not tuning the project's model); not "
        "credited"
    )
    assert levels(audit(root))["model-3"] == "manual"
