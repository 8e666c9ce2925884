"""What executing an entry point executes, followed statically through the repository's code.

A node is (file, scope): `<module>` (module-level code and class bodies, run on import),
`<main>` (the `if __name__ == "__main__":` block, run only as a script) or a function's
qualified name. From a node we follow its calls to functions and classes defined in the
repository (through imports, re-exports and relative imports), the imports it makes (their
module-level code runs), functions it passes as callbacks, `self.m()` within a class, and
methods called in the same scope where an instance of a repository class is created, and the
route handlers a test's test-client requests reach (`client.post("/predict")`, resolved by
`entrypoints.client_route_targets`). Anything that cannot be resolved is not followed: an
import alone never marks a function executed.

Kubeflow components (`@dsl.component`, `create_component_from_func(fn)`) are not Python calls:
calling one inside a `@dsl.pipeline` function adds a task to the pipeline, so compiling the
pipeline (`Compiler().compile(pipeline, ...)`) never runs a component body. Those calls are
kept aside as the pipeline's tasks (`pipeline_tasks`), which the Kubeflow pipeline root runs.
"""

from __future__ import annotations

import json
import posixpath
from collections import deque
from typing import TYPE_CHECKING

from ml_readiness.entrypoints import client_route_targets
from ml_readiness.facts.imports import module_index
from ml_readiness.facts.python import MAIN, MODULE, PythonFacts, guards_allow

if TYPE_CHECKING:
    from ml_readiness.facts import Facts

Node = tuple[str, str]  # (path, scope)
FILE = "<file>"  # a non-Python file that is run (shell script, checkpoint): recorded only
MAX_NODES = 50_000
INIT_METHODS = ("__init__", "__post_init__", "__new__", "__call__")
# `f.with_options(...)` / `f.options(...)`: a configured copy of f, made to be run
CONFIGURED_COPIES = frozenset({"with_options", "options"})
KFP_SUBMIT = frozenset(
    {"create_run_from_pipeline_func", "create_run_from_pipeline_package", "run_pipeline"}
)
KFP_COMPONENT = frozenset(
    {"component", "container_component", "create_component_from_func", "func_to_container_op"}
)


# A node run by a command with options carries them after its scope: (`run.py`,
# `<main>` + OPTIONS + `[["pipeline", "training"]]`); its own file's functions inherit them,
# and calls under an `if` on an option the command sets to another value are not followed.
OPTIONS = "\x00"


def with_options(node: Node, options: dict[str, str]) -> Node:
    """`node` as run by a command giving these command-line options (unchanged without)."""
    if not options:
        return node
    return (node[0], node[1] + OPTIONS + json.dumps(sorted(options.items())))


def plain(node: Node) -> Node:
    """The node without the command-line options it was run with."""
    return (node[0], node[1].split(OPTIONS, 1)[0]) if OPTIONS in node[1] else node


def is_kfp_pipeline_decorator(name: str) -> bool:
    """`dsl.pipeline`, `kfp.dsl.pipeline` (qualified through imports)."""
    return name == "dsl.pipeline" or name.endswith(".dsl.pipeline")


def is_kfp_component_decorator(name: str) -> bool:
    """`kfp.dsl.component`, `kfp.v2.dsl.component`, `dsl.component`, `kfp.components.
    create_component_from_func`... (qualified through imports as PythonFacts records them)."""
    head, _, last = name.rpartition(".")
    if last not in KFP_COMPONENT:
        return False
    return head.startswith("kfp") or head in ("dsl", "components")


def label(node: Node) -> str:
    path, scope = node
    return path if scope in (MODULE, FILE) else f"{path}::{scope}"


