"""infra-2..5 checks: model unit tests, integration runs, validation gates, debuggability."""

from __future__ import annotations

from ml_readiness.evidence import Evidence, Hint
from tests.helpers import make_repo, notebook, run_check

MODEL = """\
import torch
from torch import nn


class Net(nn.Module):
    def forward(self, x):
        return x


def build_model():
    return Net()
"""


def _ev(items):
    return [
        (e.detail, e.location(), e.kind, e.credit, e.symbol)
        for e in items
        if isinstance(e, Evidence)
    ]


def _hints(items):
    return [h.detail for h in items if isinstance(h, Hint)]


def test_model_unit_tests_say_what_they_exercise(tmp_path):
    root = make_repo(
        tmp_path,
        {
            "src/proj/net.py": MODEL,
            "tests/test_net.py": """\
            import pytest
            import torch
            from proj.net import Net, build_model

            def test_forward_shape():
                out = Net()(torch.zeros(2, 3))
                assert out.shape == (2, 3)

            def test_overfit_one_batch():
                model = build_model()
                loss = model(torch.ones(1)).sum()
                loss.backward()
                assert loss.item() >= 0

            @pytest.mark.xfail
            def test_xfail_always():
                assert Net()

            @pytest.mark.skipif(not torch.cuda.is_available(), reason="gpu")
            def test_gpu():
                assert Net().cuda()

            def test_unrelated():
                assert 1 + 1 == 2
            """,
        },
    )
    out = run_check(root, "model-unit-tests")
    assert _ev(out) == [
        (
            "tests src/proj/net.py (Net, build_model): output shapes, a forward pass",
            "tests/test_net.py:5",
            "test",
            "automated",
            "test_forward_shape",
        ),
        (
            "tests src/proj/net.py (Net, build_model): a training step, overfitting a batch",
            "tests/test_net.py:9",
            "test",
            "automated",
            "test_overfit_one_batch",
        ),
        (
            "tests src/proj/net.py (Net, build_model) (skipped without a GPU: "
            "skipif(not torch.cuda.is_available()); CI runners are CPU-only, so manual only)",
            "tests/test_net.py:20",
            "test",
            "manual",
            "test_gpu",
        ),
    ]
    assert _hints(out) == [
        "tests/test_net.py: test_xfail_always always skipped or xfailed; not credited"
    ]


def test_trap_only_xfailed_model_tests(tmp_path):
    root = make_repo(
        tmp_path,
        {
            "models/classifier.py": "from sklearn.ensemble import RandomForestClassifier\n\n"
            "def make_model():\n    return RandomForestClassifier()\n",
            "tests/test_classifier.py": "import pytest\n"
            "from models.classifier import make_model\n\n"
            "@pytest.mark.xfail\ndef test_fit():\n    assert make_model().fit([[0]], [0])\n",
        },
    )
    out = run_check(root, "model-unit-tests")
    assert _ev(out) == []
    assert _hints(out) == [
        "model code in models/classifier.py has no live unit test that calls it",
        "tests/test_classifier.py: test_fit always skipped or xfailed; not credited",
    ]


def test_smoke_training_test_and_ci_dvc_repro(tmp_path):
    root = make_repo(
        tmp_path,
        {
            "train.py": """\
            import argparse

            def main(argv=None):
                model.fit(load(argv))

            if __name__ == "__main__":
                main()
            """,
            "tests/test_smoke.py": """\
            import subprocess
            import sys
            from train import main

            def test_main_on_sample():
                main(["--data", "tests/data/sample.csv", "--max-epochs", "1"])

            def test_cli():
                subprocess.run([sys.executable, "train.py", "--smoke"], check=True)

            def test_other():
                assert main
            """,
            "scripts/smoke.sh": "#!/bin/sh\n# dvc repro\npython train.py --sample\n",
        },
    )
    out = run_check(root, "pipeline-integration-test")
    assert _ev(out) == [
        (
            "smoke test calls the training entry point `main()` of train.py on small data "
            "(tests/data/sample.csv)",
            "tests/test_smoke.py:5",
            "test",
            "automated",
            "test_main_on_sample",
        ),
        (
            "smoke test runs `train.py` as a command on small data (--smoke)",
            "tests/test_smoke.py:8",
            "test",
            "automated",
            "test_cli",
        ),
        (
            "end-to-end script runs `python train.py --sample`",
            "scripts/smoke.sh:3",
            "code",
            "automated",
            None,
        ),
    ]


