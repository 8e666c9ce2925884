"""infra-1 checks: seeds versus libraries used, locks, data versioning, retrain tests,
mutable training data."""

from __future__ import annotations

from ml_readiness.evidence import Evidence, Finding, Hint
from tests.helpers import make_repo, run_check

TRAIN = """\
import random

import numpy as np
import xgboost as xgb
from sklearn.model_selection import train_test_split

SEED = 7


def train(data):
    np.random.seed(SEED)
    xgb.XGBRegressor(random_state=42).fit(data)
    x_tr, x_te = train_test_split(data, random_state=0)
    return x_tr


if __name__ == "__main__":
    train([1, 2, 3])
"""


def _ev(items):
    return [
        (e.detail, e.location(), e.kind, e.credit, e.symbol)
        for e in items
        if isinstance(e, Evidence)
    ]


def _hints(items):
    return [h.detail for h in items if isinstance(h, Hint)]


def test_seeds_breakdown_lists_used_but_unseeded_libraries(tmp_path):
    root = make_repo(tmp_path, {"src/train.py": TRAIN})
    out = run_check(root, "seeded-randomness")
    assert _ev(out) == [
        (
            "seeds NumPy: `np.random.seed` with seed SEED=7",
            "src/train.py:11",
            "code",
            "manual",
            "train",
        ),
        (
            "seeds XGBoost: `xgb.XGBRegressor(random_state=...)` with seed 42",
            "src/train.py:12",
            "code",
            "manual",
            "train",
        ),
        (
            "seeds scikit-learn: `train_test_split(random_state=...)` with seed 0",
            "src/train.py:13",
            "code",
            "manual",
            "train",
        ),
    ]
    assert _hints(out) == ["training code uses but never seeds: Python random (src/train.py)"]


def test_trap_partial_seeding_with_the_training_framework_unseeded(tmp_path):
    # the research-prototype shape: a seeded split, but torch (which fits the model) unseeded
    root = make_repo(
        tmp_path,
        {
            "src/data.py": """\
            from sklearn.model_selection import train_test_split

            def split(df):
                return train_test_split(df, random_state=0)
            """,
            "src/train.py": """\
            import torch
            from data import split

            def main():
                x_tr, x_te = split(None)
                model = torch.nn.Linear(2, 2)
                model.train()

            if __name__ == "__main__":
                main()
            """,
        },
    )
    out = run_check(root, "seeded-randomness")
    assert _ev(out) == []
    assert _hints(out) == [
        "partial seeding, not credited: the training framework PyTorch (src/train.py) is never "
        "seeded, so training is not repeatable; seeded only: src/data.py:4 "
        "`train_test_split(random_state=...)`",
        "training code uses but never seeds: PyTorch (src/train.py)",
    ]


def test_trap_library_code_without_training_entry_point_earns_nothing(tmp_path):
    # pandera/nannyml shape: seeds inside library helpers, no training entry point at all
    root = make_repo(
        tmp_path,
        {
            "pkg/backends/base.py": """\
            import numpy as np

            def subsample(frame, random_state=None):
                rng = np.random.default_rng(random_state)
                return rng.choice(frame)
            """,
            "pkg/calibration.py": """\
            from sklearn.model_selection import StratifiedShuffleSplit

            def needs_calibration(y):
                return StratifiedShuffleSplit(n_splits=3, random_state=42).split(y)
            """,
        },
    )
    out = run_check(root, "seeded-randomness")
    assert _ev(out) == []
    assert _hints(out) == [
        "no training entry point found (train*.py, a __main__ block that fits, a train() "
        "function, a notebook that fits), so no seed is credited: pkg/backends/base.py:4 "
        "(np.random.default_rng), pkg/calibration.py:4 "
        "(StratifiedShuffleSplit(random_state=...))",
    ]


def test_spark_seed_kwargs_and_config_lookups(tmp_path):
    root = make_repo(
        tmp_path,
        {
            "spark/config/spark_config.py": """\
            ML_CONFIG = {"data_split": {"seed": 42}, "cross_validation": {"seed": 7}}
            """,
            "spark/jobs/ml_training.py": """\
            from pyspark.ml.tuning import CrossValidator, ParamGridBuilder
            from spark_config import ML_CONFIG

            def split(df):
                seed = ML_CONFIG["data_split"]["seed"]
                return df.randomSplit([0.8, 0.2], seed=seed)

            def fit(df, pipeline, evaluator):
                cv = CrossValidator(
                    estimator=pipeline,
                    evaluator=evaluator,
                    seed=ML_CONFIG["cross_validation"]["seed"],
                )
                return cv.fit(df)

            def sample(df):
                return df.sample(fraction=0.1, seed=None)

            if __name__ == "__main__":
                fit(split(None), None, None)
            """,
        },
    )
    out = run_check(root, "seeded-randomness")
    assert _ev(out) == [
        (
            "seeds Spark: `df.randomSplit(seed=...)` with seed seed",
            "spark/jobs/ml_training.py:6",
            "code",
            "manual",
            "split",
        ),
        (
            "seeds Spark: `CrossValidator(seed=...)` with seed "
            'ML_CONFIG["cross_validation"]["seed"]=7',
            "spark/jobs/ml_training.py:9",
            "code",
            "manual",
            "fit",
        ),
    ]


