"""monitor-2: data invariants are checked on the serving path, not only in training."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ml_readiness.checks.data.schema_columns import _validators as column_validators

from ml_readiness.checklib import call_evidence, live_tests, tests_importing
from ml_readiness.entrypoints import (
    PIPELINE_STEP_DECORATORS,
    TEST_CLIENTS,
    EntryPoint,
    reachable_functions,
    resolve_name,
    route_path,
    serving_entry_points,
    signature_annotations,
    training_entry_points,
)
from ml_readiness.evidence import Evidence, Hint
from ml_readiness.facts import Facts
from ml_readiness.facts.python import Call, PythonFacts
from ml_readiness.registry import check

from ._platform import has_sdk_monitor, platform_monitors
from ._pydantic import (
    PARSE_METHODS,
    builds_output,
    injected_parameters,
    output_models,
    pydantic_constraints,
)

ITEM = "monitor-2"
BARE_BODIES = re.compile(r"^(dict|Dict|dict\[.*\]|Dict\[.*\]|Any|Request|bytes|str|list|List)$")
MESSAGES = {
    "print", "echo", "info", "debug", "warning", "warn", "error", "exception", "critical",
    "help", "description", "msg", "message",
}  # fmt: skip
BODY_VERBS = {"post", "put", "patch"}
CLIENT_ERROR = re.compile(
    r"status_code\s*(==|in)\s*[\[({]?\s*4\d\d\b|\b4\d\d\s*==\s*\w+\.status_code"
    r"|HTTPStatus\.(BAD_REQUEST|UNPROCESSABLE\w*)|status\.HTTP_4\d\d|\.is_client_error"
)
# names of logged serving data: prediction/request/inference logs, scored traffic
LOGGED_DATA = re.compile(
    r"(?:^|[^a-z])(predictions?|requests?|serving|inferences?|scored|traffic|production"
    r"|prediction_logs?|request_logs?|inference_logs?)(?:[^a-z]|$)"
)


@check(ITEM)
def serving_input_validation(facts: Facts) -> Iterator[Evidence | Hint]:
    """Serving inputs are validated against the expected schema.

    From every serving entry point (web routes, model servers, batch-scoring jobs) it follows
    the call graph and looks for validation that runs on each request or batch: route
    parameters typed with pydantic models that carry constraints (`Field(ge=, le=)`, `con*`
    types, validators; their own, their bases' or those of the models their fields are
    annotated with, `features: Features`, `rows: list[Row]`), pandera/Great
    Expectations/jsonschema/marshmallow validation or
    constrained pydantic models built in the reached code. Jobs that validate logged serving
    data are counted too, and so is SageMaker Model Monitor checking captured endpoint data
    against the baseline constraints computed from training data (a data-quality schedule
    declared in CDK/CloudFormation/Terraform, config the platform enforces, or the SDK's
    `DefaultModelMonitor.create_monitoring_schedule(constraints=...)`). Validation reached
    only from training is data-1 evidence, not this; a response model (`response_model=`, the
    route's return annotation, a model a function builds from computed values and returns)
    validates output and never counts.
    """
    serving = serving_entry_points(facts)
    seen: set[tuple[str, int]] = set()
    explained = False  # a hint already says why the serving path earns nothing
    typed_evidence = False
    outputs = frozenset(output_models(facts, serving))
    for entry in serving:
        schema = False  # a schema validates this entry's input: column checks add nothing
        for produced in (*_typed_parameters(facts, entry), *_decorator_schemas(facts, entry)):
            explained = explained or isinstance(produced, Hint)
            schema = schema or isinstance(produced, Evidence)
            yield produced
        reached = reachable_functions(facts, entry)
        for path, call, what in _validations(facts, reached, outputs):
            schema = True
            if (path, call.line) not in seen:
                seen.add((path, call.line))
                detail = f"{what} `{call.name}` on the serving path of {entry.label}"
                yield call_evidence(ITEM, path, call, detail)
        for produced in () if schema else _column_checks(facts, entry, seen):
            yield produced
        typed_evidence = typed_evidence or schema
    produced_any = bool(seen) or typed_evidence
    training_files = {
        p for t in training_entry_points(facts) for p, _ in reachable_functions(facts, t)
    }
    logged = _logged_data_jobs(facts, seen | {(p, 0) for p in training_files})
    for path, call, what, source in logged:
        produced_any = True
        detail = f"{what} `{call.name}` of logged serving data (read from {source})"
        yield call_evidence(ITEM, path, call, detail)
    for produced in _platform_monitors(facts):
        produced_any = True
        yield produced
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
        explained = True
    if not serving:
        yield Hint(ITEM, "no serving entry point found (web route, model server, batch job)")
    elif not explained:
        labels = ", ".join(e.label for e in serving[:3])
        yield Hint(
            ITEM,
            f"no schema validation reached from the serving entry points ({labels}): no "
            "constrained pydantic request model, pandera, Great Expectations, jsonschema or "
            "marshmallow validation on that path",
        )


def _column_checks(
    facts: Facts, entry: EntryPoint, seen: set[tuple[str, int]]
) -> Iterator[Evidence]:
    """A required-columns check on the serving path: a function reached from the entry point
    that compares a constant list of two or more feature names with the request's columns and
    raises (`missing = [c for c in FEATURE_COLUMNS if c not in df.columns]; if missing: raise
    HTTPException(400)`), the detector data-1 uses. An emptiness check is not a schema."""
    reached = reachable_functions(facts, entry)
    for path in sorted({p for p, _ in reached}):
        pf = facts.python(path)
        for fn, const, checks, cols in column_validators(facts, path, pf) if pf else ():
            if (path, fn.qualname) not in reached or (path, fn.line) in seen:
                continue
            seen.add((path, fn.line))
            names = ", ".join(cols[:4]) + (", ..." if len(cols) > 4 else "")
            yield Evidence(
                ITEM,
                f"{entry.label} rejects input that fails a {checks} check against `{const}` "
                f"({names}) in {fn.qualname}",
                path,
                fn.line,
                symbol=fn.qualname,
            )


def _typed_parameters(facts: Facts, entry: EntryPoint) -> Iterator[Evidence | Hint]:
    if entry.kind not in ("route", "service"):
        return
    pf = facts.python(entry.path)
    injected = injected_parameters(facts, entry)
    for param, annotation in signature_annotations(facts, entry.path, entry.symbol).items():
        if param in ("self", "request") and annotation in ("Request", "starlette.Request"):
            continue
        if param in injected:
            continue  # `user: dict = Depends(auth)` is filled by the framework, not the body
        if BARE_BODIES.match(annotation.strip("'\"")):
            yield Hint(
                ITEM,
                f"{entry.label} takes `{param}: {annotation}`: an unvalidated body; use a "
                "pydantic model with constrained fields",
            )
            continue
        for name in re.findall(r"[A-Za-z_][\w.]*", annotation.strip("'\"")):
            for target in resolve_name(facts, entry.path, pf, name) if pf else []:
                found = list(_request_model(facts, entry, target, f"`{param}`", entry.line))
                yield from found
                if any(isinstance(e, Evidence) for e in found):
                    yield from _rejection_tests(facts, entry, target[1])


def _request_model(
    facts: Facts, entry: EntryPoint, target: tuple[str, str], what: str, line: int
) -> Iterator[Evidence | Hint]:
    """Evidence that the entry validates `what` with the pydantic model `target` when it has
    constraints, a hint when it has types only, nothing when it is not a pydantic model."""
    constraints = pydantic_constraints(facts, *target)
    if constraints is None:
        return
    if not constraints:
        yield Hint(
            ITEM,
            f"{entry.label} takes pydantic model {target[1]} with types only (no ranges, "
            "patterns or validators); not credited",
        )
        return
    yield Evidence(
        ITEM,
        f"{entry.label} validates {what} with pydantic model {target[1]} "
        f"({', '.join(constraints[:4])})",
        entry.path,
        line,
        symbol=entry.symbol,
    )


SCHEMA_KWARGS = ("input_spec", "pydantic_model")


def _decorator_schemas(facts: Facts, entry: EntryPoint) -> Iterator[Evidence | Hint]:
    """A request model named in the endpoint's decorator: BentoML `@bentoml.api(input_spec=M)`
    and `@svc.api(input=JSON(pydantic_model=M))`; the server validates every request with M
    before the handler runs. Counted when M is a pydantic model with constraints."""
    pf = facts.python(entry.path)
    fn = next((f for f in pf.functions if f.qualname == entry.symbol), None) if pf else None
    if pf is None or fn is None:
        return
    for call in pf.calls:
        if call.scope != entry.symbol or call.line >= fn.line:
            continue  # only the calls written in the decorator lines
        for key in SCHEMA_KWARGS:
            value = call.kw(key)
            if not (isinstance(value, str) and value.startswith("$")):
                continue
            for target in resolve_name(facts, entry.path, pf, value[1:]):
                what = f"each request (`{key}=` in `{call.name}`)"
                yield from _request_model(facts, entry, target, what, call.line)


def _rejection_tests(facts: Facts, entry: EntryPoint, model: str) -> Iterator[Evidence]:
    """Live tests that post to the route through a test client and assert a 4xx response:
    the request model's constraints are exercised on the serving path, on every CI run."""
    pf = facts.python(entry.path)
    route = route_path(pf, entry.symbol) if pf and entry.symbol else None
    if route is None:
        return
    for path, tpf in tests_importing(facts, [entry.path]):
        if not any(c.attr in TEST_CLIENTS for c in tpf.calls):
            continue
        lines = facts.lines(path)
        for fn in live_tests(tpf):
            posts = [
                c
                for c in tpf.calls
                if c.scope == fn.qualname and c.attr in BODY_VERBS and c.args[:1] == (route,)
            ]
            body = "\n".join(lines[fn.line - 1 : fn.end_line])
            if posts and CLIENT_ERROR.search(body):
                yield Evidence(
                    ITEM,
                    f"{fn.qualname} posts invalid input to {route} ({entry.label}) and asserts "
                    f"a 4xx response: the {model} constraints are tested on the serving path",
                    path,
                    fn.line,
                    kind="test",
                    symbol=fn.qualname,
                )


def _validations(
    facts: Facts,
    nodes: set[tuple[str, str]],
    outputs: frozenset[tuple[str, str]] = frozenset(),
) -> list[tuple[str, Call, str]]:
    """(path, call, what) for validation calls made inside the reached functions `nodes`.
    Building a model in `outputs` (a route's `response_model=` or return annotation), or a
    model a function builds and returns, validates the response, not the input."""
    out = []
    by_path: dict[str, set[str]] = {}
    for p, q in nodes:
        by_path.setdefault(p, set()).add(q)
    for path in sorted(by_path):
        pf = facts.python(path)
        scopes = by_path[path]
        for c in pf.calls if pf else ():
            if c.scope in scopes or any(c.scope.startswith(s + ".") for s in scopes):
                what = _validation_kind(facts, path, pf, c, outputs)
                if what and not (what.startswith("constrained") and builds_output(facts, path, c)):
                    out.append((path, c, what))
    return out


LIBRARY_VALIDATE_ATTRS = frozenset({"validate", "validate_df", "run_checkpoint", "run"})


def _validation_kind(
    facts: Facts,
    path: str,
    pf: PythonFacts,
    c: Call,
    outputs: frozenset[tuple[str, str]] = frozenset(),
) -> str | None:
    if c.qualified.startswith("jsonschema.") and c.attr in ("validate", "Draft7Validator"):
        return "JSON Schema validation"
    if c.qualified.startswith("tensorflow_data_validation.") and "validate" in c.attr:
        return "TFDV validation"
    head = c.name.rsplit(".", 1)[0] if "." in c.name else c.name
    if c.attr in LIBRARY_VALIDATE_ATTRS:  # only these can be pandera or GX validation
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
    is_build = c.attr in PARSE_METHODS
    for target in resolve_name(facts, path, pf, head if is_build else c.name):
        if target not in outputs and pydantic_constraints(facts, *target):
            return f"constrained pydantic model {target[1]}"
    return None


def _logged_data_jobs(facts: Facts, seen: set[tuple[str, int]]) -> list[tuple[str, Call, str, str]]:
    """Validation of logged serving data by a job (not a serving entry point): a script (main
    block) or pipeline step that reads data named like serving logs (`predictions`, `requests`,
    `inference`, `scored`...: a path, table, checkpoint or argument name) in the scope that
    validates it. A `.validate` call in library code, or in a job reading other data, is not."""
    out = []
    tokens = ("pandera", "great_expectations", "tensorflow_data_validation")
    for path, pf in facts.python_files(mentions=tokens, tests=False):
        if (path, 0) in seen or not _is_job(pf):
            continue
        for c in pf.calls:
            if (path, c.line) in seen:
                continue
            what = _validation_kind(facts, path, pf, c)
            source = _logged_source(pf, c) if what else None
            if what and source:
                out.append((path, c, what, source))
    return out


def _is_job(pf: PythonFacts) -> bool:
    """A script run as a job: a main block, or a function decorated as a pipeline step."""
    if pf.has_main:
        return True
    return any(d in PIPELINE_STEP_DECORATORS for f in pf.functions for d in f.decorators)


def _logged_source(pf: PythonFacts, call: Call) -> str | None:
    """The serving-log name read in the validation call's scope (`"logs/predictions.parquet"`,
    `args.requests`, `get_checkpoint("serving_requests")`), or None."""
    for c in pf.calls:
        if c.scope != call.scope or c.line > call.line or c.attr in MESSAGES:
            continue
        for value in list(c.args) + [v for k, v in c.kwargs if k not in MESSAGES]:
            if not isinstance(value, str):
                continue
            name = value[1:].rsplit(".", 1)[-1] if value.startswith("$") else value
            if LOGGED_DATA.search(name.lower()):
                return f"`{value[1:] if value.startswith('$') else value}`"
    return None


def _platform_monitors(facts: Facts) -> Iterator[Evidence]:
    """SageMaker Model Monitor data-quality checks of captured serving data against the
    training baseline's constraints."""
    monitors = platform_monitors(facts)
    scheduled = any(m.kind == "schedule" for m in monitors)
    for mon in monitors:
        if mon.monitors != "data quality" or not (mon.baseline and mon.serving_input):
            continue
        if mon.kind == "schedule" or scheduled:
            kind = "schedule" if mon.kind == "schedule" else "job definition"
            yield mon.evidence(
                ITEM,
                f"SageMaker Model Monitor data quality {kind} (captured serving data checked "
                "against the training baseline constraints)",
            )
    for path, pf in facts.python_files(mentions=("create_monitoring_schedule",), tests=False):
        if has_sdk_monitor(pf):
            schedules = pf.method_calls("create_monitoring_schedule")
            call = next(c for c in schedules if c.has_kw("constraints"))
            detail = (
                "SageMaker DefaultModelMonitor schedule checking captured serving data against "
                "baseline constraints"
            )
            yield call_evidence(ITEM, path, call, detail)
