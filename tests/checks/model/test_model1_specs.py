"""model-1: specs checked in with a review route; config-loading tests."""

from __future__ import annotations

from pathlib import Path

from tests.checks.model._util import produced, where
from tests.helpers import audit, levels, make_repo

CHECK = "model-specs-reviewed"
CONFIG_TEST = """
from pathlib import Path

import yaml


def test_every_model_config_loads():
    for path in sorted(Path("conf").rglob("*.yaml")):
        assert yaml.safe_load(path.read_text()) is not None
"""

TRAIN_PY = (
    "from xgboost import XGBClassifier\n\n"
    "PARAMS = {'max_depth': 6, 'learning_rate': 0.1, 'n_estimators': 200}\n\n"
    "def main():\n    return XGBClassifier(**PARAMS)\n"
)


def test_configs_with_codeowners_and_config_test(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "conf/model/xgb.yaml": "n_estimators: 300\nmax_depth: 6\n",
            "conf/logging.yaml": "level: info\n",
            "src/shop/model.py": "import torch\n\nclass Ranker(torch.nn.Module):\n    pass\n",
            ".github/CODEOWNERS": "# owners\ndocs/ @writers\n/src/ @ml-team\n/conf/ @ml-team\n",
            "tests/test_configs.py": CONFIG_TEST,
        },
    )
    evidence, hints = produced(root, CHECK)
    assert where(evidence) == [
        ("conf/model/xgb.yaml", 1, "config", "manual", None),
        (".github/CODEOWNERS", 3, "config", "manual", None),
        ("tests/test_configs.py", 6, "test", "automated", "test_every_model_config_loads"),
    ]
    assert evidence[0].detail == "model configuration in version control: conf/model/xgb.yaml"
    assert evidence[1].detail == (
        "CODEOWNERS assigns reviewers to 2 of 2 model paths: conf/model/xgb.yaml (@ml-team), "
        "src/shop/model.py (@ml-team)"
    )
    assert evidence[2].detail == "test loads every model config file (`yaml.safe_load`)"
    assert hints == []


def test_params_yaml_with_pr_template_is_manual(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "params.yaml": "train:\n  learning_rate: 0.05\n  epochs: 10\n",
            ".github/pull_request_template.md": (
                "## Summary\n\n<!-- - [ ] model review hidden in a comment -->\n"
                "- [ ] Tests pass\n- [ ] Model metrics compared with main and reviewed\n"
            ),
        },
    )
    evidence, hints = produced(root, CHECK)
    assert where(evidence) == [
        ("params.yaml", 1, "config", "manual", None),
        (".github/pull_request_template.md", 5, "doc", "manual", None),
    ]
    assert evidence[1].detail == (
        'PR template asks for model review: "Model metrics compared with main and reviewed"'
    )
    assert hints == ["no live test loads every model config, so specs are not checked in CI"]


def test_hugging_face_card_and_documented_review(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "models/sentiment/README.md": (
                "---\nlicense: apache-2.0\ntags:\n- text-classification\n---\n# Sentiment\n"
            ),
            "CONTRIBUTING.md": (
                "# Contributing\n\n## Review process\n\nEvery change to a model or its training "
                "config needs approval from one ML engineer, who checks the evaluation report "
                "and the metrics diff before merging.\n"
            ),
        },
    )
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [
        ("models/sentiment/README.md", 1, "doc", "manual", None),
        ("CONTRIBUTING.md", 3, "doc", "manual", None),
    ]
    assert evidence[0].detail == "model card (Hugging Face card metadata)"
    assert evidence[1].detail == 'documented model review process: section "Review process"'


