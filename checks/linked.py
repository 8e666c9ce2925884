"""Tests a team links to rubric items with `@pytest.mark.mlready(...)`.

Registered for the default rubric's 28 items. Linked tests naming other items (a custom rubric's
own items) are credited by `ml_readiness.linked.linked_tests_hook`, which every audit runs; it
leaves alone the items this check is registered for, so nothing is credited twice.
"""

from __future__ import annotations

from collections.abc import Iterator

from ml_readiness.evidence import Evidence, Finding, Hint
from ml_readiness.facts import Facts
from ml_readiness.linked import CHECK_ID, linked_values
from ml_readiness.registry import check

DEFAULT_ITEMS = tuple(
    f"{section}-{n}" for section in ("data", "model", "infra", "monitor") for n in range(1, 8)
)


@check(*DEFAULT_ITEMS, id=CHECK_ID)
def linked_tests(facts: Facts) -> Iterator[Evidence | Finding | Hint]:
    """Tests linked to the item with @pytest.mark.mlready.

    A test function (or its class, or its module's `pytestmark`) marked
    `@pytest.mark.mlready("infra-2", ...)` is test evidence for each item it names, found in the
    source without running it: automated when CI collects the test, else manual. A linked test
    that asserts nothing (or only `assert True`) or is always skipped earns nothing and is
    reported. Failed or skipped runs in `--results` JUnit reports take the credit away.
    """
    yield from linked_values(facts, DEFAULT_ITEMS)
