"""Round 7 (held-out review R point 13), infra-1: a project's own seeding helper called at
start-up with a configured seed fixes seeds; when its body is not committed it is taken to
seed Python random and NumPy only, so an unseeded training framework still makes it partial."""

from __future__ import annotations

from pathlib import Path

from tests.checks.infra.test_infra_accuracy import _ev, _hints
from tests.helpers import make_repo, run_check

CHECK = "seeded-randomness"
RUN = """\
import lightgbm as lgb

from util.seeder import seed_everything


def main(cfg, X, y):
    seed_everything(cfg.runtime.random_seed)
    return lgb.train(cfg.params, lgb.Dataset(X, y))


if __name__ == "__main__":
    main(load_config(), *load())
"""
HELPER = """\
import random

import numpy as np
import torch


def set_seeds(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
"""
TORCH_TRAIN = """\
import torch

from project.seeding import set_seeds


def train(cfg):
    set_seeds(cfg.seed)
    model = torch.nn.Linear(2, 1)
    model.train()
    return model
"""


def test_helper_without_a_committed_body_seeds_random_and_numpy(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"run_gbdt.py": RUN})
    assert _ev(run_check(root, CHECK)) == [
        (
            "seeds NumPy, Python random: `seed_everything() (project helper, body not in the "
            "repository: random and NumPy assumed)` with seed cfg.runtime.random_seed",
            "run_gbdt.py:7",
            "code",
            "manual",
            "main",
        )
    ]


def test_committed_helper_body_decides_which_libraries_are_seeded(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path, {"src/project/seeding.py": HELPER, "src/project/train.py": TORCH_TRAIN}
    )
    found = [e for e in _ev(run_check(root, CHECK)) if e[1] == "src/project/train.py:7"]
    assert found == [
        (
            "seeds NumPy, Python random, PyTorch: `set_seeds() (project helper in "
            "src/project/seeding.py)` with seed cfg.seed",
            "src/project/train.py:7",
            "code",
            "manual",
            "train",
        )
    ]


def test_trap_uncommitted_helper_does_not_seed_the_training_framework(tmp_path: Path) -> None:
    train = TORCH_TRAIN.replace("project.seeding", "util.seeder")
    root = make_repo(tmp_path, {"src/project/train.py": train})
    out = run_check(root, CHECK)
    assert _ev(out) == []
    assert _hints(out)[0].startswith(
        "partial seeding, not credited: the training framework PyTorch (src/project/train.py) is "
        "never seeded"
    )


def test_trap_library_seed_call_and_argument_less_helper_are_not_project_seeds(
    tmp_path: Path,
) -> None:
    train = """\
    import tensorflow as tf

    from util import set_seed


    def train(X, y):
        tf.compat.v1.set_random_seed(1)
        set_seed()
        return tf.keras.Sequential().fit(X, y)
    """
    root = make_repo(tmp_path, {"train.py": train})
    assert _ev(run_check(root, CHECK)) == []
