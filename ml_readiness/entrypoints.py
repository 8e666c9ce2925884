"""Serving and training entry points of the audited repo.

`serving_entry_points(facts)` finds the code that answers predictions (web routes, model-server
classes and handlers, batch-scoring scripts); `training_entry_points(facts)` finds the code
that trains (train scripts, scripts whose main block fits a model, pipeline steps). Both are
computed once per audit (`Facts.memo`) and shared by the checks. `reachable_functions` (in
`ml_readiness.reach`, re-exported here) follows calls from an entry through the repo's own
modules; a call it cannot resolve is left out.
"""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass

from ml_readiness.facts import Facts
from ml_readiness.facts.imports import module_index
from ml_readiness.facts.python import MAIN, MODULE, Call, PythonFacts

# The call graph lives in ml_readiness.reach; `X as X` re-exports it for the checks.
from ml_readiness.reach import CLASS_KINDS as CLASS_KINDS
from ml_readiness.reach import MAX_DEPTH as MAX_DEPTH
from ml_readiness.reach import bound_names
from ml_readiness.reach import reachable_functions as reachable_functions
from ml_readiness.reach import resolve_name as resolve_name

# The web-route API lives in ml_readiness.routes; `X as X` re-exports it so checks and the
# automation call graph keep importing it from here.
from ml_readiness.routes import CLIENT_VERBS as CLIENT_VERBS
from ml_readiness.routes import HTTP_VERBS, WEB_APPS
from ml_readiness.routes import ROUTE_CALLS as ROUTE_CALLS
from ml_readiness.routes import STARTUP_DECORATORS as STARTUP_DECORATORS
from ml_readiness.routes import TEST_CLIENTS as TEST_CLIENTS
from ml_readiness.routes import Route as Route
from ml_readiness.routes import client_route_targets as client_route_targets
from ml_readiness.routes import match_routes as match_routes
from ml_readiness.routes import route_path as route_path
from ml_readiness.routes import routes as routes
from ml_readiness.routes import startup_hooks as startup_hooks

SERVING_KINDS = ("route", "service", "predictor", "handler", "batch")
NOT_MODEL_ROUTES = re.compile(r"^/?(health\w*|ready\w*|live\w*|ping|metrics|docs|version|)/?$")
SAGEMAKER_FNS = ("model_fn", "input_fn", "predict_fn", "output_fn", "transform_fn")
MODEL_LOADS = re.compile(
    r"(joblib\.load|pickle\.load|cloudpickle\.load|torch\.load|torch\.jit\.load|load_model"
    r"|from_pretrained|\.load_model|onnxruntime\.InferenceSession|skops\.io\.load|Booster)$"
)
PREDICT_ATTRS = ("predict", "predict_proba", "predict_batch", "run", "generate")
# Spark ML models are loaded with `PipelineModel.load`/`mlflow.spark.load_model` and score with
# `.transform`: `transform` counts as prediction only in a file that loads a Spark model
SPARK_LOADS = re.compile(r"^(pyspark\.ml\.[\w.]*Model\.load|mlflow\.spark\.load_model)$")
FIT_ATTRS = ("fit", "fit_generator", "train", "train_model", "fit_transform_model")
PIPELINE_STEP_DECORATORS = (
    "zenml.step",
    "metaflow.step",
    "kfp.dsl.component",
    "kfp.components.create_component_from_func",
    "prefect.task",
    "prefect.flow",
    "dagster.op",
    "dagster.asset",
)


@dataclass(frozen=True, order=True)
class EntryPoint:
    """Where serving or training starts: `symbol` is a function/method qualname, `<main>` for a
    script's main block or `<module>` for a script without one."""

    path: str
    symbol: str
    line: int
    kind: str  # route|service|predictor|handler|batch (serving); script|pipeline-step (training)
    framework: str

    @property
    def label(self) -> str:
        return f"{self.path}:{self.symbol}"


def serving_entry_points(facts: Facts) -> list[EntryPoint]:
    """Every serving entry point of the repo, computed once per audit."""
    return facts.memo("entrypoints.serving", _find_serving)


