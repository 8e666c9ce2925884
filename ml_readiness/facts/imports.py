"""Which repository file an import statement refers to, and the repo's import graph.

Module names are derived from paths for every plausible package root (the repo root, `src/`,
`lib/`, and any folder above a package), so `from features.build import f` finds
`src/features/build.py` as well as `features/build.py`. Ambiguity is resolved towards the
importer's own tree, then the shortest path.
"""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from ml_readiness.facts.python import Import, PythonFacts

if TYPE_CHECKING:
    from ml_readiness.facts import Facts


class ModuleIndex:
    """Dotted module name → repository file(s)."""

    def __init__(self, paths: list[str]) -> None:
        self.by_name: dict[str, list[str]] = defaultdict(list)
        self.name_of: dict[str, str] = {}
        for path in paths:
            if not path.endswith(".py") or path.startswith("../"):
                continue
            parts = path[:-3].split("/")
            if parts[-1] == "__init__":
                parts = parts[:-1]
            if not parts or not all(p.isidentifier() for p in parts[-1:]):
                continue
            # every suffix of the path is a candidate module name
            for start in range(len(parts)):
                name = ".".join(parts[start:])
                if all(p.isidentifier() for p in parts[start:]):
                    self.by_name[name].append(path)
            self.name_of[path] = _best_name(parts)
        for name in self.by_name:
            self.by_name[name].sort(key=lambda p: (p.count("/"), p))

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
        found = self.find(imp.module, importer)
        if found:
            out.append(found)
        if imp.name:
            sub = self.find(f"{imp.module}.{imp.name}", importer)
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
    return facts.memo("module_index", lambda f: ModuleIndex(f.repo.with_suffix(".py")))


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
        for target in index.resolve(path, imp):
            if target != path and target not in out:
                out.append(target)
    cache[path] = out
    return out


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
