"""monitor-6/monitor-7 (REVIEW-S points 4-5, REVIEW-T point 11): Prometheus metrics the serving
code updates and a committed config scrapes are watched by a person (manual); an alert rule on
them is automated only when it can fire on what the code exports."""

from __future__ import annotations

from pathlib import Path

from ml_readiness.evidence import Evidence, Hint
from tests.helpers import audit, levels, make_repo, run_check

METRICS = """\
from prometheus_client import Counter, Histogram, generate_latest

PREDICTION_LATENCY = Histogram("model_prediction_latency_seconds", "latency", ["provider"])
PREDICTION_SCORES = Histogram("model_prediction_raw_scores", "scores", ["provider"])
PREDICTIONS = Counter("model_predictions_total", "predictions", ["provider", "tier"])
UNUSED = Histogram("model_unused_confidence", "never updated")


def metrics_body():
    return generate_latest()
"""
APP = """\
import time

import joblib
from fastapi import FastAPI, Response

from app.metrics import PREDICTION_LATENCY, PREDICTION_SCORES, PREDICTIONS, metrics_body

app = FastAPI()
model = joblib.load("model.joblib")
TIERS = {1: "low", 2: "high"}


@app.get("/metrics")
def metrics():
    return Response(metrics_body())


@app.post("/predict")
def predict(x: float):
    start = time.time()
    score = float(model.predict_proba([[x]])[0][1])
    PREDICTION_SCORES.labels(provider="local").observe(score)
    PREDICTIONS.labels(provider="local", tier=TIERS[1 + int(score > 0.5)]).inc()
    PREDICTION_LATENCY.labels(provider="local").observe(time.time() - start)
    return {"score": score}
"""
PROMETHEUS = """\
rule_files:
  - rules/*.yml
scrape_configs:
  - job_name: prometheus
    static_configs:
      - targets: ["localhost:9090"]
  - job_name: scoring-api
    metrics_path: /metrics
    static_configs:
      - targets: ["api:8000"]
"""
RULES = """\
groups:
  - name: ml
    rules:
      - alert: RULE_NAME
        expr: EXPR
        for: 10m
"""


def _evidence(root: Path, check: str) -> list[tuple[str, str, str]]:
    return [
        (e.location(), e.credit, e.detail)
        for e in run_check(root, check)
        if isinstance(e, Evidence)
    ]


def _repo(tmp_path: Path, extra: dict[str, str] | None = None) -> Path:
    files = {"app/__init__.py": "", "app/metrics.py": METRICS, "app/main.py": APP}
    return make_repo(tmp_path, {**files, **(extra or {})})


def test_scraped_serving_metrics_are_watched_by_a_person(tmp_path: Path) -> None:
    root = _repo(tmp_path, {"monitoring/prometheus.yml": PROMETHEUS})
    tail = (
        "exposed by `generate_latest` in app/metrics.py:10 and scraped by scrape job "
        "`scoring-api` in monitoring/prometheus.yml:7; watched by a person, no alert rule on it"
    )
    assert _evidence(root, "performance-tracking") == [
        (
            "app/metrics.py:3",
            "manual",
            "Prometheus Histogram `model_prediction_latency_seconds` (serving latency) is "
            f"updated on the serving path (app/main.py:24), {tail}",
        )
    ]
    assert _evidence(root, "production-quality-monitoring") == [
        (
            "app/metrics.py:4",
            "manual",
            "Prometheus Histogram `model_prediction_raw_scores` (prediction quality or "
            f"distribution) is updated on the serving path (app/main.py:22), {tail}",
        )
    ]
    got = levels(audit(root))
    assert (got["monitor-6"], got["monitor-7"]) == ("manual", "manual")


def test_scrape_annotation_counts_as_a_scrape(tmp_path: Path) -> None:
    deployment = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    metadata:
      annotations:
        prometheus.io/scrape: "true"
        prometheus.io/path: /metrics
