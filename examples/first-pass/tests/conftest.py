import numpy as np
import pandas as pd
import pytest


@pytest.fixture
def customers() -> pd.DataFrame:
    """A small synthetic export with the columns and quirks of the real one."""
    rng = np.random.default_rng(0)
    n = 200
    tenure = rng.integers(0, 72, n)
    monthly = rng.uniform(20, 110, n).round(2)
    total = (tenure * monthly).round(2).astype(str)
    total[tenure == 0] = " "  # the export leaves total_charges blank for new customers
    contract = rng.choice(["Month-to-month", "One year", "Two year"], n)
    churned = np.where((contract == "Month-to-month") & (rng.random(n) < 0.6), "Yes", "No")
    return pd.DataFrame(
        {
            "customer_id": [f"C{i:05d}" for i in range(n)],
            "tenure_months": tenure,
            "monthly_charges": monthly,
            "total_charges": total,
            "support_calls_90d": rng.poisson(1.0, n),
            "contract": contract,
            "payment_method": rng.choice(["card", "bank_transfer", "electronic_check"], n),
            "internet_service": rng.choice(["DSL", "Fiber optic", "No"], n),
            "churned": churned,
        }
    )
