"""The AutomationMap: what runs without a person, how it is triggered, and what it executes.

Scoring asks one question of it — `execution_of(path, symbol)` — to decide whether executable
evidence is automated. This module holds the value types and the public entry point;
the CI parsers and the command/call-graph resolution live beside it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ml_readiness.evidence import Execution

if TYPE_CHECKING:
    from ml_readiness.facts import Facts

TRIGGER_RANK = {"change": 0, "schedule": 1, "pipeline": 2, "platform": 3, "manual": 9}


@dataclass(frozen=True)
class Root:
    """One automation root: a CI job, an orchestrator pipeline, a scheduled workflow."""

    id: str
    system: str
    trigger: str
    path: str
    line: int | None = None
    condition: str | None = None
    commands: tuple[str, ...] = ()
    events: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {
            "id": self.id,
            "system": self.system,
            "trigger": self.trigger,
            "path": self.path,
            "line": self.line,
            "condition": self.condition,
            "commands": list(self.commands),
            "events": list(self.events),
        }


@dataclass
class AutomationMap:
    """Roots and, for each executed file (and function), the ways it is reached."""

    roots: list[Root] = field(default_factory=list)
    # path -> symbol ("" for the module as a whole) -> executions
    executed: dict[str, dict[str, list[Execution]]] = field(default_factory=dict)
    # explanations of what was seen but not resolved ("not resolved, not credited")
    unresolved: list[tuple[str, str]] = field(default_factory=list)
    # path -> why it is not executed (e.g. "not collected: ci.yml runs `pytest tests/unit`")
    reasons: dict[str, str] = field(default_factory=dict)
    # path -> all its executions sorted (`executions(path)`); emptied by `record`
    _by_file: dict[str, list[Execution]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def record(self, path: str, symbol: str | None, execution: Execution) -> None:
        """Note that `path` (function `symbol`, or the module when None) runs via `execution`."""
        runs = self.executed.setdefault(path, {}).setdefault(symbol or "", [])
        if execution not in runs:
            runs.append(execution)
            self._by_file.clear()

    def executions(self, path: str, symbol: str | None = None) -> list[Execution]:
        """All executions of `path` (and `symbol`), best trigger first."""
        by_symbol = self.executed.get(path, {})
        if symbol:
            runs = list(by_symbol.get(symbol, []))
            # a method `Cls.m` counts as executed when its class-qualified name is executed
            return sorted(runs, key=_rank)
        cached = self._by_file.get(path)
        if cached is None:  # asked for many times per file (every symbol's `why_not`)
            cached = sorted((e for lst in by_symbol.values() for e in lst), key=_rank)
            self._by_file[path] = cached
        return list(cached)

    def execution_of(self, path: str, symbol: str | None = None) -> Execution | None:
        """The best execution of `path`/`symbol` (automated triggers first), or None."""
        runs = self.executions(path, symbol)
        return runs[0] if runs else None

    def why_not(self, path: str, symbol: str | None = None) -> str:
        """One line saying why `path` is not executed automatically."""
        if symbol and f"{path}::{symbol.replace('.', '::')}" in self.reasons:
            return self.reasons[f"{path}::{symbol.replace('.', '::')}"]
        if path in self.reasons:
            return self.reasons[path]
        runs = self.executions(path, symbol)
        if runs and not any(r.automated for r in runs):
            what = f"{path}::{symbol}" if symbol else path
            via = ", ".join(dict.fromkeys(r.root for r in runs[:3]))
            return f"{what} runs only via {via}, which is triggered manually"
        if not self.roots:
            return "no CI, schedule or pipeline was found, so nothing runs it automatically"
        if symbol:
            file_runs = [r for r in self.executions(path) if r.automated]
            if file_runs:
                return (
                    f"{path} runs via {file_runs[0].root} ({file_runs[0].trigger}), but "
                    f"`{symbol}` is not called on that path"
                )
        what = f"{path}::{symbol}" if symbol else path
        return f"{what} is not executed by any CI job, schedule or pipeline"

    def commands_matching(self, pattern: str | re.Pattern[str]) -> list[tuple[Root, str]]:
        """(root, command line) for every line a root runs that matches `pattern`, comments
        left out — for checks that credit a CI command: yield root evidence (`symbol=root.id`)
        so that the root's trigger (push, schedule or a person) decides the level."""
        rx = re.compile(pattern) if isinstance(pattern, str) else pattern
        out = []
        for root in self.roots:
            for command in root.commands:
                for line in str(command).splitlines():
                    text = line.strip()
                    if text and not text.startswith("#") and rx.search(text):
                        out.append((root, text))
        return out

    def root(self, root_id: str) -> Root | None:
        """The root with this id (`.github/workflows/ci.yml#test`), if any."""
        return next((r for r in self.roots if root_id in (r.id, _logical(r.id))), None)

    def confirm(self, via: str) -> Execution | None:
        """The execution an attestation's `via` names (`file#job` or a test node id), if real."""
        if "::" in via:
            path, _, name = via.partition("::")
            run = self.execution_of(path, name.replace("::", "."))
            return run if run and run.automated else None
        for root in self.roots:
            if via not in (root.id, _logical(root.id)):
                continue
            if root.trigger in ("change", "schedule", "pipeline"):
                return Execution(root.id, root.trigger, (root.id,), root.condition)
        return None

    def to_json(self) -> dict:
        return {
            "roots": [r.to_json() for r in sorted(self.roots, key=lambda r: r.id)],
            "executed": {
                path: {
                    sym or "<module>": [e.to_json() for e in runs]
                    for sym, runs in sorted(syms.items())
                }
                for path, syms in sorted(self.executed.items())
            },
            "unresolved": [{"path": p, "reason": r} for p, r in sorted(self.unresolved)],
        }


def test_hop(chain: tuple[str, ...] | list[str]) -> str:
    """The test a chain of hops goes through (`tests/test_tune.py::test_search`), or ''."""
    from ml_readiness.facts import is_test_path

    for hop in chain:
        path, sep, _name = str(hop).partition("::")
        if sep and is_test_path(path):
            return str(hop)
    return ""


def _rank(e: Execution) -> tuple:
    return (TRIGGER_RANK.get(e.trigger, 9), e.root, e.chain)


def _logical(path: str) -> str:
    while path.startswith("../"):
        path = path[3:]
    return path


def build_automation_map(facts: Facts) -> AutomationMap:
    """Build the map from the repository's CI definitions, task runners and pipelines."""
    from ml_readiness.automation.builder import build

    amap = AutomationMap()
    build(facts, amap)
    return amap
