"""monitor-2: data invariants are checked on the serving path, not only in training."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ml_readiness.checklib import call_evidence
from ml_readiness.entrypoints import (
    EntryPoint,
    reachable_functions,
    resolve_name,
    serving_entry_points,
    signature_annotations,
    training_entry_points,
)
from ml_readiness.evidence import Evidence, Hint
from ml_readiness.facts import Facts
from ml_readiness.facts.python import Call, PythonFacts
from ml_readiness.registry import check

ITEM = "monitor-2"
PYDANTIC_BASES = ("pydantic.BaseModel", "pydantic.v1.BaseModel", "sqlmodel.SQLModel")
CONSTRAINT_KWARGS = {
    "ge", "gt", "le", "lt", "min_length", "max_length", "pattern", "regex", "multiple_of",
    "max_digits", "decimal_places", "allow_inf_nan", "min_items", "max_items",
}  # fmt: skip
CONSTRAINED_TYPES = re.compile(r"\b(con(int|float|str|list|set|decimal|bytes|date)|Ge|Le|Gt|Lt)$")
VALIDATOR_DECORATORS = re.compile(r"\b(validator|field_validator|model_validator|root_validator)$")
BARE_BODIES = re.compile(r"^(dict|Dict|dict\[.*\]|Dict\[.*\]|Any|Request|bytes|str|list|List)$")
SERVING_DATA = re.compile(r"serv|prod|live|infer|request|logged|online|traffic", re.I)


@check(ITEM)
def serving_input_validation(facts: Facts) -> Iterator[Evidence | Hint]:
    """Serving inputs are validated against the expected schema.

    From every serving entry point (web routes, model servers, batch-scoring jobs) it follows
    the call graph and looks for validation that runs on each request or batch: route
    parameters typed with pydantic models that carry constraints (`Field(ge=, le=)`, `con*`
    types, validators), pandera/Great Expectations/jsonschema/marshmallow validation or
    constrained pydantic models built in the reached code. Jobs that validate logged serving
    data are counted too. Validation reached only from training is data-1 evidence, not this.
    """
    serving = serving_entry_points(facts)
    seen: set[tuple[str, int]] = set()
    for entry in serving:
        yield from _typed_parameters(facts, entry)
        for path, call, what in _validations(facts, reachable_functions(facts, entry)):
            if (path, call.line) not in seen:
                seen.add((path, call.line))
                detail = f"{what} `{call.name}` on the serving path of {entry.label}"
                yield call_evidence(ITEM, path, call, detail)
    produced_any = bool(seen)
    training_files = {
        p for t in training_entry_points(facts) for p, _ in reachable_functions(facts, t)
    }
    for path, call, what in _logged_data_jobs(facts, seen | {(p, 0) for p in training_files}):
        produced_any = True
        yield call_evidence(ITEM, path, call, f"{what} `{call.name}` of logged serving data")
    if produced_any:
        return
    training = set().union(*(reachable_functions(facts, t) for t in training_entry_points(facts)))
    only_training = [f"{p}:{c.line} `{c.name}`" for p, c, _ in _validations(facts, training)]
    if only_training:
        yield Hint(
            ITEM,
            f"validation found only on the training path ({', '.join(only_training[:3])}); "
            "that is data-1 evidence; not credited here",
        )
    if not serving:
        yield Hint(ITEM, "no serving entry point found (web route, model server, batch job)")


def _typed_parameters(facts: Facts, entry: EntryPoint) -> Iterator[Evidence | Hint]:
    if entry.kind not in ("route", "service"):
        return
    pf = facts.python(entry.path)
    for param, annotation in signature_annotations(facts, entry.path, entry.symbol).items():
        if param in ("self", "request") and annotation in ("Request", "starlette.Request"):
            continue
        if BARE_BODIES.match(annotation.strip("'\"")):
            yield Hint(
                ITEM,
                f"{entry.label} takes `{param}: {annotation}`: an unvalidated body; use a "
                "pydantic model with constrained fields",
            )
            continue
        for name in re.findall(r"[A-Za-z_][\w.]*", annotation.strip("'\"")):
            for target in resolve_name(facts, entry.path, pf, name) if pf else []:
                constraints = pydantic_constraints(facts, *target)
                if constraints is None:
                    continue
                if not constraints:
                    yield Hint(
                        ITEM,
                        f"{entry.label} takes pydantic model {target[1]} with types only (no "
                        "ranges, patterns or validators); not credited",
                    )
                    continue
                yield Evidence(
                    ITEM,
                    f"{entry.label} validates `{param}` with pydantic model {target[1]} "
                    f"({', '.join(constraints[:4])})",
                    entry.path,
                    entry.line,
                    symbol=entry.symbol,
                )


def pydantic_constraints(facts: Facts, path: str, cls: str, depth: int = 3) -> list[str] | None:
    """Constraints of a pydantic model class (`age: Field(ge)`, `validator check_x`), `[]` for
    a model with types only, None when `cls` is not a pydantic model."""
    pf = facts.python(path)
    node = next((c for c in pf.classes if c.qualname == cls), None) if pf else None
    if node is None or depth <= 0:
        return None
    inherited: list[str] | None = None
    for base in node.bases:
        if base in PYDANTIC_BASES:
            inherited = inherited or []
        for target in resolve_name(facts, path, pf, base.rsplit(".", 1)[-1]):
            parent = pydantic_constraints(facts, *target, depth=depth - 1)
            if parent is not None:
                inherited = (inherited or []) + parent
    if inherited is None:
        return None
    found = []
    for c in pf.calls:
        if c.scope != cls:
            continue
        kwargs = sorted(k for k, _ in c.kwargs if k in CONSTRAINT_KWARGS)
        if c.attr == "Field" and kwargs:
            found.append(f"Field({', '.join(kwargs)})")
        elif CONSTRAINED_TYPES.search(c.qualified):
            found.append(f"{c.attr}()")
    for fn in pf.functions:
        if fn.class_name == cls and any(VALIDATOR_DECORATORS.search(d) for d in fn.decorators):
            found.append(f"validator {fn.name}")
    return sorted(set(found)) + inherited


def _validations(facts: Facts, nodes: set[tuple[str, str]]) -> list[tuple[str, Call, str]]:
    """(path, call, what) for validation calls made inside the reached functions `nodes`."""
    out = []
    for path in sorted({p for p, _ in nodes}):
        pf = facts.python(path)
        scopes = {q for p, q in nodes if p == path}
        for c in pf.calls if pf else ():
            if c.scope in scopes or any(c.scope.startswith(s + ".") for s in scopes):
                what = _validation_kind(facts, path, pf, c)
                if what:
                    out.append((path, c, what))
    return out


def _validation_kind(facts: Facts, path: str, pf: PythonFacts, c: Call) -> str | None:
    if c.qualified.startswith("jsonschema.") and c.attr in ("validate", "Draft7Validator"):
        return "JSON Schema validation"
    if c.qualified.startswith("tensorflow_data_validation.") and "validate" in c.attr:
        return "TFDV validation"
    head = c.name.rsplit(".", 1)[0] if "." in c.name else c.name
    targets = resolve_name(facts, path, pf, head)
    modules = {pf} | {facts.python(t[0]) for t in targets}
    if c.attr in ("validate", "validate_df") and any(
        m and m.imports_module("pandera") for m in modules
    ):
        return "pandera validation"
    if any(m and m.imports_module("great_expectations") for m in modules) and (
        c.attr in ("validate", "run_checkpoint") or (c.attr == "run" and "checkpoint" in c.name)
    ):
        return "Great Expectations validation"
    if c.attr in ("load", "validate") and pf.imports_module("marshmallow"):
        return "marshmallow schema validation"
    is_build = c.attr in ("model_validate", "parse_obj", "parse_raw", "model_validate_json")
    for target in resolve_name(facts, path, pf, head if is_build else c.name):
        if pydantic_constraints(facts, *target):
            return f"constrained pydantic model {target[1]}"
    return None


def _logged_data_jobs(facts: Facts, seen: set[tuple[str, int]]) -> list[tuple[str, Call, str]]:
    """Validation of logged serving data by a job (not a serving entry point)."""
    out = []
    tokens = ("pandera", "great_expectations", "tensorflow_data_validation")
    for path, pf in facts.python_files(mentions=tokens, tests=False):
        training = (path, 0) in seen
        strings = "" if training else " ".join(s for s, _ in pf.strings)
        for c in pf.calls:
            if (path, c.line) in seen:
                continue
            what = _validation_kind(facts, path, pf, c)
            args = " ".join(str(a) for a in list(c.args) + [v for _, v in c.kwargs])
            if what and (SERVING_DATA.search(args) or SERVING_DATA.search(strings)):
                out.append((path, c, what))
    return out
