"""model-3: hyperparameters are tuned by a search that is configured and run."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ml_readiness.checks.data._shared import tfx_component_unused
from ml_readiness.checks.model._managed_tuning import managed_tuning
from ml_readiness.checks.model._shared import call_at, evidence_at
from ml_readiness.checks.model._unused_class import unused_method

from ml_readiness.checklib import iter_yaml_files
from ml_readiness.evidence import Evidence, Hint
from ml_readiness.facts import Facts, is_example_config, is_test_path
from ml_readiness.facts.imports import module_index
from ml_readiness.facts.python import Call, PythonFacts
from ml_readiness.registry import check

ITEM = "model-3"
# search objects: qualified name -> (label, method that runs the search)
SEARCH_OBJECTS = {
    "sklearn.model_selection.GridSearchCV": ("scikit-learn grid search", "fit"),
    "sklearn.model_selection.RandomizedSearchCV": ("scikit-learn randomized search", "fit"),
    "sklearn.model_selection.HalvingGridSearchCV": ("scikit-learn halving grid search", "fit"),
    "sklearn.model_selection.HalvingRandomSearchCV": (
        "scikit-learn halving random search",
        "fit",
    ),
    "skopt.BayesSearchCV": ("scikit-optimize Bayesian search", "fit"),
    "optuna.integration.OptunaSearchCV": ("Optuna search CV", "fit"),
    "ray.tune.Tuner": ("Ray Tune tuner", "fit"),
    "keras_tuner.RandomSearch": ("Keras Tuner random search", "search"),
    "keras_tuner.Hyperband": ("Keras Tuner Hyperband", "search"),
    "keras_tuner.BayesianOptimization": ("Keras Tuner Bayesian optimisation", "search"),
    "keras_tuner.GridSearch": ("Keras Tuner grid search", "search"),
    "kerastuner.RandomSearch": ("Keras Tuner random search", "search"),
    "kerastuner.Hyperband": ("Keras Tuner Hyperband", "search"),
    "pyspark.ml.tuning.CrossValidator": ("Spark ML CrossValidator grid search", "fit"),
    "pyspark.ml.tuning.TrainValidationSplit": ("Spark ML TrainValidationSplit search", "fit"),
}
# Where a search object takes the estimator it tunes.
ESTIMATOR_KWARGS = ("estimator", "hypermodel", "trainable")
# calls that run a search by themselves
SEARCH_RUNS = {
    "ray.tune.run": "Ray Tune run",
    "hyperopt.fmin": "hyperopt search",
    "skopt.gp_minimize": "scikit-optimize search",
    "wandb.agent": "W&B sweep agent",
    "wandb.sweep": "W&B sweep",
}
HYDRA_SWEEPERS = ("optuna", "ax", "nevergrad")


def _label(call: Call, table: dict) -> object:
    for key, value in table.items():
        if call.qualified == key or call.qualified.endswith("." + key.rsplit(".", 1)[-1]):
            return value
    return None


def _grid_keys(call: Call) -> str:
    grid = call.kw("param_grid", call.kw("param_distributions", call.kw("param_space")))
    if isinstance(grid, tuple):
        keys = [str(k) for k, _ in (p for p in grid if isinstance(p, tuple)) if isinstance(k, str)]
        if keys:
            return f" over {', '.join(keys[:6])}"
    return ""


def _runs(pf: PythonFacts, call: Call, method: str) -> bool:
    """True when the file calls `.method` (the search is run, not only configured)."""
    return any(c.attr == method and c.line >= call.line for c in pf.calls)


def _project_estimator(facts: Facts, path: str, pf: PythonFacts, call: Call) -> str | None:
    """The project function that builds the estimator a search in a test tunes (`build_model`
    in `GridSearchCV(build_model(params), grid)` or `model = build_model(); GridSearchCV(model,
    ...)`), or None when the test tunes a class or toy estimator of its own.

    Only functions count, defined in a non-test module of the repository: a library's tests
    instantiate the library's estimator *classes* on toy data to check the search API."""
    est = (
        call.args[0]
        if call.args
        else next((call.kw(k) for k in ESTIMATOR_KWARGS if call.has_kw(k)), None)
    )
    calls = [c for c in pf.calls if c.scope == call.scope]
    if isinstance(est, str) and est.startswith("$"):
        name = est[1:]
        lines = facts.lines(path) if not path.endswith(".ipynb") else []
        bound = [
            n
            for n in range(1, call.line)
            if n <= len(lines) and re.match(rf"\s*{re.escape(name)}\s*=", lines[n - 1])
        ]
        candidates = [c for c in calls if bound and c.line == bound[-1]]
    else:
        candidates = [c for c in calls if c.line == call.line and c is not call]
    index = module_index(facts)
    for c in candidates:
        head = c.name.split(".", 1)[0]
        if c.attr[:1].isupper():
            continue  # a class: the library's estimator or a toy one
        for imp in pf.imports:
            if imp.alias != head:
                continue
            for target in index.resolve(path, imp):
                if not is_test_path(target):
                    return c.name
    return None


