"""Monitoring checks with the real AutomationMap: GitHub Actions workflows run the evidence."""

from __future__ import annotations

from pathlib import Path

from tests.checks.monitor.test_monitor3_skew import PARITY_TEST, SHARED, SKEW_JOB
from tests.helpers import audit, levels, make_repo

PUSH_PYTEST = """
    on: [push, pull_request]
    jobs:
      test:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - run: pip install -r requirements.txt
          - run: pytest tests
"""


def schedule(command: str) -> str:
    return f"""
        on:
          schedule:
            - cron: "0 3 * * 1"
        jobs:
          run:
            runs-on: ubuntu-latest
            steps:
              - uses: actions/checkout@v4
              - run: {command}
    """


def test_monitor3_parity_test_in_ci_is_automated(tmp_path: Path) -> None:
    files = {
        **SHARED,
        "tests/test_parity.py": PARITY_TEST,
        ".github/workflows/ci.yml": PUSH_PYTEST,
        "requirements.txt": "pandas\n",
    }
    result = audit(make_repo(tmp_path, files, git=True))
    assert levels(result)["monitor-3"] == "automated"


def test_monitor3_scheduled_skew_job_is_automated(tmp_path: Path) -> None:
    files = {
        "jobs/skew.py": SKEW_JOB,
        ".github/workflows/skew.yml": schedule("python jobs/skew.py"),
    }
    result = audit(make_repo(tmp_path, files, git=True))
    assert levels(result)["monitor-3"] == "automated"


def test_monitor4_scheduled_retraining_is_automated(tmp_path: Path) -> None:
    files = {
        "src/train.py": "def main():\n    pass\n\nif __name__ == '__main__':\n    main()\n",
        ".github/workflows/retrain.yml": schedule("python src/train.py"),
    }
    result = audit(make_repo(tmp_path, files, git=True))
    item = next(i for i in result.items if i.id == "monitor-4")
    assert item.level == "automated"
    assert [(e.path, e.line, e.detail) for e in item.evidence] == [
        (
            ".github/workflows/retrain.yml",
            5,
            "scheduled job .github/workflows/retrain.yml#run retrains the model: it runs "
            "src/train.py:<main>",
        )
    ]
    assert item.evidence[0].via["trigger"] == "schedule"


def test_monitor4_training_on_push_is_not_retraining(tmp_path: Path) -> None:
    files = {
        "train.py": "def main():\n    pass\n\nif __name__ == '__main__':\n    main()\n",
        ".github/workflows/ci.yml": PUSH_PYTEST.replace("pytest tests", "python train.py"),
    }
    result = audit(make_repo(tmp_path, files, git=True))
    assert levels(result)["monitor-4"] == "none"


def test_monitor5_finite_test_in_ci_is_automated(tmp_path: Path) -> None:
    files = {
        "model.py": "def predict(x):\n    return x\n",
        "tests/test_model.py": """
            import math
            from model import predict

            def test_finite():
                assert math.isfinite(predict(1e300))
        """,
        ".github/workflows/ci.yml": PUSH_PYTEST,
    }
    result = audit(make_repo(tmp_path, files, git=True))
    assert levels(result)["monitor-5"] == "automated"


def test_monitor7_scheduled_drift_job_is_automated(tmp_path: Path) -> None:
    from tests.checks.monitor.test_monitor7_prediction_quality import DRIFT_JOB

    files = {
        "monitoring/drift.py": DRIFT_JOB,
        ".github/workflows/drift.yml": schedule("python monitoring/drift.py"),
    }
    result = audit(make_repo(tmp_path, files, git=True))
    assert levels(result)["monitor-7"] == "automated"
