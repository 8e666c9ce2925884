"""Compact facts about one Python module, extracted in one AST pass and then discarded.

Names are recorded twice: as written (`np.random.seed`) and qualified through the module's
imports (`numpy.random.seed`), so a check can ask for `numpy.random.seed` whatever alias the
project used. Nothing is ever imported or executed.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

MODULE = "<module>"
MAIN = "<main>"  # code under `if __name__ == "__main__":`
EXPR = "<expr>"  # a value that is not a literal
MAX_STRINGS = 400
MAX_STRING_LEN = 300


@dataclass(frozen=True)
class Import:
    """`import a.b as c` → module `a.b`, name None, alias `c`; `from a import b` → `a`, `b`, `b`."""

    module: str
    name: str | None
    alias: str
    line: int
    scope: str
    level: int = 0

    @property
    def target(self) -> str:
        """The fully qualified thing bound to `alias`."""
        return f"{self.module}.{self.name}" if self.name else self.module


# (selector key, literal values, True when the branch runs for those values): `args.mode ==
# "train"` → ("mode", ("train",), True) on the body, ("mode", ("train",), False) on the else
Guard = tuple[str, tuple[str, ...], bool]


def guards_allow(guards: tuple[Guard, ...], options: dict[str, str]) -> bool:
    """False when a guard's key has a known value in `options` that its branch excludes."""
    for key, values, positive in guards:
        value = options.get(key)
        if value is not None and (value in values) != positive:
            return False
    return True


@dataclass(frozen=True)
class Call:
    """A call site: `name` as written, `qualified` through imports, literal arguments."""

    name: str
    qualified: str
    line: int
    scope: str
    args: tuple[Any, ...] = ()
    kwargs: tuple[tuple[str, Any], ...] = ()
    # the `if` tests on a command-line value this call sits under, innermost last: (key,
    # values, True) inside `if mode == "train":` / `if args.mode in ("a", "b"):`, False in
    # their `else` (see `Guard`); a call graph given the script's options skips the others
    guards: tuple[Guard, ...] = field(default=(), repr=False, compare=False)
    # the last component of the called name (`fit` for `model.fit`); set once at creation,
    # after the other fields, so every Call keeps the same attribute layout (a lazily cached
    # value would give each instance its own dictionary: ~50 MB more at 100,000 files)
    attr: str = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "attr", self.name.rsplit(".", 1)[-1])

    def kw(self, key: str, default: Any = None) -> Any:
        """The literal value of keyword argument `key` (EXPR when not a literal)."""
        for k, v in self.kwargs:
            if k == key:
                return v
        return default

    def has_kw(self, key: str) -> bool:
        return any(k == key for k, _ in self.kwargs)


@dataclass(frozen=True)
class Marker:
    """A pytest marker on a test (`skipif` with its condition's source, `mlready` with ids)."""

    name: str
    line: int
    args: tuple[Any, ...] = ()
    kwargs: tuple[tuple[str, Any], ...] = ()
    condition: str | None = None


@dataclass(frozen=True)
class Function:
    """A function or method definition."""

    qualname: str
    name: str
    line: int
    end_line: int
    class_name: str | None = None
    decorators: tuple[str, ...] = ()
    markers: tuple[Marker, ...] = ()
    asserts: int = 0
    trivial_asserts: int = 0
    params: tuple[str, ...] = ()
    is_test: bool = False

    def marker(self, name: str) -> Marker | None:
        return next((m for m in self.markers if m.name == name), None)


@dataclass(frozen=True)
class ClassDef:
    qualname: str
    line: int
    end_line: int
    bases: tuple[str, ...] = ()
    decorators: tuple[str, ...] = ()
    markers: tuple[Marker, ...] = ()


@dataclass(frozen=True)
class Assign:
    """A module- or class-level assignment of a literal (or a non-literal, kept as EXPR)."""

    name: str
    line: int
    value: Any
    scope: str


