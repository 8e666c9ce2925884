"""justfiles read statically: recipes with their dependencies and bodies, from the justfile and
the files it imports (`import 'tasks/check.just'`), and the `just` command that runs them."""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING

from ml_readiness.automation.paths import join
from ml_readiness.automation.runners import MAX_INCLUDES, Lines

if TYPE_CHECKING:
    from ml_readiness.automation.resolve import Ctx, Resolver, Seed
    from ml_readiness.facts import Facts

Chain = tuple[str, ...]
_JUST_IMPORT = re.compile(r"""^import\??\s+['"]([^'"]+)['"]\s*$""")
_JUST_VAR = re.compile(r"""^(?:export\s+)?([A-Za-z_][\w-]*)\s*:=\s*['"]?([^'"]*)['"]?\s*$""")
_JUST_RECIPE = re.compile(r"^@?([A-Za-z_][\w-]*)([^:]*):(?!=)\s*(.*)$")
_JUST_PARAM = re.compile(r"""([A-Za-z_][\w-]*)=(?:"([^"]*)"|'([^']*)'|(\S+))""")


def _just_lines(facts: Facts, path: str, seen: set[str]) -> list[tuple[str, int, str]]:
    """(file, line number, text) of a justfile and, after it, the files it imports."""
    if path in seen or len(seen) >= MAX_INCLUDES:
        return []
    seen.add(path)
    own = [(path, n, line) for n, line in enumerate((facts.text(path) or "").splitlines(), 1)]
    out = list(own)
    for _, _, line in own:
        m = _JUST_IMPORT.match(line)
        if m:
            out += _just_lines(facts, join(posixpath.dirname(path), m.group(1)), seen)
    return out


def parse_justfile(
    facts: Facts, path: str, origins: dict[str, str] | None = None
) -> tuple[dict[str, tuple[list[str], Lines]], str | None]:
    """Recipe → (dependencies, body lines), and the default (first) recipe of the justfile
    and the files it imports (`import 'tasks/check.just'`); `origins` receives the file of
    each recipe. Variables and parameter defaults are substituted in `{{...}}`."""
    lines = _just_lines(facts, path, set())
    variables: dict[str, str] = {}
    for _, _, line in lines:
        m = _JUST_VAR.match(line)
        if m:
            variables[m.group(1)] = m.group(2)
    recipes: dict[str, tuple[list[str], Lines]] = {}
    params: dict[str, str] = {}
    current: str | None = None
    first = None
    for file, number, line in lines:
        if line[:1] in (" ", "\t") and current:
            body = line.strip().lstrip("@-")
            if body and not body.startswith("#"):
                for k, v in {**variables, **params}.items():
                    body = re.sub(r"\{\{\s*" + re.escape(k) + r"\s*\}\}", v, body)
                recipes[current][1].append((number, body))
            continue
        if _JUST_VAR.match(line) or _JUST_IMPORT.match(line):
            continue
        m = _JUST_RECIPE.match(line)
        if m and not line.startswith("#"):
            current = m.group(1)
            params = {p[0]: p[1] or p[2] or p[3] for p in _JUST_PARAM.findall(m.group(2))}
            recipes[current] = (m.group(3).split("#")[0].split(), [])
            if origins is not None:
                origins[current] = file
            first = first or current
        elif line.strip() and not line.startswith(("#", "[")):
            current = None
    return recipes, first


def just(r: Resolver, args: list[str], cwd: str, chain: Chain, ctx: Ctx) -> list[Seed]:
    """`just [-f file] [-d dir] [recipe ...]`: the recipes (or the default), dependencies first."""
    given, folder, words = None, cwd, []
    it = iter(args)
    for a in it:
        if a in ("-f", "--justfile"):
            given = next(it, None)
        elif a in ("-d", "--working-directory"):
            folder = join(cwd, next(it, "."))
        elif a in ("-l", "--list", "--summary", "--show", "-s", "--dump", "--evaluate"):
            return []
        elif not a.startswith("-"):
            words.append(a)
    names = [given] if given else ["justfile", "Justfile", ".justfile"]
    path = next((join(cwd, n) for n in names if r.facts.repo.exists(join(cwd, n))), None)
    if path is None:
        r.note(ctx.where, f"`just` in {cwd or '.'}: no justfile there")
        return []
    origins: dict[str, str] = {}
    recipes, default = parse_justfile(r.facts, path, origins)
    # words that are not recipes are arguments of the recipe before them
    wanted = [w for w in words if w in recipes] or ([default] if default else [])
    seeds: list[Seed] = []
    done: set[str] = set()

    def run(name: str) -> None:
        if name in done or name not in recipes:
            return
        done.add(name)
        deps, body = recipes[name]
        for dep in deps:
            run(dep)
        file = origins.get(name, path)
        for _line, text in body:
            seeds.extend(r.script(text, folder, (*chain, f"{file}#{name}"), ctx.deeper(file)))

    for name in wanted:
        run(name)
    return seeds
