"""model-1 accuracy (round 7, X / REVIEW-R point 11): a CI-run test parametrized over the
project's model catalog (an in-code spec) that builds each entry checks every model spec on
each change (automated, no review route needed). A test that builds one hand-picked model, or
iterates a catalog of its own, earns nothing."""

from __future__ import annotations

from pathlib import Path

from tests.checks.model._util import produced, where
from tests.helpers import audit, levels, make_repo

CHECK = "model-specs-reviewed"
CATALOG = """
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression

MODEL_CATALOG = {
    "lr": {"clf": LogisticRegression, "default_params": {"C": 1.0, "max_iter": 100}},
    "rf": {"clf": RandomForestClassifier, "default_params": {"max_depth": 5, "n_estimators": 10}},
}
"""
FACTORY = """
from .catalog import MODEL_CATALOG


def create_model(model_alias, model_params=None):
    entry = MODEL_CATALOG[model_alias]
    return entry["clf"](**{**entry["default_params"], **(model_params or {})})
"""
INIT = """
from .catalog import MODEL_CATALOG
from .factory import create_model
"""
CI = """
on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: pytest -q
"""


def _repo(tmp_path: Path, test: str) -> Path:
    files = {
        "src/shop/__init__.py": "",
        "src/shop/models/__init__.py": INIT,
        "src/shop/models/catalog.py": CATALOG,
        "src/shop/models/factory.py": FACTORY,
        "src/shop/train.py": (
            "from shop.models import create_model\n\n\n"
            "def train(X, y):\n    return create_model('rf').fit(X, y)\n"
        ),
        "tests/test_models.py": test,
        "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["src"]\n',
        ".github/workflows/ci.yml": CI,
    }
    return make_repo(tmp_path, files)


def test_ci_test_over_the_catalog_is_automated(tmp_path: Path) -> None:
    test = """
    import pytest

    from shop.models import MODEL_CATALOG, create_model


    @pytest.mark.parametrize("model_alias", list(MODEL_CATALOG))
    def test_every_catalog_model_builds(model_alias):
        model = create_model(model_alias=model_alias)
        assert model is not None
    """
    root = _repo(tmp_path, test)
    evidence, _ = produced(root, CHECK)
    found = [e for e in evidence if e.kind == "test"]
    assert where(found) == [
        ("tests/test_models.py", 7, "test", "automated", "test_every_catalog_model_builds")
    ]
    assert found[0].detail == (
        "test parametrized over the model catalog `MODEL_CATALOG` (src/shop/models/catalog.py) "
        "builds each entry with `create_model`"
    )
    assert levels(audit(root))["model-1"] == "automated"


def test_one_hand_picked_model_is_not_a_catalog_check(tmp_path: Path) -> None:
    test = """
    from shop.models import MODEL_CATALOG, create_model


    def test_random_forest_builds():
        assert "rf" in MODEL_CATALOG
        assert create_model("rf") is not None
    """
    root = _repo(tmp_path, test)
    evidence, _ = produced(root, CHECK)
    assert [e for e in evidence if e.kind == "test"] == []
    assert levels(audit(root))["model-1"] == "none"


def test_test_with_its_own_catalog_is_not_credited(tmp_path: Path) -> None:
    test = """
    import pytest
    from sklearn.linear_model import LogisticRegression

    MODEL_CATALOG = {"lr": LogisticRegression}


    @pytest.mark.parametrize("name", list(MODEL_CATALOG))
    def test_builds(name):
        assert MODEL_CATALOG[name]() is not None
    """
    root = _repo(tmp_path, test)
    evidence, _ = produced(root, CHECK)
    assert [e for e in evidence if e.kind == "test"] == []
