"""The Markdown report: fits a pull-request comment and `$GITHUB_STEP_SUMMARY`.

The template (`templates/report.md.j2`) has autoescaping off, so every value that may come from
the audited repository passes through the `md` filter (`md_escape`), or `html` inside raw HTML
such as `<summary>`. Links into the repository are built here from a validated `repo_url`, a hex
commit and a percent-encoded path. Output is deterministic and bounded: when the full report is
over `max_chars` (default 65,000, under GitHub's comment limit), evidence lists are cut
("… and N more") and then details are dropped step by step until it fits.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from ml_readiness.render.text import (
    html_text,
    item_change,
    level_text,
    md_escape,
    number,
    repo_file_url,
    shorten,
    signed,
    strip_control,
    validation_summary,
)
from ml_readiness.result import AuditResult, EvidenceEntry, ItemResult

MAX_CHARS = 65_000
ICONS = {"automated": "✅", "manual": "🟡", "none": "❌", "not_applicable": "➖"}
TRIGGER_TEXT = {
    "change": "on every change",
    "schedule": "on a schedule",
    "pipeline": "as a pipeline step",
    "platform": "enforced by its platform",
    "manual": "only by hand",
}


@dataclass(frozen=True)
class Detail:
    """How much of each item a rendering shows; later profiles show less."""

    evidence: int
    findings: int
    context: int
    text: int  # longest reason / detail / next step, in characters
    listed: int  # attestations, overrides, notes, gate reasons shown before "… and N more"
    met_bodies: bool = True  # explain items at 1 too
    bodies: bool = True  # explain items at all (else one table row per item)
    sections: bool = True  # a <details> block per section


PROFILES = (
    Detail(evidence=20, findings=10, context=5, text=600, listed=50),
    Detail(evidence=5, findings=3, context=2, text=300, listed=20),
    Detail(evidence=2, findings=1, context=1, text=200, listed=10, met_bodies=False),
    Detail(evidence=1, findings=1, context=0, text=160, listed=5, met_bodies=False),
    Detail(evidence=0, findings=0, context=0, text=120, listed=5, bodies=False),
    Detail(evidence=0, findings=0, context=0, text=80, listed=3, bodies=False, sections=False),
)


def render_markdown(result: AuditResult, max_chars: int = MAX_CHARS, **_options: object) -> str:
    """The report as GitHub-flavoured Markdown, at most `max_chars` characters."""
    template = _environment().get_template("report.md.j2")
    text = ""
    for level, detail in enumerate(PROFILES):
        text = template.render(**_view(result, detail, trimmed=level > 0, limit=max_chars))
        if len(text) <= max_chars:
            return text
    return _cut(text, max_chars)


def _cut(text: str, max_chars: int) -> str:
    """Last resort for absurd inputs (thousands of sections): whole lines up to the limit."""
    note = "\n\n_Report cut to fit; the JSON report has everything._\n"
    room = max(max_chars - len(note), 0)
    head = text[:room]
    head = head[: head.rfind("\n") + 1] if "\n" in head else ""
    return (head.rstrip("\n") + note)[:max_chars]


@functools.lru_cache(maxsize=1)
def _environment() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("ml_readiness.render", "templates"),
        autoescape=False,  # Markdown, not HTML: every repo value goes through `md` instead
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["md"] = md_escape
    env.filters["html"] = html_text
    return env


# -- view model: raw (unescaped) strings, already shortened -------------------------------------
def _view(result: AuditResult, d: Detail, trimmed: bool, limit: int) -> dict[str, Any]:
    baseline = result.extras.get("baseline") if isinstance(result.extras, dict) else None
    gate = result.gate
    if not gate.configured:
        gate_word = "none configured"
    else:
        gate_word = "✅ passed" if gate.passed else "❌ failed"
    commit = result.commit if isinstance(result.commit, str) else None
    return {
        "validation": validation_summary(result.extras),
        "d": d,
        "trimmed": trimmed,
        "limit": f"{limit:,}",
        "rubric": {k: shorten(result.rubric.get(k, ""), 120) for k in ("title", "id", "version")},
        "tool_version": shorten(result.tool.get("version", ""), 40),
        "root": shorten(result.root, 120),
        "as_of": shorten(result.as_of, 40),
        "commit": _short_commit(commit),
        "strict": result.strict,
        "overall": {
            "score": number(result.overall.score),
            "band": shorten(result.overall.band, 120),
            "meaning": shorten(result.overall.meaning, 600),
            "weakest": [shorten(w, 60) for w in result.overall.weakest],
            "delta": None if result.overall.delta is None else signed(result.overall.delta),
        },
        "baseline": _baseline(baseline) if isinstance(baseline, dict) else None,
        "gate": {
            "word": gate_word,
            "configured": gate.configured,
            "criteria": [shorten(c, 200) for c in gate.criteria[: d.listed]],
            "reasons": [shorten(r, d.text) for r in gate.reasons[: d.listed]],
            "more_reasons": max(len(gate.reasons) - d.listed, 0),
        },
        "sections": [_section(result, s, d) for s in result.sections],
        "relied": _relied(result, d),
        "notes": {
            "count": len(result.notes),
            "shown": [
                {"path": shorten(n.get("path", ""), 120), "message": shorten(n.get("message"), 200)}
                for n in result.notes[: d.listed]
            ],
            "more": max(len(result.notes) - d.listed, 0),
        },
    }


def _short_commit(commit: object) -> str | None:
    if not isinstance(commit, str) or not commit:
        return None
    return commit[:12] if re.fullmatch(r"[0-9a-fA-F]+", commit) else shorten(commit, 40)


def _baseline(data: dict) -> dict[str, Any]:
    overall = data.get("overall")
    return {
        "as_of": shorten(data.get("as_of") or "", 40),
        "commit": _short_commit(data.get("commit")),
        "overall": number(overall) if isinstance(overall, int | float) else "-",
    }


def _section(result: AuditResult, section: Any, d: Detail) -> dict[str, Any]:
    items = [i for i in result.items if i.section == section.id]
    counts = {lv: sum(1 for i in items if i.level == lv) for lv in ICONS}
    raw_note = ""
    if section.not_applicable:
        raw_note = f" (raw {number(section.raw)} over {section.applicable})"
    return {
        "id": shorten(section.id, 40),
        "title": shorten(section.title, 80),
        "score": number(section.score),
        "size": section.size,
        "raw_note": raw_note,
        "counts": counts,
        "delta": None if section.delta is None else signed(section.delta),
        "entries": [_item(result, i, d) for i in items],
    }


def _item(result: AuditResult, item: ItemResult, d: Detail) -> dict[str, Any]:
    body = d.bodies and (d.met_bodies or item.level != "automated")
    view: dict[str, Any] = {
        "id": shorten(item.id, 40),
        "title": shorten(item.title, 120),
        "icon": ICONS.get(item.level, "•"),
        "level": level_text(item.level),
        "change": item_change(item.delta),
        "reason": shorten(item.reason, d.text),
        "body": body,
    }
    if not body:
        return view
    evidence = [_evidence(result, e, d) for e in item.evidence[: d.evidence]]
    findings = [
        {
            "location": shorten(f.location(), 160),
            "url": repo_file_url(
                result.repo_url, result.commit, f.path, f.line, result.repo_prefix
            ),
            "detail": shorten(f.detail, d.text),
            "cap": f.cap,
        }
        for f in item.findings[: d.findings]
    ]
    # scoring puts the first hint into the reason ("no evidence: ..."): do not say it twice
    context = [c for c in item.context if strip_control(c)[:60] not in strip_control(item.reason)]
    view.update(
        evidence=evidence,
        more_evidence=len(item.evidence) - len(evidence),
        findings=findings,
        more_findings=len(item.findings) - len(findings),
        context=[shorten(c, d.text) for c in context[: d.context]],
        more_context=len(context) - min(len(context), d.context),
        attestation=_attestation(item.attestation, d) if item.attestation else None,
        override=_override(item.override, d) if item.override else None,
        required=shorten(item.required, 20) if item.required else None,
        next_step=shorten(item.next_step, d.text) if item.next_step else None,
    )
    return view


def _evidence(result: AuditResult, e: EvidenceEntry, d: Detail) -> dict[str, Any]:
    return {
        "location": shorten(e.location(), 160),
        "url": repo_file_url(result.repo_url, result.commit, e.path, e.line, result.repo_prefix),
        "kind": shorten(e.kind, 20),
        "detail": shorten(e.detail, d.text),
        "via": via_text(e.via) if e.level == "automated" and e.via else None,
    }


def via_text(via: dict) -> str:
    """`runs via ROOT on every change: a → b → c (if COND)` — raw text, escape it to show it."""
    trigger = str(via.get("trigger") or "")
    root = shorten(via.get("root") or "", 120)
    if trigger == "platform":
        return f"{TRIGGER_TEXT['platform']} ({root})"
    text = f"runs via {root} {TRIGGER_TEXT.get(trigger, shorten(trigger, 20))}"
    chain = [shorten(hop, 80) for hop in (via.get("chain") or [])]
    if chain:
        shown = chain if len(chain) <= 6 else [*chain[:2], "…", *chain[-3:]]
        text += ": " + " → ".join(shown)
    if via.get("condition"):
        text += f" (if {shorten(via['condition'], 120)})"
    return text


def _attestation(a: dict, d: Detail) -> str:
    """`manual claimed, manual earned: STATUS; evidence FILE, owner O, expires E`."""
    status = str(a.get("status", ""))
    text = f"{a.get('level', '?')} claimed, {a.get('earned', '?')} earned: {status}"
    extra = [f"evidence {a.get('evidence', '?')}"]
    for key in ("owner", "expires", "via"):
        value = a.get(key)
        if value and str(value) not in status:
            extra.append(f"{key} {value}")
    return shorten(f"{text}; {', '.join(extra)}", d.text)


def _override(o: dict, d: Detail) -> str:
    return shorten(f"at most {o.get('max_level', '?')}: {o.get('reason', '')}", d.text)


def _relied(result: AuditResult, d: Detail) -> dict[str, Any]:
    def cap(rows: list) -> tuple[list, int]:
        return rows[: d.listed], max(len(rows) - d.listed, 0)

    attestations, more_a = cap(
        [
            {
                "item": shorten(a.get("item", ""), 40),
                "text": _attestation(a, d),
                "url": repo_file_url(
                    result.repo_url, result.commit, a.get("evidence"), prefix=result.repo_prefix
                ),
                "evidence": shorten(a.get("evidence", ""), 160),
            }
            for a in result.attestations
        ]
    )
    na, more_n = cap(
        [
            {"item": shorten(n.get("item", ""), 40), "reason": shorten(n.get("reason"), d.text)}
            for n in result.not_applicable
        ]
    )
    overrides, more_o = cap(
        [
            {"item": shorten(o.get("item", ""), 40), "text": _override(o, d)}
            for o in result.overrides
        ]
    )
    structured = ("attestation ", "not applicable ", "override ")
    other, more_other = cap(
        [shorten(r, d.text) for r in result.gate.relied_on if not r.startswith(structured)]
    )
    return {
        "attestations": attestations,
        "more_attestations": more_a,
        "not_applicable": na,
        "more_not_applicable": more_n,
        "overrides": overrides,
        "more_overrides": more_o,
        "other": other,
        "more_other": more_other,
        "any": bool(attestations or na or overrides or other),
    }


__all__ = ["render_markdown", "MAX_CHARS", "via_text"]
