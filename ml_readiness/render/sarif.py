"""The SARIF 2.1.0 report, for code-scanning UIs (GitHub code scanning, Azure DevOps, IDEs).

One rule per rubric item (`tool.driver.rules`) and one result per item below 1: `error` when the
item scores 0 or falls short of a required level, `warning` when it is manual. Every result has
a physical location, because code-scanning uploads reject results without one: the item's first
piece of evidence, else its first finding with a path, else a fallback file (the mlready config
when the result shows one was used, else `README.md`), at line 1 when no line is known.
Deterministic: sorted keys, no timestamps, no GUIDs.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import quote

from ml_readiness.render.text import (
    LEVEL_RANK,
    below,
    item_change,
    level_text,
    number,
    repo_path,
    sentence,
    signed,
    strip_control,
)
from ml_readiness.result import AuditResult, ItemResult

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
TEXT_CHARS = 2000
_CONFIG_SOURCE = re.compile(r"^gate settings from (.+)$")


def render_sarif(result: AuditResult, **_options: object) -> str:
    """The result as a SARIF 2.1.0 log with one run."""
    rules = [_rule(item) for item in result.items]
    index = {item.id: n for n, item in enumerate(result.items)}
    fallback = fallback_artifact(result)
    has_baseline = isinstance(result.extras, dict) and "baseline" in result.extras
    results = [
        _result(item, index[item.id], fallback, has_baseline, result.repo_prefix)
        for item in result.items
        if item.level in ("none", "manual")
    ]
    rubric_id = _clean(result.rubric.get("id", "rubric"), 100)
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "mlready",
                "fullName": _clean(f"ml-readiness {result.tool.get('version', '')}", 200),
                "version": _clean(result.tool.get("version", ""), 100),
                "rules": rules,
                "properties": {
                    "rubric": {k: _clean(result.rubric.get(k, ""), 200) for k in ("id", "title")}
                    | {"version": _clean(result.rubric.get("version", ""), 100)},
                },
            }
        },
        "automationDetails": {"id": f"mlready/{rubric_id}/"},
        "columnKind": "unicodeCodePoints",
        "results": results,
        "properties": _run_properties(result),
    }
    provenance = _provenance(result)
    if provenance:
        run["versionControlProvenance"] = [provenance]
    log = {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def fallback_artifact(result: AuditResult) -> str:
    """Where a gap without any file of its own is reported: the config file, else README.md."""
    for relied in result.gate.relied_on:
        match = _CONFIG_SOURCE.match(relied)
        if match and _safe_path(match.group(1).strip()):
            return match.group(1).strip()
    if result.attestations or result.overrides or result.not_applicable:
        return "mlready.yaml"
    return "README.md"


def _clean(text: object, limit: int = TEXT_CHARS) -> str:
    s = strip_control(text)
    return s if len(s) <= limit else s[: limit - 1] + "…"


def _safe_path(path: object) -> bool:
    return repo_path("", path) is not None


def _rule(item: ItemResult) -> dict[str, Any]:
    title = _clean(item.title, 300)
    section = _clean(item.section, 100)
    rule: dict[str, Any] = {
        "id": item.id,
        "name": _clean(item.id, 100),
        "shortDescription": {"text": title},
        "fullDescription": {"text": _clean(f"{item.id}: {item.title}")},
        "defaultConfiguration": {"level": "error" if item.required else "warning"},
        "properties": {"section": section, "tags": sorted({"mlready", section})},
    }
    if item.next_step:
        rule["help"] = {"text": _clean(item.next_step)}
    if item.required:
        rule["properties"]["required"] = item.required
    return rule


def _location(item: ItemResult, fallback: str, prefix: str) -> tuple[str, int, bool]:
    """(path, line, own): the item's first located evidence or finding, else the fallback, as
    a path from the repository's top (code scanning resolves URIs from there)."""
    for entry in (*item.evidence, *item.findings):
        path = repo_path(prefix, entry.path)
        if path is not None:
            line = entry.line if isinstance(entry.line, int) and entry.line > 0 else 1
            return path, line, True
    return repo_path(prefix, fallback) or fallback, 1, False


