"""Code evidence in a function that nothing calls earns nothing.

The rubric counts an unused definition as no evidence: a module-level function that no script,
test, notebook, pipeline or configuration of the repository names (`plot_importances` written
once and never called) is not a practice anyone performs. Before scoring, such evidence is
turned into a Hint saying so — unless automation executes it (then something does call it).

Only plain module-level functions are judged: methods and decorated functions are called by
frameworks by name (Lightning `training_step`, FastAPI routes, pytest fixtures, Prefect tasks),
and so are a few well-known hook names (SageMaker `model_fn`, Kedro `create_pipeline`). A name
used anywhere else — a call, a reference passed to a pipeline node, a string, a config entry
such as Hydra `_target_` or a `module:function` script — counts as used.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ml_readiness.evidence import Evidence, Finding, Hint
from ml_readiness.facts import is_test_path

if TYPE_CHECKING:
    from ml_readiness.facts import Facts

# functions frameworks call by name, never named by the project itself
FRAMEWORK_HOOKS = frozenset(
    {
        "model_fn",
        "input_fn",
        "predict_fn",
        "output_fn",
        "transform_fn",
        "create_pipeline",
        "register_pipelines",
        "handler",
        "lambda_handler",
        "main",
        "run",
        "setup",
        "teardown",
        "preprocessing_fn",
        "run_fn",
        "tuner_fn",
        "trainer_fn",
        "entrypoint",
        "app",
    }
)
CONFIG_SUFFIXES = (".yaml", ".yml", ".toml", ".cfg", ".ini", ".json", ".sh", ".mk")
CONFIG_NAMES = ("Makefile", "Dockerfile", "Procfile", "justfile", "tox.ini", "setup.py")


def drop_unused(facts: Facts, produced: dict[str, list[Evidence | Finding | Hint]]) -> None:
    """Replace each code Evidence that sits in a function nothing calls by a Hint."""
    automation = facts.automation
    for item, values in produced.items():
        for i, value in enumerate(values):
            if not isinstance(value, Evidence) or value.kind != "code" or not value.symbol:
                continue
            if automation.execution_of(value.path, value.symbol) is not None:
                continue
            why = unused_function(facts, value.path, value.symbol)
            if why:
                detail = f"{value.detail} ({value.location()}), but {why}; not credited"
                values[i] = Hint(item, detail, value.check)


def unused_function(facts: Facts, path: str, symbol: str) -> str | None:
    """Why the module-level function `symbol` of `path` is never used, or None."""
    cache = facts.table("unused.functions")
    key = (path, symbol)
    if key not in cache:
        cache[key] = _unused(facts, path, symbol)
    return cache[key]


def _config_files(facts: Facts) -> list[str]:
    """Configuration and script files that may name a function (computed once per audit)."""
    configs = [p for p in facts.repo.with_suffix(*CONFIG_SUFFIXES) if not p.startswith("../")]
    return sorted(set(configs + facts.repo.named(*CONFIG_NAMES)))


def _unused(facts: Facts, path: str, symbol: str) -> str | None:
    if "." in symbol or symbol.startswith("<") or symbol in FRAMEWORK_HOOKS:
        return None
    if not path.endswith(".py") or path.startswith("../") or is_test_path(path):
        return None
    pf = facts.python(path)
    fn = pf.function(symbol) if pf else None
    if fn is None or fn.class_name or fn.decorators or symbol.startswith("__"):
        return None
    word = re.compile(rf"(?<![\w.]){re.escape(symbol)}\b|\.{re.escape(symbol)}\b")
    own = facts.text(path) or ""
    if len(word.findall(own)) > 1:  # called (or named) in its own file
        return None
    for other in facts.mentioning(symbol):
        if other != path and word.search(facts.text(other) or ""):
            return None
    if facts.grep(word, facts.memo("unused.configs", _config_files)):
        return None
    return (
        f"`{symbol}()` is defined but nothing calls it (no script, test, notebook, pipeline or "
        "config names it)"
    )
