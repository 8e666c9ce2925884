"""model-3: hyperparameter searches that are configured and run."""

from __future__ import annotations

from pathlib import Path

from tests.checks.model._util import produced, where
from tests.helpers import make_repo, notebook

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
