"""Serving and training entry points of the audited repo, and a small static call graph.

`serving_entry_points(facts)` finds the code that answers predictions (web routes, model-server
classes and handlers, batch-scoring scripts); `training_entry_points(facts)` finds the code
that trains (train scripts, scripts whose main block fits a model, pipeline steps). Both are
computed once per audit (`Facts.memo`) and shared by the checks. `reachable_functions` follows
calls from an entry through the repo's own modules; a call it cannot resolve is left out.
"""

from __future__ import annotations

import ast
import re
import textwrap
from dataclasses import dataclass

from ml_readiness.facts import Facts
from ml_readiness.facts.imports import module_index
from ml_readiness.facts.python import MAIN, MODULE, Call, Import, PythonFacts

# The web-route API lives in ml_readiness.routes; `X as X` re-exports it so checks and the
# automation call graph keep importing it from here.
from ml_readiness.routes import CLIENT_VERBS as CLIENT_VERBS
from ml_readiness.routes import HTTP_VERBS, WEB_APPS, startup_hooks
from ml_readiness.routes import ROUTE_CALLS as ROUTE_CALLS
from ml_readiness.routes import STARTUP_DECORATORS as STARTUP_DECORATORS
from ml_readiness.routes import TEST_CLIENTS as TEST_CLIENTS
from ml_readiness.routes import Route as Route
from ml_readiness.routes import client_route_targets as client_route_targets
from ml_readiness.routes import match_routes as match_routes
from ml_readiness.routes import route_path as route_path
from ml_readiness.routes import routes as routes

SERVING_KINDS = ("route", "service", "predictor", "handler", "batch")
CLASS_KINDS = ("predictor", "handler")  # the framework calls every method of the class
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
MAX_DEPTH = 10
MAX_NODES = 3000


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


def _bound_names(facts: Facts, path: str, calls: list[Call]) -> set[str]:
    """Names the calls are assigned to (`app = FastAPI()` → `app`), read from the call's line."""
    lines = facts.lines(path)
    out = set()
    for c in calls:
        text = lines[c.line - 1] if 0 < c.line <= len(lines) else ""
        m = re.match(r"\s*(?:self\.)?(\w+)\s*(?::[^=]+)?=[^=]", text)
        if m:
            out.add(m.group(1))
    return out


def _find_serving(facts: Facts) -> list[EntryPoint]:
    found: set[EntryPoint] = set()
    for path, pf in _candidates(facts, SERVING_TEXT, BATCH_NAME):
        found.update(_web_routes(facts, path, pf))
        found.update(_model_servers(pf, path))
        found.update(_batch_job(pf, path))
    found.update(_seldon(facts))
    return sorted(found)


def _web_routes(facts: Facts, path: str, pf: PythonFacts) -> list[EntryPoint]:
    apps: dict[str, str] = {}
    for qual, framework in WEB_APPS.items():
        for name in _bound_names(facts, path, pf.calls_to(qual)):
            apps[name] = framework
    bento = _bound_names(facts, path, pf.calls_to("bentoml.Service"))
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
                    if imp.name in _bound_names(facts, target, other.calls_to(qual)):
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


# -- call graph ----------------------------------------------------------------------------
def reachable_functions(
    facts: Facts, entry: EntryPoint, max_depth: int = MAX_DEPTH
) -> set[tuple[str, str]]:
    """(path, qualname) of the repo functions and classes executed from `entry`, by static
    resolution of calls through imports (bounded; a call it cannot resolve is left out).

    The entry itself is included. `<main>`/`<module>` entries start from that block's calls;
    predictor/handler entries start from every method of their class (the server calls them).
    """
    key = f"entrypoints.reach:{entry.path}:{entry.symbol}:{entry.kind}:{max_depth}"
    return facts.memo(key, lambda f: _reach(f, entry, max_depth))


def _reach(facts: Facts, entry: EntryPoint, max_depth: int) -> set[tuple[str, str]]:
    start = {(entry.path, entry.symbol)}
    pf = facts.python(entry.path)
    cls = _class_of(pf, entry.symbol) if pf else None
    if pf is not None and cls:
        every = entry.kind in CLASS_KINDS or entry.symbol == cls
        start |= {
            (entry.path, f.qualname)
            for f in pf.functions
            if f.class_name == cls and (every or f.name in ("__init__", "setup", "initialize"))
        }
    if entry.kind == "route":  # the app's startup hooks load what the routes use
        start |= set(_route_hooks(facts, entry))
    seen = set(start)
    frontier = sorted(start)
    callees = _callee_cache(facts)
    for _ in range(max_depth):
        nxt = []
        for node in frontier:
            targets = callees.get(node)
            if targets is None:  # shared by every entry that reaches this node
                targets = callees[node] = tuple(sorted(_callees(facts, *node)))
            for target in targets:
                if target not in seen and len(seen) < MAX_NODES:
                    seen.add(target)
                    nxt.append(target)
        frontier = nxt
        if not frontier:
            break
    return seen


