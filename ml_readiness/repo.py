"""The audited tree: one file index and bounded, safe reads.

Nothing here imports or runs anything from the audited repository. Git is asked for the file
list with every repo-configurable program neutralised (fsmonitor, hooks, filters, external diff,
pagers), because `.git/config` belongs to the repository under audit.
"""

from __future__ import annotations

import bisect
import os
import re
import stat
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from fnmatch import translate
from pathlib import Path

from ml_readiness.errors import UsageError
from ml_readiness.evidence import Note
from ml_readiness.gitindex import take_index

DEFAULT_MAX_FILE_BYTES = 2 * 1024 * 1024
DEFAULT_MAX_FILES = 200_000
VENDORED_DIRS = frozenset(
    {
        ".venv",
        "venv",
        "site-packages",
        "node_modules",
        "third_party",
        "vendor",
        ".git",
        ".tox",
        ".nox",
        "__pycache__",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        "dist-packages",
        ".eggs",
    }
)


@dataclass(frozen=True)
class FileText:
    """The decoded text of a file, or why there is none."""

    text: str | None
    reason: str | None = None


@dataclass
class Repo:
    """A read-only view of the audited tree.

    `files` lists POSIX paths relative to `root` (sorted). When `root` sits inside a larger git
    repository, that repository's top-level CI and ownership files are listed too, relative to
    `root` (`../../.github/workflows/ci.yml`); `logical()` gives their path from that top.
    """

    root: Path
    files: list[str]
    excludes: tuple[str, ...] = ()
    max_file_bytes: int = DEFAULT_MAX_FILE_BYTES
    outer_root: Path | None = None
    commit: str | None = None
    remote_url: str | None = None
    in_git: bool = False
    notes: list[Note] = field(default_factory=list)
    tracked: frozenset[str] | None = None  # git-tracked paths; None outside git
    _text_cache: dict[str, FileText] = field(default_factory=dict, repr=False)
    _bytes_cache: dict[str, bytes | None] = field(default_factory=dict, repr=False)
    reads: dict[str, int] = field(default_factory=dict, repr=False)

    # -- index -----------------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        excludes: Iterable[str] = (),
        max_file_bytes: int = DEFAULT_MAX_FILE_BYTES,
        max_files: int = DEFAULT_MAX_FILES,
    ) -> Repo:
        """Index the tree at `path`. Raises UsageError when it is missing or not a folder."""
        root = Path(path)
        if not root.exists():
            raise UsageError(f"path does not exist: {path}")
        if not root.is_dir():
            raise UsageError(f"path is not a directory: {path}")
        root = root.resolve()
        excludes = tuple(excludes)
        notes: list[Note] = []
        toplevel, listed, tracked, commit, remote = take_index(root)
        outer_files: list[str] = []
        outer_root: Path | None = None
        if toplevel is not None and listed is not None:
            raw, outer_files = listed
            in_git = True
            if toplevel != root:
                outer_root = toplevel
        else:
            raw = _walk(root, notes, max_files)
            in_git = False
        spec = None
        if excludes:  # imported only when needed: it costs ~25 ms to import
            import pathspec

            spec = pathspec.GitIgnoreSpec.from_lines(excludes)
        files: list[str] = []
        folders: dict[str, str | None] = {}
        for rel in raw:
            if _is_vendored(rel) or (spec is not None and spec.match_file(rel)):
                continue
            if not _safe_inside(root, rel, notes, folders):
                continue
            files.append(rel)
            if len(files) >= max_files:
                notes.append(
                    Note(
                        ".",
                        f"file index capped at {max_files} files; the rest "
                        "were not audited (raise with --max-files)",
                    )
                )
                break
        files.sort()
        up = "../" * len(root.relative_to(outer_root).parts) if outer_root else ""
        outer_folders: dict[str, str | None] = {}
        outer = sorted(
            up + f
            for f in outer_files
            if outer_root and _safe_inside(outer_root, f, notes, outer_folders)
        )
        return cls(
            root=root,
            files=outer + files,
            excludes=excludes,
            max_file_bytes=max_file_bytes,
            outer_root=outer_root,
            commit=commit,
            remote_url=remote,
            in_git=in_git,
            notes=notes,
            tracked=frozenset(tracked) if in_git else None,
        )

    def __post_init__(self) -> None:
        self._root_text = str(self.root)
        self._fileset = frozenset(self.files)
        self._suffix_cache: dict[tuple[str, ...], list[str]] = {}
        self._glob_cache: dict[tuple[str, ...], list[str]] = {}
        self._glob_names: list[str] | None = None
        self._joined_names: tuple[str, list[int]] | None = None
        self._joined_lower: str | None = None
        self._sorted: list[str] | None = None
        self._lower_files: list[str] | None = None
        self._base_names: list[str] | None = None
        self._in_order = True

    def is_tracked(self, rel: str) -> bool:
        """True when git tracks `rel` (outside git: when it is in the index)."""
        if self.tracked is not None:
            return rel in self.tracked and rel in self._fileset
        return rel in self._fileset

    def exists(self, rel: str) -> bool:
        """True when `rel` is in the index."""
        return rel in self._fileset

    @property
    def prefix(self) -> str:
        """The audited folder's path from the top of its enclosing git repository (`""` when
        the folder is that top, or outside git): reports join it to link repository files."""
        if self.outer_root is None:
            return ""
        return self.root.relative_to(self.outer_root).as_posix()

    @staticmethod
    def logical(rel: str) -> str:
        """The path without leading `../` hops (an enclosing repository's file from its top)."""
        while rel.startswith("../"):
            rel = rel[3:]
        return rel

    def glob(self, *patterns: str) -> list[str]:
        """Indexed paths matching any fnmatch-style pattern (`*` crosses folders).

        Files of an enclosing repository match by their path from its top.
        """
        cached = self._glob_cache.get(patterns)
        if cached is None:
            names = self._names()
            if not patterns:
                cached = []
            elif all(_SUFFIX_GLOB.fullmatch(p) for p in patterns):  # `*.yml`: a suffix test
                ends = tuple(p[1:] for p in patterns)
                cached = [
                    f for f, name in zip(self.files, names, strict=True) if name.endswith(ends)
                ]
            else:
                # one regex for all patterns: the same matching as `fnmatchcase`, at C speed,
                # tried only on the paths holding each pattern's longest plain run of characters
                match = re.compile("|".join(f"(?:{translate(p)})" for p in patterns)).match
                literals = [_glob_literal(p) for p in patterns]
                if all(literals):
                    hits = set().union(*(self._containing(lit) for lit in literals))
                    cached = [self.files[i] for i in sorted(hits) if match(names[i])]
                else:
                    cached = [f for f, name in zip(self.files, names, strict=True) if match(name)]
            self._glob_cache[patterns] = cached
        return list(cached)

    def _names(self) -> list[str]:
        """Each indexed path as patterns see it: an enclosing repository's file from its top."""
        if self._glob_names is None:
            self._glob_names = [self.logical(f) if f[:3] == "../" else f for f in self.files]
        return self._glob_names

    def paths_containing(self, *literals: str, lower: bool = False) -> list[str]:
        """Indexed paths (as patterns see them: see `glob`) holding any of `literals`, in index
        order; with `lower`, compared lower-cased (pass lower-case literals). A cheap first
        filter for checks that look for names: no Python loop over the whole index."""
        found: set[int] = set()
        for literal in literals:
            found |= self._containing(literal, lower)
        return [self.files[i] for i in sorted(found)]

    def _containing(self, literal: str, lower: bool = False) -> set[int]:
        """Indexes of the paths (as `_names` gives them) that contain `literal`, found with
        `str.find` in all the names joined by NUL, which no path holds."""
        if self._joined_names is None:
            names = self._names()
            starts = [0]
            for name in names:
                starts.append(starts[-1] + len(name) + 1)
            self._joined_names = ("\0".join(names) + "\0", starts)
        text, starts = self._joined_names
        if lower:
            if self._joined_lower is None:
                self._joined_lower = text.lower()
            text = self._joined_lower
        found: set[int] = set()
        at = text.find(literal)
        while at != -1:
            index = bisect.bisect_right(starts, at) - 1
            found.add(index)
            at = text.find(literal, starts[index + 1])
        return found

    def with_suffix(self, *suffixes: str) -> list[str]:
        """Indexed paths ending with any of `suffixes` (case-insensitive); cached."""
        low = tuple(s.lower() for s in suffixes)
        cached = self._suffix_cache.get(low)
        if cached is None:
            lowered = self._lowered()
            cached = [
                f for f, f_low in zip(self.files, lowered, strict=True) if f_low.endswith(low)
            ]
            self._suffix_cache[low] = cached
        return list(cached)

    def named(self, *names: str) -> list[str]:
        """Indexed paths whose base name is one of `names` (case-insensitive)."""
        low = {n.lower() for n in names}
        if self._base_names is None:
            self._base_names = [f.rsplit("/", 1)[-1] for f in self._lowered()]
        return [f for f, base in zip(self.files, self._base_names, strict=True) if base in low]

    def _lowered(self) -> list[str]:
        """The indexed paths lower-cased (computed once; suffix and name lookups use it)."""
        if self._lower_files is None:
            self._lower_files = [f.lower() for f in self.files]
        return self._lower_files

    def under(self, folder: str) -> list[str]:
        """Indexed paths below `folder`."""
        prefix = folder.rstrip("/") + "/"
        if self._sorted is None:
            self._sorted = sorted(self.files)
            self._in_order = self._sorted == self.files
        ordered = self._sorted
        start = bisect.bisect_left(ordered, prefix)
        out = []
        for f in ordered[start:]:  # the paths below `prefix` sit together in sorted order
            if not f.startswith(prefix):
                break
            out.append(f)
        if not self._in_order:
            position = {f: i for i, f in enumerate(self.files)}
            out.sort(key=position.__getitem__)
        return out

    def abspath(self, rel: str) -> Path:
        if rel.startswith("../") and self.outer_root is not None:
            return self.outer_root / self.logical(rel)
        return self.root / rel

    # -- reads -----------------------------------------------------------------------------
    def size(self, rel: str) -> int | None:
        try:
            st = os.lstat(self.abspath(rel))
        except OSError:
            return None
        return st.st_size if stat.S_ISREG(st.st_mode) else None

    def read_bytes(self, rel: str, limit: int | None = None) -> bytes | None:
        """The file's bytes (at most `limit`, default the size cap), or None when unreadable.

        Oversized files return None unless `limit` asks for a prefix; each path is read from
        disk at most once per audit.
        """
        cap = self.max_file_bytes if limit is None else limit
        key = f"{rel}\0{cap}"
        if key in self._bytes_cache:
            return self._bytes_cache[key]
        data = self._read(rel, cap, prefix_ok=limit is not None)
        if limit is None or limit <= self.max_file_bytes:
            # large sampled reads (data validation) are not kept for the rest of the audit
            self._bytes_cache[key] = data
        return data

    def _read(self, rel: str, cap: int, prefix_ok: bool) -> bytes | None:
        self.reads[rel] = self.reads.get(rel, 0) + 1
        try:  # a plain string path: building a Path per read cost more than the read
            fd = os.open(
                os.path.join(self._root_text, rel) if rel[:3] != "../" else self.abspath(rel),
                _READ_FLAGS,
            )
        except OSError as exc:
            path = self.abspath(rel)
            if not (os.path.islink(path) and _link_inside(self.root, path)):
                self._note(rel, f"unreadable: {exc.strerror or exc}")
                return None
            try:  # an in-tree link: safe to follow, already checked by the index
                fd = os.open(path.resolve(), os.O_RDONLY | os.O_NONBLOCK)
            except OSError as exc2:
                self._note(rel, f"unreadable: {exc2.strerror or exc2}")
                return None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode):
                self._note(rel, "not a regular file; skipped")
                return None
            if st.st_size > cap and not prefix_ok:
                self._note(rel, f"larger than the {cap} byte cap ({st.st_size} bytes); skipped")
                return None
            chunks = []
            remaining = cap
            request = st.st_size + 1  # the whole file and its end, in one read as a rule
            while remaining > 0:
                chunk = os.read(fd, min(remaining, request))
                if not chunk:
                    break
                chunks.append(chunk)
                remaining -= len(chunk)
                if len(chunk) < min(remaining + len(chunk), request):
                    break  # a short read of a regular file is its end
                request = 1 << 20
            return b"".join(chunks)
        except OSError as exc:
            self._note(rel, f"unreadable: {exc.strerror or exc}")
            return None
        finally:
            os.close(fd)

    def read_text(self, rel: str) -> str | None:
        """The decoded text (UTF-8, BOM allowed), or None for binary/undecodable/unreadable."""
        return self.text(rel).text

    def text(self, rel: str) -> FileText:
        cached = self._text_cache.get(rel)
        if cached is not None:
            return cached
        data = self.read_bytes(rel)
        if data is None:
            result = FileText(None, "unreadable")
        elif b"\0" in data[:8192]:
            result = FileText(None, "binary")
        else:
            try:
                result = FileText(data.decode("utf-8-sig"))
            except UnicodeDecodeError:
                result = FileText(None, "not valid UTF-8")
                self._note(rel, "not valid UTF-8; skipped")
        self._text_cache[rel] = result
        return result

    def _note(self, rel: str, message: str) -> None:
        note = Note(rel, message)
        if note not in self.notes:
            self.notes.append(note)

    def note(self, rel: str, message: str) -> None:
        """Record an input that was skipped or could not be understood."""
        self._note(rel, message)


