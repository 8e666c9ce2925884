"""Commands of task runners and ML tools: tox, nox, just, DVC, pre-commit, Great Expectations
checkpoints, notebook executors and console scripts declared in pyproject.toml."""

from __future__ import annotations

import posixpath
import re
import shlex
from typing import TYPE_CHECKING

from ml_readiness.automation.callgraph import FILE
from ml_readiness.automation.paths import join, under
from ml_readiness.automation.runners import (
    dvc_stages,
    nox_sessions,
    pixi_tasks,
    precommit_local_hooks,
    tox_config,
)
from ml_readiness.facts.python import MAIN, MODULE

if TYPE_CHECKING:
    from ml_readiness.automation.resolve import Ctx, Resolver, Seed

Chain = tuple[str, ...]
NPX_VALUE_OPTIONS = frozenset({"-p", "--package", "--registry", "--cache", "-w", "--workspace"})
CDK_RUNS_APP = frozenset({"synth", "synthesize", "deploy", "diff", "ls", "list", "watch"})


def dispatch(
    r: Resolver, prog: str, args: list[str], cwd: str, chain: Chain, ctx: Ctx
) -> list[Seed]:
    """Seeds of a command whose program is not pytest/python/make/a shell."""
    if prog in ("npx", "bunx"):
        return npx(r, args, cwd, chain, ctx)
    if prog in ("npm", "pnpm", "yarn") and args[:1] in (["exec"], ["dlx"]):
        return npx(r, args[1:], cwd, chain, ctx)
    if prog == "cdk":
        return cdk(r, args, cwd, chain, ctx)
    if prog == "aws" and args[:2] == ["sagemaker", "start-pipeline-execution"]:
        return sagemaker_start(r, args[2:], cwd, chain, ctx)
    if prog == "sagemaker" and args[:2] in (["pipeline", "start"], ["pipelines", "start"]):
        return sagemaker_start(r, args[2:], cwd, chain, ctx)
    if prog in ("anyscale", "ray", "az"):
        from ml_readiness.automation.cloud_jobs import anyscale, azure_ml_job, ray_job

        run = {"anyscale": anyscale, "ray": ray_job, "az": azure_ml_job}[prog]
        return run(r, args, cwd, chain, ctx)
    if prog == "tox":
        return tox(r, args, cwd, chain, ctx)
    if prog == "nox":
        return nox(r, args, cwd, chain, ctx)
    if prog == "just":
        from ml_readiness.automation.justfiles import just

        return just(r, args, cwd, chain, ctx)
    if prog in ("invoke", "inv"):
        from ml_readiness.automation.invoke_tasks import invoke

        return invoke(r, args, cwd, chain, ctx)
    if prog == "dvc" and args[:1] in (["repro"], ["exp"]):
        rest = args[2:] if args[:2] == ["exp", "run"] else args[1:]
        return dvc(r, rest, cwd, chain, ctx) if args[0] == "repro" or args[1:2] == ["run"] else []
    if prog in ("great_expectations", "gx") and "checkpoint" in args:
        return checkpoint(r, args, cwd, chain, ctx)
    if prog == "papermill":
        nbs = [a for a in args if a.endswith(".ipynb")]
        return r.run_file(nbs[0], cwd, chain, ctx) if nbs else []
    if prog == "jupyter" and (args[:1] == ["execute"] or "--execute" in args):
        nbs = [a for a in args if a.endswith(".ipynb")]
        return [s for nb in nbs for s in r.run_file(nb, cwd, chain, ctx)]
    if prog in ("pre-commit", "pre_commit") and args[:1] == ["run"]:
        return precommit(r, args[1:], cwd, chain, ctx)
    if prog == "docker" and "run" in args[:3]:
        r.note(
            ctx.where,
            f"{chain[-1] if chain else 'docker run'}: commands inside a container are not followed",
        )
        return []
    if prog == "pixi" and args[:1] == ["run"]:
        return pixi(r, args[1:], cwd, chain, ctx)
    if prog in ("hatch", "pdm", "poe", "rye", "pixi") and args:
        name = (
            args[1]
            if prog in ("hatch", "pdm", "rye", "pixi") and args[0] == "run" and len(args) > 1
            else args[0]
        )
        return console(r, name.rpartition(":")[2] if prog == "hatch" else name, cwd, chain, ctx)
    name = prog.rpartition(":")[2]
    return console(r, name, cwd, chain, ctx)


