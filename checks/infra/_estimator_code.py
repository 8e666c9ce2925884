"""More model code for infra-2: functions that build an estimator, and the prediction functions
a serving route calls.

Many projects define no model class and no `build_model`: the model is `_build_pipeline()`
returning an sklearn `Pipeline(...)`, a training helper that constructs and fits an XGBoost
model, or `baseline_predict`/`canary_predict` functions that the service calls to score a
request. A test that calls them unit-tests the model. In a packaged library these are the
library's features, so nothing here applies there.
"""

from __future__ import annotations

import re

from ml_readiness.checks.infra._library import is_packaged_library
from ml_readiness.checks.infra._serving_path import serving_reach

from ml_readiness.entrypoints import serving_entry_points
from ml_readiness.facts import Facts, is_example_config
from ml_readiness.facts.python import PythonFacts

ESTIMATOR_LIBS = ("sklearn.", "xgboost.", "lightgbm.", "catboost.", "pyspark.ml.")
# baseline_predict, predict_one, predict_proba: a function, not a `PredictionResult` class
PREDICT_FUNCTION = re.compile(r"^([a-z]\w*_)?predict(_\w+)?$")
# a class that predicts (a preprocessing-only ColumnTransformer/StandardScaler is feature code)
PREDICTOR_CLASS = re.compile(
    r"(Classifier|Regressor|Regression|Booster|Model|SVC|SVR|KMeans|Forest|NB|Ridge|Lasso"
    r"|ElasticNet|Perceptron|NearestNeighbors|Ranker|Estimator)$|^(LGBM|XGB|CatBoost)"
)
ESTIMATOR_MENTIONS = ("sklearn", "xgboost", "lightgbm", "catboost", "pyspark.ml")


def estimator_model_code(facts: Facts) -> dict[str, list[str]]:
    """File → top-level functions that return or construct-and-fit an estimator, and
    functions named `*predict*` that a serving entry point calls (not the route itself)."""
    if is_packaged_library(facts):
        return {}
    out: dict[str, list[str]] = {}
    for path, pf in facts.python_files(mentions=ESTIMATOR_MENTIONS, tests=False):
        if is_example_config(path) or path.startswith("../"):
            continue
        names = _estimator_builders(facts, path, pf)
        if names:
            out[path] = names
    entries = {(e.path, e.symbol) for e in serving_entry_points(facts)}
    for (path, qualname), _entry in sorted(serving_reach(facts).items()):
        if not PREDICT_FUNCTION.search(qualname.rsplit(".", 1)[-1]) or (path, qualname) in entries:
            continue
        pf = facts.python(path) if path.endswith(".py") and not is_example_config(path) else None
        if pf is None or pf.function(qualname) is None:  # a function or method, not a class
            continue
        owner = qualname.split(".")[0]
        out[path] = sorted(set(out.get(path, [])) | {owner})
    return out


def _estimator_builders(facts: Facts, path: str, pf: PythonFacts) -> list[str]:
    """Top-level functions that construct a predicting estimator (a classifier, regressor or
    booster from scikit-learn, XGBoost, LightGBM, CatBoost, Spark ML) and return it (or the
    `Pipeline`/`make_pipeline` wrapping it) or call `.fit`. A function building only a
    preprocessing transformer is feature code (data-7), not model code."""
    built: dict[str, set[str]] = {}
    models: set[str] = set()  # functions that construct a predictor, not only a transformer
    for c in pf.calls:
        estimator = c.attr[:1].isupper() or c.attr == "make_pipeline"
        top = "." not in c.scope and not c.scope.startswith("<")
        if top and estimator and c.qualified.startswith(ESTIMATOR_LIBS):
            built.setdefault(c.scope, set()).add(c.name)
            if PREDICTOR_CLASS.search(c.attr):
                models.add(c.scope)
    built = {scope: names for scope, names in built.items() if scope in models}
    if not built:
        return []
    out = {c.scope for c in pf.calls if c.attr == "fit" and c.scope in built}
    lines = facts.lines(path)
    for fn in pf.functions:
        pending = fn.qualname in built and fn.qualname not in out
        if pending and _returns_estimator(lines[fn.line - 1 : fn.end_line], built[fn.qualname]):
            out.add(fn.qualname)
    return sorted(out)


ASSIGNED_CALL = re.compile(r"(\w+)\s*(?::[^=]+)?=\s*([\w.]+)\(")
RETURNED = re.compile(r"return\s+(?:([\w.]+)\(|(\w+)\s*(?:#.*)?$)")


def _returns_estimator(body: list[str], names: set[str]) -> bool:
    """True when a return statement of the function's source lines hands back an estimator
    it constructs (a call named in `names`): the constructor call itself (`return
    Pipeline([...])`) or a variable assigned from one; read from the lines, not a tree."""
    assigned = set()
    for text in body:
        m = ASSIGNED_CALL.match(text.strip())
        if m and m.group(2) in names:
            assigned.add(m.group(1))
    for text in body:
        m = RETURNED.match(text.strip())
        if m and (m.group(1) in names or m.group(2) in assigned):
            return True
    return False