def test_trap_codeowners_covering_only_docs(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "configs/train.yaml": "lr: 0.001\nbatch_size: 32\n",
            "src/model.py": "def build():\n    return None\n",
            "CODEOWNERS": "/docs/ @writers\n*.md @writers\n",
            ".github/pull_request_template.md": "- [ ] Tests pass\n- [ ] Docs updated\n",
        },
    )
    evidence, hints = produced(root, CHECK)
    assert evidence == []
    assert hints == [
        "model specs are checked in (configs/train.yaml) but no review route was found: no "
        "CODEOWNERS entry covering model paths, no PR template with a model-review item, no "
        "documented model review process; not credited",
        "CODEOWNERS assigns owners to none of the model code or config paths "
        "(configs/train.yaml, src/model.py); a CODEOWNERS that covers other files only is no "
        "review route for models",
    ]


def test_owner_less_pattern_unassigns_model_code(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "src/train.py": TRAIN_PY,
            ".github/CODEOWNERS": "* @ml-team\n/src/\n",
        },
    )
    evidence, hints = produced(root, CHECK)
    assert evidence == []
    assert hints[0].startswith("model specs are checked in (src/train.py) but no review route")
    assert hints[1].startswith(
        ".github/CODEOWNERS assigns owners to none of the model code or config paths (src/train.py)"
    )


def test_hyperparameters_in_code_with_partial_coverage(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "src/train.py": TRAIN_PY,
            "src/models/net.py": "import torch\n",
            ".github/CODEOWNERS": "/src/train.py @ml-team\n",
        },
    )
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [
        ("src/train.py", 3, "code", "manual", None),
        (".github/CODEOWNERS", 1, "config", "manual", None),
    ]
    assert evidence[0].detail == (
        "hyperparameters `PARAMS` (learning_rate, max_depth, n_estimators) in code"
    )
    assert evidence[1].detail == (
        "CODEOWNERS assigns reviewers to 1 of 2 model paths: src/train.py (@ml-team); "
        "not covered: src/models/net.py"
    )


def test_trap_skipped_config_test_and_example_config(tmp_path: Path) -> None:
    skipped = CONFIG_TEST.replace(
        "def test_every", 'import pytest\n\n\n@pytest.mark.skip(reason="slow")\ndef test_every'
    )
    root = make_repo(
        tmp_path,
        {
            "conf/model.yaml.example": "lr: 0.1\nepochs: 3\n",
            "conf/model.yaml": "lr: 0.1\nepochs: 3\n",
            ".github/CODEOWNERS": "/conf/ @ml-team\n",
            "tests/test_configs.py": skipped,
        },
    )
    evidence, hints = produced(root, CHECK)
    assert [e.path for e in evidence] == ["conf/model.yaml", ".github/CODEOWNERS"]
    assert hints == ["no live test loads every model config, so specs are not checked in CI"]


def test_no_specs_at_all(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"README.md": "# Tool\n", "CODEOWNERS": "* @team\n"})
    assert produced(root, CHECK) == (
        [],
        ["no model configuration, hyperparameters in code or model card found"],
    )


def test_codeowners_of_enclosing_repository_matches_subproject_paths(tmp_path: Path) -> None:
    make_repo(
        tmp_path,
        {
            ".github/CODEOWNERS": "* @platform\n/services/ranker/conf/ @ranking-team\n",
            "services/ranker/conf/model.yaml": "learning_rate: 0.1\nnum_leaves: 15\n",
            "services/ranker/CODEOWNERS": "* @ignored-not-read-by-github\n",
            "services/other/conf/model.yaml": "lr: 0.2\nepochs: 1\n",
        },
        git=True,
    )
    evidence, _ = produced(tmp_path / "services" / "ranker", CHECK)
    assert where(evidence) == [
        ("conf/model.yaml", 1, "config", "manual", None),
        ("../../.github/CODEOWNERS", 2, "config", "manual", None),
    ]
    assert evidence[1].detail == (
        "CODEOWNERS assigns reviewers to 1 of 1 model paths: conf/model.yaml (@ranking-team)"
    )