def npx(r: Resolver, args: list[str], cwd: str, chain: Chain, ctx: Ctx) -> list[Seed]:
    """`npx [--yes] [-p pkg] tool ...`, `npm exec -- tool ...`: the tool's command."""
    rest = list(args)
    while rest and rest[0].startswith("-"):
        opt = rest.pop(0)
        if opt == "--":
            break
        if opt in ("-c", "--call") and rest:
            return r.script(rest[0], cwd, chain, ctx.deeper())
        if opt in NPX_VALUE_OPTIONS and rest:
            rest.pop(0)
    return r.command(rest, cwd, chain, ctx) if rest else []


def cdk(r: Resolver, args: list[str], cwd: str, chain: Chain, ctx: Ctx) -> list[Seed]:
    """`cdk synth|deploy|diff|ls`: the app command of `--app` or of `cdk.json` (looked up from
    the working folder upwards), e.g. `python3 app.py`."""
    words = [a for a in args if not a.startswith("-")]
    sub = next((w for w in words[:2] if w in CDK_RUNS_APP), None)  # `cdk --profile p synth`
    if sub is None:
        return []
    for i, a in enumerate(args):
        app = args[i + 1] if a in ("-a", "--app") and i + 1 < len(args) else None
        app = a.partition("=")[2] if a.startswith("--app=") else app
        if app is not None:  # a command, or a cloud assembly folder (nothing runs)
            hop = (*chain, f"cdk app `{app}`")
            return r.script(app, cwd, hop, ctx.deeper()) if " " in app.strip() else []
    folder = cwd
    while True:
        config = join(folder, "cdk.json")
        data = r.facts.json(config) if r.facts.repo.exists(config) else None
        if isinstance(data, dict) and isinstance(data.get("app"), str):
            return r.script(data["app"], folder, (*chain, f"{config} app"), ctx.deeper(config))
        if not folder:
            r.note(ctx.where, f"`cdk {sub}` in {cwd or '.'}: no cdk.json with an app there")
            return []
        folder = posixpath.dirname(folder)


def sagemaker_start(r: Resolver, args: list[str], cwd: str, chain: Chain, ctx: Ctx) -> list[Seed]:
    """Starting a SageMaker pipeline runs the scripts of the definition it is tied to: the one
    whose literal `name=` is the started name, else the only candidate definition under the
    working folder (or in the repository); a literal name never ties to another literal."""
    from ml_readiness.automation.sagemaker import sagemaker_pipelines

    name = None
    for i, a in enumerate(args):
        if a in ("--pipeline-name", "--name") and i + 1 < len(args):
            name = args[i + 1]
        elif a.startswith(("--pipeline-name=", "--name=")):
            name = a.partition("=")[2]
    literal = name if name and "$" not in name and "{" not in name else None
    defs = sagemaker_pipelines(r.facts)
    chosen = [d for d in defs if literal and d.literal_name == literal]
    how = f"pipeline `{literal}`"
    if not chosen:  # a literal name can only be a definition whose name is not literal
        pool = [d for d in defs if d.literal_name is None] if literal else defs
        local = [d for d in pool if under(d.path, cwd)] or pool
        if len(local) == 1:
            chosen = local
            how = f"the only SageMaker pipeline defined under {cwd or 'the repository'}"
    if not chosen:
        found = ", ".join(f"{d.path}#{d.name}" for d in defs[:4]) or "none in the repository"
        r.note(
            ctx.where,
            f"{chain[-1] if chain else 'sagemaker'}: SageMaker pipeline `{name or '?'}` is not "
            f"tied to a pipeline definition (definitions: {found}); not followed",
        )
        return []
    seeds: list[Seed] = []
    for d in chosen:
        here = (*chain, f"{d.path}#{d.name} ({how})")
        for script, line, what in d.scripts:
            hop = (*here, f"{what} ({d.path}:{line})")
            seeds += [((script, MODULE), hop), ((script, MAIN), hop)]
    return seeds


