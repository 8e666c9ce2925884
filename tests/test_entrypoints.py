"""Serving/training entry points and the static call graph (ml_readiness.entrypoints)."""

from __future__ import annotations

from pathlib import Path

from ml_readiness.entrypoints import (
    EntryPoint,
    Route,
    match_routes,
    reachable_functions,
    route_path,
    routes,
    serving_entry_points,
    signature_annotations,
    startup_hooks,
    training_entry_points,
)
from ml_readiness.facts import Facts
from ml_readiness.repo import Repo
from tests.helpers import make_repo


def facts_of(tmp_path: Path, files: dict[str, str]) -> Facts:
    return Facts(Repo.open(make_repo(tmp_path, files)))


def serving(tmp_path: Path, files: dict[str, str]) -> list[tuple[str, str, int, str, str]]:
    f = facts_of(tmp_path, files)
    return [(e.path, e.symbol, e.line, e.kind, e.framework) for e in serving_entry_points(f)]


def test_fastapi_routes_on_app_and_router_skip_health(tmp_path: Path) -> None:
    got = serving(
        tmp_path,
        {
            "api/main.py": """
                from fastapi import APIRouter, FastAPI
                app = FastAPI()
                router = APIRouter()

                @app.get("/health")
                def health():
                    return {"ok": True}

                @app.post("/predict")
                def predict(body: dict):
                    return body

                @router.get("/items/{i}")
                async def item(i: int):
                    return i

                other = object()

                @other.post("/x")
                def not_a_route():
                    pass
            """
        },
    )
    assert got == [
        ("api/main.py", "item", 14, "route", "fastapi"),
        ("api/main.py", "predict", 10, "route", "fastapi"),
    ]


def test_route_on_app_imported_from_repo_module(tmp_path: Path) -> None:
    got = serving(
        tmp_path,
        {
            "svc/__init__.py": "",
            "svc/app.py": "import flask\napp = flask.Flask(__name__)\n",
            "svc/views.py": """
                from .app import app

                @app.route("/predict", methods=["POST"])
                def predict():
                    return "x"
            """,
        },
    )
    assert got == [("svc/views.py", "predict", 4, "route", "flask")]


def test_flask_factory_and_add_url_rule_and_starlette_route(tmp_path: Path) -> None:
    got = serving(
        tmp_path,
        {
            "web.py": """
                from flask import Flask
                from starlette.routing import Route

                def score(request):
                    return 1

                def create_app():
                    app = Flask(__name__)

                    @app.post("/score")
                    def handler():
                        return score(None)

                    app.add_url_rule("/predict", view_func=score)
                    return app

                routes = [Route("/s", score)]
            """
        },
    )
    assert got == [
        ("web.py", "create_app.handler", 11, "route", "flask"),
        ("web.py", "score", 4, "route", "flask"),
        ("web.py", "score", 4, "route", "starlette"),
    ]


def test_model_servers(tmp_path: Path) -> None:
    got = serving(
        tmp_path,
        {
            "kserve_model.py": """
                import kserve
                class M(kserve.Model):
                    def predict(self, payload, headers=None):
                        return payload
            """,
            "handler.py": """
                from ts.torch_handler.base_handler import BaseHandler
                class H(BaseHandler):
                    def preprocess(self, data):
                        return data
            """,
            "models/m/1/model.py": """
                class TritonPythonModel:
                    def execute(self, requests):
                        return requests
            """,
            "bento_svc.py": """
                import bentoml
                @bentoml.service
                class Svc:
                    @bentoml.api
                    def classify(self, x: str) -> str:
                        return x
                svc = bentoml.Service("old")
                @svc.api(input=None, output=None)
                def legacy(x):
                    return x
            """,
            "ray_app.py": """
                from ray import serve
                @serve.deployment
                class D:
                    def __call__(self, request):
                        return 1
                @serve.deployment
                def f(request):
                    return 2
            """,
            "code/inference.py": """
                def model_fn(model_dir):
                    return 1
                def input_fn(body, content_type):
                    return body
                def predict_fn(data, model):
                    return data
            """,
        },
    )
    assert got == [
        ("bento_svc.py", "Svc.classify", 5, "service", "bentoml"),
        ("bento_svc.py", "legacy", 9, "service", "bentoml"),
        ("code/inference.py", "input_fn", 3, "handler", "sagemaker"),
        ("code/inference.py", "predict_fn", 5, "handler", "sagemaker"),
        ("handler.py", "H.preprocess", 3, "handler", "torchserve"),
        ("kserve_model.py", "M.predict", 3, "predictor", "kserve"),
        ("models/m/1/model.py", "TritonPythonModel.execute", 2, "predictor", "triton"),
        ("ray_app.py", "D.__call__", 4, "service", "ray-serve"),
        ("ray_app.py", "f", 7, "service", "ray-serve"),
    ]