@dataclass(frozen=True)
class PythonFacts:
    path: str
    imports: tuple[Import, ...] = ()
    calls: tuple[Call, ...] = ()
    functions: tuple[Function, ...] = ()
    classes: tuple[ClassDef, ...] = ()
    assigns: tuple[Assign, ...] = ()
    strings: tuple[tuple[str, int], ...] = ()
    module_markers: tuple[Marker, ...] = ()
    has_main: bool = False
    is_test_file: bool = False
    attributes: frozenset[str] = field(default_factory=frozenset)

    # -- queries used by checks ---------------------------------------------------------------
    def imports_module(self, *prefixes: str) -> bool:
        """True when any import targets a module starting with one of `prefixes`."""
        return any(_starts(i.target, prefixes) or _starts(i.module, prefixes) for i in self.imports)

    def calls_to(self, *qualified: str) -> list[Call]:
        """Calls whose qualified name equals or ends with `.`+ one of `qualified`.

        `calls_to("sklearn.dummy.DummyClassifier")` matches `DummyClassifier(...)` imported
        from sklearn.dummy; `calls_to("fit")` is *not* a suffix match on a bare attribute —
        use `method_calls` for that.
        """
        out = []
        for c in self.calls:  # a linear scan: an index per file cost as much memory as the calls
            for q in qualified:
                if c.qualified == q or c.qualified.endswith("." + q) and "." in q:
                    out.append(c)
                    break
        return out

    def method_calls(self, *attrs: str) -> list[Call]:
        """Calls whose last name component is one of `attrs` (`.fit`, `.predict`)."""
        names = set(attrs)
        return [c for c in self.calls if c.attr in names]

    def function(self, qualname: str) -> Function | None:
        return next((f for f in self.functions if f.qualname == qualname), None)

    def tests(self) -> list[Function]:
        return [f for f in self.functions if f.is_test]

    def enclosing(self, line: int) -> Function | None:
        """The innermost function whose body holds `line`."""
        best = None
        for f in self.functions:
            if f.line <= line <= f.end_line and (best is None or f.line >= best.line):
                best = f
        return best