def training_entry_points(facts: Facts) -> list[EntryPoint]:
    """Every training entry point of the repo, computed once per audit."""
    return facts.memo("entrypoints.training", _find_training)


def _code_files(facts: Facts, mentions: tuple[str, ...] = ()) -> list[tuple[str, PythonFacts]]:
    return [
        (p, pf)
        for p, pf in facts.python_files(mentions=mentions, tests=False)
        if not p.startswith("../")
    ]


def _candidates(
    facts: Facts, pattern: re.Pattern[str], named: re.Pattern[str]
) -> list[tuple[str, PythonFacts]]:
    """Code files whose text matches `pattern` or whose base name matches `named`: the only
    files that can hold an entry point (the others are never parsed for this)."""
    by_text = facts.python_files(tests=False, pattern=pattern)
    by_name = facts.python_files(
        tests=False, select=lambda p: named.match(p.rsplit("/", 1)[-1].lower()) is not None
    )
    files = dict(by_text + by_name)
    return [(p, pf) for p, pf in sorted(files.items()) if not p.startswith("../")]


# What a file must hold to define a serving entry point: a decorator (routes, BentoML, Ray
# Serve), a route registration, a model-server base class, or SageMaker handler functions.
SERVING_TEXT = re.compile(
    r"@|add_url_rule|add_api_route|Route|kserve|BaseHandler|"
    r"TritonPythonModel|model_fn"
)
BATCH_NAME = re.compile(r"(batch_|score|predict|infer|inference)\w*\.py$")
TRAINING_TEXT = re.compile(r"fit|train")  # every FIT_ATTRS name; pipeline steps are *train*
TRAINING_NAME = re.compile(r"(train|training|run_train|fit)\w*\.py$")
NOT_TRAINING_NAME = re.compile(
    r"(eval|score|scoring|predict|infer|test|bench|monitor|drift|report|validat|batch_)\w*\.py$"
)


def _find_serving(facts: Facts) -> list[EntryPoint]:
    found: set[EntryPoint] = set()
    for path, pf in _candidates(facts, SERVING_TEXT, BATCH_NAME):
        found.update(_web_routes(facts, path, pf))
        found.update(_model_servers(pf, path))
        found.update(_batch_job(pf, path))
    found.update(_seldon(facts))
    from ml_readiness.batch_pipelines import batch_pipelines  # it needs EntryPoint from here

    found.update(batch_pipelines(facts))
    return sorted(found)


def _web_routes(facts: Facts, path: str, pf: PythonFacts) -> list[EntryPoint]:
    apps: dict[str, str] = {}
    for qual, framework in WEB_APPS.items():
        for name in bound_names(facts, path, pf.calls_to(qual)):
            apps[name] = framework
    bento = bound_names(facts, path, pf.calls_to("bentoml.Service"))
    wanted = {
        d.rpartition(".")[0].rsplit(".", 1)[-1]
        for f in pf.functions
        for d in f.decorators
        if d.rpartition(".")[2] in HTTP_VERBS
    }
    # an app object imported from a repo module that creates it (`from .main import app`)
    for imp in pf.imports:
        if imp.name and imp.alias in wanted - apps.keys():
            for target in module_index(facts).resolve(path, imp):
                other = facts.python(target) if target != path else None
                for qual, framework in WEB_APPS.items() if other else ():
                    if imp.name in bound_names(facts, target, other.calls_to(qual)):
                        apps[imp.alias] = framework
    out = []
    by_name = {f.name: f for f in pf.functions}
    for fn in pf.functions:
        for deco in fn.decorators:
            obj, _, verb = deco.rpartition(".")
            local = obj.rsplit(".", 1)[-1]
            if verb in HTTP_VERBS and local in apps:
                if not _health_route(pf, fn.line):
                    out.append(EntryPoint(path, fn.qualname, fn.line, "route", apps[local]))
            elif verb == "api" and local in bento or deco == "bentoml.api":
                out.append(EntryPoint(path, fn.qualname, fn.line, "service", "bentoml"))
    for c in pf.calls:
        if c.attr in ("add_url_rule", "add_api_route") or c.qualified.endswith("routing.Route"):
            target = c.kw("view_func") or c.kw("endpoint")
            position = 2 if c.attr == "add_url_rule" else 1
            if target is None and len(c.args) > position:
                target = c.args[position]
            name = target[1:] if isinstance(target, str) and target.startswith("$") else None
            if name in by_name and not _health_route(pf, c.line, c):
                framework = {"add_url_rule": "flask", "add_api_route": "fastapi"}
                fn = by_name[name]
                kind = framework.get(c.attr, "starlette")
                out.append(EntryPoint(path, fn.qualname, fn.line, "route", kind))
    return out


