"""monitor-1: dependency changes result in notification (Dependabot / Renovate)."""

from __future__ import annotations

from collections.abc import Iterator

from ml_readiness.evidence import Evidence, Finding, Hint
from ml_readiness.facts import Facts
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
        if eco and not path.startswith("../"):
            needed.setdefault(eco, path)
    if facts.repo.glob(".github/workflows/*.yml", ".github/workflows/*.yaml"):
        needed.setdefault("github-actions", ".github/workflows")
    return needed


@check("monitor-1")
def dependency_update_bot(facts: Facts) -> Iterator[Evidence | Finding | Hint]:
    """Dependabot or Renovate configured where the platform reads it.

    Dependabot counts only at `.github/dependabot.yml`, Renovate at its documented config
    locations; the platform then opens pull requests on dependency changes without a person.
    Coverage is compared with the dependency files present: a Dependabot config that misses
    an ecosystem in use is reported as partial.
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
        covered = {str(u.get("package-ecosystem")) for u in updates if isinstance(u, dict)}
        if "pip" in covered:
            covered.add("uv")
        missing = sorted(e for e in needed if e not in covered)
        found = True
        detail = f"Dependabot watches {', '.join(sorted(covered))}"
        if missing:
            detail += (
                f"; partial: not {', '.join(missing)} ({', '.join(needed[m] for m in missing)})"
            )
        line = getattr(updates, "line", None)
        if missing and not covered & set(needed):
            yield Finding("monitor-1", detail, path, line)
            continue
        yield Evidence("monitor-1", detail, path, line, kind="config", enforced=True)
    for path in facts.repo.files:
        if facts.repo.logical(path) in RENOVATE:
            found = True
            yield Evidence("monitor-1", "Renovate config", path, 1, kind="config", enforced=True)
    if not found:
        yield Hint("monitor-1", "no .github/dependabot.yml or Renovate config")
