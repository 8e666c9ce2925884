"""infra-6: a reverse proxy that splits live traffic between two model versions.

nginx `split_clients` (or an `upstream` with `weight=` servers) sends a share of requests to
each upstream. It is a canary only when the upstreams are two model-serving services that serve
different models, which the docker-compose file mounting the config shows (a different
`MODEL_PATH`/`MODEL_URI`/`MODEL_VERSION`, or another tag of the same image). A weighted
upstream of replicas of one service is load balancing, not a canary.

The compose file that mounts the config is how the split is deployed: nginx enforces it on
every request, like a mesh's weighted route (automated). A dev/test/local compose file only
shows how a person could run it (manual).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from ml_readiness.checks.infra._shared import manifest_candidate

from ml_readiness.evidence import Evidence, Hint
from ml_readiness.facts import Facts
from ml_readiness.registry import check

_SPLIT = re.compile(r"split_clients\s+(\"[^\"]*\"|'[^']*'|\S+)\s+\$\w+\s*\{([^}]*)\}")
_SHARE = re.compile(r"(?m)^\s*(\d+(?:\.\d+)?%|\*)\s+(\"[^\"]*\"|'[^']*'|[^\s;]+)\s*;")
_UPSTREAM = re.compile(r"upstream\s+([\w.-]+)\s*\{([^}]*)\}")
_SERVER = re.compile(r"(?m)^\s*server\s+([\w.-]+)(?::\d+)?([^;]*);")
_WEIGHT = re.compile(r"weight=(\d+)")
_COMPOSE = re.compile(r"(^|/)(docker-)?compose[\w.-]*\.ya?ml$")
_NOT_DEPLOYED = re.compile(r"(?i)[._-](dev|devel|test|tests|local|ci|debug|override)[._-]")
_MODEL_ENV = re.compile(r"(?i)model")


@check("infra-6")
def proxy_traffic_split(facts: Facts) -> Iterator[Evidence | Hint]:
    """nginx traffic splits between two model versions, mounted by a docker-compose service.

    `split_clients` with two partial shares, or an `upstream` whose servers carry different
    `weight=`; each target must resolve (through `upstream` blocks) to a compose service, and
    the two services must serve different models (a `MODEL*` environment value or the image
    tag differs). Automated when the compose file is the deployment; manual for a
    dev/test/local compose file; nothing when no compose file mounts the config.
    """
    for path in facts.repo.with_suffix(".conf", ".conf.template", ".nginx"):
        if not manifest_candidate(path) or not facts.mentions(path, "split_clients", "weight="):
            continue
        text = _without_comments(facts.text(path) or "")
        for line, shares in _splits(text):
            yield from _judge(facts, path, line, shares)


def _without_comments(text: str) -> str:
    return re.sub(r"(?m)#.*$", "", text)


def _splits(text: str) -> list[tuple[int, dict[str, list[str]]]]:
    """(line, {label: hosts}) for each split: split_clients targets resolved through the
    upstream blocks, and weighted upstreams (label = host with its weight)."""
    upstreams = {m.group(1): _SERVER.findall(m.group(2)) for m in _UPSTREAM.finditer(text)}
    out = []
    for m in _SPLIT.finditer(text):
        shares = {}
        for share, target in _SHARE.findall(m.group(2)):
            name = target.strip("\"'")
            if not name:
                continue
            name = name.split("://", 1)[-1]
            hosts = [h for h, _ in upstreams.get(name, [])] or [name.split(":", 1)[0]]
            shares[f"{name} {share if share != '*' else 'rest'}"] = hosts
        if len(shares) >= 2:
            out.append((text.count("\n", 0, m.start()) + 1, shares))
    for m in _UPSTREAM.finditer(text):
        servers = [(h, _WEIGHT.search(rest)) for h, rest in _SERVER.findall(m.group(2))]
        weights = {h: int(w.group(1)) if w else 1 for h, w in servers}
        if len(weights) >= 2 and any(w for _, w in servers) and len(set(weights.values())) > 1:
            total = sum(weights.values())
            shares = {f"{h} {100 * w / total:g}%": [h] for h, w in weights.items()}
            out.append((text.count("\n", 0, m.start()) + 1, shares))
    return out


def _judge(
    facts: Facts, path: str, line: int, shares: dict[str, list[str]]
) -> Iterator[Evidence | Hint]:
    where, split = f"{path}:{line}", ", ".join(shares)
    mounts = list(_mounting_services(facts, path))
    if not mounts:
        yield Hint(
            "infra-6",
            f"{where} nginx splits traffic ({split}) but no docker-compose service mounts this "
            "config; not credited",
        )
        return
    for compose, services in mounts:
        picked = [_service(services, hosts) for hosts in shares.values()]
        found = [(name, svc) for name, svc in picked if svc is not None]
        differs = _model_difference(found) if len(found) >= 2 else None
        if differs is None:
            yield Hint(
                "infra-6",
                f"{where} nginx splits traffic ({split}), but {compose} does not show the "
                "upstreams serving different models; load balancing is not a canary; not "
                "credited",
            )
            continue
        names = " and ".join(name for name, _ in found[:2])
        detail = (
            f"nginx splits live traffic ({split}) between {names}, which serve different models "
            f"({differs}); mounted by {compose}"
        )
        deployed = not _NOT_DEPLOYED.search(posixpath.basename(compose))
        credit = "automated" if deployed else "manual"
        yield Evidence("infra-6", detail, path, line, "config", credit, enforced=deployed)
        return


def _mounting_services(facts: Facts, conf: str) -> Iterator[tuple[str, dict]]:
    """(compose file, its services) for every compose file with a service mounting `conf`
    (the file itself or a folder holding it)."""
    for compose in facts.repo.with_suffix(".yml", ".yaml"):
        if not _COMPOSE.search(compose) or not manifest_candidate(compose):
            continue
        doc = facts.yaml_doc(compose)
        services = doc.get("services") if isinstance(doc, dict) else None
        if not isinstance(services, dict):
            continue
        base = posixpath.dirname(compose)
        for svc in services.values():
            volumes = svc.get("volumes") if isinstance(svc, dict) else None
            for vol in volumes if isinstance(volumes, list) else ():
                source = vol.get("source") if isinstance(vol, dict) else str(vol).split(":")[0]
                if not isinstance(source, str) or not source.startswith("."):
                    continue
                mounted = posixpath.normpath(posixpath.join(base, source))
                if conf == mounted or conf.startswith(mounted.rstrip("/") + "/"):
                    yield compose, services
                    break
            else:
                continue
            break


def _service(services: dict, hosts: list[str]) -> tuple[str, dict | None]:
    """The compose service an upstream host names (service key, container_name, hostname)."""
    for host in hosts:
        for key, svc in services.items():
            if not isinstance(svc, dict):
                continue
            if host in (key, svc.get("container_name"), svc.get("hostname")):
                return str(key), svc
    return (hosts[0] if hosts else "?"), None


def _model_difference(found: list[tuple[str, dict]]) -> str | None:
    """How the first two services differ in the model they serve, or None."""
    (_, a), (_, b) = found[0], found[1]
    env_a, env_b = _env(a), _env(b)
    for key in sorted(set(env_a) & set(env_b)):
        if _MODEL_ENV.search(key) and env_a[key] != env_b[key]:
            return f"{key} differs"
    img_a, img_b = str(a.get("image") or ""), str(b.get("image") or "")
    if ":" in img_a and ":" in img_b:
        (repo_a, tag_a), (repo_b, tag_b) = img_a.rsplit(":", 1), img_b.rsplit(":", 1)
        if repo_a == repo_b and tag_a != tag_b:
            return f"image tags {tag_a} and {tag_b}"
    return None


def _env(svc: dict) -> dict[str, str]:
    env = svc.get("environment")
    if isinstance(env, dict):
        return {str(k): str(v) for k, v in env.items()}
    if isinstance(env, list):
        return dict(str(e).split("=", 1) for e in env if "=" in str(e))
    return {}
