"""Markdown report: escaping of hostile repository text, links, deltas, size bound."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from ml_readiness.baseline import apply_baseline
from ml_readiness.render.markdown import MAX_CHARS, render_markdown
from ml_readiness.render.text import md_escape, repo_file_url
from tests.render.factory import build, ev, finding, item

HOSTILE_PATH = "src/a|b`c<script>alert(1)</script>\n# heading\x1b[31m.py"
HOSTILE_DETAIL = "uses `eval` | <img src=x onerror=alert(1)> **bold** $x$\r\n- list item\x07"


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("a|b", "a\\|b"),
        ("`code`", "\\`code\\`"),
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ("line one\nline two\r\nthree", "line one line two three"),
        ("\x1b[31mred\x1b[0m and \x1b]8;;http://x\x07link", "red and link"),
        ("a_b*c~d", "a\\_b\\*c\\~d"),
        ("# not a heading", "\\# not a heading"),
        ("- not a list", "\\- not a list"),
        ("1. not a list", "1\\. not a list"),
        ("version 2017.1", "version 2017.1"),
        ("[x](javascript:alert(1))", "\\[x\\](javascript:alert(1))"),
        ("&lt; stays text", "&amp;lt; stays text"),
        ("price $5", "price \\$5"),
        ("trailing backslash \\", "trailing backslash \\\\"),
        ("bidi \u202eevil", "bidi evil"),
        ("bad \udcff byte", "bad \ufffd byte"),
    ],
)
def test_md_escape(raw, escaped):
    assert md_escape(raw) == escaped


def _hostile_result():
    hostile = ev(HOSTILE_PATH, 4, HOSTILE_DETAIL, "code", "manual")
    items = [
        item(
            "data-1",
            "manual",
            (hostile,),
            title="Schema | <b>bold</b> `x`",
            reason="manual: " + HOSTILE_DETAIL,
            findings=(finding("skipped <test> | `x`", HOSTILE_PATH, 9, "manual"),),
            context=("looked at\n## injected heading",),
            next_step="run `pytest`\n<details>",
        ),
        item("model-1", "none"),
    ]
    return build(items, root="repo\n# root", commit="abc1234", repo_url="https://github.com/a/b")


def test_hostile_text_cannot_inject_markup():
    md = render_markdown(_hostile_result())
    assert "<script" not in md and "<img" not in md and "<b>bold" not in md
    assert "\x1b" not in md and "\x07" not in md and "\r" not in md
    # injected newlines never start their own line (no heading, no list, no HTML block)
    for line in md.splitlines():
        assert not line.startswith(("# heading", "## injected", "- list item", "<details>x"))
        assert "heading" not in line or "\\# heading" in line or "\\#\\# injected" in line
    # backticks from the repo are escaped, so no code span opens
    assert "uses \\`eval\\`" in md
    assert "run \\`pytest\\` &lt;details&gt;" in md
    # the only raw HTML is ours
    tags = set(re.findall(r"</?([a-z]+)", md))
    assert tags <= {"details", "summary", "b", "sub"}


def test_hostile_pipes_keep_table_columns():
    result = _hostile_result()
    first, *rest = result.sections
    sections = (replace(first, title="Da|ta `x` <i>"), *rest)
    md = render_markdown(replace(result, sections=sections))
    rows = [line for line in md.splitlines() if line.startswith("| Da")]
    assert len(rows) == 1
    unescaped = re.findall(r"(?<!\\)\|", rows[0])
    assert len(unescaped) == 7  # six columns
    assert "<summary><b>Da|ta `x` &lt;i&gt;</b> (data): 0.5 / 1</summary>" in md


def test_evidence_links_to_the_commit():
    items = [item("data-1", "manual", (ev("src/my file (1).py", 12, "schema"),))]
    result = build(items, commit="0123abcd", repo_url="https://github.com/acme/churn")
    md = render_markdown(result)
    url = "https://github.com/acme/churn/blob/0123abcd/src/my%20file%20%281%29.py#L12"
    assert f"[src/my file (1).py:12]({url}) (code): schema" in md
    unlinked = render_markdown(replace(result, commit=None))
    assert "- src/my file (1).py:12 (code): schema" in unlinked
    assert "](" not in unlinked


@pytest.mark.parametrize(
    ("repo_url", "commit", "path"),
    [
        ("javascript:alert(1)", "abc1234", "a.py"),
        ("https://github.com/a/b) [x](y", "abc1234", "a.py"),
        ("https://github.com/a/b", "main; rm", "a.py"),
        ("https://github.com/a/b", "abc1234", "../etc/passwd"),
        ("https://github.com/a/b", "abc1234", "/abs.py"),
        ("https://github.com/a/b", "abc1234", "<check x>"),
    ],
)
def test_unsafe_links_are_not_made(repo_url, commit, path):
    assert repo_file_url(repo_url, commit, path, 3) is None


@pytest.mark.parametrize(
    ("repo_url", "expected"),
    [
        ("https://github.com/a/b", "https://github.com/a/b/blob/abc1234/src/x.py#L4"),
        (
            "https://gitlab.example.com/g/p",
            "https://gitlab.example.com/g/p/-/blob/abc1234/src/x.py#L4",
        ),
        ("https://bitbucket.org/t/r/", "https://bitbucket.org/t/r/src/abc1234/src/x.py#lines-4"),
    ],
)
def test_markdown_links_use_the_forge_form_html_uses(repo_url, expected):
    from ml_readiness.render.html import file_url, safe_repo_url

    assert repo_file_url(repo_url, "abc1234", "src/x.py", 4) == expected
    assert file_url(safe_repo_url(repo_url), "abc1234", "src/x.py", 4) == expected


def test_items_show_level_reason_chain_findings_next_step():
    automated = ev("tests/test_schema.py", 7, "schema test", "test", "automated")
    items = [
        item("data-1", "automated", (automated,)),
        item(
            "data-2",
            "manual",
            (ev("docs/r.md", None, "report", "doc"),),
            findings=(finding("test is skipped", "tests/t.py", 3, "manual"),),
            context=("no CI job runs tests/t.py",),
            required="automated",
            attestation={
                "item": "data-2",
                "level": "manual",
                "evidence": "docs/r.md",
                "owner": "o@x.org",
                "reviewed": "2026-01-01",
                "expires": "2027-01-01",
                "via": None,
                "note": None,
                "earned": "manual",
                "status": "attested by o@x.org",
            },
        ),
    ]
    md = render_markdown(build(items))
    assert "#### ✅ data-1 Title of data-1 — 1 automated\n" in md
    assert (
        "  - tests/test\\_schema.py:7 (test): schema test; runs via "
        ".github/workflows/ci.yml\\#test on every change: job test → step pytest → "
        "tests/test\\_schema.py\n"
    ) in md
    assert "#### 🟡 data-2 Title of data-2 — 0.5 manual\n- **Why:** reason for data-2\n" in md
    assert "  - docs/r.md (doc): report\n" in md
    assert "  - tests/t.py:3: test is skipped (caps at manual)\n" in md
    assert "  - no CI job runs tests/t.py\n" in md
    assert "- **Required by the gate:** automated\n" in md
    assert "- **Next step:** improve data-2\n" in md
    assert (
        "- **Attestation:** manual claimed, manual earned: attested by o@x.org; "
        "evidence docs/r.md, expires 2027-01-01\n"
    ) in md
    data1 = md.split("#### ✅ data-1")[1].split("####")[0]
    assert "Next step" not in data1


def test_title_summary_gate_and_relied_on(real_results):
    md = render_markdown(real_results[1])
    first = md.splitlines()[1]
    assert first.startswith("## The ML Test Score: ")
    assert first.endswith(" · gate ❌ failed")
    assert "| Section | Score | ✅ Automated | 🟡 Manual | ❌ Not met | ➖ n/a |\n" in md
    assert "**Gate ❌ failed** (overall &gt;= 1; data-1 manual)\n" in md
    assert "- data-1 is none, manual is required\n" in md
    assert "- Not applicable monitor-3: the model is not served online\n" in md
    assert "- Override infra-1: at most manual: the seed test is flaky\n" in md
    assert (
        "- Attestation data-3: manual claimed, manual earned: attested by ml-team@example.com, "
        "reviewed 2026-10-01, expires 2027-10-01; evidence docs/feature-costs.md\n"
    ) in md
    assert "- gate settings from mlready.yaml\n" in md
    assert md.count("<details>") == md.count("</details>")
    assert f" · commit {real_results[1].commit[:12]}</sub>" in md


def test_notes_are_counted():
    notes = tuple({"path": f"data/{n}.csv", "message": "skipped: too large"} for n in range(3))
    md = render_markdown(build(notes=notes))
    assert "**Notes:** 3 input(s) skipped or unreadable.\n" in md
    assert "- data/0.csv: skipped: too large\n" in md


def test_baseline_deltas_are_shown():
    old = build()
    new_items = [replace(i, level="none", score=0.0) if i.id == "data-2" else i for i in old.items]
    new = apply_baseline(build(new_items), old, fail_on_regression=False)
    md = render_markdown(new)
    assert "#### ❌ data-2 Title of data-2 — 0 none (was manual (down))\n" in md
    assert "| ➖ n/a | Δ |\n" in md
    assert "| Data (data) | 1 / 2 | 1 | 0 | 1 | 0 | -0.5 |\n" in md
    assert "| Model (model) | 0.5 / 2 | 0 | 1 | 1 | 0 | ±0 |\n" in md
    assert "**Since the baseline** of 2026-11-01: 0.5 → 0.5 (±0)" in md
    assert "<summary><b>Data</b> (data): 1 / 2 (-0.5)</summary>" in md


def _huge(evidence_per_item: int, detail_chars: int = 200):
    items = []
    for section in ("data", "model", "infra", "monitor"):
        for n in range(1, 8):
            evidence = tuple(
                ev(f"src/{section}/module_{k:05d}.py", k + 1, "x" * detail_chars)
                for k in range(evidence_per_item)
            )
            items.append(item(f"{section}-{n}", "manual", evidence, context=("c" * 300,) * 50))
    return build(items, notes=tuple({"path": f"f{n}", "message": "m"} for n in range(3000)))


def test_huge_result_fits_a_pr_comment():
    result = _huge(2000)
    md = render_markdown(result)
    assert len(md) <= MAX_CHARS
    assert "  - … and 1995 more\n" in md
    assert "_Some details were left out to keep this report under 65,000 characters" in md
    assert all(f"{s}-{n} Title" in md for s in ("data", "infra") for n in range(1, 8))
    assert "| Monitoring (monitor) | 3.5 / 7 |" in md
    assert md.count("<details>") == md.count("</details>")


def test_details_are_dropped_progressively():
    result = _huge(50)
    limits = (60_000, 30_000, 12_000, 3_000, 1_500)
    rendered = [render_markdown(result, max_chars=limit) for limit in limits]
    assert all(len(md) <= limit for md, limit in zip(rendered, limits, strict=True))
    assert "  - … and 45 more\n" in rendered[0]  # evidence lists cut first
    assert "#### 🟡 data-1" in rendered[2]  # then per-item explanations shortened
    assert "| 🟡 data-1 | 0.5 manual | reason for data-1 |" in rendered[3]  # then one row each
    tiny = rendered[4]
    assert "| Data (data) | 3.5 / 7 |" in tiny  # the summary always survives
    assert "<details>" not in tiny
    assert tiny.rstrip().endswith("the JSON report (`-o report.json`) has everything._")


def test_absurd_result_is_cut_at_a_line():
    result = build()
    many = tuple(replace(result.sections[0], id=f"s{n}") for n in range(3000))
    md = render_markdown(replace(result, sections=many), max_chars=10_000)
    assert len(md) <= 10_000
    assert md.endswith("_Report cut to fit; the JSON report has everything._\n")


def test_markdown_is_deterministic(real_results):
    for result in real_results:
        assert render_markdown(result) == render_markdown(result)
