"""monitor-7 (REVIEW-R point 9): an Evidently job whose current data is the file the serving
code appends request rows to is monitoring production data."""

from __future__ import annotations

from pathlib import Path

from ml_readiness.evidence import Evidence
from tests.helpers import audit, levels, make_repo, run_check

API = """\
import os
from pathlib import Path

import pandas as pd
from fastapi import FastAPI

app = FastAPI()
DRIFT_CURRENT_PATH = Path(os.environ.get("DRIFT_CURRENT_PATH", "WRITTEN"))


def _append_row(path, row):
    pd.DataFrame([row]).to_csv(path, mode="a", header=False, index=False)


@app.post("/predict")
def predict(x: float):
    _append_row(DRIFT_CURRENT_PATH, {"x": x})
    return {"y": x}
"""
JOB = """\
import argparse
from pathlib import Path

import pandas as pd
from evidently import Report
from evidently.presets import DataDriftPreset


def run_drift(reference_csv, current_csv):
    ref = pd.read_csv(reference_csv)
    cur = pd.read_csv(current_csv)
    report = Report(metrics=[DataDriftPreset()])
    report.run(reference_data=ref, current_data=cur)


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--reference", type=Path, default=Path("data/drift/reference.csv"))
    parser.add_argument("--current", type=Path, default=Path("data/drift/current.csv"))
    args = parser.parse_args()
    run_drift(args.reference, args.current)
"""


def _run(tmp_path: Path, written: str) -> tuple[list[tuple[str, str]], Path]:
    files = {"app/api.py": API.replace("WRITTEN", written), "monitoring/drift.py": JOB}
    root = make_repo(tmp_path, files)
    produced = run_check(root, "production-quality-monitoring")
    return [(e.location(), e.detail) for e in produced if isinstance(e, Evidence)], root


def test_evidently_current_data_is_the_file_serving_appends_to(tmp_path: Path) -> None:
    found, root = _run(tmp_path, "data/drift/current.csv")
    assert found == [
        (
            "monitoring/drift.py:13",
            "Evidently DataDriftPreset on data the serving code logs (`data/drift/current.csv`, "
            "which the serving code writes (app/api.py:8))",
        )
    ]
    assert levels(audit(root))["monitor-7"] == "manual"


def test_trap_serving_writes_another_file(tmp_path: Path) -> None:
    found, root = _run(tmp_path, "logs/requests_audit.csv")
    assert found == []
    assert levels(audit(root))["monitor-7"] == "none"


def test_trap_serving_writes_only_the_reference_path(tmp_path: Path) -> None:
    """The shared literal is the reference sample, not the current data."""
    found, _ = _run(tmp_path, "data/drift/reference.csv")
    assert found == []
