"""data-1: a schema earns credit only where data is validated against it."""

from __future__ import annotations

import json

from tests.checks.data.util import ci, details, evidence, findings, hints
from tests.helpers import audit, levels, make_repo, notebook, run_check

CHECK = "feature-schema"
SUITE_0X = json.dumps(
    {
        "expectation_suite_name": "orders",
        "expectations": [
            {
                "expectation_type": "expect_column_values_to_not_be_null",
                "kwargs": {"column": "age"},
            },
            {
                "expectation_type": "expect_column_values_to_be_between",
                "kwargs": {"column": "income", "min_value": 0},
            },
            {
                "expectation_type": "expect_table_columns_to_match_set",
                "kwargs": {"column_set": ["age", "income", "city"]},
            },
        ],
    },
    indent=2,
)
CHECKPOINT_0X = """
name: orders_cp
config_version: 1.0
class_name: Checkpoint
validations:
  - batch_request:
      datasource_name: warehouse
    expectation_suite_name: orders
"""


def test_ge_0x_checkpoint_run_in_ci(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            "great_expectations/great_expectations.yml": "config_version: 3.0\n",
            "great_expectations/expectations/orders.json": SUITE_0X,
            "great_expectations/checkpoints/orders_cp.yml": CHECKPOINT_0X,
            ".github/workflows/ci.yml": ci("great_expectations checkpoint run orders_cp"),
        },
    )
    out = run_check(root, CHECK)
    assert evidence(out) == [
        ("great_expectations/checkpoints/orders_cp.yml", 4, "config", "automated", None)
    ]
    assert details(out) == [
        "GE checkpoint `orders_cp` validates GE suite `orders` covers 3 columns: age, income, city"
    ]
    assert findings(out) == []


def test_ge_0x_checkpoint_run_in_ci_is_automated(tmp_path) -> None:
    """Depends on the AutomationMap recording checkpoint files run by CI."""
    root = make_repo(
        tmp_path,
        {
            "great_expectations/expectations/orders.json": SUITE_0X,
            "great_expectations/checkpoints/orders_cp.yml": CHECKPOINT_0X,
            ".github/workflows/ci.yml": ci("great_expectations checkpoint run orders_cp"),
        },
    )
    assert levels(audit(root))["data-1"] == "automated"


def test_ge_1x_layout_with_checkpoint_run_in_code(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            "gx/expectations/orders.json": json.dumps(
                {
                    "name": "orders",
                    "expectations": [
                        {"type": "expect_column_values_to_not_be_null", "kwargs": {"column": "id"}},
                        {"type": "expect_column_values_to_be_unique", "kwargs": {"column": "sku"}},
                    ],
                }
            ),
            "gx/validation_definitions/orders_vd.json": json.dumps(
                {"name": "orders_vd", "suite": {"name": "orders", "id": "1"}}
            ),
            "gx/checkpoints/orders_cp.json": json.dumps(
                {"name": "orders_cp", "validation_definitions": [{"name": "orders_vd", "id": "2"}]},
                indent=1,
            ),
            "pipeline/validate.py": """
                import great_expectations as gx


                def validate():
                    context = gx.get_context()
                    checkpoint = context.checkpoints.get("orders_cp")
                    return checkpoint.run()
            """,
        },
    )
    out = run_check(root, CHECK)
    assert evidence(out) == [
        ("gx/checkpoints/orders_cp.json", 3, "config", "automated", None),
        ("pipeline/validate.py", 7, "code", "automated", "validate"),
    ]
    assert details(out)[1] == (
        "Great Expectations validation checkpoint `.run()`: "
        "GE suite `orders` covers 2 columns: id, sku"
    )