def test_seldon_model_class_named_by_environment(tmp_path: Path) -> None:
    got = serving(
        tmp_path,
        {
            ".s2i/environment": "MODEL_NAME=Churn\nSERVICE_TYPE=MODEL\n",
            "Churn.py": """
                class Churn:
                    def predict(self, X, features_names=None):
                        return X
            """,
            "Other.py": """
                class Other:
                    def predict(self, X):
                        return X
            """,
        },
    )
    assert got == [("Churn.py", "Churn.predict", 2, "predictor", "seldon")]


def test_batch_scoring_needs_load_and_predict(tmp_path: Path) -> None:
    got = serving(
        tmp_path,
        {
            "jobs/batch_score.py": """
                import joblib
                def run(df):
                    model = joblib.load("model.pkl")
                    return model.predict(df)
                if __name__ == "__main__":
                    run(None)
            """,
            "jobs/predict_helpers.py": "def predict(x):\n    return x\n",
            "score_nomodel.py": "if __name__ == '__main__':\n    print(1)\n",
        },
    )
    assert got == [("jobs/batch_score.py", "<main>", 6, "batch", "python")]


def test_spark_batch_scoring_loads_pipeline_model_and_transforms(tmp_path: Path) -> None:
    got = serving(
        tmp_path,
        {
            "spark/inference.py": """
                from pyspark.ml import PipelineModel
                def score(df):
                    model = PipelineModel.load("models/latest")
                    return model.transform(df)
                if __name__ == "__main__":
                    score(None)
            """,
            # a feature job that transforms with a fitted scaler loads no model: not serving
            "jobs/batch_features.py": """
                import joblib
                scaler = joblib.load("scaler.pkl")
                if __name__ == "__main__":
                    scaler.transform([[1]])
            """,
        },
    )
    assert got == [("spark/inference.py", "<main>", 6, "batch", "python")]


def test_evaluation_script_fitting_a_baseline_is_not_training(tmp_path: Path) -> None:
    f = facts_of(
        tmp_path,
        {
            "src/pkg/evaluate.py": """
                from sklearn.dummy import DummyClassifier
                if __name__ == "__main__":
                    DummyClassifier().fit([[0]], [0])
            """,
            "src/pkg/train.py": "if __name__ == '__main__':\n    print(1)\n",
        },
    )
    assert [(e.path, e.symbol) for e in training_entry_points(f)] == [
        ("src/pkg/train.py", "<main>")
    ]


def test_training_entry_points(tmp_path: Path) -> None:
    f = facts_of(
        tmp_path,
        {
            "src/train.py": "def main():\n    pass\nif __name__ == '__main__':\n    main()\n",
            "scripts/fit_model.py": """
                from sklearn.linear_model import LogisticRegression
                if __name__ == "__main__":
                    LogisticRegression().fit([[0]], [0])
            """,
            "scripts/report.py": "if __name__ == '__main__':\n    print('hi')\n",
            "flows/steps.py": """
                from zenml import step
                @step
                def train_model(x):
                    return x
                @step
                def load(x):
                    return x
            """,
            "tests/test_train.py": "def test_x():\n    assert 1\n",
        },
    )
    assert [(e.path, e.symbol, e.line, e.kind, e.framework) for e in training_entry_points(f)] == [
        ("flows/steps.py", "train_model", 3, "pipeline-step", "zenml"),
        ("scripts/fit_model.py", "<main>", 3, "script", "python"),
        ("src/train.py", "<main>", 4, "script", "python"),
    ]


