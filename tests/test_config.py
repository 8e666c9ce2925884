"""Config: mlready.yaml / [tool.mlready], validation errors with file and line."""

from __future__ import annotations

import datetime as dt

import pytest

from ml_readiness.config import check_item_ids, load_config
from ml_readiness.errors import ConfigError
from tests.helpers import make_repo

FULL = """
rubric: ml-test-score
gate: {fail_under: 2, section_min: {data: 1.5}}
exclude: ["notebooks/scratch/**"]
attestations:
  - item: model-2
    level: manual
    evidence: docs/ab.md
    owner: ana@example.com
    reviewed: 2026-10-01
not_applicable:
  - {item: infra-6, reason: "batch scoring only"}
overrides:
  - {item: model-3, max_level: 0, reason: "search covers only the learning rate"}
max_model_age_days: 90
"""


def test_full_config(tmp_path):
    cfg = load_config(make_repo(tmp_path / "r", {"mlready.yaml": FULL}))
    assert cfg.gate.fail_under == 2 and cfg.gate.section_min == (("data", 1.5),)
    att = cfg.attestations[0]
    assert (att.item, att.reviewed, att.expires) == (
        "model-2",
        dt.date(2026, 10, 1),
        dt.date(2027, 10, 1),
    )
    assert att.line == 5
    assert cfg.overrides[0].max_level == "none"
    assert cfg.not_applicable[0].reason == "batch scoring only"
    assert cfg.exclude == ("notebooks/scratch/**",) and cfg.max_model_age_days == 90


def test_pyproject_table(tmp_path):
    root = make_repo(
        tmp_path / "r",
        {
            "pyproject.toml": """
        [project]
        name = "x"

        [tool.mlready]
        gate = { fail_under = 1.5 }
    """
        },
    )
    assert load_config(root).gate.fail_under == 1.5


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            {
                "mlready.yaml": "gate: {fail_under: 1}\n",
                "pyproject.toml": "[tool.mlready]\nrubric = 'x'\n",
            },
            "mlready.yaml: more than one mlready config: mlready.yaml, "
            "pyproject.toml [tool.mlready]; keep one",
        ),
        ({"mlready.yaml": "gate: [1\n"}, "mlready.yaml:2: invalid YAML"),
        ({"mlready.yaml": "colour: red\n"}, "mlready.yaml:1: unknown key 'colour'"),
        (
            {"mlready.yaml": "gate: {fail_under: high}\n"},
            "mlready.yaml:1: gate.fail_under must be a number",
        ),
        (
            {
                "mlready.yaml": "attestations:\n  - {item: model-2, level: great, evidence: a, "
                "owner: o, reviewed: 2026-01-01}\n"
            },
            "mlready.yaml:2: attestation level must be `manual` or `automated`",
        ),
        (
            {
                "mlready.yaml": "attestations:\n  - {item: model-2, level: automated, evidence: a, "
                "owner: o, reviewed: 2026-01-01}\n"
            },
            "mlready.yaml:2: an automated attestation needs `via`",
        ),
        (
            {
                "mlready.yaml": "attestations:\n  - {item: model-2, level: manual, evidence: a, "
                "owner: o, reviewed: soon}\n"
            },
            "mlready.yaml:2: `reviewed` must be a date (YYYY-MM-DD), not 'soon'",
        ),
        ({"pyproject.toml": "[tool.mlready\n"}, "pyproject.toml:1: invalid TOML"),
    ],
)
def test_config_errors_name_file_and_line(tmp_path, files, message):
    with pytest.raises(ConfigError) as info:
        load_config(make_repo(tmp_path / "r", files))
    assert str(info.value).startswith(message)


def test_item_ids_checked_against_rubric(tmp_path):
    cfg = load_config(
        make_repo(
            tmp_path / "r",
            {
                "mlready.yaml": """
        not_applicable:
          - {item: infra-6, reason: batch}
        overrides:
          - {item: infra-6, max_level: 0, reason: again}
    """
            },
        )
    )
    with pytest.raises(
        ConfigError,
        match=r"mlready.yaml:4: overrides: item infra-6 is already "
        r"listed in not_applicable",
    ):
        check_item_ids(cfg, {"infra-6"})
    with pytest.raises(
        ConfigError,
        match=r"mlready.yaml:2: not_applicable: unknown item id "
        r"'infra-6'",
    ):
        check_item_ids(cfg, {"data-1"})
