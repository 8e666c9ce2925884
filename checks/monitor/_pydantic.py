"""Pydantic request models for monitor-2: which constraints a model carries (its own fields,
its bases and the models its fields are annotated with), and which models a route returns
(`response_model=`, the return annotation), which validate output, not serving input."""

from __future__ import annotations

import ast
import re
import textwrap

from ml_readiness.entrypoints import EntryPoint, def_header, resolve_name
from ml_readiness.facts import Facts
from ml_readiness.facts.python import Call

PYDANTIC_BASES = ("pydantic.BaseModel", "pydantic.v1.BaseModel", "sqlmodel.SQLModel")
CONSTRAINT_KWARGS = {
    "ge", "gt", "le", "lt", "min_length", "max_length", "pattern", "regex", "multiple_of",
    "max_digits", "decimal_places", "allow_inf_nan", "min_items", "max_items",
}  # fmt: skip
CONSTRAINED_TYPES = re.compile(r"\b(con(int|float|str|list|set|decimal|bytes|date)|Ge|Le|Gt|Lt)$")
VALIDATOR_DECORATORS = re.compile(r"\b(validator|field_validator|model_validator|root_validator)$")
# names inside an annotation that are never a repo model (`list[B] | None`, `Optional[B]`)
TYPING_NAMES = re.compile(
    r"^(typing\.)?(list|List|dict|Dict|set|Set|tuple|Tuple|Optional|Union|Annotated|Literal"
    r"|Sequence|Iterable|Mapping|Any|None|str|int|float|bool|bytes|ClassVar|Field)$"
)


def pydantic_constraints(facts: Facts, path: str, cls: str, depth: int = 3) -> list[str] | None:
    """Constraints of a pydantic model class (`age: Field(ge)`, `validator check_x`), with those
    of its bases and of the models its fields are annotated with (`features: LeadFeatures`,
    `rows: list[Row]`, `extra: Row | None`): validating the outer model validates them too.
    `[]` for a model with types only, None when `cls` is not a pydantic model."""
    cache = facts.table("monitor.pydantic_constraints")
    key = (path, cls, depth)
    if key not in cache:
        cache[key] = None  # a model whose field refers back to it: no loop
        cache[key] = _constraints(facts, path, cls, depth)
    found = cache[key]
    return list(found) if found is not None else None


def _constraints(facts: Facts, path: str, cls: str, depth: int) -> list[str] | None:
    pf = facts.python(path)
    node = next((c for c in pf.classes if c.qualname == cls), None) if pf else None
    if pf is None or node is None or depth <= 0:
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
    for field, annotation in field_annotations(facts, path, node.line, node.end_line).items():
        for name in re.findall(r"[A-Za-z_][\w.]*", annotation):
            if TYPING_NAMES.match(name) or name == cls:
                continue
            for target in resolve_name(facts, path, pf, name):
                nested = pydantic_constraints(facts, *target, depth=depth - 1)
                if nested:
                    found.append(f"field {field}: {target[1]} with {', '.join(nested[:3])}")
    return sorted(set(found)) + inherited


def field_annotations(facts: Facts, path: str, start: int, end: int) -> dict[str, str]:
    """Field → annotation source of the class defined on lines `start`..`end` (its own body
    only; nested classes and methods are skipped)."""
    lines = facts.lines(path)
    if path.endswith(".ipynb") or not lines or start < 1:
        return {}
    source = textwrap.dedent("\n".join(lines[start - 1 : end]))
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return {}
    node = tree.body[0] if tree.body else None
    if not isinstance(node, ast.ClassDef):
        return {}
    return {
        stmt.target.id: ast.unparse(stmt.annotation)
        for stmt in node.body
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name)
    }


RESPONSE_MODEL = re.compile(r"\bresponse_model\s*=\s*([^,)\n]+(?:\[[^\]]*\])?)")


def output_models(facts: Facts, entries: list[EntryPoint]) -> set[tuple[str, str]]:
    """The repo classes the routes return: named in a route decorator's `response_model=` or
    in a route function's return annotation. Building one validates the response, not the
    request, so it is never serving-input validation."""
    out: set[tuple[str, str]] = set()
    for entry in entries:
        if entry.kind not in ("route", "service"):
            continue
        pf = facts.python(entry.path)
        fn = pf.function(entry.symbol) if pf and entry.symbol else None
        if pf is None or fn is None or entry.path.endswith(".ipynb"):
            continue
        lines = facts.lines(entry.path)
        first = min((d.line for d in pf.calls if d.scope == fn.qualname and d.line < fn.line),
                    default=fn.line)  # fmt: skip
        decorators = "\n".join(lines[max(first, fn.line - 20) - 1 : fn.line - 1])
        written = [m.group(1) for m in RESPONSE_MODEL.finditer(decorators)]
        returns = return_annotation(lines, fn.line)
        if returns:
            written.append(returns)
        for text in written:
            for name in re.findall(r"[A-Za-z_][\w.]*", text):
                if not TYPING_NAMES.match(name):
                    out.update(resolve_name(facts, entry.path, pf, name))
    return out


def return_annotation(lines: list[str], line: int) -> str | None:
    """The return annotation source of the `def` starting at `line` (its header only)."""
    node = def_header(lines, line)
    return ast.unparse(node.returns) if node is not None and node.returns else None


def builds_output(facts: Facts, path: str, c: Call) -> bool:
    """A model built from computed values (keywords only, no `**payload`, no parse method) and
    returned (`return Result(score=...)`, or a function annotated `-> Result`): the function's
    output, not its validated input."""
    if c.args or any(k == "**" for k, _ in c.kwargs) or c.attr in PARSE_METHODS:
        return False
    lines = facts.lines(path)
    text = lines[c.line - 1].strip() if 0 < c.line <= len(lines) else ""
    if text.startswith(f"return {c.name}("):
        return True
    pf = facts.python(path)
    fn = pf.function(c.scope) if pf else None
    returns = return_annotation(lines, fn.line) if fn else None
    return bool(returns and c.attr in re.findall(r"[A-Za-z_]\w*", returns))


PARSE_METHODS = ("model_validate", "parse_obj", "parse_raw", "model_validate_json")


INJECTED = re.compile(r"(\w+)\s*:[^=,()]*(?:\[[^\]]*\])?\s*=\s*(?:fastapi\.)?(Depends|Security)\(")


def injected_parameters(facts: Facts, entry: EntryPoint) -> set[str]:
    """Route parameters the framework fills from a dependency (`= Depends(...)`)."""
    pf = facts.python(entry.path)
    fn = pf.function(entry.symbol) if pf and entry.symbol else None
    if fn is None:
        return set()
    header = []
    for line in facts.lines(entry.path)[fn.line - 1 : min(fn.line + 15, fn.end_line)]:
        header.append(line)
        if re.search(r"\)\s*(->.*)?:\s*(#.*)?$", line):
            break
    return {name for name, _ in INJECTED.findall(" ".join(header))}
