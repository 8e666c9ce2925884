"""Jobs submitted to a compute platform from a command: the command runs the job's entrypoint
there, so what the entrypoint runs is executed under the submitting root's trigger.

- `anyscale job submit FILE.yaml` / `anyscale jobs submit -f FILE.yaml` (also `--config-file`):
  the job YAML's `entrypoint:` command (`bash deploy/jobs/workloads.sh`), run from the
  submitting folder (the job's `working_dir: .` uploads it).
- `anyscale service rollout|deploy -f FILE.yaml` (also `--service-config-file`,
  `--config-file`): the Ray Serve application `ray_serve_config.import_path` (or a top-level
  `import_path`) names, `deploy.services.serve_model:entrypoint` → that module's code.
- `ray job submit [options] -- CMD`: `CMD`.
- `az ml job create|submit --file F`: an Azure ML command job's `command`, run from its `code:`
  folder (relative to F); each step of a pipeline job, inline or a `component:` file (whose
  paths are relative to that file); a sweep job's `trial`. `${{inputs.x}}` placeholders are
  kept as plain words; a component registered in the workspace (`azureml:name@1`) is a note.
"""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING, Any

from ml_readiness.automation.paths import join

if TYPE_CHECKING:
    from ml_readiness.automation.resolve import Ctx, Resolver, Seed

Chain = tuple[str, ...]
CONFIG_OPTIONS = ("-f", "--config-file", "--service-config-file", "--job-config-file")


def anyscale(r: Resolver, args: list[str], cwd: str, chain: Chain, ctx: Ctx) -> list[Seed]:
    """`anyscale job(s) submit FILE` and `anyscale service rollout|deploy -f FILE`."""
    words = [a for a in args if not a.startswith("-")]
    kind = words[0] if words else ""
    action = words[1] if len(words) > 1 else ""
    if kind in ("job", "jobs") and action == "submit":
        config = _config_file(args)
        doc = _yaml(r, cwd, config)
        if doc is None:
            r.note(ctx.where, f"`anyscale {kind} submit`: job config {config or '?'} not found")
            return []
        entry = doc.get("entrypoint")
        if not isinstance(entry, str) or not entry.strip():
            r.note(ctx.where, f"{join(cwd, config or '')}: no entrypoint; nothing is run")
            return []
        hop = (*chain, f"anyscale job `{entry.strip()}` ({join(cwd, config or '')})")
        return r.script(entry, cwd, hop, ctx.deeper(join(cwd, config or "")))
    if kind == "service" and action in ("rollout", "deploy"):
        config = _config_file(args)
        doc = _yaml(r, cwd, config)
        serve = doc.get("ray_serve_config") if doc is not None else None
        path = (serve or {}).get("import_path") if isinstance(serve, dict) else None
        path = path or (doc.get("import_path") if doc is not None else None)
        if not isinstance(path, str) or ":" not in path:
            r.note(ctx.where, f"`anyscale service {action}`: no Ray Serve import_path read")
            return []
        module = path.partition(":")[0].replace(".", "/")
        for candidate in (f"{module}.py", f"{module}/__init__.py"):
            if r.facts.repo.exists(join(cwd, candidate)):
                hop = (*chain, f"anyscale service `{path}`")
                return r.run_file(candidate, cwd, hop, ctx.deeper())
        r.note(ctx.where, f"`anyscale service {action}`: module of `{path}` not in the repository")
        return []
    return []


def ray_job(r: Resolver, args: list[str], cwd: str, chain: Chain, ctx: Ctx) -> list[Seed]:
    """`ray job submit [options] -- CMD`: the entrypoint command `CMD`."""
    if args[:2] != ["job", "submit"] or "--" not in args:
        return []
    rest = args[args.index("--") + 1 :]
    return r.command(rest, cwd, (*chain, "ray job"), ctx.deeper()) if rest else []


