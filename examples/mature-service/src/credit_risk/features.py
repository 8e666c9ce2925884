"""Feature code shared by training (train.py, evaluate.py) and serving (serve.py).

`build_features` turns raw application records into model inputs. It is the only place where
derived features are computed, so the model sees the same transformation offline and online.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.preprocessing import OneHotEncoder, StandardScaler

# Attributes the model must never use as inputs. `age` is used only to build the
# `age_band` slice for fairness evaluation; `region` only for slice metrics.
FORBIDDEN_FEATURES = frozenset({"application_id", "age", "age_band", "region", "defaulted"})

RAW_COLUMNS = (
    "annual_income",
    "loan_amount",
    "loan_term_months",
    "credit_history_years",
    "num_open_accounts",
    "debt_to_income",
    "employment_type",
    "home_ownership",
    "purpose",
)

ANNUAL_RATE = 0.09  # indicative rate used to estimate the monthly instalment


def monthly_payment(amount: pd.Series, term_months: pd.Series) -> pd.Series:
    """Annuity instalment of a loan at ANNUAL_RATE."""
    r = ANNUAL_RATE / 12
    return amount * r / (1 - (1 + r) ** (-term_months))


def build_features(raw: pd.DataFrame, numeric: list[str], categorical: list[str]) -> pd.DataFrame:
    """Model inputs from raw application records (one row per application)."""
    missing = [c for c in RAW_COLUMNS if c not in raw.columns]
    if missing:
        raise ValueError(f"raw records lack columns {missing}")
    out = raw.loc[:, list(RAW_COLUMNS)].copy()
    income = out["annual_income"].clip(lower=1.0)
    out["loan_to_income"] = out["loan_amount"] / income
    out["monthly_payment_to_income"] = (
        monthly_payment(out["loan_amount"], out["loan_term_months"]) * 12 / income
    )
    numeric_values = out[numeric].to_numpy(dtype=float)
    if not np.isfinite(numeric_values).all():
        raise ValueError("non-finite values in numeric features")
    forbidden = FORBIDDEN_FEATURES.intersection(numeric + categorical)
    if forbidden:
        raise ValueError(f"forbidden features requested: {sorted(forbidden)}")
    return out[numeric + categorical]


def make_preprocessor(numeric: list[str], categorical: list[str]) -> ColumnTransformer:
    """Scaling for numeric inputs, one-hot encoding (unknown categories ignored) for the rest."""
    return ColumnTransformer(
        [
            ("numeric", StandardScaler(), numeric),
            ("categorical", OneHotEncoder(handle_unknown="ignore"), categorical),
        ]
    )


def age_band(age: pd.Series) -> pd.Series:
    """Slice used for fairness evaluation (never a model input)."""
    return pd.cut(age, bins=[0, 25, 40, 60, 200], labels=["<25", "25-39", "40-59", "60+"], right=False)
