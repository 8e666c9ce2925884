"""monitor-3: training/serving skew."""

from __future__ import annotations

from pathlib import Path

from tests.checks.monitor._util import automation, evidence, hints, level, run

CHECK = "training-serving-skew"

SHARED = {
    "src/shop/__init__.py": "",
    "src/shop/features.py": """
        import numpy as np

        def build_features(df):
            df = df.fillna(0)
            df["log_price"] = np.log1p(df["price"])
            return df
    """,
    "src/shop/utils.py": """
        import logging

        def get_logger(name):
            return logging.getLogger(name)
    """,
    "train.py": """
        import pandas as pd
        from shop.features import build_features
        from shop.utils import get_logger
        from sklearn.linear_model import LinearRegression

        def prepare_training(df):
            return build_features(df)

        def main():
            get_logger("train").info("start")
            X = prepare_training(pd.read_csv("data.csv"))
            LinearRegression().fit(X, X["y"])

        if __name__ == "__main__":
            main()
    """,
    "serve/app.py": """
        import pandas as pd
        from fastapi import FastAPI
        from shop.features import build_features
        from shop.utils import get_logger

        app = FastAPI()

        def prepare_request(row):
            return build_features(pd.DataFrame([row]))

        @app.post("/predict")
        def predict(row: dict):
            get_logger("serve").info("req")
            return prepare_request(row).to_dict()
    """,
}
PARITY_TEST = """
    import pandas as pd
    from train import prepare_training
    from serve.app import prepare_request

    def test_training_and_serving_features_match():
        row = {"price": 3.0}
        assert prepare_training(pd.DataFrame([row])).equals(prepare_request(row))
"""
DETAIL = "shop.features.build_features is called from train.py:<main> and serve/app.py:predict"


def test_shared_feature_code_with_parity_test_in_ci_is_automated(tmp_path: Path) -> None:
    files = {**SHARED, "tests/test_parity.py": PARITY_TEST}
    amap = automation(
        ("tests/test_parity.py", "test_training_and_serving_features_match", "change")
    )
    produced = run(tmp_path, files, CHECK, amap)
    assert evidence(produced) == [
        (
            "tests/test_parity.py:5",
            "test",
            "automated",
            "test_training_and_serving_features_match runs the shared feature code through both "
            f"training and serving ({DETAIL})",
        ),
        ("serve/app.py:12", "code", "manual", DETAIL),
    ]
    assert level(produced, amap) == "automated"


def test_shared_feature_code_without_automation_is_manual(tmp_path: Path) -> None:
    produced = run(tmp_path, SHARED, CHECK)
    assert evidence(produced) == [("serve/app.py:12", "code", "manual", DETAIL)]
    assert level(produced) == "manual"


def test_shared_code_is_automated_when_automation_runs_both_entry_points(tmp_path: Path) -> None:
    amap = automation(("train.py", "<main>", "schedule"), ("serve/app.py", "predict", "change"))
    produced = run(tmp_path, SHARED, CHECK, amap)
    assert evidence(produced) == [("serve/app.py:12", "code", "automated", DETAIL)]
    assert level(produced, amap) == "automated"


def test_trap_parity_test_of_feature_function_alone_is_not_both_paths(tmp_path: Path) -> None:
    files = {
        **SHARED,
        "tests/test_features.py": """
            import pandas as pd
            from shop.features import build_features

            def test_build():
                assert len(build_features(pd.DataFrame({"price": [1.0]}))) == 1
        """,
    }
    amap = automation(("tests/test_features.py", "test_build", "change"))
    produced = run(tmp_path, files, CHECK, amap)
    assert evidence(produced) == [("serve/app.py:12", "code", "manual", DETAIL)]
    assert level(produced, amap) == "manual"


