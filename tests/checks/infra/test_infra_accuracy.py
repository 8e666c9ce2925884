"""Regression tests from the accuracy reviews of real repositories (REVIEW-A/B): each rule has
its positive fixture and the trap that used to be credited."""

from __future__ import annotations

from ml_readiness.evidence import Evidence, Hint
from tests.helpers import audit, levels, make_repo, run_check


def _ev(items):
    return [
        (e.detail, e.location(), e.kind, e.credit, e.symbol)
        for e in items
        if isinstance(e, Evidence)
    ]


def _hints(items):
    return [h.detail for h in items if isinstance(h, Hint)]


def _infra(root):
    return {k: v for k, v in levels(audit(root)).items() if k.startswith("infra")}


PUSH_CI = """\
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: pytest tests
"""
TRAIN = """\
import torch


def train(cfg):
    torch.manual_seed(cfg.seed)
    model = torch.nn.Linear(2, 2)
    model.train()
    return {"acc": 0.9}
"""


# -- infra-1: retrain-and-compare -----------------------------------------------------------
def test_retrain_and_compare_needs_an_equality_check_of_two_runs(tmp_path):
    root = make_repo(
        tmp_path,
        {
            "src/train.py": TRAIN,
            "tests/test_repro.py": """\
            import torch
            from train import train

            def test_same_seed_same_weights(cfg):
                first = train(cfg)
                second = train(cfg)
                torch.testing.assert_close(first, second)
            """,
        },
    )
    assert _ev(run_check(root, "retrain-and-compare")) == [
        (
            "test trains twice with `train()` and compares the results",
            "tests/test_repro.py:4",
            "test",
            "automated",
            "test_same_seed_same_weights",
        ),
    ]


def test_trap_dataloader_twice_and_resume_test_are_not_reproducibility(tmp_path):
    # the Lightning-Hydra template shape: a datamodule test and a checkpoint-resume test
    root = make_repo(
        tmp_path,
        {
            "src/train.py": TRAIN,
            "tests/test_datamodule.py": """\
            def test_mnist_datamodule(dm):
                dm.setup()
                assert dm.train_dataloader()
                batch = next(iter(dm.train_dataloader()))
                assert len(batch) == 2
            """,
            "tests/test_train.py": """\
            from train import train

            def test_train_resume(cfg, tmp_path):
                metric_dict_1 = train(cfg)
                cfg.ckpt_path = str(tmp_path / "last.ckpt")
                metric_dict_2 = train(cfg)
                assert metric_dict_1["acc"] < metric_dict_2["acc"]

            def test_train_twice_progress(cfg):
                a = train(cfg)
                b = train(cfg)
                assert a["acc"] <= b["acc"]
            """,
        },
    )
    assert _ev(run_check(root, "retrain-and-compare")) == []


def test_gpu_only_retrain_test_is_manual_at_most(tmp_path):
    root = make_repo(
        tmp_path,
        {
            ".github/workflows/ci.yml": PUSH_CI,
            "src/train.py": TRAIN,
            "tests/helpers/run_if.py": "class RunIf:\n    pass\n",
            "tests/test_repro.py": """\
            from tests.helpers.run_if import RunIf
            from train import train

            @RunIf(min_gpus=1)
            def test_deterministic_on_gpu(cfg):
                assert train(cfg) == train(cfg)

            @RunIf(sh=True)
            def test_deterministic_with_sh(cfg):
                assert train(cfg) == train(cfg)
            """,
        },
    )
    assert _ev(run_check(root, "retrain-and-compare")) == [
        (
            "test trains twice with `train()` and compares the results (runs only with a GPU: "
            "@RunIf(min_gpus=1); CI runners are CPU-only)",
            "tests/test_repro.py:5",
            "test",
            "manual",
            "test_deterministic_on_gpu",
        ),
        (
            "test trains twice with `train()` and compares the results",
            "tests/test_repro.py:9",
            "test",
            "automated",
            "test_deterministic_with_sh",
        ),
    ]


# -- infra-2: Hydra targets, imported helpers, estimator training functions ------------------
MODULE = """\
import torch


class BaseModule(torch.nn.Module):
    def forward(self, x):
        return x


def get_module_by_name(model, name):
    return getattr(model, name)
"""