# `*` + characters without wildcards: fnmatch's `*` crosses folders, so this is a suffix test
_SUFFIX_GLOB = re.compile(r"\*[^*?\[\]]+")


def _glob_literal(pattern: str) -> str:
    """The longest run of plain characters of an fnmatch pattern: every path it matches holds
    that run. Brackets are read as `fnmatch.translate` reads them (an unclosed `[` is plain)."""
    best = run = ""
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        i += 1
        if c == "[":
            j = i + 1 if i < n and pattern[i] == "!" else i
            j = j + 1 if j < n and pattern[j] == "]" else j
            while j < n and pattern[j] != "]":
                j += 1
            if j < n:  # a character class: any one character, so the plain run ends here
                best, run, i = max(best, run, key=len), "", j + 1
                continue
        elif c in "*?":
            best, run = max(best, run, key=len), ""
            continue
        run += c
    return max(best, run, key=len)


_READ_FLAGS = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | os.O_NONBLOCK


def _is_vendored(rel: str) -> bool:
    parts = rel.split("/")
    return any(p in VENDORED_DIRS or p.endswith(".egg-info") for p in parts[:-1])


def _link_inside(root: Path, path: Path) -> bool:
    try:
        target = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return False
    return target == root or root in target.parents


def _link_problem(root: Path, link: Path) -> str | None:
    """Why a symbolic link must not be followed (None when it stays inside the root)."""
    try:
        target = link.resolve(strict=True)
    except RuntimeError:
        return "symbolic link loop; not followed"
    except OSError:
        return "dangling symbolic link; not followed"
    if target != root and root not in target.parents:
        return "symbolic link leading outside the audited tree; not followed"
    return None


