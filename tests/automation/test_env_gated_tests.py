"""A test skipped unless an environment variable is set (`skipif(not os.environ.get("X"))`)
runs in a GitHub Actions job only when the job's `env:` (or the command: `X=1 pytest`) sets
it. When the workflow writes `$GITHUB_ENV`, or the CI format's environment is not read, the
test is not judged by the variable."""

from __future__ import annotations

import pytest

from ml_readiness.automation.pytest_run import env_gate
from tests.automation.util import amap_of, runs

GATED = """
import os

import pytest

pytestmark = pytest.mark.skipif(
    not os.environ.get("RUN_TRAINING_IT"), reason="trains for real"
)


def test_trains():
    assert 1
"""


def _workflow(run: str, env: str = "") -> str:
    return (
        "on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
        f"{env}    steps:\n      - uses: actions/checkout@v4\n"
        f"      - run: {run}\n"
    )


@pytest.mark.parametrize(
    ("name", "cond", "expected"),
    [
        ("skipif", "not os.environ.get('RUN_SLOW')", "RUN_SLOW"),
        ("skipif", "os.getenv('RUN_SLOW') is None", "RUN_SLOW"),
        ("skipif", "'RUN_SLOW' not in os.environ", "RUN_SLOW"),
        ("skipunless", "os.environ.get('RUN_SLOW')", "RUN_SLOW"),
        ("skipif", "not os.environ.get('RUN_SLOW') and sys.platform == 'darwin'", None),
        ("skipif", "os.environ.get('CI')", None),  # skipped *when* set: not a gate to open
    ],
)
def test_env_gates_are_read_from_the_condition(name, cond, expected):
    assert env_gate(name, cond) == expected


def test_a_gated_test_runs_only_where_the_job_sets_the_variable(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".github/workflows/plain.yml": _workflow("pytest tests"),
            ".github/workflows/job_env.yml": _workflow(
                "pytest tests", env="    env:\n      RUN_TRAINING_IT: '1'\n"
            ),
            ".github/workflows/inline.yml": _workflow("RUN_TRAINING_IT=1 pytest tests"),
            ".github/workflows/dynamic.yml": _workflow(
                'echo "RUN_TRAINING_IT=1" >> "$GITHUB_ENV" && pytest tests'
            ),
            "tests/test_it.py": GATED,
        },
    )
    assert runs(amap, "tests/test_it.py", "test_trains") == {
        ".github/workflows/job_env.yml#test (change)",
        ".github/workflows/inline.yml#test (change)",
        ".github/workflows/dynamic.yml#test (change)",  # $GITHUB_ENV: not judged
    }
    assert amap.reasons["tests/test_it.py::test_trains"] == (
        "tests/test_it.py::test_trains is not run by .github/workflows/plain.yml#test: "
        "skipped unless RUN_TRAINING_IT is set: skipif(not os.environ.get('RUN_TRAINING_IT')), "
        "and the CI job does not set it"
    )
