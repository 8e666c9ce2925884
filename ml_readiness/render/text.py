"""Making repository-controlled text safe to show in each medium."""

from __future__ import annotations

import re

# C0/C1 control characters and ANSI escape sequences (CSI, OSC, and lone ESC)
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)?|\x1b.?")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def strip_control(text: object) -> str:
    """Text with ANSI escapes, control characters and bidi overrides removed (newlines → space)."""
    s = _ANSI.sub("", str(text))
    s = s.replace("\r\n", " ").replace("\n", " ").replace("\r", " ").replace("\t", " ")
    return _CONTROL.sub("", s)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]<>()#+!|~])")


def md_escape(text: object) -> str:
    """Escape text for a Markdown table cell or paragraph: one line, no markup, no HTML."""
    s = strip_control(text)
    s = s.replace("&", "&amp;")
    s = _MD_SPECIAL.sub(
        lambda m: {"<": "&lt;", ">": "&gt;", "|": "\\|"}.get(m.group(1), "\\" + m.group(1)), s
    )
    return s