def pixi(r: Resolver, args: list[str], cwd: str, chain: Chain, ctx: Ctx) -> list[Seed]:
    """`pixi run [-e env] TASK|COMMAND ...`: a task of pixi.toml (`[tasks]`, features' tasks)
    or pyproject.toml (`[tool.pixi.tasks]`) with its `depends-on`, else the command itself."""
    rest = list(args)
    while rest and rest[0].startswith("-"):
        opt = rest.pop(0)
        if opt in ("-e", "--environment", "--manifest-path") and rest:
            rest.pop(0)
    if not rest:
        return []
    tasks = pixi_tasks(r.facts, cwd)
    if rest[0] not in tasks:
        return r.command(rest, cwd, chain, ctx)
    seeds: list[Seed] = []
    done: set[str] = set()

    def run(name: str) -> None:
        if name in done or name not in tasks or len(done) > 50:
            return
        done.add(name)
        command, depends = tasks[name]
        for dep in depends:
            run(dep)
        if command:
            seeds.extend(r.script(command, cwd, (*chain, f"pixi task {name}"), ctx.deeper()))

    run(rest[0])
    return seeds


def console(r: Resolver, name: str, cwd: str, chain: Chain, ctx: Ctx) -> list[Seed]:
    spec = r.scripts().get(name)
    if spec is None:
        return []
    kind, value = spec
    if kind == "command":
        return r.script(value, cwd, (*chain, f"pyproject.toml script {name}"), ctx.deeper())
    module, _, func = value.partition(":")
    path = r.graph.find_module(module.strip(), None) or r.graph.index.find(module.strip())
    if path is None:
        r.note(ctx.where, f"console script `{name}` names {value}, which is not in the repository")
        return []
    func = func.strip().split()[0] if func.strip() else ""
    seeds: list[Seed] = [((path, MODULE), chain)]
    if func:
        seeds.append(((path, func), chain))
    return seeds


def tox(r: Resolver, args: list[str], cwd: str, chain: Chain, ctx: Ctx) -> list[Seed]:
    envs_wanted: list[str] = []
    config = None
    it = iter(args)
    for a in it:
        if a == "--":
            break
        if a in ("-e", "--envlist"):
            envs_wanted += next(it, "").split(",")
        elif a.startswith("-e") and len(a) > 2:
            envs_wanted += a[2:].lstrip("=").split(",")
        elif a in ("-c", "--conf"):
            config = join(cwd, next(it, ""))
    candidates = (
        [config] if config else [join(cwd, n) for n in ("tox.ini", "tox.toml", "pyproject.toml")]
    )
    path = None
    envs: dict = {}
    envlist: list[str] = []
    for cand in candidates:
        if cand and r.facts.repo.exists(cand):
            envs, envlist = tox_config(r.facts, cand)
            if envs:
                path = cand
                break
    if path is None:
        r.note(ctx.where, f"`tox` in {cwd or '.'}: no tox configuration there")
        return []
    names = (
        [e for e in envs_wanted if e]
        or envlist
        or [n for n in envs if n != "testenv"]
        or ["testenv"]
    )
    if "ALL" in names:
        names = [n for n in envs if n != "testenv"] or ["testenv"]
    seeds: list[Seed] = []
    folder = posixpath.dirname(path)
    for name in dict.fromkeys(names):
        env = envs.get(name) or envs.get("testenv")
        if env is None:
            r.note(ctx.where, f"tox environment `{name}` is not defined in {path}")
            continue
        here = join(folder, env.changedir) if env.changedir else folder
        for _line, cmd in env.commands:
            seeds += r.script(cmd, here, (*chain, f"{path}#{name}"), ctx.deeper(path))
    return seeds


def nox(r: Resolver, args: list[str], cwd: str, chain: Chain, ctx: Ctx) -> list[Seed]:
    wanted: list[str] = []
    file = join(cwd, "noxfile.py")
    collecting = False
    it = iter(args)
    for a in it:
        if a == "--":
            break
        if a in ("-s", "--session", "--sessions", "-e"):
            collecting = True
        elif a in ("-f", "--noxfile"):
            file = join(cwd, next(it, "noxfile.py"))
            collecting = False
        elif a.startswith("-"):
            collecting = False
        elif collecting:
            wanted.append(a)
    if not r.facts.repo.exists(file):
        r.note(ctx.where, f"`nox` in {cwd or '.'}: no noxfile.py there")
        return []
    sessions, defaults = nox_sessions(r.facts, file)
    names = wanted or defaults or list(sessions)
    seeds: list[Seed] = []
    for name in names:
        base = name.split("(")[0]  # `tests(django='4')`, `tests-3.11`, `unit-tests`
        base = base if base in sessions else re.sub(r"-(\d+(\.\d+)*|pypy[\d.]*)$", "", base)
        if base not in sessions:
            r.note(ctx.where, f"nox session `{name}` is not defined in {file}")
            continue
        here = (*chain, f"{file}#{base}")
        seeds.append(((file, MODULE), chain))
        seeds.append(((file, base), chain))
        for _line, words in sessions[base]:
            seeds += r.command(
                words, posixpath.dirname(file), (*here, f"`{shlex.join(words)}`"), ctx.deeper(file)
            )
    return seeds


