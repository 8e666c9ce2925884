"""monitor-7: production prediction quality."""

from __future__ import annotations

from pathlib import Path

from tests.checks.monitor._util import automation, evidence, hints, level, run
from tests.helpers import notebook

CHECK = "production-quality-monitoring"
DRIFT_JOB = """
    import pandas as pd
    from evidently.report import Report
    from evidently.metric_preset import DataDriftPreset

    def main():
        reference = pd.read_parquet("data/reference.parquet")
        production = pd.read_parquet("logs/predictions_latest.parquet")
        report = Report(metrics=[DataDriftPreset()])
        report.run(reference_data=reference, current_data=production)

    if __name__ == "__main__":
        main()
"""


def test_scheduled_evidently_drift_job_is_automated(tmp_path: Path) -> None:
    amap = automation(("monitoring/drift.py", "main", "schedule"))
    produced = run(tmp_path, {"monitoring/drift.py": DRIFT_JOB}, CHECK, amap)
    assert evidence(produced) == [
        (
            "monitoring/drift.py:9",
            "code",
            "automated",
            "Evidently DataDriftPreset on production data (`report.run`)",
        )
    ]
    assert level(produced, amap) == "automated"
    assert level(produced) == "manual"


def test_trap_evidently_train_vs_test_in_notebook(tmp_path: Path) -> None:
    nb = notebook(
        """
        from evidently.report import Report
        from evidently.metric_preset import DataDriftPreset
        r = Report(metrics=[DataDriftPreset()])
        r.run(reference_data=train_df, current_data=test_df)
        """
    )
    produced = run(tmp_path, {"notebooks/eda.ipynb": nb}, CHECK)
    assert evidence(produced) == []
    assert hints(produced)[0] == (
        "notebooks/eda.ipynb:12 runs Evidently on test_df that is not production data (an "
        "offline comparison); not credited"
    )
    assert level(produced) == "none"


def test_scheduled_evaluation_and_quality_alert(tmp_path: Path) -> None:
    files = {
        "jobs/evaluate_production.py": "def main():\n    pass\n\n"
        "if __name__ == '__main__':\n    main()\n",
        "k8s/rules.yaml": """
            apiVersion: monitoring.coreos.com/v1
            kind: PrometheusRule
            spec:
              groups:
                - name: quality
                  rules:
                    - alert: AccuracyDrop
                      expr: model_accuracy_7d < 0.85
        """,
    }
    amap = automation(("jobs/evaluate_production.py", "<main>", "schedule"))
    produced = run(tmp_path, files, CHECK, amap)
    assert evidence(produced) == [
        (
            "jobs/evaluate_production.py:5",
            "code",
            "automated",
            "evaluation jobs/evaluate_production.py runs on a schedule via "
            ".github/workflows/schedule.yml#job",
        ),
        (
            "k8s/rules.yaml:7",
            "config",
            "automated",
            "alert rule AccuracyDrop on model quality (`model_accuracy_7d < 0.85`), loaded by "
            "PrometheusRule manifest",
        ),
    ]


def test_trap_evaluation_on_push_only(tmp_path: Path) -> None:
    files = {"evaluate.py": "if __name__ == '__main__':\n    print(1)\n"}
    amap = automation(("evaluate.py", "<main>", "change"))
    produced = run(tmp_path, files, CHECK, amap)
    assert evidence(produced) == []
    assert hints(produced)[0] == "evaluate.py runs on change, not on a schedule over fresh labels"


def test_alibi_detect_detector(tmp_path: Path) -> None:
    files = {
        "monitor.py": """
            from alibi_detect.cd import KSDrift

            def build(ref):
                return KSDrift(ref, p_val=0.05)
        """
    }
    produced = run(tmp_path, files, CHECK)
    assert evidence(produced) == [
        ("monitor.py:4", "code", "automated", "alibi-detect drift detector `KSDrift`")
    ]
