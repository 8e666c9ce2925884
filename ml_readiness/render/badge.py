"""Badges: a shields.io endpoint JSON and a standalone SVG, both showing the overall score.

The colour follows the ML Test Score bands: red at 0, orange up to 1, yellow up to 2, yellow-green
up to 3, green up to 5, bright green above. The SVG needs nothing from outside (no fonts, images
or links); its text widths are estimated from a character table, so it is deterministic.
"""

from __future__ import annotations

import hashlib
import json
from xml.sax.saxutils import escape, quoteattr

from ml_readiness.render.text import number, shorten, xml_text
from ml_readiness.result import AuditResult

LABEL = "ML Test Score"
# (highest score, shields colour name, hex) in band order
COLOURS: tuple[tuple[float | None, str, str], ...] = (
    (0.0, "red", "#e05d44"),
    (1.0, "orange", "#fe7d37"),
    (2.0, "yellow", "#dfb317"),
    (3.0, "yellowgreen", "#a4a61d"),
    (5.0, "green", "#97ca00"),
    (None, "brightgreen", "#4c1"),
)
_NARROW = set("iljI.,:;|!'` ()[]{}ft")
_WIDE = set("mwMW@%")


def colour(score: float) -> tuple[str, str]:
    """(shields colour name, hex) for an overall score."""
    for top, name, hex_code in COLOURS:
        if top is None or score <= top:
            return name, hex_code
    return COLOURS[-1][1], COLOURS[-1][2]  # pragma: no cover - the last band has no top


def message(result: AuditResult) -> str:
    """`2.5 · Reasonably tested`."""
    return f"{number(result.overall.score)} · {shorten(result.overall.band, 40)}"


def render_badge_json(result: AuditResult, label: str = LABEL, **_options: object) -> str:
    """A shields.io endpoint document (https://shields.io/badges/endpoint-badge)."""
    data = {
        "schemaVersion": 1,
        "label": shorten(label, 40),
        "message": message(result),
        "color": colour(result.overall.score)[0],
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def _width(text: str) -> int:
    """Estimated width in pixels of `text` in 11px Verdana."""
    total = 0.0
    for ch in text:
        if ch in _NARROW:
            total += 3.9
        elif ch in _WIDE:
            total += 10.5
        elif ch.isupper() or ch.isdigit():
            total += 7.5
        elif ord(ch) > 0x2000:
            total += 8.0
        else:
            total += 6.6
    return int(round(total))


def render_badge_svg(result: AuditResult, label: str = LABEL, **_options: object) -> str:
    """A flat badge as a standalone SVG document."""
    left = xml_text(shorten(label, 40))
    right = xml_text(message(result))
    lw, rw = _width(left) + 12, _width(right) + 12
    width = lw + rw
    fill = colour(result.overall.score)[1]
    title = f"{left}: {right}"
    lx, rx = lw / 2, lw + rw / 2
    # ids unique per badge text, so two badges inlined in one page do not share a clip path
    uid = hashlib.sha1(f"{title}|{fill}".encode()).hexdigest()[:8]

    def text(x: float, value: str) -> str:
        return (
            f'<text x="{x:g}" y="15" fill="#010101" fill-opacity=".3">{escape(value)}</text>'
            f'<text x="{x:g}" y="14">{escape(value)}</text>'
        )

    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" '
        f"aria-label={quoteattr(title)}>"
        f"<title>{escape(title)}</title>"
        f'<linearGradient id="s{uid}" x2="0" y2="100%"><stop offset="0" stop-color="#bbb" '
        'stop-opacity=".1"/><stop offset="1" stop-opacity=".1"/></linearGradient>'
        f'<clipPath id="r{uid}"><rect width="{width}" height="20" rx="3" fill="#fff"/></clipPath>'
        f'<g clip-path="url(#r{uid})"><rect width="{lw}" height="20" fill="#555"/>'
        f'<rect x="{lw}" width="{rw}" height="20" fill="{fill}"/>'
        f'<rect width="{width}" height="20" fill="url(#s{uid})"/></g>'
        '<g fill="#fff" text-anchor="middle" '
        'font-family="Verdana,Geneva,DejaVu Sans,sans-serif" font-size="11">'
        f"{text(lx, left)}{text(rx, right)}</g></svg>\n"
    )


__all__ = ["render_badge_json", "render_badge_svg", "colour", "message", "LABEL"]
