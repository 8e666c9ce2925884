"""Score the monthly customer export: `python -m churn.score customers.csv scores.csv`."""

from __future__ import annotations

import argparse

import joblib
import numpy as np
import pandas as pd

from churn.features import add_ratios, clean


def score(model, raw: pd.DataFrame) -> pd.DataFrame:
    frame = add_ratios(clean(raw))
    probability = model.predict_proba(frame)[:, 1]
    if not np.isfinite(probability).all():
        raise ValueError("non-finite churn scores; check the export for broken rows")
    return pd.DataFrame({"customer_id": raw["customer_id"], "churn_probability": probability})


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("customers")
    parser.add_argument("out")
    parser.add_argument("--model", default="models/churn.joblib")
    args = parser.parse_args(argv)
    scores = score(joblib.load(args.model), pd.read_csv(args.customers))
    scores.sort_values("churn_probability", ascending=False).to_csv(args.out, index=False)


if __name__ == "__main__":
    main()
