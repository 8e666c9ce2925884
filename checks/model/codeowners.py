"""CODEOWNERS files: where GitHub reads them, how their patterns match, who owns a path.

Semantics follow GitHub's documentation: gitignore-like patterns (`*.py` anywhere, `/src/`
anchored at the top, `apps/` a folder anywhere, `docs/*` only the folder's direct files,
`docs/**` everything below), the **last** matching line wins, and a pattern without owners
leaves the matching paths without an owner. `!` negation and `[ ]` ranges are not supported by
GitHub; such lines are ignored. This module holds no check; model-1 uses it.
"""

from __future__ import annotations

import functools
import warnings
from collections.abc import Iterable
from dataclasses import dataclass

# GitHub reads the first of these it finds (from the top of the repository).
CODEOWNERS_LOCATIONS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS")


@functools.cache
def _pattern_factory() -> type:
    """pathspec's gitignore pattern class, imported on first use (~25 ms to import, and most
    repositories have no CODEOWNERS)."""
    from pathspec.util import lookup_pattern

    for name in ("gitignore", "gitwildmatch"):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", DeprecationWarning)
                return lookup_pattern(name)
        except KeyError:
            continue
    raise RuntimeError("pathspec offers no gitignore pattern")  # pragma: no cover


@dataclass(frozen=True)
class OwnerRule:
    """One CODEOWNERS line: its pattern, owners (possibly none) and line number."""

    pattern: str
    owners: tuple[str, ...]
    line: int

    def matches(self, path: str) -> bool:
        """True when the rule's pattern matches the repository path `path`."""
        return _matches(self.pattern, path)


def _matches(pattern: str, path: str) -> bool:
    import pathspec

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        spec = pathspec.PathSpec([_pattern_factory()(pattern)])
    if not spec.match_file(path):
        return False
    body = pattern.rstrip("/")
    if body.endswith("/*") and "**" not in body:
        # `docs/*` owns docs/a.md but not docs/sub/b.md (GitHub differs from gitignore here)
        return path.count("/") == body.lstrip("/").count("/")
    return True


def parse_codeowners(text: str) -> list[OwnerRule]:
    """The rules of a CODEOWNERS file, in file order (comments, blanks, `!` lines dropped)."""
    rules = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        tokens = _split(line)
        if not tokens:
            continue
        pattern, owners = tokens[0], tuple(t for t in tokens[1:] if _is_owner(t))
        if pattern.startswith("!") or "[" in pattern:
            continue  # not supported by GitHub: the line is skipped there too
        rules.append(OwnerRule(pattern, owners, number))
    return rules


def _split(line: str) -> list[str]:
    tokens: list[str] = []
    for token in line.split():
        if token.startswith("#"):
            break  # an inline comment ends the rule
        tokens.append(token)
    return tokens


def _is_owner(token: str) -> bool:
    return token.startswith("@") or ("@" in token and "." in token.split("@", 1)[1])


def owning_rule(rules: Iterable[OwnerRule], path: str) -> OwnerRule | None:
    """The rule that decides `path`'s owners: the last matching one (None: no rule matches)."""
    found = None
    for rule in rules:
        if rule.matches(path):
            found = rule
    return found


def owners_of(rules: Iterable[OwnerRule], path: str) -> tuple[str, ...]:
    """The owners GitHub requests review from for `path` (empty when nobody owns it)."""
    rule = owning_rule(rules, path)
    return rule.owners if rule else ()


__all__ = [
    "CODEOWNERS_LOCATIONS",
    "OwnerRule",
    "owners_of",
    "owning_rule",
    "parse_codeowners",
]
