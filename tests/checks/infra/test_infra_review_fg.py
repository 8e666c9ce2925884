"""Regression tests from REVIEW-F/G (karthikk, Nimus74): each rule has its positive fixture and
the trap."""

from __future__ import annotations

from ml_readiness.evidence import Evidence, Hint
from tests.helpers import audit, levels, make_repo, run_check


def _ev(items):
    return [(e.detail, e.location(), e.kind, e.credit) for e in items if isinstance(e, Evidence)]


def _hints(items):
    return [h.detail for h in items if isinstance(h, Hint)]


PUSH_CI = """\
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: pytest tests
"""
LOOKUP_TRAIN = """\
from sklearn.ensemble import GradientBoostingClassifier, RandomForestClassifier


def train(config):
    model_class = {
        "gradient_boosting": GradientBoostingClassifier,
        "random_forest": RandomForestClassifier,
    }.get(config["type"])
    model = model_class(**config["params"])
    model.fit(config["X"], config["y"])
    return model


if __name__ == "__main__":
    train({})
"""
TRAIN_TEST = """\
import sys
sys.path.insert(0, "ml-pipeline/training")


def test_train_fits():
    from train import train
    model = train({"type": "random_forest", "params": {}, "X": [[0], [1]], "y": [0, 1]})
    assert model is not None
"""


def test_infra2_estimator_lookup_table_in_training_function_is_model_code(tmp_path):
    root = make_repo(
        tmp_path,
        {
            "ml-pipeline/training/train.py": LOOKUP_TRAIN,
            "tests/test_train.py": TRAIN_TEST,
            ".github/workflows/ci.yml": PUSH_CI,
        },
    )
    assert _ev(run_check(root, "model-unit-tests")) == [
        (
            "tests ml-pipeline/training/train.py (train): a training step",
            "tests/test_train.py:5",
            "test",
            "automated",
        )
    ]


def test_infra2_module_constant_table_read_by_the_training_function(tmp_path):
    train = """\
    from sklearn.linear_model import LogisticRegression, Ridge

    MODELS = {"logreg": LogisticRegression, "ridge": Ridge}


    def train(config):
        model = MODELS[config["type"]]()
        model.fit(config["X"], config["y"])
        return model
    """
    root = make_repo(
        tmp_path,
        {"ml-pipeline/training/train.py": train, "tests/test_train.py": TRAIN_TEST},
    )
    assert [loc for _, loc, _, _ in _ev(run_check(root, "model-unit-tests"))] == [
        "tests/test_train.py:5"
    ]


def test_infra2_trap_isinstance_check_on_a_fitted_object_is_not_model_code(tmp_path):
    train = """\
    from sklearn.ensemble import RandomForestClassifier


    def train(pipeline, X, y):
        if isinstance(pipeline, (RandomForestClassifier,)):
            print("forest")
        pipeline.fit(X, y)
        return pipeline
    """
    root = make_repo(
        tmp_path,
        {"ml-pipeline/training/train.py": train, "tests/test_train.py": TRAIN_TEST},
    )
    items = run_check(root, "model-unit-tests")
    assert _ev(items) == []
    assert _hints(items)[0].startswith("no model code found")


GATE_WORKFLOW = """\
on:
  push:
    branches: [main]
jobs:
  evaluate:
    runs-on: ubuntu-latest
    steps:
      - run: python train.py
      - name: Check metrics threshold
        run: |
          python -c "
          import json
          metrics = json.load(open('metrics.json'))
          macro_f1 = metrics.get('macro_f1', 0)
          if macro_f1 < 0.75:
              print('too low')
              exit(1)
          "
"""
WRITES_METRICS = """\
import json


def main():
    json.dump({"macro_f1": 0.8}, open("metrics.json", "w"))


if __name__ == "__main__":
    main()
"""


def test_infra4_inline_python_threshold_step_in_change_triggered_ci_is_automated(tmp_path):
    root = make_repo(
        tmp_path, {".github/workflows/eval.yml": GATE_WORKFLOW, "train.py": WRITES_METRICS}
    )
    assert _ev(run_check(root, "ci-inline-metric-gate")) == [
        (
            "CI step fails the job when macro_f1 < 0.75 (inline Python)",
            ".github/workflows/eval.yml:15",
            "config",
            "automated",
        )
    ]
    assert levels(audit(root))["infra-4"] == "automated"


def test_infra4_heredoc_assert_gate_is_read_too(tmp_path):
    workflow = """\
    on: [pull_request]
    jobs:
      gate:
        runs-on: ubuntu-latest
        steps:
          - run: |
              python - <<'EOF'
              import json
              auc = json.load(open("metrics.json"))["auc"]
              assert auc >= 0.8, "AUC below threshold"
              EOF
    """
    root = make_repo(tmp_path, {".github/workflows/gate.yml": workflow, "train.py": WRITES_METRICS})
    assert _ev(run_check(root, "ci-inline-metric-gate")) == [
        (
            "CI step asserts auc >= 0.8 (inline Python)",
            ".github/workflows/gate.yml:10",
            "config",
            "automated",
        )
    ]