def test_lightning_seed_everything_covers_torch_numpy_random(tmp_path):
    root = make_repo(
        tmp_path,
        {
            "train.py": """\
        import numpy as np
        import torch
        import lightning as L

        def main():
            L.seed_everything(123)
            trainer = L.Trainer()
            trainer.fit(None)
        """
        },
    )
    out = run_check(root, "seeded-randomness")
    assert _ev(out) == [
        (
            "seeds NumPy, Python random, PyTorch: `seed_everything` with seed 123",
            "train.py:6",
            "code",
            "manual",
            "main",
        ),
    ]
    assert _hints(out) == []


def test_trap_seeds_in_a_file_no_training_code_imports(tmp_path):
    root = make_repo(
        tmp_path,
        {
            "train.py": "import torch\n\ndef train():\n    return torch.zeros(1)\n",
            "scratch/old.py": "import torch\ntorch.manual_seed(0)\n",
            "notes.py": "# torch.manual_seed(0)\n",
        },
    )
    out = run_check(root, "seeded-randomness")
    assert _ev(out) == []
    assert _hints(out) == [
        "training code uses but never seeds: PyTorch (train.py)",
        "fixed seeds only outside the training code (no training entry point imports these "
        "files), not credited: scratch/old.py:2 (torch.manual_seed); no fixed seed found in the "
        "training code",
    ]


def test_unseeded_calls_do_not_count(tmp_path):
    root = make_repo(
        tmp_path,
        {
            "train.py": """\
        import random, time
        import numpy as np
        import jax

        def train():
            random.seed()
            rng = np.random.default_rng()
            np.random.seed(None)
            key = jax.random.PRNGKey(int(time.time()))
            model.fit(rng)
        """
        },
    )
    out = run_check(root, "seeded-randomness")
    assert _ev(out) == []
    assert "no fixed seed found in the training code" in _hints(out)


def test_jax_tf_and_default_rng_seeds(tmp_path):
    root = make_repo(
        tmp_path,
        {
            "train.py": """\
        import jax
        import numpy as np
        import tensorflow as tf

        def train(cfg):
            key = jax.random.PRNGKey(0)
            rng = np.random.default_rng(seed=5)
            tf.keras.utils.set_random_seed(cfg.seed)
            model.fit(key, rng)
        """
        },
    )
    out = run_check(root, "seeded-randomness")
    assert [d for d, *_ in _ev(out)] == [
        "seeds JAX: `jax.random.PRNGKey` with seed 0",
        "seeds NumPy: `np.random.default_rng` with seed 5",
        "seeds NumPy, Python random, TensorFlow: `tf.keras.utils.set_random_seed` with seed "
        "cfg.seed",
    ]
    assert _hints(out) == []


def test_retrain_and_compare_test_is_automated_credit(tmp_path):
    root = make_repo(
        tmp_path,
        {
            "src/pipeline/train.py": "def train_model(seed):\n    return seed\n",
            "tests/test_repro.py": """\
            import pytest
            from pipeline.train import train_model

            def test_training_is_deterministic():
                first = train_model(1)
                second = train_model(1)
                assert first == second

            @pytest.mark.xfail
            def test_twice_xfail():
                assert train_model(1) == train_model(1)

            def test_once():
                assert train_model(1) == 1
            """,
        },
    )
    out = run_check(root, "retrain-and-compare")
    assert _ev(out) == [
        (
            "test trains twice with `train_model()` and compares the results",
            "tests/test_repro.py:4",
            "test",
            "automated",
            "test_training_is_deterministic",
        ),
    ]


def test_lock_files_pinned_requirements_and_base_images(tmp_path):
    root = make_repo(
        tmp_path,
        {
            "poetry.lock": "[[package]]\nname = 'numpy'\n",
            "requirements.txt": "# pinned\nnumpy==1.26.4\npandas==2.2.0 ; python_version>'3.8'\n"
            "-r base.txt\n",
            "requirements-dev.txt": "pytest\nruff>=0.5\nblack==24.1.0\n",
            "requirements/hashed.txt": "torch==2.2.0 \\\n    --hash=sha256:abc\n",
            "Dockerfile": "FROM python:3.11.9-slim AS build\nFROM build\n",
            "serve/Dockerfile": "FROM python\n",
            "Dockerfile.example": "FROM python:latest\n",
        },
    )
    out = run_check(root, "pinned-dependencies")
    assert _ev(out) == [
        ("dependencies locked by Poetry (poetry.lock)", "poetry.lock:1", "config", "manual", None),
        ("all 2 requirements pinned with ==", "requirements.txt:1", "config", "manual", None),
        (
            "all 1 requirements pinned with --hash",
            "requirements/hashed.txt:1",
            "config",
            "manual",
            None,
        ),
        ("base image pinned: python:3.11.9-slim", "Dockerfile:1", "config", "manual", None),
    ]
    assert _hints(out) == [
        "requirements-dev.txt: 2 of 3 requirements not pinned (pytest, ruff>=0.5)",
        "serve/Dockerfile:1 `FROM python` is not pinned to a tag or digest",
    ]