def _health_route(pf: PythonFacts, line: int, call: Call | None = None) -> bool:
    """True for liveness/metrics routes: they never touch the model."""
    calls = [call] if call else [c for c in pf.calls if line - 4 <= c.line < line]
    for c in calls:
        if c.attr in HTTP_VERBS | {"add_url_rule", "add_api_route", "Route"} and c.args:
            route = c.args[0]
            if isinstance(route, str) and NOT_MODEL_ROUTES.match(route):
                return True
    return False


def _model_servers(pf: PythonFacts, path: str) -> list[EntryPoint]:
    out = []
    methods = {f.qualname: f for f in pf.functions if f.class_name}
    for cls in pf.classes:
        bases = set(cls.bases)

        def method(*names: str, _cls: str = cls.qualname) -> str | None:
            return next((f"{_cls}.{n}" for n in names if f"{_cls}.{n}" in methods), None)

        kind = framework = None
        symbol = None
        if any(b in ("kserve.Model", "kserve.model.Model") for b in bases):
            kind, framework, symbol = "predictor", "kserve", method("predict")
        elif any(b.endswith("BaseHandler") for b in bases):
            kind, framework = "handler", "torchserve"
            symbol = method("handle", "inference", "preprocess") or cls.qualname
        elif cls.qualname == "TritonPythonModel":
            kind, framework, symbol = "predictor", "triton", method("execute")
        elif "bentoml.service" in cls.decorators:
            continue  # its @bentoml.api methods are the entry points
        elif "ray.serve.deployment" in cls.decorators:
            kind, framework = "service", "ray-serve"
            symbol = method("__call__", "predict") or cls.qualname
        if kind and symbol:
            line = methods[symbol].line if symbol in methods else cls.line
            out.append(EntryPoint(path, symbol, line, kind, framework))
    for fn in pf.functions:
        if "ray.serve.deployment" in fn.decorators and not fn.class_name:
            out.append(EntryPoint(path, fn.qualname, fn.line, "service", "ray-serve"))
    top = {f.name: f for f in pf.functions if "." not in f.qualname}
    if "model_fn" in top and top.keys() & {"predict_fn", "input_fn", "transform_fn"}:
        for name in SAGEMAKER_FNS:
            if name in top and name != "model_fn":
                out.append(EntryPoint(path, name, top[name].line, "handler", "sagemaker"))
    return out


def _batch_job(pf: PythonFacts, path: str) -> list[EntryPoint]:
    base = path.rsplit("/", 1)[-1].lower()
    if not BATCH_NAME.match(base) or pf.is_test_file:
        return []
    spark = any(SPARK_LOADS.match(c.qualified) for c in pf.calls)
    loads = spark or any(MODEL_LOADS.search(c.qualified) for c in pf.calls)
    attrs = PREDICT_ATTRS + (("transform",) if spark else ())
    predicts = any(c.attr in attrs and "." in c.name for c in pf.calls)
    if not (loads and predicts):
        return []
    if pf.has_main:
        line = min((c.line for c in pf.calls if c.scope == MAIN), default=1)
        return [EntryPoint(path, MAIN, line, "batch", "python")]
    if any(c.scope == MODULE for c in pf.calls if c.attr in attrs):
        return [EntryPoint(path, MODULE, 1, "batch", "python")]
    return []


