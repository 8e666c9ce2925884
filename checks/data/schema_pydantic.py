"""data-1, pydantic feature-row models: validated in data-loading code (not tests) or taken as a
FastAPI request body (a serving schema: manual). LLM request models of generation settings and
response models are not feature rows."""

from __future__ import annotations

import ast
import re
from collections import Counter
from collections.abc import Iterable, Iterator

from ml_readiness.checklib import call_evidence, kind_of
from ml_readiness.evidence import Evidence, Finding, Hint
from ml_readiness.facts import Facts
from ml_readiness.facts.python import Function

from ._pydantic_graph import ModelNode, pydantic_graph, reachable
from ._shared import NUMERIC_ANNOTATION, class_fields, column_list, receiver
from .schema_code import ITEM, _class_bases, toy_schema_path

FEATURE_ROW_NAME = re.compile(
    r"(Feature|Row|Record|Example|Sample|Observation|Instance|Input|Transaction|Event)s?$"
)
LOADING_CALLS = (
    "read_csv",
    "read_parquet",
    "read_json",
    "read_sql",
    "read_table",
    "load",
    "loads",
    "DictReader",
    "iterrows",
    "itertuples",
    "to_dict",
    "read_text",
)
# Words of a function name (split on `_` and camelCase) that mark data-loading code. Whole
# words only: "invalid", "reader_test" and "prepared_by" are not loading code.
LOADING_WORDS = frozenset(
    {"load", "loads", "read", "reads", "ingest", "validate", "parse", "clean", "prepare", "fetch"}
)
# Fields of a request model that are generation/inference settings, not feature columns.
GENERATION_FIELD = re.compile(
    r"^(temperature|top_[pk]|max_(new_)?tokens|min_(new_)?tokens|max_length|do_sample|"
    r"repetition_penalty|num_beams|stream(ing)?|stop|presence_penalty|frequency_penalty|"
    r"length_penalty|num_return_sequences)$"
)
OUTPUT_MODEL_NAME = re.compile(r"(Response|Result|Output|Prediction|Reply)s?$")
# Evidence sites shown per model credited through another model (a route's body or a loader).
MAX_NESTED = 2
ROUTE_METHODS = frozenset({"get", "post", "put", "patch", "delete", "api_route"})


def loading_scope(scope: str) -> bool:
    """True when a word of the function name (`load_rows`, `readCsv`, `Cls.validate_batch`)
    marks data-loading code; substrings do not count (`test_invalid_lob`)."""
    words = re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])", scope.replace(".", "_"))
    return any(w.lower() in LOADING_WORDS for w in words)


def _generation_settings(fields: list[str]) -> list[str]:
    """The generation/inference settings among a request model's fields (an LLM request: a
    prompt plus max_new_tokens, temperature, top_p ...), when they are most of its fields."""
    knobs = [f for f in fields if GENERATION_FIELD.match(f)]
    return knobs if len(knobs) >= 2 and len(knobs) * 2 >= len(fields) else []


def pydantic_evidence(facts: Facts) -> Iterator[Evidence | Finding | Hint]:
    """pydantic models of feature rows validated in data-loading code."""
    models: dict[str, tuple[str, int, list[str]]] = {}
    for path, pf in facts.python_files(mentions=("BaseModel",)):
        if toy_schema_path(path):
            continue
        for cls in _class_bases(pf, "pydantic", ("BaseModel",)):
            fields = class_fields(facts, path, cls)
            name = cls.qualname.rsplit(".", 1)[-1]
            numeric = sum(1 for _n, ann, _l in fields if NUMERIC_ANNOTATION.match(ann))
            named = FEATURE_ROW_NAME.search(name)
            if OUTPUT_MODEL_NAME.search(name):
                continue  # a response/result model describes outputs, not input rows
            knobs = _generation_settings([f[0] for f in fields])
            if knobs:
                yield Hint(
                    ITEM,
                    f"pydantic model `{name}` ({path}:{cls.line}) holds generation settings "
                    f"({', '.join(knobs[:4])}), not feature rows; not credited as a feature "
                    "schema (request validation is monitor-2)",
                )
                continue
            if len(fields) >= 2 and (named or (len(fields) >= 3 and numeric * 2 >= len(fields))):
                models[name] = (path, cls.line, [f[0] for f in fields])
    if not models:
        return
    graph = pydantic_graph(facts)
    validated: set[str] = set()
    credited: set[tuple[str, int, str]] = set()
    nested: Counter[str] = Counter()  # evidence sites per model credited through another one
    for path, fn, param, route in fastapi_bodies(facts, set(models) | set(graph)):
        for name, via in _validated_with(graph, param, models):
            if (path, fn.line, name) in credited or (via and nested[name] >= MAX_NESTED):
                continue
            credited.add((path, fn.line, name))
            nested[name] += bool(via)
            validated.add(name)
            against = "against it" if not via else f"against `{param}`, which includes it ({via})"
            detail = (
                f"pydantic request model `{name}` covers {column_list(models[name][2])}; "
                f"FastAPI validates every request body of {route} {against}"
            )
            # the schema is captured, but it guards serving requests (monitor-2), not the data
            # the model is trained on: manual for data-1 even when CI exercises the route
            yield Evidence(
                ITEM,
                detail,
                path,
                fn.line,
                kind=kind_of(path),
                credit="manual",
                symbol=fn.qualname,
            )
    # Tests that build a model (or assert it rejects bad input) test the schema class; they do
    # not validate the data the model is trained on.
    names = tuple(sorted(set(models) | set(graph)))
    used = re.compile(
        rf"\b({'|'.join(map(re.escape, names))})\s*(\(|\.\s*(model_validate|parse_obj))"
    )
    for path, pf in facts.python_files(mentions=names, notebooks=True, tests=False, pattern=used):
        loads = {c.scope for c in pf.calls if c.attr in LOADING_CALLS}
        for call in pf.calls:
            head = receiver(call) if "." in call.name else call.name
            how = call.attr if "." in call.name else "construction"
            if (head not in models and head not in graph) or how not in (
                "model_validate",
                "model_validate_json",
                "parse_obj",
                "construction",
            ):
                continue
            if not (call.scope in loads or loading_scope(call.scope)):
                continue
            for name, via in _validated_with(graph, head, models):
                validated.add(name)
                if via and nested[name] >= MAX_NESTED:
                    continue
                nested[name] += bool(via)
                within = f" (included in `{head}`: {via})" if via else ""
                detail = (
                    f"pydantic feature-row model `{name}` covers {column_list(models[name][2])}; "
                    f"rows validated by `{call.name}` in data-loading code{within}"
                )
                yield call_evidence(ITEM, path, call, detail)
    for name, (path, line, cols) in sorted(models.items()):
        if name not in validated:
            yield Finding(
                ITEM,
                f"pydantic feature-row model `{name}` covers {column_list(cols)}, but no "
                "data-loading code validates rows with it (not validated against; earns nothing)",
                path,
                line,
            )


