"""Runs the training script end to end on the synthetic export (slow; run before releases)."""

import json

from churn import train


def test_training_writes_model_and_metrics(customers, tmp_path):
    data = tmp_path / "customers.csv"
    customers.to_csv(data, index=False)
    train.main(
        [
            str(data),
            "--model-out", str(tmp_path / "churn.joblib"),
            "--metrics-out", str(tmp_path / "metrics.json"),
        ]
    )
    metrics = json.loads((tmp_path / "metrics.json").read_text())
    assert (tmp_path / "churn.joblib").exists()
    assert metrics["roc_auc"] > metrics["baseline_roc_auc"]
