"""monitor-5: NaN/Inf and numeric anomalies are detected in training and serving."""

from __future__ import annotations

from collections.abc import Iterator

from ml_readiness.checklib import always_skipped, call_evidence, find_calls
from ml_readiness.entrypoints import (
    reachable_functions,
    serving_entry_points,
    training_entry_points,
)
from ml_readiness.evidence import Evidence, Hint
from ml_readiness.facts import Facts, is_test_path
from ml_readiness.facts.python import Call
from ml_readiness.registry import check

from ._finite import Site, finite_sites
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
NAN_RULES = r"\bnan\b|isnan|inf\b|non_?finite|numeric"


@check(ITEM)
def numeric_stability(facts: Facts) -> Iterator[Evidence | Hint]:
    """NaN/Inf checks or anomaly detection in training, serving or tests.

    Counts `torch.autograd.detect_anomaly`/`set_detect_anomaly(True)`, TensorFlow
    `check_numerics`, Keras `TerminateOnNaN`, Lightning `Trainer(detect_anomaly=True)`,
    gradient clipping that fails on non-finite norms (`error_if_nonfinite=True`), and
    `isfinite`/`isnan`/`isinf` checks that stop or alert (an assert; an `if` whose body
    raises, exits, logs a warning/error, alerts or breaks out of a loop; multi-line conditions
    included) on a model output: loss, predictions, scores, probabilities, logits, gradients,
    weights, metrics, or a value computed by calling the model (in code or in a test asserting
    finite outputs), plus alert rules on NaN metrics. `isnan` used to filter or fill values
    (`if isnan(x): return None`) is data cleaning; a NaN check on inputs or targets is data
    validation; a check on a function's own arguments that no training or serving entry point
    reaches is a library's input validation. None of these is credited.
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
    filters: list[str] = []
    others: list[str] = []
    inputs: list[str] = []
    for path, call in find_calls(facts, *FINITE, mentions=FINITE_TOKENS):
        lines = facts.lines(path)
        text = lines[call.line - 1] if 0 < call.line <= len(lines) else ""
        site = _site(facts, path, call)
        where = f"{path}:{call.line}"
        if site is None or not site.guard:
            if where not in filters:
                filters.append(where)
            continue
        if is_test_path(path):
            pf = facts.python(path)
            fn = pf.function(call.scope) if pf else None
            if fn is None or not fn.is_test or always_skipped(fn, pf):
                continue
        if not site.checks_output:
            others.append(f"{where} `{site.shown}`")
            continue
        if (
            site.params_only
            and not is_test_path(path)
            and (path, site.function) not in _reached(facts)
        ):
            inputs.append(f"{where} `{site.shown}`")
            continue
        found = True
        yield call_evidence(
            ITEM, path, call, f"non-finite check `{call.name}` ({text.strip()[:60]})"
        )
    rules = emit_rules(ITEM, facts, NAN_RULES, "non-finite values")
    yield from rules
    if not found and not rules:
        if others:
            yield Hint(
                ITEM,
                f"non-finite checks on values that are not model outputs ({', '.join(others[:3])})"
                ": input or data validation, not a check that the model is numerically stable; "
                "not credited",
            )
        if inputs:
            yield Hint(
                ITEM,
                f"non-finite checks on a function's arguments ({', '.join(inputs[:3])}) that no "
                "training or serving entry point reaches: input validation of a library "
                "function; not credited",
            )
        if filters:
            yield Hint(
                ITEM,
                f"isnan/isfinite used only to filter or fill values ({', '.join(filters[:3])}), "
                "not as a check that stops or alerts; not credited",
            )
        yield Hint(ITEM, "no NaN/Inf check, anomaly detection or TerminateOnNaN found")


def _site(facts: Facts, path: str, call: Call) -> Site | None:
    """The parsed finite-check site of `call` (a guard wins when a line holds several)."""
    sites = [s for s in finite_sites(facts, path) if s.line == call.line and s.attr == call.attr]
    return max(sites, key=lambda s: (s.guard, s.checks_output), default=None)


def _reached(facts: Facts) -> set[tuple[str, str | None]]:
    """Functions reached from a training or serving entry point."""

    def compute(f: Facts) -> set[tuple[str, str | None]]:
        out: set[tuple[str, str | None]] = set()
        for entry in training_entry_points(f) + serving_entry_points(f):
            out |= set(reachable_functions(f, entry))
        return out

    return facts.memo("monitor5.reached", compute)


def _key(qualified: str) -> str:
    return next(
        k for k in DETECTORS if qualified == k or qualified.endswith("." + k.split(".")[-1])
    )
