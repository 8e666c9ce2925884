"""monitor-5: numeric stability."""

from __future__ import annotations

from pathlib import Path

from tests.checks.monitor._util import automation, evidence, hints, level, run

CHECK = "numeric-stability"


def test_training_loop_guard_and_callbacks(tmp_path: Path) -> None:
    files = {
        "train.py": """
            import math
            import torch
            from tensorflow import keras

            def train(model, batches):
                torch.autograd.set_detect_anomaly(True)
                for batch in batches:
                    loss = model(batch)
                    if not math.isfinite(loss.item()):
                        raise RuntimeError("loss is not finite")
                    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0, error_if_nonfinite=True)
                return keras.callbacks.TerminateOnNaN()
        """
    }
    amap = automation(("train.py", "train", "schedule"))
    produced = run(tmp_path, files, CHECK, amap)
    assert evidence(produced) == [
        (
            "train.py:6",
            "code",
            "automated",
            "PyTorch anomaly detection `torch.autograd.set_detect_anomaly`",
        ),
        (
            "train.py:12",
            "code",
            "automated",
            "Keras TerminateOnNaN `keras.callbacks.TerminateOnNaN`",
        ),
        ("train.py:11", "code", "automated", "gradient clipping that fails on NaN/Inf norms"),
        (
            "train.py:9",
            "code",
            "automated",
            "non-finite check `math.isfinite` (if not math.isfinite(loss.item()):)",
        ),
    ]
    assert level(produced, amap) == "automated"
    assert level(produced) == "manual"


def test_test_asserting_finite_outputs(tmp_path: Path) -> None:
    files = {
        "tests/test_model.py": """
            import numpy as np
            from model import predict

            def test_outputs_are_finite():
                assert np.isfinite(predict(np.array([1e30]))).all()
        """
    }
    amap = automation(("tests/test_model.py", "test_outputs_are_finite", "change"))
    produced = run(tmp_path, files, CHECK, amap)
    assert evidence(produced) == [
        (
            "tests/test_model.py:5",
            "test",
            "automated",
            "non-finite check `np.isfinite` (assert np.isfinite(predict(np.array([1e30]))).all())",
        )
    ]
    assert level(produced, amap) == "automated"


def test_trap_isnan_used_to_filter_and_disabled_anomaly_detection(tmp_path: Path) -> None:
    files = {
        "prep.py": """
            import numpy as np
            import torch

            def clean(x):
                torch.autograd.set_detect_anomaly(False)
                return x[~np.isnan(x)]
        """,
        "tests/test_skip.py": """
            import pytest
            import numpy as np

            @pytest.mark.skip(reason="later")
            def test_finite():
                assert np.isfinite(1.0)
        """,
    }
    produced = run(tmp_path, files, CHECK)
    assert evidence(produced) == []
    assert hints(produced) == [
        "isnan/isfinite used only to filter or fill values (prep.py:6), not as a check that "
        "stops or alerts; not credited",
        "no NaN/Inf check, anomaly detection or TerminateOnNaN found",
    ]
    assert level(produced) == "none"


def test_lightning_detect_anomaly(tmp_path: Path) -> None:
    files = {"fit.py": "import lightning as L\ntrainer = L.Trainer(detect_anomaly=True)\n"}
    produced = run(tmp_path, files, CHECK)
    assert evidence(produced) == [
        ("fit.py:2", "code", "automated", "Lightning Trainer(detect_anomaly=True)")
    ]
