"""Command resolution: what a shell command executes, down to Python entry points.

`pytest …` → the collected tests (with fixtures and conftests); `python path.py` → that file's
module code and `<main>`; `python -m pkg.mod` → the module found through the ModuleIndex;
`make T`, `bash x.sh`, `tox -e E`, `nox -s S`, `just R`, `dvc repro [stage]`,
`pre-commit run`, console scripts from pyproject.toml → their commands, recursively (bounded);
`gx checkpoint run NAME` → the checkpoint file; `papermill`/`jupyter nbconvert --execute` →
the notebook. What is seen but cannot be resolved becomes a note, never a guess.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from ml_readiness.automation.callgraph import FILE, CallGraph, Node, label, with_options
from ml_readiness.automation.paths import join
from ml_readiness.automation.pytest_run import Collected, collect
from ml_readiness.automation.runners import parse_makefile, pyproject_scripts
from ml_readiness.automation.shell import split_commands
from ml_readiness.facts.python import MAIN, MODULE

if TYPE_CHECKING:
    from ml_readiness.facts import Facts

Seed = tuple[Node, tuple[str, ...]]  # an entry node and the hops that lead to it


UNKNOWN_VALUE = ("$", "`", "{", "*")


def cli_options(args: list[str]) -> dict[str, str]:
    """The literal command-line values a script is run with: `--pipeline training` and
    `--env=prod` by name (dashes as underscores), leading words as `sys.argv[1]`, ... A value
    with a variable or a glob is unknown (left out), so nothing is decided on it."""
    out: dict[str, str] = {}
    i = 0
    while i < len(args) and not args[i].startswith("-"):
        if not any(c in args[i] for c in UNKNOWN_VALUE):
            out[f"sys.argv[{i + 1}]"] = args[i]
        i += 1
    while i < len(args):
        word = args[i]
        i += 1
        if not word.startswith("--") or len(word) == 2:
            continue
        name, eq, value = word[2:].partition("=")
        if not eq:
            if i >= len(args) or args[i].startswith("-"):
                continue  # a flag
            value = args[i]
            i += 1
        if name and not any(c in value for c in UNKNOWN_VALUE):
            out[name.replace("-", "_")] = value
    return out


MAX_DEPTH = 12
PY_FLAGS = frozenset({"-u", "-B", "-O", "-OO", "-E", "-s", "-S", "-I", "-b", "-q", "-v", "-P"})
TOOL_MODULES = frozenset(
    {"dvc", "nox", "tox", "great_expectations", "papermill", "jupyter", "invoke", "pre_commit"}
)
SHELLS = frozenset({"bash", "sh", "zsh", "dash", "ksh", "source", "."})


@dataclass(frozen=True)
class Ctx:
    """Where a command runs: its root, runner kind, depth and the files being expanded."""

    root_id: str
    where: str  # file to attach notes to
    gpu: bool = False
    depth: int = 0
    stack: frozenset[str] = frozenset()
    script: str | None = None  # the shell script being read, for `cd "$(dirname "$0")"`
    # names of the environment variables the CI sets for the command; None when the CI
    # format's environment is not read (then no test is judged by an environment variable)
    env: frozenset[str] | None = None

    def deeper(self, where: str | None = None, script: str | None = None) -> Ctx:
        stack = self.stack | {where} if where else self.stack
        return replace(
            self, depth=self.depth + 1, where=where or self.where, stack=stack, script=script
        )


@dataclass
class PytestRun:
    root_id: str
    command: str
    collected: Collected


def hop(text: str) -> str:
    text = " ".join(text.split())
    return f"`{text if len(text) <= 100 else text[:97] + '...'}`"


@dataclass
class Resolver:
    facts: Facts
    graph: CallGraph
    notes: list[tuple[str, str]] = field(default_factory=list)
    pytest_runs: list[PytestRun] = field(default_factory=list)
    collected: dict[tuple, Collected] = field(default_factory=dict)

    def note(self, where: str, reason: str) -> None:
        if (where, reason) not in self.notes:
            self.notes.append((where, reason))

    # -- scripts -------------------------------------------------------------------------------
    def script(
        self,
        text: str,
        cwd: str,
        chain: tuple[str, ...],
        ctx: Ctx,
        variables: dict[str, str] | None = None,
    ) -> list[Seed]:
        """Seeds of every command of a shell script, tracking `cd` and variables."""
        if ctx.depth > MAX_DEPTH:
            self.note(ctx.where, f"indirection deeper than {MAX_DEPTH} levels; not followed")
            return []
        commands, problems = split_commands(text, dict(variables or {}))
        for problem in problems:
            self.note(ctx.where, problem)
        seeds: list[Seed] = []
        here = cwd
        for cmd in commands:
            words = list(cmd.words)
            if words[0] in ("cd", "pushd") and len(words) > 1:
                here = self._cd(words[1], here, ctx)
                continue
            if words[0] == "popd":
                here = cwd
                continue
            cmd_ctx = ctx
            if ctx.env is not None and cmd.env:  # `RUN_SLOW=1 pytest`
                cmd_ctx = replace(ctx, env=ctx.env | {k for k, _ in cmd.env})
            seeds += self.command(words, here, chain + (hop(cmd.text),), cmd_ctx)
        return seeds

    def _cd(self, arg: str, here: str, ctx: Ctx) -> str:
        if "rev-parse" in arg:
            return ""
        if "dirname" in arg and ctx.script:
            rest = arg.split(")", 1)[1] if ")" in arg else ""
            return join(posixpath.dirname(ctx.script), rest.lstrip("/") or ".")
        if "$" in arg or arg in ("~", "-"):
            self.note(ctx.where, f"`cd {arg}`: folder not known statically")
            return here
        return join(here, arg)

    # -- one command -----------------------------------------------------------------------------
    def command(self, words: list[str], cwd: str, chain: tuple[str, ...], ctx: Ctx) -> list[Seed]:
        prog = posixpath.basename(words[0])
        args = words[1:]
        if prog.startswith("$"):
            self.note(ctx.where, f"{chain[-1]}: program `{prog}` not known statically")
            return []
        if prog in ("pytest", "py.test"):
            return self.pytest(args, cwd, chain, ctx)
        if prog.startswith("python") or prog == "py":
            return self.python(args, cwd, chain, ctx)
        if prog in ("make", "gmake"):
            return self.make(args, cwd, chain, ctx)
        if prog in SHELLS:
            if args[:1] == ["-c"] and len(args) > 1:
                return self.script(args[1], cwd, chain, ctx.deeper())
            rest = [a for a in args if not a.startswith("-")]
            return self.shell(rest[0], cwd, chain, ctx) if rest else []
        if words[0].endswith(".py") or words[0].endswith(".sh") or "/" in words[0]:
            target = join(cwd, words[0])
            if target.endswith(".py"):
                return self.run_file(words[0], cwd, chain, ctx, cli_options(words[1:]))
            if self.facts.repo.exists(target):
                return self.shell(words[0], cwd, chain, ctx)
            if words[0].endswith(".sh"):
                self.note(ctx.where, f"`{words[0]}` is not a file of the repository")
            return []
        from ml_readiness.automation import tools

        return tools.dispatch(self, prog, args, cwd, chain, ctx)

    # -- pytest ---------------------------------------------------------------------------------
    def pytest(
        self, args: list[str], cwd: str, chain: tuple[str, ...], ctx: Ctx, unittest: bool = False
    ) -> list[Seed]:
        key = (tuple(args), cwd, ctx.gpu, ctx.env)
        col = self.collected.get(key)
        if col is None:
            col = self.collected[key] = collect(self.facts, args, cwd, ctx.gpu, ctx.env)
        for note in col.notes:
            self.note(ctx.where, f"{chain[-1] if chain else 'pytest'}: {note}")
        self.pytest_runs.append(PytestRun(ctx.root_id, chain[-1] if chain else "pytest", col))
        seeds: list[Seed] = [((f, MODULE), chain) for f in col.conftests + col.files]
        for path, fn, fixtures in col.tests:
            test: Node = (path, fn.qualname)
            seeds.append((test, chain))
            for fixture in fixtures:
                fpath, _, qual = fixture.partition("::")
                seeds.append(((fpath, qual), (*chain, label(test))))
        return seeds

    # -- python ---------------------------------------------------------------------------------
    def python(self, args: list[str], cwd: str, chain: tuple[str, ...], ctx: Ctx) -> list[Seed]:
        it = iter(args)
        for arg in it:
            if arg in ("-W", "-X"):
                next(it, None)
            elif arg == "-m":
                module = next(it, "")
                return self.module(module, list(it), cwd, chain, ctx)
            elif arg == "-c":
                self.note(ctx.where, "inline `python -c` code is not followed")
                return []
            elif arg in PY_FLAGS or (arg.startswith("-") and len(arg) > 1):
                continue
            elif arg == "-":
                return []
            else:
                return self.run_file(arg, cwd, chain, ctx, cli_options(list(it)))
        return []

    def module(
        self, module: str, rest: list[str], cwd: str, chain: tuple[str, ...], ctx: Ctx
    ) -> list[Seed]:
        if module in ("pytest", "py.test"):
            return self.pytest(rest, cwd, chain, ctx)
        if module == "unittest":
            return self.unittest(rest, cwd, chain, ctx)
        if module in TOOL_MODULES:
            return self.command([module, *rest], cwd, chain, ctx)
        if not module or "$" in module:
            self.note(ctx.where, f"`python -m {module}`: module name not known statically")
            return []
        sub = module.replace(".", "/")
        found = None
        for cand in (join(cwd, sub + ".py"), join(cwd, sub + "/__init__.py")):
            if self.facts.repo.exists(cand):
                found = cand
                break
        found = found or self.graph.find_module(module, join(cwd, "__main__.py"))
        if found is None:
            return []  # a third-party module
        if found.endswith("/__init__.py"):
            main = found[: -len("__init__.py")] + "__main__.py"
            if self.facts.repo.exists(main):
                found = main
        options = cli_options(rest)
        return [
            (with_options((found, MODULE), options), chain),
            (with_options((found, MAIN), options), chain),
        ]

    def run_file(
        self,
        arg: str,
        cwd: str,
        chain: tuple[str, ...],
        ctx: Ctx,
        options: dict[str, str] | None = None,
    ) -> list[Seed]:
        target = join(cwd, arg)
        if "$" in arg or "{" in arg:
            self.note(ctx.where, f"`{arg}`: script path not known statically")
            return []
        if not self.facts.repo.exists(target):
            self.note(ctx.where, f"`{arg}` (from {cwd or '.'}) is not a file of the repository")
            return []
        if target.endswith(".ipynb"):
            return [((target, MODULE), chain)]
        if not target.endswith(".py"):
            return self.shell(arg, cwd, chain, ctx)
        options = options or {}
        return [
            (with_options((target, MODULE), options), chain),
            (with_options((target, MAIN), options), chain),
        ]

    def unittest(self, args: list[str], cwd: str, chain: tuple[str, ...], ctx: Ctx) -> list[Seed]:
        if args and args[0] != "discover" and not args[0].startswith("-"):
            seeds: list[Seed] = []
            for name in args:
                if name.startswith("-"):
                    continue
                path = join(cwd, name) if name.endswith(".py") else None
                path = path or self.graph.find_module(name, join(cwd, "__main__.py"))
                if path:
                    seeds += self.pytest([path], "", chain, ctx)
            return seeds
        start, pattern = ".", "test*.py"
        rest = args[1:] if args[:1] == ["discover"] else args
        it = iter(rest)
        positional = []
        for a in it:
            if a in ("-s", "--start-directory"):
                start = next(it, ".")
            elif a in ("-p", "--pattern"):
                pattern = next(it, pattern)
            elif a in ("-t", "--top-level-directory"):
                next(it, None)
            elif not a.startswith("-"):
                positional.append(a)
        if positional:
            start = positional[0]
            pattern = positional[1] if len(positional) > 1 else pattern
        return self.pytest([start, "-o", f"python_files={pattern}"], cwd, chain, ctx, unittest=True)

    # -- make / shell -------------------------------------------------------------------------
    def make(self, args: list[str], cwd: str, chain: tuple[str, ...], ctx: Ctx) -> list[Seed]:
        folder, file, targets, overrides = cwd, None, [], {}
        it = iter(args)
        for a in it:
            if a in ("-C", "--directory"):
                folder = join(cwd, next(it, "."))
            elif a.startswith("-C") and len(a) > 2:
                folder = join(cwd, a[2:])
            elif a in ("-f", "--file", "--makefile"):
                file = next(it, None)
            elif a.startswith("-"):
                continue
            elif "=" in a:
                name, _, value = a.partition("=")
                overrides[name] = value
            else:
                targets.append(a)
        names = [file] if file else ["GNUmakefile", "makefile", "Makefile"]
        path = next(
            (join(folder, n) for n in names if self.facts.repo.exists(join(folder, n))), None
        )
        if path is None:
            self.note(ctx.where, f"`make` in {folder or '.'}: no Makefile there")
            return []
        mk = parse_makefile(self.facts, path)
        variables = {**mk.variables, **overrides}
        seeds: list[Seed] = []
        done: set[str] = set()
        for target in targets or ([mk.default] if mk.default else []):
            seeds += self._make_target(mk, path, target, variables, folder, chain, ctx, done)
        return seeds

    def _make_target(self, mk, path, target, variables, folder, chain, ctx, done) -> list[Seed]:  # noqa: ANN001
        from ml_readiness.automation.runners import expand_make

        if target in done or len(done) > 200:
            return []
        done.add(target)
        if target not in mk.targets:
            if not self.facts.repo.exists(join(folder, target)):
                self.note(ctx.where, f"make target `{target}` is not defined in {path}")
            return []
        prereqs, recipe = mk.targets[target]
        here = (*chain, f"{path}#{target}")
        seeds: list[Seed] = []
        for pre in prereqs:
            seeds += self._make_target(mk, path, pre, variables, folder, here, ctx, done)
        inner = ctx.deeper(path)
        for _line, cmd in recipe:
            text = expand_make(cmd, variables, target, prereqs)
            seeds += self.script(text, folder, here, inner)
        return seeds

    def shell(self, arg: str, cwd: str, chain: tuple[str, ...], ctx: Ctx) -> list[Seed]:
        target = join(cwd, arg)
        if "$" in arg:
            self.note(ctx.where, f"`{arg}`: script path not known statically")
            return []
        if not self.facts.repo.exists(target):
            self.note(ctx.where, f"`{arg}` (from {cwd or '.'}) is not a file of the repository")
            return []
        if target in ctx.stack:
            return []  # a script that sources itself
        if target.endswith((".py", ".ipynb")):
            return self.run_file(arg, cwd, chain, ctx)
        text = self.facts.text(target)
        here = (*chain, target)
        seeds: list[Seed] = [((target, FILE), chain)]
        if text is not None:
            seeds += self.script(text, cwd, here, ctx.deeper(target, script=target))
        return seeds

    # -- console scripts ---------------------------------------------------------------------------
    def scripts(self) -> dict[str, tuple[str, str]]:
        def build(facts: Facts) -> dict[str, tuple[str, str]]:
            out: dict[str, tuple[str, str]] = {}
            for path in sorted(facts.repo.named("pyproject.toml"), key=lambda p: p.count("/")):
                if not path.startswith("../"):
                    for name, spec in pyproject_scripts(facts, path).items():
                        out.setdefault(name, spec)
            return out

        return self.facts.memo("automation.scripts", build)
