"""Run one monitoring check with a hand-built AutomationMap (independent of CI parsing)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ml_readiness.automation import AutomationMap, Root
from ml_readiness.evidence import Evidence, Execution, Finding, Hint
from ml_readiness.facts import Facts
from ml_readiness.registry import load_checks
from ml_readiness.repo import Repo
from ml_readiness.scoring import grade_evidence
from tests.helpers import AS_OF, make_repo


def automation(*runs: tuple[str, str | None, str]) -> AutomationMap:
    """A map where each (path, symbol, trigger) is executed by a root named after the trigger."""
    amap = AutomationMap()
    for path, symbol, trigger in runs:
        root = f".github/workflows/{trigger}.yml#job"
        if not any(r.id == root for r in amap.roots):
            amap.roots.append(
                Root(root, "github-actions", trigger, f".github/workflows/{trigger}.yml", 1)
            )
        amap.record(path, symbol, Execution(root, trigger, (root, path)))
    return amap


def run(
    tmp_path: Path,
    files: dict[str, str],
    check_id: str,
    amap: AutomationMap | None = None,
    config: object = None,
    as_of: dt.date = AS_OF,
) -> list[Evidence | Finding | Hint]:
    facts = Facts(Repo.open(make_repo(tmp_path, files)), config)
    facts.as_of = as_of
    facts.automation = amap or AutomationMap()
    spec = next(c for c in load_checks() if c.id == check_id)
    out = list(spec.run(facts))
    return out


def evidence(produced: list) -> list[tuple[str, str, str, str]]:
    """(location, kind, credit, detail) of the Evidence, in order."""
    return [(e.location(), e.kind, e.credit, e.detail) for e in produced if isinstance(e, Evidence)]


def hints(produced: list) -> list[str]:
    return [h.detail for h in produced if isinstance(h, Hint)]


def findings(produced: list) -> list[tuple[str, str | None, str]]:
    return [(f.location(), f.cap, f.detail) for f in produced if isinstance(f, Finding)]


def level(produced: list, amap: AutomationMap | None = None) -> str:
    """The level the Evidence earns (findings' caps applied), as scoring would decide it."""
    amap = amap or AutomationMap()
    order = ["none", "manual", "automated"]
    best = "none"
    for e in produced:
        if isinstance(e, Evidence):
            got = grade_evidence(e, amap)[0].level
            best = got if order.index(got) > order.index(best) else best
    for f in produced:
        if isinstance(f, Finding) and f.cap and order.index(f.cap) < order.index(best):
            best = f.cap
    return best