def _tfx_tuner(facts: Facts, pf: PythonFacts, call: Call) -> str | None:
    """Where a TFX `Tuner` component runs a Keras Tuner that `tuner_fn` returns in a
    `TunerFnResult(tuner=...)`: TFX calls `tuner.search(...)` itself, so the module has no
    `.search` call. The component must be built and added to a pipeline in the repository."""
    if not any(c.attr == "TunerFnResult" and c.scope == call.scope for c in pf.calls):
        return None
    for where, other in facts.python_files(mentions=("Tuner",), tests=False):
        for c in other.calls:
            tuner = c.attr == "Tuner" and c.qualified.startswith("tfx.")
            if tuner and not tfx_component_unused(facts, where, c):
                return f"`{c.name}` at {where}:{c.line}"
    return None


def code_searches(facts: Facts) -> Iterator[Evidence | Hint]:
    tokens = tuple({k.rsplit(".", 1)[-1] for k in (*SEARCH_OBJECTS, *SEARCH_RUNS)})
    for path, pf in facts.python_files(mentions=tokens, notebooks=True):
        for call in pf.calls_to(*SEARCH_OBJECTS):
            label, method = _label(call, SEARCH_OBJECTS)  # type: ignore[misc]
            if _runs(pf, call, method) and is_test_path(path):
                builder = _project_estimator(facts, path, pf, call)
                if builder is None:
                    yield Hint(
                        ITEM,
                        f"{label} at {path}:{call.line} runs in a test on an estimator the test "
                        "builds itself (checks the search API on toy data, not tuning the "
                        "project's model); not credited",
                    )
                    continue
                detail = (
                    f"test runs {label} `{call.name}`{_grid_keys(call)} over the project's model "
                    f"(`{builder}`) on test data"
                )
                yield evidence_at(facts, ITEM, path, call.line, call.scope, detail, "manual")
            elif _runs(pf, call, method):
                detail = f"{label} `{call.name}`{_grid_keys(call)} run with `.{method}`"
                why = unused_method(facts, path, call.scope)
                if why:
                    text = f"{detail} ({path}:{call.line}), but {why}; not credited"
                    yield Hint(ITEM, text, priority=1)
                    continue
                yield call_at(facts, ITEM, path, call, detail)
            elif runner := _tfx_tuner(facts, pf, call):
                detail = (
                    f"{label} `{call.name}` returned to the TFX Tuner component "
                    f"(`TunerFnResult` in `{call.scope}`), which runs the search: {runner}"
                )
                yield call_at(facts, ITEM, path, call, detail)
            else:
                yield Hint(
                    ITEM,
                    f"{label} configured at {path}:{call.line} but never run "
                    f"(no `.{method}` call); not credited",
                )
        for call in pf.calls_to(*SEARCH_RUNS):
            yield call_at(facts, ITEM, path, call, f"{_label(call, SEARCH_RUNS)} `{call.name}`")


def optuna_studies(facts: Facts) -> Iterator[Evidence | Hint]:
    for path, pf in facts.python_files(mentions=("optuna",), notebooks=True):
        studies = pf.calls_to("optuna.create_study", "optuna.load_study")
        if not studies:
            continue
        optimised = [c for c in pf.method_calls("optimize") if c.line >= studies[0].line]
        if not optimised:
            yield Hint(
                ITEM,
                f"Optuna study created at {path}:{studies[0].line} but never optimised; "
                "not credited",
            )
            continue
        call = optimised[0]
        trials = call.kw("n_trials")
        extra = f" with n_trials={trials}" if isinstance(trials, int) else ""
        yield call_at(facts, ITEM, path, call, f"Optuna study optimised{extra}")