def test_suite_built_in_code_and_validated(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            "src/checks.py": """
                import great_expectations as gx
                import great_expectations.expectations as gxe


                def check_orders(context, batch_definition):
                    suite = gx.ExpectationSuite(name="orders")
                    suite.add_expectation(gxe.ExpectColumnValuesToNotBeNull(column="age"))
                    suite.add_expectation(gxe.ExpectColumnValuesToBeBetween(column="income"))
                    vd = gx.ValidationDefinition(data=batch_definition, suite=suite, name="vd")
                    return vd.run()
            """,
        },
    )
    out = run_check(root, CHECK)
    assert evidence(out) == [("src/checks.py", 10, "code", "automated", "check_orders")]
    assert details(out) == [
        "Great Expectations validation validation definition `.run()`: "
        "GE suite `orders` covers 2 columns: age, income"
    ]


def test_trap_ge_suite_nobody_validates(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            "great_expectations/expectations/orders.json": SUITE_0X,
            "README.md": "# Data\n\nRun `great_expectations checkpoint run orders_cp` some day.\n",
            ".github/workflows/ci.yml": ci(),
        },
    )
    out = run_check(root, CHECK)
    assert evidence(out) == []
    assert findings(out) == [("great_expectations/expectations/orders.json", 2, None)]
    assert "not validated against; earns nothing" in out[0].detail
    assert levels(audit(root))["data-1"] == "none"


PANDERA_TRAIN = """
import pandas as pd
import pandera as pa
from pandera.typing import Series


class Orders(pa.DataFrameModel):
    age: Series[int] = pa.Field(ge=0)
    income: Series[float]


raw_schema = pa.DataFrameSchema({"city": pa.Column(str), "zip": pa.Column(str)})


def load(path):
    df = pd.read_csv(path)
    return Orders.validate(df)


if __name__ == "__main__":
    load("data.csv")
"""


def test_pandera_model_validated_and_unused_schema_reported(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {"src/train.py": PANDERA_TRAIN, ".github/workflows/ci.yml": ci("python src/train.py")},
    )
    out = run_check(root, CHECK)
    assert evidence(out) == [("src/train.py", 16, "code", "automated", "load")]
    assert details(out) == [
        "pandera model `Orders` covers 2 columns: age, income; validated by `Orders.validate`"
    ]
    assert findings(out) == [("src/train.py", 11, None)]
    assert out[1].detail.startswith("pandera schema `raw_schema` covers 2 columns: city, zip")


def test_pandera_check_types_decorator(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            "features/schema.py": """
                import pandera as pa
                from pandera.typing import DataFrame, Series


                class Raw(pa.DataFrameModel):
                    amount: Series[float]


                @pa.check_types
                def clean(df: DataFrame[Raw]) -> DataFrame[Raw]:
                    return df.dropna()
            """,
        },
    )
    out = run_check(root, CHECK)
    assert evidence(out) == [("features/schema.py", 10, "code", "automated", "clean")]
    assert details(out) == [
        "pandera `@check_types` validates `clean` data: `Raw` covers 1 column: amount"
    ]


def test_pandera_manual_in_notebook_without_ci(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            "analysis.ipynb": notebook(
                "import pandera as pa\nschema = pa.DataFrameSchema({'age': pa.Column(int)})",
                "schema.validate(df)",
                outputs=True,
            )
        },
    )
    out = run_check(root, CHECK)
    assert [(p, kind, credit) for p, _line, kind, credit, _s in evidence(out)] == [
        ("analysis.ipynb", "code", "automated")
    ]
    assert levels(audit(root))["data-1"] == "manual"


def test_pydantic_feature_rows_validated_in_loader(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            "src/rows.py": """
                import json
                from pydantic import BaseModel


                class FeatureRow(BaseModel):
                    age: int
                    income: float
                    city: str


                class ServingRequest(BaseModel):
                    user: str
                    text: str


                def load_rows(path):
                    with open(path) as fh:
                        return [FeatureRow.model_validate(r) for r in json.load(fh)]
            """,
        },
    )
    out = run_check(root, CHECK)
    assert evidence(out) == [("src/rows.py", 18, "code", "automated", "load_rows")]
    assert details(out) == [
        "pydantic feature-row model `FeatureRow` covers 3 columns: age, income, city; "
        "rows validated by `FeatureRow.model_validate` in data-loading code"
    ]
    assert findings(out) == []


