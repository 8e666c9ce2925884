"""The HTML report: one self-contained page (inline CSS and SVG, no script, no network).

Everything shown comes from the `AuditResult`. Repository-controlled text reaches the page only
through Jinja2's autoescaping, and the only links into the repository are built here from a
validated http(s) `repo_url`, a hex commit and a URL-quoted relative path.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from importlib import resources
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

from ml_readiness.render.text import blob_url, repo_path, strip_control
from ml_readiness.result import AuditResult, EvidenceEntry, FindingEntry, ItemResult

# level -> (score text, label, icon symbol id)
LEVELS: dict[str, tuple[str, str, str]] = {
    "none": ("0", "Not met", "i-none"),
    "manual": ("0.5", "Manual", "i-manual"),
    "automated": ("1", "Automated", "i-auto"),
    "not_applicable": ("n/a", "Not applicable", "i-na"),
}
TRIGGERS: dict[str, str] = {
    "change": "Runs on every change (push, pull or merge request) via",
    "schedule": "Runs on a schedule via",
    "pipeline": "Runs as a step of a pipeline via",
    "platform": "Enforced continuously by its platform:",
    "manual": "Runs only when started by hand via",
}
EXPIRY_WARNING_DAYS = 30
_COMMIT = re.compile(r"^[0-9a-fA-F]{7,64}$")
_UNSAFE_URL_CHARS = re.compile(r"[\s\x00-\x1f\x7f\"'<>\\`{}|^]")
# bar chart rows, in CSS pixels: bars stretch with the page, text keeps its size
CHART_ROW = 54
CHART_TITLE_CHARS = 28
CHART_WEAK_LINE = 20


def render_html(result: AuditResult, **_options: object) -> str:
    """The report as one self-contained HTML document (deterministic for a given result)."""
    from markupsafe import Markup

    template = _environment().get_template("report.html.j2")
    css = resources.files("ml_readiness.render").joinpath("templates/report.css").read_text("utf-8")
    return template.render(css=Markup(css), **_view(result))


def _plain(value: object) -> object:
    """Every shown string loses control characters and bidi overrides (no spoofed file names)."""
    from markupsafe import Markup

    return (
        value if isinstance(value, Markup) or not isinstance(value, str) else strip_control(value)
    )


@functools.lru_cache(maxsize=1)
def _environment() -> Any:
    import jinja2

    return jinja2.Environment(
        loader=jinja2.PackageLoader("ml_readiness.render", "templates"),
        autoescape=True,
        finalize=_plain,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


# -- links --------------------------------------------------------------------------------------
def safe_repo_url(url: object) -> str | None:
    """`url` normalised when it is a plain http(s) web address, else None (never linked)."""
    if not isinstance(url, str) or not url.strip() or _UNSAFE_URL_CHARS.search(url.strip()):
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    host = parts.hostname
    if parts.scheme.lower() not in ("http", "https") or not host or parts.query or parts.fragment:
        return None
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{host}:{port}" if port else host  # user:password@ is dropped on purpose
    path = quote(parts.path.rstrip("/"), safe="/-._~%")
    return urlunsplit((parts.scheme.lower(), netloc, path, "", ""))


def file_url(
    base: str | None, commit: str | None, path: object, line: object = None, prefix: object = ""
) -> str | None:
    """`{base}/blob/{commit}/{path}#L{line}` for a relative repository path (joined to the
    result's `repo_prefix`), else None.

    GitLab and Bitbucket hosts get their own forms (`/-/blob/`, `/src/…#lines-N`)."""
    path = repo_path(prefix, path)
    if base is None or not commit or path is None:
        return None
    return blob_url(base, commit, path, line)


def _commit(result: AuditResult) -> str | None:
    commit = result.commit
    return commit if isinstance(commit, str) and _COMMIT.match(commit) else None


# -- view model ---------------------------------------------------------------------------------
def _num(value: float | None) -> str:
    return "–" if value is None else f"{value:g}"


def _delta(value: float | None) -> str | None:
    if not value:
        return None
    return f"{value:+g} since the baseline"


def _location(path: str | None, line: int | None) -> str:
    if not path:
        return ""
    return f"{path}:{line}" if line else path


def _expiry(expires: object, as_of: str) -> dict[str, Any]:
    try:
        days = (dt.date.fromisoformat(str(expires)) - dt.date.fromisoformat(as_of)).days
    except ValueError:
        return {"state": "unknown", "text": "expiry date unreadable"}
    if days < 0:
        text = f"expired {-days} day{'s' if days != -1 else ''} ago"
        return {"state": "expired", "text": text, "days": days}
    if days <= EXPIRY_WARNING_DAYS:
        text = "expires today" if days == 0 else f"expires in {days} day{'s' if days != 1 else ''}"
        return {"state": "soon", "text": text, "days": days}
    return {"state": "ok", "text": f"expires in {days} days", "days": days}


def _attestation(data: dict, link: Any, as_of: str) -> dict[str, Any]:
    evidence = data.get("evidence")
    return {
        "item": data.get("item", ""),
        "claimed": data.get("level", ""),
        "earned": data.get("earned", ""),
        "owner": data.get("owner", ""),
        "reviewed": data.get("reviewed", ""),
        "expires": data.get("expires", ""),
        "expiry": _expiry(data.get("expires"), as_of),
        "status": data.get("status", ""),
        "via": data.get("via"),
        "note": data.get("note"),
        "evidence": evidence or "",
        "evidence_url": link(evidence, None),
    }


def _evidence(e: EvidenceEntry, link: Any) -> dict[str, Any]:
    via = e.via if isinstance(e.via, dict) else None
    chain = None
    if via:
        trigger = str(via.get("trigger", ""))
        hops = [str(h) for h in via.get("chain") or []]
        if hops and hops[0] == via.get("root"):
            hops = hops[1:]  # the root is already named
        chain = {
            "root": via.get("root", ""),
            "trigger": TRIGGERS.get(trigger, f"Runs ({trigger}) via"),
            "hops": hops,
            "condition": via.get("condition"),
        }
    return {
        "location": e.location(),
        "url": link(e.path, e.line),
        "kind": e.kind,
        "detail": e.detail,
        "check": e.check,
        "level": e.level if e.level in LEVELS else "manual",
        "chain": chain,
    }


def _finding(f: FindingEntry, link: Any) -> dict[str, Any]:
    return {
        "location": f.location(),
        "url": link(f.path, f.line),
        "detail": f.detail,
        "cap": f.cap,
    }


def _item(item: ItemResult, link: Any, as_of: str) -> dict[str, Any]:
    level = item.level if item.level in LEVELS else "none"
    delta = item.delta if isinstance(item.delta, dict) else None
    return {
        "id": item.id,
        "title": item.title,
        "level": level,
        "reason": item.reason,
        "next_step": item.next_step if level in ("none", "manual") else None,
        "evidence": [_evidence(e, link) for e in item.evidence],
        "findings": [_finding(f, link) for f in item.findings],
        "context": list(item.context),
        "attestation": _attestation(item.attestation, link, as_of) if item.attestation else None,
        "override": {
            "max_level": item.override.get("max_level", ""),
            "reason": item.override.get("reason", ""),
        }
        if isinstance(item.override, dict)
        else None,
        "required": item.required,
        "below_required": bool(item.required)
        and level != "not_applicable"
        and _rank(level) < _rank(item.required or ""),
        "delta": f"was {delta.get('from')}" if delta else None,
    }


def _rank(level: str) -> int:
    return ("none", "manual", "automated").index(level) if level in LEVELS else 0


def _root(root: dict, link: Any) -> dict[str, Any]:
    path, line = root.get("path"), root.get("line")
    return {
        "id": root.get("id", ""),
        "system": root.get("system", ""),
        "trigger": root.get("trigger", ""),
        "events": [str(e) for e in root.get("events") or []],
        "condition": root.get("condition"),
        "where": _location(path, line),
        "url": link(path, line),
    }


def _chart(sections: list[dict], weakest: tuple[str, ...]) -> dict[str, Any]:
    rows, y = [], 0
    for s in sections:
        size = s["size"] or 1
        fraction = max(0.0, min(1.0, (s["score"] or 0) / size))
        title = s["title"]
        if len(title) > CHART_TITLE_CHARS:
            title = title[: CHART_TITLE_CHARS - 1] + "…"
        is_weak = s["id"] in weakest
        rows.append(
            {
                "y": y,
                "title": title,
                "value": f"{s['score_text']} / {s['size']}",
                "width": round(fraction * 100, 2),
                "weakest": is_weak,
            }
        )
        y += CHART_ROW + (CHART_WEAK_LINE if is_weak else 0)
    return {"height": y, "rows": rows}


def _view(result: AuditResult) -> dict[str, Any]:
    base = safe_repo_url(result.repo_url)
    commit = _commit(result)

    def link(path: object, line: object) -> str | None:
        return file_url(base, commit, path, line, result.repo_prefix)

    items = [_item(i, link, result.as_of) for i in result.items]
    weakest = tuple(result.overall.weakest)
    sections = []
    for s in result.sections:
        members = [v for v, i in zip(items, result.items, strict=True) if i.section == s.id]
        counts = {lvl: sum(1 for m in members if m["level"] == lvl) for lvl in LEVELS}
        sections.append(
            {
                "id": s.id,
                "title": s.title,
                "score": s.score,
                "score_text": _num(s.score),
                "raw": _num(s.raw),
                "size": s.size,
                "applicable": s.applicable,
                "not_applicable": list(s.not_applicable),
                "delta": _delta(s.delta),
                "weakest": s.id in weakest,
                "members": members,
                "counts": counts,
            }
        )
    level_counts = {lvl: sum(1 for i in items if i["level"] == lvl) for lvl in LEVELS}
    overall = result.overall
    gate = result.gate
    automation = result.automation if isinstance(result.automation, dict) else {}
    return {
        "title": strip_control(result.root) or "repository",
        "tool": {k: str(result.tool.get(k, "")) for k in ("name", "version")},
        "rubric": {
            "id": str(result.rubric.get("id", "")),
            "version": str(result.rubric.get("version", "")),
            "title": str(result.rubric.get("title") or result.rubric.get("id", "")),
            "extends": result.rubric.get("extends"),
        },
        "as_of": result.as_of,
        "strict": result.strict,
        "commit": commit,
        "commit_short": commit[:12] if commit else None,
        "commit_url": f"{base}/tree/{commit}" if base and commit else None,
        "repo_url": base,
        "overall": {
            "score": _num(overall.score),
            "band": overall.band,
            "meaning": overall.meaning,
            "weakest": [s for s in sections if s["weakest"]],
            "delta": _delta(overall.delta),
            "max": max((s["size"] for s in sections), default=0),
        },
        "gate": {
            "configured": gate.configured,
            "passed": gate.passed,
            "reasons": list(gate.reasons),
            "criteria": list(gate.criteria),
            "relied_on": list(gate.relied_on),
        },
        "sections": sections,
        "chart": _chart(sections, weakest),
        "levels": LEVELS,
        "level_counts": level_counts,
        "filter_order": ("none", "manual", "automated", "not_applicable"),
        "attestations": [_attestation(a, link, result.as_of) for a in result.attestations],
        "not_applicable": [
            {"item": n.get("item", ""), "reason": n.get("reason", "")}
            for n in result.not_applicable
            if isinstance(n, dict)
        ],
        "overrides": [
            {
                "item": o.get("item", ""),
                "max_level": o.get("max_level", ""),
                "reason": o.get("reason", ""),
            }
            for o in result.overrides
            if isinstance(o, dict)
        ],
        "roots": [_root(r, link) for r in automation.get("roots", []) if isinstance(r, dict)],
        "unresolved": [
            {"path": u.get("path", ""), "reason": u.get("reason", "")}
            for u in automation.get("unresolved", [])
            if isinstance(u, dict)
        ],
        "notes": [
            {"path": n.get("path", ""), "message": n.get("message", "")}
            for n in result.notes
            if isinstance(n, dict)
        ],
    }
