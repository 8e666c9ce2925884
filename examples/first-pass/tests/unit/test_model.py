from pathlib import Path

import numpy as np
import yaml

from churn.features import add_ratios, clean
from churn.model import build_model
from churn.score import score

CONFIG = yaml.safe_load((Path(__file__).parents[2] / "configs" / "model.yaml").read_text())


def test_model_predicts_probabilities(customers):
    frame = add_ratios(clean(customers))
    model = build_model(CONFIG).fit(frame, frame["churned"])
    proba = model.predict_proba(frame)
    assert proba.shape == (len(frame), 2)
    assert np.allclose(proba.sum(axis=1), 1.0)


def test_month_to_month_customers_score_higher(customers):
    frame = add_ratios(clean(customers))
    model = build_model(CONFIG).fit(frame, frame["churned"])
    scored = score(model, customers).assign(contract=customers["contract"])
    by_contract = scored.groupby("contract")["churn_probability"].mean()
    assert by_contract["Month-to-month"] > by_contract["Two year"]


def test_scores_are_finite(customers):
    frame = add_ratios(clean(customers))
    model = build_model(CONFIG).fit(frame, frame["churned"])
    assert np.isfinite(score(model, customers)["churn_probability"]).all()
