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


def test_trap_isnan_guard_that_returns_none_is_a_filter(tmp_path: Path) -> None:
    files = {
        "jobs/ml_training.py": """
            import math

            def _to_float(value):
                if math.isnan(value) or math.isinf(value):
                    return None
                return float(value)

            def skill(baseline_score, score):
                if isinstance(baseline_score, float) and math.isnan(baseline_score):
                    return None
                return 1 - score / baseline_score
        """
    }
    produced = run(tmp_path, files, CHECK)
    assert evidence(produced) == []
    assert hints(produced) == [
        "isnan/isfinite used only to filter or fill values (jobs/ml_training.py:4, "
        "jobs/ml_training.py:9), not as a check that stops or alerts; not credited",
        "no NaN/Inf check, anomaly detection or TerminateOnNaN found",
    ]
    assert level(produced) == "none"


def test_multiline_condition_and_loop_break_and_warning_are_guards(tmp_path: Path) -> None:
    files = {
        "train.py": """
            import logging
            import math
            import numpy as np

            log = logging.getLogger(__name__)

            def fit(model, batches):
                for batch in batches:
                    val_loss = model.step(batch)
                    if (
                        val_loss is None
                        or not math.isfinite(float(val_loss))
                    ):
                        raise RuntimeError("validation loss diverged")
                    grads = model.grads()
                    if np.isnan(grads).any():
                        log.warning("NaN gradients; stopping")
                        break

            if __name__ == "__main__":
                fit(None, [])
        """
    }
    amap = automation(("train.py", "fit", "schedule"))
    produced = run(tmp_path, files, CHECK, amap)
    assert evidence(produced) == [
        (
            "train.py:12",
            "code",
            "automated",
            "non-finite check `math.isfinite` (or not math.isfinite(float(val_loss)))",
        ),
        (
            "train.py:16",
            "code",
            "automated",
            "non-finite check `np.isnan` (if np.isnan(grads).any():)",
        ),
    ]
    assert level(produced, amap) == "automated"


LIBRARY_CHECKS = """
    import math
    import numpy as np

    def needs_calibration(y_true, y_pred_proba):
        if np.isnan(y_true).any():
            raise ValueError("target values contain NaN")
        if np.isnan(y_pred_proba).any():
            raise ValueError("predicted probabilities contain NaN")
        return True

    def metric(metrics, name):
        value = metrics[name]
        if (
            isinstance(value, bool)
            or not math.isfinite(float(value))
        ):
            raise ValueError(f"metric {name} must be finite")
        return float(value)
"""


def test_trap_library_input_validation_is_not_numeric_stability(tmp_path: Path) -> None:
    produced = run(tmp_path, {"lib/calibration.py": LIBRARY_CHECKS}, CHECK)
    assert evidence(produced) == []
    assert hints(produced) == [
        "non-finite checks on values that are not model outputs (lib/calibration.py:5 "
        "`y_true`): input or data validation, not a check that the model is numerically "
        "stable; not credited",
        "non-finite checks on a function's arguments (lib/calibration.py:7 `y_pred_proba`, "
        "lib/calibration.py:15 `float(value)`) that no training or serving entry point "
        "reaches: input validation of a library function; not credited",
        "no NaN/Inf check, anomaly detection or TerminateOnNaN found",
    ]
    assert level(produced) == "none"


def test_argument_check_reached_from_training_is_credited(tmp_path: Path) -> None:
    files = {
        "lib/__init__.py": "",
        "lib/calibration.py": LIBRARY_CHECKS,
        "train.py": """
            from lib.calibration import metric

            def main():
                metric({"rmse": 1.0}, "rmse")

            if __name__ == "__main__":
                main()
        """,
    }
    produced = run(tmp_path, files, CHECK)
    assert evidence(produced) == [
        (
            "lib/calibration.py:15",
            "code",
            "automated",
            "non-finite check `math.isfinite` (or not math.isfinite(float(value)))",
        )
    ]
    assert level(produced) == "manual"
