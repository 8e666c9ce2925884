"""What validating one pydantic model validates too: the models reachable through its field
annotations (`features: LeadFeatures`, `cases: list[Case]`, `extra: Meta | None`, nested any
depth) and its base classes (`PredictRequest(PredictionFeatures)`), across the repository's
modules. No checks are registered here."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ml_readiness.facts import Facts
from ml_readiness.facts.python import ClassDef

from ._shared import class_fields
from .schema_code import _class_bases, toy_schema_path

# A chain longer than this is not followed (guards against pathological class graphs).
MAX_ROUNDS = 6
_NAME = re.compile(r"[A-Za-z_][\w.]*")


@dataclass(frozen=True)
class ModelNode:
    """One pydantic model class: where it is, its base models and the models its fields use."""

    name: str
    path: str
    line: int
    bases: tuple[str, ...]
    fields: tuple[tuple[str, str], ...]  # (field, annotation) declared in the class body


def pydantic_graph(facts: Facts) -> dict[str, ModelNode]:
    """Every pydantic model of the project (tests, docs and examples left out), by class name:
    classes deriving from `pydantic.BaseModel`, then, across modules, classes deriving from a
    model already found (`class PredictRequest(PredictionFeatures)` in another file)."""
    return facts.memo("data.pydantic_graph", _build)


def _build(facts: Facts) -> dict[str, ModelNode]:
    nodes: dict[str, ModelNode] = {}
    for path, pf in facts.python_files(mentions=("BaseModel",), tests=False):
        if toy_schema_path(path):
            continue
        for cls in _class_bases(pf, "pydantic", ("BaseModel",)):
            _add(facts, nodes, path, cls)
    for _ in range(MAX_ROUNDS):
        before = len(nodes)
        names = sorted(nodes)
        subclass = re.compile(rf"class\s+\w+\s*\([^)]*\b({'|'.join(map(re.escape, names))})\b")
        for path, pf in facts.python_files(mentions=tuple(names), tests=False, pattern=subclass):
            if toy_schema_path(path):
                continue
            for cls in pf.classes:
                short = cls.qualname.rsplit(".", 1)[-1]
                if short not in nodes and any(_short(b) in nodes for b in cls.bases):
                    _add(facts, nodes, path, cls)
        if len(nodes) == before:
            break
    return nodes


def _add(facts: Facts, nodes: dict[str, ModelNode], path: str, cls: ClassDef) -> None:
    name = _short(cls.qualname)
    if name in nodes:
        return  # a name defined twice: the first definition stands for both
    fields = tuple((f, ann) for f, ann, _line in class_fields(facts, path, cls))
    bases = tuple(_short(b) for b in cls.bases)
    nodes[name] = ModelNode(name, path, cls.line, bases, fields)


def _short(dotted: str) -> str:
    return dotted.rsplit(".", 1)[-1]


def reachable(graph: dict[str, ModelNode], start: str) -> dict[str, str]:
    """Models validated along with `start` (itself excluded): model name -> how it is reached
    (`ScoringRequest.features`, `RolloutEvaluationRequest.cases -> base of
    RolloutEvaluationCase`). Field annotations are read by name (`list[B]`, `B | None`,
    `Optional[B]`, `dict[str, B]`, `schemas.B`); bases that are models count as validated too,
    since a subclass validates every inherited field."""
    seen: dict[str, str] = {}
    queue = [(start, "")]
    while queue:
        name, how = queue.pop(0)
        node = graph.get(name)
        if node is None:
            continue
        steps: list[tuple[str, str]] = [(b, f"base of `{name}`") for b in node.bases]
        for field, ann in node.fields:
            for word in _NAME.findall(ann):
                steps.append((_short(word), f"`{name}.{field}`"))
        for target, step in steps:
            if target == start or target in seen or target not in graph:
                continue
            seen[target] = f"{how} -> {step}" if how else step
            queue.append((target, seen[target]))
    return seen
