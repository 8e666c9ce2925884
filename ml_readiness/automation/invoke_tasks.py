"""pyinvoke task collections read statically: `invoke`/`inv` task names → the task functions,
their `pre`/`post` tasks and the literal commands of their `ctx.run(...)` calls.

`inv checks` with a `tasks/` package whose `__init__.py` does `ns.add_collection(checks)` runs
the default task (`@task(default=True)`) of `tasks/checks.py`; `inv checks.test` runs its
`test` task; with a flat `tasks.py`, `inv test` runs the `test` task. Task names are the
function names with `_` written as `-` (or `@task(name=..., aliases=[...])`). A command built
from values that are not known statically is noted, never guessed.
"""

from __future__ import annotations

import ast
import posixpath
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ml_readiness.automation.paths import join
from ml_readiness.facts.python import MODULE

if TYPE_CHECKING:
    from ml_readiness.automation.resolve import Ctx, Resolver, Seed
    from ml_readiness.facts import Facts

Chain = tuple[str, ...]
# core options of the `invoke` program that take a value
VALUE_OPTIONS = frozenset(
    {"-c", "--collection", "-r", "--search-root", "-f", "--config", "-w", "--write-pyc"}
)
NOTHING_RUNS = frozenset({"-l", "--list", "-h", "--help", "-V", "--version", "--complete"})


@dataclass
class InvokeTask:
    """One `@task` function: what it runs, in order."""

    function: str
    line: int
    commands: list[tuple[int, str | None]] = field(default_factory=list)  # None: not literal
    pre: list[str] = field(default_factory=list)  # task references as written (`test`, `m.x`)
    post: list[str] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)  # functions of the module it calls
    default: bool = False


@dataclass
class TaskModule:
    """The tasks of one module and the sub-collections it adds (`ns.add_collection(m)`)."""

    tasks: dict[str, InvokeTask] = field(default_factory=dict)  # invoke name → task
    collections: dict[str, str] = field(default_factory=dict)  # collection name → module file
    default_collection: str | None = None


