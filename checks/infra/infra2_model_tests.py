"""infra-2: model code has unit tests that exercise it (shapes, forward pass, training step)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from ml_readiness.checks.infra._estimator_code import estimator_model_code
from ml_readiness.checks.infra._shared import gpu_only, training_entry_points

from ml_readiness.checklib import always_skipped, live_tests, test_evidence, tests_importing
from ml_readiness.evidence import Evidence, Hint
from ml_readiness.facts import Facts, is_test_path
from ml_readiness.facts.imports import imported_files, module_index
from ml_readiness.facts.python import Function, PythonFacts, dotted
from ml_readiness.reach import bound_names
from ml_readiness.registry import check

MODEL_BASES = (
    "torch.nn.Module",
    "torch.nn.modules.module.Module",
    "tensorflow.keras.Model",
    "tensorflow.keras.models.Model",
    "tensorflow.keras.layers.Layer",
    "keras.Model",
    "keras.models.Model",
    "keras.layers.Layer",
    "pytorch_lightning.LightningModule",
    "lightning.LightningModule",
    "lightning.pytorch.LightningModule",
    "flax.linen.Module",
)
BUILDERS = frozenset({"build_model", "make_model", "create_model", "get_model", "build_pipeline"})
BUILDER_LIBS = ("sklearn.", "xgboost.", "lightgbm.", "catboost.", "tensorflow.", "keras.", "torch.")
MODEL_FILE = re.compile(r"(^|/)(models?\.py|models/[^/]+\.py)$")
# a model(s).py counts as model code only when it uses an ML library (not a schema "model")
ML_LIBS = (
    "torch", "tensorflow", "keras", "jax", "flax", "sklearn", "xgboost", "lightgbm",
    "catboost", "pytorch_lightning", "lightning", "transformers", "timm", "pyspark.ml",
    "statsmodels", "prophet", "joblib",
)  # fmt: skip
# pretrained models loaded (and adapted) rather than defined: Hugging Face, PEFT, SBERT
PRETRAINED_CALLS = frozenset(
    {
        "peft.get_peft_model",
        "peft.mapping.get_peft_model",
        "sentence_transformers.SentenceTransformer",
    }
)
PRETRAINED_MODEL = re.compile(r"Model|For[A-Z]|LMHead|PeftModel")
# estimators a training function may construct and fit (XGBoost, scikit-learn, Spark ML...)
ESTIMATOR_LIBS = ("sklearn.", "xgboost.", "lightgbm.", "catboost.", "pyspark.ml.")
# KFP runs a component's Python function locally with `component.python_func(...)`
COMPONENT_CALLS = frozenset({"python_func", "execute", "pipeline_func"})
DOTTED_TARGET = re.compile(r"^[A-Za-z_]\w*(\.[A-Za-z_]\w*)+$")
# (pattern on the test's name and callees, what it exercises)
EXERCISES = (
    (re.compile(r"(?i)shape|dim|size"), "output shapes"),
    (re.compile(r"(?i)forward|predict|infer|__call__|output"), "a forward pass"),
    (re.compile(r"(?i)backward|train_step|training_step|optimizer|\bstep\b|(^|_)fit"), "a step"),
    (re.compile(r"(?i)overfit|memori[sz]e|single_batch|one_batch|tiny"), "overfitting a batch"),
    (re.compile(r"(?i)loss.*decreas|decreas.*loss|converge"), "loss decreasing"),
    (re.compile(r"(?i)grad"), "gradients"),
)


def _is_model_class(bases: tuple[str, ...], local: set[str]) -> bool:
    for base in bases:
        if base in local or any(base == b or base.endswith("." + b) for b in MODEL_BASES):
            return True
        if base.endswith((".nn.Module", "LightningModule", "keras.Model")):
            return True
    return False


def model_code(facts: Facts) -> dict[str, list[str]]:
    """Non-test files defining model code → the names a test would call (classes, builders)."""

    def compute(f: Facts) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        tokens = ("Module", "Model", "Layer", "def build_", "def make_", "def create_", "def get_")
        tokens += ("from_pretrained", "get_peft_model", "SentenceTransformer", "Sequential")
        tokens += ("def fit",)
        for path, pf in f.python_files(mentions=tokens, tests=False):
            names = _model_names(pf) + _pretrained_loaders(pf) + _plain_models(pf, path)
            names += _module_level_builds(f, path, pf)
            if not names and MODEL_FILE.search(path) and pf.imports_module(*ML_LIBS):
                names = [fn.name for fn in pf.functions if "." not in fn.qualname]
                names += [c.qualname for c in pf.classes if "." not in c.qualname]
            if names:
                out[path] = sorted(set(names))
        for path in f.repo.with_suffix(".py"):  # model(s).py files that mention none of tokens
            if path not in out and MODEL_FILE.search(path) and not is_test_path(path):
                pf = f.python(path)
                ml = pf is not None and pf.imports_module(*ML_LIBS)
                names = [fn.name for fn in pf.functions if "." not in fn.qualname] if ml else []
                if names:
                    out[path] = sorted(names)
        for entry in training_entry_points(f):  # training functions that build and fit
            pf = f.python(entry.path) if entry.path.endswith(".py") else None
            names = _estimator_trainers(pf, f.text(entry.path) or "") if pf else []
            if names:
                out[entry.path] = sorted(set(out.get(entry.path, [])) | set(names))
        for path, names in estimator_model_code(f).items():  # estimator builders, predictors
            out[path] = sorted(set(out.get(path, [])) | set(names))
        return out

    return facts.memo("infra.model_code", compute)


PLAIN_MODEL_NAME = re.compile(r"(Model|Recommender|Classifier|Regressor|Estimator)$")
PREDICTS = re.compile(r"^(predict\w*|recommend\w*|score\w*|forward|transform)$")
KERAS_BUILDS = frozenset(
    {
        f"{lib}{name}"
        for lib in ("keras.", "keras.models.", "tensorflow.keras.", "tensorflow.keras.models.")
        for name in ("Model", "Sequential")
    }
)


def _plain_models(pf: PythonFacts, path: str) -> list[str]:
    """Plain Python model classes (a NumPy BPR, a hand-written regressor) that define `fit`
    and `predict`/`recommend*`/`score*`, in a `models/` package or `model(s).py`, or named
    `*Model`/`*Recommender`/`*Classifier`/`*Regressor`/`*Estimator`."""
    out = []
    for cls in pf.classes:
        if "." in cls.qualname:
            continue
        if not (MODEL_FILE.search(path) or PLAIN_MODEL_NAME.search(cls.qualname)):
            continue
        methods = {fn.name for fn in pf.functions if fn.qualname.rsplit(".", 1)[0] == cls.qualname}
        if "fit" in methods and any(PREDICTS.match(m) for m in methods):
            out.append(cls.qualname)
    return out


def _module_level_builds(facts: Facts, path: str, pf: PythonFacts) -> list[str]:
    """A script that builds a Keras model at module level (`model = keras.Model(inputs,
    outputs)`, `keras.Sequential([...])`): the names it is bound to, else the script's
    functions (what a test could call)."""
    builds = [
        c for c in pf.calls if c.scope in ("<module>", "<main>") and c.qualified in KERAS_BUILDS
    ]
    if not builds:
        return []
    names = bound_names(facts, path, builds)  # module-level lines: never `self.x = ...`
    names |= {fn.name for fn in pf.functions if "." not in fn.qualname}
    return sorted(names) or [path.rsplit("/", 1)[-1].removesuffix(".py")]


def _model_names(pf: PythonFacts) -> list[str]:
    names: list[str] = []
    local: set[str] = set()
    for cls in pf.classes:
        if "." not in cls.qualname and _is_model_class(cls.bases, local):
            names.append(cls.qualname)
            local.add(cls.qualname)
    for fn in pf.functions:
        if "." in fn.qualname or fn.name not in BUILDERS:
            continue
        inner = [c for c in pf.calls if c.scope == fn.qualname or c.scope.startswith(fn.name + ".")]
        if any(c.qualified.startswith(BUILDER_LIBS) or c.name in local for c in inner):
            names.append(fn.name)
    return names


def _pretrained_loader(call_qualified: str) -> bool:
    """A call that makes a model from pretrained weights: `transformers.AutoModel*`/`*For*`/
    `*Model.from_pretrained`, `peft.get_peft_model`/`PeftModel.from_pretrained`,
    `sentence_transformers.SentenceTransformer`, `unsloth.FastLanguageModel.from_pretrained`."""
    parts = call_qualified.split(".")
    if call_qualified in PRETRAINED_CALLS:
        return True
    if parts[0] in ("transformers", "peft", "unsloth") and parts[-1] == "from_pretrained":
        owner = parts[-2] if len(parts) >= 2 else ""
        return bool(PRETRAINED_MODEL.search(owner))
    return False


def _pretrained_loaders(pf: PythonFacts) -> list[str]:
    """Functions (or the classes whose methods do it) that load a pretrained model or wrap it
    with PEFT adapters: the model code of a fine-tuning project, which subclasses nothing."""
    out = []
    for call in pf.calls:
        if call.scope in ("<module>", "<main>") or not _pretrained_loader(call.qualified):
            continue
        fn = pf.function(call.scope)
        if fn is None:
            continue
        out.append(fn.class_name.split(".")[0] if fn.class_name else fn.qualname.split(".")[0])
    return out


def _estimator_trainers(pf: PythonFacts, text: str = "") -> list[str]:
    """Top-level functions that construct an estimator (XGBoost, scikit-learn, LightGBM,
    CatBoost, Spark ML) and call `.fit` on it: the model spec of a training function. A
    lookup table of estimator classes (`{"gb": GradientBoostingClassifier, ...}[name](...)`,
    in the function or a module constant it reads) counts as constructing one."""
    out = []
    tables = _estimator_tables(pf, text)
    for fn in pf.functions:
        if "." in fn.qualname:
            continue
        inner = [c for c in pf.calls if c.scope == fn.qualname]
        builds = any(c.qualified.startswith(ESTIMATOR_LIBS) and c.attr[:1].isupper() for c in inner)
        if (builds or fn.qualname in tables) and any(c.attr == "fit" for c in inner):
            out.append(fn.name)
    return out


def _estimator_tables(pf: PythonFacts, text: str) -> set[str]:
    """Top-level functions that hold estimator classes (imported from ESTIMATOR_LIBS, not
    called) in a dict/list/tuple display or an assignment, or read a module constant that
    does."""
    classes = {
        imp.alias
        for imp in pf.imports
        if imp.name and imp.name[:1].isupper() and (imp.module + ".").startswith(ESTIMATOR_LIBS)
    }
    if not classes or not text:
        return set()
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return set()

    def holds(node: ast.AST) -> bool:
        checks = {  # isinstance(m, (A, B)) names a class without building one
            id(a)
            for c in ast.walk(node)
            if isinstance(c, ast.Call) and dotted(c.func) in ("isinstance", "issubclass")
            for a in c.args
        }
        for parent in ast.walk(node):
            kids: list[ast.expr | None] = []
            if isinstance(parent, ast.Dict):
                kids = list(parent.values)
            elif isinstance(parent, (ast.List, ast.Tuple, ast.Set)) and id(parent) not in checks:
                kids = list(parent.elts)
            elif isinstance(parent, (ast.Assign, ast.AnnAssign)):
                kids = [parent.value]
            elif isinstance(parent, ast.IfExp):
                kids = [parent.body, parent.orelse]
            if any(isinstance(k, ast.Name) and k.id in classes for k in kids):
                return True
        return False

    constants = {
        t.id
        for node in tree.body
        if isinstance(node, (ast.Assign, ast.AnnAssign)) and holds(node)
        for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
        if isinstance(t, ast.Name)
    }
    out = set()
    for node in tree.body:
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        reads = {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}
        if holds(node) or reads & constants:
            out.add(node.name)
    return out


def _hydra_targets(facts: Facts, pf: PythonFacts, fn: Function) -> set[tuple[str, str]]:
    """(file, name) a test builds through Hydra: `instantiate({"_target_": "pkg.mod.Name"})`."""
    scoped = [c for c in pf.calls if c.scope == fn.qualname or c.scope.startswith(fn.qualname)]
    if not any(c.attr == "instantiate" for c in scoped):
        return set()
    index = module_index(facts)
    out = set()
    for text, line in pf.strings:
        if fn.line <= line <= fn.end_line and DOTTED_TARGET.match(text):
            module, _, name = text.rpartition(".")
            target = index.find(module)
            if target:
                out.add((target, name))
    return out


def _tests_calling(
    facts: Facts, target: str, names: list[str], models: dict[str, list[str]]
) -> list[tuple[str, Function]]:
    """Live tests that call model code of `target`: its model names, or any function the test
    file imports from it by name; `component.python_func(...)` (KFP) counts as a call to the
    component; a Hydra `_target_` naming a class of `target` counts too."""
    out = []
    index = module_index(facts)
    for path, pf in tests_importing(facts, [target]):
        wanted = set(names)
        for imp in pf.imports:
            if imp.name and target in index.resolve(path, imp):
                wanted.add(imp.alias)
        for fn in live_tests(pf):
            scoped = [c for c in pf.calls if c.scope.startswith(fn.qualname)]
            if any(_calls(c.name, wanted) for c in scoped) or _fixture_calls(pf, fn, wanted):
                out.append((path, fn))
    for path, pf in facts.python_files(mentions=("_target_",), tests=True):
        for fn in live_tests(pf):
            hits = _hydra_targets(facts, pf, fn)
            calls = any(t == target and name in models[target] for t, name in hits)
            if calls and (path, fn) not in out:
                out.append((path, fn))
    return sorted(out, key=lambda pair: (pair[0], pair[1].line))


def _calls(name: str, wanted: set[str]) -> bool:
    parts = name.split(".")
    if parts[-1] in wanted or parts[0] in wanted:
        return True
    return len(parts) >= 2 and parts[-1] in COMPONENT_CALLS and parts[-2] in wanted


def _fixture_calls(pf: PythonFacts, fn: Function, wanted: set[str]) -> bool:
    # a test may reach the code through a fixture defined in the same file
    return any(
        other.name in fn.params
        and any(_calls(c.name, wanted) for c in pf.calls if c.scope.startswith(other.qualname))
        for other in pf.functions
    )


MOCKED_MODEL = re.compile(
    r"from_pretrained|AutoModel|get_peft_model|SentenceTransformer|(^|\.)(SFT|Seq2Seq)?Trainer$"
)


def _mocked_model(pf: PythonFacts, fn: Function) -> str | None:
    """The patch target when the test (or its class) mocks the pretrained model or trainer."""
    owners = (fn.qualname, fn.class_name or fn.qualname)
    for c in pf.calls:
        if c.attr not in ("patch", "object") or c.scope not in owners:
            continue
        target = next((a for a in c.args if isinstance(a, str) and not a.startswith("$")), "")
        if MOCKED_MODEL.search(target):
            return target
    return None


def exercises(pf: PythonFacts, fn: Function) -> list[str]:
    """What a model test exercises, recognised from its name and the calls it makes."""
    callees = " ".join(
        c.name for c in pf.calls if c.scope == fn.qualname or c.scope.startswith(fn.qualname + ".")
    )
    text = f"{fn.name} {callees}"
    found = [label for rx, label in EXERCISES if rx.search(text)]
    return ["a training step" if f == "a step" else f for f in found]


@check("infra-2")
def model_unit_tests(facts: Facts) -> Iterator[Evidence | Hint]:
    """Unit tests that import the model code and exercise it.

    Model code: classes deriving from `nn.Module`, `tf.keras.Model`/`Layer`, `LightningModule`
    or `flax.linen.Module`; `build_model`/`make_model`-style functions that build scikit-learn,
    XGBoost, Keras or torch models; functions (or classes whose methods do it) that load a
    pretrained model (`AutoModel*.from_pretrained`, `peft.get_peft_model`,
    `SentenceTransformer(...)`); files named `model.py`/`models.py` or inside a `models/`
    package; functions that return or construct-and-fit an estimator (`return Pipeline(...)`)
    and `*predict*` functions a serving route calls (not in a packaged library). A live test
    (asserting, not skipped or xfailed unconditionally) in a file that imports such a file and
    calls one of its classes or functions counts; the detail names what it exercises (shapes,
    forward pass, training step, overfitting a batch, loss decreasing). A test skipped when no
    GPU is present earns manual credit only: CI runners are CPU-only.
    """
    models = model_code(facts)
    if not models:
        yield Hint(
            "infra-2",
            "no model code found (nn.Module/keras.Model/LightningModule "
            "subclasses, build_model functions, from_pretrained/get_peft_model loaders, "
            "model(s).py)",
        )
        return
    credited: set[tuple[str, str]] = set()
    for target, names in sorted(models.items()):
        for path, fn in _tests_calling(facts, target, names, models):
            if (path, fn.qualname) in credited:
                continue
            pf = facts.python(path)
            mocked = _mocked_model(pf, fn) if pf else None
            if mocked:
                yield Hint(
                    "infra-2",
                    f"{path}:{fn.line} {fn.qualname} replaces the model with a mock "
                    f"(`patch({mocked!r})`): no forward pass or training step runs; not credited",
                )
                continue
            credited.add((path, fn.qualname))
            what = exercises(pf, fn) if pf else []
            detail = f"tests {target} ({', '.join(names[:3])})"
            if what:
                detail += f": {', '.join(what)}"
            gpu = gpu_only(pf, fn) if pf else None
            ev = test_evidence("infra-2", path, fn, detail)
            if gpu is not None:
                ev = Evidence(
                    "infra-2",
                    f"{detail} (skipped without a GPU: {gpu}; CI runners are "
                    "CPU-only, so manual only)",
                    path,
                    fn.line,
                    "test",
                    "manual",
                    fn.qualname,
                )
            yield ev
    if not credited:
        listed = ", ".join(sorted(models)[:4])
        yield Hint("infra-2", f"model code in {listed} has no live unit test that calls it")
    for path, pf in facts.python_files(mentions=("skip", "xfail", "expectedFailure"), tests=True):
        dead = [f for f in pf.tests() if always_skipped(f, pf)]
        if dead and any(t in models for t in imported_files(facts, path, pf)):
            names = ", ".join(f.qualname for f in dead[:3])
            yield Hint("infra-2", f"{path}: {names} always skipped or xfailed; not credited")
