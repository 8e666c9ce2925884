"""data-1, schemas declared in code: pandera, TFDV, JSON Schema records, Deepchecks
data-integrity suites (pydantic models: schema_pydantic.py). Each earns credit only at the call
that validates data."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ml_readiness.checklib import call_evidence, kind_of
from ml_readiness.evidence import Evidence, Finding, Hint
from ml_readiness.facts import Facts, is_example_config, is_test_path
from ml_readiness.facts.python import Call, ClassDef, PythonFacts

from ._shared import (
    assigned_name,
    calls_from,
    class_fields,
    column_list,
    first_line,
    receiver,
    tfx_component_unused,
)
from .literal_data import literal_test_data

ITEM = "data-1"
PANDERA_DECORATORS = ("check_types", "check_input", "check_output", "check_io")
TOY_DIRS = re.compile(r"(^|/)(docs?|examples?|benchmarks?|asv_bench|tutorials?)/")


def _class_bases(pf: PythonFacts, root: str, names: tuple[str, ...]) -> list[ClassDef]:
    """Classes of the file deriving from `root`'s `names`, directly or through another class
    of the same file (`InputsSchema(Schema)` with `Schema(pa.DataFrameModel)`)."""
    found = [
        c
        for c in pf.classes
        if any(b.split(".")[0] == root and b.rsplit(".", 1)[-1] in names for b in c.bases)
    ]
    known = {c.qualname for c in found}
    while True:
        more = [
            c for c in pf.classes if c.qualname not in known and any(b in known for b in c.bases)
        ]
        if not more:
            return found
        found += more
        known.update(c.qualname for c in more)


def _validating_methods(pf: PythonFacts, models: set[str]) -> set[str]:
    """Methods of the model classes that validate with the class (`def check(cls, data):
    return cls.validate(data)`): calling them on a model validates too."""
    return {
        f.name
        for f in pf.functions
        if f.class_name in models
        and any(
            c.scope == f.qualname and c.name in ("cls.validate", "self.validate") for c in pf.calls
        )
    }


def toy_schema_path(path: str) -> bool:
    """Schemas defined here describe fixture or tutorial frames, not the project's features:
    test files, docs, examples and benchmarks. (Validating the project's schema in a test is
    fine; defining a schema in a test for toy data is not a feature schema.)"""
    return is_test_path(path) or bool(TOY_DIRS.search(path))


def _refers_to(pf: PythonFacts, path: str, call: Call, name: str, where: str) -> bool:
    """True when `call` (a `.validate`) is made on the schema `name` defined in `where`: in the
    same file, or through an import of that name (a bare `schema.validate` elsewhere is some
    other object that happens to be called `schema`)."""
    if path == where:
        return True
    head = call.name.split(".", 1)[0]
    return any(i.alias in (name, head) for i in pf.imports)


def _factory_name(facts: Facts, path: str, call: Call) -> str:
    """`build_schema()` when the schema is returned by function `build_schema` (the schema is
    then validated through `schema = build_schema(cfg); schema.validate(df)`)."""
    lines = facts.lines(path)
    text = lines[call.line - 1].strip() if 0 < call.line <= len(lines) else ""
    if call.scope not in ("<module>", "<main>") and text.startswith("return "):
        return call.scope.rsplit(".", 1)[-1] + "()"
    return "DataFrameSchema"


def _from_factory(
    facts: Facts, path: str, pf: PythonFacts, call: Call, name: str, factories: dict[str, str]
) -> str:
    """The schema `name` holds when, in the same function, it was assigned the result of a
    schema factory (`schema = build_schema(cfg)` before `schema.validate(df)`)."""
    for c in pf.calls:
        if (
            c.attr in factories
            and c.scope == call.scope
            and c.line <= call.line
            and assigned_name(facts, path, c.line) == name
        ):
            return factories[c.attr]
    return name


def pandera_evidence(facts: Facts) -> Iterator[Evidence | Finding | Hint]:
    """pandera DataFrameSchema / DataFrameModel validated with `.validate()` or check_types."""
    schemas: dict[str, tuple[str, int, list[str], str]] = {}  # name -> path, line, cols, kind
    factories: dict[str, str] = {}  # `build_schema` -> `build_schema()`: returns a schema
    toys: list[str] = []
    wrappers: set[str] = set()  # classmethods of the models that call `cls.validate`
    files = facts.python_files(mentions=("pandera",), notebooks=True)
    for path, pf in files:
        toy = toy_schema_path(path)
        for call in calls_from(pf, ("pandera",), ("DataFrameSchema",)):
            if toy:
                toys.append(f"{path}:{call.line}")
                continue
            name = assigned_name(facts, path, call.line) or _factory_name(facts, path, call)
            spec = call.args[0] if call.args else call.kw("columns")
            cols = [k for k, _ in spec if isinstance(k, str)] if isinstance(spec, tuple) else []
            if name.endswith("()") and not cols:
                name = "DataFrameSchema"  # a builder of any schema (a deserializer), no features
            elif name.endswith("()"):
                factories[name[:-2]] = name
            schemas[name] = (path, call.line, cols, "pandera schema")
        for cls in _class_bases(pf, "pandera", ("DataFrameModel", "SchemaModel")):
            if toy:
                toys.append(f"{path}:{cls.line}")
                continue
            cols = [n for n, _a, _l in class_fields(facts, path, cls)]
            schemas[cls.qualname] = (path, cls.line, cols, "pandera model")
        if not toy:
            models = {c.qualname for c in _class_bases(pf, "pandera", ("DataFrameModel",))}
            models |= {c.qualname for c in _class_bases(pf, "pandera", ("SchemaModel",))}
            wrappers |= _validating_methods(pf, models)
    if toys:
        more = f" (+{len(toys) - 2} more)" if len(toys) > 2 else ""
        yield Hint(
            ITEM,
            f"pandera schemas defined only in tests, docs, examples or benchmarks "
            f"({', '.join(toys[:2])}{more}) describe fixture data, not the project's features; "
            "not credited",
        )
    validated: set[str] = set()
    mentions = tuple(n.removesuffix("()") for n in schemas) or ("\0",)
    for path, pf in facts.python_files(mentions=mentions, notebooks=True):
        for call in pf.method_calls("validate", *sorted(wrappers)):
            name = receiver(call)
            if name not in schemas and factories:
                name = _from_factory(facts, path, pf, call, name, factories)
            if name in schemas and _refers_to(
                pf, path, call, name.removesuffix("()"), schemas[name][0]
            ):
                validated.add(name)
                _p, _l, cols, kind = schemas[name]
                data = call.args[0] if call.args else call.kw("check_obj")
                if literal_test_data(facts, path, pf, call, data):
                    yield _literal_hint(f"`{call.name}`", path, call)
                    continue
                detail = f"{kind} `{name}` covers {column_list(cols)}; validated by `{call.name}`"
                yield call_evidence(ITEM, path, call, detail)
    for path, pf in files:
        for fn in pf.functions:
            used = [d for d in fn.decorators if d.split(".")[0] == "pandera"]
            if not any(d.rsplit(".", 1)[-1] in PANDERA_DECORATORS for d in used):
                continue
            signature = _signature(facts, path, fn.line)
            models = [
                n
                for n in schemas
                if re.search(rf"\b{re.escape(n)}\b", signature)
                and (schemas[n][0] == path or any(i.alias == n for i in pf.imports))
            ]
            if not models and toy_schema_path(path):
                continue  # a decorated test function over a schema of its own
            validated.update(models)
            covered = "; ".join(f"`{m}` covers {column_list(schemas[m][2])}" for m in models)
            detail = f"pandera `@{used[0].rsplit('.', 1)[-1]}` validates `{fn.name}` data" + (
                f": {covered}" if covered else ""
            )
            yield Evidence(ITEM, detail, path, fn.line, kind=kind_of(path), symbol=fn.qualname)
    for name, (path, line, cols, kind) in sorted(schemas.items()):
        if name not in validated:
            yield Finding(
                ITEM,
                f"{kind} `{name}` covers {column_list(cols)}, but nothing calls its "
                "`.validate()` or `@check_types` (not validated against; earns nothing)",
                path,
                line,
            )


def _literal_hint(what: str, path: str, call: Call) -> Hint:
    return Hint(
        ITEM,
        f"{what} at {path}:{call.line} validates data written in the test (a literal or "
        "generated frame): it tests the schema, not the project's data; not credited",
    )


def _signature(facts: Facts, path: str, line: int) -> str:
    lines = facts.lines(path)
    return "\n".join(lines[line - 1 : line + 4]) if not path.endswith(".ipynb") else ""


TFDV_VALIDATE = ("validate_statistics", "validate_examples_in_csv", "validate_examples_in_tfrecord")


def tfdv_evidence(facts: Facts) -> Iterator[Evidence | Finding | Hint]:
    """TFDV schema.pbtxt / infer_schema validated with validate_statistics or ExampleValidator."""
    pbtxt = [p for p in facts.repo.glob("*.pbtxt") if "schema" in p.rsplit("/", 1)[-1].lower()]
    features = {
        p: re.findall(r'feature\s*\{\s*name:\s*"([^"]+)"', facts.text(p) or "") for p in pbtxt
    }
    used = False
    inferred = []
    for path, pf in facts.python_files(
        mentions=("tensorflow_data_validation", "tfdv", "ExampleValidator"), notebooks=True
    ):
        text = facts.text(path) or ""
        inferred += [
            (path, c) for c in calls_from(pf, ("tensorflow_data_validation",), ("infer_schema",))
        ]
        calls = calls_from(pf, ("tensorflow_data_validation",), TFDV_VALIDATE)
        calls += [
            c for c in pf.calls if c.attr == "ExampleValidator" and c.qualified.startswith("tfx")
        ]
        for call in calls:
            unused = (
                tfx_component_unused(facts, path, call) if call.attr == "ExampleValidator" else None
            )
            if unused:
                yield Hint(
                    ITEM,
                    f"TFX `ExampleValidator` is built at {path}:{call.line} but `{unused}` is "
                    "never added to the pipeline's components (no `append` or `components=` "
                    "outside comments uses it), so no data is validated; not credited",
                )
                continue
            used = True
            named = [p for p in pbtxt if p.rsplit("/", 1)[-1] in text]
            feats = [f for p in named for f in features[p]]
            source = ", ".join(f"`{p}`" for p in named) or "schema from the pipeline"
            detail = (
                f"TFDV validates data against {source} covering {column_list(feats)} "
                f"via `{call.name}`"
            )
            yield call_evidence(ITEM, path, call, detail)
    if not used:
        for p in pbtxt:
            yield Finding(
                ITEM,
                f"TFDV schema covers {column_list(features[p])}, but nothing calls "
                "validate_statistics or runs an ExampleValidator (not validated against)",
                p,
                1,
            )
        for path, call in inferred:
            yield Finding(
                ITEM,
                "TFDV schema inferred, but no statistics are validated against it",
                path,
                call.line,
            )


RECORD_LIKE = re.compile(
    r"(^|/)(data|datasets?|records?|features?)/|record|row|feature|event|sample|example|"
    r"input|message|payload|training",
    re.I,
)
JSONSCHEMA_CALLS = (
    "validate",
    "Draft7Validator",
    "Draft202012Validator",
    "Draft4Validator",
    "compile",
)


def jsonschema_evidence(facts: Facts) -> Iterator[Evidence | Finding | Hint]:
    """JSON Schema files for records, validated with jsonschema/fastjsonschema."""
    schemas = {}
    for path in facts.repo.with_suffix(".json"):
        if is_example_config(path) or not (
            path.endswith(".schema.json") or facts.mentions(path, "json-schema.org")
        ):
            continue
        data = facts.json(path)
        if isinstance(data, dict) and isinstance(data.get("properties"), dict):
            schemas[path] = list(data["properties"])
    linked: set[str] = set()
    for path, pf in facts.python_files(mentions=("jsonschema",), notebooks=True):
        text = facts.text(path) or ""
        for call in calls_from(pf, ("jsonschema", "fastjsonschema"), JSONSCHEMA_CALLS):
            named = [s for s in schemas if s.rsplit("/", 1)[-1] in text]
            arg = call.kw("schema", call.args[1] if len(call.args) > 1 else None)
            inline = _inline_schema(pf, arg)
            if not named and inline is None:
                yield Hint(
                    ITEM,
                    f"`{call.name}` at {path}:{call.line} validates against a schema that could "
                    "not be tied to a record schema file or literal; not credited",
                )
                continue
            linked.update(named)
            data = call.kw("instance", call.args[0] if call.args else None)
            if call.attr == "validate" and literal_test_data(facts, path, pf, call, data):
                yield _literal_hint(f"`{call.name}`", path, call)
                continue
            cols = [c for s in named for c in schemas[s]] + (inline or [])
            where = ", ".join(f"`{s}`" for s in named) or "an inline schema"
            detail = (
                f"JSON Schema {where} covers {column_list(cols)}; "
                f"records validated by `{call.name}`"
            )
            yield call_evidence(ITEM, path, call, detail)
    for path, cols in sorted(schemas.items()):
        if path not in linked and RECORD_LIKE.search(path):
            line = first_line(facts, path, r'"properties"')
            yield Finding(
                ITEM,
                f"JSON Schema covers {column_list(cols)}, but no jsonschema validation "
                "call uses it (not validated against; earns nothing)",
                path,
                line,
            )


def _inline_schema(pf: PythonFacts, arg: object) -> list[str] | None:
    if not isinstance(arg, str) or not arg.startswith("$"):
        return None
    for a in pf.assigns:
        if a.name == arg[1:] and isinstance(a.value, tuple):
            props = dict(p for p in a.value if isinstance(p, tuple) and len(p) == 2).get(
                "properties"
            )
            if isinstance(props, tuple):
                return [k for k, _ in props if isinstance(k, str)]
    return None


def deepchecks_evidence(facts: Facts) -> Iterator[Evidence | Finding]:
    """Deepchecks `data_integrity()` suites that are run."""
    for path, pf in facts.python_files(mentions=("data_integrity",), notebooks=True):
        suites = calls_from(pf, ("deepchecks",), ("data_integrity",))
        if not suites:
            continue
        names = {assigned_name(facts, path, s.line) for s in suites}
        runs = [
            c
            for c in pf.method_calls("run")
            if receiver(c) in names
            or (receiver(c) == "?" and any(s.line == c.line for s in suites))
        ]
        for call in runs:
            yield call_evidence(
                ITEM, path, call, f"Deepchecks data-integrity suite run by `{call.name}`"
            )
        if not runs:
            yield Finding(
                ITEM,
                "Deepchecks data_integrity() suite built but never `.run()` (not validated)",
                path,
                suites[0].line,
            )


def code_schema_evidence(facts: Facts) -> Iterator[Evidence | Finding | Hint]:
    for source in (
        pandera_evidence,
        tfdv_evidence,
        jsonschema_evidence,
        deepchecks_evidence,
    ):
        yield from source(facts)
