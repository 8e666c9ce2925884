"""model-3: hyperparameters are tuned by a search that is configured and called."""

from __future__ import annotations

from collections.abc import Iterator

from ml_readiness.checklib import call_evidence, find_calls, iter_yaml_files
from ml_readiness.evidence import Evidence, Hint
from ml_readiness.facts import Facts
from ml_readiness.registry import check

SEARCH_CALLS = {
    "sklearn.model_selection.GridSearchCV": "scikit-learn grid search",
    "sklearn.model_selection.RandomizedSearchCV": "scikit-learn randomized search",
    "sklearn.model_selection.HalvingGridSearchCV": "scikit-learn halving grid search",
    "sklearn.model_selection.HalvingRandomSearchCV": "scikit-learn halving random search",
    "ray.tune.run": "Ray Tune run",
    "ray.tune.Tuner": "Ray Tune tuner",
    "hyperopt.fmin": "hyperopt search",
    "keras_tuner.RandomSearch": "Keras Tuner random search",
    "keras_tuner.Hyperband": "Keras Tuner Hyperband",
    "keras_tuner.BayesianOptimization": "Keras Tuner Bayesian optimisation",
    "wandb.sweep": "W&B sweep",
}


@check("model-3")
def hyperparameter_search(facts: Facts) -> Iterator[Evidence | Hint]:
    """Hyperparameter search configured and called.

    Looks for scikit-learn searches (GridSearchCV, RandomizedSearchCV, halving searches),
    Optuna studies that are optimised (`create_study` followed by `.optimize`), Ray Tune,
    hyperopt `fmin`, Keras Tuner, W&B sweeps, and sweep configs (W&B `sweep.yaml`, Hydra
    sweepers, Katib experiments). An import alone earns nothing.
    """
    found = False
    for path, call in find_calls(facts, *SEARCH_CALLS):
        name = next(
            v
            for k, v in SEARCH_CALLS.items()
            if call.qualified == k or call.qualified.endswith("." + k.rsplit(".", 1)[-1])
        )
        grid = call.kw("param_grid", call.kw("param_distributions"))
        detail = f"{name} `{call.name}`"
        if isinstance(grid, tuple):
            keys = [str(k) for k, _ in grid if isinstance(k, str)]
            if keys:
                detail += f" over {', '.join(keys[:6])}"
        found = True
        yield call_evidence("model-3", path, call, detail)
    for path, pf in facts.python_files(mentions=("optuna",), notebooks=True):
        studies = pf.calls_to("optuna.create_study")
        optimised = [c for c in pf.method_calls("optimize")]
        if studies and optimised:
            found = True
            call = optimised[0]
            trials = call.kw("n_trials")
            extra = f" with n_trials={trials}" if isinstance(trials, int) else ""
            yield call_evidence("model-3", path, call, f"Optuna study optimised{extra}")
    for path, doc in iter_yaml_files(facts, "*sweep*.yaml", "*sweep*.yml"):
        if isinstance(doc, dict) and "parameters" in doc and "method" in doc:
            found = True
            yield Evidence(
                "model-3",
                f"W&B sweep config ({doc.get('method')}) over "
                f"{', '.join(map(str, list(doc['parameters'])[:6]))}",
                path,
                getattr(doc, "line", None),
                kind="config",
                credit="manual",
            )
    for path, doc in iter_yaml_files(facts, "*.yaml", "*.yml"):
        if (
            isinstance(doc, dict)
            and doc.get("kind") == "Experiment"
            and "kubeflow.org" in str(doc.get("apiVersion", ""))
        ):
            found = True
            yield Evidence(
                "model-3",
                "Katib hyperparameter experiment",
                path,
                getattr(doc, "line", None),
                kind="config",
                credit="manual",
            )
    if not found:
        yield Hint("model-3", "no hyperparameter search call or sweep config found")
