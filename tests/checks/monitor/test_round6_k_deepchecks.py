"""monitor-7 / monitor-3 (REVIEW-G D7): Deepchecks drift checks read like Evidently runs."""

from __future__ import annotations

from pathlib import Path

from tests.checks.monitor._util import automation, evidence, hints, level, run

QUALITY = "production-quality-monitoring"
SKEW = "training-serving-skew"
PROD = """\
import sys

import pandas as pd
from deepchecks.tabular import Dataset
from deepchecks.tabular.checks import FeatureDrift

reference = pd.read_parquet("data/train.parquet")
production = pd.read_parquet("logs/serving_requests.parquet")
result = FeatureDrift().add_condition_drift_score_less_than(0.2).run(
    train_dataset=Dataset(reference), test_dataset=Dataset(production)
)
if not result.passed_conditions():
    sys.exit(1)
"""
SPLIT = PROD.replace("logs/serving_requests", "data/test").replace("production", "test_split")


def test_deepchecks_drift_on_production_data(tmp_path: Path) -> None:
    produced = run(tmp_path, {"monitoring/drift_check.py": PROD}, QUALITY)
    assert evidence(produced) == [
        (
            "monitoring/drift_check.py:9",
            "code",
            "manual",
            "Deepchecks FeatureDrift on production data (`production`) with a threshold "
            "(`add_condition_drift_score_less_than`), not on a schedule",
        )
    ]
    assert level(produced) == "manual"
    skew = run(tmp_path / "s", {"monitoring/drift_check.py": PROD}, SKEW)
    assert evidence(skew) == [
        (
            "monitoring/drift_check.py:9",
            "code",
            "manual",
            'Deepchecks FeatureDrift compares reference data (`reference` = pd.read_parquet("data/'
            'train.parquet")) with serving data (`production`), not on a schedule',
        )
    ]


def test_deepchecks_drift_on_a_schedule_is_automated(tmp_path: Path) -> None:
    amap = automation(("monitoring/drift_check.py", None, "schedule"))
    produced = run(tmp_path, {"monitoring/drift_check.py": PROD}, QUALITY, amap)
    assert [e[2] for e in evidence(produced)] == ["automated"]
    assert level(produced, amap) == "automated"


def test_trap_deepchecks_between_splits(tmp_path: Path) -> None:
    produced = run(tmp_path, {"monitoring/drift_check.py": SPLIT}, QUALITY)
    assert evidence(produced) == []
    assert hints(produced) == [
        "monitoring/drift_check.py:9 runs Deepchecks FeatureDrift on data that is not production "
        "data (an offline comparison: `test_split`); not credited"
    ]
    skew = run(tmp_path / "s", {"monitoring/drift_check.py": SPLIT}, SKEW)
    assert evidence(skew) == []
    assert level(skew) == "none"


def test_trap_deepchecks_on_production_without_threshold(tmp_path: Path) -> None:
    code = PROD.replace(".add_condition_drift_score_less_than(0.2)", "").replace(
        "if not result.passed_conditions():\n    sys.exit(1)\n", "print(result)\n"
    )
    produced = run(tmp_path, {"monitoring/drift_check.py": code}, QUALITY)
    assert evidence(produced) == []
    assert hints(produced)[0] == (
        "monitoring/drift_check.py:9 runs Deepchecks FeatureDrift on production data, but no "
        "condition or threshold fails the run; not credited"
    )