SERVE = """
from fastapi import FastAPI
from pydantic import BaseModel, Field


class LoanApplication(BaseModel):
    income: float = Field(ge=0)
    amount: float = Field(ge=500)
    term: int


class Decision(BaseModel):
    approved: bool
    score: float
    version: str


def create_app(model):
    app = FastAPI()

    @app.post("/predict", response_model=Decision)
    def predict(application: LoanApplication) -> Decision:
        score = float(model.predict_proba([list(application.model_dump().values())])[0, 1])
        return Decision(approved=score < 0.5, score=score, version="1")

    return app
"""


def test_pydantic_request_body_is_validated_by_fastapi(tmp_path) -> None:
    """A pydantic model a FastAPI route takes as its body is validated on every request."""
    root = make_repo(tmp_path, {"src/serve.py": SERVE})
    out = run_check(root, CHECK)
    assert evidence(out) == [("src/serve.py", 21, "code", "manual", "create_app.predict")]
    assert details(out) == [
        "pydantic request model `LoanApplication` covers 3 columns: income, amount, term; "
        "FastAPI validates every request body of `POST /predict` against it"
    ]
    assert findings(out) == [("src/serve.py", 11, None)]  # `Decision` is a response, not input
    assert levels(audit(root))["data-1"] == "manual"


def test_trap_pandera_schemas_defined_only_in_tests(tmp_path) -> None:
    """A library's tests that build toy schemas and validate fixture frames are not the
    project's feature schema, even when CI runs them."""
    root = make_repo(
        tmp_path,
        {
            "tests/test_checks.py": """
                import pandas as pd
                import pandera as pa


                def test_equal_to():
                    schema = pa.DataFrameSchema({"myval": pa.Column(int, pa.Check.eq(1))})
                    assert schema.validate(pd.DataFrame({"myval": [1]})) is not None
            """,
            "lib/decorators.py": """
                def check_input(schema):
                    def wrap(df):
                        return schema.validate(df)
                    return wrap
            """,
            ".github/workflows/ci.yml": ci("pytest tests"),
        },
    )
    out = run_check(root, CHECK)
    assert evidence(out) == []
    assert hints(out)[0] == (
        "pandera schemas defined only in tests, docs, examples or benchmarks "
        "(tests/test_checks.py:6) describe fixture data, not the project's features; "
        "not credited"
    )
    assert levels(audit(root))["data-1"] == "none"


def test_project_schema_validated_in_a_test_counts(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            "src/shop/schema.py": """
                import pandera as pa
                from pandera.typing import Series


                class Orders(pa.DataFrameModel):
                    age: Series[int] = pa.Field(ge=0)
                    income: Series[float]
            """,
            "tests/test_schema.py": """
                import pandas as pd

                from shop.schema import Orders


                def test_sample_matches_schema():
                    assert Orders.validate(pd.read_csv("data/sample.csv")) is not None
            """,
            ".github/workflows/ci.yml": ci("pytest tests"),
        },
    )
    out = run_check(root, CHECK)
    assert evidence(out) == [
        ("tests/test_schema.py", 7, "test", "automated", "test_sample_matches_schema")
    ]
    assert levels(audit(root))["data-1"] == "automated"


def test_tfdv_schema_validated_and_trap(tmp_path) -> None:
    pbtxt = (
        'feature {\n  name: "age"\n  type: INT\n}\nfeature {\n  name: "city"\n  type: BYTES\n}\n'
    )
    root = make_repo(
        tmp_path,
        {
            "schema/schema.pbtxt": pbtxt,
            "pipeline/check.py": """
                import tensorflow_data_validation as tfdv


                def check(stats):
                    schema = tfdv.load_schema_text("schema/schema.pbtxt")
                    return tfdv.validate_statistics(stats, schema)
            """,
        },
    )
    out = run_check(root, CHECK)
    assert evidence(out) == [("pipeline/check.py", 6, "code", "automated", "check")]
    assert details(out) == [
        "TFDV validates data against `schema/schema.pbtxt` covering 2 columns: age, city "
        "via `tfdv.validate_statistics`"
    ]
    trap = make_repo(tmp_path / "trap", {"schema.pbtxt": pbtxt})
    out = run_check(trap, CHECK)
    assert evidence(out) == [] and findings(out) == [("schema.pbtxt", 1, None)]