def _sweeper_of(doc: dict) -> tuple[str, int] | None:
    """(sweeper name, line) of a Hydra sweeper chosen in a config."""
    hydra = doc.get("hydra")
    if isinstance(hydra, dict) and isinstance(hydra.get("sweeper"), dict):
        sweeper = hydra["sweeper"]
        target = str(sweeper.get("_target_", "")).lower()
        for name in HYDRA_SWEEPERS:
            if f"{name}_sweeper" in target or f".{name}." in target:
                return name, hydra.line_of("sweeper") if hasattr(hydra, "line_of") else 1
    defaults = doc.get("defaults")
    if isinstance(defaults, list):
        for entry in defaults:
            if isinstance(entry, dict):
                for key, value in entry.items():
                    group = str(key).replace("override ", "").strip()
                    if group == "hydra/sweeper" and str(value) in HYDRA_SWEEPERS:
                        return str(value), getattr(entry, "line", 1)
    return None


def config_searches(facts: Facts) -> Iterator[Evidence]:
    for path, doc in iter_yaml_files(facts, "*sweep*.yaml", "*sweep*.yml"):
        if isinstance(doc, dict) and "parameters" in doc and "method" in doc:
            params = ", ".join(map(str, list(doc["parameters"])[:6]))
            yield Evidence(
                ITEM,
                f"W&B sweep config ({doc.get('method')}) over {params}",
                path,
                getattr(doc, "line", None),
                "config",
                "manual",
            )
    for path in facts.repo.with_suffix(".yaml", ".yml"):
        if is_example_config(path) or not facts.mentions(path, "sweeper", "Experiment"):
            continue
        for doc in facts.yaml(path) or []:
            if not isinstance(doc, dict):
                continue
            sweeper = _sweeper_of(doc)
            if sweeper is None and "/hydra/sweeper/" in f"/{path}" and "_target_" in doc:
                name = next((s for s in HYDRA_SWEEPERS if s in str(doc["_target_"])), None)
                sweeper = (name, doc.line_of("_target_")) if name else None
            if sweeper:
                yield Evidence(
                    ITEM,
                    f"Hydra {sweeper[0]} sweeper configured",
                    path,
                    sweeper[1],
                    "config",
                    "manual",
                )
            spec = doc.get("spec")
            if (
                doc.get("kind") == "Experiment"
                and "kubeflow.org" in str(doc.get("apiVersion", ""))
                and isinstance(spec, dict)
                and spec.get("parameters")
            ):
                algorithm = spec.get("algorithm")
                name = algorithm.get("algorithmName") if isinstance(algorithm, dict) else None
                yield Evidence(
                    ITEM,
                    f"Katib hyperparameter experiment ({name or 'search'})",
                    path,
                    getattr(doc, "line", None),
                    "config",
                    "manual",
                )


@check(ITEM)
def hyperparameter_search(facts: Facts) -> Iterator[Evidence | Hint]:
    """Hyperparameter search configured and run.

    Looks for scikit-learn searches (GridSearchCV, RandomizedSearchCV, Halving*) that are
    fitted, Optuna studies that are optimised (`create_study` then `.optimize`), Ray Tune
    (`tune.run`, `Tuner(...).fit()`), hyperopt `fmin`, Keras Tuner searches that `.search` (or
    that `tuner_fn` returns in a `TunerFnResult` to a TFX Tuner component in a pipeline), Spark
    ML `CrossValidator`/`TrainValidationSplit` that are fitted, W&B sweeps, and sweep configs
    (W&B sweep YAML, Hydra optuna/ax/nevergrad sweepers under `hydra: sweeper:` or
    `hydra/sweeper` overrides, Katib Experiments), and managed tuning services: a SageMaker
    `HyperparameterTuner` run by `.fit` or by a `TuningStep` that a `Pipeline(steps=[...])`
    lists, a Vertex AI `HyperparameterTuningJob(...).run()` (or `HyperparameterTuningJobRunOp`
    in a pipeline), an Azure ML `command(...).sweep(...)`/ HyperDrive job that is submitted, and
    an Azure ML `type: sweep` job YAML that CI, a script or the README submits. An import, or a
    search object that is never run, earns nothing. Search code is automated when the pipeline
    or CI executes it; a notebook with saved outputs is a manual result. A search run inside a
    test file counts only when it searches the model a project function builds
    (`GridSearchCV(build_model(p), grid)`), and then as manual evidence; a test searching an
    estimator class it instantiates itself checks the search API and earns nothing. A search
    in a method of a class that no file instantiates, subclasses, imports or configures never
    runs and earns nothing (a same-named module-level function the pipeline calls does not
    make the method live).
    """
    found = False
    values = (
        *code_searches(facts),
        *optuna_studies(facts),
        *config_searches(facts),
        *managed_tuning(facts),
    )
    for value in values:
        found = found or isinstance(value, Evidence)
        yield value
    if not found:
        yield Hint(ITEM, "no hyperparameter search that is run, and no sweep config, found")