def test_hydra_target_and_imported_helpers_count_as_calling_model_code(tmp_path):
    root = make_repo(
        tmp_path,
        {
            "src/modules/models/module.py": MODULE,
            "src/data/loader.py": "class Loader:\n    pass\n",
            "tests/test_models.py": """\
            import hydra
            import torch
            from src.modules.models.module import get_module_by_name

            def test_base_module():
                cfg = {"_target_": "src.modules.models.module.BaseModule"}
                model = hydra.utils.instantiate(cfg)
                assert model.forward(torch.randn(2, 3)).shape == (2, 3)

            def test_module_utils():
                assert get_module_by_name(object(), "__class__") is object

            def test_loader():
                loader = hydra.utils.instantiate({"_target_": "src.data.loader.Loader"})
                assert loader is not None
            """,
        },
    )
    assert _ev(run_check(root, "model-unit-tests")) == [
        (
            "tests src/modules/models/module.py (BaseModule): a forward pass",
            "tests/test_models.py:5",
            "test",
            "automated",
            "test_base_module",
        ),
        (
            "tests src/modules/models/module.py (BaseModule)",
            "tests/test_models.py:10",
            "test",
            "automated",
            "test_module_utils",
        ),
    ]


XGB_OP = """\
import xgboost as xgb


def train_xgb(train_frame, n_estimators=600):
    m = xgb.XGBRegressor(n_estimators=n_estimators, random_state=42)
    m.fit(train_frame, train_frame)
    return m
"""


def test_estimator_training_function_is_model_code_and_python_func_calls_it(tmp_path):
    root = make_repo(
        tmp_path,
        {
            "pipelines/components/train_xgb_op.py": XGB_OP,
            "tests/test_offline.py": """\
            def test_offline_component_pipeline(tmp_path):
                from pipelines.components.train_xgb_op import train_xgb
                model = train_xgb.python_func(train_frame=None, n_estimators=60)
                assert model is not None
            """,
        },
    )
    assert _ev(run_check(root, "model-unit-tests")) == [
        (
            "tests pipelines/components/train_xgb_op.py (train_xgb)",
            "tests/test_offline.py:1",
            "test",
            "automated",
            "test_offline_component_pipeline",
        )
    ]


def test_trap_schema_model_file_without_ml_library_is_not_model_code(tmp_path):
    # pandera's `api/pandas/model.py` (a DataFrameModel schema) is not an ML model
    root = make_repo(
        tmp_path,
        {
            "pkg/api/model.py": "class DataFrameModel:\n    def validate(self, df):\n"
            "        return df\n",
            "tests/test_model.py": """\
            from pkg.api.model import DataFrameModel

            def test_validate():
                assert DataFrameModel().validate(1) == 1
            """,
        },
    )
    out = run_check(root, "model-unit-tests")
    assert _ev(out) == []
    assert _hints(out)[0].startswith("no model code found")


def test_gpu_only_model_test_is_manual(tmp_path):
    root = make_repo(
        tmp_path,
        {
            "src/models/net.py": MODULE,
            "tests/test_net.py": """\
            import pytest
            from models.net import BaseModule

            @pytest.mark.gpu
            def test_forward_cuda():
                assert BaseModule().forward(1) == 1
            """,
        },
    )
    assert _ev(run_check(root, "model-unit-tests")) == [
        (
            "tests src/models/net.py (BaseModule): a forward pass "
            "(skipped without a GPU: @gpu; CI runners are CPU-only, so manual only)",
            "tests/test_net.py:5",
            "test",
            "manual",
            "test_forward_cuda",
        )
    ]


