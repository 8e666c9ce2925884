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


def test_search_run_only_by_a_ci_unit_test_is_manual_for_tuning(tmp_path):
    """The test runs in CI, but a search on the test's toy data tunes nothing that ships:
    model-3 (tests_automate: false in the rubric) stays manual and says why."""
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
    assert lv["model-3"] == "manual"
    assert lv["monitor-1"] == "automated"
    item = next(i for i in result.items if i.id == "model-3")
    best = item.evidence[0]
    assert (best.path, best.line, best.level) == ("src/tune.py", 5, "manual")
    assert item.reason == (
        f"manual: {best.detail} (src/tune.py:5); not automated: only a test runs it "
        "(tests/unit/test_tune.py::test_tune_returns_search, via .github/workflows/ci.yml#test); "
        "a test exercising the code on test data does not perform the practice"
    )


def test_search_run_by_the_training_job_in_ci_is_automated(tmp_path):
    """Positive: CI runs the training script that calls the search: the practice runs."""
    root = make_repo(
        tmp_path,
        {
            ".github/workflows/ci.yml": CI + "      - run: python src/train.py\n",
            "src/__init__.py": "",
            "src/tune.py": TUNE,
            "src/train.py": (
                "from src.tune import tune\n\nif __name__ == '__main__':\n    tune(None, [], [])\n"
            ),
            "tests/unit/test_tune.py": UNIT_TEST,
        },
    )
    result = audit(root)
    item = next(i for i in result.items if i.id == "model-3")
    best = item.evidence[0]
    assert (best.path, best.line, best.level) == ("src/tune.py", 5, "automated")
    assert best.via["root"] == ".github/workflows/ci.yml#test"
    assert best.via["chain"][-2:] == ["src/train.py::<main>", "src/tune.py::tune"]


def test_a_ci_unit_test_still_automates_items_whose_practice_is_a_test(tmp_path):
    """data-7 (feature code is tested) keeps crediting the CI-run test: there the test *is*
    the practice. Only data-2, model-3, monitor-4 and monitor-7 set tests_automate: false."""
    root = make_repo(
        tmp_path,
        {
            ".github/workflows/ci.yml": CI,
            "src/__init__.py": "",
            "src/features.py": (
                "import pandas as pd\n\n\n"
                "def build_features(df: pd.DataFrame) -> pd.DataFrame:\n"
                "    out = df.copy()\n"
                "    out['ratio'] = out['a'] / (out['b'] + 1)\n"
                "    return out\n"
            ),
            "tests/unit/test_features.py": (
                "import pandas as pd\n\nfrom src.features import build_features\n\n\n"
                "def test_ratio():\n"
                "    df = pd.DataFrame({'a': [1.0], 'b': [1.0]})\n"
                "    assert build_features(df)['ratio'][0] == 0.5\n"
            ),
        },
    )
    from ml_readiness.rubric import load_rubric

    rubric = load_rubric("ml-test-score").items
    assert [i.id for i in rubric if not i.tests_automate] == [
        "data-2",
        "model-3",
        "monitor-4",
        "monitor-7",
    ]
    item = next(i for i in audit(root).items if i.id == "data-7")
    assert item.level == "automated"
    assert item.evidence[0].via["root"] == ".github/workflows/ci.yml#test"


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