def test_json_schema_records(tmp_path) -> None:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object",
        "properties": {"age": {"type": "integer"}, "email_domain": {"type": "string"}},
    }
    root = make_repo(
        tmp_path,
        {
            "schemas/record.schema.json": json.dumps(schema, indent=2),
            "schemas/unused_record.schema.json": json.dumps(schema, indent=2),
            "ingest.py": """
                import json
                import jsonschema

                SCHEMA = json.load(open("schemas/record.schema.json"))


                def ingest(records):
                    for r in records:
                        jsonschema.validate(instance=r, schema=SCHEMA)
            """,
        },
    )
    out = run_check(root, CHECK)
    assert evidence(out) == [("ingest.py", 9, "code", "automated", "ingest")]
    assert findings(out) == [("schemas/unused_record.schema.json", 4, None)]


def test_soda_and_dbt_run_by_ci_and_trap(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            "soda/checks.yml": "checks for orders:\n  - row_count > 0\n  - missing_count(age) = 0",
            "dbt_project.yml": "name: shop\n",
            "models/schema.yml": """
                version: 2
                models:
                  - name: orders
                    columns:
                      - name: id
                        tests: [unique, not_null]
            """,
            ".github/workflows/ci.yml": ci("soda scan -d wh soda/checks.yml && dbt test"),
        },
    )
    out = run_check(root, CHECK)
    assert evidence(out) == [
        ("soda/checks.yml", 1, "config", "automated", None),
        ("models/schema.yml", 3, "config", "automated", None),
    ]
    assert details(out) == [
        "Soda checks for `orders` cover 1 column: age; run by `soda scan` at "
        ".github/workflows/ci.yml:9",
        "dbt tests on model `orders` cover 1 column: id; run by `dbt test` at "
        ".github/workflows/ci.yml:9",
    ]
    trap = make_repo(
        tmp_path / "trap",
        {"checks.yml": "checks for orders:\n  - row_count > 0\n", "README.md": "soda scan x\n"},
    )
    out = run_check(trap, CHECK)
    assert evidence(out) == [] and findings(out) == [("checks.yml", 1, None)]


def test_deepchecks_suite_run(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            "qa.py": """
                from deepchecks.tabular.suites import data_integrity


                def qa(ds):
                    suite = data_integrity()
                    return suite.run(ds)
            """,
        },
    )
    out = run_check(root, CHECK)
    assert evidence(out) == [("qa.py", 6, "code", "automated", "qa")]


def test_nothing_found_says_what_was_looked_for(tmp_path) -> None:
    root = make_repo(tmp_path, {"train.py": "import pandera\nimport great_expectations\n"})
    out = run_check(root, CHECK)
    assert evidence(out) == [] and findings(out) == []
    assert hints(out)[0].startswith("no schema that data is validated against")


POLICY = """
from pydantic import BaseModel, Field


class PolicyFeatures(BaseModel):
    lob: str
    annual_premium: float = Field(gt=0)
    tenure_months: int = Field(ge=0)


class BatchResponse(BaseModel):
    total: float
    at_risk: float
    premium: float
"""


def test_trap_schema_unit_test_is_not_data_validation(tmp_path) -> None:
    """A CI-run test asserting the model rejects bad input tests the schema class; it does not
    validate the training data ("invalid" is not the word "valid"); a response model is no
    feature row."""
    root = make_repo(
        tmp_path,
        {
            "src/api/schemas.py": POLICY,
            "src/api/checks.py": """
                from src.api.schemas import PolicyFeatures


                def check_invalid_lob():
                    return PolicyFeatures(lob="marine", annual_premium=1.0, tenure_months=1)
            """,
            "tests/test_schemas.py": """
                import pytest

                from src.api.schemas import PolicyFeatures


                def test_invalid_lob_raises():
                    with pytest.raises(ValueError):
                        PolicyFeatures(lob="marine", annual_premium=-1, tenure_months=1)
            """,
            ".github/workflows/ci.yml": ci("pytest tests"),
        },
    )
    out = run_check(root, CHECK)
    assert evidence(out) == []
    assert findings(out) == [("src/api/schemas.py", 4, None)]
    assert levels(audit(root))["data-1"] == "none"


