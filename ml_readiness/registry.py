"""The check registry: built-in and third-party checks register the same way.

A check is a function decorated with `@check("item-id", ...)`. Its docstring's first line is its
title and the rest says what evidence it looks for (shown by `mlready checks`). It receives the
shared `Facts` and yields `Evidence`, `Finding` or `Hint` values; it never decides a score.

Third-party packages expose a module in the `ml_readiness.checks` entry-point group; importing
that module registers its checks. Built-in checks are listed in that group too.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Union

from ml_readiness.evidence import Evidence, Finding, Hint

if TYPE_CHECKING:
    from ml_readiness.facts import Facts

ENTRY_POINT_GROUP = "ml_readiness.checks"
BUILTIN_MODULE = "ml_readiness.checks"
Produced = Union[Evidence, Finding, Hint]  # noqa: UP007 - used at runtime in isinstance
CheckFunction = Callable[["Facts"], Iterable[Produced]]


@dataclass(frozen=True)
class CheckSpec:
    id: str
    items: tuple[str, ...]
    function: CheckFunction
    module: str

    @property
    def title(self) -> str:
        doc = inspect.getdoc(self.function) or self.id
        return doc.splitlines()[0].strip()

    @property
    def description(self) -> str:
        doc = inspect.getdoc(self.function) or ""
        return "\n".join(doc.splitlines()[1:]).strip()

    def run(self, facts: Facts) -> Iterator[Produced]:
        """Run the check, stamping its id on everything it yields."""
        for value in self.function(facts) or ():
            if not isinstance(value, Evidence | Finding | Hint):
                raise TypeError(f"check {self.id} yielded {type(value).__name__}")
            if value.item not in self.items:
                raise ValueError(
                    f"check {self.id} yielded evidence for {value.item}, "
                    f"but is registered for {', '.join(self.items)}"
                )
            yield dataclasses.replace(value, check=self.id)


_REGISTRY: dict[str, CheckSpec] = {}
_loaded = False
load_errors: list[tuple[str, str]] = []


def check(*items: str, id: str | None = None) -> Callable[[CheckFunction], CheckFunction]:  # noqa: A002
    """Register the decorated function as a check for rubric `items`.

    The check id defaults to the function name with underscores as dashes.
    """
    if not items:
        raise ValueError("a check names at least one rubric item")

    def decorate(function: CheckFunction) -> CheckFunction:
        check_id = id or function.__name__.replace("_", "-")
        existing = _REGISTRY.get(check_id)
        if existing and existing.function.__qualname__ != function.__qualname__:
            raise ValueError(f"two checks share the id {check_id!r}")
        _REGISTRY[check_id] = CheckSpec(check_id, tuple(items), function, function.__module__)
        return function

    return decorate


def load_checks() -> list[CheckSpec]:
    """Import built-in and entry-point checks once; return all checks sorted by id."""
    global _loaded
    if not _loaded:
        _loaded = True
        seen = set()
        # Built-in checks first and outside the try: a broken built-in is our bug and must
        # fail loudly, never silently drop every check from the audit.
        importlib.import_module(BUILTIN_MODULE)
        seen.add(BUILTIN_MODULE)
        for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
            if ep.value in seen:
                continue
            seen.add(ep.value)
            try:
                ep.load()
            except Exception as exc:  # a broken third-party plug-in is reported, never fatal
                load_errors.append((ep.name, f"{type(exc).__name__}: {exc}"))
    return sorted(_REGISTRY.values(), key=lambda c: (c.items[0], c.id))


def checks_for(item: str) -> list[CheckSpec]:
    return [c for c in load_checks() if item in c.items]
