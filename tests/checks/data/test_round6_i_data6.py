"""Round 6 (helper I): data-6 nested feature lists read through Kedro `params:`, Hydra `cfg.`
and DVC `params_show()`."""

from __future__ import annotations

from tests.checks.data.util import details, evidence
from tests.helpers import audit, levels, make_repo, run_check

# -- data-6: nested feature lists read through Kedro params / Hydra cfg --------------------

KEDRO_PARAMS = """
model_options:
  test_size: 0.2
  features:
    - a
    - b
    - c
  target: y
"""
KEDRO_NODES = """
def split(data, parameters):
    X = data[parameters["features"]]
    y = data[parameters["target"]]
    return X, y
"""
KEDRO_PIPELINE = """
from kedro.pipeline import Pipeline, node

from .nodes import split


def create_pipeline(**kwargs) -> Pipeline:
    return Pipeline([node(split, ["table", "params:model_options"], ["X", "y"], name="split")])
"""


def _kedro(pipeline: str, nodes: str = KEDRO_NODES) -> dict[str, str]:
    return {
        "conf/base/parameters.yml": KEDRO_PARAMS,
        "src/proj/__init__.py": "",
        "src/proj/pipelines/__init__.py": "",
        "src/proj/pipelines/train/__init__.py": "",
        "src/proj/pipelines/train/nodes.py": nodes,
        "src/proj/pipelines/train/pipeline.py": pipeline,
    }


def test_data6_kedro_nested_feature_list(tmp_path) -> None:
    root = make_repo(tmp_path, _kedro(KEDRO_PIPELINE))
    out = run_check(root, "feature-onboarding")
    assert evidence(out) == [("conf/base/parameters.yml", 3, "config", "manual", None)]
    assert details(out) == [
        "config-driven feature list `model_options.features` (3 features) read by "
        "src/proj/pipelines/train/pipeline.py"
    ]
    assert levels(audit(root))["data-6"] == "manual"


def test_data6_kedro_trap_params_not_used(tmp_path) -> None:
    pipeline = KEDRO_PIPELINE.replace('"params:model_options"', '"params:other"')
    root = make_repo(tmp_path, _kedro(pipeline))
    assert evidence(run_check(root, "feature-onboarding")) == []
    assert levels(audit(root))["data-6"] == "none"


def test_data6_kedro_trap_feature_key_never_read(tmp_path) -> None:
    nodes = KEDRO_NODES.replace('parameters["features"]', '["a", "b"]')
    root = make_repo(tmp_path, _kedro(KEDRO_PIPELINE, nodes))
    assert evidence(run_check(root, "feature-onboarding")) == []


HYDRA_CONF = """
data:
  path: data/train.csv
  features: [a, b, c]
"""
HYDRA_TRAIN = """
import hydra
import pandas as pd


@hydra.main(config_path="conf", config_name="config")
def main(cfg):
    df = pd.read_csv(cfg.data.path)
    X = df[list({read})]
    return X


if __name__ == "__main__":
    main()
"""


def test_data6_hydra_nested_feature_list(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {"conf/config.yaml": HYDRA_CONF, "train.py": HYDRA_TRAIN.format(read="cfg.data.features")},
    )
    out = run_check(root, "feature-onboarding")
    assert evidence(out) == [("conf/config.yaml", 3, "config", "manual", None)]
    assert details(out) == [
        "config-driven feature list `data.features` (3 features) read by train.py"
    ]


def test_data6_hydra_trap_features_attribute_of_a_model(tmp_path) -> None:
    """`model.features` (a torchvision VGG block) is not the config's feature list."""
    root = make_repo(
        tmp_path,
        {"conf/config.yaml": HYDRA_CONF, "train.py": HYDRA_TRAIN.format(read="model.features")},
    )
    assert evidence(run_check(root, "feature-onboarding")) == []


def test_data6_kedro_dotted_params_input(tmp_path) -> None:
    """`params:model_options.features` binds the list itself: no subscript needed."""
    pipeline = KEDRO_PIPELINE.replace('"params:model_options"', '"params:model_options.features"')
    nodes = "def split(data, features):\n    return data[features]\n"
    root = make_repo(tmp_path, _kedro(pipeline, nodes))
    assert evidence(run_check(root, "feature-onboarding")) == [
        ("conf/base/parameters.yml", 3, "config", "manual", None)
    ]


def test_data6_dvc_params_show_reads_params_yaml(tmp_path) -> None:
    train = """
    import dvc.api

    params = dvc.api.params_show()
    X = load()[params["train"]["features"]]
    """
    root = make_repo(
        tmp_path,
        {"params.yaml": "train:\n  features: [a, b]\n  seed: 1\n", "src/train.py": train},
    )
    assert evidence(run_check(root, "feature-onboarding")) == [
        ("params.yaml", 2, "config", "manual", None)
    ]


def test_data6_trap_bare_stem_word_is_not_a_reader(tmp_path) -> None:
    """`parameters` as an argument name does not read conf/base/parameters.yml."""
    nodes = 'def split(data, parameters):\n    return data[["a", "b"]], parameters\nfeatures = 1\n'
    root = make_repo(tmp_path, {"conf/base/parameters.yml": KEDRO_PARAMS, "nodes.py": nodes})
    assert evidence(run_check(root, "feature-onboarding")) == []
