"""model-4: the impact of model staleness is known.

Evidence: an analysis of quality versus model age (doc sections, notebooks with saved outputs,
analysis scripts) or a documented retraining cadence with its justification. Manual at most;
without either, a Hint offers a ready-to-paste attestation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ml_readiness.checks.model._shared import (
    evidence_at,
    is_metric_call,
    notebooks,
    section_evidence,
)

from ml_readiness.checklib import attestation_hint, doc_sections
from ml_readiness.evidence import Evidence, Hint
from ml_readiness.facts import Facts, is_test_path
from ml_readiness.registry import check

ITEM = "model-4"
ANALYSIS_TITLES = (
    r"\bstal(e|eness)\b|model age|age of (the )?model|model freshness|"
    r"(model|quality|performance|accuracy|metric|prediction)s? (decay|degradation|drift over time)|"
    r"(decay|degradation) (of|in) (model|quality|performance|accuracy)"
)
CADENCE_TITLES = r"retrain(ing)?\s+(cadence|schedule|frequency|policy|interval)|when to retrain"
JUSTIFIED = (
    r"because|since|so that|measured|observed|drops?|decay|degrad|lose|loses|"
    r"\d+(\.\d+)?\s*%|\b0\.\d+\b"
)
ANALYSIS_NAMES = re.compile(
    r"stale|staleness|model[_-]?age|freshness|decay|retrain[_-]?cadence", re.I
)


def analysis_code(facts: Facts) -> list[Evidence]:
    """Notebooks or scripts named after a staleness analysis that compute quality metrics."""
    out = []
    candidates = [p for p in facts.repo.with_suffix(".py") if not is_test_path(p)] + notebooks(
        facts
    )
    for path in candidates:
        if not ANALYSIS_NAMES.search(path.rsplit("/", 1)[-1]):
            continue
        pf = facts.python(path)
        metric = next((c for c in pf.calls if is_metric_call(c)), None) if pf else None
        if metric is None:
            continue
        out.append(
            evidence_at(
                facts,
                ITEM,
                path,
                metric.line,
                metric.scope,
                f"staleness analysis computes `{metric.name}` against model age",
                credit="manual",
            )
        )
    return out


@check(ITEM)
def staleness_impact(facts: Facts) -> Iterator[Evidence | Hint]:
    """Analysis of quality versus model age, or a justified retraining cadence.

    Looks for substantive doc or notebook sections titled like "model staleness", "model
    age", "model decay", "quality degradation" (a "learning rate decay" section does not
    count); retraining-cadence sections ("retraining cadence/schedule/frequency") that give a
    justification (a measured drop, a percentage, "because ..."); and notebooks or scripts
    named after a staleness analysis that compute a quality metric (a notebook with saved
    outputs is a result). All manual; otherwise a Hint offers an attestation snippet.
    """
    found = section_evidence(facts, ITEM, ANALYSIS_TITLES, "model staleness analysis")
    found += section_evidence(
        facts, ITEM, CADENCE_TITLES, "justified retraining cadence", body_rx=JUSTIFIED
    )
    seen = {(e.path, e.line) for e in found}
    found += [e for e in analysis_code(facts) if (e.path, e.line) not in seen]
    yield from found
    for path, section in doc_sections(facts, CADENCE_TITLES):
        if re.search(JUSTIFIED, section.body, re.I):
            continue
        yield Hint(
            ITEM,
            f'{path}:{section.line} states a retraining cadence ("{section.title}") without '
            "saying why (no measured quality drop or reason); not credited",
        )
    if not found:
        yield attestation_hint(
            ITEM,
            "an analysis of model quality versus model age or a justified retraining cadence",
            "docs/model-staleness.md",
        )
