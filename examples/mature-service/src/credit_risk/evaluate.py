"""Evaluation gate: `python -m credit_risk.evaluate --model artifacts/model.joblib`.

Scores the holdout split and exits with status 1 when any threshold in params.yaml
(`evaluation:`) is missed: overall AUC, lift over a majority-class baseline, AUC on every
slice, and the recall / selection-rate gaps between age bands (fairlearn). The metrics are
written to a JSON report either way, so a failed gate leaves a record.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import joblib
import pandas as pd
from fairlearn.metrics import MetricFrame, demographic_parity_difference, selection_rate
from sklearn.dummy import DummyClassifier
from sklearn.inspection import permutation_importance
from sklearn.metrics import recall_score, roc_auc_score

from credit_risk.config import feature_columns, load_params
from credit_risk.features import age_band, build_features


def slice_metrics(y_true, scores, labels, slices: pd.DataFrame) -> dict[str, dict[str, float]]:
    """AUC and recall for each value of each slice column."""
    out = {}
    for column in slices.columns:
        frame = MetricFrame(
            metrics={"recall": recall_score},
            y_true=y_true,
            y_pred=labels,
            sensitive_features=slices[column],
        )
        aucs = {
            str(value): roc_auc_score(y_true[mask], scores[mask])
            for value, mask in ((v, (slices[column] == v).to_numpy()) for v in slices[column].unique())
            if len(set(y_true[mask])) == 2
        }
        out[column] = {
            "auc": aucs,
            "recall": {str(k): float(v) for k, v in frame.by_group["recall"].items()},
            "recall_gap": float(frame.difference()["recall"]),
        }
    return out


def evaluate(params: dict, model_path: Path, train_path: Path, holdout_path: Path) -> dict:
    """All gate metrics for the model at `model_path` on the holdout split."""
    target = params["data"]["target"]
    numeric, categorical = feature_columns(params)
    model = joblib.load(model_path)
    train = pd.read_csv(train_path)
    holdout = pd.read_csv(holdout_path)
    x_holdout = build_features(holdout, numeric, categorical)
    y_holdout = holdout[target].to_numpy()
    scores = model.predict_proba(x_holdout)[:, 1]
    labels = model.predict(x_holdout)

    baseline = DummyClassifier(strategy="prior").fit(
        build_features(train, numeric, categorical), train[target]
    )
    baseline_auc = roc_auc_score(y_holdout, baseline.predict_proba(x_holdout)[:, 1])
    model_auc = roc_auc_score(y_holdout, scores)

    slices = pd.DataFrame(
        {
            "age_band": age_band(holdout["age"]).astype(str),
            "region": holdout["region"].astype(str),
            "employment_type": holdout["employment_type"].astype(str),
        }
    )[params["evaluation"]["slices"]]
    sensitive = slices[params["evaluation"]["sensitive_feature"]]
    importance = permutation_importance(
        model, x_holdout, y_holdout, scoring="roc_auc", n_repeats=5, random_state=params["seed"]
    )
    return {
        "auc": model_auc,
        "baseline_auc": baseline_auc,
        "slices": slice_metrics(y_holdout, scores, labels, slices),
        "selection_rate": MetricFrame(
            metrics=selection_rate, y_true=y_holdout, y_pred=labels, sensitive_features=sensitive
        ).by_group.to_dict(),
        "demographic_parity_difference": demographic_parity_difference(
            y_holdout, labels, sensitive_features=sensitive
        ),
        "permutation_importance": dict(
            zip(x_holdout.columns, importance.importances_mean.round(5).tolist(), strict=True)
        ),
    }


def gate_failures(metrics: dict, thresholds: dict) -> list[str]:
    """Every threshold the metrics miss, as readable lines (empty: the model may ship)."""
    failures = []
    if metrics["auc"] < thresholds["min_auc"]:
        failures.append(f"AUC {metrics['auc']:.3f} < {thresholds['min_auc']}")
    lift = metrics["auc"] - metrics["baseline_auc"]
    if lift < thresholds["min_lift_over_baseline"]:
        failures.append(f"lift over baseline {lift:.3f} < {thresholds['min_lift_over_baseline']}")
    for column, result in metrics["slices"].items():
        for value, auc in result["auc"].items():
            if auc < thresholds["min_slice_auc"]:
                failures.append(f"slice {column}={value}: AUC {auc:.3f} < {thresholds['min_slice_auc']}")
    gap = metrics["slices"][thresholds["sensitive_feature"]]["recall_gap"]
    if gap > thresholds["max_recall_gap"]:
        failures.append(f"recall gap across age bands {gap:.3f} > {thresholds['max_recall_gap']}")
    dpd = metrics["demographic_parity_difference"]
    if dpd > thresholds["max_selection_rate_gap"]:
        failures.append(f"selection-rate gap {dpd:.3f} > {thresholds['max_selection_rate_gap']}")
    for feature, value in metrics["permutation_importance"].items():
        if value <= 0:
            print(f"note: feature {feature} has no positive permutation importance ({value})")
    return failures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--artifacts", default="artifacts", type=Path)
    parser.add_argument("--report", default="reports/evaluation.json", type=Path)
    args = parser.parse_args(argv)

    params = load_params(args.params)
    metrics = evaluate(
        params,
        args.artifacts / "model.joblib",
        args.artifacts / "train.csv",
        args.artifacts / "holdout.csv",
    )
    failures = gate_failures(metrics, params["evaluation"])
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(json.dumps({**metrics, "failures": failures}, indent=2, default=float))
    for line in failures:
        print(f"GATE FAILED: {line}", file=sys.stderr)
    if failures:
        sys.exit(1)
    print(f"gate passed: AUC {metrics['auc']:.3f} (baseline {metrics['baseline_auc']:.3f})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
