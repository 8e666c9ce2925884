"""model-5 helper: the TFX Evaluator comparing each candidate with the last blessed model.
No checks are registered here."""

from __future__ import annotations

from collections.abc import Iterator

from ml_readiness.checks.data._shared import tfx_component_unused
from ml_readiness.checks.model._shared import call_at

from ml_readiness.evidence import Evidence, Hint
from ml_readiness.facts import Facts, is_example_config


def _change_threshold(facts: Facts, calls: list) -> str | None:
    """Where a TFMA change threshold (candidate versus baseline) is configured: a
    `GenericChangeThreshold(...)` in the file, or `change_threshold` in an eval config."""
    if any(c.attr == "GenericChangeThreshold" for c in calls):
        return "a `GenericChangeThreshold`"
    configs = [
        p
        for p in facts.repo.with_suffix(".pbtxt", ".config", ".json", ".yaml", ".yml")
        if not is_example_config(p) and facts.mentions(p, "change_threshold")
    ]
    return f"`change_threshold` in {configs[0]}" if configs else None


def tfx_baseline_evaluations(facts: Facts, item: str) -> Iterator[Evidence | Hint]:
    """A TFX `Evaluator(baseline_model=...)` that is part of the pipeline: TFMA evaluates the
    candidate next to the baseline (usually the latest blessed model, resolved by a
    `LatestBlessedModelStrategy` resolver) and, with a change threshold, blesses the candidate
    only when it is not worse. An Evaluator built but never added to the pipeline (the TFX
    template's commented-out `components.append(evaluator)`) compares nothing."""
    for path, pf in facts.python_files(mentions=("Evaluator",), tests=False):
        for call in pf.calls:
            if call.attr != "Evaluator" or not call.qualified.startswith("tfx"):
                continue
            if not call.has_kw("baseline_model"):
                continue
            unused = tfx_component_unused(facts, path, call)
            if unused:
                yield Hint(
                    item,
                    f"TFX `Evaluator` with a baseline model is built at {path}:{call.line} but "
                    f"`{unused}` is never added to the pipeline's components; not credited",
                )
                continue
            gate = _change_threshold(facts, pf.calls)
            how = f"; gated by {gate}" if gate else "; no change threshold gates it"
            detail = (
                "TFX Evaluator compares the candidate with the baseline model "
                f"(`baseline_model=`){how}"
            )
            yield call_at(facts, item, path, call, detail)
