"""data-7 (round 7, Z): a module that only declares pydantic schemas (fields, validators, enums)
is a schema (data-1/monitor-2), not feature code, even when it is named `lead_features.py`; the
transform that turns a request into the model input (`LeadScoringModel.preprocess_features`) is
the feature code a test must call."""

from __future__ import annotations

from tests.checks.data.util import ci, details, evidence, hints
from tests.helpers import audit, levels, make_repo, run_check

CHECK = "feature-code-tests"
SCHEMA = """
from enum import Enum

from pydantic import BaseModel, Field, field_validator


class Tier(str, Enum):
    HOT = "hot"
    COLD = "cold"


class LeadFeatures(BaseModel):
    company_revenue: float = Field(ge=0)
    bounce_rate: float = Field(ge=0, le=1)

    @field_validator("bounce_rate")
    @classmethod
    def validate_rate(cls, v):
        if not 0 <= v <= 1:
            raise ValueError("rate")
        return v


class ScoringRequest(BaseModel):
    lead_id: str
    features: LeadFeatures
"""
MODEL = """
import numpy as np


class LeadScoringModel:
    feature_names = ["company_revenue", "bounce_rate"]

    def preprocess_features(self, features: dict) -> np.ndarray:
        return np.array([[float(features[n]) for n in self.feature_names]])

    def predict(self, features: dict) -> float:
        return float(self.preprocess_features(features).sum())
"""
SCHEMA_TEST = """
from api.schemas.lead_features import LeadFeatures


def test_features_accept_valid_rows():
    row = LeadFeatures(company_revenue=1.0, bounce_rate=0.5)
    assert row.bounce_rate == 0.5
"""
MODEL_TEST = """
from api.app.model import LeadScoringModel


def test_preprocess_features():
    x = LeadScoringModel().preprocess_features({"company_revenue": 1.0, "bounce_rate": 0.5})
    assert x.shape == (1, 2)
"""


def test_transform_method_is_the_feature_code_not_the_schema(tmp_path) -> None:
    """The test of `preprocess_features` is credited; the schema test is not feature code."""
    root = make_repo(
        tmp_path,
        {
            "api/schemas/lead_features.py": SCHEMA,
            "api/app/model.py": MODEL,
            "tests/unit/test_schema.py": SCHEMA_TEST,
            "tests/unit/test_model.py": MODEL_TEST,
            ".github/workflows/ci.yml": ci("pytest tests/unit"),
        },
        git=True,
    )
    out = run_check(root, CHECK)
    assert evidence(out) == [
        ("tests/unit/test_model.py", 4, "test", "automated", "test_preprocess_features")
    ]
    assert details(out) == ["tests feature code in api/app/model.py"]
    assert hints(out) == []
    assert levels(audit(root))["data-7"] == "automated"


def test_trap_only_the_schema_module_is_tested(tmp_path) -> None:
    """A `*_features.py` of pydantic models tested by CI, and no transform: no feature code."""
    root = make_repo(
        tmp_path,
        {
            "api/schemas/lead_features.py": SCHEMA,
            "tests/unit/test_schema.py": SCHEMA_TEST,
            ".github/workflows/ci.yml": ci("pytest tests/unit"),
        },
        git=True,
    )
    out = run_check(root, CHECK)
    assert evidence(out) == []
    assert hints(out) == ["no feature, preprocessing or transform modules were identified"]
    assert levels(audit(root))["data-7"] == "none"


def test_pydantic_class_with_transform_methods_stays_feature_code(tmp_path) -> None:
    """A pydantic-based wrapper whose methods transform data (not only validators) is feature
    code by its name; its test still counts."""
    root = make_repo(
        tmp_path,
        {
            "src/shop/features.py": """
                import pandas as pd
                from pydantic import BaseModel


                class RatioFeatures(BaseModel):
                    numerator: str
                    denominator: str

                    def add(self, frame: pd.DataFrame) -> pd.DataFrame:
                        return frame.assign(ratio=frame[self.numerator] / frame[self.denominator])
            """,
            "tests/test_features.py": """
                import pandas as pd
                from shop.features import RatioFeatures


                def test_ratio():
                    frame = pd.DataFrame({"a": [2.0], "b": [1.0]})
                    out = RatioFeatures(numerator="a", denominator="b").add(frame)
                    assert out["ratio"].tolist() == [2.0]
            """,
            ".github/workflows/ci.yml": ci(),
        },
        git=True,
    )
    out = run_check(root, CHECK)
    assert evidence(out) == [("tests/test_features.py", 5, "test", "automated", "test_ratio")]
    assert levels(audit(root))["data-7"] == "automated"
