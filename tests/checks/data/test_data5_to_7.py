"""data-5 (privacy controls), data-6 (adding features) and data-7 (feature code tests)."""

from __future__ import annotations

from tests.checks.data.util import ci, details, evidence, hints
from tests.helpers import audit, levels, make_repo, run_check

ANON = """
import hashlib

from presidio_analyzer import AnalyzerEngine


def pseudonymise(df):
    df["email"] = df["email"].map(lambda v: hashlib.sha256(v.encode()).hexdigest())
    return df


def find_pii(texts):
    engine = AnalyzerEngine()
    return [engine.analyze(text=t, language="en") for t in texts]
"""


def test_data5_controls(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            "src/anon.py": ANON,
            ".gitignore": "__pycache__/\ndata/\n",
            ".dvc/config": "[core]\n    remote = storage\n['remote \"storage\"']\n    url = s3://b\n",
            ".pre-commit-config.yaml": """
                repos:
                  - repo: https://github.com/gitleaks/gitleaks
                    rev: v8.18.0
                    hooks:
                      - id: gitleaks
            """,
        },
    )
    out = run_check(root, "privacy-controls")
    assert evidence(out) == [
        ("src/anon.py", 13, "code", "automated", "find_pii"),
        ("src/anon.py", 7, "code", "automated", "pseudonymise"),
        (".gitignore", 2, "config", "manual", None),
        (".pre-commit-config.yaml", 5, "config", "automated", None),
    ]
    assert details(out)[1] == "identifier columns email hashed with `hashlib.sha256`"
    assert details(out)[2] == (
        "data kept out of git: `data/` ignored and stored via DVC remote storage (.dvc/config)"
    )


def test_data5_manual_docs_only(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            "docs/data.md": """
                # Data

                ## Access and retention

                Raw exports live in the restricted bucket. Only the data team has read access,
                granted through the access request form, and raw files are deleted after 30 days.
            """
        },
    )
    out = run_check(root, "privacy-controls")
    assert evidence(out) == [("docs/data.md", 3, "doc", "manual", None)]
    assert levels(audit(root))["data-5"] == "manual"


def test_data5_trap_gitignore_without_remote_and_unused_hash(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            ".gitignore": "data/\n",
            "src/util.py": "import hashlib\n\ndef digest(b):\n    return hashlib.md5(b).digest()\n",
            "docs/privacy.md": "# Privacy\n\nTODO\n",
        },
    )
    out = run_check(root, "privacy-controls")
    assert evidence(out) == []
    assert hints(out)[0] == (
        "data kept out of git needs both a .gitignore entry for the data folder and a DVC "
        "remote or Git LFS: `data/` is ignored (.gitignore:1); no DVC remote or Git LFS "
        "stores the data"
    )


def test_data5_reason_names_dvc_without_remote(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            ".gitignore": "/data/raw/*.csv\n",
            ".dvc/config": "[core]\n    autostage = true\n",
            "data/raw/sessions.csv.dvc": "outs:\n- md5: 1\n  path: sessions.csv\n",
        },
    )
    out = run_check(root, "privacy-controls")
    assert evidence(out) == []
    assert hints(out)[0] == (
        "data kept out of git needs both a .gitignore entry for the data folder and a DVC "
        "remote or Git LFS: `/data/raw/*.csv` is ignored (.gitignore:1); DVC is set up but no "
        "remote is configured in .dvc/config"
    )


MASKING = """
import numpy as np
import pandas as pd


def mask_email(value):
    user, _, domain = value.partition("@")
    return user[:1] + "***@" + domain


def redact(frame):
    return frame.drop(columns=["phone"])


def _str_mask_predicate(data, pred):
    return np.frompyfunc(pred, 1, 1)(data).astype(bool)


def prepare(frame):
    frame["email"] = frame["email"].map(mask_email)
    frame = redact(frame)
    keep = _str_mask_predicate(frame["city"], str.isalpha)
    return frame[keep]
"""


def test_data5_masking_needs_personal_data(tmp_path) -> None:
    """`mask_email` (PII in its name) and `redact` (drops the "phone" column) are privacy
    code; `_str_mask_predicate` builds a boolean selection and is not anonymisation."""
    root = make_repo(tmp_path, {"src/prep.py": MASKING})
    out = run_check(root, "privacy-controls")
    assert evidence(out) == [
        ("src/prep.py", 5, "code", "automated", "mask_email"),
        ("src/prep.py", 10, "code", "automated", "redact"),
    ]
    assert details(out) == [
        "masking/anonymisation function `mask_email` applied to personal data (`email`) on the "
        "data path",
        "masking/anonymisation function `redact` applied to identifier columns phone on the "
        "data path",
    ]
    assert hints(out) == [
        "`_str_mask_predicate` (src/prep.py:14) mask values but name no personal data (no "
        "identifier column such as email/user_id/phone); not credited as anonymisation"
    ]


