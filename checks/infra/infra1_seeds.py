"""infra-1: which random number generators the training code seeds, versus which it uses;
and a test that trains twice and compares (the only automated reproducibility evidence)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ml_readiness.checks.infra._shared import training_code, training_entry_points

from ml_readiness.checklib import call_evidence, live_tests, test_evidence
from ml_readiness.evidence import Evidence, Hint
from ml_readiness.facts import Facts
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
LIBRARY_NAMES = {
    "random": "Python random",
    "numpy": "NumPy",
    "torch": "PyTorch",
    "tensorflow": "TensorFlow",
    "jax": "JAX",
    "sklearn": "scikit-learn",
}
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
_TRAIN_CALLEE = re.compile(r"(^|_)(train|training|fit)(_|$)|^train")
_REPRO_NAME = re.compile(r"(?i)reproduc|determinis|same_result|twice|identical")


def _resolve(value: object, pf: PythonFacts) -> object:
    """A seed argument as written; a name is shown with its module-level literal value."""
    if isinstance(value, str) and value.startswith("$"):
        name = value[1:]
        literal = next((a.value for a in pf.assigns if a.name == name), None)
        return f"{name}={literal}" if isinstance(literal, int) else name
    return value


def _fixed(value: object) -> bool:
    """A seed that is set: an int literal or a named value (not None, not a computed value)."""
    if value is None or value is EXPR or isinstance(value, bool):
        return False
    return isinstance(value, int | str)


def _uses(pf: PythonFacts) -> set[str]:
    used = set()
    for imp in pf.imports:
        top = imp.module.split(".")[0]
        if top in USES:
            used.add(USES[top])
    if any(c.qualified.startswith(SKLEARN_RANDOM) for c in pf.calls):
        used.add("sklearn")
    return used


def _seed_calls(pf: PythonFacts) -> Iterator[tuple[Call, str, tuple[str, ...], object]]:
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
            value = _resolve(call.kw("random_state"), pf)
            if _fixed(value):
                yield call, f"{call.name}(random_state=...)", ("sklearn",), value


def _names(libs: set[str] | tuple[str, ...]) -> str:
    return ", ".join(LIBRARY_NAMES[lib] for lib in sorted(libs))


@check("infra-1")
def seeded_randomness(facts: Facts) -> Iterator[Evidence | Hint]:
    """Random number generators seeded in the training code, versus those it uses.

    Seeds count where the training code runs: training entry points (train*.py, scripts whose
    `__main__` block trains, modules defining `train()`, notebooks that fit) and the files they
    import. Recognised: `random.seed`, `np.random.seed`/`default_rng(seed)`, `torch.manual_seed`
    and `torch.cuda.manual_seed_all`, `tf.random.set_seed`/`tf.keras.utils.set_random_seed`,
    `jax.random.PRNGKey(<seed>)`, Lightning `seed_everything`, `transformers.set_seed` and
    `random_state=<seed>` in scikit-learn/XGBoost/LightGBM/CatBoost calls. A seed makes a run
    repeatable by hand (manual credit); a Hint lists the libraries used but not seeded.
    """
    entries = training_entry_points(facts)
    code = set(training_code(facts))
    seeded: dict[str, str] = {}
    outside: list[str] = []
    tokens = ("seed", "PRNGKey", "random_state", "default_rng", "RandomState", "random.key")
    for path, pf in facts.python_files(mentions=tokens, notebooks=True, tests=False):
        shown: set[str] = set()
        for call, label, libs, value in _seed_calls(pf):
            if entries and path not in code:
                outside.append(f"{path}:{call.line} ({label})")
                continue
            for lib in libs:
                seeded.setdefault(lib, f"{path}:{call.line}")
            if label in shown:
                continue
            shown.add(label)
            detail = f"seeds {_names(libs)}: `{label}` with seed {value}"
            yield call_evidence("infra-1", path, call, detail, credit="manual")
    used: dict[str, str] = {}
    for path in sorted(code):
        pf = facts.python(path)
        for lib in sorted(_uses(pf)) if pf else ():
            used.setdefault(lib, path)
    missing = [lib for lib in used if lib not in seeded]
    if missing:
        where = "; ".join(f"{LIBRARY_NAMES[lib]} ({used[lib]})" for lib in sorted(missing))
        yield Hint("infra-1", f"training code uses but never seeds: {where}")
    if outside:
        yield Hint(
            "infra-1",
            "seeds outside the training code (no training entry point imports these files), "
            f"not credited: {', '.join(outside[:5])}",
        )
    if not seeded:
        scope = "training code" if entries else "Python code"
        yield Hint("infra-1", f"no fixed seed found in the {scope}")


def _train_calls(pf: PythonFacts, fn: Function) -> dict[str, list[Call]]:
    calls: dict[str, list[Call]] = {}
    for c in pf.calls:
        if c.scope != fn.qualname and not c.scope.startswith(fn.qualname + "."):
            continue
        if _TRAIN_CALLEE.search(c.attr) and "transform" not in c.attr:
            calls.setdefault(c.attr, []).append(c)
    return calls


@check("infra-1")
def retrain_and_compare(facts: Facts) -> Iterator[Evidence | Hint]:
    """A test that trains twice and compares the results.

    A live test (not skipped or xfailed unconditionally, with assertions) that calls the same
    training function at least twice, or a test named for reproducibility/determinism that
    calls a training function. This is the only evidence that can make infra-1 automated,
    when CI runs the test.
    """
    for path, pf in facts.python_files(mentions=("train", "fit"), notebooks=False, tests=True):
        for fn in live_tests(pf):
            calls = _train_calls(pf, fn)
            twice = sorted(name for name, sites in calls.items() if len(sites) >= 2)
            if twice:
                detail = f"test trains twice with `{twice[0]}()` and compares the results"
            elif calls and _REPRO_NAME.search(fn.name):
                detail = f"reproducibility test retrains with `{sorted(calls)[0]}()` and asserts"
            else:
                continue
            yield test_evidence("infra-1", path, fn, detail)
