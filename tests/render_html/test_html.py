"""The HTML report without a browser: content, links, escaping, self-containment, determinism."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import replace
from html.parser import HTMLParser

import pytest

from ml_readiness.render import render
from ml_readiness.render.html import file_url, render_html, safe_repo_url
from ml_readiness.result import AuditResult, FindingEntry, Overall
from tests.helpers import audit, make_repo
from tests.render_html.sample import ATTESTATION, COMMIT, realistic_result

BASE = "https://github.com/acme/fraud-detector"
XSS = "<script>alert(1)</script>"
BREAKOUT = '"><img src=x onerror=alert(2)>'
EVIL = XSS + BREAKOUT


class Page(HTMLParser):
    """Tags with their attributes, and the text, of a rendered page."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def all(self, tag: str, **attrs: str) -> list[dict[str, str | None]]:
        return [
            a for t, a in self.tags if t == tag and all(a.get(k) == v for k, v in attrs.items())
        ]

    def hrefs(self) -> list[str]:
        return [str(a["href"]) for t, a in self.tags if t == "a"]

    @property
    def joined(self) -> str:
        return " ".join(" ".join(self.text).split())


def hostile_result() -> AuditResult:
    """The realistic result with repository-controlled text replaced by markup and bad URLs."""
    base = realistic_result()
    items = []
    for item in base.items:
        items.append(
            replace(
                item,
                title=item.title + EVIL,
                reason=EVIL,
                next_step=EVIL if item.next_step else None,
                evidence=tuple(
                    replace(e, path=f"src/{EVIL}.py", detail=EVIL, check=EVIL)
                    for e in item.evidence
                ),
                findings=(FindingEntry(EVIL, f"data/{EVIL}.csv", 2, "manual", EVIL),),
                context=(EVIL,),
                attestation={**ATTESTATION, "owner": EVIL, "note": EVIL, "evidence": EVIL}
                if item.attestation
                else None,
            )
        )
    return replace(
        base,
        root=EVIL,
        repo_url="javascript:alert(3)",
        items=tuple(items),
        sections=tuple(replace(s, title=s.title + EVIL) for s in base.sections),
        overall=replace(base.overall, band=EVIL, meaning=EVIL),
        gate=replace(base.gate, reasons=(EVIL,), relied_on=(EVIL,), criteria=(EVIL,)),
        attestations=({**ATTESTATION, "owner": EVIL, "status": EVIL},),
        notes=({"path": EVIL, "message": EVIL},),
        rubric={**base.rubric, "title": EVIL},
        automation={
            "roots": [{"id": EVIL, "system": EVIL, "trigger": "change", "path": EVIL, "line": 1}],
            "unresolved": [{"path": EVIL, "reason": EVIL}],
        },
    )


@pytest.fixture(scope="module")
def page() -> Page:
    return Page(render_html(realistic_result()))


# -- the top of the page -------------------------------------------------------------------------
def test_summary_shows_score_band_meaning_gate_and_what_it_relied_on(page: Page):
    text = page.joined
    assert "Overall score 1 of 7" in text
    assert "Barely tested" in text and "serious reliability problems" in text
    assert "Set by Monitoring tests for ML (1)." in text
    assert "Gate failed" in text
    assert (
        "Why it failed overall score 1 is below 2 infra-4 is manual, automated is required" in text
    )
    assert (
        "This outcome relied on attestation model-2 "
        "(manual, docs/reviews/online-offline-2026-q3.md)" in text
    )
    assert "not applicable model-7: the model scores machines, not people" in text
    assert "override infra-1 max manual: determinism on GPUs is not verified yet" in text


def test_section_chart_labels_every_bar_and_marks_the_weakest_with_pattern_and_text(page: Page):
    assert page.all("svg", role="img", **{"aria-labelledby": "chart-t chart-d"})
    text = page.joined
    html = render_html(realistic_result())
    for title, value in (
        ("Tests for features and data", "3.5 / 7"),
        ("Tests for model development", "4.67 / 7"),
        ("Monitoring tests for ML", "1 / 7"),
    ):
        assert f'>{title}</text>\n<text class="bar-value" x="100%"' in html
        assert f'text-anchor="end">{value}</text>' in html
    assert len(page.all("rect", **{"class": "bar-outline"})) == 1  # only monitor is weakest
    assert len(page.all("g", **{"class": "bar-row weakest"})) == 1
    assert html.count('<text class="bar-weak"') == 1
    assert "▲ Weakest section: sets the overall score" in text
    assert 'class="bar-fill" x="0" y="185" width="14.29%"' in html  # 1 of 7, hatched by CSS
    assert ".weakest .bar-fill { fill: url(#hatch); }" in html
    assert "hatched and outlined: weakest section" in text
    assert "Monitoring tests for ML: 1 / 7 (weakest)" in text  # the chart's description


