"""data-2: building a SHAP explainer is no importance analysis; the evidence is where its
values are computed, and that code decides the level (a CI job that only builds and saves
the explainer for per-request explanations automates nothing)."""

from __future__ import annotations

from tests.checks.data.util import ci, evidence
from tests.helpers import audit, levels, make_repo, run_check

EXPLAINER = """
import numpy as np
import shap


class Explainer:
    def __init__(self, explainer):
        self.explainer = explainer

    @classmethod
    def from_model(cls, model):
        return cls(shap.TreeExplainer(model))

    def global_importance(self, X):
        return np.abs(self.explainer.shap_values(X)).mean(axis=0)
"""
TRAIN = """
import joblib
from sklearn.ensemble import RandomForestClassifier

from src.explain import Explainer


def main():
    model = RandomForestClassifier().fit([[0], [1]], [0, 1])
    joblib.dump(Explainer.from_model(model), "explainer.joblib")


if __name__ == "__main__":
    main()
"""


def test_building_the_explainer_in_ci_does_not_automate_the_analysis(tmp_path):
    root = make_repo(
        tmp_path,
        {
            "src/__init__.py": "",
            "src/explain.py": EXPLAINER,
            "src/train.py": TRAIN,
            ".github/workflows/train.yml": ci("python src/train.py"),
        },
        git=True,
    )
    assert evidence(run_check(root, "feature-importance")) == [
        ("src/explain.py", 14, "code", "automated", "Explainer.global_importance")
    ]
    assert levels(audit(root))["data-2"] == "manual"  # nothing runs global_importance


IMPORTANCE = """
import numpy as np
import shap


def global_importance(model, X):
    return np.abs(shap.TreeExplainer(model).shap_values(X)).mean(axis=0)
"""


def test_computing_the_values_in_ci_is_automated(tmp_path):
    train = TRAIN.replace(
        "from src.explain import Explainer", "from src.explain import global_importance"
    )
    train = train.replace(
        '    joblib.dump(Explainer.from_model(model), "explainer.joblib")',
        '    joblib.dump(global_importance(model, [[0], [1]]), "importance.pkl")',
    )
    root = make_repo(
        tmp_path,
        {
            "src/__init__.py": "",
            "src/explain.py": IMPORTANCE,
            "src/train.py": train,
            ".github/workflows/train.yml": ci("python src/train.py"),
        },
        git=True,
    )
    assert levels(audit(root))["data-2"] == "automated"
