"""monitor-1: dependency changes result in notification (Dependabot / Renovate)."""

from __future__ import annotations

import re
from collections.abc import Generator, Iterator

from ml_readiness.evidence import Evidence, Finding, Hint
from ml_readiness.facts import Facts
from ml_readiness.facts.python import MAIN
from ml_readiness.registry import check

DEPENDABOT = (".github/dependabot.yml", ".github/dependabot.yaml")
RENOVATE = (
    "renovate.json",
    "renovate.json5",
    ".renovaterc",
    ".renovaterc.json",
    ".github/renovate.json",
    ".github/renovate.json5",
    ".gitlab/renovate.json",
)
PYTHON_ECOSYSTEMS = ("pip", "uv", "conda")
# dependency files and the Dependabot ecosystem that covers them
ECOSYSTEMS = {
    "requirements.txt": "pip",
    "requirements.in": "pip",
    "setup.py": "pip",
    "setup.cfg": "pip",
    "pyproject.toml": "pip",
    "Pipfile": "pip",
    "poetry.lock": "pip",
    "uv.lock": "uv",
    "environment.yml": "conda",
    "Dockerfile": "docker",
    "package.json": "npm",
    "go.mod": "gomod",
    "Cargo.toml": "cargo",
}


def _ecosystems_needed(facts: Facts) -> dict[str, str]:
    needed: dict[str, str] = {}
    for path in facts.repo.files:
        base = path.rsplit("/", 1)[-1]
        eco = ECOSYSTEMS.get(base)
        if eco is None and base.startswith("requirements") and base.endswith(".txt"):
            eco = "pip"
        if base == "pyproject.toml" and _uv_project(facts, path):
            eco = "uv"  # Dependabot's uv ecosystem updates pyproject.toml and uv.lock
        if eco and not path.startswith("../"):
            needed.setdefault(eco, path)
    if facts.repo.glob(".github/workflows/*.yml", ".github/workflows/*.yaml"):
        needed.setdefault("github-actions", ".github/workflows")
    return needed


def _uv_project(facts: Facts, pyproject: str) -> bool:
    """A uv-managed project: a uv.lock beside the pyproject.toml, or a `[tool.uv]` table."""
    folder = pyproject.rsplit("/", 1)[0] + "/" if "/" in pyproject else ""
    if facts.repo.exists(f"{folder}uv.lock"):
        return True
    doc = facts.toml(pyproject) if facts.mentions(pyproject, "tool.uv") else None
    tool = doc.get("tool") if isinstance(doc, dict) else None
    return isinstance(tool, dict) and "uv" in tool


@check("monitor-1")
def dependency_update_bot(facts: Facts) -> Iterator[Evidence | Finding | Hint]:
    """Dependabot or Renovate configured where the platform reads it.

    Dependabot counts only at `.github/dependabot.yml`, Renovate at its documented config
    locations; the platform then opens pull requests on dependency changes without a person.
    Coverage is compared with the dependency files present: a Dependabot config that misses
    an ecosystem in use is reported as partial, and one that misses the Python dependencies
    earns manual credit only. Scripts that check upstream data sources or schemas for changes
    (`check_upstream_schema.py`, `schema_drift_monitor.py`) count when a schedule runs them.
    """
    needed = _ecosystems_needed(facts)
    found = False
    for path in facts.repo.files:
        logical = facts.repo.logical(path)
        if logical not in DEPENDABOT:
            continue
        doc = facts.yaml_doc(path)
        updates = doc.get("updates") if isinstance(doc, dict) else None
        if not isinstance(updates, list) or not updates:
            yield Finding("monitor-1", "dependabot config has no `updates` entries", path, 1)
            continue
        watched = {str(u.get("package-ecosystem")) for u in updates if isinstance(u, dict)}
        # Dependabot's pip ecosystem also updates uv projects: count it, without claiming uv
        covered = watched | ({"uv"} if "pip" in watched else set())
        missing = sorted(e for e in needed if e not in covered)
        found = True
        detail = f"Dependabot watches {', '.join(sorted(watched))}"
        if missing:
            detail += (
                f"; partial: not {', '.join(missing)} ({', '.join(needed[m] for m in missing)})"
            )
        line = getattr(updates, "line", None)
        if missing and not covered & set(needed):
            yield Finding("monitor-1", detail, path, line)
            continue
        python_missing = [m for m in missing if m in PYTHON_ECOSYSTEMS]
        if python_missing:
            files = ", ".join(needed[m] for m in python_missing)
            yield Hint(
                "monitor-1",
                f"{path} does not watch the Python dependencies ({files}): library changes "
                "the model depends on go unnoticed; credited as manual only",
            )
        enforced = not python_missing
        credit = "automated" if enforced else "manual"
        yield Evidence(
            "monitor-1", detail, path, line, kind="config", enforced=enforced, credit=credit
        )
    for path in facts.repo.files:
        if facts.repo.logical(path) in RENOVATE:
            found = True
            yield Evidence("monitor-1", "Renovate config", path, 1, kind="config", enforced=True)
    upstream = yield from _upstream_data_checks(facts)
    found = found or upstream
    if not found:
        yield Hint("monitor-1", "no .github/dependabot.yml or Renovate config")


UPSTREAM_SCRIPT = re.compile(
    r"(schema|upstream|source)\w*_(check|diff|drift|monitor|watch|change)"
    r"|(check|diff|watch|monitor|detect)\w*_(schema|upstream|source)",
    re.I,
)


def _upstream_named(path: str) -> bool:
    return bool(UPSTREAM_SCRIPT.search(path.rsplit("/", 1)[-1][:-3]))


def _upstream_data_checks(facts: Facts) -> Generator[Evidence, None, bool]:
    """Scripts that check upstream data sources or schemas for changes (automated when a
    schedule runs them). Returns whether any was found."""
    found = False
    for path, pf in facts.python_files(tests=False, select=_upstream_named):
        base = path.rsplit("/", 1)[-1][:-3]
        if not UPSTREAM_SCRIPT.search(base) or not pf.has_main:
            continue
        line = min((c.line for c in pf.calls if c.scope == MAIN), default=1)
        found = True
        yield Evidence(
            "monitor-1",
            f"upstream data/schema change check {path} (a scheduled run notifies on change)",
            path,
            line,
            kind="code",
            symbol=MAIN,
        )
    return found