def test_pydantic_rows_validated_in_camel_case_reader(tmp_path) -> None:
    """Whole words of the function name count, camelCase included (`readPolicies`)."""
    root = make_repo(
        tmp_path,
        {
            "src/api/schemas.py": POLICY,
            "src/ingest.py": """
                from src.api.schemas import PolicyFeatures


                def readPolicies(rows):
                    return [PolicyFeatures(**r) for r in rows]
            """,
        },
    )
    out = run_check(root, CHECK)
    assert evidence(out) == [("src/ingest.py", 5, "code", "automated", "readPolicies")]


GENERATE = """
from fastapi import FastAPI
from pydantic import BaseModel, Field

app = FastAPI()


class PredictRequest(BaseModel):
    prompt: str = Field(min_length=1)
    max_new_tokens: int = Field(256, ge=1)
    temperature: float = Field(0.7, ge=0.0)
    top_p: float = Field(0.9, le=1.0)


@app.post("/predict")
def predict(request: PredictRequest) -> dict:
    return {"text": request.prompt}
"""
VALIDATOR = """
from datasets import Dataset


class DatasetValidator:
    REQUIRED_COLUMNS = ("instruction", "output")

    @staticmethod
    def validate_schema(dataset: Dataset) -> tuple[bool, list[str]]:
        columns = set(dataset.column_names)
        missing = [c for c in DatasetValidator.REQUIRED_COLUMNS if c not in columns]
        return not missing, missing

    @classmethod
    def validate_all(cls, dataset: Dataset) -> Dataset:
        ok, missing = cls.validate_schema(dataset)
        if not ok:
            raise ValueError(f"Dataset missing required columns: {missing}")
        return dataset
"""


def test_llm_request_model_is_not_a_feature_schema_but_column_validator_is(tmp_path) -> None:
    """An LLM request (prompt + generation settings) is left to monitor-2; the hand-written
    REQUIRED_COLUMNS validator the training script calls is the training-data schema."""
    root = make_repo(
        tmp_path,
        {
            "src/inference/api.py": GENERATE,
            "src/data/validator.py": VALIDATOR,
            "scripts/train.py": """
                from datasets import load_dataset

                from src.data.validator import DatasetValidator


                def main():
                    dataset = load_dataset("json", data_files="data/train.json")["train"]
                    dataset = DatasetValidator.validate_all(dataset)
                    trainer.train()


                if __name__ == "__main__":
                    main()
            """,
        },
    )
    out = run_check(root, CHECK)
    assert evidence(out) == [("scripts/train.py", 8, "code", "manual", "main")]
    assert details(out) == [
        "hand-written column check `DatasetValidator.validate_all` raises when the data lacks "
        "`REQUIRED_COLUMNS` (2 columns: instruction, output); training data checked by "
        "`DatasetValidator.validate_all` (column presence)"
    ]
    assert hints(out) == [
        "pydantic model `PredictRequest` (src/inference/api.py:7) holds generation settings "
        "(max_new_tokens, temperature, top_p), not feature rows; not credited as a feature "
        "schema (request validation is monitor-2)"
    ]
    assert levels(audit(root))["data-1"] == "manual"


def test_trap_column_validator_nobody_calls_and_column_list_without_raise(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            "src/data/validator.py": VALIDATOR,
            "src/features/schema.py": """
                import pandas as pd

                FEATURE_COLUMNS = ["age", "income"]


                def to_model_frame(records):
                    frame = pd.DataFrame(records)
                    return frame[[c for c in FEATURE_COLUMNS if c in frame.columns]]
            """,
            "scripts/train.py": """
                from src.features.schema import to_model_frame


                def main():
                    model.fit(to_model_frame([]))
            """,
        },
    )
    out = run_check(root, CHECK)
    assert evidence(out) == []
    assert findings(out) == [("src/data/validator.py", 14, None)]
    assert levels(audit(root))["data-1"] == "none"


