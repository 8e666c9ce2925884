"""model-1 accuracy (round 6, J): more spec layouts — a hyperparameter dict built in a function
and passed with `**` (titanic-ci), hyperparameter constants in a module the training code reads
(`constants.NUM_EPOCHS`, tfx-pipeline), the `params.yaml` entries a DVC training stage declares
(mlops-guide) — and the merge-request results comment of non-GitHub CI as a review route."""

from __future__ import annotations

from pathlib import Path

from ml_readiness.checks.model.model1_specs import model_specs

from ml_readiness.facts import Facts
from ml_readiness.repo import Repo
from tests.checks.model._util import produced, where
from tests.helpers import AS_OF, audit, levels, make_repo

CHECK = "model-specs-reviewed"
CREATE_MODEL = """
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression


def create_model(model_type="random_forest", **kwargs):
    if model_type == "random_forest":
        default_params = {
            "n_estimators": 100,
            "max_depth": 10,
            "random_state": 42,
        }
        default_params.update(kwargs)
        return RandomForestClassifier(**default_params)
    elif model_type == "logistic_regression":
        default_params = {"max_iter": 1000}
        return LogisticRegression(**default_params)
    raise ValueError(model_type)
"""
CONSTANTS = """
\"\"\"Constants for the taxi model.\"\"\"

HIDDEN_UNITS = [16, 8]
LEARNING_RATE = 0.001

TRAIN_BATCH_SIZE = 40
NUM_EPOCHS = 2
"""
MODEL = """
import tensorflow as tf
from models.keras_model import constants


def run_fn(fn_args):
    model = tf.keras.Sequential([tf.keras.layers.Dense(u) for u in constants.HIDDEN_UNITS])
    model.compile(optimizer=tf.keras.optimizers.Adam(constants.LEARNING_RATE))
    model.fit(fn_args.train, epochs=constants.NUM_EPOCHS)
"""
PARAMS = """
prepare:
  split: 0.20
  seed: 20170428

train:
  seed: 20170428
  n_est: 50
  min_split: 0.01
"""
DVC = """
stages:
  prepare:
    cmd: python src/prepare.py data/data.xml
    params:
    - prepare.seed
    - prepare.split
  train:
    cmd: python src/train.py data/features model.pkl
    params:
    - train.min_split
    - train.n_est
"""
GITLAB = """
report:
  rules:
    - if: $CI_COMMIT_BRANCH == "main"
    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
  script:
    - |
      dvc params diff main --show-md >> report.md
      dvc metrics diff main --show-md >> report.md
      cml comment create --publish report.md
"""


def _specs(root: Path) -> list[tuple[str, int | None, str]]:
    return [(s.path, s.line, s.detail) for s in model_specs(Facts(Repo.open(root), as_of=AS_OF))]


def test_starred_dict_in_a_function_is_a_spec(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"src/model.py": CREATE_MODEL})
    assert _specs(root) == [
        (
            "src/model.py",
            7,
            "hyperparameters `default_params` (max_depth, n_estimators) passed to "
            "`RandomForestClassifier(**default_params)` in code",
        )
    ]


def test_trap_starred_dicts_without_hyperparameters_or_model(tmp_path: Path) -> None:
    """A connection dict passed to a client, a hyperparameter dict passed to a plain function
    and one defined in another function are not specs."""
    code = """
    import requests
    from sklearn.ensemble import RandomForestClassifier


    def connect():
        options = {"timeout": 10, "verify": True}
        return requests.Session(**options)


    def fit(X, y):
        params = {"n_estimators": 100, "max_depth": 10}
        return run(**params)


    def build():
        return RandomForestClassifier(**params)
    """
    root = make_repo(tmp_path, {"src/model.py": code})
    assert _specs(root) == []
    _, hints = produced(root, CHECK)
    assert hints == ["no model configuration, hyperparameters in code or model card found"]


def test_constants_module_read_by_the_model_is_a_spec(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "src/models/keras_model/constants.py": CONSTANTS,
            "src/models/keras_model/model.py": MODEL,
            "src/models/__init__.py": "",
            "src/models/keras_model/__init__.py": "",
        },
    )
    assert _specs(root) == [
        (
            "src/models/keras_model/constants.py",
            3,
            "hyperparameter constants (HIDDEN_UNITS, LEARNING_RATE, NUM_EPOCHS) in "
            "src/models/keras_model/constants.py, read by src/models/keras_model/model.py",
        )
    ]


def test_constants_imported_by_name_are_a_spec(tmp_path: Path) -> None:
    train = """
    from config import EPOCHS, LEARNING_RATE

    def main(model, x, y):
        model.compile(optimizer="adam", learning_rate=LEARNING_RATE)
        model.fit(x, y, epochs=EPOCHS)
    """
    root = make_repo(tmp_path, {"config.py": "LEARNING_RATE = 1e-3\nEPOCHS = 5\n", "run.py": train})
    assert [(p, line) for p, line, _ in _specs(root)] == [("config.py", 1)]


