"""Which data a suite runs on, how much of it is read, and the gate."""

from __future__ import annotations

import io

import pyarrow as pa
import pyarrow.parquet as pq

from ml_readiness import validation
from tests.helpers import make_repo
from tests.validation.common import (
    PEOPLE_BAD,
    PEOPLE_OK,
    V1_CONTEXT,
    data1,
    runs,
    statuses,
    v0_suite,
    v1_project,
    v1_suite,
    validate,
)

NO_DATA = (
    "no committed data found for suite `people`: gx/validation_definitions/people_vd.json: "
    "datasource `files` asset `people` (base_directory 'data' regex 'people.csv$') matches no "
    "committed CSV or Parquet file; map it in mlready.yaml data_validation"
)


def mapping(suite: str, data: str) -> str:
    return f"data_validation:\n  - suite: {suite}\n    data: {data}\n"


def parquet(table: dict) -> bytes:
    sink = io.BytesIO()
    pq.write_table(pa.table(table), sink)
    return sink.getvalue()


def test_parquet_data(tmp_path):
    data = parquet({"age": [31, 45, 27], "name": ["ann", "bob", "cy"]})
    root = make_repo(
        tmp_path,
        {
            "mlready.yaml": mapping("gx/expectations/people.json", "data/people.parquet"),
            "gx/expectations/people.json": v1_suite(),
            "data/people.parquet": data,
        },
    )
    result = validate(root)
    [run] = runs(result)
    assert (run["data"], run["rows"], run["bytes"], run["sampled"], run["problem"]) == (
        "data/people.parquet",
        3,
        len(data),
        False,
        None,
    )
    assert [e["status"] for e in run["expectations"]] == ["passed", "passed"]
    [earned] = [e for e in data1(result).evidence if e.check == "validate-data"]
    assert earned.detail.startswith("GE suite `people` passed on data/people.parquet: ")


def test_large_csv_is_sampled_to_the_row_bound(tmp_path):
    rows = "".join(f"{i % 90},p{i}\n" for i in range(150_000))
    root = make_repo(tmp_path, v1_project(v1_suite(), "age,name\n" + rows))
    result = validate(root)
    [run] = runs(result)
    assert (run["rows"], run["sampled"], run["problem"]) == (100_000, True, None)
    assert [e["status"] for e in run["expectations"]] == ["passed", "passed"]
    [earned] = [e for e in data1(result).evidence if e.check == "validate-data"]
    assert earned.detail.endswith(
        f"(validated by --validate-data; sampled: 100000 rows, "
        f"{len(rows) + len('age,name') + 1} bytes read)"
    )


def test_csv_over_the_byte_bound_is_cut_at_the_last_full_line(tmp_path, monkeypatch):
    monkeypatch.setattr(validation, "MAX_BYTES", 40)
    root = make_repo(tmp_path, v1_project(v1_suite(), PEOPLE_OK + "52,dee\n61,eve\n"))
    [run] = runs(validate(root))
    # 40 bytes hold the header and four full rows (36 bytes); the partial fifth row is dropped
    assert (run["rows"], run["bytes"], run["sampled"]) == (4, 36, True)


def test_parquet_over_the_byte_bound_is_skipped_not_truncated(tmp_path, monkeypatch):
    data = parquet({"age": list(range(1000)), "name": [f"p{i}" for i in range(1000)]})
    monkeypatch.setattr(validation, "MAX_BYTES", 1024)
    root = make_repo(
        tmp_path,
        {
            "mlready.yaml": mapping("gx/expectations/people.json", "data/people.parquet"),
            "gx/expectations/people.json": v1_suite(),
            "data/people.parquet": data,
        },
    )
    result = validate(root)
    [run] = runs(result)
    problem = (
        f"data/people.parquet is larger than the 1024 byte bound ({len(data)} bytes); a "
        "truncated Parquet file cannot be read, so it was skipped"
    )
    assert (run["problem"], run["expectations"]) == (problem, [])
    assert f"--validate-data: GE suite `people` (gx/expectations/people.json): {problem}" in (
        data1(result).context
    )


def test_checkpoint_pointing_at_a_file_that_is_not_committed(tmp_path):
    files = v1_project(v1_suite(), PEOPLE_OK)
    del files["data/people.csv"]
    root = make_repo(tmp_path, files)
    result = validate(root)
    [run] = runs(result)
    assert (run["data"], run["problem"], run["expectations"]) == (None, NO_DATA, [])
    item = data1(result)
    assert f"--validate-data: {NO_DATA}" in item.context
    assert not [e for e in item.evidence if e.check == "validate-data"]


