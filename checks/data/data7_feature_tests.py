"""data-7: all input feature code is tested (live tests that call into feature modules)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator

from ml_readiness.checklib import defined_names, live_tests, test_evidence, tests_calling
from ml_readiness.evidence import Evidence, Hint
from ml_readiness.facts import Facts, is_example_config
from ml_readiness.facts.imports import module_index
from ml_readiness.facts.python import Function, PythonFacts
from ml_readiness.registry import check
from ml_readiness.routes import client_route_targets

from ._schema_modules import schema_only_module
from ._shared import calls_from, function_text
from .image_inputs import image_input_modules
from .nlp_inputs import nlp_input_modules

ITEM = "data-7"
FEATURE_FILE = re.compile(
    r"^(features?|feature_engineering|feature_eng|featuri[sz]e|featuri[sz]ation|preprocess(ing|or)?|"
    r"transforms?|transformers?|build_features|encoders?|feature_\w+|\w+_features)\.py$"
)
FEATURE_FOLDER = re.compile(
    r"(^|/)(features|feature_engineering|featuri[sz]ation|preprocessing|transforms)/"
)
FEATURE_FUNCTION = re.compile(
    r"(^|_)(features?|featuri[sz]e|preprocess\w*|transform|encode|impute|scale|normali[sz]e|"
    r"clean|engineer)(_|$)",
    re.I,
)
# Method names that mark feature code (narrower than FEATURE_FUNCTION: `encode`, `scale`,
# `transform` methods are as often model internals or framework hooks).
FEATURE_METHOD = re.compile(r"(^|_)(features?|featuri[sz]\w*|preprocess\w*)(_|$)", re.I)
DATA_LIBS = (
    "pandas",
    "numpy",
    "sklearn",
    "polars",
    "torch",
    "tensorflow",
    "scipy",
    "pyspark",
    "dask",
)
# Files named like feature code that are about something else: drift/importance monitoring,
# feature flags, feature-store clients.
NOT_FEATURE_FILE = re.compile(
    r"^feature_(drift|importances?|flags?|toggles?|store\w*|monitor\w*|skew|stats?)\.py$"
)
NOT_FEATURE_FOLDER = re.compile(r"(^|/)(monitoring|monitor|drift|alerts?)/")
# Functions named like features that load, store, show or monitor them instead of building them.
NOT_FEATURE_FUNCTION = re.compile(
    r"^_?(load|read|fetch|get|save|write|store|log|plot|show|print|evaluate|validate|check|"
    r"monitor)_|drift|importance",
    re.I,
)
# Transformer classes that are not feature code: a torch Dataset's per-item `transform` hook,
# sequence wrappers, AST/mypy-plugin transformers.
NOT_TRANSFORMER_BASES = re.compile(
    r"(^|\.)(Dataset|IterableDataset|Sequence|Mapping|NodeTransformer|NodeVisitor|Plugin)$"
)
TRANSFORMER_BASES = re.compile(r"TransformerMixin$|BaseEstimator$|^pyspark\.ml\.\w*\.?Transformer$")
TRANSFORMER_BUILDERS = ("ColumnTransformer", "make_column_transformer", "FunctionTransformer")
PIPELINE_BUILDERS = ("Pipeline", "make_pipeline")
TRANSFORM_METHODS = ("transform", "fit_transform")
FRAME_OPS = (
    "fillna",
    "astype",
    "map",
    "apply",
    "merge",
    "groupby",
    "drop",
    "assign",
    "clip",
    "log1p",
    "withColumn",
    "withColumns",
    "groupBy",
    "agg",
)
# What a file's text must hold for `_why_feature` to find anything but its path (parse filter).
FEATURE_TEXT = re.compile(
    r"features?|featuri[sz]e|preprocess|transform|encode|impute|scale|normali[sz]e|clean|"
    r"engineer",
    re.I,
)
# A test expecting (or accepting) an error status from the service: `status_code == 422`,
# `assertIn(response.status_code, [200, 500])`.
ERROR_STATUS = re.compile(
    r"status(_code)?\s*(==|!=|in)\s*[\[({]?[^\n\])}]*\b[45]\d\d\b"
    r"|status(_code)?\s*,\s*[\[({][^\n\])}]*\b[45]\d\d\b"
    r"|\b[45]\d\d\s*==\s*\w+\.status(_code)?\b"
)
# The test reads what the service answered.
PAYLOAD = re.compile(r"\.(get_)?json\(|json\.loads\(|\.(data|content|text)\b")
NON_FEATURE_DIRS = re.compile(r"(^|/)(docs?|examples?|benchmarks?|scripts|notebooks)/")


def _named_like_features(path: str) -> bool:
    base = path.rsplit("/", 1)[-1]
    if NOT_FEATURE_FILE.match(base) or NOT_FEATURE_FOLDER.search(path):
        return False
    return bool(FEATURE_FILE.match(base) or FEATURE_FOLDER.search(path))


def _transformer_classes(pf: PythonFacts) -> list[str]:
    """Classes that transform feature columns: scikit-learn style transformers (a `fit` and a
    `transform`, or a TransformerMixin/BaseEstimator/Spark Transformer base) that are not a
    Dataset, sequence wrapper or syntax-tree transformer, and that are used to build a model
    input (named feature columns in the class, or the class placed in a Pipeline)."""
    out = []
    for cls in pf.classes:
        methods = {f.name for f in pf.functions if f.class_name == cls.qualname}
        if not methods & set(TRANSFORM_METHODS):
            continue
        if any(NOT_TRANSFORMER_BASES.search(b) for b in cls.bases):
            continue
        sklearn_like = "fit" in methods or any(TRANSFORMER_BASES.search(b) for b in cls.bases)
        if sklearn_like:
            out.append(cls.qualname)
    return out


def _used_for_a_model(facts: Facts, path: str, name: str) -> bool:
    """True when project code (not tests, docs or examples) builds a model input with class
    `name`: it constructs it in a file that builds a Pipeline or fits something."""
    short = name.rsplit(".", 1)[-1]
    key = f"data7:used:{path}:{short}"

    def used(f: Facts) -> bool:
        for other, pf in f.python_files(mentions=(short,), tests=False, notebooks=True):
            if other.startswith("../") or NON_FEATURE_DIRS.search(other):
                continue
            if not any(c.attr == short for c in pf.calls):
                continue
            if any(c.attr in (*PIPELINE_BUILDERS, *TRANSFORMER_BUILDERS) for c in pf.calls) or (
                other != path and any(c.attr in ("fit", "fit_transform") for c in pf.calls)
            ):
                return True
        return False

    return facts.memo(key, used)


def _why_feature(facts: Facts, path: str, pf: PythonFacts) -> tuple[str, set[str]] | None:
    """Why `path` is feature code (by name or by what it does) and the names a test must call
    to test that code, or None. A module named like feature code is feature code as a whole; a
    module recognised by what it does (a training or API module that also builds a
    ColumnTransformer or defines a feature function) is feature code only in those functions,
    so a test calling its model-loading or API helpers does not test feature code."""
    names = defined_names(pf)
    if _named_like_features(path):
        return "named like feature code", names
    builders = calls_from(pf, ("sklearn",), TRANSFORMER_BUILDERS)
    if builders:
        owners = {c.scope.split(".")[0] for c in builders}
        return f"builds a {builders[0].attr}", names if owners & {"<module>", "<main>"} else owners
    transformers = [t for t in _transformer_classes(pf) if _used_for_a_model(facts, path, t)]
    if transformers:
        return f"defines transformer `{transformers[0]}`", {t.split(".")[0] for t in transformers}
    functions = []
    plain = {c.qualname for c in pf.classes if not any(map(NOT_TRANSFORMER_BASES.search, c.bases))}
    for fn in pf.functions:
        if not FEATURE_FUNCTION.search(fn.name) or NOT_FEATURE_FUNCTION.search(fn.name):
            continue
        # a method counts by its own name (`model.preprocess_features(x)` in a test) when that
        # name says features/preprocess (a model's `encode`/`transform` is not feature code;
        # sklearn-style classes are judged above) and its class is no Dataset
        if fn.class_name and (fn.class_name not in plain or not FEATURE_METHOD.search(fn.name)):
            continue
        inside = [c for c in pf.calls if c.scope.startswith(fn.qualname)]
        if (
            any(c.qualified.split(".")[0] in DATA_LIBS for c in inside)
            or any(c.attr in PIPELINE_BUILDERS for c in inside)
            or pf.imports_module(*DATA_LIBS)
            and any(c.attr in FRAME_OPS for c in inside)
        ):
            functions.append((fn.qualname, fn.name if fn.class_name else fn.qualname.split(".")[0]))
    if functions:
        return f"`{functions[0][0]}` transforms data", {name for _q, name in functions}
    return None


def feature_modules(facts: Facts) -> dict[str, tuple[str, set[str]]]:
    """Feature/preprocessing modules: path -> (why, names they define)."""
    out = {}
    by_name = facts.python_files(tests=False, select=_named_like_features)
    by_text = facts.python_files(tests=False, pattern=FEATURE_TEXT)
    order = {p: i for i, p in enumerate(facts.repo.files)}
    for path, pf in sorted(dict(by_name + by_text).items(), key=lambda item: order[item[0]]):
        if path.startswith("../") or is_example_config(path) or NON_FEATURE_DIRS.search(path):
            continue
        if NOT_FEATURE_FOLDER.search(path) or NOT_FEATURE_FILE.match(path.rsplit("/", 1)[-1]):
            continue
        if not defined_names(pf) or path.rsplit("/", 1)[-1] in (
            "setup.py",
            "conftest.py",
            "noxfile.py",
        ):
            continue
        found = _why_feature(facts, path, pf)
        if found and not schema_only_module(facts, path, pf):
            out[path] = found
    for path, found in {**image_input_modules(facts), **nlp_input_modules(facts)}.items():
        if path not in out and not NON_FEATURE_DIRS.search(path) and not path.startswith("../"):
            out[path] = found
    return out


def _reached_calls(pf: PythonFacts, qualname: str, depth: int = 3) -> set[str]:
    """Names called by `qualname` and by the functions of the same file it calls (up to
    `depth` hops): `predict` -> `_feature_frame` -> `add_cyclical_features`."""
    local = {f.name: f.qualname for f in pf.functions if "." not in f.qualname}
    seen: set[str] = set()
    called: set[str] = set()
    frontier = {qualname}
    for _ in range(depth):
        nxt: set[str] = set()
        for scope in frontier - seen:
            seen.add(scope)
            for c in pf.calls:
                if c.scope == scope or c.scope.startswith(scope + "."):
                    called.add(c.attr)
                    if c.attr in local:
                        nxt.add(local[c.attr])
        frontier = nxt
    return called


def route_tests(
    facts: Facts, modules: dict[str, tuple[str, set[str]]]
) -> Iterator[tuple[str, Function, str]]:
    """(test path, test, feature module) for live tests whose test-client requests
    (`client.post("/predict")`) reach a route handler that calls feature code: a feature
    function of the handler's own module, or one imported from a feature module, directly or
    through helpers of the handler's file. A request to a handler that reaches no feature code
    (`/health`), a test expecting or accepting an error status (`status_code == 422`,
    `assertIn(status_code, [200, 500])`) or one that never reads the response body, tests
    nothing here."""
    index = module_index(facts)
    for path, pf in facts.python_files(mentions=("client",), tests=True):
        if not pf.is_test_file:
            continue
        targets = client_route_targets(facts, path)
        if not targets:
            continue
        for fn in live_tests(pf):
            body = function_text(facts, path, fn)
            if ERROR_STATUS.search(body) or not PAYLOAD.search(body):
                # an error-path request (422, 503, "200 or 500") computes no features, and a
                # test that never reads the response checks nothing they compute
                continue
            handlers = {
                h
                for scope, hs in targets.items()
                if scope == fn.qualname or scope.startswith(fn.qualname + ".")
                for h in hs
            }
            done: set[str] = set()
            for route_path, qualname in sorted(handlers):
                rpf = facts.python(route_path)
                if rpf is None:
                    continue
                reached = _reached_calls(rpf, qualname)
                owners = [route_path] + [
                    m
                    for i in rpf.imports
                    if i.name in reached
                    for m in index.resolve(route_path, i)
                ]
                for module in owners:
                    if module in done or module not in modules:
                        continue
                    names = modules[module][1]
                    own = module == route_path and qualname.split(".")[0] in names
                    if reached & names or own:
                        done.add(module)
                        yield path, fn, module


def coverage_of(facts: Facts, modules: list[str]) -> Iterator[Evidence | Hint]:
    """Line coverage of feature modules from committed Cobertura `coverage.xml` files."""
    for path in facts.repo.named("coverage.xml"):
        text = facts.text(path)
        if text is None:
            continue
        if re.search(r"<!(DOCTYPE|ENTITY)", text, re.I):
            yield Hint(ITEM, f"{path} declares a DOCTYPE/ENTITY; not parsed (XML entity safety)")
            continue
        try:
            root = ET.fromstring(text)
        except ET.ParseError:
            yield Hint(ITEM, f"{path} is not well-formed XML; not read")
            continue
        rates = {}
        for cls in root.iter("class"):
            name, rate = cls.get("filename") or "", cls.get("line-rate")
            if not name or rate is None:
                continue
            for module in modules:
                if module == name or module.endswith("/" + name) or name.endswith("/" + module):
                    try:
                        rates[module] = float(rate)
                    except ValueError:
                        continue
        if rates:
            shown = ", ".join(f"{m} {rates[m]:.0%}" for m in sorted(rates))
            line = next((n for _p, n, _t in facts.grep(r"<class\b", [path])), 1)
            covered = any(r > 0 for r in rates.values())
            yield (
                Evidence(
                    ITEM,
                    f"committed coverage report: feature module line coverage {shown}",
                    path,
                    line,
                    kind="result",
                    credit="manual",
                )
                if covered
                else Hint(ITEM, f"{path} shows feature modules uncovered: {shown}")
            )


@check("data-7")
def feature_code_tests(facts: Facts) -> Iterator[Evidence | Hint]:
    """Feature and preprocessing code is unit tested.

    Finds feature modules by name (features.py, preprocessing.py, transforms.py,
    feature_engineering/ ...; not monitoring code such as feature_drift.py) and by what they do
    (ColumnTransformer construction, scikit-learn-style transformer classes that project code
    uses to build a model input, feature/preprocess/transform functions calling pandas, numpy,
    scikit-learn, PySpark ...; image/audio input transforms of torchvision, albumentations,
    kornia, tf.image, Keras preprocessing layers, Hugging Face image processors or torchaudio
    in code that training reaches, such as a LightningDataModule; methods named for features
    or preprocessing, such as `Model.preprocess_features`, that call those libraries). A module
    that only declares pydantic/pandera schemas (fields, validators, enums) is a schema, not
    feature code, whatever its name (`lead_features.py`). Credits each live test
    (asserting, not always skipped) that imports such a module and calls into it, or whose
    test-client requests (`client.post("/predict")`) reach a route handler that calls feature
    code (of its own module or imported from a feature module, directly or through helpers of
    its file); automated when CI collects it. Untested feature modules are listed; a committed
    Cobertura coverage.xml adds their line coverage (manual).
    """
    modules = feature_modules(facts)
    if not modules:
        yield Hint(ITEM, "no feature, preprocessing or transform modules were identified")
        return
    tests: dict[tuple[str, str], tuple[object, list[str]]] = {}
    tested = set()
    for module, (_why, names) in sorted(modules.items()):
        for path, fn in tests_calling(facts, module, names):
            tested.add(module)
            entry = tests.setdefault((path, fn.qualname), (fn, []))
            entry[1].append(module)
    for path, fn, module in route_tests(facts, modules):
        tested.add(module)
        entry = tests.setdefault((path, fn.qualname), (fn, []))
        if module not in entry[1]:
            entry[1].append(module)
    for (path, _q), (fn, mods) in sorted(tests.items()):
        yield test_evidence(ITEM, path, fn, f"tests feature code in {', '.join(mods)}")  # type: ignore[arg-type]
    untested = sorted(set(modules) - tested)
    if untested:
        yield Hint(
            ITEM,
            f"feature modules without a live test calling into them: {', '.join(untested)}",
        )
    yield from coverage_of(facts, sorted(modules))
