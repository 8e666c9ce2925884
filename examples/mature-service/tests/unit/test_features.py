import numpy as np
import pandas as pd
import pytest

from credit_risk.config import feature_columns
from credit_risk.features import FORBIDDEN_FEATURES, age_band, build_features, monthly_payment


def test_build_features_returns_configured_columns(params, sample):
    numeric, categorical = feature_columns(params)
    features = build_features(sample, numeric, categorical)
    assert list(features.columns) == numeric + categorical
    assert len(features) == len(sample)


def test_no_forbidden_feature_is_a_model_input(params):
    numeric, categorical = feature_columns(params)
    assert not FORBIDDEN_FEATURES.intersection(numeric + categorical)


def test_forbidden_feature_request_is_rejected(sample):
    with pytest.raises(ValueError, match="forbidden"):
        build_features(sample.assign(age_band="25-39"), ["loan_amount"], ["age_band"])


def test_ratios_are_computed_from_raw_values(params):
    numeric, categorical = feature_columns(params)
    raw = pd.DataFrame(
        [
            {
                "annual_income": 50_000.0,
                "loan_amount": 10_000.0,
                "loan_term_months": 36,
                "credit_history_years": 8,
                "num_open_accounts": 3,
                "debt_to_income": 0.2,
                "employment_type": "salaried",
                "home_ownership": "rent",
                "purpose": "car",
            }
        ]
    )
    row = build_features(raw, numeric, categorical).iloc[0]
    assert row["loan_to_income"] == pytest.approx(0.2)
    assert row["monthly_payment_to_income"] == pytest.approx(318.0 * 12 / 50_000, rel=1e-2)


def test_monthly_payment_matches_annuity_formula():
    payment = monthly_payment(pd.Series([12_000.0]), pd.Series([12]))
    assert payment.iloc[0] == pytest.approx(1049.4, abs=0.1)


def test_missing_raw_column_is_an_error(params, sample):
    numeric, categorical = feature_columns(params)
    with pytest.raises(ValueError, match="debt_to_income"):
        build_features(sample.drop(columns=["debt_to_income"]), numeric, categorical)


def test_non_finite_inputs_are_rejected(params, sample):
    numeric, categorical = feature_columns(params)
    broken = sample.copy()
    broken.loc[0, "loan_amount"] = np.inf
    with pytest.raises(ValueError, match="non-finite"):
        build_features(broken, numeric, categorical)


def test_age_band_edges():
    bands = age_band(pd.Series([18, 25, 39, 40, 60, 91])).astype(str).tolist()
    assert bands == ["<25", "25-39", "25-39", "40-59", "60+", "60+"]
