"""Repository-relative POSIX path helpers (`""` is the audited root)."""

from __future__ import annotations

import posixpath

# The audited folder's path from an enclosing repository's top, while a map is being built:
# `../../proj/ml/x` (out of the tree and back in) collapses to `x`.
_root_prefix = ""


def set_root_prefix(prefix: str) -> None:
    """Tell the path helpers where the audited folder sits in its enclosing repository."""
    global _root_prefix
    _root_prefix = prefix


def join(folder: str, rel: str) -> str:
    """`rel` taken from `folder`, normalised (`""` for the root itself)."""
    if rel.startswith("/"):
        rel = rel.lstrip("/")
        folder = ""
    path = posixpath.normpath(posixpath.join(folder, rel)) if (folder or rel) else ""
    path = "" if path == "." else path
    if _root_prefix and path.startswith("../"):
        back = "../" * len(_root_prefix.split("/")) + _root_prefix
        if path == back:
            return ""
        if path.startswith(back + "/"):
            return path[len(back) + 1 :]
    return path


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