def test_data5_trap_boolean_masks_are_not_anonymisation(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            "lib/checks.py": """
                import numpy as np


                def null_field_masks(values):
                    return np.isnan(values)


                def check_length(values, column_name="value"):
                    return null_field_masks(values)
            """
        },
    )
    out = run_check(root, "privacy-controls")
    assert evidence(out) == []
    assert levels(audit(root))["data-5"] == "none"


def test_data6_feast_config_list_and_procedure(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            "feature_repo/feature_store.yaml": "project: shop\nregistry: data/registry.db\n",
            "feature_repo/views.py": """
                from feast import FeatureView

                orders = FeatureView(name="orders", entities=[])
            """,
            "configs/features.yaml": "target: churn\nfeatures:\n  - age\n  - income\n",
            "src/build.py": 'import yaml\n\nCFG = yaml.safe_load(open("configs/features.yaml"))\n',
            "CONTRIBUTING.md": """
                # Contributing

                ## Adding a new feature

                Add the column to configs/features.yaml, implement it in src/build.py, add a unit
                test next to the other feature tests and open a pull request for review.
            """,
            "CHANGELOG.md": "# Changes\n\n## New features\n\n" + "Added a lot of things. " * 10,
        },
    )
    out = run_check(root, "feature-onboarding")
    assert evidence(out) == [
        ("feature_repo/feature_store.yaml", 1, "config", "manual", None),
        ("feature_repo/views.py", 3, "code", "manual", None),
        ("configs/features.yaml", 2, "config", "manual", None),
        ("CONTRIBUTING.md", 3, "doc", "manual", None),
    ]
    assert details(out)[2] == (
        "config-driven feature list `features` (2 features) read by src/build.py"
    )


def test_data6_trap_unread_config_and_changelog(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            "configs/features.yaml": "features:\n  - age\n  - income\n",
            "CHANGELOG.md": "# Changes\n\n## New features\n\n" + "Added a pipeline config. " * 10,
        },
    )
    out = run_check(root, "feature-onboarding")
    assert evidence(out) == []
    assert "docs/adding-a-feature.md" in hints(out)[0]


FEATURES = """
import numpy as np
import pandas as pd


def add_ratios(df: pd.DataFrame) -> pd.DataFrame:
    df["ratio"] = df["a"] / df["b"]
    return df


def log_income(df):
    return np.log1p(df["income"])
"""


def test_data7_feature_tests(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            "src/shop/features.py": FEATURES,
            "src/shop/cleaning.py": """
                import pandas as pd


                def clean_orders(df):
                    return df.fillna(0)
            """,
            "src/shop/model.py": "def train(x):\n    return x\n",
            "tests/test_features.py": """
                from shop.features import add_ratios


                def test_ratio():
                    out = add_ratios(make())
                    assert list(out["ratio"]) == [0.5]
            """,
            "tests/test_model.py": """
                from shop.model import train


                def test_train():
                    assert train(1) == 1
            """,
            ".github/workflows/ci.yml": ci(),
        },
    )
    out = run_check(root, "feature-code-tests")
    assert evidence(out) == [("tests/test_features.py", 4, "test", "automated", "test_ratio")]
    assert details(out) == ["tests feature code in src/shop/features.py"]
    assert hints(out) == [
        "feature modules without a live test calling into them: src/shop/cleaning.py"
    ]


def test_data7_automated_when_ci_collects_the_test(tmp_path) -> None:
    """Depends on the AutomationMap recording tests collected by `pytest tests`."""
    root = make_repo(
        tmp_path,
        {
            "src/shop/features.py": FEATURES,
            "tests/test_features.py": """
                from shop.features import add_ratios


                def test_ratio():
                    assert add_ratios(None) is None
            """,
            ".github/workflows/ci.yml": ci(),
        },
    )
    assert levels(audit(root))["data-7"] == "automated"


