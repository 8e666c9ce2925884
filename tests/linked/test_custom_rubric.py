"""Custom rubrics: extends, add, drop, reword, require, own bands; from --rubric and config."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from ml_readiness.cli import main
from ml_readiness.errors import RubricError
from ml_readiness.result import EvidenceEntry, SectionResult
from ml_readiness.rubric import load_rubric, validate_rubric_file
from tests.helpers import make_repo
from tests.linked.common import MY_RUBRIC, RUBRICS, audit_linked, item, section

PROJECT = {
    "src/registry.py": """
        def owners():
            return {"age": "ana", "income": "raj"}
    """,
    "tests/test_registry.py": """
        import pytest
        from registry import owners

        @pytest.mark.mlready("data-8")
        def test_every_column_has_an_owner():
            assert all(owners().values())
    """,
}
LINKED = EvidenceEntry(
    path="tests/test_registry.py",
    line=5,
    kind="test",
    detail="test test_every_column_has_an_owner linked by @pytest.mark.mlready",
    check="linked-tests",
    level="manual",
)


def test_loaded_rubric_adds_drops_rewords_requires_and_sets_bands():
    r = load_rubric(str(MY_RUBRIC))
    assert (r.id, r.version, r.title, r.extends, r.dropped) == (
        "acme-ml",
        "3.1",
        "ACME ML readiness",
        "ml-test-score",
        ("monitor-7",),
    )
    assert {s.id: len(r.section_items(s.id)) for s in r.sections} == {
        "data": 8,
        "model": 7,
        "infra": 7,
        "monitor": 6,
    }
    assert r.item("monitor-7") is None
    added = r.item("data-8")
    assert (added.section, added.title, added.require) == (
        "data",
        "Every feature has an owner",
        "manual",
    )
    reworded, base = r.item("model-1"), load_rubric().item("model-1")
    assert reworded.title == "Model specs are reviewed by two people"
    assert (reworded.asks, reworded.improve, reworded.section) == (base.asks, base.improve, "model")
    assert [(b.max, b.name) for b in r.bands] == [
        (0.0, "Not started"),
        (3.0, "Getting there"),
        (None, "Ready"),
    ]


def test_extends_by_relative_path_resolves_against_the_extending_file(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # nowhere near the rubric files
    r = load_rubric(str(RUBRICS / "child.yaml"))
    assert (r.id, r.extends, r.dropped) == ("child", "my-rubric.yaml", ("monitor-7", "monitor-6"))
    assert len(r.section_items("monitor")) == 5 and r.item("data-8") is not None


def test_audit_with_rubric_option_scores_sections_from_the_rubric(tmp_path):
    root = make_repo(tmp_path / "repo", PROJECT)
    result = audit_linked(root, rubric=str(MY_RUBRIC))
    assert result.rubric == {
        "id": "acme-ml",
        "version": "3.1",
        "title": "ACME ML readiness",
        "extends": "ml-test-score",
        "dropped": ["monitor-7"],
    }
    data_8 = item(result, "data-8")
    assert (data_8.level, data_8.score, data_8.required) == ("manual", 0.5, "manual")
    assert data_8.evidence == (LINKED,)
    assert data_8.reason.startswith(
        "manual: test test_every_column_has_an_owner linked by @pytest.mark.mlready "
        "(tests/test_registry.py:5); not automated: "
    )
    assert item(result, "model-1").title == "Model specs are reviewed by two people"
    assert "monitor-7" not in {i.id for i in result.items}
    assert section(result, "data") == SectionResult(
        "data", "Tests for features and data", 0.5, 0.5, 8, 8, ()
    )
    assert (section(result, "monitor").size, section(result, "monitor").applicable) == (6, 6)
    assert (result.overall.score, result.overall.band) == (0.0, "Not started")
    assert result.gate.passed and result.gate.criteria == ("data-8 manual",)


def test_rubric_from_config_resolves_against_the_audited_root(tmp_path, monkeypatch):
    files = dict(PROJECT)
    files["mlready.yaml"] = "rubric: rubrics/team.yaml\n"
    root = make_repo(tmp_path / "repo", files)
    (root / "rubrics").mkdir()
    shutil.copy(MY_RUBRIC, root / "rubrics" / "team.yaml")
    monkeypatch.chdir(tmp_path)  # the CWD is not the audited root
    result = audit_linked(root)
    assert result.rubric["id"] == "acme-ml"
    assert item(result, "data-8").evidence == (LINKED,)
    assert section(result, "data").size == 8
    strict = audit_linked(root, strict=True)  # --strict ignores the repo's own rubric
    assert strict.rubric["id"] == "ml-test-score"
    assert "data-8" not in {i.id for i in strict.items} and section(strict, "data").size == 7


def test_custom_rubric_in_a_gate_with_exact_scores(tmp_path):
    files = dict(PROJECT)
    files["mlready.yaml"] = """
        rubric: team.yaml
        gate:
          section_min: {data: 0.5, infra: 0}
          require: {data-8: automated}
    """
    root = make_repo(tmp_path / "repo", files)
    shutil.copy(MY_RUBRIC, root / "team.yaml")
    result = audit_linked(root)
    assert [(s.id, s.raw, s.score, s.size) for s in result.sections] == [
        ("data", 0.5, 0.5, 8),
        ("model", 0.0, 0.0, 7),
        ("infra", 0.0, 0.0, 7),
        ("monitor", 0.0, 0.0, 6),
    ]
    assert not result.gate.passed
    assert result.gate.reasons == ("data-8 is manual, automated is required",)
    assert result.gate.criteria == ("data >= 0.5", "infra >= 0", "data-8 automated")


@pytest.mark.parametrize(
    ("name", "problems"),
    [
        ("duplicate-id", [":13: duplicate item id 'data-8'"]),
        ("unknown-key", [":4: unknown key 'colour'", ":8: unknown item key 'weight'"]),
        (
            "bad-require",
            [
                ":5: required level 'always' of infra-1 must be one of manual, automated",
                ":6: `require` names unknown item 'infra-9'",
                ":9: `require` 'sometimes' of model-2 must be one of manual, automated",
            ],
        ),
        (
            "unknown-extends",
            [
                ":3: `extends` 'ml-test-scores': rubric not found (give a shipped rubric name "
                "such as 'ml-test-score' or a path to a YAML file)"
            ],
        ),
    ],
)
def test_invalid_rubrics_list_every_problem_with_its_line(name, problems):
    path = str(RUBRICS / f"{name}.yaml")
    assert validate_rubric_file(path) == [path + p for p in problems]
    with pytest.raises(RubricError) as err:
        load_rubric(path)
    assert str(err.value) == "; ".join(path + p for p in problems)
    run = CliRunner().invoke(main, ["rubric", "validate", path])
    assert run.exit_code == 1
    assert run.stderr.splitlines() == [path + p for p in problems]


def test_shapes_and_bands_are_checked(tmp_path):
    root = make_repo(
        tmp_path,
        {
            "r.yaml": """
        id: shapes
        version: 1
        extends: ml-test-score
        drop: [data-9]
        bands:
          - {max: 2, name: Low}
          - {max: high, name: Odd}
          - {name: Top}
    """,
            "s.yaml": """
        id: s
        version: 1
        extends: ml-test-score
        items: {id: data-8}
        require: [data-1]
    """,
        },
    )
    r = str(root / "r.yaml")
    assert validate_rubric_file(r) == [
        f"{r}:4: cannot drop unknown item 'data-9'",
        f"{r}:7: band max 'high' must be a number or null",
        f"{r}:8: a band needs `max` (null for the last) and `name`",
    ]
    s = str(root / "s.yaml")
    assert validate_rubric_file(s) == [
        f"{s}:4: `items` must be a list",
        f"{s}:5: `require` must map item ids to levels",
    ]


def test_cli_validates_a_good_rubric_and_the_audit_exits_2_on_a_bad_one(tmp_path):
    run = CliRunner().invoke(main, ["rubric", "validate", str(MY_RUBRIC)])
    assert (run.exit_code, run.output) == (0, f"{MY_RUBRIC}: valid\n")
    root = make_repo(tmp_path / "repo", PROJECT)
    bad = str(RUBRICS / "duplicate-id.yaml")
    run = CliRunner().invoke(main, ["audit", str(root), "--rubric", bad, "-q"])
    assert run.exit_code == 2
    assert run.stderr == f"mlready: error: {bad}:13: duplicate item id 'data-8'\n"
