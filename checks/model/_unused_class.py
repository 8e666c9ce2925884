"""Methods of classes that nothing uses (model-3, model-5).

The engine's unused-definition rule (`ml_readiness/unused.py`) judges plain module-level
functions only; methods are left alone because frameworks call them by name. A method of a
class that no file names at all — nothing instantiates, subclasses, imports or configures the
class — cannot be called by anyone, framework or not: a search or a competition written there
is dead code, even when a same-named module-level function is what the pipeline imports
(`ModelTrainer.train_models` next to the `train_models` a DAG calls). No check lives here.
"""

from __future__ import annotations

import re

from ml_readiness.facts import Facts, is_test_path

CONFIG_SUFFIXES = (".yaml", ".yml", ".toml", ".cfg", ".ini", ".json", ".sh", ".mk")
CONFIG_NAMES = ("Makefile", "Dockerfile", "Procfile", "justfile", "tox.ini", "setup.py")


def _configs(facts: Facts) -> list[str]:
    found = [p for p in facts.repo.with_suffix(*CONFIG_SUFFIXES) if not p.startswith("../")]
    return sorted(set(found + facts.repo.named(*CONFIG_NAMES)))


def unused_method(facts: Facts, path: str, symbol: str) -> str | None:
    """Why method `symbol` (`Class.method`) of `path` can never run, or None: its class is
    named nowhere but in its own `class` statement, and no automation executes the method."""
    cache = facts.table("model.unused_methods")
    key = (path, symbol)
    if key not in cache:
        cache[key] = _unused(facts, path, symbol)
    return cache[key]


def _unused(facts: Facts, path: str, symbol: str) -> str | None:
    if "." not in symbol or not path.endswith(".py") or is_test_path(path):
        return None
    pf = facts.python(path)
    fn = pf.function(symbol) if pf else None
    if pf is None or fn is None or not fn.class_name:
        return None
    cls = next((c for c in pf.classes if c.qualname == fn.class_name), None)
    if cls is None or cls.decorators or "." in cls.qualname:
        return None  # a registered (decorated) or nested class may be built by a framework
    if facts.automation.execution_of(path, symbol) is not None:
        return None
    name = cls.qualname
    word = re.compile(rf"\b{re.escape(name)}\b")
    if len(word.findall(facts.text(path) or "")) > 1:  # instantiated or named in its file
        return None
    for other in facts.mentioning(name):
        if other != path and word.search(facts.text(other) or ""):
            return None
    if facts.grep(word, facts.memo("model.unused_configs", _configs)):
        return None
    return f"class `{name}` is never instantiated, subclassed or imported, so `{symbol}` never runs"
