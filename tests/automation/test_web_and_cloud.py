"""Test-client requests reach route handlers; npx/cdk commands; SageMaker Pipelines."""

from __future__ import annotations

from tests.automation.util import amap_of, roots, runs

ROOT = ".github/workflows/ci.yml#ci (change)"


def workflow(*commands: str, cwd: str | None = None) -> str:
    defaults = f"    defaults:\n      run:\n        working-directory: {cwd}\n" if cwd else ""
    steps = "".join(f"      - run: {c}\n" for c in commands)
    return f"on: push\njobs:\n  ci:\n    runs-on: ubuntu-latest\n{defaults}    steps:\n{steps}"


SERVE = """
    from fastapi import FastAPI
    from app.model import score

    app = FastAPI()

    @app.post("/predict")
    def predict(body: dict):
        return score(body)

    @app.post("/admin")
    def admin():
        return wipe()

    def wipe():
        pass
"""


def test_a_test_client_request_executes_the_route_handler_and_its_callees(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".github/workflows/ci.yml": workflow("pytest tests"),
            "app/__init__.py": "",
            "app/model.py": "def score(body):\n    return 1\n",
            "app/serve.py": SERVE,
            "tests/test_api.py": """
                from fastapi.testclient import TestClient
                from app.serve import app

                client = TestClient(app)

                def test_predict():
                    response = client.post("/predict", json={"x": 1})
                    assert response.status_code == 200

                def test_admin_is_not_a_get():
                    assert client.get("/admin").status_code == 405
            """,
        },
    )
    assert runs(amap, "app/serve.py", "predict") == {ROOT}
    assert runs(amap, "app/model.py", "score") == {ROOT}
    assert amap.execution_of("app/serve.py", "predict").chain[-2:] == (
        "tests/test_api.py::test_predict",
        "app/serve.py::predict",
    )
    # GET /admin does not reach the POST-only handler
    assert amap.execution_of("app/serve.py", "admin") is None
    assert amap.execution_of("app/serve.py", "wipe") is None


def test_requests_without_a_test_client_or_to_unimported_apps_reach_nothing(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".github/workflows/ci.yml": workflow("pytest tests"),
            "app/__init__.py": "",
            "app/model.py": "def score(body):\n    return 1\n",
            "app/serve.py": SERVE,
            "other/__init__.py": "",
            "other/api.py": """
                from flask import Flask
                app = Flask(__name__)

                @app.route("/predict", methods=["POST"])
                def predict():
                    return "x"
            """,
            # a session object posting to a path: no test client anywhere
            "tests/test_http.py": """
                import app.serve

                def test_remote(session):
                    assert session.post("/predict").ok
            """,
            # a test client of app.serve: other/api.py is not imported, so not reached
            "tests/test_api.py": """
                from fastapi.testclient import TestClient
                from app.serve import app

                def test_predict():
                    assert TestClient(app).post("/predict").status_code == 200
            """,
        },
    )
    assert amap.execution_of("other/api.py", "predict") is None
    assert runs(amap, "app/serve.py", "predict") == {ROOT}
    assert {e.chain[-2] for e in amap.executions("app/serve.py", "predict")} == {
        "tests/test_api.py::test_predict"
    }


def test_flask_factory_routes_reached_through_a_conftest_client(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".github/workflows/ci.yml": workflow("pytest"),
            "svc/__init__.py": """
                from flask import Flask

                def create_app():
                    app = Flask(__name__)

                    @app.route("/items/<int:item_id>")
                    def item(item_id):
                        return lookup(item_id)

                    @app.route("/predict", methods=["POST"])
                    def predict():
                        return "1"

                    return app

                def lookup(i):
                    return i
            """,
            "tests/conftest.py": """
                import pytest
                from svc import create_app

                @pytest.fixture
                def client():
                    return create_app().test_client()
            """,
            "tests/test_items.py": """
                ITEM = "/items/3"

                def test_item(client):
                    assert client.get(ITEM).status_code == 200
            """,
        },
    )
    assert runs(amap, "svc/__init__.py", "create_app.item") == {ROOT}
    assert runs(amap, "svc/__init__.py", "lookup") == {ROOT}
    assert amap.execution_of("svc/__init__.py", "create_app.predict") is None


def test_npx_cdk_synth_runs_the_app_of_cdk_json(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".github/workflows/ci.yml": workflow(
                "npx --yes cdk synth --path-metadata false > out.yml", cwd="./infra/stacks"
            ),
            "infra/cdk.json": '{"app": "python3 app.py", "context": {}}',
            "infra/app.py": """
                from stacks.build import build

                def main():
                    build()

                if __name__ == "__main__":
                    main()
            """,
            "infra/stacks/__init__.py": "",
            "infra/stacks/build.py": "def build():\n    pass\n",
        },
    )
    assert runs(amap, "infra/app.py", "main") == {ROOT}
    assert runs(amap, "infra/stacks/build.py", "build") == {ROOT}
    assert amap.execution_of("infra/app.py", "main").chain[3:6] == (
        "`npx --yes cdk synth --path-metadata false`",
        "infra/cdk.json app",
        "`python3 app.py`",
    )
    assert amap.unresolved == []


def test_cdk_without_cdk_json_is_reported_unresolved(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".github/workflows/ci.yml": workflow("npx cdk deploy --all", "npm exec -- cdk ls"),
            "app.py": "print('stack')\n",
        },
    )
    assert amap.executions("app.py") == []
    assert amap.unresolved == [
        (".github/workflows/ci.yml", "`cdk deploy` in .: no cdk.json with an app there"),
        (".github/workflows/ci.yml", "`cdk ls` in .: no cdk.json with an app there"),
    ]