def _starts(name: str, prefixes: Sequence[str]) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def dotted(node: ast.AST) -> str | None:
    """`a.b.c` for Name/Attribute chains; `?.c` when the chain starts with a call or subscript."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    elif parts:
        parts.append("?")
    else:
        return None
    return ".".join(reversed(parts))


def attribute_path(node: ast.AST) -> str:
    """Like `dotted`, but a chain on a call or subscript keeps only its names (`f().x.y` →
    `x.y`) and anything else is `""`: the spelling checks match call names against."""
    return (dotted(node) or "").removeprefix("?.")


def literal(node: ast.AST) -> Any:
    """A JSON-like literal value of `node`, a dotted name string for names, else EXPR."""
    if isinstance(node, ast.Constant):
        v = node.value
        if isinstance(v, str | int | float | bool) or v is None:
            return v if not isinstance(v, str) else v[:MAX_STRING_LEN]
        return EXPR
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        if len(node.elts) > 200:
            return EXPR
        return tuple(literal(e) for e in node.elts)
    if isinstance(node, ast.Dict):
        if len(node.keys) > 200:
            return EXPR
        return tuple(
            (literal(k) if k is not None else EXPR, literal(v))
            for k, v in zip(node.keys, node.values, strict=False)
        )
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        inner = literal(node.operand)
        return -inner if isinstance(inner, int | float) else EXPR
    name = dotted(node)
    if name is not None:
        return f"${name}"
    return EXPR


def _is_main_guard(test: ast.expr) -> bool:
    if not isinstance(test, ast.Compare) or len(test.comparators) != 1:
        return False
    left, right = test.left, test.comparators[0]
    names = {dotted(left), dotted(right)}
    consts = {getattr(left, "value", None), getattr(right, "value", None)}
    return "__name__" in names and "__main__" in consts


def _is_test_path(path: str) -> bool:
    base = path.rsplit("/", 1)[-1]
    return (base.startswith("test_") and base.endswith(".py")) or base.endswith("_test.py")


class _Extractor:
    """One recursive pass over a module's syntax tree.

    The traversal order is exactly `ast.NodeVisitor`'s (fields in `_fields` order, lists in
    order), so the recorded facts keep their order; it is faster because handlers are looked up
    by node type in one dict and fields that never hold a node (`ctx`, operators, names) are
    skipped.
    """

    def __init__(self, path: str, line_map: Sequence[int] | None) -> None:
        self.path = path
        self.line_map = line_map
        self.imports: list[Import] = []
        self.calls: list[Call] = []
        self.functions: list[Function] = []
        self.classes: list[ClassDef] = []
        self.assigns: list[Assign] = []
        self.strings: list[tuple[str, int]] = []
        self.module_markers: list[Marker] = []
        self.attributes: set[str] = set()
        self.aliases: dict[str, str] = {}
        self.scope: list[str] = []
        self.class_stack: list[tuple[str, bool]] = []  # (name, is_test_class)
        self.in_main = False
        self.has_main = False
        self.guards: tuple[Guard, ...] = ()  # the enclosing `if`s on a command-line value
        self.assert_counts: list[list[int]] = []
        self.is_test_file = _is_test_path(path)
        self._scope_name = MODULE
        if line_map is None:  # a .py file: a node's line is its own (the common case)
            self.ln = _own_line  # type: ignore[method-assign]

    # -- traversal ------------------------------------------------------------------------
    def visit(self, node: ast.AST) -> None:
        handler = _HANDLERS.get(node.__class__)
        if handler is None:
            handler = _handler_for(node.__class__)
        handler(self, node)

    def generic_visit(self, node: ast.AST) -> None:
        handlers = _HANDLERS
        for name in _CHILD_FIELDS[node.__class__]:
            value = getattr(node, name, None)
            if value is None:
                continue
            if value.__class__ is not list:
                value = (value,)
            for item in value:
                handler = handlers.get(item.__class__)
                if handler is None:
                    if not isinstance(item, ast.AST):
                        continue
                    handler = _handler_for(item.__class__)
                if handler is not _noop:
                    handler(self, item)

    # -- helpers ---------------------------------------------------------------------------
    def ln(self, node: ast.AST) -> int:
        return self.map_line(getattr(node, "lineno", 0) or 0)

    def map_line(self, line: int) -> int:
        if self.line_map is not None and 0 < line <= len(self.line_map):
            return self.line_map[line - 1]
        return line

    def current_scope(self) -> str:
        return self._scope_name

    def _rescope(self) -> None:
        """Recompute the current scope's name (after entering or leaving a def, class or
        main block): asked for every call, import and assignment."""
        self._scope_name = ".".join(self.scope) if self.scope else MAIN if self.in_main else MODULE

    def qualify(self, name: str) -> str:
        head, _, rest = name.partition(".")
        target = self.aliases.get(head)
        if target is None:
            return name
        return f"{target}.{rest}" if rest else target

    def marker_of(self, node: ast.expr) -> Marker | None:
        call = node if isinstance(node, ast.Call) else None
        name = dotted(call.func if call else node)
        if not name:
            return None
        q = self.qualify(name)
        if not q.startswith("pytest.mark."):
            if q in (
                "unittest.skip",
                "unittest.skipIf",
                "unittest.skipUnless",
                "unittest.expectedFailure",
            ):
                mapping = {
                    "unittest.skip": "skip",
                    "unittest.skipIf": "skipif",
                    "unittest.skipUnless": "skipunless",
                    "unittest.expectedFailure": "xfail",
                }
                cond = (
                    ast.unparse(call.args[0])[:200]
                    if call and call.args and q != "unittest.skip"
                    else None
                )
                return Marker(mapping[q], self.ln(node), condition=cond)
            return None
        mname = q[len("pytest.mark.") :]
        args: tuple[Any, ...] = ()
        kwargs: tuple[tuple[str, Any], ...] = ()
        cond = None
        if call:
            args = tuple(literal(a) for a in call.args)
            kwargs = tuple((k.arg or "**", literal(k.value)) for k in call.keywords)
            if mname in ("skipif", "xfail") and call.args:
                cond = ast.unparse(call.args[0])[:200]
            for k in call.keywords:
                if k.arg == "condition":
                    cond = ast.unparse(k.value)[:200]
        return Marker(mname, self.ln(node), args, kwargs, cond)

    # -- visitors --------------------------------------------------------------------------
    def visit_Import(self, node: ast.Import) -> None:
        for a in node.names:
            alias = a.asname or a.name.split(".")[0]
            target = a.name if a.asname else a.name.split(".")[0]
            self.aliases[alias] = target
            self.imports.append(Import(a.name, None, alias, self.ln(node), self.current_scope()))

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        module = ("." * node.level) + (node.module or "")
        for a in node.names:
            alias = a.asname or a.name
            self.aliases[alias] = f"{module}.{a.name}" if module else a.name
            self.imports.append(
                Import(module, a.name, alias, self.ln(node), self.current_scope(), node.level)
            )

    def _visit_def(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        decorators = []
        markers = []
        for d in node.decorator_list:
            m = self.marker_of(d)
            if m:
                markers.append(m)
            name = dotted(d.func if isinstance(d, ast.Call) else d)
            if name:
                decorators.append(self.qualify(name))
        cls = self.class_stack[-1] if self.class_stack else None
        nested_in_function = len(self.scope) > (1 if cls else 0)
        is_test = (
            node.name.startswith("test")
            and not nested_in_function
            and ((cls is None and self.is_test_file) or (cls is not None and cls[1]))
        )
        params = tuple(a.arg for a in node.args.posonlyargs + node.args.args + node.args.kwonlyargs)
        outer_guards, self.guards = self.guards, ()  # a body runs when called, not where defined
        self.scope.append(node.name)
        qual = self._scope_name = ".".join(self.scope)
        self.assert_counts.append([0, 0])
        for d in node.decorator_list:
            self.visit(d)
        for default in node.args.defaults + node.args.kw_defaults:
            if default is not None:
                self.visit(default)
        for stmt in node.body:
            self.visit(stmt)
        counts = self.assert_counts.pop()
        self.guards = outer_guards
        self.scope.pop()
        self._rescope()
        end = self.map_line(getattr(node, "end_lineno", None) or node.lineno)
        self.functions.append(
            Function(
                qual,
                node.name,
                self.ln(node),
                end,
                cls[0] if cls else None,
                tuple(decorators),
                tuple(markers),
                counts[0],
                counts[1],
                params,
                is_test,
            )
        )

    visit_FunctionDef = _visit_def
    visit_AsyncFunctionDef = _visit_def

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        bases = tuple(self.qualify(b) for b in (dotted(x) for x in node.bases) if b)
        markers = tuple(m for m in (self.marker_of(d) for d in node.decorator_list) if m)
        decorators = tuple(
            self.qualify(n)
            for n in (dotted(d.func if isinstance(d, ast.Call) else d) for d in node.decorator_list)
            if n
        )
        is_unittest = any(b.endswith("TestCase") for b in bases)
        has_init = any(isinstance(s, ast.FunctionDef) and s.name == "__init__" for s in node.body)
        is_test_class = is_unittest or (
            node.name.startswith("Test") and not has_init and self.is_test_file
        )
        self.scope.append(node.name)
        qual = self._scope_name = ".".join(self.scope)
        self.class_stack.append((qual, is_test_class))
        for d in node.decorator_list:  # decorator calls (e.g. @RunIf(min_gpus=1)) in its scope
            self.visit(d)
        for stmt in node.body:
            self.visit(stmt)
        self.class_stack.pop()
        self.scope.pop()
        self._rescope()
        end = self.map_line(getattr(node, "end_lineno", None) or node.lineno)
        self.classes.append(ClassDef(qual, self.ln(node), end, bases, decorators, markers))

    def visit_If(self, node: ast.If) -> None:
        if not self.scope and _is_main_guard(node.test):
            self.has_main = True
            self.in_main = True
            self._rescope()
            for stmt in node.body:
                self.visit(stmt)
            self.in_main = False
            self._rescope()
            for stmt in node.orelse:
                self.visit(stmt)
            return
        selector = _selector(node.test)
        if selector is None:
            self.generic_visit(node)
            return
        key, values, positive = selector
        outer = self.guards
        self.visit(node.test)
        self.guards = (*outer, (key, values, positive))
        for stmt in node.body:
            self.visit(stmt)
        self.guards = (*outer, (key, values, not positive))
        for stmt in node.orelse:
            self.visit(stmt)
        self.guards = outer

    def visit_Call(self, node: ast.Call) -> None:
        name = dotted(node.func)
        if name:
            args = tuple(literal(a) for a in node.args[:8])
            kwargs = tuple((k.arg or "**", literal(k.value)) for k in node.keywords[:32])
            self.calls.append(
                Call(
                    name,
                    self.qualify(name),
                    self.ln(node),
                    self.current_scope(),
                    args,
                    kwargs,
                    self.guards,
                )
            )
            if "assert" in name.rsplit(".", 1)[-1].lower() and self.assert_counts:
                self.assert_counts[-1][0] += 1
        self.generic_visit(node)

    def visit_With(self, node: ast.With) -> None:
        for item in node.items:
            expr = item.context_expr
            if isinstance(expr, ast.Call):
                name = dotted(expr.func) or ""
                if self.qualify(name) in ("pytest.raises", "pytest.warns") and self.assert_counts:
                    self.assert_counts[-1][0] += 1
        self.generic_visit(node)

    def visit_Assert(self, node: ast.Assert) -> None:
        if self.assert_counts:
            trivial = isinstance(node.test, ast.Constant) and bool(node.test.value)
            self.assert_counts[-1][1 if trivial else 0] += 1
        self.generic_visit(node)

    def _record_assign(
        self, targets: list[ast.expr], value: ast.expr | None, node: ast.AST
    ) -> None:
        if len(self.scope) > len(self.class_stack):  # inside a function: not recorded
            return
        for t in targets:
            name = dotted(t)
            if name and value is not None:
                if not self.scope and name == "pytestmark":
                    vals = value.elts if isinstance(value, ast.List | ast.Tuple) else [value]
                    self.module_markers.extend(m for m in map(self.marker_of, vals) if m)
                self.assigns.append(
                    Assign(name, self.ln(node), literal(value), self.current_scope())
                )

    def visit_Assign(self, node: ast.Assign) -> None:
        self._record_assign(node.targets, node.value, node)
        self.generic_visit(node)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        self._record_assign([node.target], node.value, node)
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if len(self.attributes) < 2000:
            self.attributes.add(node.attr)
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and len(self.strings) < MAX_STRINGS and node.value:
            self.strings.append((node.value[:MAX_STRING_LEN], self.ln(node)))


# Fields that never hold a node with facts in it: contexts, operators and plain names.
_NO_FACTS = frozenset(
    {
        "ctx",
        "op",
        "ops",
        "id",
        "arg",
        "attr",
        "name",
        "names",
        "module",
        "level",
        "kind",
        "type_comment",
        "is_async",
        "conversion",
        "simple",
        "tag",
    }
)
_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}
_HANDLERS: dict[type, Any] = {}


def _selector(test: ast.expr) -> Guard | None:
    """`mode == "train"`, `args.mode in ("a", "b")`, `cfg["mode"] != "x"`, `sys.argv[1] ==
    "train"` or an `or` of such tests on one key: (key, sorted values, True for ==/in)."""
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
        parts = [_selector(v) for v in test.values]
        if parts and all(p and p[2] for p in parts) and len({p[0] for p in parts if p}) == 1:
            merged = sorted({v for p in parts if p for v in p[1]})
            return (parts[0][0], tuple(merged), True) if parts[0] else None
        return None
    if not isinstance(test, ast.Compare) or len(test.ops) != 1:
        return None
    op, left, right = test.ops[0], test.left, test.comparators[0]
    if isinstance(op, ast.Eq | ast.NotEq):
        if isinstance(left, ast.Constant):
            left, right = right, left
        values = (right.value,) if isinstance(right, ast.Constant) else None
    elif isinstance(op, ast.In | ast.NotIn) and isinstance(right, ast.Tuple | ast.List | ast.Set):
        items = [e.value for e in right.elts if isinstance(e, ast.Constant)]
        strings = [v for v in items if isinstance(v, str)]
        values = (
            tuple(sorted(set(strings))) if strings and len(strings) == len(right.elts) else None
        )
    else:
        return None
    key = _selector_key(left)
    if key is None or values is None or not all(isinstance(v, str) for v in values):
        return None
    return key, values, isinstance(op, ast.Eq | ast.In)


def _selector_key(node: ast.expr) -> str | None:
    """`mode` → mode, `args.mode` → mode, `cfg["mode"]` → mode, `sys.argv[1]` → sys.argv[1]."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
        index = node.slice.value
        if isinstance(index, str):
            return index
        if isinstance(index, int) and dotted(node.value) == "sys.argv":
            return f"sys.argv[{index}]"
    return None