# -- infra-3: KFP local runs, mocked trainers, scheduled production runs, GPU-only ----------
def test_kfp_python_func_run_is_a_smoke_test(tmp_path):
    root = make_repo(
        tmp_path,
        {
            "pipelines/components/train_xgb_op.py": XGB_OP,
            "tests/test_offline.py": """\
            def test_offline_component_pipeline(tmp_path):
                from pipelines.components.train_xgb_op import train_xgb
                model = train_xgb.python_func(train_frame=None, n_estimators=60)
                assert model is not None
            """,
        },
    )
    assert _ev(run_check(root, "pipeline-integration-test")) == [
        (
            "smoke test calls the training entry point `train_xgb.python_func()` of "
            "pipelines/components/train_xgb_op.py",
            "tests/test_offline.py:1",
            "test",
            "automated",
            "test_offline_component_pipeline",
        )
    ]


def test_trap_main_with_every_trainer_mocked_is_not_a_smoke_test(tmp_path):
    root = make_repo(
        tmp_path,
        {
            "spark/jobs/ml_training.py": """\
            def train_temperature_model(df):
                return df.fit()

            def main():
                return train_temperature_model(None)

            if __name__ == "__main__":
                main()
            """,
            "tests/test_ml_training.py": """\
            import ml_training

            def test_main_isolation(monkeypatch):
                monkeypatch.setattr(ml_training, "train_temperature_model", lambda df: 1)
                ml_training.main()
                assert True is not False
            """,
        },
    )
    out = run_check(root, "pipeline-integration-test")
    assert _ev(out) == []
    assert _hints(out)[0] == (
        "tests/test_ml_training.py::test_main_isolation calls the training entry point "
        "`ml_training.main()` of spark/jobs/ml_training.py but replaces "
        "`train_temperature_model` with a fake, so nothing is trained; not credited"
    )


SCHEDULED = """\
on:
  schedule:
    - cron: "0 2 * * *"
jobs:
  pipeline:
    runs-on: ubuntu-latest
    steps:
      - run: python spark/jobs/ml_training.py
"""
SMOKE_CI = """\
on: [push]
jobs:
  smoke:
    runs-on: ubuntu-latest
    steps:
      - run: python train.py --sample 100
"""


def test_trap_scheduled_production_run_is_not_an_integration_test(tmp_path):
    root = make_repo(
        tmp_path / "a",
        {
            ".github/workflows/ml-pipeline.yml": SCHEDULED,
            "spark/jobs/ml_training.py": "def main():\n    fit()\n\nif __name__ == '__main__':\n"
            "    main()\n",
        },
    )
    out = run_check(root, "pipeline-integration-test")
    assert _ev(out) == []
    assert _hints(out)[0] == (
        ".github/workflows/ml-pipeline.yml#pipeline runs `python spark/jobs/ml_training.py` "
        "(schedule): a scheduled production run on full data, not an integration test on small "
        "data; not credited"
    )
    assert _infra(root)["infra-3"] == "none"
    smoke = make_repo(
        tmp_path / "b",
        {".github/workflows/ci.yml": SMOKE_CI, "train.py": "def main():\n    fit()\n"},
    )
    assert _ev(run_check(smoke, "pipeline-integration-test")) == [
        (
            ".github/workflows/ci.yml#smoke runs `python train.py --sample 100` (change) on "
            "small data",
            ".github/workflows/ci.yml:3",
            "config",
            "automated",
            ".github/workflows/ci.yml#smoke",
        )
    ]
    assert _infra(smoke)["infra-3"] == "automated"


def test_gpu_only_smoke_test_is_manual(tmp_path):
    root = make_repo(
        tmp_path,
        {
            ".github/workflows/ci.yml": PUSH_CI,
            "src/train.py": TRAIN,
            "tests/test_train.py": """\
            import pytest
            import torch
            from train import train

            @pytest.mark.skipif(not torch.cuda.is_available(), reason="gpu")
            def test_train_fast_dev_run_gpu(cfg):
                assert train(cfg, fast_dev_run=True)
            """,
        },
    )
    assert _ev(run_check(root, "pipeline-integration-test")) == [
        (
            "smoke test calls the training entry point `train()` of src/train.py on small data "
            "(fast_dev_run=True) (runs only with a GPU: skipif(not torch.cuda.is_available()); "
            "CI runners are CPU-only)",
            "tests/test_train.py:6",
            "test",
            "manual",
            "test_train_fast_dev_run_gpu",
        )
    ]
    assert _infra(root)["infra-3"] == "manual"