CI_PUSH = (
    "on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
    "      - uses: actions/checkout@v4\n      - run: pytest {target}\n"
)
HYDRA_CONFTEST = """
import pytest
from hydra import compose, initialize_config_dir


@pytest.fixture
def cfg_train():
    with initialize_config_dir(version_base="1.3", config_dir="configs"):
        return compose(config_name="train.yaml")
"""
HYDRA_TEST = """
import hydra


def test_train_config(cfg_train):
    assert cfg_train.module
    hydra.utils.instantiate(cfg_train.module.network.model)


def test_datamodule_config(cfg_train):
    dm = hydra.utils.instantiate(cfg_train.datamodule)
    assert dm is not None
"""


def test_ci_checked_specs_are_automated_without_a_review_route(tmp_path: Path) -> None:
    """The rubric's automated level (CI checks the model specs on every change) does not ask
    for a review route: a CI-run test instantiating the Hydra model config composed by a
    conftest fixture earns it. Instantiating the datamodule config is not a model spec check."""
    root = make_repo(
        tmp_path,
        {
            "configs/module/network/mnist.yaml": "_target_: src.models.Net\nhidden_size: 64\n",
            "configs/hparams_search/optuna.yaml": "hydra:\n  sweeper:\n    n_trials: 20\n",
            "tests/conftest.py": HYDRA_CONFTEST,
            "tests/test_configs.py": HYDRA_TEST,
            ".github/workflows/test.yml": CI_PUSH.format(target="tests"),
        },
    )
    evidence, hints = produced(root, CHECK)
    assert where(evidence) == [
        ("configs/module/network/mnist.yaml", 1, "config", "manual", None),
        ("tests/test_configs.py", 4, "test", "automated", "test_train_config"),
    ]
    assert evidence[1].detail == (
        "test instantiates the Hydra configs composed by fixture `cfg_train` (tests/conftest.py) "
        "(`hydra.utils.instantiate`)"
    )
    assert evidence[0].detail == (
        "model configuration in version control: configs/module/network/mnist.yaml, "
        "configs/hparams_search/optuna.yaml"
    )
    assert hints == [
        "model specs (configs/module/network/mnist.yaml) are checked by tests CI runs, but no "
        "review route was found (no CODEOWNERS entry covering model paths, PR template item or "
        "documented model review)"
    ]
    assert levels(audit(root))["model-1"] == "automated"


def test_trap_spec_test_not_run_by_ci_without_route(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "configs/module/network/mnist.yaml": "_target_: src.models.Net\nhidden_size: 64\n",
            "tests/conftest.py": HYDRA_CONFTEST,
            "tests/test_configs.py": HYDRA_TEST,
        },
    )
    evidence, hints = produced(root, CHECK)
    assert evidence == []
    assert hints == [
        "model specs are checked in (configs/module/network/mnist.yaml) but no review route was "
        "found: no CODEOWNERS entry covering model paths, no PR template with a model-review "
        "item, no documented model review process; not credited; a config-loading test "
        "(tests/test_configs.py:4) is not run by CI on change, so it does not count without a "
        "route"
    ]
    assert levels(audit(root))["model-1"] == "none"


def test_project_loader_and_experiment_glob_multirun(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "params.yaml": "model:\n  n_estimators: 200\n  max_depth: 4\n",
            "src/risk/config.py": """
            import yaml


            def load_params(path="params.yaml"):
                with open(path) as fh:
                    return yaml.safe_load(fh)
            """,
            "src/risk/model.py": """
            from sklearn.ensemble import RandomForestClassifier


            def build_model(params):
                return RandomForestClassifier(**params["model"])
            """,
            "tests/test_params.py": """
            from risk.config import load_params
            from risk.model import build_model


            def test_params_build_a_model():
                model = build_model(load_params("params.yaml"))
                assert model.n_estimators == 200


            def test_params_have_a_seed():
                assert "seed" not in load_params("params.yaml")
            """,
            "tests/test_sweeps.py": """
            import subprocess

            OPTIONS = ["--multirun", "--config-name=train.yaml"]


            def test_experiments(tmp_path):
                command = ["python", "src/train.py", *OPTIONS, "experiment=glob(*)"]
                subprocess.run(command, check=True)
            """,
            ".github/CODEOWNERS": "/params.yaml @ml-team\n/src/ @ml-team\n",
            ".github/workflows/test.yml": CI_PUSH.format(target="tests"),
        },
    )
    evidence, hints = produced(root, CHECK)
    assert where(evidence) == [
        ("params.yaml", 1, "config", "manual", None),
        (".github/CODEOWNERS", 1, "config", "manual", None),
        ("tests/test_params.py", 5, "test", "automated", "test_params_build_a_model"),
        ("tests/test_sweeps.py", 6, "test", "automated", "test_experiments"),
    ]
    assert evidence[2].detail == (
        "test loads the model spec with the project's `load_params` (src/risk/config.py) and "
        "builds the model (`build_model`)"
    )
    assert (
        evidence[3].detail == "test runs every experiment config (`--multirun experiment=glob(*)`)"
    )
    assert levels(audit(root))["model-1"] == "automated"


