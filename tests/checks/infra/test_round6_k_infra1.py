"""infra-1 (REVIEW-F #9): an Optuna sampler seed (`TPESampler(seed=69)`) makes tuning repeatable."""

from __future__ import annotations

from pathlib import Path

from tests.checks.infra.test_infra_accuracy import _ev
from tests.helpers import audit, levels, make_repo, run_check

CHECK = "seeded-randomness"
TUNE = """\
import optuna
from optuna.samplers import TPESampler
from xgboost import XGBRegressor


def objective(trial):
    model = XGBRegressor(max_depth=trial.suggest_int("max_depth", 2, 8))
    model.fit([[0], [1]], [0, 1])
    return 0.0


if __name__ == "__main__":
    sampler = TPESampler(SEED)
    study = optuna.create_study(sampler=sampler)
    study.optimize(objective, n_trials=5)
"""


def test_optuna_sampler_seed_is_a_seed(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"src/train.py": TUNE.replace("SEED", "seed=69")})
    assert _ev(run_check(root, CHECK)) == [
        (
            "seeds Optuna: `TPESampler(seed=...)` with seed 69",
            "src/train.py:13",
            "code",
            "manual",
            "<main>",
        )
    ]
    assert levels(audit(root))["infra-1"] == "manual"


def test_trap_unseeded_or_none_sampler(tmp_path: Path) -> None:
    for i, seed in enumerate(("", "seed=None", "n_startup_trials=69")):
        root = make_repo(tmp_path / str(i), {"src/train.py": TUNE.replace("SEED", seed)})
        assert _ev(run_check(root, CHECK)) == []


MODEL = """\
import pydantic
from sklearn.ensemble import RandomForestRegressor


class Model(pydantic.BaseModel):
    n_estimators: int = 200
    random_state: int | None = DEFAULT

    def fit(self, X, y):
        return RandomForestRegressor(
            n_estimators=self.n_estimators, random_state=self.random_state
        ).fit(X, y)
"""
TRAIN = """\
from pkg.models import Model

if __name__ == "__main__":
    Model().fit([[0], [1]], [0, 1])
"""


def test_model_field_default_seed(tmp_path: Path) -> None:
    files = {
        "pkg/__init__.py": "",
        "pkg/models.py": MODEL.replace("DEFAULT", "42"),
        "train.py": TRAIN,
    }
    root = make_repo(tmp_path, files)
    assert [e[:2] for e in _ev(run_check(root, CHECK))] == [
        (
            "seeds scikit-learn: `RandomForestRegressor(random_state=...)` with seed "
            "self.random_state=42",
            "pkg/models.py:10",
        )
    ]


def test_trap_model_field_default_none_is_no_seed(tmp_path: Path) -> None:
    files = {
        "pkg/__init__.py": "",
        "pkg/models.py": MODEL.replace("DEFAULT", "None"),
        "train.py": TRAIN,
    }
    root = make_repo(tmp_path, files)
    assert _ev(run_check(root, CHECK)) == []
    assert levels(audit(root))["infra-1"] == "none"