def test_column_validator_with_type_checks_run_by_ci_is_automated(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            "src/schema.py": """
                FEATURE_COLS = ["age", "income"]


                def validate(df):
                    missing = [c for c in FEATURE_COLS if c not in df.columns]
                    if missing:
                        raise ValueError(f"missing columns: {missing}")
                    if str(df["age"].dtype) != "int64":
                        raise TypeError("age must be an integer column")
            """,
            "train.py": """
                import pandas as pd

                from src.schema import validate


                def train():
                    df = pd.read_csv("data/train.csv")
                    validate(df)
                    model.fit(df)


                if __name__ == "__main__":
                    train()
            """,
            ".github/workflows/ci.yml": ci("python train.py"),
        },
    )
    out = run_check(root, CHECK)
    assert evidence(out) == [("train.py", 8, "code", "automated", "train")]
    assert levels(audit(root))["data-1"] == "automated"


def test_fastapi_request_schema_exercised_by_ci_stays_manual(tmp_path) -> None:
    """A request model guards serving (monitor-2); CI posting to the route does not make it
    automated validation of the training data."""
    root = make_repo(
        tmp_path,
        {
            "src/api/main.py": """
                from fastapi import FastAPI
                from pydantic import BaseModel

                app = FastAPI()


                class LoanApplication(BaseModel):
                    income: float
                    amount: float
                    term: int


                @app.post("/predict")
                def predict(application: LoanApplication) -> dict:
                    return {"score": 0.5}
            """,
            "tests/test_api.py": """
                from fastapi.testclient import TestClient

                from src.api.main import app


                def test_predict():
                    client = TestClient(app)
                    payload = {"income": 1.0, "amount": 600.0, "term": 12}
                    assert client.post("/predict", json=payload).status_code == 200
            """,
            ".github/workflows/ci.yml": ci("pytest tests"),
        },
    )
    out = run_check(root, CHECK)
    assert evidence(out) == [("src/api/main.py", 14, "code", "manual", "predict")]
    assert levels(audit(root))["data-1"] == "manual"


def test_trap_deny_list_of_columns_is_not_a_schema(tmp_path) -> None:
    """Raising when a forbidden column is present is a meta-level requirement (data-4), not a
    schema of the columns the data must have."""
    root = make_repo(
        tmp_path,
        {
            "src/features.py": """
                FORBIDDEN_COLUMNS = ("age", "gender")


                def build(df):
                    leaked = [c for c in FORBIDDEN_COLUMNS if c in df.columns]
                    if leaked:
                        raise ValueError(f"forbidden columns: {leaked}")
                    return df
            """,
            "train.py": """
                from src.features import build


                def train(df):
                    model.fit(build(df))
            """,
        },
    )
    assert evidence(run_check(root, CHECK)) == []


def test_required_columns_assigned_in_the_checking_function(tmp_path) -> None:
    """REVIEW-E: `required = {...}; missing = required - set(df.columns); raise` written as a
    local variable is the same presence check as a module-level REQUIRED_COLUMNS constant."""
    root = make_repo(
        tmp_path,
        {
            "src/pipeline/retrain.py": """
                import pandas as pd


                def validate_split(df, name):
                    required = {"user_id", "movie_id", "rating"}
                    missing = required - set(df.columns)
                    if missing:
                        raise ValueError(f"{name} split missing columns: {sorted(missing)}")


                def load(path):
                    df = pd.read_parquet(path)
                    validate_split(df, "train")
                    return df


                def train(path):
                    model.fit(load(path))


                if __name__ == "__main__":
                    train("data/train.parquet")
            """,
        },
    )
    out = run_check(root, CHECK)
    assert evidence(out) == [("src/pipeline/retrain.py", 13, "code", "manual", "load")]
    assert details(out) == [
        "hand-written column check `validate_split` raises when the data lacks `required` "
        "(3 columns: user_id, movie_id, rating); training data checked by `validate_split` "
        "(column presence)"
    ]