class CallGraph:
    """Lazily computed successors of nodes, shared by every root of one audit."""

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        self.index = module_index(facts)
        self._succ: dict[Node, tuple[Node, ...]] = {}
        self._bindings: dict[str, dict[str, str]] = {}
        self._stars: dict[str, list[str]] = {}
        self._reach: dict[tuple[Node, ...], dict[Node, Node | None]] = {}
        self._tails: dict[tuple[Node, ...], list[tuple[Node, Node, tuple[str, ...]]]] = {}
        self._tasks: dict[Node, list[Node]] = {}
        self._components: dict[str, frozenset[str]] = {}

    # -- facts -----------------------------------------------------------------------------
    def pf(self, path: str) -> PythonFacts | None:
        if not path.endswith((".py", ".ipynb")):
            return None
        return self.facts.python(path)

    def find_module(self, module: str, importer: str | None) -> str | None:
        """The repository file of an absolute module name, if plausibly the one imported."""
        candidates = self.index.by_name.get(module)
        if not candidates:
            return None
        on_path = self.index.on_path(module, importer) if importer else None
        if on_path:  # under a folder the importer puts on sys.path
            return on_path
        folder = posixpath.dirname(importer) if importer else ""
        sub = module.replace(".", "/")
        for cand in candidates:  # a sibling module (script folder / rootdir on sys.path)
            if cand in (
                posixpath.join(folder, sub + ".py"),
                posixpath.join(folder, sub, "__init__.py"),
            ):
                return cand
        exact = [c for c in candidates if self.index.name_of.get(c) == module]
        if exact:
            return self.index.find(module, importer) if len(exact) > 1 else exact[0]
        if "." in module:
            return self.index.find(module, importer)
        return None

    def bindings(self, path: str) -> dict[str, str]:
        """Alias → absolute dotted name, for every import of the file (relative ones resolved)."""
        cached = self._bindings.get(path)
        if cached is not None:
            return cached
        out: dict[str, str] = {}
        stars: list[str] = []
        pf = self.pf(path)
        for imp in pf.imports if pf else ():
            module = self.absolute(path, imp.module, imp.level)
            if imp.name == "*":
                stars.append(module)
            elif imp.name:
                out[imp.alias] = f"{module}.{imp.name}" if module else imp.name
            else:
                out[imp.alias] = module if imp.alias != module.split(".")[0] else imp.alias
        self._bindings[path] = out
        self._stars[path] = stars
        return out

    def absolute(self, importer: str, module: str, level: int) -> str:
        if not level:
            return module
        own = self.index.module_of(importer) or ""
        parts = own.split(".") if own else []
        if not importer.endswith("__init__.py"):
            parts = parts[:-1]
        if level > 1:
            parts = parts[: max(0, len(parts) - (level - 1))]
        rel = module.lstrip(".")
        return ".".join(parts + ([rel] if rel else []))

    def module_nodes(self, path: str) -> list[Node]:
        """The module node of `path` and of the packages above it (their `__init__` runs)."""
        out = [(path, MODULE)]
        folder = posixpath.dirname(path)
        if path.endswith("/__init__.py"):
            folder = posixpath.dirname(folder)
        while folder:
            init = f"{folder}/__init__.py"
            if not self.facts.repo.exists(init):
                break
            out.append((init, MODULE))
            folder = posixpath.dirname(folder)
        return out

    # -- name resolution ----------------------------------------------------------------------
    def resolve_absolute(self, dotted: str, importer: str, depth: int = 0) -> Node | None:
        """(file, qualname or `<module>`) of an absolute dotted name defined in the repo."""
        parts = dotted.split(".")
        for k in range(len(parts), 0, -1):
            found = self.find_module(".".join(parts[:k]), importer)
            if found:
                rest = parts[k:]
                return (found, MODULE) if not rest else self.lookup(found, rest, depth)
        return None

    def lookup(self, path: str, rest: list[str], depth: int = 0) -> Node | None:
        pf = self.pf(path)
        if pf is None or depth > 6:
            return None
        name = ".".join(rest)
        if pf.function(name) or any(c.qualname == name for c in pf.classes):
            return (path, name)
        bound = self.bindings(path).get(rest[0])
        if bound:  # re-exported: `from .core import train` in a package __init__
            return self.resolve_absolute(".".join([bound, *rest[1:]]), path, depth + 1)
        for star in self._stars.get(path, []):
            hit = self.resolve_absolute(".".join([star, *rest]), path, depth + 1)
            if hit and hit[1] != MODULE:
                return hit
        return None

    def is_class(self, node: Node) -> bool:
        pf = self.pf(node[0])
        return pf is not None and any(c.qualname == node[1] for c in pf.classes)

    def method(self, cls: Node, name: str, depth: int = 0) -> Node | None:
        """`Cls.name` defined in the class or one of its repository base classes."""
        pf = self.pf(cls[0])
        if pf is None or depth > 5:
            return None
        qual = f"{cls[1]}.{name}"
        if pf.function(qual):
            return (cls[0], qual)
        cdef = next((c for c in pf.classes if c.qualname == cls[1]), None)
        for base in cdef.bases if cdef else ():
            target = self.resolve_base(cls[0], base)
            if target and self.is_class(target):
                hit = self.method(target, name, depth + 1)
                if hit:
                    return hit
        return None

    def flow_steps(self, cls: Node) -> list[Node]:
        """The `@step` methods of a Metaflow flow class: creating the flow (`TrainFlow()` in a
        script's main block, run as `python flow.py run`) runs its steps."""
        pf = self.pf(cls[0])
        if pf is None:
            return []
        return [
            (cls[0], f.qualname)
            for f in pf.functions
            if f.class_name == cls[1] and "metaflow.step" in f.decorators
        ]

    def is_pipeline(self, node: Node) -> bool:
        """A Kubeflow pipeline function (`@dsl.pipeline`)."""
        pf = self.pf(node[0])
        fn = pf.function(node[1]) if pf is not None else None
        return fn is not None and any(is_kfp_pipeline_decorator(d) for d in fn.decorators)

    def is_component(self, node: Node) -> bool:
        """A Kubeflow component function (its body runs as a pipeline task, not when called)."""
        names = self._components.get(node[0])
        if names is None:
            pf = self.pf(node[0])
            names = frozenset(
                f.qualname
                for f in (pf.functions if pf is not None else ())
                if any(is_kfp_component_decorator(d) for d in f.decorators)
            )
            self._components[node[0]] = names
        return node[1] in names

    def pipeline_tasks(self, node: Node) -> list[Node]:
        """Component functions a pipeline function's body adds as tasks (`@dsl.component`
        functions it calls, and in its file, functions wrapped by `create_component_from_func`
        or `func_to_container_op`)."""
        self.successors(node)
        out = list(self._tasks.get(node, ()))
        pf = self.pf(node[0])
        for call in pf.calls if pf is not None else ():
            if not is_kfp_component_decorator(call.qualified):
                continue
            for value in list(call.args) + [v for _, v in call.kwargs]:
                if isinstance(value, str) and value.startswith("$") and len(value) > 1:
                    target = self.resolve_name(node[0], call.scope, value[1:])
                    if target and target[1] != MODULE and target not in out:
                        out.append(target)
        return out

    def resolve_base(self, path: str, base: str) -> Node | None:
        """A base class as recorded (qualified through imports, maybe relative)."""
        local = self.resolve_name(path, MODULE, base.rsplit(".", 1)[-1])
        if local is not None or base.startswith("."):
            return local
        return self.resolve_absolute(base, path)

    def resolve_name(self, path: str, scope: str, name: str) -> Node | None:
        """The repository definition a name used in `scope` of `path` refers to."""
        pf = self.pf(path)
        if pf is None:
            return None
        parts = name.split(".")
        head = parts[0]
        if head in ("self", "cls") and len(parts) == 2:
            fn = pf.function(scope)
            cls = fn.class_name if fn else None
            return self.method((path, cls), parts[1]) if cls else None
        if head == "?":
            fn = pf.function(scope)
            if fn and fn.class_name and len(parts) == 2 and fn.name == parts[1]:
                cdef = next((c for c in pf.classes if c.qualname == fn.class_name), None)
                for base in cdef.bases if cdef else ():  # super().__init__()
                    target = self.resolve_base(path, base)
                    if target and self.is_class(target):
                        return self.method(target, parts[1])
            return None
        if scope not in (MODULE, MAIN) and len(parts) == 1:
            prefix = scope
            while prefix:  # a nested function or a closure's sibling
                if pf.function(f"{prefix}.{head}"):
                    return (path, f"{prefix}.{head}")
                prefix = prefix.rpartition(".")[0]
        if pf.function(name) or any(c.qualname == name for c in pf.classes):
            return (path, name)
        if len(parts) > 1 and any(c.qualname == head for c in pf.classes):
            return self.method((path, head), parts[-1]) if len(parts) == 2 else None
        bound = self.bindings(path).get(head)
        if bound:
            return self.resolve_absolute(".".join([bound, *parts[1:]]), path)
        return None

    # -- graph ---------------------------------------------------------------------------------
    def successors(self, node: Node) -> tuple[Node, ...]:
        cached = self._succ.get(node)
        if cached is not None:
            return cached
        out: list[Node] = []
        path, scope = node
        options: dict[str, str] | None = None
        if OPTIONS in scope:
            scope, encoded = scope.split(OPTIONS, 1)
            options = dict(json.loads(encoded))
        pf = self.pf(path) if scope != FILE else None
        if pf is not None:
            out = self._edges(path, scope, pf, options)
            if options:  # the script's own functions run with the same options
                out = [
                    with_options(n, options) if n[0] == path and n[1] not in (MODULE, FILE) else n
                    for n in out
                ]
        result = tuple(dict.fromkeys(n for n in out if n != node))
        self._succ[node] = result
        return result

    def _edges(
        self, path: str, scope: str, pf: PythonFacts, options: dict[str, str] | None = None
    ) -> list[Node]:
        out: list[Node] = []
        if scope == MODULE:
            functions = {f.qualname for f in pf.functions}
            for c in pf.classes:  # class bodies run on import (unless inside a function)
                if c.qualname.rpartition(".")[0] not in functions:
                    out.append((path, c.qualname))
        for imp in pf.imports:
            if imp.scope != scope:
                continue
            module = self.absolute(path, imp.module, imp.level)
            for dotted in (module, f"{module}.{imp.name}" if imp.name else None):
                found = self.find_module(dotted, path) if dotted else None
                if found:
                    out.extend(self.module_nodes(found))
        created: list[Node] = []
        pending: list[str] = []
        submits: bool | None = None
        for call in pf.calls:
            if call.scope != scope:
                continue
            if options and call.guards and not guards_allow(call.guards, options):
                continue  # `if pipeline == "training":` when the command says another
            target = self.resolve_name(path, scope, call.name)
            if target is None and call.attr in CONFIGURED_COPIES:
                target = self._configured(path, scope, call.name.rpartition(".")[0])
            if target is None and call.attr == "python_func":  # comp.python_func(): the body
                target = self.resolve_name(path, scope, call.name.rpartition(".")[0])
                target = target if target and self.is_component(target) else None
            elif target is not None and target[1] != MODULE and self.is_component(target):
                if options is None:  # recorded once, by the node without options
                    self._tasks.setdefault((path, scope), []).append(target)  # a task, not a call
                continue
            if call.attr in KFP_COMPONENT and is_kfp_component_decorator(call.qualified):
                continue  # create_component_from_func(fn) wraps fn; it does not run it
            if target is None:
                if "." in call.name:
                    pending.append(call.attr)
            elif target[1] == MODULE:
                continue
            elif self.is_class(target):
                created.append(target)
                out.extend(
                    m for m in (self.method(target, i) for i in INIT_METHODS[:3]) if m is not None
                )
                out.extend(self.flow_steps(target))
            else:
                out.append(target)
            for value in list(call.args) + [v for _, v in call.kwargs]:
                if isinstance(value, str) and value.startswith("$") and len(value) > 1:
                    cb = self.resolve_name(path, scope, value[1:])
                    if cb and cb[1] != MODULE and not self.is_class(cb):
                        if submits is None:
                            submits = _submits_pipeline_run(pf, scope)
                        if call.attr == "compile" and not submits and self.is_pipeline(cb):
                            continue  # compiling a KFP pipeline traces it: nothing of it runs
                        out.append(cb)  # a callback handed to a library or a thread
                        if submits and cb != (path, scope):  # a KFP/Vertex run starts here
                            out.extend(self.pipeline_tasks(cb))
        for attr in pending:  # obj.fit() where obj = Cls(...) in the same scope
            for cls in created:
                hit = self.method(cls, attr)
                if hit:
                    out.append(hit)
                    break
        if pf.is_test_file or path.endswith("conftest.py"):  # client.post("/predict") → route
            out.extend(client_route_targets(self.facts, path).get(scope, ()))  # type: ignore[arg-type]
        return out

    def _configured(self, path: str, scope: str, name: str) -> Node | None:
        """The function `name.with_options(...)` configures (ZenML pipelines, Prefect flows,
        Ray's `.options`): the copy is made to be run, so it counts as a call of it."""
        target = self.resolve_name(path, scope, name) if name else None
        if target is None or target[1] == MODULE or self.is_class(target):
            return None
        return target

    def reach(self, seeds: tuple[Node, ...]) -> dict[Node, Node | None]:
        """Every node reachable from `seeds` → the node it was first reached from."""
        cached = self._reach.get(seeds)
        if cached is not None:
            return cached
        parent: dict[Node, Node | None] = {}  # plain nodes
        seen: set[Node] = set()  # nodes with their options: each is explored once
        queue: deque[Node] = deque()
        for seed in seeds:
            if seed not in seen:
                seen.add(seed)
                parent.setdefault(plain(seed), None)
                queue.append(seed)
        while queue and len(parent) < MAX_NODES:
            node = queue.popleft()
            for nxt in self.successors(node):
                if nxt not in seen:
                    seen.add(nxt)
                    parent.setdefault(plain(nxt), plain(node))
                    queue.append(nxt)
        self._reach[seeds] = parent
        return parent

    def reach_tails(self, seeds: tuple[Node, ...]) -> list[tuple[Node, Node, tuple[str, ...]]]:
        """(node, the seed it was reached from, hops from that seed) for every reached node."""
        cached = self._tails.get(seeds)
        if cached is not None:
            return cached
        parent = self.reach(seeds)
        info: dict[Node, tuple[Node, tuple[str, ...]]] = {}
        out = []
        for node, up in parent.items():  # breadth-first: a parent comes before its children
            if up is None:
                seed, tail = node, (label(node),)
            else:
                seed, above = info[up]
                tail = (*above, label(node))
                if len(tail) > 10:
                    tail = (tail[0], "…", *tail[-7:]) if tail[1] != "…" else (*tail[:2], *tail[-7:])
            info[node] = (seed, tail)
            out.append((node, seed, tail))
        self._tails[seeds] = out
        return out


def _submits_pipeline_run(pf: PythonFacts, scope: str) -> bool:
    """Does `scope` start a pipeline run (`kfp.Client().create_run_from_pipeline_func(...)`,
    `run_pipeline`, `aiplatform.PipelineJob(...).submit()`/`.run()`)?"""
    calls = [c for c in pf.calls if c.scope == scope]
    if any(c.attr in KFP_SUBMIT for c in calls):
        return True
    job = any(c.qualified.endswith("aiplatform.PipelineJob") for c in calls)
    return job and any(c.attr in ("submit", "run") for c in calls)