# -- infra-4: real thresholds, evaluation code, stopping branches, KFP conditions ----------
def test_trap_library_sanity_checks_are_not_quality_gates(tmp_path):
    # pandera's decimal precision and nannyml's metric list checks used to be "gates"
    root = make_repo(
        tmp_path,
        {
            "train.py": "def train(model, x):\n    return model.fit(x)\n",
            "pandera/dtypes.py": """\
            class Decimal:
                def __init__(self, precision=28, scale=0):
                    if precision <= 0:
                        raise ValueError("precision must be positive")
                    if scale is not None and not 0 <= scale <= precision:
                        raise ValueError("bad scale")
            """,
            "nannyml/performance_calculation/calculator.py": """\
            def raise_if_metrics_require_y_pred(metrics, y_pred):
                metrics_that_need_y_pred = [m for m in metrics if m.needs_pred]
                if len(metrics_that_need_y_pred) > 0 and y_pred is None:
                    raise ValueError("y_pred is required")
            """,
            "utils/helpers.py": """\
            def check(auc):
                if auc < 0.8:
                    raise ValueError("low")
            """,
        },
    )
    assert _ev(run_check(root, "metric-gate-in-code")) == []


GUARDRAILS = """\
def evaluate_promotion_guardrails(candidate, champion, promotion):
    minimum_relative_improvement = promotion.get("minimum_relative_improvement", 0.02)
    champion_rmse = champion["overall_rmse"]
    if champion_rmse <= 0:
        raise ValueError("Champion overall RMSE must be positive.")
    relative_improvement = (champion_rmse - candidate["overall_rmse"]) / champion_rmse
    reasons = []
    if relative_improvement < minimum_relative_improvement:
        reasons.append("not enough improvement")
    return {"approved": not reasons, "reasons": reasons}
"""


def test_reasons_list_gate_counts_and_positivity_check_does_not(tmp_path):
    root = make_repo(tmp_path, {"src/training/promotion_guardrails.py": GUARDRAILS})
    assert _ev(run_check(root, "metric-gate-in-code")) == [
        (
            "promotion is rejected when relative_improvement < minimum_relative_improvement "
            "(reasons decide approval)",
            "src/training/promotion_guardrails.py:8",
            "code",
            "automated",
            "evaluate_promotion_guardrails",
        )
    ]


EVALUATE_OP = """\
from kfp.dsl import component


@component(base_image="python:3.9")
def evaluate(holdout, model, wmape_threshold: float = 0.35):
    wmape_xgb = score(holdout, model)
    passed = wmape_xgb <= wmape_threshold
    return passed
"""
PIPELINE = """\
from kfp import dsl

from pipelines.components.evaluate_op import evaluate
from pipelines.components.register_op import register_in_vertex


@dsl.pipeline(name="forecast")
def forecast_pipeline(wmape_threshold: float = 0.35):
    eval_step = evaluate(holdout="h", model="m", wmape_threshold=wmape_threshold)
    with dsl.Condition(eval_step.outputs["passed"] == True, name="gate"):  # noqa: E712
        register_in_vertex(model="m")
"""


def test_kfp_condition_gates_registration_on_the_evaluation_component(tmp_path):
    root = make_repo(
        tmp_path,
        {
            "pipelines/components/evaluate_op.py": EVALUATE_OP,
            "pipelines/components/register_op.py": "def register_in_vertex(model):\n    pass\n",
            "pipelines/forecast.py": PIPELINE,
        },
    )
    assert _ev(run_check(root, "metric-gate-in-code")) == [
        (
            "pipeline runs `register_in_vertex` only when `evaluate` passes: wmape_xgb <= "
            "wmape_threshold (pipelines/components/evaluate_op.py:7)",
            "pipelines/forecast.py:10",
            "code",
            "automated",
            "forecast_pipeline",
        )
    ]
    # ungated: registration outside any condition
    ungated = make_repo(
        tmp_path / "b",
        {
            "pipelines/components/evaluate_op.py": EVALUATE_OP,
            "pipelines/forecast.py": PIPELINE.replace(
                'with dsl.Condition(eval_step.outputs["passed"] == True, name="gate"):  '
                "# noqa: E712\n        ",
                "",
            ),
        },
    )
    assert _ev(run_check(ungated, "metric-gate-in-code")) == []