def dvc(r: Resolver, args: list[str], cwd: str, chain: Chain, ctx: Ctx) -> list[Seed]:
    single = any(a in ("-s", "--single-item") for a in args)
    targets, skip = [], False
    for a in args:
        if skip:
            skip = False
        elif a in ("-S", "--set-param", "-n", "--name", "--queue", "-j", "--jobs"):
            skip = True
        elif not a.startswith("-"):
            targets.append(a)
    dvcfile = join(cwd, "dvc.yaml")
    wanted: list[str] = []
    for t in targets:
        file, _, stage = t.rpartition(":") if ":" in t else ("", "", t)
        if t.endswith(("dvc.yaml", "dvc.yml")):
            file, stage = t, ""
        if file:
            dvcfile = join(cwd, file)
        if stage:
            wanted.append(stage)
    if not r.facts.repo.exists(dvcfile):
        r.note(ctx.where, f"`dvc repro` in {cwd or '.'}: no dvc.yaml there")
        return []
    stages = dvc_stages(r.facts, dvcfile)
    order = list(stages) if not wanted else []
    pending = list(wanted)
    while pending and len(order) < 500:
        name = pending.pop()
        if name in order:
            continue
        if name not in stages:
            r.note(ctx.where, f"DVC stage `{name}` is not defined in {dvcfile}")
            continue
        order.insert(0, name)
        if not single:  # upstream stages whose outputs this stage depends on
            deps = set(stages[name].deps)
            pending += [s.name for s in stages.values() if deps & set(s.outs)]
    seeds: list[Seed] = [((dvcfile, FILE), chain)]
    for name in order:
        stage = stages[name]
        for _line, cmd in stage.commands:
            seeds += r.script(cmd, stage.wdir, (*chain, f"{dvcfile}#{name}"), ctx.deeper(dvcfile))
    return seeds


def checkpoint(r: Resolver, args: list[str], cwd: str, chain: Chain, ctx: Ctx) -> list[Seed]:
    rest = args[args.index("checkpoint") + 1 :]
    names = [a for a in rest[1:] if not a.startswith("-")] if rest[:1] == ["run"] else []
    if not names:
        return []
    name = names[0]
    found = [
        f
        for f in r.facts.repo.files
        if "/checkpoints/" in f"/{f}" and posixpath.basename(f).rsplit(".", 1)[0] == name
    ]
    if not found:
        r.note(ctx.where, f"Great Expectations checkpoint `{name}` has no file in the repository")
        return []
    return [((f, FILE), chain) for f in found]


PRECOMMIT_VALUE_OPTIONS = frozenset(
    {"--from-ref", "--source", "-s", "--to-ref", "--origin", "-o", "--hook-stage", "--color",
     "--commit-msg-filename", "--remote-branch", "--local-branch", "--remote-name", "--remote-url"}
)  # fmt: skip


def precommit(r: Resolver, args: list[str], cwd: str, chain: Chain, ctx: Ctx) -> list[Seed]:
    """`pre-commit run [hook] [opts]`: the whole config (recorded as executed) or one hook;
    `repo: local` hooks' entries are followed."""
    config, only, files = ".pre-commit-config.yaml", [], False
    it = iter(args)
    for a in it:
        if a in ("-c", "--config"):
            config, files = next(it, config), False
        elif a == "--files":
            files = True
        elif a in PRECOMMIT_VALUE_OPTIONS:
            next(it, None)
            files = False
        elif a.startswith("-"):
            files = False
        elif not files:
            only.append(a)
    path = join(cwd, config)
    if not r.facts.repo.exists(path):
        return []
    # the whole configuration runs only when no single hook is named
    seeds: list[Seed] = [] if only else [((path, FILE), chain)]
    for hook_id, _line, command in precommit_local_hooks(r.facts, path):
        if only and hook_id not in only:
            continue
        seeds += r.script(command, cwd, (*chain, f"{path}#{hook_id}"), ctx.deeper(path))
    return seeds