def test_trap_floating_base_image_tag_is_not_pinned(tmp_path):
    root = make_repo(
        tmp_path,
        {
            "Dockerfile": "FROM python:3.11-slim\n",
            "gpu/Dockerfile": "FROM nvidia/cuda:12.1.1-runtime-ubuntu22.04\n",
            "digest/Dockerfile": "FROM python@sha256:" + "a" * 64 + "\n",
        },
    )
    out = run_check(root, "pinned-dependencies")
    assert _ev(out) == [
        (
            "base image pinned: python@sha256:" + "a" * 64,
            "digest/Dockerfile:1",
            "config",
            "manual",
            None,
        ),
        (
            "base image pinned: nvidia/cuda:12.1.1-runtime-ubuntu22.04",
            "gpu/Dockerfile:1",
            "config",
            "manual",
            None,
        ),
    ]
    assert _hints(out) == [
        "Dockerfile:1 `FROM python:3.11-slim` uses the floating tag `3.11-slim` (it moves to new "
        "patch releases and base layers); pin a digest or a full x.y.z version tag"
    ]


def test_trap_latest_image_and_loose_requirements_earn_nothing(tmp_path):
    root = make_repo(
        tmp_path,
        {
            "requirements.txt": "numpy\n",
            "Dockerfile": "FROM python:latest\n",
        },
    )
    out = run_check(root, "pinned-dependencies")
    assert _ev(out) == []
    assert _hints(out)[-1] == ("no lock file, fully pinned requirements file or pinned base image")


def test_data_versioning_dvc_lfs_and_hashes(tmp_path):
    root = make_repo(
        tmp_path,
        {
            "dvc.yaml": "stages:\n  train:\n    cmd: python train.py\n",
            "data/raw.csv.dvc": "outs:\n- md5: 1234\n  path: raw.csv\n",
            ".gitattributes": "# lfs\n*.parquet filter=lfs diff=lfs merge=lfs -text\n",
            "src/fetch.py": """\
            import pooch

            def fetch():
                return pooch.retrieve(
                    "https://example.org/d.csv",
                    known_hash="sha256:" + "a" * 64,
                )

            def fetch2():
                return pooch.retrieve(
                    "https://x/d.csv", known_hash="md5:0123456789abcdef0123456789abcdef"
                )
            """,
        },
    )
    out = run_check(root, "versioned-data")
    assert _ev(out) == [
        (
            "DVC pipeline with 1 stage(s) versions data and outputs",
            "dvc.yaml:1",
            "config",
            "manual",
            None,
        ),
        (
            "1 data file(s) versioned with DVC (data/raw.csv)",
            "data/raw.csv.dvc:1",
            "config",
            "manual",
            None,
        ),
        ("Git LFS versions *.parquet", ".gitattributes:2", "config", "manual", None),
        (
            "download verified against a checked-in hash (`pooch.retrieve(known_hash=...)`)",
            "src/fetch.py:10",
            "code",
            "manual",
            "fetch2",
        ),
    ]


def test_trap_no_data_versioning(tmp_path):
    root = make_repo(tmp_path, {".gitattributes": "*.py text\n", "train.py": "x = 1\n"})
    out = run_check(root, "versioned-data")
    assert _ev(out) == []
    assert _hints(out) == ["no DVC, Git LFS or dataset hash found: data is not versioned"]


def test_mutable_training_data_is_a_finding_capped_at_manual(tmp_path):
    url = "https://raw.githubusercontent.com/acme/data/main/train.csv"
    root = make_repo(
        tmp_path,
        {
            "train.py": f"""\
            import pandas as pd
            URL = "{url}"

            def train():
                df = pd.read_csv(URL)
                model.fit(df)
            """,
            "scripts/get_data.sh": "#!/bin/sh\n# wget https://x.org/latest/a.csv\n"
            "wget https://example.org/datasets/latest/data.csv\n",
            "serve.py": "import requests\nrequests.get('https://api.example.org/main/x')\n",
            "prepare_data.py": "import pandas as pd\n"
            "pd.read_csv('https://example.org/v1.2/data.csv')\n",
        },
    )
    out = run_check(root, "mutable-training-data")
    findings = [(f.detail, f.location(), f.cap) for f in out if isinstance(f, Finding)]
    assert findings == [
        (
            f"training data downloaded from a mutable location (branch `main`): {url}",
            "train.py:5",
            "manual",
        ),
        (
            "training data downloaded from a mutable location (alias `latest`): "
            "https://example.org/datasets/latest/data.csv",
            "scripts/get_data.sh:3",
            "manual",
        ),
    ]
