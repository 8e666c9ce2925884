"""Regression tests from the round-2 accuracy reviews (REVIEW-C/D): SageMaker Pipelines and
Hugging Face fine-tuning projects, floating base images, and reasons that say what was looked
for. Each rule has its positive fixture and its trap."""

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


def _entries(root):
    from ml_readiness.checks.infra._shared import training_entry_points

    from ml_readiness.facts import Facts
    from ml_readiness.repo import Repo

    facts = Facts(Repo.open(root))
    return [(e.path, e.symbol, e.why) for e in training_entry_points(facts)]


SM_PIPELINE = """\
from sagemaker.estimator import Estimator
from sagemaker.workflow.condition_step import ConditionStep, JsonGet
from sagemaker.workflow.conditions import ConditionLessThanOrEqualTo
from sagemaker.workflow.pipeline import Pipeline
from sagemaker.workflow.step_collections import RegisterModel
from sagemaker.workflow.steps import TrainingStep


def get_pipeline(role, evaluation_report, step_eval):
    xgb_train = Estimator(image_uri="xgboost", role=role)
    step_train = TrainingStep(name="Train", estimator=xgb_train)
    step_register = RegisterModel(name="Register", estimator=xgb_train)
    cond_lte = ConditionLessThanOrEqualTo(
        left=JsonGet(
            step=step_eval,
            property_file=evaluation_report,
            json_path="regression_metrics.rmse.value",
        ),
        right=7.0,
    )
    step_cond = ConditionStep(
        name="CheckEvaluation",
        conditions=[cond_lte],
        if_steps=[{if_step}],
        else_steps=[],
    )
    return Pipeline(name="p", steps=[step_train, step_cond])


if __name__ == "__main__":
    get_pipeline("role", None, None).upsert(role_arn="role")
"""
PUSH_BUILD = """\
on: [push]
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: python pipelines/pipeline.py
      - run: aws sagemaker start-pipeline-execution --pipeline-name p
{wait}"""


def test_sagemaker_condition_step_gates_registration_on_rmse(tmp_path):
    root = make_repo(
        tmp_path,
        {
            "pipelines/pipeline.py": SM_PIPELINE.replace("{if_step}", "step_register"),
            ".github/workflows/build.yml": PUSH_BUILD.format(wait=""),
        },
    )
    assert _ev(run_check(root, "platform-validation-gate")) == [
        (
            "SageMaker ConditionStep runs RegisterModel only when rmse <= 7.0 (pipeline "
            "definition)",
            "pipelines/pipeline.py:21",
            "code",
            "automated",
            "get_pipeline",
        )
    ]
    assert levels(audit(root))["infra-4"] == "automated"


def test_trap_condition_step_that_registers_nothing_is_not_a_gate(tmp_path):
    root = make_repo(
        tmp_path, {"pipelines/pipeline.py": SM_PIPELINE.replace("{if_step}", "step_train")}
    )
    assert _ev(run_check(root, "platform-validation-gate")) == []
    assert levels(audit(root))["infra-4"] == "none"


def test_sagemaker_training_step_and_estimator_scripts_are_training_entry_points(tmp_path):
    root = make_repo(
        tmp_path,
        {
            "pipelines/pipeline.py": SM_PIPELINE.replace("{if_step}", "step_register"),
            "jobs/launch.py": """\
                from sagemaker.pytorch import PyTorch

                def launch(role):
                    est = PyTorch(entry_point="fit_model.py", source_dir="code", role=role)
                    est.fit({"train": "s3://bucket/train"})
            """,
            "jobs/code/fit_model.py": "import torch\n\nif __name__ == '__main__':\n    pass\n",
            "finetune/sft.py": """\
                from trl import SFTTrainer

                def finetune(model, data):
                    trainer = SFTTrainer(model=model, train_dataset=data)
                    trainer.train()
            """,
            # traps: a SageMaker estimator only deployed, and a test file that trains
            "serve/deploy.py": """\
                from sagemaker.estimator import Estimator

                def deploy(role):
                    Estimator(image_uri="x", role=role).deploy(initial_instance_count=1)
            """,
            "tests/test_sft.py": "from trl import SFTTrainer\n\n"
            "def test_x():\n    SFTTrainer().train()\n",
        },
    )
    assert sorted(_entries(root)) == [
        ("finetune/sft.py", "finetune", "builds a SFTTrainer and trains it"),
        (
            "jobs/code/fit_model.py",
            "<main>",
            "SageMaker training script (entry_point of PyTorch)",
        ),
        ("jobs/launch.py", "launch", "SageMaker PyTorch(...).fit()"),
        ("pipelines/pipeline.py", "get_pipeline", "SageMaker pipeline TrainingStep"),
    ]


