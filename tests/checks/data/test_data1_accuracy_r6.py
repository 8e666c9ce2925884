"""data-1 accuracy (round 6): legacy Great Expectations datasets built by pytest fixtures
(Made-With-ML style) and TFX components that are built but never added to the pipeline (the TFX
template's commented-out `components.append(...)`)."""

from __future__ import annotations

from tests.checks.data.util import ci, details, evidence, hints
from tests.helpers import audit, levels, make_repo, run_check

CHECK = "feature-schema"
CONFTEST = """
import great_expectations as ge
import pandas as pd
import pytest


def pytest_addoption(parser):
    parser.addoption("--dataset-loc", action="store", default=None)


@pytest.fixture(scope="module")
def df(request):
    dataset_loc = request.config.getoption("--dataset-loc")
    return ge.dataset.PandasDataset(pd.read_csv(dataset_loc))
"""
DATASET_TEST = """
def test_dataset(df):
    column_list = ["id", "title", "tag"]
    df.expect_table_columns_to_match_ordered_list(column_list=column_list)
    df.expect_column_values_to_be_in_set(column="tag", value_set=["cv", "nlp"])
    df.expect_column_values_to_be_unique(column="id")
    suite = df.get_expectation_suite(discard_failed_expectations=False)
    results = df.validate(expectation_suite=suite, only_return_failures=True).to_json_dict()
    assert results["success"]
"""


def test_ge_dataset_built_by_conftest_fixture_is_validated(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {"tests/data/conftest.py": CONFTEST, "tests/data/test_dataset.py": DATASET_TEST},
    )
    out = run_check(root, CHECK)
    assert evidence(out) == [("tests/data/test_dataset.py", 3, "test", "automated", "test_dataset")]
    assert details(out) == [
        "Great Expectations dataset expectations in test `test_dataset` on the data fixture "
        "`df` (tests/data/conftest.py) reads: 3 columns: id, title, tag"
    ]
    assert levels(audit(root))["data-1"] == "manual"


def test_ge_dataset_fixture_test_run_by_ci_is_automated(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            "tests/data/conftest.py": CONFTEST,
            "tests/data/test_dataset.py": DATASET_TEST,
            ".github/workflows/ci.yml": ci("pytest --dataset-loc=data/projects.csv tests/data"),
        },
    )
    assert levels(audit(root))["data-1"] == "automated"


def test_trap_ge_dataset_of_literal_frame_in_tests(tmp_path) -> None:
    # a library-style test: the dataset wraps a frame written in the test suite
    root = make_repo(
        tmp_path,
        {
            "tests/conftest.py": """
            import great_expectations as ge
            import pandas as pd
            import pytest


            @pytest.fixture
            def df():
                return ge.dataset.PandasDataset(pd.DataFrame({"a": [1, 2, 3]}))
            """,
            "tests/test_expectations.py": """
            def test_not_null(df):
                result = df.expect_column_values_to_not_be_null(column="a")
                assert result.success
            """,
        },
    )
    out = run_check(root, CHECK)
    assert evidence(out) == []
    assert hints(out)[0] == (
        "Great Expectations expectations in tests/test_expectations.py::test_not_null run on "
        "a dataset fixture `df` (tests/conftest.py) builds from literal data, not the "
        "project's data; not credited"
    )
    assert levels(audit(root))["data-1"] == "none"


PIPELINE = """
from tfx import v1 as tfx


def create_pipeline(data_path, schema_path=None):
    components = []
    example_gen = tfx.components.CsvExampleGen(input_base=data_path)
    components.append(example_gen)
    statistics_gen = tfx.components.StatisticsGen(examples=example_gen.outputs["examples"])
    {append_statistics}
    schema_gen = tfx.components.ImportSchemaGen(schema_file=schema_path)
    example_validator = tfx.components.ExampleValidator(
        statistics=statistics_gen.outputs["statistics"],
        schema=schema_gen.outputs["schema"])
    {append_validator}
    return tfx.dsl.Pipeline(pipeline_name="taxi", pipeline_root=".", components=components)
"""


def test_tfx_example_validator_added_to_the_pipeline(tmp_path) -> None:
    code = PIPELINE.format(
        append_statistics="components.append(statistics_gen)",
        append_validator="components.append(example_validator)",
    )
    root = make_repo(tmp_path, {"pipeline/pipeline.py": code})
    out = run_check(root, CHECK)
    assert evidence(out) == [("pipeline/pipeline.py", 11, "code", "automated", "create_pipeline")]
    assert hints(out) == []


def test_trap_tfx_example_validator_never_added_to_the_pipeline(tmp_path) -> None:
    # the TFX template leaves each `components.append(...)` commented out until a tutorial
    # step enables it: the validator is built but the pipeline never runs it
    code = PIPELINE.format(
        append_statistics="# components.append(statistics_gen)",
        append_validator="# TODO(step 5): Uncomment\n    # components.append(example_validator)",
    )
    root = make_repo(tmp_path, {"pipeline/pipeline.py": code})
    out = run_check(root, CHECK)
    assert evidence(out) == []
    assert hints(out)[0] == (
        "TFX `ExampleValidator` is built at pipeline/pipeline.py:11 but `example_validator` is "
        "never added to the pipeline's components (no `append` or `components=` outside "
        "comments uses it), so no data is validated; not credited"
    )
    assert levels(audit(root))["data-1"] == "none"


def test_tfx_example_validator_in_a_components_list_counts(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            "pipeline.py": """
            from tfx import v1 as tfx


            def create_pipeline(stats, schema):
                example_validator = tfx.components.ExampleValidator(
                    statistics=stats, schema=schema)
                return tfx.dsl.Pipeline(
                    pipeline_name="p", pipeline_root=".", components=[example_validator])
            """
        },
    )
    assert evidence(run_check(root, CHECK)) == [
        ("pipeline.py", 5, "code", "automated", "create_pipeline")
    ]
