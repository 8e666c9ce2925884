"""--validate-data runs real Great Expectations suites (1.x and 0.x) on committed data."""

from __future__ import annotations

import re

from tests.helpers import make_repo
from tests.validation.common import (
    PEOPLE_BAD,
    PEOPLE_OK,
    data1,
    runs,
    statuses,
    v0_project,
    v0_suite,
    v1_project,
    v1_suite,
    validate,
)

PASSED = re.compile(
    r"GE suite `people` passed on data/people\.csv: 2 expectations "
    r"\(validated by --validate-data\)"
)
CI = """
    on: [push]
    jobs:
      data:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - run: python validate.py
"""
RUNNER = """
    import great_expectations as gx

    if __name__ == "__main__":
        checkpoint = gx.get_context().checkpoints.get("nightly")
        checkpoint.run()
"""


def test_v1_suite_passes_on_the_data_its_checkpoint_points_at(tmp_path):
    root = make_repo(tmp_path, v1_project(v1_suite(), PEOPLE_OK))
    result = validate(root)
    [run] = runs(result)
    assert {
        k: run[k] for k in ("suite", "name", "data", "sampled", "rows", "bytes", "problem")
    } == {
        "suite": "gx/expectations/people.json",
        "name": "people",
        "data": "data/people.csv",
        "sampled": False,
        "rows": 3,
        "bytes": len(PEOPLE_OK),
        "problem": None,
    }
    assert run["expectations"] == [
        {
            "type": "expect_column_values_to_be_between",
            "column": "age",
            "success": True,
            "unexpected_count": 0,
            "unexpected_percent": 0.0,
            "status": "passed",
            "detail": None,
        },
        {
            "type": "expect_column_values_to_not_be_null",
            "column": "name",
            "success": True,
            "unexpected_count": 0,
            "unexpected_percent": 0.0,
            "status": "passed",
            "detail": None,
        },
    ]
    extras = result.extras["data_validation"]
    assert extras["bounds"] == {"rows": 100_000, "bytes": 67_108_864}
    assert set(extras) == {"bounds", "suites"}  # no wall time: reports stay byte-identical
    item = data1(result)
    assert item.level == "manual"  # checkpoint committed, nothing runs it: earned by hand
    [earned] = [e for e in item.evidence if e.check == "validate-data"]
    assert PASSED.fullmatch(earned.detail)
    assert (earned.path, earned.line, earned.kind, earned.level) == (
        "gx/expectations/people.json",
        None,
        "result",
        "manual",
    )
    assert item.findings == ()
    assert result.gate.passed


def test_v1_suite_failing_caps_an_automated_data1_at_manual(tmp_path):
    files = v1_project(v1_suite(), PEOPLE_BAD)
    files |= {".github/workflows/ci.yml": CI, "validate.py": RUNNER}
    root = make_repo(tmp_path, files)
    make_repo(tmp_path, {"data/people.csv": PEOPLE_OK})
    assert data1(validate(root)).level == "automated"  # the same project with good data
    make_repo(tmp_path, {"data/people.csv": PEOPLE_BAD})
    result = validate(root)
    item = data1(result)
    assert item.level == "manual"
    assert item.reason == (
        "capped at manual: expectation expect_column_values_to_be_between(age) failed on "
        "data/people.csv: 1 unexpected (33.33%)"
    )
    assert [(f.detail, f.path, f.cap) for f in item.findings] == [
        (
            "expectation expect_column_values_to_be_between(age) failed on data/people.csv: "
            "1 unexpected (33.33%)",
            "gx/expectations/people.json",
            "manual",
        ),
        (
            "expectation expect_column_values_to_not_be_null(name) failed on data/people.csv: "
            "1 unexpected (33.33%)",
            "gx/expectations/people.json",
            "manual",
        ),
    ]
    assert not [e for e in item.evidence if e.check == "validate-data"]
    [run] = runs(result)
    assert [(e["status"], e["success"], e["unexpected_count"]) for e in run["expectations"]] == [
        ("failed", False, 1),
        ("failed", False, 1),
    ]
    assert run["expectations"][0]["unexpected_percent"] == 33.3333
    assert result.gate.passed  # failing data fails the gate only when asked


def test_v0_suite_passes_through_its_checkpoint_and_is_converted(tmp_path):
    root = make_repo(tmp_path, v0_project(v0_suite(), PEOPLE_OK))
    result = validate(root)
    [run] = runs(result)
    assert (run["suite"], run["name"], run["data"], run["problem"]) == (
        "great_expectations/expectations/people.json",
        "people",
        "data/people.csv",
        None,
    )
    assert statuses(run) == [
        ("expect_column_values_to_be_between", "age", "passed"),
        ("expect_column_values_to_not_be_null", "name", "passed"),
    ]
    [earned] = [e for e in data1(result).evidence if e.check == "validate-data"]
    assert PASSED.fullmatch(earned.detail)
    assert earned.path == "great_expectations/expectations/people.json"