def _safe_inside(
    root: Path, rel: str, notes: list[Note], folders: dict[str, str | None] | None = None
) -> bool:
    """False (with a note) for links that leave the root, dangle or loop.

    `folders` caches, per folder, why it must not be followed (None when fine), so each folder
    is checked once however many files it holds; a path costs one `lstat` when nothing on the
    way is a link.
    """
    parent, _, _name = rel.rpartition("/")
    if parent:
        problem = _folder_problem(root, parent, {} if folders is None else folders)
        if problem:
            notes.append(Note(rel, problem))
            return False
    full = f"{root}/{rel}"  # root is absolute and resolved; rel is a plain relative path
    try:
        st = os.lstat(full)
    except (OSError, ValueError):
        return False
    if stat.S_ISLNK(st.st_mode):
        problem = _link_problem(root, Path(full))
        if problem:
            notes.append(Note(rel, problem))
            return False
        return os.path.isfile(full)
    return stat.S_ISREG(st.st_mode)


def _folder_problem(root: Path, folder: str, folders: dict[str, str | None]) -> str | None:
    """Why `folder` (relative to root) must not be followed: a link leaving the root, etc."""
    if folder in folders:
        return folders[folder]
    parent, _, _name = folder.rpartition("/")
    problem = _folder_problem(root, parent, folders) if parent else None
    if problem is None:
        full = f"{root}/{folder}"
        try:
            is_link = stat.S_ISLNK(os.lstat(full).st_mode)
        except (OSError, ValueError):
            is_link = False
        if is_link:
            problem = _link_problem(root, Path(full))
    folders[folder] = problem
    return problem


