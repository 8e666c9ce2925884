"""Fixture builders for the --validate-data tests: GX projects in both layouts."""

from __future__ import annotations

import json
from pathlib import Path

from ml_readiness.result import AuditResult, ItemResult
from ml_readiness.validation import validation_hook
from tests.helpers import audit

PEOPLE_OK = "age,name\n31,ann\n45,bob\n27,cy\n"
PEOPLE_BAD = "age,name\n31,ann\n245,bob\n27,\n"

V1_EXPECTATIONS = [
    {
        "type": "expect_column_values_to_be_between",
        "kwargs": {"column": "age", "min_value": 0, "max_value": 120},
    },
    {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "name"}},
]


def v1_suite(name: str = "people", expectations: list | None = None) -> str:
    """A suite as GX 1.x writes it to gx/expectations/<name>.json."""
    exps = [
        {"id": f"id-{i}", "meta": {}, "severity": "critical", **e}
        for i, e in enumerate(V1_EXPECTATIONS if expectations is None else expectations)
    ]
    return json.dumps(
        {
            "expectations": exps,
            "id": "s1",
            "meta": {"great_expectations_version": "1.24.1"},
            "name": name,
            "notes": None,
        },
        indent=2,
    )


def v0_suite(name: str = "people", expectations: list | None = None) -> str:
    """A suite as GX 0.x writes it to great_expectations/expectations/<name>.json."""
    exps = (
        expectations
        if expectations is not None
        else [
            {
                "expectation_type": e["type"],
                "kwargs": {**e["kwargs"], "result_format": "BASIC"},
                "meta": {},
            }
            for e in V1_EXPECTATIONS
        ]
    )
    return json.dumps(
        {
            "data_asset_type": None,
            "expectation_suite_name": name,
            "expectations": exps,
            "ge_cloud_id": None,
            "meta": {"great_expectations_version": "0.18.12"},
        },
        indent=2,
    )


V1_CONTEXT = """
    fluent_datasources:
      files:
        type: pandas_filesystem
        id: 165d8010-5268-48e3-8fe7-7bea8ca5b119
        assets:
          people:
            type: csv
            id: dbfe3ae5-e8cd-4069-a49c-c2d0086f3b10
            batch_definitions:
              whole:
                id: 939f48dd-09ed-41dd-97e2-4022accdfd1c
                partitioner:
                  regex: people.csv$
                  param_names: []
        base_directory: data
    analytics_enabled:
"""


def v1_project(suite: str, csv: str) -> dict[str, str]:
    """A committed 1.x project: suite, datasource, validation definition, checkpoint, data."""
    return {
        "gx/expectations/people.json": suite,
        "gx/great_expectations.yml": V1_CONTEXT,
        "gx/validation_definitions/people_vd.json": json.dumps(
            {
                "data": {
                    "asset": {"id": "a", "name": "people"},
                    "batch_definition": {"id": "b", "name": "whole"},
                    "datasource": {"id": "d", "name": "files"},
                },
                "id": "v",
                "name": "people_vd",
                "suite": {"id": "s1", "name": "people"},
            }
        ),
        "gx/checkpoints/nightly.json": json.dumps(
            {
                "actions": [],
                "id": "c",
                "name": "nightly",
                "result_format": "SUMMARY",
                "validation_definitions": [{"id": "v", "name": "people_vd"}],
            }
        ),
        "data/people.csv": csv,
    }


V0_CONTEXT = """
    config_version: 3.0
    datasources:
      local_files:
        class_name: Datasource
        module_name: great_expectations.datasource
        execution_engine:
          class_name: PandasExecutionEngine
        data_connectors:
          default_inferred_data_connector_name:
            class_name: InferredAssetFilesystemDataConnector
            base_directory: ../data/
            default_regex:
              group_names:
                - data_asset_name
              pattern: (.*)
          default_runtime_data_connector_name:
            class_name: RuntimeDataConnector
            batch_identifiers:
              - default_identifier_name
    stores: {}
"""

V0_CHECKPOINT = """
    name: people_checkpoint
    config_version: 1.0
    class_name: SimpleCheckpoint
    run_name_template: '%Y%m%d-%H%M%S-people'
    validations:
      - batch_request:
          datasource_name: local_files
          data_connector_name: default_inferred_data_connector_name
          data_asset_name: people.csv
          data_connector_query:
            index: -1
        expectation_suite_name: people
"""


def v0_project(suite: str, csv: str) -> dict[str, str]:
    """A committed 0.x project resolved through its checkpoint."""
    return {
        "great_expectations/great_expectations.yml": V0_CONTEXT,
        "great_expectations/expectations/people.json": suite,
        "great_expectations/checkpoints/people_checkpoint.yml": V0_CHECKPOINT,
        "data/people.csv": csv,
    }


def validate(root: Path, allow: bool = False, fail: bool = False, **options: object) -> AuditResult:
    """Audit `root` with the --validate-data hook."""
    return audit(root, hooks=(validation_hook(allow, fail),), **options)


def runs(result: AuditResult) -> list[dict]:
    return result.extras["data_validation"]["suites"]


def data1(result: AuditResult) -> ItemResult:
    return next(i for i in result.items if i.id == "data-1")


def statuses(run: dict) -> list[tuple[str, str | None, str]]:
    return [(e["type"], e["column"], e["status"]) for e in run["expectations"]]