def test_data7_trap_skipped_and_unrelated_tests_with_coverage(tmp_path) -> None:
    coverage = """<?xml version="1.0" ?>
<coverage line-rate="0.5">
  <packages><package name="shop"><classes>
    <class name="features.py" filename="shop/features.py" line-rate="0.8"></class>
  </classes></package></packages>
</coverage>
"""
    root = make_repo(
        tmp_path,
        {
            "src/shop/features.py": FEATURES,
            "tests/test_features.py": """
                import pytest
                from shop.features import add_ratios


                @pytest.mark.skip(reason="flaky")
                def test_ratio():
                    assert add_ratios(None) is None


                def test_nothing():
                    add_ratios(None)
            """,
            "coverage.xml": coverage,
        },
    )
    out = run_check(root, "feature-code-tests")
    assert evidence(out) == [("coverage.xml", 4, "result", "manual", None)]
    assert details(out) == [
        "committed coverage report: feature module line coverage src/shop/features.py 80%"
    ]
    assert hints(out) == [
        "feature modules without a live test calling into them: src/shop/features.py"
    ]
    assert levels(audit(root))["data-7"] == "manual"


def test_data7_coverage_with_entities_is_refused(tmp_path) -> None:
    hostile = (
        '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">]>\n'
        "<coverage><packages/></coverage>\n"
    )
    root = make_repo(
        tmp_path,
        {"src/shop/features.py": FEATURES, "coverage.xml": hostile},
    )
    out = run_check(root, "feature-code-tests")
    assert evidence(out) == []
    assert "coverage.xml declares a DOCTYPE/ENTITY; not parsed (XML entity safety)" in hints(out)


def test_data7_transformer_class_found_by_behaviour(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            "pkg/steps.py": """
                from sklearn.base import BaseEstimator, TransformerMixin


                class Clipper(BaseEstimator, TransformerMixin):
                    def fit(self, X, y=None):
                        return self

                    def transform(self, X):
                        return X.clip(0, 1)
            """,
            "pkg/train.py": """
                from sklearn.linear_model import LogisticRegression
                from sklearn.pipeline import Pipeline

                from pkg.steps import Clipper


                def build():
                    return Pipeline([("clip", Clipper()), ("model", LogisticRegression())])
            """,
        },
    )
    out = run_check(root, "feature-code-tests")
    assert hints(out) == ["feature modules without a live test calling into them: pkg/steps.py"]


LIBRARY_HELPERS = """
import torch
from sklearn.base import BaseEstimator, TransformerMixin


class Dataset(torch.utils.data.Dataset):
    def transform(self, X, y):
        return X, y


class FrameToDict(BaseEstimator, TransformerMixin):
    def fit(self, X, y=None):
        return self

    def transform(self, df):
        return {c: df[c].to_numpy() for c in df.columns}
"""


def test_data7_trap_library_transformers_and_monitoring_modules(tmp_path) -> None:
    """A library's own Dataset/transformer classes (used only by its tests) and drift
    monitoring named `feature_drift.py` are not the project's feature code."""
    root = make_repo(
        tmp_path,
        {
            "lib/helper.py": LIBRARY_HELPERS,
            "lib/tests/test_helper.py": """
                from lib.helper import FrameToDict


                def test_frame_to_dict(frame):
                    assert FrameToDict().fit(frame).transform(frame)
            """,
            "src/app/monitoring/feature_drift.py": """
                import pandas as pd


                def evaluate_feature_drift(ref, cur):
                    return pd.concat([ref, cur]).groupby("split").mean()
            """,
            "src/app/feature_flags.py": "import pandas as pd\nFLAGS = {'new_ui': True}\n",
            "tests/unit/monitoring/test_feature_drift.py": """
                from app.monitoring.feature_drift import evaluate_feature_drift


                def test_drift(ref, cur):
                    assert evaluate_feature_drift(ref, cur) is not None
            """,
            ".github/workflows/ci.yml": ci("pytest"),
        },
    )
    out = run_check(root, "feature-code-tests")
    assert evidence(out) == []
    assert hints(out) == ["no feature, preprocessing or transform modules were identified"]
    assert levels(audit(root))["data-7"] == "none"


