"""End to end: the real AutomationMap decides automated versus manual in an audit."""

from __future__ import annotations

from tests.helpers import audit, levels, make_repo

CI = """
name: CI
on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pip install -e .
      - run: pytest tests/unit
"""
TUNE = """
from sklearn.model_selection import GridSearchCV


def tune(model, X, y):
    search = GridSearchCV(model, param_grid={"C": [0.1, 1.0]}, cv=3)
    return search.fit(X, y)
"""
UNIT_TEST = """
from src.tune import tune


def test_tune_returns_search():
    assert tune(None, [], []) is not None
"""
DEPENDABOT = """
version: 2
updates:
  - package-ecosystem: pip
    directory: /
    schedule: {interval: weekly}
  - package-ecosystem: github-actions
    directory: /
    schedule: {interval: weekly}
"""


def test_search_called_from_collected_unit_test_is_automated(tmp_path):
    root = make_repo(
        tmp_path,
        {
            ".github/workflows/ci.yml": CI,
            ".github/dependabot.yml": DEPENDABOT,
            "requirements.txt": "scikit-learn\n",
            "src/__init__.py": "",
            "src/tune.py": TUNE,
            "tests/unit/test_tune.py": UNIT_TEST,
        },
    )
    result = audit(root)
    lv = levels(result)
    assert lv["model-3"] == "automated"
    assert lv["monitor-1"] == "automated"
    item = next(i for i in result.items if i.id == "model-3")
    best = item.evidence[0]
    assert (best.path, best.line, best.level) == ("src/tune.py", 5, "automated")
    assert best.via["root"] == ".github/workflows/ci.yml#test"
    assert best.via["trigger"] == "change"
    assert best.via["chain"][-2:] == [
        "tests/unit/test_tune.py::test_tune_returns_search",
        "src/tune.py::tune",
    ]


def test_search_only_in_uncollected_test_is_manual(tmp_path):
    root = make_repo(
        tmp_path,
        {
            ".github/workflows/ci.yml": CI,
            "src/__init__.py": "",
            "src/tune.py": TUNE,
            "tests/slow/test_tune.py": UNIT_TEST,
            "tests/unit/test_other.py": "def test_other():\n    assert 1\n",
        },
    )
    result = audit(root)
    assert levels(result)["model-3"] == "manual"
    item = next(i for i in result.items if i.id == "model-3")
    best = item.evidence[0]
    assert (best.path, best.line, best.level) == ("src/tune.py", 5, "manual")
    assert item.reason == (
        f"manual: {best.detail} (src/tune.py:5); not automated: "
        "src/tune.py::tune is not executed by any CI job, schedule or pipeline"
    )


def test_nested_project_ci_resolves_from_its_root_and_outer_ci_from_the_top(tmp_path):
    from ml_readiness.facts import Facts
    from ml_readiness.repo import Repo
    from tests.helpers import make_repo

    wf = (
        "on: [push]\njobs:\n  {job}:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: pytest {where}\n"
    )
    top = make_repo(
        tmp_path / "mono",
        {
            ".github/workflows/top.yml": wf.format(job="outer", where="proj/ml/tests/outer"),
            "proj/ml/.github/workflows/ci.yml": wf.format(job="inner", where="tests/inner"),
            "proj/ml/tests/inner/test_a.py": "def test_a():\n    assert 1\n",
            "proj/ml/tests/outer/test_b.py": "def test_b():\n    assert 1\n",
        },
        git=True,
    )
    amap = Facts(Repo.open(top / "proj" / "ml")).automation
    inner = amap.execution_of("tests/inner/test_a.py", "test_a")
    outer = amap.execution_of("tests/outer/test_b.py", "test_b")
    assert inner.root == ".github/workflows/ci.yml#inner" and inner.trigger == "change"
    assert outer.root == "../../.github/workflows/top.yml#outer" and outer.trigger == "change"