def test_trap_skipped_smoke_test_and_no_pipeline(tmp_path):
    root = make_repo(
        tmp_path,
        {
            "train.py": "def train():\n    model.fit(1)\n",
            "tests/test_smoke.py": "import pytest\nfrom train import train\n\n"
            "@pytest.mark.skip\ndef test_smoke():\n    train()\n",
        },
    )
    out = run_check(root, "pipeline-integration-test")
    assert _ev(out) == []
    assert _hints(out) == [
        "tests/test_smoke.py::test_smoke calls the training entry point `train()` of train.py "
        "but is always skipped",
        "no end-to-end run found: no CI job runs `dvc repro` or a training script, and no test "
        "calls the training entry point on small data",
    ]


def test_validation_gate_in_code_reports_thresholds(tmp_path):
    root = make_repo(
        tmp_path,
        {
            "evaluate.py": """\
            import sys
            import mlflow

            MIN_AUC = 0.85


            def gate(metrics, client):
                \"\"\"Example:
                if auc < 0.5:
                    raise ValueError
                \"\"\"
                if metrics["auc"] < MIN_AUC:
                    sys.exit(1)
                if metrics["f1"] >= 0.7:
                    client.transition_model_version_stage("m", 3, "Production")
                if metrics["rmse"] > 3:
                    print("warning")  # not a gate


            if __name__ == "__main__":
                auc = 0.9
                if auc < 0.8:
                    raise SystemExit("model too weak")
            """,
        },
    )
    out = run_check(root, "metric-gate-in-code")
    assert _ev(out) == [
        (
            'evaluation fails the job when metrics["auc"] < MIN_AUC (0.85)',
            "evaluate.py:12",
            "code",
            "automated",
            "gate",
        ),
        (
            'model is registered/promoted only when metrics["f1"] >= 0.7',
            "evaluate.py:14",
            "code",
            "automated",
            "gate",
        ),
        (
            "evaluation fails the job when auc < 0.8",
            "evaluate.py:22",
            "code",
            "automated",
            "<main>",
        ),
    ]


def test_trap_metrics_printed_but_not_gated(tmp_path):
    root = make_repo(
        tmp_path,
        {
            "evaluate.py": "import mlflow\n\ndef run(auc):\n    mlflow.log_metric('auc', auc)\n"
            "    if auc < 0.8:\n        print('low')\n",
        },
    )
    out = run_check(root, "metric-gate-in-code")
    assert _ev(out) == []
    assert _hints(out) == [
        "metrics are computed in evaluate.py but nothing fails or blocks promotion on them"
    ]