def _validated_with(
    graph: dict[str, ModelNode], head: str, models: dict[str, tuple[str, int, list[str]]]
) -> list[tuple[str, str]]:
    """(feature-row model, how it is reached; '' for `head` itself) for the feature-row models
    validated when `head` is: itself, and those nested in its fields or among its bases."""
    reached = [(head, "")] + sorted(reachable(graph, head).items())
    return [(name, via) for name, via in reached if name in models]


def fastapi_bodies(facts: Facts, models: Iterable[str]) -> Iterator[tuple[str, Function, str, str]]:
    """(path, route function, model, `POST /predict`) for FastAPI routes (`@app.post(...)`,
    `@router.get(...)`) that take one of the pydantic `models` as a parameter (`req: Model`,
    `reqs: list[Model]`, `Optional[list[Model]]`, `schemas.Model`): FastAPI parses and
    validates each request body against that model before the function runs. The return
    annotation and `response_model=` are outputs and never count."""
    for path, pf in facts.python_files(mentions=("fastapi",)):
        if toy_schema_path(path) or not pf.imports_module("fastapi"):
            continue
        lines = facts.lines(path)
        for fn in pf.functions:
            verbs = [d.rsplit(".", 1)[-1] for d in fn.decorators if "." in d]
            verb = next((v for v in verbs if v in ROUTE_METHODS), None)
            if verb is None:
                continue
            wanted = set(models)
            for name in _body_models(_params_text(lines, fn), wanted):
                url = next(
                    (
                        c.args[0]
                        for c in pf.calls
                        if c.line < fn.line
                        and c.line >= fn.line - 3
                        and c.attr == verb
                        and c.args
                        and isinstance(c.args[0], str)
                        and not c.args[0].startswith("$")
                    ),
                    None,
                )
                route = f"`{verb.upper()} {url}`" if url else f"`{fn.name}`"
                yield path, fn, name, route


def _body_models(params: str, models: set[str]) -> list[str]:
    """The `models` named in the parameter annotations of a `def` header (any nesting:
    `list[M]`, `M | None`, `Annotated[M, Body()]`, `schemas.M`), in order. Parameters filled by
    dependency injection (`= Depends(...)`, `= Security(...)`) are not request input."""
    header = params.lstrip()  # continuation lines sit inside the parentheses: any indent
    node = None
    for source in (header + "\n pass\n", header):  # a one-line `def` has its own body
        try:
            node = ast.parse(source).body[0]
            break
        except (SyntaxError, ValueError, IndexError):
            continue
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return []
    args = node.args
    positional = [*args.posonlyargs, *args.args]
    defaults: list[ast.expr | None] = [None] * (len(positional) - len(args.defaults))
    pairs = list(zip(positional, [*defaults, *args.defaults], strict=True))
    pairs += list(zip(args.kwonlyargs, args.kw_defaults, strict=True))
    out: list[str] = []
    for arg, default in pairs:
        if arg.annotation is None or _injected(default):
            continue
        for word in re.findall(r"[A-Za-z_][\w.]*", ast.unparse(arg.annotation)):
            name = word.rsplit(".", 1)[-1]
            if name in models and name not in out:
                out.append(name)
    return out


def _injected(default: ast.expr | None) -> bool:
    """`Depends(get_user)` / `fastapi.Security(...)`: a value FastAPI injects, not the body."""
    if not isinstance(default, ast.Call):
        return False
    func = default.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name in ("Depends", "Security")


def _params_text(lines: list[str], fn: Function) -> str:
    """The parameter list of a `def` (up to the closing `):` / `) ->`)."""
    text = []
    for number in range(fn.line, min(fn.end_line, fn.line + 15) + 1):
        raw = lines[number - 1] if 0 < number <= len(lines) else ""
        if not text and not re.match(r"\s*(async\s+)?def\b", raw):
            continue  # decorator lines are part of the function's span
        text.append(raw)
        if re.search(r"\)\s*(->[^:]*)?:\s*(#.*)?$", raw):
            break
    return "\n".join(text)