def test_trap_trivial_and_run_vs_run_assertions_are_not_gates(tmp_path):
    root = make_repo(
        tmp_path,
        {
            "train.py": "def train(model, x):\n    return model.fit(x)\n",
            "tests/test_metrics.py": """\
            MIN_AUC = 0.8

            def test_eval_sanity(metrics):
                assert metrics["accuracy/test"] > 0.0

            def test_resume_improves(m1, m2):
                assert m1["accuracy"] < m2["accuracy"]

            def test_rmse_formula(y, yhat):
                assert abs(rmse(y, yhat) - (25.0 / 2) ** 0.5) < 1e-9

            def test_bounds(accuracy):
                assert 0.0 <= accuracy <= 1.0

            def test_wmape_gate(out):
                assert out.wmape < 0.35

            def test_auc_gate(auc):
                assert auc >= MIN_AUC
            """,
        },
    )
    assert _ev(run_check(root, "metric-assertions-in-tests")) == [
        ("test asserts out.wmape < 0.35", "tests/test_metrics.py:15", "test", "automated",
         "test_wmape_gate"),
        ("test asserts auc >= MIN_AUC (0.8)", "tests/test_metrics.py:18", "test", "automated",
         "test_auc_gate"),
    ]  # fmt: skip


def test_trap_library_metric_assertions_without_training_entry_point(tmp_path):
    # skorch's own tests assert a toy net learns: not a gate before serving
    root = make_repo(
        tmp_path,
        {
            "skorch/net.py": "class NeuralNet:\n    def fit(self, x):\n        return self\n",
            "skorch/tests/test_net.py": """\
            ACCURACY_EXPECTED = 0.65

            def test_net_learns(net, x, y):
                accuracy = net.fit(x).score(x, y)
                assert accuracy > ACCURACY_EXPECTED
            """,
        },
    )
    out = run_check(root, "metric-assertions-in-tests")
    assert _ev(out) == []
    assert _hints(out) == [
        "tests assert metric thresholds, but the repository has no training entry point (an "
        "ML library's own tests are not an ML system's practice), not credited: "
        "skorch/tests/test_net.py:3 (accuracy > ACCURACY_EXPECTED (0.65))"
    ]


# -- infra-5: model debugging docs, methods -------------------------------------------------
def test_cluster_troubleshooting_is_not_model_debugging_and_methods_count(tmp_path):
    words = "restart the pod and check the bucket permissions of the service account " * 3
    root = make_repo(
        tmp_path,
        {
            "k8s/README.md": f"# KFP install\n\n## Troubleshooting\n\n{words}\n",
            "docs/debugging.md": "# Debugging predictions\n\nRun one example through the model "
            "with `Predictor.predict_one` and inspect the features and the output "
            "probabilities; compare them with the training distribution.\n",
            "src/serving/predictor.py": """\
            class Predictor:
                def predict_one(self, row):
                    def predict_one(x):
                        return x
                    return self.model.predict([row])[0]
            """,
        },
    )
    docs = run_check(root, "debugging-docs")
    assert _ev(docs) == [
        ("debugging guide: Debugging predictions", "docs/debugging.md:1", "doc", "manual", None)
    ]
    assert _hints(docs) == [
        "k8s/README.md:3 'Troubleshooting' is about infrastructure, not about debugging the "
        "model; not credited"
    ]
    assert _ev(run_check(root, "single-example-entry-points")) == [
        (
            "single-example entry point `Predictor.predict_one()`",
            "src/serving/predictor.py:2",
            "code",
            "manual",
            "Predictor.predict_one",
        )
    ]


