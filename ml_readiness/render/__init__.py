"""Renderers: each turns an `AuditResult` into text. They import nothing from checks.

Formats are chosen by `--format` or by the output file's extension. Heavy modules (Jinja2) are
imported only when their format is rendered.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import tempfile
from pathlib import Path

from ml_readiness.errors import UsageError
from ml_readiness.result import AuditResult

# format name -> (module, function)
FORMATS: dict[str, tuple[str, str]] = {
    "text": ("ml_readiness.render.terminal", "render_text"),
    "json": ("ml_readiness.render.json_report", "render_json"),
    "md": ("ml_readiness.render.markdown", "render_markdown"),
    "html": ("ml_readiness.render.html", "render_html"),
    "junit": ("ml_readiness.render.junit", "render_junit"),
    "sarif": ("ml_readiness.render.sarif", "render_sarif"),
    "svg": ("ml_readiness.render.badge", "render_badge_svg"),
    "badge": ("ml_readiness.render.badge", "render_badge_json"),
}
# the longest matching suffix wins: `r.badge.json` is a badge, `r.json` the JSON report
EXTENSIONS: list[tuple[str, str]] = [
    (".junit.xml", "junit"),
    (".sarif.json", "sarif"),
    (".badge.json", "badge"),
    (".sarif", "sarif"),
    (".svg", "svg"),
    (".json", "json"),
    (".md", "md"),
    (".markdown", "md"),
    (".html", "html"),
    (".htm", "html"),
    (".txt", "text"),
]


def register_format(name: str, module: str, function: str, *extensions: str) -> None:
    """Add an output format (used by report modules and plug-ins)."""
    FORMATS[name] = (module, function)
    for ext in extensions:
        EXTENSIONS.append((ext, name))
    EXTENSIONS.sort(key=lambda e: -len(e[0]))


def format_for(path: str) -> str:
    """The format a file name asks for, from its extension; UsageError when unknown."""
    low = path.lower()
    for ext, name in sorted(EXTENSIONS, key=lambda e: -len(e[0])):
        if low.endswith(ext):
            return name
    known = ", ".join(sorted({e for e, _ in EXTENSIONS}))
    raise UsageError(
        f"cannot tell the report format of {path!r} from its extension "
        f"(known: {known}); name it with --format"
    )


def render(result: AuditResult, fmt: str, **options: object) -> str:
    """Render `result` in format `fmt`."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown format {fmt!r} (known: {', '.join(sorted(FORMATS))})")
    module, function = FORMATS[fmt]
    return getattr(importlib.import_module(module), function)(result, **options)


def check_writable(path: str) -> None:
    """UsageError unless a report can be written at `path` (its folder exists and is writable)."""
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise UsageError(f"cannot write report {path}: it is a directory")
    if not folder.is_dir():
        raise UsageError(f"cannot write report {path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise UsageError(f"cannot write report {path}: folder {folder} is not writable")


def write_atomic(path: str, text: str) -> None:
    """Write `text` to `path` through a temporary file and a rename: never a truncated report.

    Whatever goes wrong (a full disk, an interrupted write), the temporary file is removed and an
    existing report at `path` is left as it was. Characters UTF-8 cannot encode (lone surrogates
    from undecodable file names) are written as `?` rather than failing the write.
    """
    target = Path(path)
    check_writable(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", errors="replace", newline="\n") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError):
            raise UsageError(f"cannot write report {path}: {exc.strerror or exc}") from None
        raise
