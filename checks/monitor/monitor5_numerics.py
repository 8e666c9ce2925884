"""monitor-5: NaN/Inf and numeric anomalies are detected in training and serving."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ml_readiness.checklib import always_skipped, call_evidence, find_calls
from ml_readiness.evidence import Evidence, Hint
from ml_readiness.facts import Facts, is_test_path
from ml_readiness.registry import check

from ._shared import emit_rules

ITEM = "monitor-5"
DETECTORS = {
    "torch.autograd.detect_anomaly": "PyTorch anomaly detection",
    "torch.autograd.set_detect_anomaly": "PyTorch anomaly detection",
    "tensorflow.debugging.check_numerics": "TensorFlow check_numerics",
    "tensorflow.debugging.enable_check_numerics": "TensorFlow check_numerics",
    "tensorflow.keras.callbacks.TerminateOnNaN": "Keras TerminateOnNaN",
    "keras.callbacks.TerminateOnNaN": "Keras TerminateOnNaN",
}
FINITE = (
    "numpy.isfinite", "numpy.isnan", "numpy.isinf", "torch.isfinite", "torch.isnan",
    "torch.isinf", "math.isfinite", "math.isnan", "math.isinf", "tensorflow.math.is_finite",
    "tensorflow.math.is_nan", "jax.numpy.isfinite", "jax.numpy.isnan",
    "numpy.testing.assert_all_finite", "sklearn.utils.assert_all_finite",
)  # fmt: skip
TRAINERS = ("pytorch_lightning.Trainer", "lightning.Trainer", "lightning.pytorch.Trainer")
FINITE_TOKENS = ("isfinite", "isnan", "isinf", "is_finite", "is_nan", "all_finite")
GUARD = re.compile(r"^\s*(assert|if|elif|while)\b|\braise\b")
NAN_RULES = r"\bnan\b|isnan|inf\b|non_?finite|numeric"


@check(ITEM)
def numeric_stability(facts: Facts) -> Iterator[Evidence | Hint]:
    """NaN/Inf checks or anomaly detection in training, serving or tests.

    Counts `torch.autograd.detect_anomaly`/`set_detect_anomaly(True)`, TensorFlow
    `check_numerics`, Keras `TerminateOnNaN`, Lightning `Trainer(detect_anomaly=True)`,
    gradient clipping that fails on non-finite norms (`error_if_nonfinite=True`), and
    `isfinite`/`isnan`/`isinf` used in an assert, a raise or an if-guard (in code or in a test
    asserting finite outputs), plus alert rules on NaN metrics. `isnan` used to filter or fill
    values is data cleaning, not a stability check.
    """
    found = False
    for path, call in find_calls(facts, *DETECTORS):
        if call.attr == "set_detect_anomaly" and call.args[:1] != (True,):
            continue
        found = True
        yield call_evidence(ITEM, path, call, f"{DETECTORS[_key(call.qualified)]} `{call.name}`")
    for path, call in find_calls(facts, *TRAINERS, mentions=("detect_anomaly",)):
        if call.kw("detect_anomaly") is True:
            found = True
            yield call_evidence(ITEM, path, call, "Lightning Trainer(detect_anomaly=True)")
    for path, call in find_calls(facts, "torch.nn.utils.clip_grad_norm_"):
        if call.kw("error_if_nonfinite") is True:
            found = True
            yield call_evidence(ITEM, path, call, "gradient clipping that fails on NaN/Inf norms")
    filters = []
    for path, call in find_calls(facts, *FINITE, mentions=FINITE_TOKENS):
        lines = facts.lines(path)
        text = lines[call.line - 1] if 0 < call.line <= len(lines) else ""
        if not (GUARD.search(text) or call.attr.startswith("assert")):
            filters.append(f"{path}:{call.line}")
            continue
        if is_test_path(path):
            pf = facts.python(path)
            fn = pf.function(call.scope) if pf else None
            if fn is None or not fn.is_test or always_skipped(fn, pf):
                continue
        found = True
        yield call_evidence(
            ITEM, path, call, f"non-finite check `{call.name}` ({text.strip()[:60]})"
        )
    rules = emit_rules(ITEM, facts, NAN_RULES, "non-finite values")
    yield from rules
    if not found and not rules:
        if filters:
            yield Hint(
                ITEM,
                f"isnan/isfinite used only to filter or fill values ({', '.join(filters[:3])}), "
                "not as a check that stops or alerts; not credited",
            )
        yield Hint(ITEM, "no NaN/Inf check, anomaly detection or TerminateOnNaN found")


def _key(qualified: str) -> str:
    return next(
        k for k in DETECTORS if qualified == k or qualified.endswith("." + k.split(".")[-1])
    )