def test_weakest_ties_are_all_marked():
    result = realistic_result()
    result = replace(result, overall=replace(result.overall, weakest=("data", "infra")))
    html = render_html(result)
    assert html.count('class="bar-outline"') == 2
    assert html.count('<text class="bar-weak"') == 2
    assert html.count('<p class="tag tag-weak">') == 2  # and in both section headings


def test_a_section_scoring_zero_has_no_bar_fill_but_keeps_its_label():
    result = realistic_result()
    sections = tuple(replace(s, score=0.0) if s.id == "monitor" else s for s in result.sections)
    html = render_html(replace(result, sections=sections))
    assert html.count('class="bar-fill"') == 3
    assert 'text-anchor="end">0 / 7</text>' in html and "Monitoring tests for ML: 0 / 7" in html


# -- structure and accessibility -----------------------------------------------------------------
def test_landmarks_and_heading_outline(page: Page):
    for landmark in ("header", "nav", "main", "footer"):
        assert len(page.all(landmark)) == 1, landmark
    assert len(page.all("h1")) == 1
    section_heads = [
        a["id"] for t, a in page.tags if t == "h2" and str(a.get("id")).startswith("sec-")
    ]
    assert section_heads == ["sec-data-h", "sec-model-h", "sec-infra-h", "sec-monitor-h"]
    item_heads = [
        a["id"] for t, a in page.tags if t == "h3" and str(a.get("id")).startswith("item-")
    ]
    assert len(item_heads) == 28 and item_heads[0] == "item-data-1-h"
    assert all(a.get("scope") in ("col", "row") for a in page.all("th"))


def test_level_is_text_and_icon_and_the_filter_needs_no_script(page: Page):
    html = render_html(realistic_result())
    assert '<span class="badge lvl-automated"><svg class="icon" aria-hidden="true"' in html
    assert '<span class="badge-score">0.5</span> Manual' in html
    assert '<span class="badge-score">0</span> Not met' in html
    assert '<span class="badge-score">n/a</span> Not applicable' in html
    radios = page.all("input", type="radio", name="show")
    assert [r["value"] for r in radios] == ["all", "none", "manual", "automated", "not_applicable"]
    assert "checked" in radios[0]  # everything is visible until the reader chooses
    assert "main:has(#show-none:checked) .item:not(.lvl-none)" in html


# -- items ---------------------------------------------------------------------------------------
def test_evidence_links_to_the_commit_and_line(page: Page):
    hrefs = page.hrefs()
    assert f"{BASE}/blob/{COMMIT}/tests/test_schema.py#L14" in hrefs
    assert f"{BASE}/blob/{COMMIT}/reports/eval-2026-10.md" in hrefs  # no line, no anchor
    assert f"{BASE}/blob/{COMMIT}/data/users.csv#L1" in hrefs  # a finding's location
    assert f"{BASE}/blob/{COMMIT}/docs/reviews/online-offline-2026-q3.md" in hrefs  # attestation
    assert f"{BASE}/tree/{COMMIT}" in hrefs
    assert all(h.startswith(("#", BASE + "/")) for h in hrefs)


def test_without_commit_or_repo_url_locations_are_plain_text():
    for changes in ({"commit": None}, {"repo_url": None}):
        page = Page(render_html(realistic_result(**changes)))
        assert all(h.startswith("#") for h in page.hrefs())
        assert "tests/test_schema.py:14" in page.joined