def test_ci_starting_a_sagemaker_pipeline_is_a_pipeline_run(tmp_path):
    files = {"pipelines/pipeline.py": SM_PIPELINE.replace("{if_step}", "step_register")}
    started = make_repo(
        tmp_path / "a", {**files, ".github/workflows/build.yml": PUSH_BUILD.format(wait="")}
    )
    assert _ev(run_check(started, "pipeline-integration-test")) == [
        (
            ".github/workflows/build.yml#build starts the SageMaker pipeline (SageMaker pipeline "
            "TrainingStep in pipelines/pipeline.py) (change), but does not wait for the "
            "execution or check that it succeeded",
            ".github/workflows/build.yml:3",
            "config",
            "manual",
            ".github/workflows/build.yml#build",
        ),
    ]
    assert levels(audit(started))["infra-3"] == "manual"
    wait = "      - run: aws sagemaker wait pipeline-execution-complete --arn x\n"
    awaited = make_repo(
        tmp_path / "b", {**files, ".github/workflows/build.yml": PUSH_BUILD.format(wait=wait)}
    )
    assert levels(audit(awaited))["infra-3"] == "automated"
    # trap: the same CI job without a pipeline definition that trains
    trap = make_repo(tmp_path / "c", {".github/workflows/build.yml": PUSH_BUILD.format(wait="")})
    assert _ev(run_check(trap, "pipeline-integration-test")) == []


HF_MODEL = """\
from peft import get_peft_model
from transformers import AutoModelForCausalLM, AutoTokenizer


def load_model(name, lora):
    model = AutoModelForCausalLM.from_pretrained(name)
    return get_peft_model(model, lora)


def load_tokenizer(name):
    return AutoTokenizer.from_pretrained(name)
"""


def test_pretrained_loader_is_model_code_and_a_real_forward_test_counts(tmp_path):
    root = make_repo(
        tmp_path,
        {
            "src/training/quantization.py": HF_MODEL,
            "tests/test_quantization.py": """\
                from src.training.quantization import load_model

                def test_forward_pass_on_small_model():
                    model = load_model("sshleifer/tiny-gpt2", None)
                    out = model(input_ids=[[1, 2]])
                    assert out.logits.shape[-1] > 0
            """,
        },
    )
    assert _ev(run_check(root, "model-unit-tests")) == [
        (
            "tests src/training/quantization.py (load_model): a forward pass",
            "tests/test_quantization.py:3",
            "test",
            "automated",
            "test_forward_pass_on_small_model",
        )
    ]


def test_trap_tokenizer_only_and_mocked_model_tests_earn_nothing(tmp_path):
    tokenizer_only = make_repo(
        tmp_path / "a",
        {"src/tok.py": HF_MODEL.split("\n\n\ndef load_model")[0] + "\n" + HF_MODEL[-70:]},
    )
    assert _hints(run_check(tokenizer_only, "model-unit-tests")) == [
        "no model code found (nn.Module/keras.Model/LightningModule subclasses, build_model "
        "functions, from_pretrained/get_peft_model loaders, model(s).py)"
    ]
    mocked = make_repo(
        tmp_path / "b",
        {
            "src/training/quantization.py": HF_MODEL,
            "tests/test_quantization.py": """\
                from unittest.mock import patch

                from src.training.quantization import load_model

                @patch("src.training.quantization.AutoModelForCausalLM.from_pretrained")
                def test_load_model(from_pretrained):
                    assert load_model("x", None) is not None
            """,
        },
    )
    out = run_check(mocked, "model-unit-tests")
    assert _ev(out) == []
    assert _hints(out)[0] == (
        "tests/test_quantization.py:6 test_load_model replaces the model with a mock "
        "(`patch('src.training.quantization.AutoModelForCausalLM.from_pretrained')`): no "
        "forward pass or training step runs; not credited"
    )