def test_trap_local_required_list_that_is_not_checked_or_raises_nothing(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            "src/pipeline/retrain.py": """
                import pandas as pd


                def describe(df):
                    required = ["user_id", "rating"]
                    missing = [c for c in required if c not in df.columns]
                    print("missing", missing)


                def pick(df):
                    expected = ["user_id", "rating"]
                    return df[expected]


                def train(path):
                    df = pd.read_parquet(path)
                    describe(df)
                    model.fit(pick(df))


                if __name__ == "__main__":
                    train("data/train.parquet")
            """,
        },
    )
    out = run_check(root, CHECK)
    assert evidence(out) == []
    assert findings(out) == []


PANDERA_FACTORY = """
import pandas as pd
import pandera.pandas as pa
from pandera.pandas import Column, DataFrameSchema


def build_transaction_schema(cfg) -> DataFrameSchema:
    return DataFrameSchema(
        {
            "TransactionID": Column(int, nullable=False),
            "TransactionAmt": Column(float, pa.Check.greater_than(0)),
        },
        strict=False,
    )


def convert(cfg, src):
    df = pd.read_csv(src)
    schema = build_transaction_schema(cfg)
    schema.validate(df)
    return df


if __name__ == "__main__":
    convert(None, "data/transactions.csv")
"""


def test_pandera_schema_from_factory_validated(tmp_path) -> None:
    """A schema returned by a builder function and validated through the variable that holds
    the builder's result (REVIEW-H: alexmatiasas/fraud-detection-ml prepare_data.py)."""
    root = make_repo(tmp_path, {"scripts/prepare_data.py": PANDERA_FACTORY})
    out = run_check(root, CHECK)
    assert evidence(out) == [("scripts/prepare_data.py", 19, "code", "automated", "convert")]
    assert details(out) == [
        "pandera schema `build_transaction_schema()` covers 2 columns: TransactionID, "
        "TransactionAmt; validated by `schema.validate`"
    ]
    assert findings(out) == []
    assert levels(audit(root))["data-1"] == "manual"


def test_pandera_factory_schema_not_validated_trap(tmp_path) -> None:
    """The builder's result is never validated; an unrelated `schema.validate` (a variable that
    was not assigned from the builder) does not count."""
    trap = PANDERA_FACTORY.replace(
        "    schema = build_transaction_schema(cfg)\n", "    schema = load_json_schema(cfg)\n"
    )
    root = make_repo(tmp_path, {"scripts/prepare_data.py": trap})
    out = run_check(root, CHECK)
    assert evidence(out) == []
    assert findings(out) == [("scripts/prepare_data.py", 7, None)]
    assert out[0].detail.startswith(
        "pandera schema `build_transaction_schema()` covers 2 columns: TransactionID, "
        "TransactionAmt, but nothing calls its `.validate()`"
    )
    assert levels(audit(root))["data-1"] == "none"


def test_pandera_schema_deserializer_is_not_a_feature_schema_trap(tmp_path) -> None:
    """A function returning a schema built from a mapping (a library's deserializer, pandera's
    own CLI) names no columns: validating its result is not a feature schema."""
    lib = """
from pandera.pandas import DataFrameSchema


def deserialize_schema(raw):
    columns = {name: build_column(spec) for name, spec in raw["columns"].items()}
    return DataFrameSchema(columns=columns, strict=raw.get("strict", False))


def validate(raw, df):
    schema_obj = deserialize_schema(raw)
    schema_obj.validate(df, lazy=True)
"""
    root = make_repo(tmp_path, {"pkg/io.py": lib})
    out = run_check(root, CHECK)
    assert evidence(out) == []
    assert findings(out) == [("pkg/io.py", 6, None)]
    assert out[0].detail.startswith("pandera schema `DataFrameSchema` covers no columns")
    assert levels(audit(root))["data-1"] == "none"
