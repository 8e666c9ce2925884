"""Training entry point: `python -m credit_risk.train [--smoke] [--register]`.

Tunes the hyperparameters listed under `search:` in params.yaml with a randomized search,
refits the best pipeline on the training split and saves it with its metadata. With
`--register`, the model is logged to MLflow and registered as a new version of `credit-risk`
(promotion to the `champion` alias is a separate, gated step: credit_risk.registry).
"""

from __future__ import annotations

import argparse
import json
import random
import time
from pathlib import Path

import joblib
import numpy as np
from sklearn.model_selection import RandomizedSearchCV, StratifiedKFold

from credit_risk.config import feature_columns, load_params
from credit_risk.data import load_applications, split
from credit_risk.features import build_features
from credit_risk.model import build_model, search_space


def set_seeds(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)


def train(params: dict, data_path: str, output_dir: Path, smoke: bool = False) -> dict:
    """Fit the tuned model; returns its metadata (also written next to the model)."""
    seed = params["seed"]
    set_seeds(seed)
    target = params["data"]["target"]
    numeric, categorical = feature_columns(params)
    frame = load_applications(data_path)
    train_frame, holdout = split(frame, target, params["data"]["test_size"], seed)
    x_train = build_features(train_frame, numeric, categorical)
    y_train = train_frame[target].to_numpy()

    search = RandomizedSearchCV(
        build_model(params),
        param_distributions=search_space(params),
        n_iter=2 if smoke else params["search"]["n_iter"],
        scoring=params["search"]["scoring"],
        cv=StratifiedKFold(params["search"]["cv_folds"], shuffle=True, random_state=seed),
        random_state=seed,
        n_jobs=-1,
    )
    search.fit(x_train, y_train)

    output_dir.mkdir(parents=True, exist_ok=True)
    joblib.dump(search.best_estimator_, output_dir / "model.joblib")
    holdout.to_csv(output_dir / "holdout.csv", index=False)
    train_frame.to_csv(output_dir / "train.csv", index=False)
    meta = {
        "trained_at": int(time.time()),
        "seed": seed,
        "data": str(data_path),
        "rows": int(len(train_frame)),
        "best_params": search.best_params_,
        "cv_auc": float(search.best_score_),
    }
    (output_dir / "model_meta.json").write_text(json.dumps(meta, indent=2, default=str))
    return meta


def register(params: dict, output_dir: Path, meta: dict) -> str:
    """Log the fitted pipeline to MLflow and register it; returns the new version."""
    import mlflow
    import mlflow.sklearn

    model = joblib.load(output_dir / "model.joblib")
    with mlflow.start_run(run_name="scheduled-retrain") as run:
        mlflow.log_params({k: v for k, v in meta["best_params"].items()})
        mlflow.log_metric("cv_auc", meta["cv_auc"])
        mlflow.log_dict(meta, "model_meta.json")
        mlflow.sklearn.log_model(model, artifact_path="model")
    version = mlflow.register_model(f"runs:/{run.info.run_id}/model", params["registry"]["model_name"])
    return version.version


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--params", default="params.yaml")
    parser.add_argument("--data", help="training data (default: data.path in params.yaml)")
    parser.add_argument("--output", default="artifacts", type=Path)
    parser.add_argument("--smoke", action="store_true", help="tiny search on data/sample.csv")
    parser.add_argument("--register", action="store_true", help="register in MLflow")
    args = parser.parse_args(argv)

    params = load_params(args.params)
    data_path = args.data or (
        params["data"]["sample_path"] if args.smoke else params["data"]["path"]
    )
    meta = train(params, data_path, args.output, smoke=args.smoke)
    print(f"cv AUC {meta['cv_auc']:.3f} with {meta['best_params']}")
    if args.register:
        print(f"registered {params['registry']['model_name']} version {register(params, args.output, meta)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