def test_nested_spark_grid_config_is_a_spec(tmp_path: Path) -> None:
    """A nested config dict of Spark ML grids imported by the trainer is a model spec; without
    a review route the hint names it (instead of "no model configuration found")."""
    root = make_repo(
        tmp_path,
        {
            "spark/config/spark_config.py": (
                "ML_CONFIG = {\n    'gbt': {'maxDepth': [5, 7], 'maxIter': [50]},\n"
                "    'cross_validation': {'num_folds': 3},\n}\n"
            ),
            "spark/jobs/ml_training.py": (
                "from spark_config import ML_CONFIG\n\n\ndef grid():\n    return ML_CONFIG['gbt']\n"
            ),
        },
    )
    evidence, hints = produced(root, CHECK)
    assert evidence == []
    assert hints == [
        "model specs are checked in (spark/config/spark_config.py) but no review route was "
        "found: no CODEOWNERS entry covering model paths, no PR template with a model-review "
        "item, no documented model review process; not credited"
    ]


SAGEMAKER_PIPELINE = """
from sagemaker.estimator import Estimator
from sagemaker.workflow.parameters import ParameterString
from sagemaker.workflow.step_collections import RegisterModel


def get_pipeline(image_uri, role):
    model_approval_status = ParameterString(
        name="ModelApprovalStatus", default_value="PendingManualApproval"
    )
    xgb_train = Estimator(image_uri=image_uri, role=role, instance_count=1)
    xgb_train.set_hyperparameters(
        objective="reg:squarederror", num_round=100, max_depth=9, eta=0.2, subsample=0.8
    )
    return RegisterModel(
        name="RegisterModel", estimator=xgb_train, approval_status=model_approval_status
    )
"""


def test_sagemaker_hyperparameters_and_registry_approval_route(tmp_path: Path) -> None:
    """`Estimator.set_hyperparameters(...)` with XGBoost-native keys is a spec in code; a
    registry that registers every model as PendingManualApproval is a review route."""
    root = make_repo(tmp_path, {"build_pipeline/pipelines/pipeline.py": SAGEMAKER_PIPELINE})
    evidence, hints = produced(root, CHECK)
    assert where(evidence) == [
        ("build_pipeline/pipelines/pipeline.py", 11, "code", "manual", None),
        ("build_pipeline/pipelines/pipeline.py", 14, "code", "manual", None),
    ]
    assert [e.detail for e in evidence] == [
        "hyperparameters of `xgb_train.set_hyperparameters` (eta, max_depth, num_round, "
        "objective, subsample) in code",
        "model registry requires human approval: `RegisterModel` registers each model as "
        "PendingManualApproval",
    ]
    assert levels(audit(root))["model-1"] == "manual"