def _seldon(facts: Facts) -> list[EntryPoint]:
    names: set[str] = set()
    rx = re.compile(r"(?:MODEL_NAME\s*[=:]\s*[\"']?|seldon-core-microservice\s+)(\w+)")
    for path in facts.repo.files:
        base = path.rsplit("/", 1)[-1]
        config = base in ("environment", "Dockerfile") or base.endswith((".yaml", ".yml", ".sh"))
        if config and facts.mentions(path, "MODEL_NAME", "seldon-core-microservice"):
            names.update(rx.findall(facts.text(path) or ""))
    out = []
    if names:
        for path, pf in _code_files(facts, tuple(names)):
            for cls in pf.classes:
                if cls.qualname in names and pf.function(f"{cls.qualname}.predict"):
                    fn = pf.function(f"{cls.qualname}.predict")
                    out.append(EntryPoint(path, fn.qualname, fn.line, "predictor", "seldon"))
    return out


def _find_training(facts: Facts) -> list[EntryPoint]:
    found: set[EntryPoint] = set()
    for path, pf in _candidates(facts, TRAINING_TEXT, TRAINING_NAME):
        base = path.rsplit("/", 1)[-1].lower()
        fits = any(c.attr in FIT_ATTRS for c in pf.calls)
        named = TRAINING_NAME.match(base) is not None
        # an evaluation/scoring/monitoring script that fits a baseline or a detector is not
        # where the model is trained
        fits = fits and not NOT_TRAINING_NAME.match(base)
        if pf.has_main and (named or fits):
            line = min((c.line for c in pf.calls if c.scope == MAIN), default=1)
            found.add(EntryPoint(path, MAIN, line, "script", "python"))
        elif named and any(c.scope == MODULE and c.attr in FIT_ATTRS for c in pf.calls):
            found.add(EntryPoint(path, MODULE, 1, "script", "python"))
        for fn in pf.functions:
            deco = next((d for d in fn.decorators if d in PIPELINE_STEP_DECORATORS), None)
            if deco and "train" in fn.name.lower():
                framework = deco.split(".")[0]
                found.add(EntryPoint(path, fn.qualname, fn.line, "pipeline-step", framework))
        if not NOT_TRAINING_NAME.match(base):
            found.update(_training_functions(facts, path, pf))
    return sorted(found)


TRAIN_FUNCTION = re.compile(r"^(re)?train(_\w+)?$")


def _training_functions(facts: Facts, path: str, pf: PythonFacts) -> list[EntryPoint]:
    """Package functions such as `driftloop.model.train()` that fit the model and that a
    script's main block or an automation root actually runs (a library function nothing
    calls is not an entry point)."""
    out = []
    for fn in pf.functions:
        if "." in fn.qualname or not TRAIN_FUNCTION.match(fn.name):
            continue
        if not any(c.scope == fn.qualname and c.attr in FIT_ATTRS for c in pf.calls):
            continue
        run = facts.automation.execution_of(path, fn.qualname)
        called_from_main = any(
            c.scope == MAIN and c.attr == fn.name
            for _p, other in _code_files(facts, (fn.name,))
            for c in other.calls
        )
        if run is not None or called_from_main:
            out.append(EntryPoint(path, fn.qualname, fn.line, "function", "python"))
    return out


def signature_annotations(facts: Facts, path: str, qualname: str) -> dict[str, str]:
    """Parameter → annotation source of a function (read from its `def` header only)."""
    pf = facts.python(path)
    fn = pf.function(qualname) if pf else None
    lines = facts.lines(path)
    if fn is None or not lines or path.endswith(".ipynb"):
        return {}
    node = def_header(lines, fn.line)
    if node is None:
        return {}
    args = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
    return {a.arg: ast.unparse(a.annotation) for a in args if a.annotation is not None}


def def_header(lines: list[str], line: int) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The `def` starting at `line` (1-based) parsed from its header alone (at most 30 lines,
    body replaced by `pass`), or None when no function header starts there."""
    header = ""
    for number in range(line, min(line + 30, len(lines) + 1)):
        header += lines[number - 1] + "\n"
        try:
            tree = ast.parse(textwrap.dedent(header) + "    pass\n")
        except SyntaxError:
            continue
        node = tree.body[0] if tree.body else None
        return node if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) else None
    return None
