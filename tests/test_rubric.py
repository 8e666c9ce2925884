"""The shipped rubric and the rubric loader's validation."""

from __future__ import annotations

from ml_readiness.rubric import load_rubric, validate_rubric_file
from tests.helpers import make_repo


def test_default_rubric_has_28_items_in_four_sections_and_six_bands():
    r = load_rubric()
    assert [s.id for s in r.sections] == ["data", "model", "infra", "monitor"]
    assert [i.id for i in r.items][:3] == ["data-1", "data-2", "data-3"]
    assert {s.id: len(r.section_items(s.id)) for s in r.sections} == {
        "data": 7,
        "model": 7,
        "infra": 7,
        "monitor": 7,
    }
    assert [b.max for b in r.bands] == [0, 1, 2, 3, 5, None]
    assert r.band(0).name == "Research project"
    assert r.band(0.5).max == 1 and r.band(3).max == 3 and r.band(3.01).max == 5
    assert r.band(6).max is None
    for item in r.items:
        assert item.title and item.asks and item.manual and item.automated and item.improve


def test_duplicate_id_and_unknown_keys_reported_with_lines(tmp_path):
    root = make_repo(
        tmp_path,
        {
            "r.yaml": """
        id: mine
        version: "1"
        extends: ml-test-score
        colour: blue
        items:
          - id: data-8
            section: data
            title: t
            long_title: t
            asks: a
            manual: m
            automated: a
            improve: i
          - id: data-8
            section: data
        require: {infra-9: automated}
    """
        },
    )
    problems = validate_rubric_file(str(root / "r.yaml"))
    assert problems == [
        f"{root / 'r.yaml'}:4: unknown key 'colour'",
        f"{root / 'r.yaml'}:14: duplicate item id 'data-8'",
        f"{root / 'r.yaml'}:16: `require` names unknown item 'infra-9'",
    ]


def test_tests_automate_is_inherited_overridable_and_checked(tmp_path):
    root = make_repo(
        tmp_path,
        {
            "ok.yaml": """
        id: mine
        version: "1"
        extends: ml-test-score
        items:
          - id: model-3
            tests_automate: true
          - id: data-8
            section: data
            title: t
            long_title: t
            asks: a
            manual: m
            automated: a
            improve: i
            tests_automate: false
    """,
            "bad.yaml": """
        id: mine
        version: "1"
        extends: ml-test-score
        items:
          - id: model-3
            tests_automate: sometimes
    """,
        },
    )
    items = {i.id: i for i in load_rubric(str(root / "ok.yaml")).items}
    assert items["model-3"].tests_automate is True  # overridden
    assert items["data-2"].tests_automate is False  # inherited from ml-test-score
    assert items["data-8"].tests_automate is False and items["data-1"].tests_automate is True
    assert validate_rubric_file(str(root / "bad.yaml")) == [
        f"{root / 'bad.yaml'}:6: `tests_automate` of model-3 must be true or false"
    ]