def test_trap_registry_approved_automatically_is_no_review_route(tmp_path: Path) -> None:
    """Registering models as Approved (no human in the loop) is no review route."""
    code = SAGEMAKER_PIPELINE.replace(
        'default_value="PendingManualApproval"', 'default_value="Approved"'
    )
    root = make_repo(tmp_path, {"build_pipeline/pipelines/pipeline.py": code})
    evidence, hints = produced(root, CHECK)
    assert evidence == []
    assert hints[0].startswith(
        "model specs are checked in (build_pipeline/pipelines/pipeline.py) but no review route"
    )
    assert levels(audit(root))["model-1"] == "none"


TRAIN_SCRIPT = """import keras

EPOCHS = 10
LEARNING_RATE = 0.001
BATCH_SIZE = 32

model = keras.Sequential()
model.compile(optimizer=keras.optimizers.Adam(learning_rate=LEARNING_RATE))
model.fit(train_ds, epochs=EPOCHS, batch_size=BATCH_SIZE)
"""


def test_script_hyperparameter_constants_with_codeowners(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {"src/train_model.py": TRAIN_SCRIPT, "CODEOWNERS": "/src/ @ml-team\n"},
    )
    evidence, hints = produced(root, CHECK)
    assert where(evidence)[0] == ("src/train_model.py", 3, "code", "manual", None)
    assert evidence[0].detail == (
        "hyperparameter constants (EPOCHS=10, LEARNING_RATE=0.001, BATCH_SIZE=32) in code"
    )
    assert where(evidence)[1] == ("CODEOWNERS", 1, "config", "manual", None)
    assert hints == ["no live test loads every model config, so specs are not checked in CI"]
    assert levels(audit(root))["model-1"] == "manual"


def test_trap_hyperparameter_named_constants_outside_training_code(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            # a database loader: batch sizes and "epochs" of a retry loop, nothing is trained
            "src/etl/loader.py": "EPOCHS = 3\nBATCH_SIZE = 500\n\n"
            "def load(db):\n    db.insert_many(rows, batch_size=BATCH_SIZE, rounds=EPOCHS)\n",
            # a training script whose constants are never passed to anything
            "src/train_model.py": "EPOCHS = 10\nLEARNING_RATE = 0.1\n\nmodel.fit(x, y)\n",
            "CODEOWNERS": "* @team\n",
        },
    )
    assert produced(root, CHECK) == (
        [],
        ["no model configuration, hyperparameters in code or model card found"],
    )


ALERT_RULES_TEST = """
from pathlib import Path

import yaml


def test_monitoring_alert_rules():
    for f in Path("monitoring/alerts").glob("*.yml"):
        assert yaml.safe_load(f.read_text()) is not None, f"Empty alert file: {f.name}"
"""
CONSTANT_DIR_TEST = """
from pathlib import Path

import yaml

CONFIG_DIR = "configs"


def test_every_config_loads():
    for f in Path(CONFIG_DIR).glob("*.yaml"):
        assert yaml.safe_load(f.read_text())
"""


def test_trap_listing_alert_rules_is_not_a_model_config_test(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "conf/model/xgb.yaml": "n_estimators: 300\nmax_depth: 6\n",
            "monitoring/alerts/model.yml": "groups: []\n",
            ".github/CODEOWNERS": "/conf/ @ml-team\n",
            "tests/test_alerts.py": ALERT_RULES_TEST,
        },
    )
    evidence, hints = produced(root, CHECK)
    assert [e.path for e in evidence] == ["conf/model/xgb.yaml", ".github/CODEOWNERS"]
    assert hints == ["no live test loads every model config, so specs are not checked in CI"]


def test_listing_a_config_dir_named_by_a_module_constant(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "configs/model.yaml": "n_estimators: 300\nmax_depth: 6\n",
            ".github/CODEOWNERS": "/configs/ @ml-team\n",
            "tests/test_configs.py": CONSTANT_DIR_TEST,
        },
    )
    evidence, hints = produced(root, CHECK)
    assert where(evidence)[2] == (
        "tests/test_configs.py",
        8,
        "test",
        "automated",
        "test_every_config_loads",
    )
    assert evidence[2].detail == "test loads every model config file (`yaml.safe_load`)"
    assert hints == []
