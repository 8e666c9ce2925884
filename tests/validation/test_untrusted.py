"""Suites are untrusted input: code-evaluating parameters are refused, broken ones reported,
and great_expectations is never imported by the static audit."""

from __future__ import annotations

import subprocess
import sys

import pytest

from ml_readiness.errors import UsageError
from ml_readiness.validation import require_gx
from tests.helpers import make_repo
from tests.validation.common import (
    PEOPLE_OK,
    V1_CONTEXT,
    V1_EXPECTATIONS,
    data1,
    runs,
    statuses,
    v0_suite,
    v1_project,
    v1_suite,
    validate,
)

CONDITIONAL = {
    "type": "expect_column_values_to_be_between",
    "kwargs": {
        "column": "age",
        "min_value": 40,
        "max_value": 50,
        "row_condition": 'name=="bob"',
        "condition_parser": "pandas",
    },
}
QUERY = {
    "type": "unexpected_rows_expectation",
    "kwargs": {"unexpected_rows_query": "SELECT * FROM {batch} WHERE age < 0"},
}
REFUSED = "refused: uses row_condition (evaluated as code); pass --allow-suite-conditions to run it"


def test_row_condition_and_queries_are_refused_and_the_rest_runs(tmp_path):
    suite = v1_suite(expectations=[*V1_EXPECTATIONS, CONDITIONAL, QUERY])
    root = make_repo(tmp_path, v1_project(suite, PEOPLE_OK))
    result = validate(root)
    [run] = runs(result)
    assert statuses(run) == [
        ("expect_column_values_to_be_between", "age", "passed"),
        ("expect_column_values_to_not_be_null", "name", "passed"),
        ("expect_column_values_to_be_between", "age", "refused"),
        ("unexpected_rows_expectation", None, "refused"),
    ]
    assert run["expectations"][2]["detail"] == REFUSED
    assert run["expectations"][2]["success"] is None
    assert run["expectations"][3]["detail"] == (
        "refused: unexpected_rows_expectation runs a query; pass --allow-suite-conditions to run it"
    )
    item = data1(result)
    assert (
        "GE suite `people` (gx/expectations/people.json): "
        f"expect_column_values_to_be_between(age) {REFUSED}" in item.context
    )
    [earned] = [e for e in item.evidence if e.check == "validate-data"]
    assert earned.detail.startswith("GE suite `people` passed on data/people.csv: 2 expectations ")


def test_allow_suite_conditions_runs_the_row_condition(tmp_path):
    suite = v1_suite(expectations=[*V1_EXPECTATIONS, CONDITIONAL])
    root = make_repo(tmp_path, v1_project(suite, PEOPLE_OK))
    [run] = runs(validate(root, allow=True))
    assert statuses(run)[2] == ("expect_column_values_to_be_between", "age", "passed")
    # only bob's row (45) is checked against 40..50: ann (31) and cy (27) are filtered out
    assert run["expectations"][2]["unexpected_count"] == 0


def test_unconvertible_expectations_are_reported_per_expectation(tmp_path):
    legacy = [
        {
            "expectation_type": "expect_column_values_to_be_between",
            "kwargs": {
                "column": "age",
                "min_value": 0,
                "max_value": 120,
                "catch_exceptions": True,
                "include_config": True,
                "result_format": "SUMMARY",
            },
        },
        {
            "expectation_type": "expect_column_bootstrapped_ks_test_p_value_to_be_greater_than",
            "kwargs": {"column": "name"},
        },
        {"expectation_type": "expect_column_values_to_not_be_null", "kwargs": {"colum": "x"}},
        "not an expectation",
    ]
    root = make_repo(
        tmp_path,
        {
            "mlready.yaml": "data_validation:\n  - suite: great_expectations/expectations/"
            "people.json\n    data: data/people.csv\n",
            "great_expectations/expectations/people.json": v0_suite(expectations=legacy),
            "data/people.csv": PEOPLE_OK,
        },
    )
    result = validate(root)
    [run] = runs(result)
    assert statuses(run) == [
        ("expect_column_values_to_be_between", "age", "passed"),
        ("expect_column_bootstrapped_ks_test_p_value_to_be_greater_than", "name", "unconvertible"),
        ("expect_column_values_to_not_be_null", None, "unconvertible"),
        (None, None, "unconvertible"),
    ]
    details = [e["detail"] for e in run["expectations"]]
    assert details[1] == (
        "could not be converted: ExpectationNotFoundError: "
        "expect_column_bootstrapped_ks_test_p_value_to_be_greater_than not found"
    )
    assert details[2] == (
        "could not be converted: invalid kwargs: column: field required; "
        "colum: extra fields not permitted"
    )
    assert details[3] == "could not be converted: not a mapping"
    ks = "expect_column_bootstrapped_ks_test_p_value_to_be_greater_than"
    assert (
        f"GE suite `people` (great_expectations/expectations/people.json): {ks}(name) could "
        f"not be converted: ExpectationNotFoundError: {ks} not found" in data1(result).context
    )