# -- infra-7: rollback jobs by name and by traffic-switch commands --------------------------
ROLLBACK_WF = """\
name: Roll back Cloud Run
on:
  workflow_dispatch:
    inputs:
      target_revision:
        required: true
jobs:
  revert:
    runs-on: ubuntu-latest
    steps:
      - name: Route traffic to target revision
        run: gcloud run services update-traffic api --to-revisions="${TARGET}=100"
"""
NAMED_WF = """\
name: Rollback
on:
  schedule:
    - cron: "0 3 * * 1"
jobs:
  drill:
    runs-on: ubuntu-latest
    steps:
      - run: ./scripts/restore.sh staging
"""
DEPLOY_WF = """\
on: [push]
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - run: python check.py --out rollback-readiness.json
"""


def test_rollback_jobs_by_command_and_by_name(tmp_path):
    root = make_repo(
        tmp_path,
        {
            ".github/workflows/rollback.yml": ROLLBACK_WF,
            ".github/workflows/drill.yml": NAMED_WF,
            ".github/workflows/deploy.yml": DEPLOY_WF,
        },
    )
    assert _ev(run_check(root, "rollback-procedure")) == [
        (
            "scheduled rollback drill .github/workflows/drill.yml#drill (named `Rollback`)",
            ".github/workflows/drill.yml:6",
            "config",
            "automated",
            ".github/workflows/drill.yml#drill",
        ),
        (
            "manual-triggered rollback job .github/workflows/rollback.yml#revert (runs `gcloud "
            'run services update-traffic api --to-revisions="${TARGET}=100"`)',
            ".github/workflows/rollback.yml:8",
            "config",
            "manual",
            ".github/workflows/rollback.yml#revert",
        ),
    ]
    assert _infra(root)["infra-7"] == "automated"
    only_manual = make_repo(
        tmp_path / "b",
        {".github/workflows/rollback.yml": ROLLBACK_WF, ".github/workflows/deploy.yml": DEPLOY_WF},
    )
    assert _infra(only_manual)["infra-7"] == "manual"
    trap = make_repo(tmp_path / "c", {".github/workflows/deploy.yml": DEPLOY_WF})
    assert _ev(run_check(trap, "rollback-procedure")) == []


def test_trap_library_retrain_tests_without_training_entry_point(tmp_path):
    # skorch's own suite fits nets twice and compares: a library's tests, not a practice
    root = make_repo(
        tmp_path,
        {
            "skorch/net.py": "class NeuralNet:\n    def fit(self, x):\n        return self\n",
            "skorch/tests/test_net.py": """\
            def test_call_fit_twice(net, x):
                first = net.fit(x).predict(x)
                second = net.fit(x).predict(x)
                assert (first == second).all()
            """,
        },
    )
    out = run_check(root, "retrain-and-compare")
    assert _ev(out) == []
    assert _hints(out) == [
        "tests train twice and compare, but the repository has no training entry point (an ML "
        "library's own tests are not an ML system's practice), not credited: "
        "skorch/tests/test_net.py:1"
    ]


def test_infra5_prediction_path_in_ci_is_manual_but_an_explain_path_is_automated(tmp_path):
    from tests.helpers import audit, make_repo

    ci = (
        "on: [push]\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: pytest tests\n"
    )
    predict = make_repo(
        tmp_path / "p",
        {
            ".github/workflows/ci.yml": ci,
            "src/serve.py": "def predict_one(model, row):\n    return model.predict([row])[0]\n",
            "tests/test_serve.py": "from src.serve import predict_one\n\n"
            "class M:\n    def predict(self, rows):\n        return [1]\n\n"
            "def test_one():\n    assert predict_one(M(), {}) == 1\n",
        },
    )
    item = audit(predict).item("infra-5")
    assert item.level == "manual"
    explain = make_repo(
        tmp_path / "e",
        {
            ".github/workflows/ci.yml": ci,
            "src/debug.py": "def explain_one(model, row):\n"
            "    return {'score': model.predict([row])[0], 'row': row}\n",
            "tests/test_debug.py": "from src.debug import explain_one\n\n"
            "class M:\n    def predict(self, rows):\n        return [1]\n\n"
            "def test_explain():\n    assert explain_one(M(), {})['score'] == 1\n",
        },
    )
    item = audit(explain).item("infra-5")
    assert item.level == "automated"
    assert ("tests/test_debug.py", "automated") in {(e.path, e.level) for e in item.evidence}


