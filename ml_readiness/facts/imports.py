"""Which repository file an import statement refers to, and the repo's import graph.

Module names are derived from paths for every plausible package root (the repo root, `src/`,
`lib/`, and any folder above a package), so `from features.build import f` finds
`src/features/build.py` as well as `features/build.py`. Ambiguity is resolved towards the
importer's own tree, then the shortest path.

A file that puts a folder on `sys.path` (`sys.path.insert(0, "src")`,
`sys.path.append(os.path.join(os.path.dirname(__file__), "..", "src"))`,
`sys.path.insert(0, str(Path(__file__).parent.parent / "ml" / "training"))`) imports modules
relative to that folder first: `from train import train` then means `ml/training/train.py`.
Only string literals in the call's line (or in the line assigning the variable it passes) are
read, joined into a path from the file's folder (or, without `..`, from a folder above it); a
folder counts only when it holds Python files of the repository.
"""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from typing import TYPE_CHECKING, Any

from ml_readiness.facts.python import MODULE, Import, PythonFacts

if TYPE_CHECKING:
    from ml_readiness.facts import Facts


class ModuleIndex:
    """Dotted module name → repository file(s)."""

    def __init__(self, paths: list[str], facts: Facts | None = None) -> None:
        self.by_name: dict[str, list[str]] = defaultdict(list)
        self.name_of: dict[str, str] = {}
        self._facts = facts
        self._path_dirs: dict[str, tuple[str, ...]] = {}
        for path in paths:
            if not path.endswith(".py") or path.startswith("../"):
                continue
            parts = path[:-3].split("/")
            if parts[-1] == "__init__":
                parts = parts[:-1]
            if not parts or not parts[-1].isidentifier():
                continue
            # every suffix of the path made of identifiers is a candidate module name
            for start in range(len(parts) - 1, -1, -1):
                if not parts[start].isidentifier():
                    break  # every longer suffix holds this part too
                self.by_name[".".join(parts[start:])].append(path)
            self.name_of[path] = _best_name(parts)
        for paths in self.by_name.values():
            if len(paths) > 1:  # most names name one file
                paths.sort(key=lambda p: (p.count("/"), p))
        self.folders = {posixpath.dirname(p) for p in self.name_of}

    def path_dirs(self, importer: str) -> tuple[str, ...]:
        """Repository folders `importer` adds to `sys.path` (see the module docstring)."""
        cached = self._path_dirs.get(importer)
        if cached is None:
            cached = _sys_path_dirs(self._facts, importer, self.folders) if self._facts else ()
            self._path_dirs[importer] = cached
        return cached

    def on_path(self, module: str, importer: str) -> str | None:
        """The file of `module` under a folder `importer` adds to `sys.path`, if any."""
        sub = module.replace(".", "/")
        for folder in self.path_dirs(importer):
            for candidate in (f"{sub}.py", f"{sub}/__init__.py"):
                candidate = posixpath.join(folder, candidate) if folder else candidate
                if candidate in self.name_of:
                    return candidate
        return None

    def module_of(self, path: str) -> str | None:
        """The most plausible dotted module name of a file (`src/pkg/a.py` → `pkg.a`)."""
        return self.name_of.get(path)

    def find(self, module: str, near: str | None = None) -> str | None:
        """The file defining `module` (a package's `__init__.py` for a package)."""
        candidates = self.by_name.get(module)
        if not candidates:
            return None
        if len(candidates) > 1 and near:
            top = near.split("/", 1)[0]
            same_tree = [c for c in candidates if c.split("/", 1)[0] == top]
            if same_tree:
                return same_tree[0]
        return candidates[0]

    def resolve(self, importer: str, imp: Import) -> list[str]:
        """Repository files an import brings in (the module, and a submodule for from-imports)."""
        if imp.level:
            base = importer.rsplit("/", 1)[0].split("/") if "/" in importer else []
            if importer.endswith("/__init__.py"):
                base = importer.rsplit("/", 1)[0].split("/")
            base = base[: len(base) - (imp.level - 1)] if imp.level > 1 else base
            rel = imp.module.lstrip(".")
            folder = "/".join(base + (rel.split(".") if rel else []))
            out = []
            for candidate in (f"{folder}.py", f"{folder}/__init__.py"):
                if candidate in self.name_of:
                    out.append(candidate)
            if imp.name:
                for candidate in (f"{folder}/{imp.name}.py", f"{folder}/{imp.name}/__init__.py"):
                    if candidate in self.name_of:
                        out.append(candidate)
            return out
        out = []
        found = self.on_path(imp.module, importer) or self.find(imp.module, importer)
        if found:
            out.append(found)
        if imp.name:
            dotted = f"{imp.module}.{imp.name}"
            sub = self.on_path(dotted, importer) or self.find(dotted, importer)
            if sub:
                out.append(sub)
        return out


def _best_name(parts: list[str]) -> str:
    for root in ("src", "lib", "python"):
        if root in parts[:-1]:
            idx = len(parts) - 1 - parts[::-1].index(root)
            if idx < len(parts) - 1:
                return ".".join(parts[idx + 1 :])
    return ".".join(parts)


def module_index(facts: Facts) -> ModuleIndex:
    """The shared ModuleIndex of the audited repo."""
    return facts.memo("module_index", lambda f: ModuleIndex(f.repo.with_suffix(".py"), f))


SYS_PATH_CALLS = ("sys.path.insert", "sys.path.append")
STRING = re.compile(r"""(?<![\w.])[rRbBuU]?(["'])([^"'\\\n]*)\1""")
MAX_PATH_DIRS = 8


