"""CODEOWNERS pattern semantics (GitHub's documented rules)."""

from __future__ import annotations

from ml_readiness.checks.model.codeowners import owners_of, owning_rule, parse_codeowners

RULES = parse_codeowners(
    """\
# global owners
*       @everyone
*.py    @python-team   # inline comment
/src/   @src-team
docs/** @docs-team
docs/*  @docs-top
apps/   @apps-team
/src/generated/
!negated @nobody
"""
)


def test_parses_lines_comments_and_owners() -> None:
    assert [(r.pattern, r.owners, r.line) for r in RULES] == [
        ("*", ("@everyone",), 2),
        ("*.py", ("@python-team",), 3),
        ("/src/", ("@src-team",), 4),
        ("docs/**", ("@docs-team",), 5),
        ("docs/*", ("@docs-top",), 6),
        ("apps/", ("@apps-team",), 7),
        ("/src/generated/", (), 8),
    ]


def test_star_py_matches_anywhere() -> None:
    assert owners_of(RULES, "lib/deep/train.py") == ("@python-team",)


def test_anchored_folder_only_at_top() -> None:
    assert owners_of(RULES, "src/model.py") == ("@src-team",)
    assert owners_of(RULES, "lib/src/model.py") == ("@python-team",)


def test_last_match_wins() -> None:
    # `/src/` (line 4) comes after `*.py` (line 3), so it decides src/ Python files
    assert owning_rule(RULES, "src/a.py").line == 4


def test_docs_double_star_and_direct_children() -> None:
    assert owners_of(RULES, "docs/index.md") == ("@docs-top",)
    # `docs/*` matches direct children only, so the earlier `docs/**` rule decides
    assert owners_of(RULES, "docs/guide/setup.md") == ("@docs-team",)


def test_unanchored_folder_matches_at_any_depth() -> None:
    assert owners_of(RULES, "services/apps/web/main.js") == ("@apps-team",)


def test_pattern_without_owners_unassigns() -> None:
    assert owning_rule(RULES, "src/generated/model_pb2.py").line == 8
    assert owners_of(RULES, "src/generated/model_pb2.py") == ()


def test_negation_is_ignored_like_github() -> None:
    assert owners_of(RULES, "negated") == ("@everyone",)


def test_email_owner_and_no_match() -> None:
    rules = parse_codeowners("/models/ ml@example.com\n")
    assert owners_of(rules, "models/net.py") == ("ml@example.com",)
    assert owning_rule(rules, "serve/app.py") is None
