"""Repository-relative POSIX path helpers (`""` is the audited root)."""

from __future__ import annotations

import posixpath


def join(folder: str, rel: str) -> str:
    """`rel` taken from `folder`, normalised (`""` for the root itself)."""
    if rel.startswith("/"):
        rel = rel.lstrip("/")
        folder = ""
    path = posixpath.normpath(posixpath.join(folder, rel)) if (folder or rel) else ""
    return "" if path == "." else path


def under(path: str, folder: str) -> bool:
    """True when `path` lies inside `folder` (everything is inside the root `""`)."""
    return not folder or path.startswith(folder.rstrip("/") + "/")


def to_local(logical: str, prefix: str) -> str:
    """A path from an enclosing repository's top, made relative to the audited folder.

    `prefix` is the audited folder's path from that top (`""` when they are the same).
    """
    logical = join("", logical)
    if not prefix:
        return logical
    if logical == prefix:
        return ""
    if logical.startswith(prefix + "/"):
        return logical[len(prefix) + 1 :]
    return join("../" * len(prefix.split("/")), logical)
