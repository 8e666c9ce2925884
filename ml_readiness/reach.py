"""The static call graph behind `reachable_functions`: which repository functions and classes
run from an entry point, by resolving each call through the file's imports (bounded; a call it
cannot resolve is left out). Per-file views (names, import aliases, calls by scope) and each
function's callees are computed once per audit and shared by every entry point.

Also reached from a web route: the startup hooks of its app (they load what the routes use).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ml_readiness.facts import Facts
from ml_readiness.facts.imports import module_index
from ml_readiness.facts.python import MODULE, Call, Import, PythonFacts
from ml_readiness.routes import startup_hooks

if TYPE_CHECKING:
    from ml_readiness.entrypoints import EntryPoint

CLASS_KINDS = ("predictor", "handler")  # the framework calls every method of the class
MAX_DEPTH = 10
MAX_NODES = 3000


def reachable_functions(
    facts: Facts, entry: EntryPoint, max_depth: int = MAX_DEPTH
) -> set[tuple[str, str]]:
    """(path, qualname) of the repo functions and classes executed from `entry`, by static
    resolution of calls through imports (bounded; a call it cannot resolve is left out).

    The entry itself is included. `<main>`/`<module>` entries start from that block's calls;
    predictor/handler entries start from every method of their class (the server calls them).
    """
    key = f"entrypoints.reach:{entry.path}:{entry.symbol}:{entry.kind}:{max_depth}"
    return facts.memo(key, lambda f: _reach(f, entry, max_depth))


def _reach(facts: Facts, entry: EntryPoint, max_depth: int) -> set[tuple[str, str]]:
    start = {(entry.path, entry.symbol)}
    pf = facts.python(entry.path)
    cls = _class_of(pf, entry.symbol) if pf else None
    if pf is not None and cls:
        every = entry.kind in CLASS_KINDS or entry.symbol == cls
        start |= {
            (entry.path, f.qualname)
            for f in pf.functions
            if f.class_name == cls and (every or f.name in ("__init__", "setup", "initialize"))
        }
    if entry.kind == "route":  # the app's startup hooks load what the routes use
        start |= set(_route_hooks(facts, entry))
    seen = set(start)
    frontier = sorted(start)
    callees = _callee_cache(facts)
    for _ in range(max_depth):
        nxt = []
        for node in frontier:
            targets = callees.get(node)
            if targets is None:  # shared by every entry that reaches this node
                targets = callees[node] = tuple(sorted(_callees(facts, *node)))
            for target in targets:
                if target not in seen and len(seen) < MAX_NODES:
                    seen.add(target)
                    nxt.append(target)
        frontier = nxt
        if not frontier:
            break
    return seen


def _callee_cache(facts: Facts) -> dict[tuple[str, str], tuple[tuple[str, str], ...]]:
    """(path, symbol) -> its sorted callees, computed once per audit for all entries."""
    return facts.table("entrypoints.callees")


def _names(facts: Facts, path: str) -> tuple[frozenset[str], frozenset[str]]:
    """(function qualnames, class qualnames) of a file, for constant-time lookups."""
    cache = facts.table("entrypoints.names")
    names = cache.get(path)
    if names is None:
        pf = facts.python(path)
        names = cache[path] = (
            (frozenset(f.qualname for f in pf.functions), frozenset(c.qualname for c in pf.classes))
            if pf is not None
            else (frozenset(), frozenset())
        )
    return names


def _class_of(pf: PythonFacts, symbol: str) -> str | None:
    """The class a symbol is (or is a method of), when it names a class of the file."""
    names = {c.qualname for c in pf.classes}
    if symbol in names:
        return symbol
    owner = symbol.rsplit(".", 1)[0] if "." in symbol else None
    return owner if owner in names else None


def _callees(facts: Facts, path: str, symbol: str) -> set[tuple[str, str]]:
    pf = facts.python(path)
    if pf is None:
        return set()
    cls = _class_of(pf, symbol)
    if cls == symbol:  # instantiation runs the constructor
        return {
            (path, f"{cls}.{m}") for m in ("__init__", "__post_init__") if pf.function(f"{cls}.{m}")
        }
    calls = _calls_within(facts, path, pf).get(symbol, [])
    instances = _instances(facts, path, pf, calls, cls)
    out: set[tuple[str, str]] = set()
    for c in calls:
        parts = c.name.split(".")
        if parts[0] in ("self", "cls") and len(parts) == 3 and parts[1] in instances:
            parts = parts[1:]
        if parts[0] in ("self", "cls") and cls and len(parts) == 2:
            out.update(_lookup(facts, path, f"{cls}.{parts[1]}"))
        elif parts[0] in instances and len(parts) == 2:
            tpath, tcls = instances[parts[0]]
            out.update(_lookup(facts, tpath, f"{tcls}.{parts[1]}"))
        else:
            out.update(resolve_name(facts, path, pf, c.name))
        for arg in list(c.args) + [v for _, v in c.kwargs]:
            if isinstance(arg, str) and arg.startswith("$") and not arg.startswith("$self."):
                out.update(t for t in resolve_name(facts, path, pf, arg[1:]) if _is_func(facts, t))
    return out


def _calls_within(facts: Facts, path: str, pf: PythonFacts) -> dict[str, list[Call]]:
    """Scope → the file's calls made in it or in scopes nested in it (`Model` holds the calls
    of `Model.fit`), in file order; computed once per file."""
    cache = facts.table("entrypoints.calls_within")
    within = cache.get(path)
    if within is None:
        within = cache[path] = {}
        for c in pf.calls:
            scope = c.scope
            while True:
                within.setdefault(scope, []).append(c)
                cut = scope.rfind(".")
                if cut < 0:
                    break
                scope = scope[:cut]
    return within


def _is_func(facts: Facts, target: tuple[str, str]) -> bool:
    return target[1] in _names(facts, target[0])[0]


def _is_class(facts: Facts, target: tuple[str, str]) -> bool:
    return target[1] in _names(facts, target[0])[1]


def _instances(
    facts: Facts, path: str, pf: PythonFacts, calls: list[Call], cls: str | None
) -> dict[str, tuple[str, str]]:
    """Variables bound to instances of repo classes (`m = Model()`, `self.m = Model()`): in the
    scope itself, in the methods of its class, and at module level (with the globals a web
    app's startup hook sets, `feature_builder = FeatureBuilder()` in `lifespan`)."""
    out = _bindings(facts, path, pf, calls)
    # the module's and the class's bindings are the same for every symbol of the file
    cache = facts.table("entrypoints.bindings")
    for scope in (MODULE, cls + ".") if cls else (MODULE,):
        shared = cache.get((path, scope))
        if shared is None:
            hooks = {q for _p, q in startup_hooks(facts, path)} if scope == MODULE else set()
            pool = (
                [c for c in pf.calls if c.scope == MODULE or c.scope in hooks]
                if scope == MODULE
                else [c for c in pf.calls if c.scope.startswith(scope)]
            )
            shared = cache[(path, scope)] = _bindings(facts, path, pf, pool)
        for name, target in shared.items():
            out.setdefault(name, target)
    return out


def _bindings(
    facts: Facts, path: str, pf: PythonFacts, pool: list[Call]
) -> dict[str, tuple[str, str]]:
    """Names bound by `pool`'s calls to instances of repo classes, the first binding kept."""
    out: dict[str, tuple[str, str]] = {}
    for c in pool:
        targets = [t for t in resolve_name(facts, path, pf, c.name) if _is_class(facts, t)]
        if targets:
            for name in bound_names(facts, path, [c]):
                out.setdefault(name, targets[0])
    return out


def _lookup(facts: Facts, path: str, qualname: str) -> list[tuple[str, str]]:
    functions, classes = _names(facts, path)
    if qualname in functions or qualname in classes:
        return [(path, qualname)]
    return []


def resolve_name(facts: Facts, path: str, pf: PythonFacts, name: str) -> list[tuple[str, str]]:
    """The repo function or class a dotted name written in `path` refers to (`[]` if unsure)."""
    cache = facts.table("entrypoints.resolved")
    key = (path, name)
    found = cache.get(key)
    if found is None:
        found = cache[key] = _resolve(facts, path, pf, name, 3)
    return found


def _resolve(
    facts: Facts, path: str, pf: PythonFacts, name: str, hops: int
) -> list[tuple[str, str]]:
    parts = name.split(".")
    if len(parts) == 1 or (len(parts) == 2 and parts[0] in _names(facts, path)[1]):
        local = _lookup(facts, path, name)
        if local:
            return local
    imp = _aliases(facts, path, pf).get(parts[0])
    if imp is None or hops <= 0:
        return []
    index = module_index(facts)
    candidates: list[tuple[str, list[str]]] = []
    if imp.name is None and not imp.level:  # `import a.b` binds `a`; `import a.b as x` binds x
        head = imp.module.split(".")
        dotted_parts = parts if imp.alias == head[0] else head + parts[1:]
        for cut in range(len(dotted_parts) - 1, 0, -1):
            found = index.find(".".join(dotted_parts[:cut]), path)
            if found:
                candidates.append((found, dotted_parts[cut:]))
                break
    else:
        for f in index.resolve(path, imp):
            is_sub = f.endswith((f"/{imp.name}.py", f"/{imp.name}/__init__.py"))
            candidates.append((f, parts[1:] if is_sub else [imp.name or ""] + parts[1:]))
        candidates.sort(key=lambda c: len(c[1]))
    for target, symbol_parts in candidates:
        if not symbol_parts or len(symbol_parts) > 2 or target == path:
            continue
        found = _lookup(facts, target, ".".join(symbol_parts))
        if found:
            return found
        other = facts.python(target)
        if other is not None:  # a package re-exporting the name (`from .build import f`)
            again = _resolve(facts, target, other, ".".join(symbol_parts), hops - 1)
            if again:
                return again
    return []


def _aliases(facts: Facts, path: str, pf: PythonFacts) -> dict[str, Import]:
    """Each name the file's imports bind → the last import binding it; once per file."""
    cache = facts.table("entrypoints.aliases")
    aliases = cache.get(path)
    if aliases is None:
        aliases = cache[path] = {i.alias: i for i in pf.imports}
    return aliases


def _route_hooks(facts: Facts, entry: EntryPoint) -> list[tuple[str, str]]:
    """Startup hooks of the route's own file and of the file its app object is imported from."""
    pf = facts.python(entry.path)
    if pf is None:
        return []
    files = [entry.path]
    fn = pf.function(entry.symbol)
    line = fn.line if fn else 0
    objects = {
        c.name.partition(".")[0] for c in pf.calls if c.scope == entry.symbol and c.line < line
    }
    for imp in pf.imports:
        if imp.alias in objects and imp.name:
            files += module_index(facts).resolve(entry.path, imp)
    return [hook for f in dict.fromkeys(files) for hook in startup_hooks(facts, f)]


def bound_names(facts: Facts, path: str, calls: list[Call]) -> set[str]:
    """Names the calls are assigned to (`app = FastAPI()` → `app`), read from the call's line."""
    lines = facts.lines(path)
    out = set()
    for c in calls:
        text = lines[c.line - 1] if 0 < c.line <= len(lines) else ""
        m = re.match(r"\s*(?:self\.)?(\w+)\s*(?::[^=]+)?=[^=]", text)
        if m:
            out.add(m.group(1))
    return out