def _sys_path_dirs(facts: Facts, path: str, folders: set[str]) -> tuple[str, ...]:
    if not path.endswith(".py") or not facts.repo.exists(path):
        return ()  # (an importer may be a stand-in: `python -m pkg` runs `pkg/__main__.py`)
    if not facts.mentions(path, "sys.path"):
        return ()
    pf = facts.python(path)
    if pf is None:
        return ()
    lines = facts.lines(path)
    out: list[str] = []
    for call in pf.calls:
        if call.qualified not in SYS_PATH_CALLS or len(out) >= MAX_PATH_DIRS:
            continue
        value: Any = call.args[-1] if call.args else None
        if isinstance(value, str) and not value.startswith(("$", "<")):
            parts = [value]  # a literal: relative to the working directory (or the script)
        else:
            source = _arg_source(pf, call.line, value, lines)
            if source is None:
                continue
            parts = [m.group(2) for m in STRING.finditer(source)]
            if not parts and "__file__" not in source:
                continue
        folder = _folder(posixpath.dirname(path), parts, folders)
        if folder is not None and folder not in out:
            out.append(folder)
    return tuple(out)


def _arg_source(pf: PythonFacts, line: int, value: Any, lines: list[str]) -> str | None:
    """The source line of the call, or of the assignment of the variable it passes."""
    text = _statement(lines, line)
    if isinstance(value, str) and value.startswith("$") and value[1:].isidentifier():
        name = value[1:]
        assign = next((a for a in reversed(pf.assigns) if a.name == name and a.line < line), None)
        if assign is None:
            return None
        text = _statement(lines, assign.line)
        text = text.split("=", 1)[1] if "=" in text else text
    return text or None


def _statement(lines: list[str], line: int) -> str:
    """The source from `line` until its brackets close (at most 4 lines), comments dropped."""
    out = ""
    for text in lines[max(0, line - 1) : line + 3]:
        out += text.split("#", 1)[0] + " "
        if out.count("(") <= out.count(")"):
            break
    return out.strip()


def _folder(base: str, parts: list[str], folders: set[str]) -> str | None:
    """The repository folder `parts` name, from `base` (or a folder above it without `..`)."""
    rel = "/".join(p.strip("/") for p in parts if p.strip("/") not in ("", "."))
    if rel.startswith("/") or ":" in rel:
        return None
    bases = [base]
    if ".." not in rel.split("/"):
        while base:
            base = posixpath.dirname(base)
            bases.append(base)
    for start in bases:
        folder = posixpath.normpath(posixpath.join(start, rel)) if rel else start
        folder = "" if folder == "." else folder
        if folder.startswith(".."):
            continue
        if folder in folders or any(f.startswith(folder + "/") for f in folders if folder):
            return folder
    return None


def imported_files(facts: Facts, path: str, pf: PythonFacts | None = None) -> list[str]:
    """Repository files that `path` imports (module-level and inside functions); cached."""
    cache: dict[str, list[str]] = facts.memo("imported_files", lambda _f: {})
    hit = cache.get(path)
    if hit is not None:
        return hit
    pf = pf or facts.python(path)
    if pf is None:
        cache[path] = []
        return []
    index = module_index(facts)
    out: list[str] = []
    for imp in pf.imports:
        targets = index.resolve(path, imp)
        if imp.name and imp.name != "*":  # `from pkg import Name`: Name's own module too
            targets += [
                t
                for target in targets
                if target.endswith("__init__.py")
                for t in reexported_from(facts, target, imp.name)
            ]
        for target in targets:
            if target != path and target not in out:
                out.append(target)
    cache[path] = out
    return out


MAX_REEXPORT_HOPS = 4


def reexported_from(
    facts: Facts, package: str, name: str, hops: int = MAX_REEXPORT_HOPS
) -> list[str]:
    """The files defining `name` when a package's `__init__.py` re-exports it (`from .features
    import FeatureBuilder`, `from .features import *` of a module defining it), followed
    through packages that re-export it in turn; [] when the package defines it itself."""
    pf = facts.python(package)
    if pf is None or hops <= 0:
        return []
    index = module_index(facts)
    out: list[str] = []
    for imp in pf.imports:
        if imp.scope != MODULE or imp.alias != name and imp.name != "*":
            continue
        for target in index.resolve(package, imp)[:1]:  # the module the name comes from
            if target == package:
                continue
            if imp.name == "*" and not _defines(facts, target, name):
                continue
            out.append(target)
            if target.endswith("__init__.py"):
                out += reexported_from(
                    facts, target, imp.name if imp.name != "*" else name, hops - 1
                )
    return out


def _defines(facts: Facts, path: str, name: str) -> bool:
    pf = facts.python(path)
    return pf is not None and (
        any(f.qualname == name for f in pf.functions)
        or any(c.qualname == name for c in pf.classes)
        or any(a.name == name for a in pf.assigns)
    )


def importers_of_tests(facts: Facts) -> dict[str, list[str]]:
    """Repository file → the test files that import it (computed once per audit)."""

    def build(f: Facts) -> dict[str, list[str]]:
        reverse: dict[str, list[str]] = defaultdict(list)
        for path, pf in f.python_files(tests=True):
            for target in imported_files(f, path, pf):
                reverse[target].append(path)
        return dict(reverse)

    return facts.memo("test_importers", build)


def reachable_files(facts: Facts, start: str, limit: int = 5000) -> list[str]:
    """`start` and every repository file it imports, transitively (bounded)."""
    seen = [start]
    known = {start}
    queue = [start]
    while queue and len(seen) < limit:
        current = queue.pop()
        for target in imported_files(facts, current):
            if target not in known:
                known.add(target)
                seen.append(target)
                queue.append(target)
    return seen
