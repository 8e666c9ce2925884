"""Regression tests from REVIEW-D round 6 (TFX taxi template, Made-With-ML): infra-4 dead TFX
Evaluator, infra-7 rollback commands documented in fenced code blocks."""

from __future__ import annotations

from tests.checks.infra.test_infra_accuracy import _ev, _hints
from tests.helpers import audit, levels, make_repo, run_check

TFX_PIPELINE = """\
import tensorflow_model_analysis as tfma
from tfx import v1 as tfx


def create_pipeline(name, root, data_path):
    components = []
    example_gen = tfx.components.CsvExampleGen(input_base=data_path)
    components.append(example_gen)
    trainer = tfx.components.Trainer(examples=example_gen.outputs["examples"])
    components.append(trainer)
    eval_config = tfma.EvalConfig(
        metrics_specs=[
            tfma.MetricsSpec(
                metrics=[
                    tfma.MetricConfig(
                        class_name="BinaryAccuracy",
                        threshold=tfma.MetricThreshold(
                            value_threshold=tfma.GenericValueThreshold(
                                lower_bound={"value": 0.6}
                            )
                        ),
                    )
                ]
            )
        ]
    )
    evaluator = tfx.components.Evaluator(
        examples=example_gen.outputs["examples"],
        model=trainer.outputs["model"],
        eval_config=eval_config,
    )
    {append}
    pusher = tfx.components.Pusher(
        model=trainer.outputs["model"], model_blessing=evaluator.outputs["blessing"]
    )
    components.append(pusher)
    return tfx.dsl.Pipeline(pipeline_name=name, pipeline_root=root, components=components)
"""


def test_tfx_evaluator_added_to_the_pipeline_gates_the_pusher(tmp_path):
    files = {
        "pipeline/pipeline.py": TFX_PIPELINE.replace("{append}", "components.append(evaluator)")
    }
    root = make_repo(tmp_path, files)
    assert _ev(run_check(root, "platform-validation-gate")) == [
        (
            "TFX Evaluator blesses the model only above thresholds (MetricThreshold "
            "value=0.6); Pusher requires the blessing",
            "pipeline/pipeline.py:27",
            "code",
            "automated",
            "create_pipeline",
        )
    ]


def test_trap_tfx_evaluator_whose_append_is_commented_out_earns_nothing(tmp_path):
    files = {
        "pipeline/pipeline.py": TFX_PIPELINE.replace(
            "{append}", "# TODO(step 6): Uncomment here.\n    # components.append(evaluator)"
        )
    }
    root = make_repo(tmp_path, files)
    produced = run_check(root, "platform-validation-gate")
    assert _ev(produced) == []
    assert _hints(produced) == [
        "pipeline/pipeline.py:27: TFX Evaluator `evaluator` is built but never added to the "
        "pipeline's components (no `components.append`/`components=[...]` in code uses it), so "
        "nothing is blessed or gated; not credited"
    ]
    assert levels(audit(root))["infra-4"] == "none"


README = """\
# Service

## Production

### Anyscale Services

```bash
# Rollout service
anyscale service rollout -f deploy/services/serve_model.yaml

# Rollback (to previous version of the Service)
anyscale service rollback -f $SERVICE_CONFIG --name $SERVICE_NAME

# Terminate
anyscale service terminate --name $SERVICE_NAME
```

### Registry

To roll back to the previous model version, move the stage back:

```python
client.transition_model_version_stage(name="clf", version=prev, stage="Production")
```
"""


def test_rollback_command_in_a_readme_fence_is_a_documented_procedure(tmp_path):
    root = make_repo(tmp_path, {"README.md": README})
    assert _ev(run_check(root, "rollback-procedure")) == [
        (
            "documented rollback command (introduced by `# Rollback (to previous version of "
            "the Service)`): `anyscale service rollback -f $SERVICE_CONFIG --name "
            "$SERVICE_NAME`",
            "README.md:12",
            "doc",
            "manual",
            None,
        )
    ]
    assert levels(audit(root))["infra-7"] == "manual"


def test_registry_switch_introduced_by_a_rollback_sentence_counts(tmp_path):
    text = README.split("### Registry", 1)[1]
    root = make_repo(tmp_path, {"docs/operations.md": "# Ops\n\n## Registry" + text})
    assert _ev(run_check(root, "rollback-procedure")) == [
        (
            "documented rollback command (introduced by `To roll back to the previous model "
            'version, move the stage back:`): `client.transition_model_version_stage(name="clf",'
            ' version=prev, stage="Production")`',
            "docs/operations.md:8",
            "doc",
            "manual",
            None,
        )
    ]