def test_trap_sharing_only_logging_and_config_helpers_earns_nothing(tmp_path: Path) -> None:
    files = dict(SHARED)
    files["serve/app.py"] = """
        from fastapi import FastAPI
        from shop.utils import get_logger

        app = FastAPI()

        @app.post("/predict")
        def predict(row: dict):
            get_logger("serve").info("req")
            return {"price": float(row["price"]) * 2}
    """
    produced = run(tmp_path, files, CHECK)
    assert evidence(produced) == []
    assert hints(produced)[0] == (
        "train.py:<main> and serve/app.py:predict share only helpers that transform no "
        "features (shop.utils.get_logger); not credited"
    )
    assert level(produced) == "none"


PIPELINE_TRAIN = """
    import joblib
    import pandas as pd
    from sklearn.compose import ColumnTransformer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.preprocessing import OneHotEncoder, StandardScaler

    def main():
        df = pd.read_csv("train.csv")
        pre = ColumnTransformer([("n", StandardScaler(), ["a"]), ("c", OneHotEncoder(), ["c"])])
        model = Pipeline([("pre", pre), ("clf", LogisticRegression())])
        model.fit(df, df["y"])
        joblib.dump(model, "artifacts/model.joblib")

    if __name__ == "__main__":
        main()
"""


def test_preprocessing_inside_saved_pipeline_loaded_by_serving(tmp_path: Path) -> None:
    files = {
        "train.py": PIPELINE_TRAIN,
        "serve.py": """
            import joblib
            import pandas as pd
            from flask import Flask, request

            app = Flask(__name__)

            @app.route("/predict", methods=["POST"])
            def predict():
                model = joblib.load("artifacts/model.joblib")
                return {"p": model.predict(pd.DataFrame([request.json])).tolist()}
        """,
    }
    produced = run(tmp_path, files, CHECK)
    assert evidence(produced) == [
        (
            "serve.py:9",
            "code",
            "manual",
            "preprocessing (ColumnTransformer, OneHotEncoder, StandardScaler) is fit inside the "
            "scikit-learn Pipeline saved by train.py:13 and loaded for prediction by "
            "serve.py:predict",
        )
    ]


def test_trap_pipeline_without_preprocessing_and_other_artifact(tmp_path: Path) -> None:
    files = {
        "train.py": """
            import joblib
            from sklearn.linear_model import LogisticRegression
            from sklearn.pipeline import make_pipeline

            if __name__ == "__main__":
                model = make_pipeline(LogisticRegression())
                model.fit([[0]], [0])
                joblib.dump(model, "model.pkl")
        """,
        "serve.py": """
            import joblib
            from fastapi import FastAPI

            app = FastAPI()

            @app.post("/predict")
            def predict(x: dict):
                return joblib.load("model.pkl").predict([[x["a"] / 10]])
        """,
    }
    produced = run(tmp_path, files, CHECK)
    assert evidence(produced) == []
    assert hints(produced)[0] == (
        "train.py:8 saves a scikit-learn Pipeline without preprocessing steps: serving must "
        "repeat the feature code; not credited"
    )


def test_feast_online_in_serving_and_offline_in_training(tmp_path: Path) -> None:
    files = {
        "train.py": """
            from feast import FeatureStore
            if __name__ == "__main__":
                store = FeatureStore(repo_path="fs")
                df = store.get_historical_features(entity_df=None, features=["u:age"]).to_df()
        """,
        "serve.py": """
            from feast import FeatureStore
            from fastapi import FastAPI
            app = FastAPI()
            store = FeatureStore(repo_path="fs")

            @app.get("/predict/{uid}")
            def predict(uid: int):
                return store.get_online_features(features=["u:age"], entity_rows=[{"u": uid}])
        """,
    }
    produced = run(tmp_path, files, CHECK)
    assert evidence(produced) == [
        (
            "serve.py:8",
            "code",
            "manual",
            "feature store read online here (`store.get_online_features`) and offline for "
            "training (train.py:4 `store.get_historical_features`)",
        )
    ]