def _callee_cache(facts: Facts) -> dict[tuple[str, str], tuple[tuple[str, str], ...]]:
    """(path, symbol) -> its sorted callees, computed once per audit for all entries."""
    return facts.table("entrypoints.callees")


def _names(facts: Facts, path: str) -> tuple[frozenset[str], frozenset[str]]:
    """(function qualnames, class qualnames) of a file, for constant-time lookups."""
    cache = facts.table("entrypoints.names")
    names = cache.get(path)
    if names is None:
        pf = facts.python(path)
        names = cache[path] = (
            (frozenset(f.qualname for f in pf.functions), frozenset(c.qualname for c in pf.classes))
            if pf is not None
            else (frozenset(), frozenset())
        )
    return names


def _class_of(pf: PythonFacts, symbol: str) -> str | None:
    """The class a symbol is (or is a method of), when it names a class of the file."""
    names = {c.qualname for c in pf.classes}
    if symbol in names:
        return symbol
    owner = symbol.rsplit(".", 1)[0] if "." in symbol else None
    return owner if owner in names else None


def _callees(facts: Facts, path: str, symbol: str) -> set[tuple[str, str]]:
    pf = facts.python(path)
    if pf is None:
        return set()
    cls = _class_of(pf, symbol)
    if cls == symbol:  # instantiation runs the constructor
        return {
            (path, f"{cls}.{m}") for m in ("__init__", "__post_init__") if pf.function(f"{cls}.{m}")
        }
    calls = _calls_within(facts, path, pf).get(symbol, [])
    instances = _instances(facts, path, pf, calls, cls)
    out: set[tuple[str, str]] = set()
    for c in calls:
        parts = c.name.split(".")
        if parts[0] in ("self", "cls") and len(parts) == 3 and parts[1] in instances:
            parts = parts[1:]
        if parts[0] in ("self", "cls") and cls and len(parts) == 2:
            out.update(_lookup(facts, path, f"{cls}.{parts[1]}"))
        elif parts[0] in instances and len(parts) == 2:
            tpath, tcls = instances[parts[0]]
            out.update(_lookup(facts, tpath, f"{tcls}.{parts[1]}"))
        else:
            out.update(resolve_name(facts, path, pf, c.name))
        for arg in list(c.args) + [v for _, v in c.kwargs]:
            if isinstance(arg, str) and arg.startswith("$") and not arg.startswith("$self."):
                out.update(t for t in resolve_name(facts, path, pf, arg[1:]) if _is_func(facts, t))
    return out


def _calls_within(facts: Facts, path: str, pf: PythonFacts) -> dict[str, list[Call]]:
    """Scope → the file's calls made in it or in scopes nested in it (`Model` holds the calls
    of `Model.fit`), in file order; computed once per file."""
    cache = facts.table("entrypoints.calls_within")
    within = cache.get(path)
    if within is None:
        within = cache[path] = {}
        for c in pf.calls:
            scope = c.scope
            while True:
                within.setdefault(scope, []).append(c)
                cut = scope.rfind(".")
                if cut < 0:
                    break
                scope = scope[:cut]
    return within


def _is_func(facts: Facts, target: tuple[str, str]) -> bool:
    return target[1] in _names(facts, target[0])[0]


def _is_class(facts: Facts, target: tuple[str, str]) -> bool:
    return target[1] in _names(facts, target[0])[1]


def _instances(
    facts: Facts, path: str, pf: PythonFacts, calls: list[Call], cls: str | None
) -> dict[str, tuple[str, str]]:
    """Variables bound to instances of repo classes (`m = Model()`, `self.m = Model()`): in the
    scope itself, in the methods of its class, and at module level (with the globals a web
    app's startup hook sets, `feature_builder = FeatureBuilder()` in `lifespan`)."""
    out = _bindings(facts, path, pf, calls)
    # the module's and the class's bindings are the same for every symbol of the file
    cache = facts.table("entrypoints.bindings")
    for scope in (MODULE, cls + ".") if cls else (MODULE,):
        shared = cache.get((path, scope))
        if shared is None:
            hooks = {q for _p, q in startup_hooks(facts, path)} if scope == MODULE else set()
            pool = (
                [c for c in pf.calls if c.scope == MODULE or c.scope in hooks]
                if scope == MODULE
                else [c for c in pf.calls if c.scope.startswith(scope)]
            )
            shared = cache[(path, scope)] = _bindings(facts, path, pf, pool)
        for name, target in shared.items():
            out.setdefault(name, target)
    return out


