"""infra-1: which random number generators the training code seeds, versus which it uses;
and a test that trains twice and compares (the only automated reproducibility evidence)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from ml_readiness.checks.infra._seed_helpers import helper_seed_calls
from ml_readiness.checks.infra._shared import (
    function_node,
    gpu_only,
    library_hint,
    training_code,
    training_entry_points,
)

from ml_readiness.checklib import call_evidence, live_tests, test_evidence
from ml_readiness.evidence import Evidence, Hint
from ml_readiness.facts import Facts
from ml_readiness.facts.imports import imported_files
from ml_readiness.facts.python import EXPR, Call, Function, PythonFacts
from ml_readiness.registry import check

# qualified call -> (label, libraries it seeds)
SEED_CALLS: dict[str, tuple[str, tuple[str, ...]]] = {
    "random.seed": ("random.seed", ("random",)),
    "numpy.random.seed": ("np.random.seed", ("numpy",)),
    "numpy.random.default_rng": ("np.random.default_rng", ("numpy",)),
    "numpy.random.RandomState": ("np.random.RandomState", ("numpy",)),
    "torch.manual_seed": ("torch.manual_seed", ("torch",)),
    "torch.cuda.manual_seed_all": ("torch.cuda.manual_seed_all", ("torch",)),
    "torch.cuda.manual_seed": ("torch.cuda.manual_seed", ("torch",)),
    "tensorflow.random.set_seed": ("tf.random.set_seed", ("tensorflow",)),
    "tensorflow.keras.utils.set_random_seed": (
        "tf.keras.utils.set_random_seed",
        ("tensorflow", "numpy", "random"),
    ),
    "keras.utils.set_random_seed": ("keras.utils.set_random_seed", ("tensorflow", "numpy")),
    "jax.random.PRNGKey": ("jax.random.PRNGKey", ("jax",)),
    "jax.random.key": ("jax.random.key", ("jax",)),
    "pytorch_lightning.seed_everything": ("seed_everything", ("torch", "numpy", "random")),
    "lightning.seed_everything": ("seed_everything", ("torch", "numpy", "random")),
    "lightning.pytorch.seed_everything": ("seed_everything", ("torch", "numpy", "random")),
    "lightning.fabric.seed_everything": ("seed_everything", ("torch", "numpy", "random")),
    "transformers.set_seed": ("transformers.set_seed", ("torch", "numpy", "random", "tensorflow")),
}
# Optuna samplers draw the trials from their own RNG, seeded with `seed=`
OPTUNA_SAMPLERS = re.compile(r"^optuna\.(samplers\.)?\w*Sampler$")
# Hugging Face training arguments: the Trainer seeds torch, numpy and random from `seed=`
HF_TRAINING_ARGS = (
    "transformers.TrainingArguments",
    "transformers.Seq2SeqTrainingArguments",
    "transformers.training_args.TrainingArguments",
    "trl.SFTConfig",
    "trl.DPOConfig",
    "trl.RewardConfig",
    "trl.ORPOConfig",
)
LIBRARY_NAMES = {
    "datasets": "Hugging Face datasets",
    "random": "Python random",
    "numpy": "NumPy",
    "torch": "PyTorch",
    "tensorflow": "TensorFlow",
    "jax": "JAX",
    "sklearn": "scikit-learn",
    "xgboost": "XGBoost",
    "lightgbm": "LightGBM",
    "catboost": "CatBoost",
    "spark": "Spark",
    "optuna": "Optuna",
}
# the libraries that fit the model: when training code uses one unseeded, training is not
# repeatable whatever else is seeded (a seeded split does not fix weight initialisation)
FRAMEWORKS = ("torch", "tensorflow", "jax")
# imported module prefix -> library whose RNG it uses
USES = {
    "random": "random",
    "numpy": "numpy",
    "torch": "torch",
    "pytorch_lightning": "torch",
    "lightning": "torch",
    "tensorflow": "tensorflow",
    "keras": "tensorflow",
    "jax": "jax",
}
# scikit-learn modules whose estimators/splits draw random numbers
SKLEARN_RANDOM = (
    "sklearn.model_selection",
    "sklearn.ensemble",
    "sklearn.tree",
    "sklearn.neural_network",
    "sklearn.cluster",
    "sklearn.linear_model",
    "sklearn.svm",
    "sklearn.decomposition",
    "sklearn.manifold",
    "sklearn.utils",
    "sklearn.datasets",
    "sklearn.kernel_approximation",
    "sklearn.random_projection",
)
ESTIMATOR_LIBS = ("sklearn.", "xgboost.", "lightgbm.", "catboost.")
# Spark methods taking `seed=` on a DataFrame (or `randomSplit(weights, seed)`)
SPARK_SEEDED = frozenset({"randomSplit", "sample", "sampleBy", "rand", "randn"})
_SEED_TEXT = re.compile(
    r"\bseed\s*=\s*(?P<v>[A-Za-z_][\w.]*(?:\[\s*(?:\"[^\"]*\"|'[^']*'|\d+)\s*\])*)\s*[,)]"
)
_TRAIN_CALLEE = re.compile(
    r"^(train|fit|training|train_model|run_training|fit_model|train_and_evaluate)$|(^|_)train$"
)
_NOT_TRAINING = re.compile(r"(?i)(dataloader|dataset|_set|_step|_split|_data)$")
_RESUME = re.compile(r"(?i)ckpt|checkpoint|resume|warm_start|load_state|restore")
_EQUAL_CALLS = re.compile(
    r"(^|\.)(equal|allclose|array_equal|assert_allclose|assert_array_equal|assert_equal"
    r"|assert_array_almost_equal|assert_almost_equal|assert_close|assert_frame_equal"
    r"|assert_series_equal|assertEqual|assertAlmostEqual|assertListEqual|approx|isclose)$"
)
_REPRO_NAME = re.compile(r"(?i)reproduc|determinis|same_result|twice|identical")


def _resolve(value: object, pf: PythonFacts, scope: str = "") -> object:
    """A seed argument as written; a name is shown with its module-level literal value, and
    `self.seed` with the class attribute's default (`random_state: int | None = 42`); a
    default of None is no seed."""
    if isinstance(value, str) and value.startswith("$"):
        name = value[1:]
        if name.startswith("self.") and "." in scope:
            cls, attr = scope.rsplit(".", 1)[0], name[5:]
            field = next((a for a in pf.assigns if a.name == attr and a.scope == cls), None)
            if field is not None:
                if field.value is None:
                    return None
                return f"{name}={field.value}" if isinstance(field.value, int) else name
        literal = next((a.value for a in pf.assigns if a.name == name), None)
        return f"{name}={literal}" if isinstance(literal, int) else name
    return value


def _fixed(value: object) -> bool:
    """A seed that is set: an int literal or a named value (not None, not a computed value)."""
    if value is None or value is EXPR or isinstance(value, bool):
        return False
    return isinstance(value, int | str)


def _config_seed(facts: Facts, path: str, pf: PythonFacts, call: Call) -> object:
    """A seed written as a config lookup (`CONFIG["cv"]["seed"]`), read from the call's source
    and resolved through a module-level dict literal (this file or one it imports)."""
    lines = facts.lines(path)[call.line - 1 : call.line + 20] if path.endswith(".py") else []
    m = _SEED_TEXT.search("\n".join(lines))
    if not m:
        return EXPR
    text = m.group("v")
    name, *keys = re.split(r"\s*\[\s*", text)
    keys = [k.rstrip("] ").strip("'\"") for k in keys]
    files = [pf] + [facts.python(f) for f in imported_files(facts, path, pf)]
    for other in files:
        value = next((a.value for a in other.assigns if a.name == name), None) if other else None
        for key in keys if value is not None else ():
            value = dict(value).get(key) if isinstance(value, tuple) else None
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{text}={value}"
    return text


def _uses(pf: PythonFacts) -> set[str]:
    used = set()
    for imp in pf.imports:
        top = imp.module.split(".")[0]
        if top in USES:
            used.add(USES[top])
    if any(c.qualified.startswith(SKLEARN_RANDOM) for c in pf.calls):
        used.add("sklearn")
    return used


def _seed_calls(
    facts: Facts, path: str, pf: PythonFacts
) -> Iterator[tuple[Call, str, tuple[str, ...], object]]:
    """(call, label, libraries seeded, seed value) for every call that fixes a seed."""
    for call in pf.calls_to(*SEED_CALLS):
        matches = [k for k in SEED_CALLS if call.qualified == k or call.qualified.endswith("." + k)]
        key = max(matches, key=len)  # `numpy.random.seed` is not `random.seed`
        label, libs = SEED_CALLS[key]
        raw = call.args[0] if call.args else call.kw("seed")
        value = _resolve(raw, pf)
        if _fixed(value):
            yield call, label, libs, value
    for call in pf.calls:
        if call.qualified.startswith(ESTIMATOR_LIBS) and call.has_kw("random_state"):
            value = _resolve(call.kw("random_state"), pf, call.scope)
            if _fixed(value):
                lib = call.qualified.split(".", 1)[0]
                yield call, f"{call.name}(random_state=...)", (lib,), value
    yield from helper_seed_calls(facts, path, pf, tuple(SEED_CALLS))
    for call in pf.calls_to(*HF_TRAINING_ARGS):  # Trainer calls set_seed(args.seed)
        raw = call.kw("seed")
        if raw is EXPR:
            raw = _config_seed(facts, path, pf, call)
        value = _resolve(raw, pf)
        if _fixed(value):
            yield call, f"{call.attr}(seed=...)", ("torch", "numpy", "random"), value
    for call in pf.calls:  # `TPESampler(seed=69)`: the tuning trials are repeatable
        if OPTUNA_SAMPLERS.match(call.qualified) and call.has_kw("seed"):
            value = _resolve(call.kw("seed"), pf)
            if _fixed(value):
                yield call, f"{call.attr}(seed=...)", ("optuna",), value
    if pf.imports_module("datasets"):  # datasets' Dataset.train_test_split/shuffle(seed=)
        for call in pf.method_calls("train_test_split", "shuffle"):
            value = _resolve(call.kw("seed"), pf)
            if call.has_kw("seed") and _fixed(value):
                yield call, f"{call.attr}(seed=...)", ("datasets",), value
    spark = pf.imports_module("pyspark")
    for call in pf.calls:
        spark_call = call.qualified.startswith("pyspark.") or (spark and call.attr in SPARK_SEEDED)
        if not spark_call:
            continue
        raw = call.kw("seed") if call.has_kw("seed") else None
        if raw is None and call.attr == "randomSplit" and len(call.args) >= 2:
            raw = call.args[1]
        if raw is EXPR:
            raw = _config_seed(facts, path, pf, call)
        value = _resolve(raw, pf)
        if _fixed(value):
            yield call, f"{call.name}(seed=...)", ("spark",), value


def _names(libs: set[str] | tuple[str, ...]) -> str:
    return ", ".join(LIBRARY_NAMES[lib] for lib in sorted(libs))


@check("infra-1")
def seeded_randomness(facts: Facts) -> Iterator[Evidence | Hint]:
    """Random number generators seeded in the training code, versus those it uses.

    Seeds count where the training code runs: training entry points (train*.py, scripts whose
    `__main__` block trains, modules defining `train()`, notebooks that fit) and the files they
    import. Recognised: `random.seed`, `np.random.seed`/`default_rng(seed)`, `torch.manual_seed`
    and `torch.cuda.manual_seed_all`, `tf.random.set_seed`/`tf.keras.utils.set_random_seed`,
    `jax.random.PRNGKey(<seed>)`, Lightning `seed_everything`, `transformers.set_seed`, a
    project's own `seed_everything(cfg.seed)`/`set_seed` helper (see `_seed_helpers`),
    Hugging Face `TrainingArguments(seed=...)`/TRL `SFTConfig(seed=...)` (the Trainer seeds
    torch, numpy and random from it), datasets `train_test_split(seed=)`/`shuffle(seed=)`,
    `random_state=<seed>` in scikit-learn/XGBoost/LightGBM/CatBoost calls and Spark `seed=`
    (`randomSplit`, `CrossValidator`, `RandomForest*`...; a config lookup such as
    `CONFIG["cv"]["seed"]` is resolved through a module-level dict). A seed makes a run
    repeatable by hand (manual credit); a Hint lists the libraries used but not seeded.

    Seeds outside the training code (library or utility code) are not credited; without a
    training entry point nothing is. Partial seeding earns nothing when the framework that fits
    the model (PyTorch, TensorFlow/Keras, JAX) is used by the training code and never seeded:
    a seeded data split does not make weight initialisation or shuffling repeatable.
    """
    entries = training_entry_points(facts)
    code = set(training_code(facts))
    seeded: dict[str, str] = {}
    outside: list[str] = []
    found: list[Evidence] = []
    tokens = ("seed", "PRNGKey", "random_state", "default_rng", "RandomState", "random.key")
    for path, pf in facts.python_files(mentions=tokens, notebooks=True, tests=False):
        shown: set[str] = set()
        for call, label, libs, value in _seed_calls(facts, path, pf):
            if path not in code:
                outside.append(f"{path}:{call.line} ({label})")
                continue
            for lib in libs:
                seeded.setdefault(lib, f"{path}:{call.line}")
            if label in shown:
                continue
            shown.add(label)
            detail = f"seeds {_names(libs)}: `{label}` with seed {value}"
            found.append(call_evidence("infra-1", path, call, detail, credit="manual"))
    used: dict[str, str] = {}
    for path in sorted(code):
        pf = facts.python(path)
        for lib in sorted(_uses(pf)) if pf else ():
            used.setdefault(lib, path)
    missing = [lib for lib in used if lib not in seeded]
    unseeded = [lib for lib in FRAMEWORKS if lib in missing]
    if found and unseeded:
        frameworks = ", ".join(f"{LIBRARY_NAMES[lib]} ({used[lib]})" for lib in unseeded)
        partial = ", ".join(f"{e.location()} `{e.detail.split('`')[1]}`" for e in found[:4])
        yield Hint(
            "infra-1",
            f"partial seeding, not credited: the training framework {frameworks} is never "
            f"seeded, so training is not repeatable; seeded only: {partial}",
            priority=1,  # the seed breakdown explains infra-1 best: it leads the reason
        )
    else:
        yield from found
    if missing:
        where = "; ".join(f"{LIBRARY_NAMES[lib]} ({used[lib]})" for lib in sorted(missing))
        yield Hint("infra-1", f"training code uses but never seeds: {where}")
    if not entries:
        where = f": {', '.join(outside[:5])}" if outside else ""
        yield Hint(
            "infra-1",
            "no training entry point found (train*.py, a __main__ block that fits, a train() "
            f"function, a notebook that fits), so no seed is credited{where}",
        )
    elif outside and seeded:
        yield Hint(
            "infra-1",
            "seeds outside the training code (no training entry point imports these files), "
            f"not credited: {', '.join(outside[:5])}",
        )
    elif outside:  # one hint gives the whole seed breakdown (its priority makes it the reason)
        yield Hint(
            "infra-1",
            "fixed seeds only outside the training code (no training entry point imports these "
            f"files), not credited: {', '.join(outside[:5])}; no fixed seed found in the "
            "training code",
            priority=1,
        )
    if entries and not seeded and not outside:
        yield Hint("infra-1", "no fixed seed found in the training code")


def _train_calls(pf: PythonFacts, fn: Function) -> dict[str, list[Call]]:
    calls: dict[str, list[Call]] = {}
    for c in pf.calls:
        if c.scope != fn.qualname and not c.scope.startswith(fn.qualname + "."):
            continue
        if _TRAIN_CALLEE.search(c.attr) and not _NOT_TRAINING.search(c.attr):
            calls.setdefault(c.attr, []).append(c)
    return calls


def _compares_equal(facts: Facts, path: str, fn: Function, after: int) -> bool:
    """True when the test compares two computed values for equality after line `after`:
    `a == b`, `torch.equal`/`allclose`, `np.testing.assert_allclose`, `pytest.approx`,
    `assertEqual`, `abs(a - b) < eps` (`<`/`>` between runs is progress, not reproducibility)."""
    parsed = function_node(facts, path, fn)
    if parsed is None:
        return False
    node, offset = parsed
    for sub in ast.walk(node):
        if getattr(sub, "lineno", 0) + offset < after:
            continue
        if isinstance(sub, ast.Call):
            name = ast.unparse(sub.func)
            if _EQUAL_CALLS.search(name) and len(sub.args) + len(sub.keywords) >= 2:
                return True
        elif isinstance(sub, ast.Compare):
            operands = [sub.left, *sub.comparators]
            for op, left, right in zip(sub.ops, operands, operands[1:], strict=False):
                computed = not isinstance(left, ast.Constant) and not isinstance(
                    right, ast.Constant
                )
                if isinstance(op, ast.Eq) and computed:
                    return True
                diff = (
                    isinstance(left, ast.Call)
                    and ast.unparse(left.func).endswith("abs")
                    and bool(left.args)
                    and isinstance(left.args[0], ast.BinOp)
                    and isinstance(left.args[0].op, ast.Sub)
                )
                if isinstance(op, ast.Lt | ast.LtE) and diff:
                    return True
    return False


def _resumes(facts: Facts, path: str, first: Call, second: Call) -> bool:
    """True when the second run resumes the first (a checkpoint/resume/warm start is set)."""
    between = facts.lines(path)[first.line : second.line]
    text = "\n".join(line for line in between if not line.lstrip().startswith("#"))
    return bool(_RESUME.search(text)) or any(_RESUME.search(k) for k, _ in second.kwargs)


@check("infra-1")
def retrain_and_compare(facts: Facts) -> Iterator[Evidence | Hint]:
    """A test that trains twice and compares the results.

    A live test (not skipped or xfailed unconditionally, with assertions) that calls the same
    training function (`train`, `fit`, `train_model`, `*_train`; not `train_dataloader`,
    `partial_fit` or `training_step`) at least twice and then compares two computed values for
    equality (`==`, `torch.equal`/`allclose`, `np.testing.assert_allclose`, `pytest.approx`,
    `abs(a - b) < eps`), or a test named for reproducibility/determinism that trains. A second
    run that resumes the first (checkpoint, `ckpt_path`, `resume`, `warm_start`) is a resume
    test, and `<`/`>` between runs is progress: neither is reproducibility. This is the only
    evidence that can make infra-1 automated, when CI runs the test; a GPU-only test earns
    manual at most.
    """
    trains = bool(training_entry_points(facts))
    library: list[str] = []
    for path, pf in facts.python_files(mentions=("train", "fit"), notebooks=False, tests=True):
        for fn in live_tests(pf):
            calls = _train_calls(pf, fn)
            twice = sorted(name for name, sites in calls.items() if len(sites) >= 2)
            detail = None
            for name in twice:
                first, second = calls[name][0], calls[name][1]
                if _resumes(facts, path, first, second):
                    continue
                if _compares_equal(facts, path, fn, second.line):
                    detail = f"test trains twice with `{name}()` and compares the results"
                    break
            if detail is None and calls and not twice and _REPRO_NAME.search(fn.name):
                detail = f"reproducibility test retrains with `{sorted(calls)[0]}()` and asserts"
            if detail is None:
                continue
            if not trains:
                library.append(f"{path}:{fn.line}")
                continue
            gpu = gpu_only(pf, fn)
            if gpu is not None:
                detail += f" (runs only with a GPU: {gpu}; CI runners are CPU-only)"
                yield Evidence("infra-1", detail, path, fn.line, "test", "manual", fn.qualname)
                continue
            yield test_evidence("infra-1", path, fn, detail)
    if library:
        yield library_hint("infra-1", "tests train twice and compare", library)