def _config_file(args: list[str]) -> str | None:
    for i, a in enumerate(args):
        if a in CONFIG_OPTIONS and i + 1 < len(args):
            return args[i + 1]
        if a.startswith(tuple(f"{o}=" for o in CONFIG_OPTIONS if o.startswith("--"))):
            return a.partition("=")[2]
    return next((a for a in args if a.endswith((".yaml", ".yml"))), None)


def _yaml(r: Resolver, cwd: str, config: str | None) -> dict[str, Any] | None:
    if not config or "$" in config:
        return None
    path = join(cwd, config)
    if not r.facts.repo.exists(path):
        return None
    doc = r.facts.yaml_doc(path)
    return doc if isinstance(doc, dict) else None


# -- Azure ML --------------------------------------------------------------------------------
_AZ_PLACEHOLDER = re.compile(r"\$\{\{\s*[^}]*\}\}")


def azure_ml_job(r: Resolver, args: list[str], cwd: str, chain: Chain, ctx: Ctx) -> list[Seed]:
    """`az ml job create|submit --file F`: the command job's `command` (run from its `code:`
    folder), each step of a pipeline job (inline, or a `component:` file), a sweep's trial."""
    if args[:2] != ["ml", "job"] or len(args) < 3 or args[2] not in ("create", "submit"):
        return []
    config = None
    for i, a in enumerate(args):
        if a in ("--file", "-f") and i + 1 < len(args):
            config = args[i + 1]
    doc = _yaml(r, cwd, config)
    if doc is None:
        r.note(ctx.where, f"`az ml job {args[2]}`: job file {config or '?'} not found")
        return []
    path = join(cwd, config or "")
    hop = (*chain, f"Azure ML job {path}")
    return _azure_job(r, doc, posixpath.dirname(path), hop, ctx.deeper(path), depth=0)


def _azure_job(
    r: Resolver, job: dict[str, Any], folder: str, chain: Chain, ctx: Ctx, depth: int
) -> list[Seed]:
    if depth > 3:
        return []
    kind = job.get("type")
    seeds: list[Seed] = []
    if kind == "pipeline" and isinstance(job.get("jobs"), dict):
        for name, step in job["jobs"].items():
            if isinstance(step, dict):
                sub, sub_folder = _component(r, step, folder, ctx)
                seeds += _azure_job(r, sub, sub_folder, (*chain, f"step {name}"), ctx, depth + 1)
        return seeds
    if kind == "sweep" and isinstance(job.get("trial"), dict | str):
        trial = job["trial"] if isinstance(job["trial"], dict) else {"component": job["trial"]}
        sub, sub_folder = _component(r, trial, folder, ctx)
        return _azure_job(r, sub, sub_folder, chain, ctx, depth + 1)
    command = job.get("command")
    if not isinstance(command, str) or not command.strip():
        return []
    code = job.get("code")
    usable = isinstance(code, str) and not code.startswith("azureml:")
    where = join(folder, code) if usable else folder
    text = _AZ_PLACEHOLDER.sub("ARG", " ".join(command.split()))
    return r.script(text, where, (*chain, f"`{text[:80]}`"), ctx)


def _component(
    r: Resolver, step: dict[str, Any], folder: str, ctx: Ctx
) -> tuple[dict[str, Any], str]:
    """A pipeline step's job and the folder its paths are relative to: the step itself
    (inline), or the component file it names (relative to that file's own folder)."""
    ref = step.get("component")
    if not isinstance(ref, str):
        return step, folder
    if ref.startswith("azureml:"):
        r.note(ctx.where, f"Azure ML component `{ref}` is registered outside the repository")
        return {}, folder
    path = join(folder, ref.removeprefix("file:"))
    doc = r.facts.yaml_doc(path) if r.facts.repo.exists(path) else None
    if not isinstance(doc, dict):
        r.note(ctx.where, f"Azure ML component {path} not found")
        return {}, folder
    return doc, posixpath.dirname(path)
