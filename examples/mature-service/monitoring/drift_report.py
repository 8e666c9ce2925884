"""Daily production drift and quality report (run by .github/workflows/monitoring.yml).

Compares yesterday's scored requests (the serving logs, application ids already hashed)
with the training reference sample, and -- for requests whose outcome is known by now --
the default-prediction quality. Saves an HTML report and exits 1 when the share of drifted
features or the AUC on labelled production traffic crosses the limits below, which fails
the scheduled job and notifies the on-call channel.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd
from evidently.metric_preset import ClassificationPreset, DataDriftPreset
from evidently.pipeline.column_mapping import ColumnMapping
from evidently.report import Report

MAX_DRIFT_SHARE = 0.3
MIN_PRODUCTION_AUC = 0.68
FEATURES = [
    "annual_income",
    "loan_amount",
    "loan_term_months",
    "credit_history_years",
    "num_open_accounts",
    "debt_to_income",
    "employment_type",
    "home_ownership",
    "purpose",
]


def drift_report(reference: pd.DataFrame, production: pd.DataFrame) -> Report:
    report = Report(metrics=[DataDriftPreset(columns=FEATURES)])
    report.run(reference_data=reference[FEATURES], current_data=production[FEATURES])
    return report


def quality_report(reference: pd.DataFrame, production: pd.DataFrame) -> Report:
    mapping = ColumnMapping(target="defaulted", prediction="probability_of_default")
    report = Report(metrics=[ClassificationPreset()])
    report.run(reference_data=reference, current_data=production, column_mapping=mapping)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Production drift and quality report")
    parser.add_argument("--reference", default="data/reference.parquet")
    parser.add_argument("--production", required=True, help="scored requests of one day")
    parser.add_argument("--outcomes", help="requests joined with known outcomes")
    parser.add_argument("--out", default="reports/monitoring", type=Path)
    args = parser.parse_args(argv)

    reference = pd.read_parquet(args.reference)
    production = pd.read_parquet(args.production)
    args.out.mkdir(parents=True, exist_ok=True)

    drift = drift_report(reference, production)
    drift.save_html(str(args.out / "drift.html"))
    share = drift.as_dict()["metrics"][0]["result"]["share_of_drifted_columns"]
    problems = []
    if share > MAX_DRIFT_SHARE:
        problems.append(f"{share:.0%} of features drifted (limit {MAX_DRIFT_SHARE:.0%})")

    if args.outcomes:
        labelled = pd.read_parquet(args.outcomes)
        quality = quality_report(reference, labelled)
        quality.save_html(str(args.out / "quality.html"))
        auc = quality.as_dict()["metrics"][0]["result"]["current"]["roc_auc"]
        if auc < MIN_PRODUCTION_AUC:
            problems.append(f"production AUC {auc:.3f} < {MIN_PRODUCTION_AUC}")

    for problem in problems:
        print(f"ALERT: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
