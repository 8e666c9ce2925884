"""Feature preparation for the churn model."""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler


def clean(raw: pd.DataFrame) -> pd.DataFrame:
    """Fix the export's quirks: blank total_charges for new customers, Yes/No target."""
    out = raw.copy()
    out["total_charges"] = pd.to_numeric(out["total_charges"], errors="coerce")
    new = out["total_charges"].isna() & (out["tenure_months"] == 0)
    out.loc[new, "total_charges"] = 0.0
    if "churned" in out:
        out["churned"] = out["churned"].map({"Yes": 1, "No": 0}).astype(int)
    return out


def add_ratios(frame: pd.DataFrame) -> pd.DataFrame:
    """Average charge per month of tenure (new customers: their monthly charge)."""
    out = frame.copy()
    tenure = out["tenure_months"].replace(0, np.nan)
    out["avg_monthly_spend"] = (out["total_charges"] / tenure).fillna(out["monthly_charges"])
    return out


def make_preprocessor(numeric: list[str], categorical: list[str]) -> ColumnTransformer:
    numeric_steps = Pipeline(
        [("impute", SimpleImputer(strategy="median")), ("scale", StandardScaler())]
    )
    return ColumnTransformer(
        [
            ("numeric", numeric_steps, numeric),
            ("categorical", OneHotEncoder(handle_unknown="ignore"), categorical),
        ]
    )