CALL_GRAPH = {
    "src/proj/__init__.py": "",
    "src/proj/features/__init__.py": "from .build import build_features\n",
    "src/proj/features/build.py": """
        import numpy as np
        def _clean(df):
            return df
        def build_features(df):
            return np.log1p(_clean(df))
        def unused(df):
            return df
    """,
    "src/proj/model.py": """
        from proj.features import build_features
        class Wrapper:
            def __init__(self, path):
                self.path = path
            def predict(self, df):
                return self._prep(df)
            def _prep(self, df):
                return build_features(df)
            def never(self):
                return 0
    """,
    "src/proj/util.py": "def helper(x):\n    return x\n",
    "serve/app.py": """
        from fastapi import FastAPI
        import proj.util as util
        from proj.model import Wrapper
        app = FastAPI()
        wrapper = Wrapper("m.pkl")

        @app.post("/predict")
        def predict(body: dict):
            rows = list(map(util.helper, [body]))
            return wrapper.predict(rows)
    """,
}


def test_reachable_functions_follow_imports_instances_and_reexports(tmp_path: Path) -> None:
    f = facts_of(tmp_path, CALL_GRAPH)
    entry = next(e for e in serving_entry_points(f) if e.symbol == "predict")
    assert reachable_functions(f, entry) == {
        ("serve/app.py", "predict"),
        ("src/proj/util.py", "helper"),
        ("src/proj/model.py", "Wrapper.predict"),
        ("src/proj/model.py", "Wrapper._prep"),
        ("src/proj/features/build.py", "build_features"),
        ("src/proj/features/build.py", "_clean"),
    }


def test_reachable_from_main_block_and_bounded_depth(tmp_path: Path) -> None:
    f = facts_of(
        tmp_path,
        {
            "chain.py": """
                def a():
                    b()
                def b():
                    c()
                def c():
                    pass
                if __name__ == "__main__":
                    a()
            """
        },
    )
    entry = EntryPoint("chain.py", "<main>", 8, "script", "python")
    assert reachable_functions(f, entry) == {
        ("chain.py", "<main>"),
        ("chain.py", "a"),
        ("chain.py", "b"),
        ("chain.py", "c"),
    }
    assert reachable_functions(f, entry, max_depth=1) == {("chain.py", "<main>"), ("chain.py", "a")}


def test_unresolvable_and_external_calls_are_left_out(tmp_path: Path) -> None:
    f = facts_of(
        tmp_path,
        {
            "job.py": """
                import pandas as pd
                from missing_pkg import transform
                def go(obj):
                    obj.transform()
                    transform(pd.DataFrame())
                    getattr(obj, "x")()
            """
        },
    )
    entry = EntryPoint("job.py", "go", 3, "batch", "python")
    assert reachable_functions(f, entry) == {("job.py", "go")}


def test_handler_entry_reaches_every_method_of_its_class(tmp_path: Path) -> None:
    f = facts_of(
        tmp_path,
        {
            "h.py": """
                from ts.torch_handler.base_handler import BaseHandler
                def prep(x):
                    return x
                class H(BaseHandler):
                    def preprocess(self, data):
                        return prep(data)
                    def postprocess(self, out):
                        return out
            """
        },
    )
    (entry,) = serving_entry_points(f)
    assert reachable_functions(f, entry) == {
        ("h.py", "H.preprocess"),
        ("h.py", "H.postprocess"),
        ("h.py", "prep"),
    }


def test_signature_annotations(tmp_path: Path) -> None:
    f = facts_of(
        tmp_path,
        {
            "a.py": """
                def predict(
                    req: "Request",  # a comment: with colon
                    n: int = 3,
                ) -> dict:
                    return {}
            """
        },
    )
    assert signature_annotations(f, "a.py", "predict") == {"req": "'Request'", "n": "int"}
    assert signature_annotations(f, "a.py", "missing") == {}