def test_data7_spark_feature_functions_tested_in_ci(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            "spark/jobs/batch_processing.py": """
                from pyspark.sql import functions as F


                def create_time_features(df):
                    return df.withColumn("hour", F.hour("ts")).withColumn("dow", F.dayofweek("ts"))
            """,
            "tests/unit/test_batch_processing.py": """
                import sys

                sys.path.insert(0, "spark/jobs")
                from batch_processing import create_time_features


                def test_hour_column(frame):
                    assert "hour" in create_time_features(frame).columns
            """,
            ".github/workflows/ci.yml": ci("pytest tests/unit"),
        },
    )
    out = run_check(root, "feature-code-tests")
    assert evidence(out) == [
        ("tests/unit/test_batch_processing.py", 7, "test", "automated", "test_hour_column")
    ]
    assert details(out) == ["tests feature code in spark/jobs/batch_processing.py"]
    assert levels(audit(root))["data-7"] == "automated"


API_WITH_FEATURES = """
import pandas as pd
from fastapi import FastAPI

app = FastAPI()


def features_to_dataframe(policy):
    return pd.DataFrame([policy]).fillna(0)


def classify_risk(proba):
    return "high" if proba > 0.5 else "low"
"""


def test_data7_only_tests_calling_the_feature_functions_of_an_api_module(tmp_path) -> None:
    """A module recognised by what it does (an API module with one feature function) is
    feature code only in that function: a test of its risk-label helper is not evidence."""
    root = make_repo(
        tmp_path,
        {
            "src/api/main.py": API_WITH_FEATURES,
            "tests/test_api.py": """
                from src.api.main import classify_risk, features_to_dataframe


                def test_low_risk():
                    assert classify_risk(0.1) == "low"


                def test_features_fill_missing():
                    assert features_to_dataframe({"age": None})["age"][0] == 0
            """,
            ".github/workflows/ci.yml": ci("pytest tests"),
        },
    )
    out = run_check(root, "feature-code-tests")
    assert evidence(out) == [
        ("tests/test_api.py", 8, "test", "automated", "test_features_fill_missing")
    ]
    assert details(out) == ["tests feature code in src/api/main.py"]


def test_data7_trap_api_helper_tests_only(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            "src/api/main.py": API_WITH_FEATURES,
            "tests/test_api.py": """
                from src.api.main import classify_risk


                def test_low_risk():
                    assert classify_risk(0.1) == "low"
            """,
            ".github/workflows/ci.yml": ci("pytest tests"),
        },
    )
    out = run_check(root, "feature-code-tests")
    assert evidence(out) == []
    assert hints(out) == ["feature modules without a live test calling into them: src/api/main.py"]
    assert levels(audit(root))["data-7"] == "none"


PROMPTS = """
class PromptTemplate:
    def format(self, instruction, output=""):
        return f"### Instruction:\\n{instruction}\\n### Response:\\n{output}"

    def format_train(self, sample):
        return self.format(sample["instruction"], sample["output"])


def get_template(name):
    return PromptTemplate()
"""
PROMPT_TESTS = """
from src.data.templates import PromptTemplate


class TestTemplate:
    def setup_method(self):
        self.template = PromptTemplate()

    def test_format(self):
        assert "### Response:\\nHi" in self.template.format("Say hi", "Hi")
"""


def test_data7_prompt_templates_applied_by_dataset_map_in_training(tmp_path) -> None:
    """For an LLM fine-tune, the prompt template applied to the training data by
    `dataset.map(...)` is the input feature code; its CI-run tests are evidence."""
    root = make_repo(
        tmp_path,
        {
            "src/data/templates.py": PROMPTS,
            "scripts/train.py": """
                from datasets import load_dataset

                from src.data.templates import get_template


                def main():
                    template = get_template("alpaca")
                    dataset = load_dataset("json", data_files="train.json")["train"]
                    dataset = dataset.map(
                        lambda x: {"text": template.format_train(x)},
                        remove_columns=dataset.column_names,
                    )
                    trainer.train()


                if __name__ == "__main__":
                    main()
            """,
            "tests/unit/test_templates.py": PROMPT_TESTS,
            ".github/workflows/ci.yml": ci("pytest tests"),
        },
    )
    out = run_check(root, "feature-code-tests")
    assert evidence(out) == [
        ("tests/unit/test_templates.py", 8, "test", "automated", "TestTemplate.test_format")
    ]
    assert details(out) == ["tests feature code in src/data/templates.py"]
    assert levels(audit(root))["data-7"] == "automated"


