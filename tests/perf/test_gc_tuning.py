"""The audit command stops rescanning the objects that survive a collection (the audit's facts
live to its end), except with --validate-data, whose libraries keep their usual collector."""

from __future__ import annotations

import subprocess
import sys


def _thresholds(young_only: bool) -> str:
    code = (
        "import gc; from ml_readiness.cli import _tune_gc; "
        f"_tune_gc(young_only={young_only}); print(gc.get_threshold())"
    )
    return subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()


def test_audit_collects_only_young_objects():
    assert _thresholds(True) == "(10000, 1000000000, 1000000000)"


def test_data_validation_keeps_older_generations_collected():
    assert _thresholds(False) == "(10000, 20, 1000)"
