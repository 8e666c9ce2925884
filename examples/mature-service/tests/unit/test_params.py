from credit_risk.config import load_params
from credit_risk.model import build_model

from ..conftest import ROOT


def test_params_build_a_model():
    params = load_params(ROOT / "params.yaml")
    model = build_model(params)
    assert model.named_steps["classifier"].random_state == params["seed"]


def test_thresholds_are_consistent():
    evaluation = load_params(ROOT / "params.yaml")["evaluation"]
    assert 0.5 < evaluation["min_slice_auc"] <= evaluation["min_auc"] < 1
    assert evaluation["sensitive_feature"] in evaluation["slices"]
