"""monitor-2: validation on the serving path."""

from __future__ import annotations

from pathlib import Path

from tests.checks.monitor._util import automation, evidence, hints, level, run

CHECK = "serving-input-validation"

SCHEMAS = """
    from pydantic import BaseModel, Field, field_validator

    class Applicant(BaseModel):
        age: int = Field(ge=18, le=120)
        income: float = Field(gt=0)

        @field_validator("income")
        @classmethod
        def finite(cls, v):
            return v

    class Loose(BaseModel):
        age: int
"""


def test_fastapi_route_with_constrained_pydantic_body(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/schemas.py": SCHEMAS,
        "app/main.py": """
            from fastapi import FastAPI
            from app.schemas import Applicant

            app = FastAPI()

            @app.post("/predict")
            def predict(applicant: Applicant) -> dict:
                return {"score": applicant.age}
        """,
    }
    amap = automation(("app/main.py", "predict", "change"))
    produced = run(tmp_path, files, CHECK, amap)
    assert evidence(produced) == [
        (
            "app/main.py:7",
            "code",
            "automated",
            "app/main.py:predict validates `applicant` with pydantic model Applicant "
            "(Field(ge, le), Field(gt), validator finite)",
        )
    ]
    assert level(produced, amap) == "automated"
    assert level(produced) == "manual"


def test_trap_bare_dict_body_and_types_only_model(tmp_path: Path) -> None:
    files = {
        "app/__init__.py": "",
        "app/schemas.py": SCHEMAS,
        "app/main.py": """
            from fastapi import FastAPI
            from app.schemas import Loose

            app = FastAPI()

            @app.post("/predict")
            def predict(body: dict) -> dict:
                return body

            @app.post("/v2/predict")
            def predict_v2(body: Loose) -> dict:
                return {}
        """,
    }
    produced = run(tmp_path, files, CHECK)
    assert evidence(produced) == []
    assert hints(produced) == [
        "app/main.py:predict takes `body: dict`: an unvalidated body; use a pydantic model "
        "with constrained fields",
        "app/main.py:predict_v2 takes pydantic model Loose with types only (no ranges, patterns "
        "or validators); not credited",
    ]
    assert level(produced) == "none"


def test_pandera_validation_reached_from_batch_job(tmp_path: Path) -> None:
    files = {
        "pipeline/schema.py": """
            import pandera as pa

            class Inputs(pa.DataFrameModel):
                age: int = pa.Field(ge=0)
        """,
        "pipeline/checks.py": """
            from pipeline.schema import Inputs

            def check_inputs(df):
                return Inputs.validate(df)
        """,
        "pipeline/batch_score.py": """
            import joblib
            import pandas as pd
            from pipeline.checks import check_inputs

            def main():
                df = check_inputs(pd.read_parquet("in.parquet"))
                joblib.load("m.pkl").predict(df)

            if __name__ == "__main__":
                main()
        """,
    }
    produced = run(tmp_path, files, CHECK)
    assert evidence(produced) == [
        (
            "pipeline/checks.py:4",
            "code",
            "automated",
            "pandera validation `Inputs.validate` on the serving path of "
            "pipeline/batch_score.py:<main>",
        )
    ]
    assert level(produced) == "manual"


def test_trap_validation_only_in_training(tmp_path: Path) -> None:
    files = {
        "train.py": """
            import pandera as pa
            import pandas as pd
            schema = pa.DataFrameSchema({"age": pa.Column(int, pa.Check.ge(0))})

            def main():
                df = schema.validate(pd.read_csv("train.csv"))
                from sklearn.linear_model import LinearRegression
                LinearRegression().fit(df, df["y"])

            if __name__ == "__main__":
                main()
        """,
        "serve.py": """
            from flask import Flask, request
            app = Flask(__name__)

            @app.route("/predict", methods=["POST"])
            def predict():
                return request.get_json()
        """,
    }
    produced = run(tmp_path, files, CHECK)
    assert evidence(produced) == []
    assert hints(produced) == [
        "validation found only on the training path (train.py:6 `schema.validate`); that is "
        "data-1 evidence; not credited here"
    ]
    assert level(produced) == "none"


def test_scheduled_validation_of_logged_serving_data(tmp_path: Path) -> None:
    files = {
        "jobs/validate_logs.py": """
            import great_expectations as gx

            def main():
                context = gx.get_context()
                checkpoint = context.get_checkpoint("serving_requests")
                checkpoint.run()

            if __name__ == "__main__":
                main()
        """
    }
    amap = automation(("jobs/validate_logs.py", "main", "schedule"))
    produced = run(tmp_path, files, CHECK, amap)
    assert evidence(produced) == [
        (
            "jobs/validate_logs.py:6",
            "code",
            "automated",
            "Great Expectations validation `checkpoint.run` of logged serving data",
        )
    ]
    assert level(produced, amap) == "automated"


def test_flask_route_building_constrained_model_from_json(tmp_path: Path) -> None:
    files = {
        "schemas.py": SCHEMAS,
        "serve.py": """
            from flask import Flask, request
            from schemas import Applicant
            app = Flask(__name__)

            @app.route("/predict", methods=["POST"])
            def predict():
                applicant = Applicant.model_validate(request.get_json())
                return {"age": applicant.age}
        """,
    }
    produced = run(tmp_path, files, CHECK)
    assert evidence(produced) == [
        (
            "serve.py:7",
            "code",
            "automated",
            "constrained pydantic model Applicant `Applicant.model_validate` on the serving path "
            "of serve.py:predict",
        )
    ]
