from pathlib import Path

import pandas as pd
import pytest

from credit_risk.config import load_params

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def params():
    return load_params(ROOT / "params.yaml")


@pytest.fixture(scope="session")
def sample() -> pd.DataFrame:
    return pd.read_csv(ROOT / "data" / "sample.csv")
