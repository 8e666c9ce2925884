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
            "Great Expectations validation `checkpoint.run` of logged serving data (read from "
            "`serving_requests`)",
        )
    ]
    assert level(produced, amap) == "automated"


def test_pandera_job_validating_prediction_logs(tmp_path: Path) -> None:
    files = {
        "monitoring/check_logs.py": """
            import pandas as pd
            import pandera as pa

            SCHEMA = pa.DataFrameSchema({"score": pa.Column(float, pa.Check.in_range(0, 1))})

            if __name__ == "__main__":
                logged = pd.read_parquet("s3://logs/predictions/latest.parquet")
                SCHEMA.validate(logged, lazy=True)
        """
    }
    amap = automation(("monitoring/check_logs.py", "<main>", "schedule"))
    produced = run(tmp_path, files, CHECK, amap)
    assert evidence(produced) == [
        (
            "monitoring/check_logs.py:8",
            "code",
            "automated",
            "pandera validation `SCHEMA.validate` of logged serving data (read from "
            "`s3://logs/predictions/latest.parquet`)",
        )
    ]
    assert level(produced, amap) == "automated"


def test_trap_library_validate_calls_are_not_logged_serving_data(tmp_path: Path) -> None:
    files = {
        "pandera/__init__.py": "",
        "pandera/container.py": """
            import pandera as pa

            class DataFrameSchema:
                \"\"\"Validate production data, inference requests or served traffic.\"\"\"

                def __call__(self, df, inplace=False):
                    return self.validate(df, inplace=inplace)

                def validate(self, df, inplace=False):
                    return df
        """,
        "scripts/check_training_data.py": """
            import pandas as pd
            import pandera as pa

            SCHEMA = pa.DataFrameSchema({"age": pa.Column(int)})

            if __name__ == "__main__":
                print("checking data for production use")
                SCHEMA.validate(pd.read_csv("data/train.csv"))
        """,
    }
    produced = run(tmp_path, files, CHECK)
    assert evidence(produced) == []
    assert level(produced) == "none"


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


FACTORY_APP = {
    "app/__init__.py": "",
    "app/schemas.py": SCHEMAS,
    "app/serve.py": """
        from fastapi import FastAPI
        from app.schemas import Applicant

        def create_app():
            app = FastAPI()

            @app.post("/predict")
            def predict(applicant: Applicant) -> dict:
                return {"score": applicant.age}

            return app
    """,
}
CLIENT_TEST = """
    import pytest
    from fastapi.testclient import TestClient
    from app.serve import create_app

    client = TestClient(create_app())

    def test_valid():
        assert client.post("/predict", json={"age": 30, "income": 1.0}).status_code == 200

    @pytest.mark.parametrize("age", [5, 200])
    def test_invalid_is_rejected(age):
        response = client.post("/predict", json={"age": age, "income": 1.0})
        assert response.status_code == 422
"""


def test_ci_test_posting_invalid_input_to_factory_route_is_automated(tmp_path: Path) -> None:
    files = {**FACTORY_APP, "tests/test_serve.py": CLIENT_TEST}
    amap = automation(("tests/test_serve.py", "test_invalid_is_rejected", "change"))
    produced = run(tmp_path, files, CHECK, amap)
    assert evidence(produced) == [
        (
            "app/serve.py:8",
            "code",
            "automated",
            "app/serve.py:create_app.predict validates `applicant` with pydantic model Applicant "
            "(Field(ge, le), Field(gt), validator finite)",
        ),
        (
            "tests/test_serve.py:11",
            "test",
            "automated",
            "test_invalid_is_rejected posts invalid input to /predict "
            "(app/serve.py:create_app.predict) and asserts a 4xx response: the Applicant "
            "constraints are tested on the serving path",
        ),
    ]
    assert level(produced, amap) == "automated"