def test_automation_chain_condition_and_manual_reason(page: Page):
    text = page.joined
    assert (
        "Runs on a schedule via .github/workflows/nightly.yml#train nightly.yml#train make train "
        "python src/pipeline/train.py src/pipeline/train.py::main "
        "Only when: github.ref == 'refs/heads/main'"
    ) in text
    assert "Enforced continuously by its platform: deploy/rollout.yaml canary strategy" in text
    assert (
        "Runs on every change (push, pull or merge request) via .github/workflows/ci.yml#test"
        in text
    )
    assert "not automated: tests/features is not collected by ci.yml" in text


def test_next_step_findings_context_override_and_required(page: Page):
    html = render_html(realistic_result())
    text = page.joined
    assert text.count("Next step:") == sum(
        1 for i in realistic_result().items if i.level in ("none", "manual")
    )
    assert "column `email` holds e-mail addresses (j***@e***.com) caps the item at none" in text
    assert "What the checks looked at – looked for alert rules mentioning model age" not in text
    assert "looked for alert rules mentioning model age or last training time" in text
    assert "Override: at most manual — determinism on GPUs is not verified yet" in text
    assert "below the required level: required automated" in text
    assert html.count('class="next"') == text.count("Next step:")


def test_attestation_shows_owner_dates_status_and_expiry_warning(page: Page):
    text = page.joined
    assert "Owner ml-platform@acme.example" in text
    assert "Reviewed 2026-08-01" in text
    assert "Expires 2026-11-13 expires in 12 days" in text
    assert "Earned manual — attested by ml-platform@acme.example" in text
    assert 'class="tag tag-soon"' in render_html(realistic_result())


@pytest.mark.parametrize(
    ("expires", "state", "words"),
    [
        ("2026-11-01", "soon", "expires today"),
        ("2026-12-01", "soon", "expires in 30 days"),
        ("2026-12-02", "ok", "expires in 31 days"),
        ("2026-10-31", "expired", "expired 1 day ago"),
        ("soon-ish", "unknown", "expiry date unreadable"),
    ],
)
def test_expiry_wording(expires: str, state: str, words: str):
    result = realistic_result()
    att = {**ATTESTATION, "expires": expires}
    items = tuple(replace(i, attestation=att) if i.attestation else i for i in result.items)
    html = render_html(replace(result, items=items, attestations=(att,)))
    assert f'<span class="tag tag-{state}">' in html
    assert words in html


def test_notes_are_listed_in_a_collapsible_section(page: Page):
    html = render_html(realistic_result())
    assert (
        '<details class="collapsible">\n<summary>2 inputs skipped or unreadable</summary>' in html
    )
    assert "configs/broken.yaml : YAML error at line 3" in page.joined
    assert "Every input was read." in render_html(realistic_result(notes=()))


# -- safety --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://github.com/acme/x", "https://github.com/acme/x"),
        ("https://github.com/acme/x/", "https://github.com/acme/x"),
        ("HTTP://GitLab.example:8443/g/x", "http://gitlab.example:8443/g/x"),
        ("https://user:token@github.com/acme/x", "https://github.com/acme/x"),
        ("javascript:alert(1)", None),
        ("JaVaScRiPt://github.com/%0aalert(1)", None),
        ("data:text/html,<script>alert(1)</script>", None),
        ("ftp://example.com/x", None),
        ("//evil.example/x", None),
        ('https://github.com/a" onmouseover="alert(1)', None),
        ("https://github.com/a\nb", None),
        ("https://github.com/a?x=1", None),
        ("https://", None),
        ("", None),
        (None, None),
    ],
)
def test_only_plain_http_urls_are_used_for_links(url, expected):
    assert safe_repo_url(url) == expected


@pytest.mark.parametrize(
    ("path", "line", "expected"),
    [
        ("src/a b#c?.py", 3, f"{BASE}/blob/{COMMIT}/src/a%20b%23c%3F.py#L3"),
        ("src/x.py", None, f"{BASE}/blob/{COMMIT}/src/x.py"),
        ("src/x.py", 0, f"{BASE}/blob/{COMMIT}/src/x.py"),
        ("../../evil/repo", 1, None),
        ("/etc/passwd", 1, None),
        ("<check data-1>", None, None),
        ("a//b", None, None),
        ("", None, None),
    ],
)
def test_file_urls_are_quoted_relative_paths(path, line, expected):
    assert file_url(BASE, COMMIT, path, line) == expected


