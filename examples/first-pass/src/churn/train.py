"""Train the churn model by hand: `python -m churn.train data/customers.csv`.

Writes models/churn.joblib and reports/metrics.json. We run this before each monthly
campaign and commit the metrics file with the pull request that updates the model.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import joblib
import pandas as pd
import yaml
from sklearn.dummy import DummyClassifier
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.model_selection import train_test_split

from churn.features import add_ratios, clean
from churn.model import build_model


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data")
    parser.add_argument("--config", default="configs/model.yaml")
    parser.add_argument("--model-out", default="models/churn.joblib")
    parser.add_argument("--metrics-out", default="reports/metrics.json")
    args = parser.parse_args(argv)

    config = yaml.safe_load(Path(args.config).read_text())
    frame = add_ratios(clean(pd.read_csv(args.data)))
    train, test = train_test_split(
        frame, test_size=config["test_size"], stratify=frame[config["target"]],
        random_state=config["seed"],
    )
    y_train, y_test = train[config["target"]], test[config["target"]]

    model = build_model(config).fit(train, y_train)
    baseline = DummyClassifier(strategy="prior").fit(train, y_train)
    scores = model.predict_proba(test)[:, 1]
    metrics = {
        "roc_auc": roc_auc_score(y_test, scores),
        "average_precision": average_precision_score(y_test, scores),
        "baseline_roc_auc": roc_auc_score(y_test, baseline.predict_proba(test)[:, 1]),
        "rows": len(frame),
    }
    Path(args.model_out).parent.mkdir(parents=True, exist_ok=True)
    joblib.dump(model, args.model_out)
    Path(args.metrics_out).write_text(json.dumps(metrics, indent=2))
    print(json.dumps(metrics, indent=2))


if __name__ == "__main__":
    main()
