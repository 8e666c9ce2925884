"""model-1: tests that build every in-code model spec. A spec written in a builder function
(`create_model(model_type)` holding `params = {...}; RandomForestClassifier(**params)` per model
type) is checked when live tests call that builder for every model type it defines (every
string its branches compare a parameter with). No checks are registered here."""

from __future__ import annotations

import ast
from collections.abc import Iterable

from ml_readiness.checklib import always_skipped
from ml_readiness.evidence import Evidence
from ml_readiness.facts import Facts, is_test_path
from ml_readiness.facts.imports import module_index
from ml_readiness.facts.python import Function, PythonFacts


def spec_builder_tests(facts: Facts, item: str, specs: Iterable[tuple[str, int | None]]) -> list:
    """Test evidence (automated when CI runs the tests) for live, asserting tests that together
    call each builder function holding an in-code spec (`specs`: (path, line)) with every
    model type the builder branches on; nothing when one model type is never built."""
    out: list[Evidence] = []
    builders: dict[tuple[str, str], set[str]] = {}
    for path, line in specs:
        pf = facts.python(path) if path.endswith(".py") and line else None
        fn = pf.enclosing(line) if pf and line else None
        if fn is not None and not is_test_path(path):
            builders[(path, fn.qualname)] = _branch_values(facts, path, fn)
    for (path, qualname), wanted in builders.items():
        name = qualname.rsplit(".", 1)[-1]
        calls = list(_test_calls(facts, path, name))
        built = {v for _, _, v in calls if v is not None}
        if not calls or not wanted <= built:
            continue
        types = f" for every model type ({', '.join(sorted(wanted))})" if wanted else ""
        detail = f"tests build the model from the in-code spec of `{name}` ({path}){types}"
        # one test per model type (the first that builds it), or the first test
        for value in sorted(wanted) or [None]:
            test_path, fn, _ = next(c for c in calls if value is None or c[2] == value)
            ev = Evidence(item, detail, test_path, fn.line, "test", "automated", fn.qualname)
            if ev not in out:
                out.append(ev)
    return out


def _branch_values(facts: Facts, path: str, fn: Function) -> set[str]:
    """Strings the builder compares one of its parameters with (`model_type == "rf"`)."""
    tree = facts.syntax_tree(path)
    values: set[str] = set()
    if tree is None:
        return values
    for node in ast.walk(tree):
        if not isinstance(node, ast.Compare) or not fn.line <= node.lineno <= fn.end_line:
            continue
        sides = [node.left, *node.comparators]
        if not any(isinstance(s, ast.Name) and s.id in fn.params for s in sides):
            continue
        for side in sides:
            if isinstance(side, ast.Constant) and isinstance(side.value, str):
                values.add(side.value)
            elif isinstance(side, ast.Tuple | ast.List | ast.Set):
                values |= {
                    e.value
                    for e in side.elts
                    if isinstance(e, ast.Constant) and isinstance(e.value, str)
                }
    return values


def _test_calls(facts: Facts, target: str, name: str) -> Iterable[tuple[str, Function, object]]:
    """(test file, test, first argument) for calls of `name` imported from `target` in live
    tests that assert."""
    index = module_index(facts)
    for path, pf in facts.python_files(mentions=(name,), tests=True):
        heads = _aliases(index, path, pf, target, name)
        if not heads:
            continue
        for fn in pf.tests():
            if fn.asserts == 0 or always_skipped(fn, pf):
                continue
            for c in pf.calls:
                inside = c.scope == fn.qualname or c.scope.startswith(fn.qualname + ".")
                if inside and c.name in heads:
                    first = c.args[0] if c.args else next((v for _, v in c.kwargs), None)
                    literal = isinstance(first, str) and not first.startswith("$")
                    yield path, fn, first if literal else None