def test_v0_suite_failing_through_its_checkpoint(tmp_path):
    root = make_repo(tmp_path, v0_project(v0_suite(), PEOPLE_BAD))
    result = validate(root)
    [run] = runs(result)
    assert statuses(run) == [
        ("expect_column_values_to_be_between", "age", "failed"),
        ("expect_column_values_to_not_be_null", "name", "failed"),
    ]
    item = data1(result)
    assert item.level == "manual"
    assert {f.detail for f in item.findings} == {
        "expectation expect_column_values_to_be_between(age) failed on data/people.csv: "
        "1 unexpected (33.33%)",
        "expectation expect_column_values_to_not_be_null(name) failed on data/people.csv: "
        "1 unexpected (33.33%)",
    }


MAPPING = """
    data_validation:
      - suite: expectations/people.json
        data: samples/people.csv
"""


def test_v0_suite_mapped_in_config_outside_a_gx_folder(tmp_path):
    root = make_repo(
        tmp_path,
        {
            "mlready.yaml": MAPPING,
            "expectations/people.json": v0_suite(),
            "samples/people.csv": PEOPLE_OK,
        },
    )
    result = validate(root)
    [run] = runs(result)
    assert (run["suite"], run["data"], run["problem"], run["rows"]) == (
        "expectations/people.json",
        "samples/people.csv",
        None,
        3,
    )
    assert statuses(run) == [
        ("expect_column_values_to_be_between", "age", "passed"),
        ("expect_column_values_to_not_be_null", "name", "passed"),
    ]
    [earned] = [e for e in data1(result).evidence if e.check == "validate-data"]
    assert earned.detail.startswith(
        "GE suite `people` passed on samples/people.csv: 2 expectations"
    )


def test_config_mapping_takes_precedence_over_the_checkpoint(tmp_path):
    files = v1_project(v1_suite(), PEOPLE_OK)
    files |= {
        "mlready.yaml": """
            data_validation:
              - suite: ./gx/expectations/people.json
                data: data/holdout.csv
        """,
        "data/holdout.csv": PEOPLE_BAD,
    }
    root = make_repo(tmp_path, files)
    [run] = runs(validate(root))
    assert run["data"] == "data/holdout.csv"
    assert statuses(run)[0][2] == "failed"


def test_strict_ignores_the_config_mapping(tmp_path):
    files = v1_project(v1_suite(), PEOPLE_OK)
    files |= {
        "mlready.yaml": "data_validation:\n  - {suite: gx/expectations/people.json, "
        "data: data/holdout.csv}\n",
        "data/holdout.csv": PEOPLE_BAD,
    }
    root = make_repo(tmp_path, files)
    [run] = runs(validate(root, strict=True))
    assert (run["data"], statuses(run)[0][2]) == ("data/people.csv", "passed")


def test_fluent_pandas_asset_with_a_file_path(tmp_path):
    files = v1_project(v1_suite(), PEOPLE_OK)
    files["gx/great_expectations.yml"] = """
        fluent_datasources:
          files:
            type: pandas
            assets:
              people:
                type: csv
                batch_definitions:
                  whole:
                    partitioner:
                filepath_or_buffer: data/people.csv
    """
    root = make_repo(tmp_path, files)
    [run] = runs(validate(root))
    assert (run["data"], run["problem"]) == ("data/people.csv", None)


def test_no_suites_at_all_is_a_hint(tmp_path):
    root = make_repo(tmp_path, {"train.py": "print('hi')\n"})
    result = validate(root)
    assert runs(result) == []
    assert (
        "--validate-data: no Great Expectations suite found (looked for gx/expectations/*.json "
        "and great_expectations/expectations/**/*.json, and for data_validation entries in "
        "mlready.yaml)" in data1(result).context
    )


def test_reports_with_data_validation_are_byte_identical(tmp_path):
    from click.testing import CliRunner

    from ml_readiness.cli import main

    root = make_repo(tmp_path / "repo", v1_project(v1_suite(), PEOPLE_BAD))
    outputs = []
    for n in range(2):
        out = tmp_path / f"r{n}.json"
        args = ["audit", str(root), "--validate-data", "--as-of", "2026-11-01", "-o", str(out)]
        CliRunner().invoke(main, args)
        outputs.append(out.read_bytes())
    assert b"data_validation" in outputs[0] and b"expect_column" in outputs[0]
    assert outputs[0] == outputs[1]
