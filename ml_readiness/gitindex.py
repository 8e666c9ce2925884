"""The git side of the file index: which files git lists (tracked and untracked, not
ignored), the commit and the origin URL, with a git that can run nothing the audited
repository configures. `prefetch_index` starts the listing in the background so that it runs
while the command imports its checks; `Repo.open` takes the result (`git_index`)."""

from __future__ import annotations

import os
import subprocess
import threading
from pathlib import Path

# Files at the top of an enclosing git repository that still describe a sub-project.
TOP_LEVEL_SHARED = (
    ".github/workflows/",
    ".github/dependabot.yml",
    ".github/dependabot.yaml",
    ".github/CODEOWNERS",
    "CODEOWNERS",
    "docs/CODEOWNERS",
    ".gitlab-ci.yml",
    "renovate.json",
    ".github/renovate.json",
    ".github/actions/",
)
# Every git option a repository's own config could use to make git run a program.
SAFE_GIT = (
    "git",
    "-c",
    "core.fsmonitor=false",
    "-c",
    "core.hooksPath=/dev/null",
    "-c",
    "core.pager=cat",
    "-c",
    "diff.external=",
    "-c",
    "core.sshCommand=false",
    "-c",
    "protocol.allow=never",
    "-c",
    "core.untrackedCache=false",
    "-c",
    "core.alternateRefsCommand=false",
    "-c",
    "uploadpack.packObjectsHook=",
)
GIT_ENV_DROP = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_EXTERNAL_DIFF",
    "GIT_PAGER",
    "GIT_SSH",
    "GIT_SSH_COMMAND",
    "GIT_CONFIG",
    "GIT_CONFIG_PARAMETERS",
    "GIT_INDEX_FILE",
)


def _git_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in GIT_ENV_DROP}
    env["GIT_CONFIG_NOSYSTEM"] = "1"
    env["GIT_TERMINAL_PROMPT"] = "0"
    env["GIT_OPTIONAL_LOCKS"] = "0"
    return env


def _git(cwd: Path, *args: str) -> subprocess.CompletedProcess[bytes] | None:
    try:
        return subprocess.run(
            [*SAFE_GIT, *args],
            cwd=cwd,
            env=_git_env(),
            capture_output=True,
            stdin=subprocess.DEVNULL,
            timeout=60,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None


def _git_out(cwd: Path, *args: str) -> str | None:
    proc = _git(cwd, *args)
    if proc is None or proc.returncode != 0:
        return None
    return proc.stdout.decode("utf-8", "replace").strip() or None


def _git_toplevel(root: Path) -> Path | None:
    # Only trust a .git found by walking up ourselves; git's discovery honours env variables.
    for candidate in (root, *root.parents):
        if (candidate / ".git").exists():
            top = _git_out(root, "rev-parse", "--show-toplevel")
            return Path(top).resolve() if top else None
    return None


_GitIndex = tuple[Path | None, tuple[list[str], list[str]] | None, set[str], str | None, str | None]
# git listings started by `prefetch_index`, by resolved root: (thread, [its result])
_PREFETCHED: dict[Path, tuple[threading.Thread, list[_GitIndex]]] = {}


def git_index(root: Path) -> _GitIndex:
    """(top of the git repository, (files, enclosing repo's shared files), tracked paths,
    commit, origin URL) for `root`; the listing is None outside git or when git fails."""
    toplevel = _git_toplevel(root)
    tracked: set[str] = set()
    if toplevel is None:
        return None, None, tracked, None, None
    listed = _git_ls_files(toplevel, root, tracked)
    if listed is None:
        return toplevel, None, tracked, None, None
    commit = _git_out(toplevel, "rev-parse", "HEAD")
    remote = _git_out(toplevel, "config", "--get", "remote.origin.url")
    return toplevel, listed, tracked, commit, remote


def take_index(root: Path) -> _GitIndex:
    """`git_index(root)`: the one `prefetch_index` started for this folder when there is one
    (waited for), else computed now."""
    pending = _PREFETCHED.pop(root, None)
    if pending is not None:
        pending[0].join()
        if pending[1]:
            return pending[1][0]
    return git_index(root)


def prefetch_index(path: str | os.PathLike[str]) -> None:
    """Start `Repo.open(path)`'s git commands in a background thread, so that they run while
    the command imports its modules (git works on the other core; the thread waits on its
    pipes without holding the interpreter). `Repo.open` of the same folder takes the result;
    a path that is not a folder is left for `Repo.open` to report."""
    try:
        root = Path(path).resolve()
        if not root.is_dir():
            return
    except (OSError, RuntimeError, ValueError):
        return
    box: list[_GitIndex] = []
    thread = threading.Thread(target=lambda: box.append(git_index(root)), daemon=True)
    thread.start()
    _PREFETCHED[root] = (thread, box)


def _git_ls_files(
    toplevel: Path, root: Path, tracked: set[str]
) -> tuple[list[str], list[str]] | None:
    proc = _git(
        toplevel,
        "ls-files",
        "-z",
        "-t",
        "--cached",
        "--others",
        "--exclude-standard",
        "--deduplicate",
    )
    if proc is None or proc.returncode != 0:
        return None
    prefix = "" if toplevel == root else root.relative_to(toplevel).as_posix() + "/"
    inner: list[str] = []
    outer: list[str] = []
    for raw in proc.stdout.split(b"\0"):
        if len(raw) < 3:
            continue
        tag, name = raw[:1], raw[2:].decode("utf-8", "surrogateescape")
        if tag != b"?":
            tracked.add(name[len(prefix) :] if name.startswith(prefix) else name)
        if prefix and not name.startswith(prefix):
            if name.startswith(TOP_LEVEL_SHARED):
                outer.append(name)
            continue
        inner.append(name[len(prefix) :])  # deleted in the work tree: dropped by the lstat
        # of `_safe_inside`, which every listed path goes through
    return sorted(set(inner)), outer