# Round 3 (REVIEW-F, ldele/mlflow-drift-loop): champion/challenger promotion decided through a
# label (`decision = "promoted" if chal < champ * (1 - margin) else "rejected"`) that guards
# the promotion call elsewhere in the file.
DECISION_LOOP = """\
from pkg.registry import promote


def rmse(model, df):
    return ((model.predict(df[["x"]]) - df["y"]) ** 2).mean() ** 0.5


def decide(champion, challenger, holdout, margin):
    champ = rmse(champion, holdout)
    chal = rmse(challenger, holdout)
    decision = "promoted" if chal < champ * (1 - margin) else "rejected"
    return decision


def apply(decision, version):
    if decision == "promoted":
        promote("m", version)
"""
REGISTRY = """\
from mlflow.tracking import MlflowClient


def promote(name, version):
    MlflowClient().set_registered_model_alias(name, "champion", version)
"""


def test_promotion_label_decided_by_champion_challenger_comparison(tmp_path):
    root = make_repo(
        tmp_path, {"pkg/__init__.py": "", "pkg/loop.py": DECISION_LOOP, "pkg/registry.py": REGISTRY}
    )
    assert _ev(run_check(root, "metric-gate-in-code")) == [
        (
            "model is registered/promoted only when chal < champ * (1 - margin)",
            "pkg/loop.py:11",
            "code",
            "automated",
            "decide",
        )
    ]


def test_trap_label_that_guards_nothing_is_not_a_gate(tmp_path):
    loop = DECISION_LOOP.replace('    if decision == "promoted":\n    ', "").replace(
        '    decision = "promoted"', '    decision = "better"'
    )
    root = make_repo(
        tmp_path, {"pkg/__init__.py": "", "pkg/loop.py": loop, "pkg/registry.py": REGISTRY}
    )
    assert _ev(run_check(root, "metric-gate-in-code")) == []


# Round 3 (REVIEW-F, karthikk022/mlops-k8s-platform): the deploy job watches the canary and
# runs `kubectl rollout undo` itself when the error rate is too high: automatic rollback.
CANARY_DEPLOY = """\
on:
  push:
    branches: [main]
jobs:
  promote:
    runs-on: ubuntu-latest
    steps:
      - run: kubectl apply -f serving/canary.yaml
      - name: Monitor canary
        run: |
          ERROR_RATE=$(curl -s http://prometheus/api/v1/query)
          if (( $(echo "$ERROR_RATE > 0.01" | bc -l) )); then
            kubectl rollout undo deployment/model
            exit 1
          fi
"""


def _rollback(root):
    return [
        (e.detail, e.credit)
        for e in run_check(root, "rollback-procedure")
        if isinstance(e, Evidence)
    ]


def test_deploy_job_rolling_back_on_failed_canary_check_is_automated(tmp_path):
    root = make_repo(tmp_path, {".github/workflows/deploy.yml": CANARY_DEPLOY})
    assert _rollback(root) == [
        (
            'change-triggered deploy job rolls back automatically when `if (( $(echo "$ERROR_RATE '
            '> 0.01" | bc -l) ))`: .github/workflows/deploy.yml#promote (runs `kubectl rollout '
            "undo deployment/model`)",
            "automated",
        )
    ]


def test_trap_rollback_on_an_input_or_unconditional_stays_manual(tmp_path):
    on_input = CANARY_DEPLOY.replace(
        'if (( $(echo "$ERROR_RATE > 0.01" | bc -l) )); then',
        'if [ "${{ inputs.rollback_failed }}" = "true" ]; then',
    )
    unconditional = CANARY_DEPLOY.replace(
        '          if (( $(echo "$ERROR_RATE > 0.01" | bc -l) )); then\n', ""
    ).replace("          fi\n", "")
    for i, text in enumerate((on_input, unconditional)):
        root = make_repo(tmp_path / str(i), {".github/workflows/deploy.yml": text})
        assert _rollback(root) == [
            (
                "change-triggered rollback job .github/workflows/deploy.yml#promote (runs "
                "`kubectl rollout undo deployment/model`)",
                "manual",
            )
        ]