def _aliases(index: object, path: str, pf: PythonFacts, target: str, name: str) -> set[str]:
    """How the test file calls `name` of `target`: `create_model` or `model.create_model`."""
    out = set()
    for imp in pf.imports:
        if target not in index.resolve(path, imp):  # type: ignore[attr-defined]
            continue
        if imp.name == name:
            out.add(imp.alias)
        elif imp.name is None or target.endswith(f"/{imp.name}.py"):
            out.add(f"{imp.alias}.{name}")
    return out


def catalog_tests(facts: Facts, item: str, specs: Iterable[tuple[str, int | None]]) -> list:
    """Test evidence for a live, asserting test parametrized over a model catalog that is an
    in-code spec (`@pytest.mark.parametrize("alias", [a for a in MODEL_CATALOG ...])`, or
    `list(MODEL_CATALOG)`) and passing the parameter to a project function that builds the
    model (`create_model(model_alias=alias, ...)`): every catalog entry is instantiated."""
    out: list[Evidence] = []
    index = module_index(facts)
    for path, line in specs:
        pf = facts.python(path) if path.endswith(".py") and line else None
        name = next((a.name for a in pf.assigns if a.line == line), None) if pf else None
        if name is None or is_test_path(path):
            continue
        for test_path, tpf in facts.python_files(mentions=(name,), tests=True):
            imported = any(
                imp.alias == name and _reaches(facts, index, test_path, imp, path)
                for imp in tpf.imports
            )
            tree = facts.syntax_tree(test_path) if imported else None
            for node in ast.walk(tree) if tree is not None else ():
                found = _catalog_test(node, name, tpf)
                if found is None:
                    continue
                fn, builder, filtered = found
                note = " (entries its filter leaves out are not built)" if filtered else ""
                detail = (
                    f"test parametrized over the model catalog `{name}` ({path}) builds each "
                    f"entry with `{builder}`{note}"
                )
                out.append(
                    Evidence(item, detail, test_path, fn.line, "test", "automated", fn.qualname)
                )
                break
    return out


def _reaches(facts: Facts, index: object, where: str, imp: object, target: str) -> bool:
    """The import resolves to `target`, directly or through one package `__init__` that
    re-exports the name (`from churn_mlops.models import MODEL_CATALOG`)."""
    for found in index.resolve(where, imp):  # type: ignore[attr-defined]
        if found == target:
            return True
        init = facts.python(found) if found.endswith("__init__.py") else None
        for inner in init.imports if init else ():
            if inner.alias == imp.alias and target in index.resolve(found, inner):  # type: ignore[attr-defined]
                return True
    return False


def _catalog_test(node: ast.AST, name: str, pf: PythonFacts) -> tuple[Function, str, bool] | None:
    """(test, builder, filtered) when `node` is a live asserting test parametrized over the
    catalog `name` whose body passes the parameter to a function it imports."""
    if not isinstance(node, ast.FunctionDef) or not node.name.startswith("test"):
        return None
    fn = pf.function(node.name)
    if fn is None or fn.asserts == 0 or always_skipped(fn, pf):
        return None
    for deco in node.decorator_list:
        if not (isinstance(deco, ast.Call) and ast.unparse(deco.func).endswith("parametrize")):
            continue
        if len(deco.args) < 2 or not isinstance(deco.args[0], ast.Constant):
            continue
        param = str(deco.args[0].value).split(",")[0].strip()
        values = deco.args[1]
        if not any(isinstance(n, ast.Name) and n.id == name for n in ast.walk(values)):
            continue
        filtered = any(isinstance(n, ast.comprehension) and n.ifs for n in ast.walk(values))
        imported = {i.alias for i in pf.imports}
        for call in (n for n in ast.walk(node) if isinstance(n, ast.Call)):
            callee = ast.unparse(call.func)
            passed = [*call.args, *(k.value for k in call.keywords)]
            uses = any(isinstance(a, ast.Name) and a.id == param for a in passed)
            if uses and callee.split(".", 1)[0] in imported and callee != name:
                return fn, callee, filtered
    return None
