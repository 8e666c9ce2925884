"""data-1 helper: a validation function that automation runs only through unit tests calling
it directly tests the schema code on the data each test supplies (fixtures, generated CSVs),
not the project's data. No checks registered here."""

from __future__ import annotations

import re
from dataclasses import replace

from ml_readiness.automation import test_hop
from ml_readiness.evidence import Evidence, Hint
from ml_readiness.facts import Facts, is_test_path

# Functions whose job is to validate (`validate_data`, `_check_schema`, `verify_frame`): a test
# that calls one of them directly is a unit test of the validator.
VALIDATOR_NAME = re.compile(r"^_?(validate|validation|check|verify|assert)(_\w*)?$", re.I)


def unit_tested_only(facts: Facts, ev: Evidence) -> tuple[Evidence, Hint] | None:
    """(the evidence credited manual, a hint why) when `ev` is code in a validator function
    that automation executes only from tests calling that function directly; None otherwise.
    A test running a training job or pipeline that validates on the way (`TrainingJob.run`
    validating its inputs) keeps its automated credit, as does any non-test automated path."""
    if ev.kind != "code" or ev.credit != "automated" or not ev.path or not ev.symbol:
        return None
    if is_test_path(ev.path) or not VALIDATOR_NAME.match(ev.symbol.rsplit(".", 1)[-1]):
        return None
    runs = [r for r in facts.automation.executions(ev.path, ev.symbol) if r.automated]
    if not runs:
        return None
    targets = {f"{ev.path}::{ev.symbol}", f"{ev.path}::{ev.symbol.replace('.', '::')}"}
    for run in runs:
        hop = test_hop(run.chain)
        chain = [str(h) for h in run.chain]
        if not hop or chain.index(hop) != len(chain) - 2 or chain[-1] not in targets:
            return None  # reached from a job, pipeline or a test running more than the validator
    first = runs[0]
    hint = Hint(
        ev.item,
        f"`{ev.symbol}` ({ev.location()}) runs automatically only in unit tests that call it "
        f"directly ({test_hop(first.chain)}, via {first.root}): they test the validator on "
        "data the tests supply, not the project's data; manual until training or data code "
        "that automation runs calls it",
    )
    return replace(ev, credit="manual"), hint
