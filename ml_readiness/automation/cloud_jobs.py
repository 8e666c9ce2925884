"""Jobs submitted to a compute platform from a command: the command runs the job's entrypoint
there, so what the entrypoint runs is executed under the submitting root's trigger.

- `anyscale job submit FILE.yaml` / `anyscale jobs submit -f FILE.yaml` (also `--config-file`):
  the job YAML's `entrypoint:` command (`bash deploy/jobs/workloads.sh`), run from the
  submitting folder (the job's `working_dir: .` uploads it).
- `anyscale service rollout|deploy -f FILE.yaml` (also `--service-config-file`,
  `--config-file`): the Ray Serve application `ray_serve_config.import_path` (or a top-level
  `import_path`) names, `deploy.services.serve_model:entrypoint` → that module's code.
- `ray job submit [options] -- CMD`: `CMD`.
"""

from __future__ import annotations

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