def test_trap_client_test_with_only_valid_input_stays_manual(tmp_path: Path) -> None:
    only_valid = CLIENT_TEST.split("@pytest.mark")[0]
    files = {**FACTORY_APP, "tests/test_serve.py": only_valid}
    amap = automation(("tests/test_serve.py", "test_valid", "change"))
    produced = run(tmp_path, files, CHECK, amap)
    assert [e[0] for e in evidence(produced)] == ["app/serve.py:8"]
    assert level(produced, amap) == "manual"


def test_spark_batch_scorer_without_validation_is_named(tmp_path: Path) -> None:
    files = {
        "spark/inference.py": """
            from pyspark.ml import PipelineModel

            def score(df):
                return PipelineModel.load("models/latest").transform(df)

            if __name__ == "__main__":
                score(None)
        """
    }
    produced = run(tmp_path, files, CHECK)
    assert evidence(produced) == []
    assert hints(produced) == [
        "no schema validation reached from the serving entry points (spark/inference.py:<main>): "
        "no constrained pydantic request model, pandera, Great Expectations, jsonschema or "
        "marshmallow validation on that path"
    ]


def test_model_monitor_in_cdk_checks_captured_data_against_training_baseline(
    tmp_path: Path,
) -> None:
    from tests.checks.monitor.test_monitor7_prediction_quality import CDK_STACK

    produced = run(tmp_path, {"deploy/infra/stack.py": CDK_STACK}, CHECK)
    assert evidence(produced) == [
        (
            "deploy/infra/stack.py:9",
            "config",
            "automated",
            "SageMaker Model Monitor data quality schedule (captured serving data checked "
            "against the training baseline constraints) declared in CDK "
            "(`sagemaker.CfnMonitoringSchedule`, schedule from cfg.schedule_expression)",
        )
    ]
    assert level(produced) == "automated"


def test_trap_model_monitor_without_baseline_constraints(tmp_path: Path) -> None:
    stack = """
        from aws_cdk import aws_sagemaker as sagemaker

        def build(stack, cfg):
            sagemaker.CfnMonitoringSchedule(
                stack,
                "Schedule",
                monitoring_schedule_config=sagemaker.CfnMonitoringSchedule.MonitoringScheduleConfigProperty(
                    monitoring_job_definition=sagemaker.CfnMonitoringSchedule.MonitoringJobDefinitionProperty(
                        monitoring_inputs=[
                            sagemaker.CfnMonitoringSchedule.MonitoringInputProperty(
                                endpoint_input=sagemaker.CfnMonitoringSchedule.EndpointInputProperty(
                                    endpoint_name=cfg.endpoint_name, local_path="/opt/ml/in"
                                )
                            )
                        ],
                    ),
                ),
            )
    """
    produced = run(tmp_path, {"infra/stack.py": stack}, CHECK)
    assert evidence(produced) == []
    assert hints(produced) == ["no serving entry point found (web route, model server, batch job)"]
    assert level(produced) == "none"


def test_sdk_default_model_monitor_with_baseline_constraints(tmp_path: Path) -> None:
    job = """
        from sagemaker.model_monitor import DefaultModelMonitor

        def schedule(role, endpoint, baseline):
            monitor = DefaultModelMonitor(role=role, instance_count=1)
            monitor.create_monitoring_schedule(
                endpoint_input=endpoint,
                statistics=baseline.baseline_statistics(),
                constraints=baseline.suggested_constraints(),
                schedule_cron_expression="cron(0 * ? * * *)",
            )
    """
    amap = automation(("monitoring/schedule.py", "schedule", "change"))
    produced = run(tmp_path, {"monitoring/schedule.py": job}, CHECK, amap)
    assert evidence(produced) == [
        (
            "monitoring/schedule.py:5",
            "code",
            "automated",
            "SageMaker DefaultModelMonitor schedule checking captured serving data against "
            "baseline constraints",
        )
    ]
    assert level(produced, amap) == "automated"
    assert level(produced) == "manual"
