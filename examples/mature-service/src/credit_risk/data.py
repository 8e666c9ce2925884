"""Reading and splitting the loan-application dataset (versioned with DVC)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from sklearn.model_selection import train_test_split

DTYPES = {
    "application_id": "string",
    "employment_type": "category",
    "home_ownership": "category",
    "purpose": "category",
    "region": "category",
}


def load_applications(path: str | Path) -> pd.DataFrame:
    """The labelled applications at `path` (CSV or Parquet)."""
    path = Path(path)
    if path.suffix == ".parquet":
        return pd.read_parquet(path)
    return pd.read_csv(path, dtype=DTYPES)


def split(frame: pd.DataFrame, target: str, test_size: float, seed: int):
    """Stratified train/holdout split, reproducible for a given seed."""
    return train_test_split(frame, test_size=test_size, stratify=frame[target], random_state=seed)