def test_metric_assertions_and_platform_gates(tmp_path):
    root = make_repo(
        tmp_path,
        {
            "train.py": "def train(model, x):\n    return model.fit(x)\n",
            "tests/test_quality.py": """\
            import unittest

            def test_accuracy(model):
                accuracy = model.score()
                assert accuracy >= 0.9, "too weak"

            def test_shape(model):
                assert model.n > 1

            class TestAuc(unittest.TestCase):
                def test_auc(self):
                    self.assertGreater(auc, 0.8)
            """,
            "pipeline.py": """\
            import mlflow
            import tensorflow_model_analysis as tfma
            from tfx.components import Evaluator, Pusher
            from mlflow.models import MetricThreshold

            t = tfma.GenericValueThreshold(lower_bound={"value": 0.7})
            ev = Evaluator(examples=e, model=m, eval_config=cfg)
            push = Pusher(model=m, model_blessing=ev.outputs["blessing"])
            th = MetricThreshold(threshold=0.8, greater_is_better=True)
            mlflow.evaluate(model, data, validation_thresholds={"auc": th})
            """,
        },
    )
    tests = run_check(root, "metric-assertions-in-tests")
    assert _ev(tests) == [
        (
            "test asserts accuracy >= 0.9",
            "tests/test_quality.py:3",
            "test",
            "automated",
            "test_accuracy",
        ),
        (
            "test asserts auc > 0.8",
            "tests/test_quality.py:11",
            "test",
            "automated",
            "TestAuc.test_auc",
        ),
    ]
    platform = run_check(root, "platform-validation-gate")
    assert _ev(platform) == [
        (
            "TFX Evaluator blesses the model only above thresholds (GenericValueThreshold "
            "value=0.7); Pusher requires the blessing",
            "pipeline.py:7",
            "code",
            "automated",
            None,
        ),
        (
            "mlflow.evaluate with validation_thresholds (fails below them)",
            "pipeline.py:10",
            "code",
            "automated",
            None,
        ),
        (
            "MLflow MetricThreshold (fails when the metric is below 0.8)",
            "pipeline.py:9",
            "code",
            "automated",
            None,
        ),
    ]


def test_debuggability_entry_points_explainers_and_docs(tmp_path):
    root = make_repo(
        tmp_path,
        {
            "src/app/predict.py": """\
            import argparse
            import shap

            def predict_one(model, row):
                return model.predict([row])

            def explain(model, row):
                return shap.TreeExplainer(model).shap_values([row])

            if __name__ == "__main__":
                parser = argparse.ArgumentParser()
                parser.add_argument("row")
                print(load().predict([parser.parse_args().row]))
            """,
            "tests/test_predict.py": "from app.predict import predict_one\n\n"
            "def test_one(model):\n    assert predict_one(model, [1]) is not None\n",
            "docs/debugging.md": "# Debugging a prediction\n\n" + "Run the predict tool on the "
            "failing row, then compare the SHAP values with the training distribution and check "
            "the feature pipeline output for that row step by step.\n",
            "notebooks/error_analysis.ipynb": notebook("print(1)", outputs=True),
            "notebooks/explore.ipynb": notebook("import shap", outputs=True),
        },
    )
    entry = run_check(root, "single-example-entry-points")
    assert _ev(entry) == [
        (
            "single-example entry point `predict_one()`",
            "src/app/predict.py:4",
            "code",
            "manual",  # a prediction path; only explain/debug paths can be automated
            "predict_one",
        ),
        (
            "single-example entry point `explain()`",
            "src/app/predict.py:7",
            "code",
            "automated",
            "explain",
        ),
        (
            "test runs `predict_one()` on an example",
            "tests/test_predict.py:3",
            "test",
            "automated",
            "test_one",
        ),
        (
            "command-line tool runs the model on one input (`model.predict`)",
            "src/app/predict.py:11",
            "code",
            "automated",
            "<main>",
        ),
    ]
    tools = run_check(root, "explanation-tooling")
    assert _ev(tools) == [
        (
            "SHAP TreeExplainer explains predictions",
            "src/app/predict.py:8",
            "code",
            "automated",
            "explain",
        ),
    ]
    docs = run_check(root, "debugging-docs")
    assert _ev(docs) == [
        ("debugging guide: Debugging a prediction", "docs/debugging.md:1", "doc", "manual", None),
        (
            "debugging notebook with saved outputs",
            "notebooks/error_analysis.ipynb:1",
            "result",
            "manual",
            None,
        ),
    ]


def test_trap_debugging_placeholder_and_shap_import_only(tmp_path):
    root = make_repo(
        tmp_path,
        {
            "README.md": "# Troubleshooting\n\nTODO\n",
            "explain.py": "import shap\n",
            "notebooks/debug.ipynb": notebook("x = 1"),
        },
    )
    assert _ev(run_check(root, "explanation-tooling")) == []
    out = run_check(root, "debugging-docs")
    assert _ev(out) == []
    assert len(_hints(out)) == 1
