"""Making repository-controlled text safe to show in each medium.

Every string a report shows may come from the audited repository (file names, details, reasons,
config values), so each medium has one function that neutralises it: `strip_control` for a
terminal, `md_escape` for Markdown, `html_text` for HTML inside Markdown, `xml_text` for XML.
Shorten raw text with `shorten` *before* escaping it, never after (an escape cut in half is
markup again).
"""

from __future__ import annotations

import html
import re

# C0/C1 control characters and ANSI escape sequences (CSI, OSC, and lone ESC)
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(\x07|\x1b\\)?|\x1b.?")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_NEWLINES = re.compile(r"\r\n|[\n\r\t\v\f\u0085\u2028\u2029]")
# lone surrogates come from undecodable file names (surrogateescape); they cannot be encoded
_SURROGATE = re.compile(r"[\ud800-\udfff]")
# what XML 1.0 allows in a document (tab, newline and carriage return are the only C0 allowed)
_XML_INVALID = re.compile(r"[^\t\n\r\x20-\x7e\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def strip_control(text: object) -> str:
    """Text with ANSI escapes, control characters and bidi overrides removed (newlines → space)."""
    s = _ANSI.sub("", str(text))
    s = _NEWLINES.sub(" ", s)
    s = _SURROGATE.sub("\ufffd", s)
    return _CONTROL.sub("", s)


def shorten(text: object, limit: int) -> str:
    """`text` on one line, cut to at most `limit` characters with a trailing `…`."""
    s = strip_control(text)
    if limit <= 0:
        return ""
    return s if len(s) <= limit else s[: max(limit - 1, 0)].rstrip() + "…"


# Markdown punctuation that can start inline markup anywhere in a line (`$` is GitHub math);
# `[`/`]` are escaped, so `(`, `)` and `!` can never form a link or an image.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>#+|~$])")
_MD_REPLACE = {"<": "&lt;", ">": "&gt;", "|": "\\|"}
# what would start a block (list, heading, rule) when the text opens a line or list item
_MD_LINE_START = re.compile(r"^(\d{1,9})([.)])(?=\s|$)|^([-=])")


def md_escape(text: object) -> str:
    """Escape text for an inline Markdown position (a table cell, a list item, link text).

    The result is one line with no markup: backslash-escaped Markdown punctuation (so backticks
    never open a code span and `*`/`_` never emphasise), `|` escaped for table cells, `<`/`>`/`&`
    as entities (no HTML tag or entity survives), no list marker or heading at its start, no
    newline, no control character or ANSI escape. Do not use it inside raw HTML (e.g.
    `<summary>`); use `html_text` there.
    """
    s = strip_control(text).strip()
    s = s.replace("&", "&amp;")
    s = _MD_SPECIAL.sub(lambda m: _MD_REPLACE.get(m.group(1), "\\" + m.group(1)), s)
    return _MD_LINE_START.sub(
        lambda m: f"{m.group(1)}\\{m.group(2)}" if m.group(1) else "\\" + m.group(3), s
    )


def html_text(text: object) -> str:
    """Text for an HTML element inside Markdown (e.g. `<summary>`): one line, HTML-escaped."""
    return html.escape(strip_control(text), quote=True)


def xml_text(text: object, multiline: bool = False) -> str:
    """Text an XML 1.0 document can carry: ANSI escapes and characters XML forbids removed.

    Escaping of `<`, `&` and quotes is left to the XML serialiser. One line unless `multiline`.
    """
    s = _ANSI.sub("", str(text))
    s = _SURROGATE.sub("\ufffd", s)
    s = s.replace("\r\n", "\n").replace("\r", "\n") if multiline else _NEWLINES.sub(" ", s)
    s = _CONTROL.sub("", s)  # keeps tab and newline
    return _XML_INVALID.sub("", s)


# -- how scores, levels and deltas are said in every report -------------------------------------
LEVEL_SCORE_TEXT = {"automated": "1", "manual": "0.5", "none": "0", "not_applicable": "n/a"}
LEVEL_RANK = {"none": 0, "manual": 1, "automated": 2}
_COMMIT = re.compile(r"^[0-9a-fA-F]{7,64}$")
_URL = re.compile(r"^https?://[A-Za-z0-9.\-]+(:[0-9]{1,5})?(/[A-Za-z0-9._~\-/%]*)?$")


def number(value: float | None) -> str:
    """A score as people write it: `3`, `2.5`, `-` when there is none."""
    return "-" if value is None else f"{value:g}"


def signed(value: float) -> str:
    """A score change: `+0.5`, `-1`, `±0`."""
    return "±0" if value == 0 else f"{value:+g}"


def sentence(text: object) -> str:
    """`text` ending with a full stop (unless it already ends a sentence)."""
    s = str(text).strip()
    return s if not s or s.endswith((".", "!", "?", "…", ":")) else s + "."


def level_text(level: str) -> str:
    """`0.5 manual`, `1 automated`, `0 none`, `n/a`."""
    if level == "not_applicable":
        return "n/a"
    return f"{LEVEL_SCORE_TEXT.get(level, '?')} {level}"


def below(level: str, required: str | None) -> bool:
    """True when `level` falls short of the `required` level (n/a is never short)."""
    if not required or level == "not_applicable":
        return False
    return LEVEL_RANK.get(level, 0) < LEVEL_RANK.get(required, 0)


def item_change(delta: dict | None) -> str:
    """`was manual (up)` / `was automated (down)` for an item's baseline delta, else ''."""
    if not delta:
        return ""
    old, new = delta.get("from"), delta.get("to")
    if old in LEVEL_RANK and new in LEVEL_RANK:
        way = "up" if LEVEL_RANK[new] > LEVEL_RANK[old] else "down"
        return f"was {old} ({way})"
    return f"was {old}"


def repo_path(prefix: object, path: object) -> str | None:
    """`path` (relative to the audited folder, with leading `../` hops for an enclosing
    repository's files) as a path from the repository's top, given the result's
    `repo_prefix`; None when it is not a plain relative path inside the repository."""
    if not isinstance(path, str) or not path or path.startswith(("/", "<")) or "\\" in path:
        return None
    if strip_control(path) != path:
        return None
    base = prefix.split("/") if isinstance(prefix, str) and prefix else []
    if "\\" in "/".join(base) or strip_control("/".join(base)) != "/".join(base):
        return None
    parts = path.split("/")
    while parts and parts[0] == ".." and base:
        parts.pop(0)
        base.pop()
    joined = base + parts
    if not parts or any(part in ("", ".", "..") for part in joined):
        return None
    return "/".join(joined)


def repo_file_url(
    repo_url: object, commit: object, path: object, line: object = None, prefix: object = ""
) -> str | None:
    """The file's web address at `commit` (see `blob_url`) when all parts are safe to link,
    else None.

    Only plain http(s) URLs, hex commits and relative paths without `..` are linked (`path`
    is joined to the result's `repo_prefix` first); the path is percent-encoded so no
    character of it can end the link.
    """
    if not isinstance(repo_url, str) or not _URL.match(repo_url.strip()):
        return None
    if not isinstance(commit, str) or not _COMMIT.match(commit):
        return None
    path = repo_path(prefix, path)
    if path is None:
        return None
    return blob_url(repo_url.strip().rstrip("/"), commit, path, line)


def blob_url(base: str, commit: str, path: str, line: object = None) -> str:
    """`{base}/blob/{commit}/{path}#L{line}`, in the forms GitLab (`/-/blob/`) and Bitbucket
    (`/src/…#lines-N`) hosts use; `path` is percent-encoded, `line` added when positive."""
    from urllib.parse import quote, urlsplit

    host = urlsplit(base).hostname or ""
    blob, anchor = "blob", "#L{}"
    if "gitlab" in host:
        blob = "-/blob"
    elif "bitbucket" in host:
        blob, anchor = "src", "#lines-{}"
    url = f"{base}/{blob}/{commit}/{quote(path, safe='/')}"
    if isinstance(line, int) and not isinstance(line, bool) and line > 0:
        url += anchor.format(line)
    return url


def validation_summary(extras: dict) -> str | None:
    """One line saying that --validate-data ran project data validations, or None."""
    run = extras.get("data_validation") if isinstance(extras, dict) else None
    if not isinstance(run, dict):
        return None
    suites = run.get("suites") or []
    failing = sum(
        1 for s in suites if any(e.get("status") == "failed" for e in s.get("expectations") or [])
    )
    ran = sum(1 for s in suites if s.get("data"))
    return (
        f"Data validation ran (--validate-data): {len(suites)} suite(s), {ran} with data, "
        f"{failing} with failing expectations."
    )