def _walk(root: Path, notes: list[Note], max_files: int) -> list[str]:
    """All files below root honouring every .gitignore on the way, without following links."""
    import pathspec  # outside git only

    out: list[str] = []
    specs: list[tuple[str, pathspec.PathSpec]] = []

    def ignored(rel: str, is_dir: bool) -> bool:
        for base, spec in specs:
            if base and not rel.startswith(base):
                continue
            sub = rel[len(base) :]
            if spec.match_file(sub + ("/" if is_dir else "")):
                return True
        return False

    def visit(folder: Path, rel_folder: str, depth: int) -> None:
        if depth > 64:
            notes.append(
                Note(rel_folder or ".", "folders nested deeper than 64 levels; not indexed")
            )
            return
        gi = folder / ".gitignore"
        pushed = False
        if gi.is_file() and not gi.is_symlink():
            try:
                lines = gi.read_text("utf-8", errors="replace").splitlines()
                specs.append((rel_folder, pathspec.GitIgnoreSpec.from_lines(lines)))
                pushed = True
            except (OSError, ValueError):
                notes.append(Note(rel_folder + ".gitignore", "unreadable .gitignore"))
        try:
            entries = sorted(os.scandir(folder), key=lambda e: e.name)
        except OSError as exc:
            notes.append(Note(rel_folder or ".", f"unreadable folder: {exc.strerror}"))
            entries = []
        for entry in entries:
            if len(out) >= max_files:
                break
            rel = rel_folder + entry.name
            if entry.name == ".git":
                continue
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if ignored(rel, is_dir):
                continue
            if is_dir:
                if entry.name in VENDORED_DIRS:
                    continue
                visit(Path(entry.path), rel + "/", depth + 1)
            else:
                out.append(rel)
        if pushed:
            specs.pop()

    visit(root, "", 0)
    return out


def iter_lines(text: str) -> Iterator[tuple[int, str]]:
    """(1-based line number, line) pairs."""
    yield from enumerate(text.splitlines(), start=1)
