"""Online scoring service (FastAPI): `uvicorn credit_risk.serve:app`.

Requests are validated by `LoanApplication` (types and ranges match the Great Expectations
suite in gx/expectations/loan_applications.json), turned into model inputs by the same
`build_features` the training uses, and scored by the registered `champion` model.
Prometheus metrics are exposed on /metrics; alert rules live in deploy/monitoring/.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from typing import Literal

import numpy as np
import pandas as pd
from fastapi import FastAPI, HTTPException
from prometheus_client import Counter, Gauge, Histogram, make_asgi_app
from pydantic import BaseModel, Field

from credit_risk.config import feature_columns, load_params
from credit_risk.features import build_features

PARAMS = load_params(os.environ.get("CREDIT_RISK_PARAMS", "params.yaml"))
NUMERIC, CATEGORICAL = feature_columns(PARAMS)
MODEL_URI = os.environ.get("MODEL_URI", "models:/credit-risk@champion")

LATENCY = Histogram("credit_risk_predict_seconds", "Prediction latency")
PREDICTIONS = Counter("credit_risk_predictions_total", "Predictions served", ["decision"])
NON_FINITE = Counter("credit_risk_non_finite_scores_total", "Scores that were NaN or infinite")
SCORE = Histogram("credit_risk_score", "Predicted default probability", buckets=[i / 10 for i in range(11)])
TRAINED_AT = Gauge("credit_risk_model_trained_timestamp_seconds", "Training time of the served model")

log = logging.getLogger("credit_risk.requests")


class LoanApplication(BaseModel):
    """One application as submitted by the loan-origination system."""

    application_id: str = Field(min_length=1, max_length=32)
    annual_income: float = Field(ge=0, le=5_000_000)
    loan_amount: float = Field(ge=500, le=500_000)
    loan_term_months: Literal[12, 24, 36, 48, 60]
    credit_history_years: int = Field(ge=0, le=80)
    num_open_accounts: int = Field(ge=0, le=100)
    debt_to_income: float = Field(ge=0, le=1.5)
    employment_type: Literal["salaried", "self_employed", "contract", "unemployed", "retired"]
    home_ownership: Literal["own", "mortgage", "rent", "other"]
    purpose: str = Field(min_length=1, max_length=40)


class Decision(BaseModel):
    probability_of_default: float
    decision: Literal["approve", "refer"]
    model_version: str


def load_model(uri: str = MODEL_URI):
    """The champion pipeline from the MLflow registry, with its training timestamp."""
    import mlflow.sklearn

    model = mlflow.sklearn.load_model(uri)
    info = mlflow.models.get_model_info(uri)
    return model, info.run_id, info.utc_time_created


def predict_one(model, application: LoanApplication, threshold: float = 0.5) -> tuple[float, str]:
    """Score one validated application; raises ValueError on a non-finite score."""
    raw = pd.DataFrame([application.model_dump()])
    features = build_features(raw, NUMERIC, CATEGORICAL)
    probability = float(model.predict_proba(features)[0, 1])
    if not np.isfinite(probability):
        NON_FINITE.inc()
        raise ValueError("model returned a non-finite score")
    return probability, "refer" if probability >= threshold else "approve"


def create_app(model=None, version: str = "local") -> FastAPI:
    app = FastAPI(title="credit-risk", version=version)
    app.mount("/metrics", make_asgi_app())
    state = {"model": model, "version": version}

    @app.on_event("startup")
    def _load() -> None:
        if state["model"] is None:
            state["model"], state["version"], created = load_model()
            TRAINED_AT.set(pd.Timestamp(created).timestamp())

    @app.post("/predict", response_model=Decision)
    def predict(application: LoanApplication) -> Decision:
        started = time.perf_counter()
        try:
            probability, decision = predict_one(state["model"], application)
        except ValueError as exc:
            raise HTTPException(status_code=500, detail=str(exc)) from exc
        LATENCY.observe(time.perf_counter() - started)
        PREDICTIONS.labels(decision).inc()
        SCORE.observe(probability)
        # Request logs feed the drift job; the application id is pseudonymised first.
        record = application.model_dump()
        record["application_id"] = hashlib.sha256(record["application_id"].encode()).hexdigest()
        log.info("scored", extra={"request": record, "probability": probability})
        return Decision(
            probability_of_default=probability, decision=decision, model_version=state["version"]
        )

    @app.get("/healthz")
    def health() -> dict[str, str]:
        return {"status": "ok" if state["model"] is not None else "loading"}

    return app


app = create_app()
