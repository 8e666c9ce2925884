"""infra-1: seeds fixed through a project's own helper (`from util.seeder import
seed_everything; seed_everything(cfg.seed)`).

Many projects wrap `random.seed`, `np.random.seed` and `torch.manual_seed` in one helper and
call it once at start-up with a configured seed. The libraries it seeds are read from the
helper's body when the repository holds it; when it does not (a helper imported from a module
that is not committed), the helper is taken to seed Python `random` and NumPy, what every such
helper does, and never a training framework: an unseeded PyTorch or TensorFlow still makes the
seeding partial.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ml_readiness.facts import Facts
from ml_readiness.facts.imports import module_index
from ml_readiness.facts.python import Call, PythonFacts

SEED_HELPER = re.compile(
    r"^(seed_everything|seed_everything_\w+|set_seeds?|seed_all|fix_seeds?|set_random_seeds?"
    r"|seed_torch|set_global_seeds?|fix_random_seeds?)$"
)
DEFAULT_LIBS = ("numpy", "random")
# a library's own seeding call (`tf.compat.v1.set_random_seed`) is not a project helper
LIBRARY_ROOTS = frozenset(
    {
        "tensorflow", "tf", "torch", "numpy", "np", "random", "jax", "keras", "transformers",
        "lightning", "pytorch_lightning", "pl", "sklearn", "gym", "gymnasium", "paddle",
        "mxnet", "accelerate", "ray", "tensorflow_datasets", "datasets", "pyspark", "mindspore",
    }
)  # fmt: skip
# what a helper's body seeds: the qualified calls in it
BODY_SEEDS = {
    "random.seed": "random",
    "numpy.random.seed": "numpy",
    "torch.manual_seed": "torch",
    "torch.cuda.manual_seed_all": "torch",
    "tensorflow.random.set_seed": "tensorflow",
    "keras.utils.set_random_seed": "tensorflow",
    "tensorflow.keras.utils.set_random_seed": "tensorflow",
}


def helper_seed_calls(
    facts: Facts, path: str, pf: PythonFacts, libraries: tuple[str, ...]
) -> Iterator[tuple[Call, str, tuple[str, ...], object]]:
    """(call, label, libraries seeded, seed text) for each call of a project seed helper that
    is not one of the library calls already recognised (`libraries`: their qualified names).
    The seed may come from a config or option (`cfg.runtime.random_seed`); a call without any
    argument seeds nothing repeatable by name and is skipped."""
    for call in pf.calls:
        if not SEED_HELPER.match(call.attr) or call.qualified.split(".")[0] in LIBRARY_ROOTS:
            continue
        if any(call.qualified == q or call.qualified.endswith("." + q) for q in libraries):
            continue
        if not call.args and not call.kwargs:
            continue
        seed = _argument_text(facts, path, call)
        libs, where = _helper_libraries(facts, path, pf, call)
        label = f"{call.attr}() ({where})"
        yield call, label, libs, seed


def _argument_text(facts: Facts, path: str, call: Call) -> str:
    lines = facts.lines(path)
    text = lines[call.line - 1] if 0 < call.line <= len(lines) else ""
    m = re.search(rf"{re.escape(call.attr)}\s*\(([^)]*)\)", text)
    return m.group(1).strip() if m and m.group(1).strip() else "a configured seed"


def _helper_libraries(
    facts: Facts, path: str, pf: PythonFacts, call: Call
) -> tuple[tuple[str, ...], str]:
    """The libraries the helper seeds, and where that was read."""
    for target, tpf in _definitions(facts, path, pf, call.attr):
        libs = {
            lib
            for c in tpf.calls
            if c.scope == call.attr or c.scope.startswith(call.attr + ".")
            for q, lib in BODY_SEEDS.items()
            if c.qualified == q or c.qualified.endswith("." + q)
        }
        if libs:
            return tuple(sorted(libs)), f"project helper in {target}"
    return DEFAULT_LIBS, "project helper, body not in the repository: random and NumPy assumed"


def _definitions(
    facts: Facts, path: str, pf: PythonFacts, name: str
) -> Iterator[tuple[str, PythonFacts]]:
    """The repository files defining the helper: this file, or the module it is imported
    from."""
    if pf.function(name):
        yield path, pf
    index = module_index(facts)
    for imp in pf.imports:
        if imp.alias != name:
            continue
        for target in index.resolve(path, imp):
            tpf = facts.python(target)
            if tpf is not None and tpf.function(name):
                yield target, tpf