def _own_line(node: ast.AST) -> int:
    return getattr(node, "lineno", 0) or 0


def _noop(_self: _Extractor, _node: ast.AST) -> None:
    return None


def _handler_for(cls: type) -> Any:
    """The handler of a node type: its `visit_X` method, else the generic walk (or nothing)."""
    handler = getattr(_Extractor, "visit_" + cls.__name__, None)
    fields = tuple(f for f in getattr(cls, "_fields", ()) if f not in _NO_FACTS)
    _CHILD_FIELDS[cls] = fields
    if handler is None:
        handler = _Extractor.generic_visit if fields else _noop
    _HANDLERS[cls] = handler
    return handler


def extract(source: str, path: str, line_map: Sequence[int] | None = None) -> PythonFacts:
    """Parse `source` and return its facts. Raises SyntaxError/ValueError/RecursionError."""
    tree = ast.parse(source, filename=path)
    ex = _Extractor(path, line_map)
    ex.visit(tree)
    del tree
    return PythonFacts(
        path=path,
        imports=tuple(ex.imports),
        calls=tuple(ex.calls),
        functions=tuple(sorted(ex.functions, key=lambda f: (f.line, f.qualname))),
        classes=tuple(sorted(ex.classes, key=lambda c: (c.line, c.qualname))),
        assigns=tuple(ex.assigns),
        strings=tuple(ex.strings),
        module_markers=tuple(ex.module_markers),
        has_main=ex.has_main,
        is_test_file=ex.is_test_file,
        attributes=frozenset(ex.attributes),
    )