def test_trap_rollback_todo_changelog_and_promotion_fence_earn_nothing(tmp_path):
    files = {
        "README.md": (
            "# Service\n\nRollback is TODO: planned for the next release.\n\n"
            "## Deploy\n\n```bash\n# Rollback: TODO, not implemented yet\n"
            "kubectl rollout undo deployment/model\n```\n\n"
            "## Promote\n\n```python\n# promote the new model\n"
            'client.transition_model_version_stage(name="clf", version=v, stage="Production")\n'
            "```\n"
        ),
        "CHANGELOG.md": "# Changelog\n\n## 1.2\n\n```bash\nhelm rollback model 3\n```\n",
    }
    root = make_repo(tmp_path, files)
    produced = run_check(root, "rollback-procedure")
    assert _ev(produced) == []
    assert levels(audit(root))["infra-7"] == "none"


GATES = """\
def run_gates(metrics, min_auc, max_latency_ms):
    auc_passed = metrics["auc"] >= min_auc
    latency_ok = metrics["latency_ms"] <= max_latency_ms
    return {"all_passed": auc_passed and latency_ok, "auc": metrics["auc"]}
"""
EVALUATE = """\
import json

from src.gates import run_gates
from src.tracking import log_evaluation


def main():
    cfg = json.load(open("configs/evaluation.json"))
    metrics = json.load(open("artifacts/metrics.json"))
    result = run_gates(metrics, cfg["min_auc"], cfg["max_latency_ms"])
    {record}


if __name__ == "__main__":
    main()
"""
TRACKING = """\
def log_evaluation(passed, metrics):
    print(passed, metrics)
"""
PROMOTE = """\
import sys

from mlflow import MlflowClient


def promote(version):
    MlflowClient().set_registered_model_alias("clf", "champion", version)


if __name__ == "__main__":
    promote(sys.argv[1])
"""
NIGHTLY = """\
on:
  {trigger}
jobs:
  evaluate:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: python pipelines/evaluate.py
"""
RECORD = 'log_evaluation(passed=result["all_passed"], metrics=result)'


def _verdict_repo(
    tmp_path, record=RECORD, trigger="schedule:\n    - cron: '0 3 * * *'", promote=True
):
    files = {
        "src/__init__.py": "",
        "src/gates.py": GATES,
        "src/tracking.py": TRACKING,
        "pipelines/evaluate.py": EVALUATE.replace("{record}", record),
        ".github/workflows/nightly.yml": NIGHTLY.replace("{trigger}", trigger),
    }
    if promote:
        files["scripts/promote.py"] = PROMOTE
    return make_repo(tmp_path, files)


def test_automated_threshold_verdict_recorded_then_hand_promotion_is_manual(tmp_path):
    root = _verdict_repo(tmp_path)
    assert _ev(run_check(root, "recorded-verdict-gate")) == [
        (
            ".github/workflows/nightly.yml#evaluate runs run_gates automatically (src/gates.py:2:"
            ' metrics["auc"] >= min_auc) and `log_evaluation(...)` records the verdict '
            "(pipelines/evaluate.py:11); promotion is a separate hand-run step "
            "(scripts/promote.py:7 promote)",
            "pipelines/evaluate.py:10",
            "code",
            "manual",
            "main",
        )
    ]
    assert levels(audit(root))["infra-4"] == "manual"


def test_trap_verdict_of_an_evaluation_run_by_hand_earns_nothing(tmp_path):
    root = _verdict_repo(tmp_path, trigger="workflow_dispatch")
    assert _ev(run_check(root, "recorded-verdict-gate")) == []
    assert levels(audit(root))["infra-4"] == "none"


def test_trap_printed_verdict_or_no_promotion_step_earns_nothing(tmp_path):
    printed = _verdict_repo(tmp_path / "printed", record='print("PASS", result["all_passed"])')
    assert _ev(run_check(printed, "recorded-verdict-gate")) == []
    assert levels(audit(printed))["infra-4"] == "none"
    unpromoted = _verdict_repo(tmp_path / "unpromoted", promote=False)
    produced = run_check(unpromoted, "recorded-verdict-gate")
    assert _ev(produced) == []
    assert _hints(produced) == [
        "pipelines/evaluate.py:10: run_gates judges the model automatically "
        "(.github/workflows/nightly.yml#evaluate) but no promotion step was found that a "
        "person runs after reading the verdict; not credited"
    ]


def test_trap_trivial_bound_is_not_a_threshold_verdict(tmp_path):
    root = _verdict_repo(tmp_path)
    (root / "src/gates.py").write_text(
        'def run_gates(metrics, min_auc, max_latency_ms):\n    auc_passed = metrics["auc"] > 0\n'
        '    return {"all_passed": auc_passed}\n'
    )
    assert _ev(run_check(root, "recorded-verdict-gate")) == []