"""
    root = _repo(tmp_path, {"k8s/deployment.yaml": deployment})
    found = _evidence(root, "performance-tracking")
    assert [loc for loc, _, _ in found] == ["app/metrics.py:3"]
    assert "the prometheus.io/scrape annotation in k8s/deployment.yaml:9" in found[0][2]


def test_trap_metrics_nobody_scrapes(tmp_path: Path) -> None:
    """Only the Prometheus server scrapes itself: nobody watches the service."""
    own = PROMETHEUS.split("  - job_name: scoring-api")[0]
    root = _repo(tmp_path, {"monitoring/prometheus.yml": own})
    assert _evidence(root, "performance-tracking") == []
    assert _evidence(root, "production-quality-monitoring") == []


def test_trap_metric_module_nothing_updates(tmp_path: Path) -> None:
    """A module of Summaries that no serving code updates exports nothing worth watching."""
    app = APP.replace("PREDICTION_SCORES.labels", "# PREDICTION_SCORES.labels").replace(
        "PREDICTION_LATENCY.labels", "# PREDICTION_LATENCY.labels"
    )
    files = {"app/main.py": app, "monitoring/prometheus.yml": PROMETHEUS}
    root = _repo(tmp_path, files)
    assert _evidence(root, "performance-tracking") == []
    assert _evidence(root, "production-quality-monitoring") == []


def _rules(tmp_path: Path, name: str, expr: str) -> Path:
    return _repo(
        tmp_path,
        {
            "monitoring/prometheus.yml": PROMETHEUS,
            "monitoring/rules/ml.yml": RULES.replace("RULE_NAME", name).replace("EXPR", expr),
        },
    )


def test_loaded_alert_rule_on_an_exported_score_histogram_is_automated(tmp_path: Path) -> None:
    expr = "histogram_quantile(0.5, rate(model_prediction_raw_scores_bucket[10m])) < 0.2"
    root = _rules(tmp_path, "LowScores", expr)
    found = _evidence(root, "production-quality-monitoring")
    assert found == [
        (
            "monitoring/rules/ml.yml:4",
            "automated",
            f"alert rule LowScores on model quality (`{expr}`), loaded by rule_files in "
            "monitoring/prometheus.yml",
        )
    ]
    assert levels(audit(root))["monitor-7"] == "automated"


def test_trap_alert_rule_on_a_label_value_no_code_emits(tmp_path: Path) -> None:
    """`tier="hot"` while the code emits low/high: the rule can never fire (REVIEW-S b2b)."""
    expr = 'rate(model_prediction_raw_scores_count{provider="local",tier="hot"}[10m]) > 5'
    root = _rules(tmp_path, "UnbalancedPredictions", expr)
    produced = run_check(root, "production-quality-monitoring")
    assert [e.credit for e in produced if isinstance(e, Evidence)] == ["manual"]
    assert (
        "alert rule UnbalancedPredictions (monitoring/rules/ml.yml:4) filters "
        "`model_prediction_raw_scores_count` has no label `tier`: it can never fire on what "
        "the serving code exports; not credited"
    ) in [h.detail for h in produced if isinstance(h, Hint)]
    assert levels(audit(root))["monitor-7"] == "manual"


def test_trap_alert_rule_on_an_unemitted_label_value(tmp_path: Path) -> None:
    expr = 'rate(model_prediction_raw_scores_count{provider="remote"}[10m]) > 5'
    root = _rules(tmp_path, "RemoteScores", expr)
    produced = run_check(root, "production-quality-monitoring")
    assert any(
        'filters `model_prediction_raw_scores_count{provider="remote"}`: no code emits the '
        'value "remote"' in h.detail
        for h in produced
        if isinstance(h, Hint)
    )
    assert levels(audit(root))["monitor-7"] == "manual"


def test_trap_alert_rule_on_a_metric_nothing_exports(tmp_path: Path) -> None:
    """`model_prediction_confidence_bucket` is defined nowhere (REVIEW-S b2b
    LowConfidencePredictions); `model_unused_confidence` is defined but never updated."""
    for metric in ("model_prediction_confidence_bucket", "model_unused_confidence_bucket"):
        expr = f"histogram_quantile(0.5, rate({metric}[10m])) < 0.6"
        root = _rules(tmp_path / metric, "LowConfidencePredictions", expr)
        found = _evidence(root, "production-quality-monitoring")
        assert [credit for _, credit, _ in found] == ["manual"]
        assert levels(audit(root))["monitor-7"] == "manual"