def test_require_gx_names_the_extra_when_great_expectations_is_missing(monkeypatch):
    monkeypatch.setitem(sys.modules, "great_expectations", None)
    with pytest.raises(UsageError) as info:
        require_gx()
    assert str(info.value) == (
        "--validate-data needs Great Expectations: pip install 'ml-readiness[gx]'"
    )


def test_require_gx_passes_when_installed():
    require_gx()


def test_importing_the_module_does_not_import_great_expectations():
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import ml_readiness.validation, sys; print('great_expectations' in sys.modules,"
            " 'pandas' in sys.modules)",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "False False"


def test_nothing_is_printed_while_validating(tmp_path, capfd):
    root = make_repo(tmp_path, v1_project(v1_suite(), PEOPLE_OK))
    validate(root)
    captured = capfd.readouterr()
    assert (captured.out, captured.err) == ("", "")


def test_an_expectation_that_cannot_run_does_not_hide_the_others(tmp_path):
    unresolved = {
        "type": "expect_column_max_to_be_between",
        "kwargs": {"column": "age", "min_value": {"$PARAMETER": "lowest"}, "max_value": 99},
    }
    duplicate = V1_EXPECTATIONS[0]
    suite = v1_suite(expectations=[*V1_EXPECTATIONS, duplicate, unresolved])
    root = make_repo(tmp_path, v1_project(suite, PEOPLE_OK))
    result = validate(root, fail=True)
    [run] = runs(result)
    assert [(e["status"], e["success"]) for e in run["expectations"]] == [
        ("passed", True),
        ("passed", True),
        ("passed", True),  # GX keeps one of two equal expectations; both are reported
        ("error", None),
    ]
    assert run["expectations"][3]["detail"] == (
        "could not run: SuiteParameterError: No value found for $PARAMETER lowest"
    )
    item = data1(result)
    assert item.findings == ()  # a suite that cannot run says nothing about the data
    assert (
        "GE suite `people` (gx/expectations/people.json): expect_column_max_to_be_between(age) "
        "could not run: SuiteParameterError: No value found for $PARAMETER lowest" in item.context
    )
    [earned] = [e for e in item.evidence if e.check == "validate-data"]
    assert earned.detail.startswith("GE suite `people` passed on data/people.csv: 3 expectations")
    assert result.gate.passed


def test_paths_leaving_the_tree_are_never_read(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "people.csv").write_text(PEOPLE_OK)
    files = v1_project(v1_suite(), PEOPLE_OK)
    del files["data/people.csv"]
    files["gx/great_expectations.yml"] = V1_CONTEXT.replace(
        "base_directory: data", "base_directory: ../../outside"
    )
    files["mlready.yaml"] = (
        "data_validation:\n  - {suite: gx/expectations/people.json, data: data/link.csv}\n"
        "  - {suite: gx/expectations/people.json, data: ../outside/people.csv}\n"
    )
    root = make_repo(tmp_path / "repo", files)
    (root / "data").mkdir()
    (root / "data" / "link.csv").symlink_to(outside / "people.csv")
    [first, second] = runs(validate(root))
    assert (first["data"], first["problem"]) == (
        "../outside/people.csv",
        "data file ../outside/people.csv (mlready.yaml data_validation) is not a file in the "
        "repository",
    )
    assert (second["data"], second["problem"]) == (
        "data/link.csv",
        "data file data/link.csv (mlready.yaml data_validation) is not a file in the repository",
    )
    files.pop("mlready.yaml")
    root2 = make_repo(tmp_path / "repo2", files)
    [run] = runs(validate(root2))
    assert run["problem"] == (
        "no committed data found for suite `people`: gx/validation_definitions/people_vd.json: "
        "datasource `files` asset `people`: base_directory '../../outside' is outside the "
        "repository; map it in mlready.yaml data_validation"
    )


def test_validation_never_opens_a_network_connection(tmp_path, monkeypatch):
    import socket

    attempts: list[object] = []

    def refuse(self, address):
        attempts.append(address)
        raise OSError("network disabled in this test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket.socket, "connect_ex", refuse)
    root = make_repo(tmp_path, v1_project(v1_suite(), PEOPLE_OK))
    [run] = runs(validate(root))
    assert [e["status"] for e in run["expectations"]] == ["passed", "passed"]
    assert attempts == []


def test_a_regex_that_can_backtrack_forever_is_refused(tmp_path):
    hostile = {
        "type": "expect_column_values_to_match_regex",
        "kwargs": {"column": "name", "regex": "^(a+)+$"},
    }
    plain = {
        "type": "expect_column_values_to_match_regex",
        "kwargs": {"column": "name", "regex": "^[a-z]+$"},
    }
    suite = v1_suite(expectations=[hostile, plain])
    root = make_repo(tmp_path, v1_project(suite, PEOPLE_OK))
    [run] = runs(validate(root))
    assert [(e["status"], e["detail"]) for e in run["expectations"]] == [
        (
            "refused",
            "refused: regex nests quantifiers (may backtrack for hours); "
            "pass --allow-suite-conditions to run it",
        ),
        ("passed", None),
    ]
