"""Badges: the shields.io endpoint JSON and the standalone SVG."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from dataclasses import replace

import pytest

from ml_readiness.render.badge import colour, render_badge_json, render_badge_svg
from tests.render.factory import build

SVG = "{http://www.w3.org/2000/svg}"


def _scored(score: float, band: str):
    result = build()
    return replace(result, overall=replace(result.overall, score=score, band=band))


@pytest.mark.parametrize(
    ("score", "name"),
    [
        (0.0, "red"),
        (0.5, "orange"),
        (1.0, "orange"),
        (1.5, "yellow"),
        (2.5, "yellowgreen"),
        (3.0, "yellowgreen"),
        (4.0, "green"),
        (6.0, "brightgreen"),
    ],
)
def test_colour_follows_the_bands(score, name):
    assert colour(score)[0] == name


def test_endpoint_json():
    data = json.loads(render_badge_json(_scored(2.5, "Reasonably tested")))
    assert data == {
        "schemaVersion": 1,
        "label": "ML Test Score",
        "message": "2.5 · Reasonably tested",
        "color": "yellowgreen",
    }
    assert json.loads(render_badge_json(_scored(3.0, "X")))["message"] == "3 · X"


def test_svg_is_standalone_and_escaped():
    svg = render_badge_svg(_scored(5.5, 'Exceptional <script>x</script> & "q"\x1b[1m'))
    root = ET.fromstring(svg)
    assert root.tag == f"{SVG}svg"
    title = root.find(f"{SVG}title")
    assert title is not None
    assert title.text == 'ML Test Score: 5.5 · Exceptional <script>x</script> & "q"'
    assert "<script" not in svg and "\x1b" not in svg
    # no external reference: no links, images, fonts or URLs other than in-document fragments
    outside = svg.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "href" not in outside and "http" not in outside
    assert all(ref.startswith("url(#") for ref in _urls(svg))
    rects = root.findall(f".//{SVG}rect")
    assert any(r.get("fill") == "#4c1" for r in rects)
    texts = [t.text for t in root.iter(f"{SVG}text")]
    assert texts[-1] == '5.5 · Exceptional <script>x</script> & "q"'


def _urls(svg: str) -> list[str]:
    import re

    return re.findall(r"url\([^)]*\)", svg)


def test_badges_are_deterministic_and_sized_to_text():
    short = render_badge_svg(_scored(1.0, "Barely tested"))
    long = render_badge_svg(_scored(3.0, "Reasonably tested and then some"))
    assert short == render_badge_svg(_scored(1.0, "Barely tested"))
    width = int(ET.fromstring(short).get("width", "0"))
    assert int(ET.fromstring(long).get("width", "0")) > width > 150
