"""model-5 accuracy (round 6, O / REVIEW-M D3): the Azure mlops-v2 champion check — every
registered version is loaded (`search_model_versions` + `models:/name/version`) and scored, and
the candidate's score is compared with the best of them before registering — is a comparison
with the previous models. Printing the scores, comparing with a fixed threshold, or ranking the
registered versions among themselves is not."""

from __future__ import annotations

from pathlib import Path

from tests.checks.model._util import produced, where
from tests.helpers import audit, levels, make_repo

CHECK = "baseline-comparison"
HEAD = """
import mlflow
from mlflow.tracking import MlflowClient
from sklearn.metrics import r2_score


def promote(model_name, X_test, y_test, score):
    scores = {}
    client = MlflowClient()
    for mv in client.search_model_versions(f"name='{model_name}'"):
        mdl = mlflow.pyfunc.load_model(model_uri=f"models:/{model_name}/{mv.version}")
        scores[mv.version] = r2_score(y_test, mdl.predict(X_test))
"""
MAIN = """

if __name__ == "__main__":
    promote("taxi-model", None, None, 0.5)
"""


def _repo(tmp_path: Path, tail: str, **extra: str) -> Path:
    return make_repo(tmp_path, {"src/evaluate.py": HEAD + tail + MAIN, **extra})


def test_conditional_expression_over_registered_versions_is_credited(tmp_path: Path) -> None:
    tail = """    deploy_flag = 1 if score >= max(scores.values()) else 0
    return deploy_flag
"""
    root = _repo(tmp_path, tail)
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [("src/evaluate.py", 12, "code", "automated", "promote")]
    assert evidence[0].detail == (
        "candidate compared with the registered models' scores (`search_model_versions` loop "
        "loads each model and scores it): `score >= max(scores.values())`"
    )
    assert levels(audit(root))["model-5"] == "manual"


def test_mlops_v2_if_flag_form_is_credited(tmp_path: Path) -> None:
    tail = """    if scores:
        if score >= max(list(scores.values())):
            deploy_flag = 1
        else:
            deploy_flag = 0
    else:
        deploy_flag = 1
    return deploy_flag
"""
    root = _repo(tmp_path, tail)
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [("src/evaluate.py", 13, "code", "automated", "promote")]


def test_best_previous_run_assert_in_ci_is_automated(tmp_path: Path) -> None:
    script = """
    import mlflow
    from sklearn.metrics import roc_auc_score


    def gate(X, y, candidate):
        new_auc = roc_auc_score(y, candidate.predict_proba(X)[:, 1])
        runs = mlflow.search_runs(filter_string="tags.stage = 'production'")
        previous = []
        for _, row in runs.iterrows():
            old = mlflow.sklearn.load_model(f"runs:/{row.run_id}/model")
            previous.append(roc_auc_score(y, old.predict_proba(X)[:, 1]))
        best = max(previous)
        assert new_auc >= best, "candidate is worse than the previous models"


    if __name__ == "__main__":
        gate(None, None, None)
    """
    workflow = """
    on: [push]
    jobs:
      gate:
        runs-on: ubuntu-latest
        steps:
          - run: python gate.py
    """
    root = make_repo(tmp_path, {"gate.py": script, ".github/workflows/gate.yml": workflow})
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [("gate.py", 13, "code", "automated", "gate")]
    assert levels(audit(root))["model-5"] == "automated"


def test_trap_scores_printed_without_comparison(tmp_path: Path) -> None:
    tail = """    print(scores, score)
    deploy_flag = 1
    return deploy_flag
"""
    root = _repo(tmp_path, tail)
    evidence, _ = produced(root, CHECK)
    assert evidence == []
    assert levels(audit(root))["model-5"] == "none"


def test_trap_registered_versions_checked_against_a_fixed_threshold(tmp_path: Path) -> None:
    tail = """    if r2_score(y_test, mdl.predict(X_test)) > 0.8:
        return 1
    return 0
"""
    root = _repo(tmp_path, tail)
    evidence, _ = produced(root, CHECK)
    assert evidence == []


def test_trap_ranking_registered_versions_among_themselves(tmp_path: Path) -> None:
    tail = """    best = max(scores.values())
    if scores[mv.version] >= best:
        return mv.version
    return None
"""
    root = _repo(tmp_path, tail)
    evidence, _ = produced(root, CHECK)
    assert evidence == []


def test_registry_versions_loaded_from_their_source_are_credited(tmp_path: Path) -> None:
    script = """
    import mlflow
    from sklearn.metrics import f1_score


    def challenge(client, name, X, y, candidate_f1):
        f1s = []
        for mv in client.get_latest_versions(name):
            model = mlflow.sklearn.load_model(mv.source)
            f1s.append(f1_score(y, model.predict(X)))
        if f1s and candidate_f1 < max(f1s):
            raise SystemExit("candidate does not beat the registered models")


    if __name__ == "__main__":
        challenge(None, "m", None, None, 0.5)
    """
    root = make_repo(tmp_path, {"challenge.py": script})
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [("challenge.py", 10, "code", "automated", "challenge")]
    assert "`get_latest_versions` loop" in evidence[0].detail


def test_trap_run_rows_read_without_loading_a_model(tmp_path: Path) -> None:
    script = """
    import mlflow
    from sklearn.metrics import f1_score


    def report(X, y, model):
        scores = []
        for _, row in mlflow.search_runs().iterrows():
            scores.append(f1_score(y, model.predict(X)))
        if f1_score(y, model.predict(X)) < max(scores):
            raise SystemExit(1)
    """
    root = make_repo(tmp_path, {"report.py": script})
    evidence, _ = produced(root, CHECK)
    assert evidence == []
