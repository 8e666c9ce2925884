"""Generate a synthetic ML monorepo of N files, deterministically from a seed.

The mix imitates real ML monorepos: Python packages with features/model/train/serve modules
and tests, notebooks, YAML configs, CI workflows, data samples and binary artifacts.

    python benchmarks/generate.py OUT_DIR --files 10000 --seed 0
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
from pathlib import Path

FEATURES = '''"""Feature engineering for {pkg}."""
import numpy as np
import pandas as pd
from sklearn.preprocessing import StandardScaler


def build_features(df: pd.DataFrame) -> pd.DataFrame:
    out = df.copy()
    out["ratio_{n}"] = out["a"] / (out["b"] + 1)
    out["log_{n}"] = np.log1p(out["c"].clip(lower=0))
    return out


def scale(df: pd.DataFrame) -> np.ndarray:
    return StandardScaler().fit_transform(df.select_dtypes("number"))
'''
MODEL = '''"""Model definition for {pkg}."""
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def make_model(n_estimators: int = {n}):
    return make_pipeline(StandardScaler(), RandomForestClassifier(n_estimators=n_estimators,
                                                                  random_state=0))
'''
TRAIN = '''"""Train {pkg}."""
import random

import joblib
import numpy as np
import pandas as pd

from {pkg}.features import build_features
from {pkg}.model import make_model


def main(path: str = "data/{pkg}.csv") -> None:
    random.seed(0)
    np.random.seed(0)
    df = build_features(pd.read_csv(path))
    model = make_model()
    model.fit(df.drop(columns=["label"]), df["label"])
    joblib.dump(model, "model.joblib")


if __name__ == "__main__":
    main()
'''
SERVE = '''"""Serve {pkg}."""
import joblib
import pandas as pd
from fastapi import FastAPI
from pydantic import BaseModel, Field

from {pkg}.features import build_features

app = FastAPI()
MODEL = None


class Row(BaseModel):
    a: float = Field(ge=0)
    b: float = Field(ge=0)
    c: float


@app.post("/predict")
def predict(row: Row) -> dict:
    global MODEL
    MODEL = MODEL or joblib.load("model.joblib")
    frame = build_features(pd.DataFrame([row.model_dump()]))
    return {{"score": float(MODEL.predict_proba(frame)[0, 1])}}
'''
UTIL = '''"""Helpers {n}."""
import logging
import os

LOG = logging.getLogger(__name__)


def env_flag(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.lower() in ("1", "true", "yes")


def chunks(items, size={n}):
    for start in range(0, len(items), size):
        yield items[start:start + size]
'''
TEST = """import pandas as pd

from {pkg}.features import build_features
from {pkg}.model import make_model


def test_features_{n}():
    df = pd.DataFrame({{"a": [1.0], "b": [1.0], "c": [2.0]}})
    assert "ratio_{n}" in build_features(df).columns


def test_model_{n}():
    assert make_model(3) is not None
"""
WORKFLOW = """name: {pkg}
on:
  push:
    paths: ["packages/{pkg}/**"]
  pull_request:
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pip install -r packages/{pkg}/requirements.txt
      - run: pytest packages/{pkg}/tests
"""
PARAMS = "model:\n  n_estimators: {n}\n  max_depth: 8\ntrain:\n  test_size: 0.2\n  seed: 0\n"


def _notebook(pkg: str, n: int) -> str:
    cells = [
        {
            "cell_type": "code",
            "execution_count": 1,
            "metadata": {},
            "outputs": [{"output_type": "stream", "name": "stdout", "text": [f"{n}\n"]}],
            "source": [
                "import pandas as pd\n",
                f"df = pd.read_csv('data/{pkg}.csv')\n",
                "df.describe()",
            ],
        },
        {"cell_type": "markdown", "metadata": {}, "source": [f"# Exploration {n}"]},
    ]
    return json.dumps(
        {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}, indent=1
    )


def generate(out: Path, files: int, seed: int = 0, git: bool = True) -> int:
    """Write about `files` files under `out`; return how many were written."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    written = 0
    made: set[str] = set()

    def put(rel: str, content: str | bytes) -> None:
        nonlocal written
        folder = os.path.dirname(rel)
        if folder not in made:  # one mkdir per folder, not per file
            os.makedirs(os.path.join(out, folder), exist_ok=True)
            made.add(folder)
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        with open(os.path.join(out, rel), "wb") as handle:
            handle.write(data)
        written += 1

    put("README.md", "# Synthetic ML monorepo\n")
    put(
        ".github/dependabot.yml",
        "version: 2\nupdates:\n  - package-ecosystem: pip\n"
        "    directory: /\n    schedule: {interval: weekly}\n",
    )
    n = 0
    workflows = 0
    while written < files:
        pkg = f"pkg{n:05d}"
        base = f"packages/{pkg}"
        put(f"{base}/{pkg}/__init__.py", "")
        put(f"{base}/{pkg}/features.py", FEATURES.format(pkg=pkg, n=n))
        put(f"{base}/{pkg}/model.py", MODEL.format(pkg=pkg, n=10 + n % 90))
        put(f"{base}/{pkg}/train.py", TRAIN.format(pkg=pkg))
        put(f"{base}/{pkg}/serve.py", SERVE.format(pkg=pkg))
        for u in range(rng.randint(2, 8)):
            put(f"{base}/{pkg}/utils/util_{u}.py", UTIL.format(n=u + 1))
        put(f"{base}/tests/test_{pkg}.py", TEST.format(pkg=pkg, n=n))
        put(f"{base}/requirements.txt", "pandas==2.2.2\nscikit-learn==1.5.0\nfastapi==0.111.0\n")
        put(f"{base}/params.yaml", PARAMS.format(n=10 + n))
        put(f"{base}/notebooks/explore.ipynb", _notebook(pkg, n))
        rows = "\n".join(
            f"{rng.random():.4f},{rng.random():.4f},{rng.random():.4f},{rng.randint(0, 1)}"
            for _ in range(40)
        )
        put(f"{base}/data/{pkg}.csv", "a,b,c,label\n" + rows + "\n")
        put(f"{base}/artifacts/model.bin", rng.randbytes(512))
        put(f"{base}/docs/README.md", f"# {pkg}\n\nTrains and serves {pkg}.\n")
        if workflows < 200:
            put(f".github/workflows/{pkg}.yml", WORKFLOW.format(pkg=pkg))
            workflows += 1
        n += 1
    if git:
        env = {
            "GIT_AUTHOR_NAME": "b",
            "GIT_AUTHOR_EMAIL": "b@example.com",
            "GIT_COMMITTER_NAME": "b",
            "GIT_COMMITTER_EMAIL": "b@example.com",
            "GIT_CONFIG_GLOBAL": "/dev/null",
            "PATH": "/usr/bin:/bin:/usr/local/bin",
            "HOME": str(out),
        }
        for cmd in (
            ["git", "init", "-q"],
            ["git", "add", "-A"],
            ["git", "-c", "commit.gpgsign=false", "commit", "-q", "-m", "synthetic"],
        ):
            subprocess.run(cmd, cwd=out, check=True, env=env, capture_output=True)
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-git", action="store_true")
    args = parser.parse_args()
    count = generate(args.out, args.files, args.seed, git=not args.no_git)
    print(f"wrote {count} files to {args.out}")


if __name__ == "__main__":
    main()