def _bindings(
    facts: Facts, path: str, pf: PythonFacts, pool: list[Call]
) -> dict[str, tuple[str, str]]:
    """Names bound by `pool`'s calls to instances of repo classes, the first binding kept."""
    out: dict[str, tuple[str, str]] = {}
    for c in pool:
        targets = [t for t in resolve_name(facts, path, pf, c.name) if _is_class(facts, t)]
        if targets:
            for name in _bound_names(facts, path, [c]):
                out.setdefault(name, targets[0])
    return out


def _lookup(facts: Facts, path: str, qualname: str) -> list[tuple[str, str]]:
    functions, classes = _names(facts, path)
    if qualname in functions or qualname in classes:
        return [(path, qualname)]
    return []


def resolve_name(facts: Facts, path: str, pf: PythonFacts, name: str) -> list[tuple[str, str]]:
    """The repo function or class a dotted name written in `path` refers to (`[]` if unsure)."""
    cache = facts.table("entrypoints.resolved")
    key = (path, name)
    found = cache.get(key)
    if found is None:
        found = cache[key] = _resolve(facts, path, pf, name, 3)
    return found


def _resolve(
    facts: Facts, path: str, pf: PythonFacts, name: str, hops: int
) -> list[tuple[str, str]]:
    parts = name.split(".")
    if len(parts) == 1 or (len(parts) == 2 and parts[0] in _names(facts, path)[1]):
        local = _lookup(facts, path, name)
        if local:
            return local
    imp = _aliases(facts, path, pf).get(parts[0])
    if imp is None or hops <= 0:
        return []
    index = module_index(facts)
    candidates: list[tuple[str, list[str]]] = []
    if imp.name is None and not imp.level:  # `import a.b` binds `a`; `import a.b as x` binds x
        head = imp.module.split(".")
        dotted_parts = parts if imp.alias == head[0] else head + parts[1:]
        for cut in range(len(dotted_parts) - 1, 0, -1):
            found = index.find(".".join(dotted_parts[:cut]), path)
            if found:
                candidates.append((found, dotted_parts[cut:]))
                break
    else:
        for f in index.resolve(path, imp):
            is_sub = f.endswith((f"/{imp.name}.py", f"/{imp.name}/__init__.py"))
            candidates.append((f, parts[1:] if is_sub else [imp.name or ""] + parts[1:]))
        candidates.sort(key=lambda c: len(c[1]))
    for target, symbol_parts in candidates:
        if not symbol_parts or len(symbol_parts) > 2 or target == path:
            continue
        found = _lookup(facts, target, ".".join(symbol_parts))
        if found:
            return found
        other = facts.python(target)
        if other is not None:  # a package re-exporting the name (`from .build import f`)
            again = _resolve(facts, target, other, ".".join(symbol_parts), hops - 1)
            if again:
                return again
    return []


def _aliases(facts: Facts, path: str, pf: PythonFacts) -> dict[str, Import]:
    """Each name the file's imports bind → the last import binding it; once per file."""
    cache = facts.table("entrypoints.aliases")
    aliases = cache.get(path)
    if aliases is None:
        aliases = cache[path] = {i.alias: i for i in pf.imports}
    return aliases


def signature_annotations(facts: Facts, path: str, qualname: str) -> dict[str, str]:
    """Parameter → annotation source of a function (read from its `def` header only)."""
    pf = facts.python(path)
    fn = pf.function(qualname) if pf else None
    lines = facts.lines(path)
    if fn is None or not lines or path.endswith(".ipynb"):
        return {}
    header = ""
    for number in range(fn.line, min(fn.line + 30, len(lines) + 1)):
        header += lines[number - 1] + "\n"
        try:
            tree = ast.parse(textwrap.dedent(header) + "    pass\n")
        except SyntaxError:
            continue
        node = tree.body[0] if tree.body else None
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            args = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
            return {a.arg: ast.unparse(a.annotation) for a in args if a.annotation is not None}
        return {}
    return {}


# -- startup hooks of a route's app -------------------------------------------------------------
def _route_hooks(facts: Facts, entry: EntryPoint) -> list[tuple[str, str]]:
    """Startup hooks of the route's own file and of the file its app object is imported from."""
    pf = facts.python(entry.path)
    if pf is None:
        return []
    files = [entry.path]
    fn = pf.function(entry.symbol)
    line = fn.line if fn else 0
    objects = {
        c.name.partition(".")[0] for c in pf.calls if c.scope == entry.symbol and c.line < line
    }
    for imp in pf.imports:
        if imp.alias in objects and imp.name:
            files += module_index(facts).resolve(entry.path, imp)
    return [hook for f in dict.fromkeys(files) for hook in startup_hooks(facts, f)]
