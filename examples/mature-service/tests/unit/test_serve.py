import math

import pytest
from fastapi.testclient import TestClient

from credit_risk.config import feature_columns
from credit_risk.features import build_features
from credit_risk.model import build_model
from credit_risk.serve import LoanApplication, create_app, predict_one

APPLICATION = {
    "application_id": "A123456",
    "annual_income": 61_000,
    "loan_amount": 12_500,
    "loan_term_months": 36,
    "credit_history_years": 9,
    "num_open_accounts": 4,
    "debt_to_income": 0.31,
    "employment_type": "salaried",
    "home_ownership": "mortgage",
    "purpose": "car",
}


@pytest.fixture(scope="module")
def model(params, sample):
    numeric, categorical = feature_columns(params)
    return build_model(params).fit(build_features(sample, numeric, categorical), sample["defaulted"])


@pytest.fixture(scope="module")
def client(model):
    return TestClient(create_app(model=model, version="test"))


def test_predict_one_returns_a_finite_probability(model):
    probability, decision = predict_one(model, LoanApplication(**APPLICATION))
    assert math.isfinite(probability)
    assert 0.0 <= probability <= 1.0
    assert decision in {"approve", "refer"}


def test_predict_endpoint(client):
    response = client.post("/predict", json=APPLICATION)
    assert response.status_code == 200
    assert response.json()["model_version"] == "test"


@pytest.mark.parametrize(
    "field,value",
    [("loan_amount", -1), ("debt_to_income", 3.0), ("loan_term_months", 30), ("home_ownership", "boat")],
)
def test_invalid_requests_are_rejected(client, field, value):
    response = client.post("/predict", json={**APPLICATION, field: value})
    assert response.status_code == 422


def test_serving_and_training_features_agree(params, sample, model):
    numeric, categorical = feature_columns(params)
    row = sample.iloc[[3]]
    offline = model.predict_proba(build_features(row, numeric, categorical))[0, 1]
    request = {k: row.iloc[0][k] for k in APPLICATION if k != "application_id"}
    online, _ = predict_one(model, LoanApplication(application_id="x", **request))
    assert online == pytest.approx(offline)
