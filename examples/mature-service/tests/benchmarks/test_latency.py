"""Serving latency budget: one request end to end through validation, features and model."""

import pytest

from credit_risk.config import feature_columns
from credit_risk.features import build_features
from credit_risk.model import build_model
from credit_risk.serve import LoanApplication, predict_one

APPLICATION = LoanApplication(
    application_id="A1",
    annual_income=48_000,
    loan_amount=9_000,
    loan_term_months=24,
    credit_history_years=5,
    num_open_accounts=2,
    debt_to_income=0.4,
    employment_type="contract",
    home_ownership="rent",
    purpose="medical",
)


@pytest.fixture(scope="module")
def model(params, sample):
    numeric, categorical = feature_columns(params)
    return build_model(params).fit(build_features(sample, numeric, categorical), sample["defaulted"])


def test_predict_one_latency(benchmark, model):
    probability, _ = benchmark(predict_one, model, APPLICATION)
    assert 0.0 <= probability <= 1.0
    assert benchmark.stats["mean"] < 0.05  # 50 ms budget, p95 alert fires at 150 ms


def test_build_features_latency(benchmark, params, sample):
    numeric, categorical = feature_columns(params)
    features = benchmark(build_features, sample.iloc[[0]], numeric, categorical)
    assert features.shape == (1, len(numeric) + len(categorical))
