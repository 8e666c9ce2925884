"""Every file is read at most once and parsed at most once per audit, and files that cannot
matter to any check are never parsed."""

from __future__ import annotations

from pathlib import Path

import pytest

from ml_readiness import audit as audit_module
from ml_readiness.facts import Facts
from ml_readiness.repo import Repo
from tests.helpers import audit, make_repo, notebook

UTIL = """
import os


def env_flag(name, default=False):
    value = os.environ.get(name)
    return default if value is None else value.lower() in ("1", "true")
"""
FILES = {
    "pkg/__init__.py": "",
    "pkg/features.py": """
        import pandas as pd


        def build_features(df: pd.DataFrame) -> pd.DataFrame:
            return df.assign(ratio=df["a"] / (df["b"] + 1))
    """,
    "pkg/train.py": """
        import random

        import numpy as np
        from sklearn.linear_model import LogisticRegression

        from pkg.features import build_features


        def main(df):
            random.seed(0)
            np.random.seed(0)
            LogisticRegression().fit(build_features(df), df["y"])


        if __name__ == "__main__":
            main(None)
    """,
    "pkg/serve.py": """
        from fastapi import FastAPI
        from pydantic import BaseModel, Field

        app = FastAPI()


        class Row(BaseModel):
            a: float = Field(ge=0)


        @app.post("/predict")
        def predict(row: Row) -> dict:
            return {"score": row.a}
    """,
    "pkg/util.py": UTIL,
    "pkg/more/util2.py": UTIL,
    "tests/test_features.py": """
        import pandas as pd
        import pytest

        from pkg.features import build_features


        def test_ratio():
            df = pd.DataFrame({"a": [1.0], "b": [1.0]})
            assert build_features(df)["ratio"].iloc[0] == 0.5


        @pytest.mark.skip(reason="slow")
        def test_skipped():
            assert build_features is not None
    """,
    "notebooks/explore.ipynb": notebook("import numpy as np\nnp.random.seed(0)\nmodel.fit(x, y)"),
    "params.yaml": "model:\n  n_estimators: 10\n",
    ".github/workflows/ci.yml": """
        on: [push]
        jobs:
          test:
            runs-on: ubuntu-latest
            steps:
              - run: pytest tests
    """,
    "README.md": "# Demo\n\nTrains and serves a model.\n",
}


@pytest.fixture
def captured(monkeypatch: pytest.MonkeyPatch) -> list[Facts]:
    """The Facts object(s) a real audit builds."""
    seen: list[Facts] = []

    class Spy(Facts):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            seen.append(self)

    monkeypatch.setattr(audit_module, "Facts", Spy)
    return seen


def test_each_file_read_and_parsed_at_most_once(tmp_path: Path, captured: list[Facts]) -> None:
    root = make_repo(tmp_path / "r", FILES, git=True)
    audit(root)
    (facts,) = captured
    assert facts.repo.reads, "the audit read nothing"
    assert {p: n for p, n in facts.repo.reads.items() if n != 1} == {}
    assert {k: n for k, n in facts.parse_counts.items() if n != 1} == {}
    # a notebook: its JSON for the notebook view, then its code; each once
    assert facts.parse_counts[("nb", "notebooks/explore.ipynb")] == 1
    assert facts.parse_counts[("nbpy", "notebooks/explore.ipynb")] == 1
    # .py files: one full parse each, whatever number of checks asked for them
    assert {p: n for p, n in facts.parses.items() if p.endswith(".py") and n != 1} == {}


def test_files_no_check_can_use_are_not_parsed(tmp_path: Path, captured: list[Facts]) -> None:
    root = make_repo(tmp_path / "r", FILES, git=True)
    audit(root)
    (facts,) = captured
    parsed = {path for kind, path in facts.parse_counts if kind == "py"}
    assert {"pkg/train.py", "pkg/serve.py", "tests/test_features.py"} <= parsed
    assert "pkg/util.py" not in parsed
    assert "pkg/more/util2.py" not in parsed
    # ...but they were read (one cheap text scan decides)
    assert facts.repo.reads["pkg/util.py"] == 1


def test_python_files_filters_match_a_per_file_scan(tmp_path: Path) -> None:
    files = {
        "a.py": "x = 'alpha'\n",
        "b.py": "def beta():\n    return 1\n",
        "c/test_c.py": "def test_c():\n    assert 'ALPHA'\n",
        "d.py": "y = 2\n",
        "e.ipynb": notebook("z = 'alpha'"),
    }
    facts = Facts(Repo.open(make_repo(tmp_path / "r", files)))

    def paths(**kwargs: object) -> list[str]:
        return [p for p, _ in facts.python_files(**kwargs)]  # type: ignore[arg-type]

    assert paths() == ["a.py", "b.py", "c/test_c.py", "d.py"]
    assert paths(mentions=("alpha",)) == ["a.py"]
    assert paths(mentions=("alpha",), notebooks=True) == ["a.py", "e.ipynb"]
    assert paths(mentions=("\0",)) == []  # the joined text's separator never matches
    assert paths(mentions=("",)) == ["a.py", "b.py", "c/test_c.py", "d.py"]
    assert paths(mentions=("y = 2\n",)) == ["d.py"]  # a token at the very end of the text
    assert paths(mentions=("n 1\ny",)) == []  # never across two files
    assert paths(pattern=r"(?i)alpha") == ["a.py", "c/test_c.py"]
    assert paths(pattern=r"(?i)alpha", tests=False) == ["a.py"]
    assert paths(mentions=("def",), tests=True) == ["c/test_c.py"]
    assert paths(pattern=r"^def") == ["b.py", "c/test_c.py"]  # anchors: file by file
    assert paths(pattern=r"'\n.def") == []  # a match over the separator is no match
    assert paths(pattern=r"beta|y = 2") == ["b.py", "d.py"]
    assert paths(select=lambda p: p.startswith("c/")) == ["c/test_c.py"]
    assert paths(select=lambda p: p != "a.py", pattern="alpha|beta") == ["b.py"]


def test_glob_and_under_keep_index_order(tmp_path: Path) -> None:
    files = {"a/x.yml": "", "a/b/y.yaml": "", "b/z.yml": "", "ab/w.yml": "", "a.yml": ""}
    repo = Repo.open(make_repo(tmp_path / "r", files))
    assert repo.glob("*.yml") == ["a.yml", "a/x.yml", "ab/w.yml", "b/z.yml"]
    assert repo.glob("a/*.yml", "*/z.yml") == ["a/x.yml", "b/z.yml"]
    assert repo.glob("[ab]/*.y*ml") == ["a/b/y.yaml", "a/x.yml", "b/z.yml"]
    assert repo.glob() == []
    assert repo.under("a") == ["a/b/y.yaml", "a/x.yml"]
    assert repo.under("a/") == ["a/b/y.yaml", "a/x.yml"]
    assert repo.under("c") == []