def test_trap_constants_read_by_non_training_code_or_only_one(tmp_path: Path) -> None:
    """A settings module read by a web server, or of which the trainer reads one constant,
    is not a model spec."""
    server = """
    import settings

    def page(rows):
        return rows[: settings.BATCH_SIZE], settings.MAX_ITER
    """
    train = """
    import settings

    def main(model, x, y):
        model.fit(x, y, epochs=settings.EPOCHS)
    """
    root = make_repo(
        tmp_path,
        {
            "settings.py": "BATCH_SIZE = 100\nMAX_ITER = 3\nEPOCHS = 2\n",
            "api/server.py": server,
            "jobs/run.py": train,
        },
    )
    assert _specs(root) == []


def test_dvc_training_stage_params_with_merge_request_report(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {"params.yaml": PARAMS, "dvc.yaml": DVC, ".gitlab-ci.yml": GITLAB, "src/train.py": ""},
    )
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [
        ("params.yaml", 5, "config", "manual", None),
        (".gitlab-ci.yml", 9, "config", "manual", None),
    ]
    assert [e.detail for e in evidence] == [
        "model parameters (train.min_split, train.n_est) of DVC stage `train` in params.yaml",
        "CI job .gitlab-ci.yml#report comments model results on each merge/pull request for "
        "review: `cml comment create` posts a report with `dvc metrics diff`, `dvc params diff`",
    ]
    assert levels(audit(root))["model-1"] == "manual"


def test_trap_non_training_stage_and_branch_only_comment(tmp_path: Path) -> None:
    """params of a data-preparation stage only are not model specs, and a `cml comment` in a
    job that only runs on main branch pushes is no merge-request review."""
    dvc = """
    stages:
      prepare:
        cmd: python src/prepare.py data/data.xml
        params:
        - prepare.split
    """
    branch_only = """
    report:
      rules:
        - if: $CI_COMMIT_BRANCH == "main"
      script:
        - cml comment create report.md
    """
    root = make_repo(
        tmp_path, {"params.yaml": PARAMS, "dvc.yaml": dvc, ".gitlab-ci.yml": branch_only}
    )
    assert _specs(root) == []
    root2 = make_repo(
        tmp_path / "b",
        {"params.yaml": PARAMS, "dvc.yaml": DVC, ".gitlab-ci.yml": branch_only},
    )
    evidence, hints = produced(root2, CHECK)
    assert evidence == []
    assert hints[0].startswith("model specs are checked in (params.yaml) but no review route")
    assert levels(audit(root2))["model-1"] == "none"


TEST_MODEL = """
from src.model import create_model


def test_random_forest():
    assert create_model("random_forest") is not None


def test_logistic_regression():
    model = create_model("logistic_regression")
    assert hasattr(model, "fit")
"""
CI = """
on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: pytest tests/
"""


def test_ci_tests_building_every_model_type_check_the_code_spec(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "src/__init__.py": "",
            "src/model.py": CREATE_MODEL,
            "tests/test_model.py": TEST_MODEL,
            ".github/workflows/ci.yml": CI,
        },
    )
    evidence, hints = produced(root, CHECK)
    assert where(evidence) == [
        ("src/model.py", 7, "code", "manual", None),
        ("tests/test_model.py", 8, "test", "automated", "test_logistic_regression"),
        ("tests/test_model.py", 4, "test", "automated", "test_random_forest"),
    ]
    assert evidence[1].detail == (
        "tests build the model from the in-code spec of `create_model` (src/model.py) for every "
        "model type (logistic_regression, random_forest)"
    )
    assert hints[0].startswith("model specs (src/model.py) are checked by tests CI runs")
    assert levels(audit(root))["model-1"] == "automated"


def test_trap_tests_missing_a_model_type_or_not_asserting(tmp_path: Path) -> None:
    """Only one of the two model types is built by a test, and the other test asserts
    nothing: the specs are not all checked, so no test evidence (and no route: none)."""
    tests = """
    from src.model import create_model


    def test_random_forest():
        assert create_model("random_forest") is not None


    def test_logistic_regression():
        create_model("logistic_regression")
    """
    root = make_repo(
        tmp_path,
        {
            "src/__init__.py": "",
            "src/model.py": CREATE_MODEL,
            "tests/test_model.py": tests,
            ".github/workflows/ci.yml": CI,
        },
    )
    evidence, _ = produced(root, CHECK)
    assert evidence == []
    assert levels(audit(root))["model-1"] == "none"


def test_circleci_comment_targeting_the_pull_request_is_a_route(tmp_path: Path) -> None:
    """CircleCI roots carry no events: a command that can only post to a pull request
    (`--target=pr`) says the job reviews pull requests."""
    circle = """
    version: 2.1
    jobs:
      report:
        docker:
          - image: iterativeai/cml
        steps:
          - checkout
          - run: dvc metrics diff main --show-md >> report.md
          - run: cml comment create --target=pr report.md
    workflows:
      mr:
        jobs:
          - report
    """
    root = make_repo(
        tmp_path,
        {"params.yaml": PARAMS, "dvc.yaml": DVC, ".circleci/config.yml": circle},
    )
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [
        ("params.yaml", 5, "config", "manual", None),
        (".circleci/config.yml", 9, "config", "manual", None),
    ]
    assert levels(audit(root))["model-1"] == "manual"
