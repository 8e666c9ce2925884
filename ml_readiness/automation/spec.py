"""What the CI and pipeline parsers hand to the builder: roots with the commands they run."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ml_readiness.automation import Root
    from ml_readiness.automation.resolve import Seed

ALWAYS_FALSE = re.compile(r"^\s*(\$\{\{\s*)?(false|0)(\s*\}\})?\s*$", re.I)
TRIGGERS = ("change", "schedule", "pipeline", "manual")


@dataclass(frozen=True)
class Step:
    """A shell script one root runs, the folder it runs in and its chain hop."""

    text: str
    cwd: str
    hop: str | None = None
    env: tuple[tuple[str, str], ...] = ()
    where: str | None = None  # the file the text comes from, for notes
    env_known: bool = False  # `env` is every variable the CI sets for it (GitHub, GitLab)


@dataclass
class RootSpec:
    root: Root
    chain: tuple[str, ...]
    steps: list[Step] = field(default_factory=list)
    seeds: list[Seed] = field(default_factory=list)
    gpu: bool = False


def always_false(condition: Any) -> bool:
    """`if: false`, `if: ${{ false }}`, `when: never`-like constants that never run."""
    if condition is False or condition == 0:
        return True
    return isinstance(condition, str) and bool(ALWAYS_FALSE.match(condition))


def best_trigger(triggers: list[str]) -> str | None:
    for t in TRIGGERS:
        if t in triggers:
            return t
    return None
