"""Shared fixtures: real audits of small repositories, and the vendored schemas."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import pytest

from tests.helpers import audit, make_repo

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"

CONFIG = """
not_applicable:
  - item: monitor-3
    reason: the model is not served online
overrides:
  - item: infra-1
    max_level: manual
    reason: the seed test is flaky
attestations:
  - item: data-3
    level: manual
    evidence: docs/feature-costs.md
    owner: ml-team@example.com
    reviewed: 2026-10-01
    expires: 2027-10-01
gate:
  fail_under: 1
  require:
    data-1: manual
"""

FILES = {
    "README.md": "# churn model\n",
    "requirements.txt": "scikit-learn==1.5.0\npandas==2.2.2\n",
    "src/train.py": """
        import random
        import numpy as np
        from sklearn.model_selection import GridSearchCV

        random.seed(0)
        np.random.seed(0)


        def train(X, y, model):
            search = GridSearchCV(model, {"C": [0.1, 1.0]})
            search.fit(X, y)
            return search.best_estimator_


        if __name__ == "__main__":
            train([[0], [1]], [0, 1], None)
        """,
    "tests/test_train.py": """
        from src.train import train


        def test_train_runs():
            assert train is not None
        """,
    ".github/workflows/ci.yml": """
        on: [push, pull_request]
        jobs:
          test:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - run: pip install -r requirements.txt
              - run: pytest tests
        """,
    "docs/feature-costs.md": "# Feature costs\n\n| feature | latency |\n|---|---|\n| age | 1ms |\n",
}


@pytest.fixture(scope="session")
def real_results(tmp_path_factory: pytest.TempPathFactory) -> list:
    """Audits of three small repositories: plain, with a config, and a git checkout."""
    base = tmp_path_factory.mktemp("real")
    plain = make_repo(base / "plain", {"README.md": "# nothing here\n"})
    configured = make_repo(base / "configured", {**FILES, "mlready.yaml": CONFIG}, git=True)
    bare = make_repo(base / "project", FILES, git=True)
    return [
        audit(plain),
        audit(configured),
        audit(bare, repo_url="https://github.com/acme/churn"),
    ]


@pytest.fixture(scope="session")
def result_schema() -> dict:
    text = resources.files("ml_readiness").joinpath("schemas/result.schema.json").read_text()
    return json.loads(text)


@pytest.fixture(scope="session")
def sarif_schema() -> dict:
    return json.loads((FIXTURES / "sarif-2.1.0.schema.json").read_text(encoding="utf-8"))
