"""monitor-7: the Evidently 0.7+ API (`from evidently import Report`, `from evidently.presets
import DataDriftPreset`, `Report([...]).run(current, reference)` by position) is read like the
legacy `run(reference_data=..., current_data=...)`; other `.run` calls in the file are not."""

from __future__ import annotations

from pathlib import Path

from tests.checks.monitor._util import automation, evidence, hints, level, run

CHECK = "production-quality-monitoring"
DRIFT_07 = """
    import subprocess

    import pandas as pd
    from evidently import Report
    from evidently.presets import DataDriftPreset

    def main():
        reference = pd.read_parquet("data/reference.parquet")
        production = pd.read_parquet("logs/predictions_latest.parquet")
        subprocess.run(["dvc", "pull", "logs"], check=True)
        report = Report([DataDriftPreset()])
        report.run(production, reference)

    if __name__ == "__main__":
        main()
"""


def test_evidently_07_positional_run_on_production_data(tmp_path: Path) -> None:
    amap = automation(("monitoring/drift.py", "main", "schedule"))
    produced = run(tmp_path, {"monitoring/drift.py": DRIFT_07}, CHECK, amap)
    assert evidence(produced) == [
        (
            "monitoring/drift.py:12",
            "code",
            "automated",
            "Evidently DataDriftPreset on production data (`report.run`)",
        )
    ]
    assert level(produced, amap) == "automated"


def test_evidently_07_on_a_test_split_is_offline(tmp_path: Path) -> None:
    job = DRIFT_07.replace('"logs/predictions_latest.parquet"', '"data/test.parquet"')
    job = job.replace("production", "test_df")
    produced = run(tmp_path, {"monitoring/drift.py": job}, CHECK)
    assert evidence(produced) == []
    assert hints(produced) == [
        "monitoring/drift.py:12 runs Evidently on test_df that is not production data (an "
        "offline comparison); not credited"
    ]  # and nothing about `subprocess.run`