def _name(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _name(node.value)
        return f"{inner}.{node.attr}" if inner else None
    return None


def _string(node: ast.AST, constants: dict[str, str]) -> str | None:
    """The text of a literal string or an f-string over module string constants."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        parts = []
        for value in node.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                parts.append(value.value)
            elif isinstance(value, ast.FormattedValue) and _name(value.value) in constants:
                parts.append(constants[str(_name(value.value))])
            else:
                return None
        return "".join(parts)
    return None


def _task_decorator(fn: ast.FunctionDef | ast.AsyncFunctionDef) -> ast.expr | None:
    for d in fn.decorator_list:
        target = d.func if isinstance(d, ast.Call) else d
        if (_name(target) or "").rsplit(".", 1)[-1] == "task":
            return d
    return None


def _refs(node: ast.AST | None) -> list[str]:
    items = node.elts if isinstance(node, ast.List | ast.Tuple) else []
    out = []
    for item in items:
        target = item.func if isinstance(item, ast.Call) else item  # `call(task, arg)`
        if isinstance(item, ast.Call) and item.args:
            target = item.args[0]
        name = _name(target)
        if name:
            out.append(name)
    return out


def _read_task(
    fn: ast.FunctionDef | ast.AsyncFunctionDef, deco: ast.expr, constants: dict[str, str]
) -> tuple[InvokeTask, list[str]]:
    task = InvokeTask(fn.name, fn.lineno)
    names = [fn.name.replace("_", "-")]
    if isinstance(deco, ast.Call):
        task.pre += [n for n in (_name(a) for a in deco.args) if n]
        for kw in deco.keywords:
            if kw.arg == "pre":
                task.pre += _refs(kw.value)
            elif kw.arg == "post":
                task.post += _refs(kw.value)
            elif kw.arg == "default":
                task.default = isinstance(kw.value, ast.Constant) and kw.value.value is True
            elif kw.arg == "name" and isinstance(kw.value, ast.Constant):
                names = [str(kw.value.value)]
            elif kw.arg == "aliases" and isinstance(kw.value, ast.List | ast.Tuple):
                names += [str(e.value) for e in kw.value.elts if isinstance(e, ast.Constant)]
    ctx = fn.args.args[0].arg if fn.args.args else "ctx"
    for node in ast.walk(fn):
        if not isinstance(node, ast.Call):
            continue
        called = _name(node.func) or ""
        if called in (f"{ctx}.run", f"{ctx}.sudo") and node.args:
            task.commands.append((node.lineno, _string(node.args[0], constants)))
        elif called and "." not in called:
            task.calls.append(called)
    task.commands.sort(key=lambda c: c[0])
    return task, names


def read_task_module(facts: Facts, path: str) -> TaskModule:
    """The `@task` functions of a tasks module and the collections it adds."""

    def build(facts: Facts) -> TaskModule:
        out = TaskModule()
        try:
            tree = ast.parse(facts.text(path) or "")
        except (SyntaxError, ValueError):
            return out
        constants: dict[str, str] = {}
        modules: dict[str, str] = {}  # alias → module file, from `from . import x`
        folder = posixpath.dirname(path)
        for node in tree.body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                value = _string(node.value, constants)
                if isinstance(node.targets[0], ast.Name) and value is not None:
                    constants[node.targets[0].id] = value
            elif isinstance(node, ast.ImportFrom) and node.level == 1:
                base = join(folder, (node.module or "").replace(".", "/"))
                for a in node.names:
                    for cand in (join(base, f"{a.name}.py"), join(base, f"{a.name}/__init__.py")):
                        if facts.repo.exists(cand):
                            modules[a.asname or a.name] = cand
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                deco = _task_decorator(node)
                if deco is not None:
                    task, names = _read_task(node, deco, constants)
                    for n in names:
                        out.tasks.setdefault(n, task)
            elif isinstance(node, ast.Call) and node.args:
                _collection(node, modules, out)
        return out

    return facts.memo(f"automation.invoke:{path}", build)


def _collection(node: ast.Call, modules: dict[str, str], out: TaskModule) -> None:
    """`ns.add_collection(m[, name=...][, default=True])`, `Collection(m, n)`."""
    called = (_name(node.func) or "").rsplit(".", 1)[-1]
    if called not in ("add_collection", "Collection", "from_module"):
        return
    kws = {kw.arg: kw.value for kw in node.keywords}
    args = node.args if called == "Collection" else node.args[:1]
    for arg in args:
        if isinstance(arg, ast.Call) and arg.args:  # add_collection(Collection.from_module(m))
            arg = arg.args[0]
        alias = _name(arg)
        if alias not in modules:
            continue
        name = alias
        given = kws.get("name")
        if called == "add_collection" and isinstance(given, ast.Constant):
            name = str(given.value)
        out.collections[name.replace("_", "-")] = modules[alias]
        default = kws.get("default")
        if isinstance(default, ast.Constant) and default.value is True:
            out.default_collection = name.replace("_", "-")


def find_collection(facts: Facts, cwd: str, name: str = "tasks") -> str | None:
    """The tasks module invoke loads: `<name>.py` or `<name>/__init__.py`, from `cwd` up."""
    folder = cwd
    while True:
        for cand in (join(folder, f"{name}.py"), join(folder, f"{name}/__init__.py")):
            if facts.repo.exists(cand):
                return cand
        if not folder or folder.startswith(".."):
            return None
        folder = posixpath.dirname(folder)


def _lookup(facts: Facts, path: str, parts: list[str]) -> tuple[str, InvokeTask] | None:
    """The task `a.b.c` (parts) names in the collection rooted at `path`."""
    mod = read_task_module(facts, path)
    if not parts:
        task = next((t for t in mod.tasks.values() if t.default), None)
        if task is not None:
            return path, task
        sub = mod.collections.get(mod.default_collection or "")
        return _lookup(facts, sub, []) if sub else None
    head = parts[0].replace("_", "-")
    if len(parts) == 1 and head in mod.tasks:
        return path, mod.tasks[head]
    sub = mod.collections.get(head)
    if sub is None and path.endswith("/__init__.py"):  # a submodule imported but not added
        cand = join(posixpath.dirname(path), f"{parts[0]}.py")
        sub = cand if facts.repo.exists(cand) else None
    return _lookup(facts, sub, parts[1:]) if sub else None


def invoke(r: Resolver, args: list[str], cwd: str, chain: Chain, ctx: Ctx) -> list[Seed]:
    """`invoke [-c name] [-r dir] task [--opt v] task2 ...`: the named tasks (or the default)."""
    name, root, wanted = "tasks", cwd, []
    it = iter(args)
    for a in it:
        if a in NOTHING_RUNS:
            return []
        if a in ("-c", "--collection"):
            name = next(it, name)
        elif a in ("-r", "--search-root"):
            root = join(cwd, next(it, "."))
        elif a in VALUE_OPTIONS:
            next(it, None)
        elif not a.startswith("-"):
            wanted.append(a)
    path = find_collection(r.facts, root, name)
    if path is None:
        r.note(ctx.where, f"`invoke` in {cwd or '.'}: no {name}.py or {name}/ collection there")
        return []
    targets = [t for t in wanted if _lookup(r.facts, path, t.split("."))] or (
        [] if wanted else [""]
    )
    if not targets:
        r.note(ctx.where, f"invoke task `{' '.join(wanted)}` is not defined in {path}")
        return []
    seeds: list[Seed] = []
    done: set[tuple[str, str]] = set()
    for target in targets:
        found = _lookup(r.facts, path, target.split(".") if target else [])
        if found:
            seeds += _run(r, found[0], found[1], cwd, chain, ctx, done)
    return seeds


def _run(r, file, task, cwd, chain, ctx, done) -> list[Seed]:  # noqa: ANN001
    key = (file, task.function)
    if key in done or len(done) > 200:
        return []
    done.add(key)
    mod = read_task_module(r.facts, file)
    by_function = {t.function: t for t in mod.tasks.values()}

    def refer(ref: str) -> list[Seed]:
        head, _, rest = ref.partition(".")
        if not rest and head in by_function:
            return _run(r, file, by_function[head], cwd, here, ctx, done)
        sub = mod.collections.get(head.replace("_", "-"))
        found = _lookup(r.facts, sub, rest.split(".")) if sub and rest else None
        return _run(r, found[0], found[1], cwd, here, ctx, done) if found else []

    here = (*chain, f"{file}#{task.function.replace('_', '-')}")
    seeds: list[Seed] = []
    for ref in task.pre:
        seeds += refer(ref)
    seeds += [((file, MODULE), chain), ((file, task.function), chain)]
    inner = ctx.deeper(file)
    for line, command in task.commands:
        if command is None:
            r.note(file, f"`ctx.run(...)` at line {line}: command not known statically")
            continue
        seeds += r.script(command, cwd, here, inner)
    for called in task.calls:
        if called in by_function:
            seeds += _run(r, file, by_function[called], cwd, here, ctx, done)
    for ref in task.post:
        seeds += refer(ref)
    return seeds