def _result(
    item: ItemResult, rule_index: int, fallback: str, baseline: bool, prefix: str = ""
) -> dict[str, Any]:
    failing_required = below(item.level, item.required)
    level = "error" if item.level == "none" or failing_required else "warning"
    path, line, own = _location(item, fallback, prefix)
    text = f"{item.id} {item.title}: {level_text(item.level)}. {sentence(item.reason)}"
    if failing_required:
        text += f" Required: {item.required}."
    if item.next_step:
        text += f" Next step: {sentence(item.next_step)}"
    if item.delta:
        text += f" ({item_change(item.delta)} since the baseline)"
    properties: dict[str, Any] = {
        "section": _clean(item.section, 100),
        "level": item.level,
        "score": item.score,
        "evidence": len(item.evidence),
        "findings": len(item.findings),
        "locationIsFallback": not own,
    }
    if item.required:
        properties["required"] = item.required
    if item.delta:
        properties["delta"] = {"from": item.delta.get("from"), "to": item.delta.get("to")}
    out: dict[str, Any] = {
        "ruleId": item.id,
        "ruleIndex": rule_index,
        "level": level,
        "kind": "fail",
        "message": {"text": _clean(text)},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": quote(path, safe="/"), "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": line},
                }
            }
        ],
        "partialFingerprints": {"mlreadyItem/v1": item.id},
        "properties": properties,
    }
    if baseline:
        out["baselineState"] = _baseline_state(item)
    return out


def _baseline_state(item: ItemResult) -> str:
    """SARIF's view of the item against the baseline: new gap, unchanged, or a changed gap."""
    if not item.delta:
        return "unchanged"
    old = item.delta.get("from")
    if old == "automated" or old not in LEVEL_RANK:
        return "new"  # it was no gap before
    return "updated"


def _run_properties(result: AuditResult) -> dict[str, Any]:
    overall = result.overall
    props: dict[str, Any] = {
        "overall": {
            "score": overall.score,
            "band": _clean(overall.band, 200),
            "weakest": [_clean(w, 100) for w in overall.weakest],
        },
        "sections": [
            {
                "id": _clean(s.id, 100),
                "score": s.score,
                "size": s.size,
                **({"delta": s.delta} if s.delta is not None else {}),
            }
            for s in result.sections
        ],
        "gate": {
            "configured": result.gate.configured,
            "passed": result.gate.passed,
            "reasons": [_clean(r, 500) for r in result.gate.reasons],
        },
        "asOf": _clean(result.as_of, 40),
        "strict": result.strict,
        "summary": _clean(
            f"overall {number(overall.score)} ({overall.band})"
            + (f", {signed(overall.delta)} since the baseline" if overall.delta is not None else "")
        ),
    }
    if overall.delta is not None:
        props["overall"]["delta"] = overall.delta
    baseline = result.extras.get("baseline") if isinstance(result.extras, dict) else None
    if isinstance(baseline, dict):
        props["baseline"] = {
            "asOf": _clean(baseline.get("as_of") or "", 40),
            "commit": _clean(baseline.get("commit") or "", 64) or None,
            "overall": baseline.get("overall"),
        }
    return props


def _provenance(result: AuditResult) -> dict[str, str] | None:
    url, commit = result.repo_url, result.commit
    if not isinstance(url, str) or not re.match(r"^https?://[^\s\"<>]+$", url):
        return None
    if not isinstance(commit, str) or not re.match(r"^[0-9a-fA-F]{7,64}$", commit):
        return None
    return {"repositoryUri": url, "revisionId": commit}


__all__ = ["render_sarif", "fallback_artifact", "SARIF_SCHEMA"]