def test_routes_paths_and_matching(tmp_path: Path) -> None:
    f = facts_of(
        tmp_path,
        {
            "web.py": """
                from fastapi import APIRouter
                router = APIRouter(prefix="/v1")

                @router.post("/predict")
                def predict(body: dict):
                    return body

                @router.api_route("/items/{item_id}", methods=["GET", "PUT"])
                def item(item_id: int):
                    return item_id

                def score():
                    return 1

                router.add_api_route("/score", score, methods=["POST"])
            """
        },
    )
    found = routes(f, "web.py")
    assert found == [
        Route("web.py", "predict", "/predict", frozenset({"post"})),
        Route("web.py", "item", "/items/{item_id}", frozenset({"get", "put"})),
        Route("web.py", "score", "/score", frozenset({"post"})),
    ]
    assert route_path(f.python("web.py"), "item") == "/items/{item_id}"
    assert route_path(f.python("web.py"), "score") == "/score"
    assert [r.symbol for r in match_routes(found, "/items/7?full=1", "put")] == ["item"]
    assert match_routes(found, "/items/7", "post") == []  # wrong method
    assert [r.symbol for r in match_routes(found, "/v1/predict", "post")] == ["predict"]
    assert match_routes(found, "/predictions", "post") == []


LIFESPAN_APP = """
    from contextlib import asynccontextmanager
    import joblib
    from fastapi import FastAPI
    from feats import Builder

    builder = None

    def load_model():
        return joblib.load("model.pkl")

    @asynccontextmanager
    async def lifespan(app):
        global builder
        builder = Builder()
        load_model()
        yield

    app = FastAPI(lifespan=lifespan)

    @app.on_event("startup")
    def warm():
        pass

    @app.on_event("shutdown")
    def close():
        pass

    def lifespan_unused():
        pass

    @app.post("/predict")
    def predict(row: dict):
        return builder.transform(row)
"""


def test_route_reach_starts_from_the_apps_startup_hooks(tmp_path: Path) -> None:
    f = facts_of(
        tmp_path,
        {
            "api.py": LIFESPAN_APP,
            "feats.py": """
                class Builder:
                    def transform(self, row):
                        return row
                    def fit(self, rows):
                        return self
            """,
        },
    )
    assert startup_hooks(f, "api.py") == [("api.py", "lifespan"), ("api.py", "warm")]
    (entry,) = serving_entry_points(f)
    assert reachable_functions(f, entry) == {
        ("api.py", "predict"),
        ("api.py", "lifespan"),
        ("api.py", "warm"),
        ("api.py", "load_model"),
        ("feats.py", "Builder"),
        ("feats.py", "Builder.transform"),
    }


def test_startup_hooks_of_another_app_are_not_reached(tmp_path: Path) -> None:
    f = facts_of(
        tmp_path,
        {
            "admin.py": LIFESPAN_APP.replace('"/predict"', '"/admin"'),
            "feats.py": "class Builder:\n    def transform(self, row):\n        return row\n",
            "api.py": """
                from flask import Flask
                app = Flask(__name__)

                def load():
                    pass

                @app.before_first_request
                def boot():
                    load()

                @app.route("/predict", methods=["POST"])
                def predict():
                    return "1"
            """,
        },
    )
    entry = next(e for e in serving_entry_points(f) if e.path == "api.py")
    assert reachable_functions(f, entry) == {
        ("api.py", "predict"),
        ("api.py", "boot"),
        ("api.py", "load"),
    }


def test_package_train_function_is_an_entry_point_only_when_something_runs_it(tmp_path):
    from ml_readiness.entrypoints import training_entry_points
    from ml_readiness.facts import Facts
    from ml_readiness.repo import Repo
    from tests.helpers import make_repo

    lib = (
        "from sklearn.linear_model import Ridge\n\ndef train(X, y):\n    return Ridge().fit(X, y)\n"
    )
    used = make_repo(
        tmp_path / "used",
        {
            "src/pkg/model.py": lib,
            "scripts/loop.py": "from pkg.model import train\n\nif __name__ == '__main__':\n"
            "    train([[0]], [0])\n",
        },
    )
    found = {(e.path, e.symbol, e.kind) for e in training_entry_points(Facts(Repo.open(used)))}
    assert ("src/pkg/model.py", "train", "function") in found
    unused = make_repo(tmp_path / "unused", {"src/pkg/model.py": lib})
    assert training_entry_points(Facts(Repo.open(unused))) == []