def test_hugging_face_training_arguments_seed_and_trap_without_seed(tmp_path):
    trainer = """\
        from transformers import Trainer, TrainingArguments

        def train(cfg, model, data):
            args = TrainingArguments(output_dir="out", seed={seed})
            Trainer(model=model, args=args, train_dataset=data).train()
    """
    root = make_repo(tmp_path / "a", {"train.py": trainer.replace("{seed}", "cfg.seed")})
    assert _ev(run_check(root, "seeded-randomness")) == [
        (
            "seeds NumPy, Python random, PyTorch: `TrainingArguments(seed=...)` with seed cfg.seed",
            "train.py:4",
            "code",
            "manual",
            "train",
        )
    ]
    trap = make_repo(tmp_path / "b", {"train.py": trainer.replace(", seed={seed}", "")})
    assert _ev(run_check(trap, "seeded-randomness")) == []


def test_infra4_and_infra6_say_what_was_looked_for(tmp_path):
    root = make_repo(tmp_path, {"train.py": "def train():\n    pass\n"})
    assert _hints(run_check(root, "metric-gate-in-code")) == [
        "no model validation gate found: looked for evaluation or promotion code that raises, "
        "exits or skips registration when a metric misses a threshold (`if auc < MIN_AUC: "
        "sys.exit(1)`), KFP dsl.Condition and SageMaker ConditionStep gates before "
        "registration, TFX Evaluator thresholds, MLflow validation thresholds, and live tests "
        "asserting metric thresholds"
    ]
    assert [h for h in _hints(run_check(root, "canary-in-code")) if "infra" not in h] == [
        "no canary, shadow or traffic-split rollout found: looked for KServe "
        "canaryTrafficPercent, Seldon traffic/shadow, Argo Rollouts setWeight, Istio weights or "
        "mirror, Flagger Canary, SageMaker weighted/shadow variants and deployment guardrails "
        "(CloudFormation, Terraform, boto3), Vertex AI traffic_percentage/traffic_split, and "
        "documented canary procedures"
    ]
    # trap: a KServe canary in a manifest silences the infra-6 "looked for" hint
    canary = make_repo(
        tmp_path / "b",
        {
            "k8s/isvc.yaml": """\
                apiVersion: serving.kserve.io/v1beta1
                kind: InferenceService
                metadata:
                  name: m
                spec:
                  predictor:
                    canaryTrafficPercent: 10
            """
        },
    )
    assert _hints(run_check(canary, "canary-in-code")) == []


DEPLOY_WITH_TEARDOWN = """\
on: workflow_dispatch
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - id: deploy
        run: python -m scripts.deploy --action deploy
      - name: Rollback on failure
        if: failure()
        run: |
          echo "::warning::rolling back..."
          python -m scripts.deploy --action delete --yes
"""


def test_rollback_step_that_deletes_the_endpoint_is_explained(tmp_path):
    root = make_repo(tmp_path, {".github/workflows/deploy.yml": DEPLOY_WITH_TEARDOWN})
    out = run_check(root, "rollback-procedure")
    assert _ev(out) == []
    assert _hints(out) == [
        "no rollback script, rollback job or documented rollback procedure: step 'Rollback on "
        "failure' (.github/workflows/deploy.yml:8) deletes the endpoint (or tears the deployment "
        "down) instead of restoring a previous version; not credited as a rollback"
    ]
    # trap: a rollback step that restores the previous revision gets no such hint
    restoring = DEPLOY_WITH_TEARDOWN.replace(
        "python -m scripts.deploy --action delete --yes", "kubectl rollout undo deploy/model"
    )
    ok = make_repo(tmp_path / "b", {".github/workflows/deploy.yml": restoring})
    assert not any(
        "not credited as a rollback" in h for h in _hints(run_check(ok, "rollback-procedure"))
    )