def test_trap_feature_store_for_training_only(tmp_path: Path) -> None:
    files = {
        "train.py": """
            from feast import FeatureStore
            if __name__ == "__main__":
                FeatureStore(repo_path="fs").get_historical_features(entity_df=None, features=[])
        """
    }
    produced = run(tmp_path, files, CHECK)
    assert evidence(produced) == []
    assert hints(produced)[0] == (
        "feature store used for training only (train.py:3); serving does not read it (no "
        "get_online_features); not credited"
    )


SKEW_JOB = """
    import pandas as pd
    from evidently.report import Report
    from evidently.metric_preset import DataDriftPreset

    def main():
        train_df = pd.read_parquet("data/train.parquet")
        serving_df = pd.read_parquet("logs/serving_requests.parquet")
        report = Report(metrics=[DataDriftPreset()])
        report.run(reference_data=train_df, current_data=serving_df)
        report.save_html("skew.html")

    if __name__ == "__main__":
        main()
"""


def test_scheduled_skew_comparison_job_is_automated(tmp_path: Path) -> None:
    amap = automation(("jobs/skew.py", "main", "schedule"))
    produced = run(tmp_path, {"jobs/skew.py": SKEW_JOB}, CHECK, amap)
    assert evidence(produced) == [
        (
            "jobs/skew.py:9",
            "code",
            "automated",
            "Evidently comparison of training (train_df) with serving data (serving_df)",
        )
    ]
    assert level(produced, amap) == "automated"
    assert level(produced) == "manual"


def test_trap_evidently_train_vs_test_split_is_not_skew(tmp_path: Path) -> None:
    job = """
        from evidently.report import Report
        from evidently.metric_preset import DataDriftPreset
        import pandas as pd

        def main():
            df = pd.read_csv("data.csv")
            train_df, test_df = df[:100], df[100:]
            Report(metrics=[DataDriftPreset()]).run(reference_data=train_df, current_data=test_df)
    """
    produced = run(tmp_path, {"analysis/drift.py": job}, CHECK)
    assert evidence(produced) == []
    assert level(produced) == "none"


def test_tfdv_serving_statistics(tmp_path: Path) -> None:
    job = """
        import tensorflow_data_validation as tfdv

        def check(schema, train_stats, serving_stats):
            return tfdv.validate_statistics(train_stats, schema, serving_statistics=serving_stats)
    """
    produced = run(tmp_path, {"pipeline/skew.py": job}, CHECK)
    assert evidence(produced) == [
        (
            "pipeline/skew.py:4",
            "code",
            "automated",
            "TFDV training/serving skew check (`validate_statistics` with serving stats)",
        )
    ]
    assert level(produced) == "manual"


def test_trap_docstring_mentions_serving_but_current_data_is_test_split(tmp_path: Path) -> None:
    job = '''
        """Compare the serving traffic with the training data (production monitoring)."""
        import pandas as pd
        from evidently.report import Report
        from evidently.metric_preset import DataDriftPreset

        def compare(train_df, current_df):
            Report(metrics=[DataDriftPreset()]).run(
                reference_data=train_df, current_data=current_df
            )

        if __name__ == "__main__":
            compare(pd.read_parquet("train.parquet"), pd.read_parquet("holdout.parquet"))
    '''
    produced = run(tmp_path, {"monitoring/drift.py": job}, CHECK)
    assert evidence(produced) == []
    assert level(produced) == "none"


def test_evidently_current_data_read_from_request_log_in_scope(tmp_path: Path) -> None:
    job = """
        import pandas as pd
        from evidently.report import Report
        from evidently.metric_preset import DataDriftPreset

        def main():
            train_df = pd.read_parquet("data/train.parquet")
            current = pd.read_sql("select * from prediction_requests", con=None)
            Report(metrics=[DataDriftPreset()]).run(reference_data=train_df, current_data=current)
    """
    produced = run(tmp_path, {"jobs/skew.py": job}, CHECK)
    assert evidence(produced) == [
        (
            "jobs/skew.py:8",
            "code",
            "automated",
            "Evidently comparison of training (train_df) with serving data (current)",
        )
    ]