PIPELINE = """
    import os
    from sagemaker.estimator import Estimator
    from sagemaker.model import Model
    from sagemaker.sklearn.estimator import SKLearn
    from sagemaker.sklearn.processing import SKLearnProcessor
    from sagemaker.workflow.pipeline import Pipeline
    from sagemaker.workflow.steps import ProcessingStep, TrainingStep
    {extra_import}
    BASE_DIR = os.path.dirname(os.path.realpath(__file__))


    def get_pipeline(name, role):
        processor = SKLearnProcessor(framework_version="1.2-1", role=role)
        step_process = ProcessingStep(
            name="Preprocess",
            processor=processor,
            code=os.path.join(BASE_DIR, "preprocess.py"),
        )
        sk = SKLearn(entry_point="train.py", source_dir=f"{{BASE_DIR}}/../src", role=role)
        step_train = TrainingStep(name="Train", estimator=sk)
        builtin = Estimator(image_uri="xgboost", role=role)
        model = Model(entry_point="inference.py", source_dir="src", role=role)
        step_eval = ProcessingStep(name="Eval", processor=processor, code="missing.py")
        {extra_call}
        return Pipeline(name=name, steps=[step_process, step_train, step_eval])
"""


def sagemaker_repo(extra_import: str = "", extra_call: str = "") -> dict[str, str]:
    return {
        "ml/pipelines/pipeline.py": PIPELINE.format(
            extra_import=extra_import, extra_call=extra_call
        ),
        "ml/pipelines/preprocess.py": "def main():\n    pass\n\nif __name__ == '__main__':\n"
        "    main()\n",
        "ml/src/train.py": "def fit():\n    pass\n\nif __name__ == '__main__':\n    fit()\n",
        "ml/src/inference.py": "def model_fn(d):\n    pass\n",
    }


def test_sagemaker_pipeline_runs_its_step_scripts(tmp_path):
    amap = amap_of(tmp_path, sagemaker_repo())
    pipeline = "ml/pipelines/pipeline.py#get_pipeline (pipeline)"
    assert roots(amap) == {"ml/pipelines/pipeline.py#get_pipeline": "pipeline"}
    assert runs(amap, "ml/pipelines/preprocess.py", "main") == {pipeline}
    assert runs(amap, "ml/src/train.py", "fit") == {pipeline}
    assert amap.execution_of("ml/src/train.py", "fit").chain == (
        "ml/pipelines/pipeline.py",
        "sagemaker get_pipeline",
        "SKLearn(entry_point=...) (ml/pipelines/pipeline.py:19)",
        "ml/src/train.py::<main>",
        "ml/src/train.py::fit",
    )
    # a model's inference entry point is not a pipeline step; the defining file is not run
    assert amap.executions("ml/src/inference.py") == []
    assert amap.executions("ml/pipelines/pipeline.py") == []
    assert amap.unresolved == [
        (
            "ml/pipelines/pipeline.py",
            "SageMaker pipeline `get_pipeline`: ProcessingStep(code=...) at line 23: "
            "`missing.py` is not a file of the repository",
        )
    ]


def test_sagemaker_pipeline_with_a_cron_schedule_is_scheduled(tmp_path):
    files = sagemaker_repo(
        "from sagemaker.workflow.triggers import PipelineSchedule",
        'schedule = PipelineSchedule(name="nightly", cron="0 3 * * ? *")',
    )
    amap = amap_of(tmp_path, files)
    assert roots(amap) == {"ml/pipelines/pipeline.py#get_pipeline": "schedule"}
    assert runs(amap, "ml/src/train.py", "fit") == {
        "ml/pipelines/pipeline.py#get_pipeline (schedule)"
    }


def test_ci_starting_the_pipeline_runs_its_scripts_on_change(tmp_path):
    files = sagemaker_repo()
    files[".github/workflows/ci.yml"] = workflow(
        "aws sagemaker start-pipeline-execution --pipeline-name ${{ steps.b.outputs.name }}",
        cwd="./ml",
    )
    amap = amap_of(tmp_path, files)
    assert runs(amap, "ml/src/train.py", "fit") == {
        ROOT,
        "ml/pipelines/pipeline.py#get_pipeline (pipeline)",
    }
    chain = amap.execution_of("ml/src/train.py", "fit").chain
    assert chain[4] == (
        "ml/pipelines/pipeline.py#get_pipeline (the only SageMaker pipeline defined under ml)"
    )


def test_ci_starting_an_unknown_pipeline_is_not_tied(tmp_path):
    files = sagemaker_repo()
    files["ml/pipelines/other.py"] = (
        "from sagemaker.workflow.pipeline import Pipeline\n"
        "from sagemaker.workflow.steps import ProcessingStep\n"
        "p = Pipeline(name='batch', steps=[ProcessingStep(name='s', code='batch.py')])\n"
    )
    files["ml/pipelines/batch.py"] = "print('batch')\n"
    files[".github/workflows/ci.yml"] = workflow(
        "aws sagemaker start-pipeline-execution --pipeline-name $NAME",
        "aws sagemaker start-pipeline-execution --pipeline-name batch",
    )
    amap = amap_of(tmp_path, files)
    # the literal name ties the second command to `batch`; the first is ambiguous
    assert runs(amap, "ml/pipelines/batch.py") == {ROOT, "ml/pipelines/other.py#batch (pipeline)"}
    assert runs(amap, "ml/src/train.py", "fit") == {
        "ml/pipelines/pipeline.py#get_pipeline (pipeline)"
    }
    assert (
        ".github/workflows/ci.yml",
        "`aws sagemaker start-pipeline-execution --pipeline-name $NAME`: SageMaker pipeline "
        "`$NAME` is not tied to a pipeline definition (definitions: "
        "ml/pipelines/other.py#batch, ml/pipelines/pipeline.py#get_pipeline); not followed",
    ) in amap.unresolved