def test_infra4_inline_gate_reading_a_file_nothing_writes_is_manual(tmp_path):
    root = make_repo(tmp_path, {".github/workflows/eval.yml": GATE_WORKFLOW})
    items = run_check(root, "ci-inline-metric-gate")
    assert [(e.location(), e.credit) for e in items if isinstance(e, Evidence)] == [
        (".github/workflows/eval.yml:15", "manual")
    ]
    assert _hints(items) == [
        ".github/workflows/eval.yml:15: the inline gate reads metrics.json, which no other "
        "file names, so it cannot pass as written; manual only"
    ]


def test_infra4_trap_inline_python_without_metric_threshold_or_failure(tmp_path):
    workflow = """\
    on: [push]
    jobs:
      check:
        runs-on: ubuntu-latest
        steps:
          - run: |
              python -c "
              import json
              m = json.load(open('metrics.json'))
              if m['accuracy'] < 0.9:
                  print('warning: accuracy is low')
              if len(m) < 3:
                  exit(1)
              "
          - run: python -c "import sys; print(sys.version)"
    """
    root = make_repo(tmp_path, {".github/workflows/ci.yml": workflow, "train.py": WRITES_METRICS})
    assert run_check(root, "ci-inline-metric-gate") == []


def _item(root, item_id):
    return next(i for i in audit(root).items if i.id == item_id)


SPLIT_SCRIPT = """\
import yaml
from sklearn.model_selection import train_test_split


def split(df, random_seed=42):
    return train_test_split(df, random_state=random_seed)


if __name__ == "__main__":
    cfg = yaml.safe_load(open("configs/config.yaml"))
    split(None, cfg["split"]["random_seed"])
"""


def test_infra1_reason_gives_the_seed_breakdown_when_seeds_are_only_outside_training(tmp_path):
    train = """\
    from sklearn.linear_model import LogisticRegression


    def train(X, y):
        return LogisticRegression().fit(X, y)
    """
    root = make_repo(
        tmp_path,
        {
            "src/data/split.py": SPLIT_SCRIPT,
            "src/training/train_model.py": train,
            "configs/config.yaml": "split:\n  random_seed: 42\n",
        },
    )
    item = _item(root, "infra-1")
    assert item.level == "none"
    assert item.reason == (
        "no evidence: fixed seeds only outside the training code (no training entry point "
        "imports these files), not credited: src/data/split.py:6 "
        "(train_test_split(random_state=...)); no fixed seed found in the training code"
    )


def test_infra1_trap_seeded_training_code_keeps_the_outside_seeds_hint_apart(tmp_path):
    train = """\
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import train_test_split


    def train(X, y):
        X_tr, X_te, y_tr, y_te = train_test_split(X, y, random_state=7)
        return LogisticRegression().fit(X_tr, y_tr)
    """
    root = make_repo(tmp_path, {"src/data/split.py": SPLIT_SCRIPT, "src/training/train.py": train})
    out = run_check(root, "seeded-randomness")
    assert [e.location() for e in out if isinstance(e, Evidence)] == ["src/training/train.py:6"]
    assert _hints(out) == [
        "seeds outside the training code (no training entry point imports these files), "
        "not credited: src/data/split.py:6 (train_test_split(random_state=...))"
    ]


def _kfp(order: str) -> str:
    return f"""\
from kfp import dsl


@dsl.component
def train_model(data: str) -> str:
    import mlflow
    mlflow.register_model(model_uri="runs:/1/model", name="m")
    return "runs:/1/model"


@dsl.component
def evaluate_model(model_uri: str, min_accuracy: float) -> str:
    accuracy = score(model_uri)
    if accuracy < min_accuracy:
        raise ValueError("accuracy below minimum")
    return model_uri


@dsl.pipeline(name="training")
def training_pipeline(data: str, min_accuracy: float = 0.8):
{order}
"""


def _kfp_gates(items):
    return [(e.detail, e.location(), e.credit) for e in items if isinstance(e, Evidence)]


def test_infra4_kfp_gate_after_the_registering_component_is_manual(tmp_path):
    order = (
        "    train = train_model(data=data)\n"
        "    evaluate_model(model_uri=train.output, min_accuracy=min_accuracy)"
    )
    root = make_repo(tmp_path, {"pipeline.py": _kfp(order)})
    items = run_check(root, "metric-gate-in-code")
    assert _kfp_gates(items) == [
        (
            "evaluation fails the job when accuracy < min_accuracy (KFP pipeline "
            "training_pipeline runs it after train_model registers the model)",
            "pipeline.py:14",
            "manual",
        )
    ]
    assert _hints(items) == [
        "pipeline.py:14: the gate runs after registration (train_model registers the model "
        "earlier in the KFP pipeline training_pipeline), so it does not stop a failing model "
        "from being registered; manual only"
    ]


def test_infra4_trap_kfp_gate_before_registration_keeps_its_credit(tmp_path):
    order = (
        '    checked = evaluate_model(model_uri="candidate", min_accuracy=min_accuracy)\n'
        "    train_model(data=checked.output)"
    )
    root = make_repo(tmp_path, {"pipeline.py": _kfp(order)})
    items = run_check(root, "metric-gate-in-code")
    assert _kfp_gates(items) == [
        ("evaluation fails the job when accuracy < min_accuracy", "pipeline.py:14", "automated")
    ]
    assert _hints(items) == []
