"""Modules that only declare data schemas (pydantic models, pandera models, their enums): a
schema is data-1/monitor-2 material, not feature code for data-7. No checks registered here."""

from __future__ import annotations

import re

from ml_readiness.facts import Facts
from ml_readiness.facts.python import PythonFacts

from ._pydantic_graph import pydantic_graph
from .schema_code import _class_bases

# Decorators of a schema's own methods: field/model validators, serializers, pandera checks.
SCHEMA_METHOD = re.compile(
    r"(^|\.)(\w*validator|\w*serializer|computed_field|check|dataframe_check|parser)$"
)
SCHEMA_ROOTS = (
    ("pydantic", ("BaseModel",)),
    ("pandera", ("DataFrameModel", "SchemaModel")),
)


def schema_only_module(facts: Facts, path: str, pf: PythonFacts) -> bool:
    """True when every top-level definition of the module is a schema class: a pydantic model
    (deriving from `BaseModel` here or from a model of another module), a pandera model, or an
    `Enum` of allowed values, and the module defines no top-level function. The models' own
    methods must be validators, serializers or pandera checks (`@field_validator`,
    `@model_validator`, `@pa.check`): a model class with `fit`/`transform`/`predict` methods
    (a pydantic-based estimator wrapper), a module-level function, or any other class may
    transform data and keeps the module a feature-code candidate."""
    classes = [c for c in pf.classes if "." not in c.qualname]
    if not classes or any("." not in f.qualname for f in pf.functions):
        return False
    schemas = {c.qualname for root, names in SCHEMA_ROOTS for c in _class_bases(pf, root, names)}
    graph = pydantic_graph(facts)
    for cls in classes:
        node = graph.get(cls.qualname)
        if cls.qualname in schemas or (node is not None and node.path == path):
            continue
        if any(b.rsplit(".", 1)[-1].endswith("Enum") for b in cls.bases):
            continue
        return False
    return all(
        any(SCHEMA_METHOD.search(d) for d in fn.decorators)
        for fn in pf.functions
        if fn.class_name and not (fn.name.startswith("__") and fn.name.endswith("__"))
    )