def test_gitlab_and_bitbucket_get_their_own_link_forms():
    gitlab = file_url("https://gitlab.example.com/g/p", COMMIT, "src/x.py", 4)
    assert gitlab == f"https://gitlab.example.com/g/p/-/blob/{COMMIT}/src/x.py#L4"
    bitbucket = file_url("https://bitbucket.org/t/r", COMMIT, "src/x.py", 4)
    assert bitbucket == f"https://bitbucket.org/t/r/src/{COMMIT}/src/x.py#lines-4"


def test_a_commit_that_is_not_hex_is_never_put_in_a_link():
    page = Page(render_html(realistic_result(commit="main/../../evil")))
    assert all(h.startswith("#") for h in page.hrefs())


def test_hostile_values_cannot_inject_markup():
    html = render_html(hostile_result())
    page = Page(html)
    assert XSS not in html and "<img" not in html
    assert (
        "&lt;script&gt;alert(1)&lt;/script&gt;&#34;&gt;&lt;img src=x onerror=alert(2)&gt;" in html
    )
    assert not page.all("script") and not page.all("img")
    for _, attrs in page.tags:
        assert not any(k.startswith("on") for k in attrs), attrs
    assert all(h.startswith("#") for h in page.hrefs())  # javascript: repo_url is not linked
    assert "javascript:" not in html
    assert page.joined.count(XSS) > 28


def test_control_characters_and_bidi_overrides_are_removed():
    result = realistic_result()
    evidence = replace(result.items[0].evidence[0], path="src/\u202eyp.tset\x1b[31m.py")
    items = (replace(result.items[0], evidence=(evidence,), reason="a\nb\tc"),)
    html = render_html(replace(result, items=items + result.items[1:]))
    assert "\u202e" not in html and "\x1b" not in html
    assert "src/yp.tset.py" in html and "a b c" in html


def test_the_page_is_self_contained():
    html = render_html(realistic_result())
    low = html.lower()
    for forbidden in ("<script", "<link", "@import", "url(http", "src=", "<iframe", "<img"):
        assert forbidden not in low, forbidden
    assert "content=\"default-src 'none'; style-src 'unsafe-inline'\"" in html
    assert "<style>" in html and "@media print" in html and "details::details-content" in html


# -- determinism and the JSON round trip ---------------------------------------------------------
def test_output_is_deterministic_and_json_round_trip_is_byte_identical():
    result = realistic_result()
    first = render_html(result)
    assert render_html(realistic_result()) == first
    again = AuditResult.from_json(json.loads(result.dumps()))
    assert render_html(again) == first
    assert render(result, "html") == first


def test_a_report_from_a_real_audit_renders_and_round_trips(tmp_path):
    root = make_repo(
        tmp_path / "churn-model",
        {
            "src/train.py": "import random\nrandom.seed(7)\n",
            "tests/test_train.py": "def test_ok():\n    assert 2 > 1\n",
            "README.md": "# churn\n",
        },
        git=True,
    )
    result = audit(root, repo_url="https://github.com/acme/churn-model")
    html = render_html(result)
    page = Page(html)
    assert page.all("h1") and "churn-model" in page.joined
    for item in result.items:
        assert f'id="item-{item.id}"' in html
    assert render_html(AuditResult.from_json(json.loads(result.dumps()))) == html


def test_deltas_against_a_baseline_are_shown():
    result = realistic_result()
    items = (replace(result.items[0], delta={"from": "manual", "to": "automated"}),)
    sections = (replace(result.sections[0], delta=-0.5),) + result.sections[1:]
    html = render_html(
        replace(
            result,
            items=items + result.items[1:],
            sections=sections,
            overall=replace(result.overall, delta=0.5),
        )
    )
    assert '<p class="delta">+0.5 since the baseline</p>' in html
    assert " · -0.5 since the baseline</p>" in html
    assert '<span class="tag">was manual</span>' in html


def test_overall_without_weakest_and_unknown_level_still_render():
    result = realistic_result()
    items = (replace(result.items[0], level="mystery"),) + result.items[1:]
    html = render_html(replace(result, items=items, overall=Overall(0.0, "B", "M", ())))
    assert "The overall score is the lowest section score.</p>" in html


def test_jinja2_is_imported_only_when_rendering():
    code = "import sys, ml_readiness.render.html; print('jinja2' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