def test_data7_tokenize_function_in_training_code(tmp_path) -> None:
    """A function of training code that calls the tokenizer is input feature code."""
    root = make_repo(
        tmp_path,
        {
            "src/tokenize_data.py": """
                def tokenize_batch(tokenizer, batch):
                    return tokenizer(batch["text"], truncation=True, max_length=512)
            """,
            "train.py": """
                from transformers import Trainer

                from src.tokenize_data import tokenize_batch


                def main(tokenizer, dataset, model):
                    encoded = tokenize_batch(tokenizer, dataset)
                    Trainer(model=model, train_dataset=encoded).train()
            """,
            "tests/test_tokenize.py": """
                from src.tokenize_data import tokenize_batch


                def test_truncates(tokenizer):
                    assert len(tokenize_batch(tokenizer, {"text": ["a " * 900]})["input_ids"][0])
            """,
        },
    )
    out = run_check(root, "feature-code-tests")
    assert evidence(out) == [("tests/test_tokenize.py", 4, "test", "automated", "test_truncates")]


def test_data7_trap_web_app_templates_are_not_feature_code(tmp_path) -> None:
    """A web app's `templates.py` (and its tests) has no link to training: no `.map`, no
    collator, no tokenizer call in training code."""
    root = make_repo(
        tmp_path,
        {
            "src/web/templates.py": PROMPTS.replace("PromptTemplate", "PageTemplate"),
            "src/web/app.py": """
                from src.web.templates import get_template


                def render(sample):
                    return get_template("page").format_train(sample)
            """,
            "tests/unit/test_templates.py": PROMPT_TESTS.replace(
                "PromptTemplate", "PageTemplate"
            ).replace("src.data", "src.web"),
            ".github/workflows/ci.yml": ci("pytest tests"),
        },
    )
    out = run_check(root, "feature-code-tests")
    assert evidence(out) == []
    assert hints(out) == ["no feature, preprocessing or transform modules were identified"]


def test_data7_feature_code_reached_through_test_client_requests(tmp_path) -> None:
    """REVIEW-F: the served route calls a helper that builds the features; a test posting to
    the route through a TestClient tests that feature code. A request to /health does not."""
    root = make_repo(
        tmp_path,
        {
            "src/app/features.py": """
                import numpy as np


                def add_cyclical_features(frame):
                    frame["hour_sin"] = np.sin(frame["hour"])
                    return frame
            """,
            "src/app/serving.py": """
                import pandas as pd
                from fastapi import FastAPI

                from app.features import add_cyclical_features


                def _frame(rows):
                    return add_cyclical_features(pd.DataFrame(rows))


                def create_app():
                    app = FastAPI()

                    @app.get("/health")
                    def health():
                        return {"ok": True}

                    @app.post("/predict")
                    def predict(body: dict):
                        return {"n": len(_frame(body["rows"]))}

                    return app
            """,
            "tests/test_serving.py": """
                from fastapi.testclient import TestClient

                from app.serving import create_app

                client = TestClient(create_app())


                def test_predict_counts_rows():
                    assert client.post("/predict", json={"rows": [{"hour": 1}]}).json() == {"n": 1}


                def test_health():
                    assert client.get("/health").status_code == 200


                def test_rejects_a_bad_body():
                    assert client.post("/predict", json={}).status_code == 422


                def test_predict_answers():
                    assert client.post("/predict", json={"rows": []}) is not None
            """,
            ".github/workflows/ci.yml": ci(),
        },
    )
    out = run_check(root, "feature-code-tests")
    assert evidence(out) == [
        ("tests/test_serving.py", 8, "test", "automated", "test_predict_counts_rows")
    ]
    assert details(out) == ["tests feature code in src/app/features.py"]
    assert hints(out) == []


def test_data7_trap_health_request_reaches_no_feature_code(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            "src/app/features.py": """
                import numpy as np


                def add_cyclical_features(frame):
                    frame["hour_sin"] = np.sin(frame["hour"])
                    return frame
            """,
            "src/app/serving.py": """
                from fastapi import FastAPI

                from app.features import add_cyclical_features

                app = FastAPI()


                @app.get("/health")
                def health():
                    return {"ok": True}


                @app.post("/predict")
                def predict(body: dict):
                    return add_cyclical_features(body)
            """,
            "tests/test_serving.py": """
                from fastapi.testclient import TestClient

                from app.serving import app

                client = TestClient(app)


                def test_health():
                    assert client.get("/health").status_code == 200
            """,
            ".github/workflows/ci.yml": ci(),
        },
    )
    out = run_check(root, "feature-code-tests")
    assert evidence(out) == []
    assert hints(out) == [
        "feature modules without a live test calling into them: src/app/features.py"
    ]