def test_config_mapping_to_a_missing_file(tmp_path):
    root = make_repo(
        tmp_path,
        {
            "mlready.yaml": mapping("gx/expectations/people.json", "data/missing.csv"),
            "gx/expectations/people.json": v1_suite(),
        },
    )
    [run] = runs(validate(root))
    assert (run["data"], run["problem"]) == (
        "data/missing.csv",
        "data file data/missing.csv (mlready.yaml data_validation) is not a file in the repository",
    )


def test_suite_without_any_checkpoint(tmp_path):
    root = make_repo(tmp_path, {"gx/expectations/people.json": v1_suite()})
    [run] = runs(validate(root))
    assert run["problem"] == (
        "no committed data found for suite `people`: no checkpoint or validation definition "
        "names it; map it in mlready.yaml data_validation"
    )


def test_a_regex_matching_several_files_is_not_guessed(tmp_path):
    files = v1_project(v1_suite(), PEOPLE_OK)
    files["gx/great_expectations.yml"] = V1_CONTEXT.replace("people.csv$", r"people.*\.csv")
    files["data/people_2024.csv"] = PEOPLE_OK
    root = make_repo(tmp_path, files)
    [run] = runs(validate(root))
    assert run["problem"] == (
        "no committed data found for suite `people`: gx/validation_definitions/people_vd.json: "
        "datasource `files` asset `people` (base_directory 'data' regex 'people.*\\\\.csv') "
        "matches 2 committed files (data/people.csv, data/people_2024.csv); "
        "map it in mlready.yaml data_validation"
    )


def test_missing_column_is_an_error_that_counts_against_data1(tmp_path):
    root = make_repo(tmp_path, v1_project(v1_suite(), "years,name\n31,ann\n"))
    result = validate(root)
    [run] = runs(result)
    assert statuses(run)[0] == ("expect_column_values_to_be_between", "age", "error")
    assert run["expectations"][0]["detail"] == (
        'Error: The column "age" in BatchData does not exist.'
    )
    finding = data1(result).findings[0]
    assert (finding.detail, finding.cap) == (
        "expectation expect_column_values_to_be_between(age) raised an error on data/people.csv: "
        'Error: The column "age" in BatchData does not exist.',
        "manual",
    )


def test_fail_on_data_validation_fails_the_gate_per_failing_suite(tmp_path):
    root = make_repo(tmp_path, v1_project(v1_suite(), PEOPLE_BAD))
    result = validate(root, fail=True)
    reason = (
        "data validation: GE suite `people` (gx/expectations/people.json) failed on "
        "data/people.csv: 2 of 2 expectations failed"
    )
    assert (result.gate.passed, result.gate.reasons) == (False, (reason,))
    make_repo(tmp_path, {"data/people.csv": PEOPLE_OK})
    assert validate(root, fail=True).gate.passed


def test_gate_setting_in_config_fails_the_gate_too(tmp_path):
    files = v1_project(v1_suite(), PEOPLE_BAD)
    files["mlready.yaml"] = "gate:\n  fail_on_data_validation: true\n"
    root = make_repo(tmp_path, files)
    result = validate(root)
    assert not result.gate.passed
    assert result.gate.reasons[-1].startswith("data validation: GE suite `people`")
    assert validate(root, strict=True).gate.passed  # --strict ignores the repo's own gate


FLUENT_V0 = """
    fluent_datasources:
      files:
        type: pandas_filesystem
        base_directory: ../data
        assets:
          - name: people
            type: csv
            batching_regex: people_(?P<year>\\d{4})\\.csv
"""
FLUENT_V0_CHECKPOINT = """
    name: yearly
    validations:
      - batch_request:
          datasource_name: files
          data_asset_name: people
          options: {year: "2024"}
        expectation_suite_name: people
"""


def test_several_suites_run_in_path_order_in_one_context(tmp_path):
    files = v1_project(v1_suite(), PEOPLE_OK)
    files |= {
        "great_expectations/great_expectations.yml": FLUENT_V0,
        "great_expectations/expectations/people.json": v0_suite(),
        "great_expectations/checkpoints/yearly.yml": FLUENT_V0_CHECKPOINT,
        "data/people_2024.csv": PEOPLE_BAD,
    }
    root = make_repo(tmp_path, files)
    result = validate(root)
    assert [(r["suite"], r["data"]) for r in runs(result)] == [
        ("great_expectations/expectations/people.json", "data/people_2024.csv"),
        ("gx/expectations/people.json", "data/people.csv"),
    ]
    assert [[e["status"] for e in r["expectations"]] for r in runs(result)] == [
        ["failed", "failed"],
        ["passed", "passed"],
    ]
    item = data1(result)
    assert item.level == "manual"
    assert [f.path for f in item.findings] == ["great_expectations/expectations/people.json"] * 2
    assert [e.path for e in item.evidence if e.check == "validate-data"] == [
        "gx/expectations/people.json"
    ]
