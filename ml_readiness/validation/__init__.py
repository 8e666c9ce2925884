"""`mlready audit --validate-data`: run the project's Great Expectations suites on its committed
data with the real great-expectations library and feed the outcome into data-1.

- Suites (`suites`): 1.x JSON (`gx/expectations/*.json`) as is; 0.x JSON
  (`great_expectations/expectations/**/*.json`) converted in memory. An expectation that cannot
  be converted is reported, never crashed on.
- Data (`resolve`): `data_validation` entries of the project's config first, else what the
  suite's 1.x validation definitions / 0.x checkpoints point at, when that resolves to exactly one
  committed CSV or Parquet file. Reads are bounded (`MAX_ROWS`, `MAX_BYTES`, set here) and go
  through the Repo (`run`).
- Suites are untrusted: expectations whose parameters are evaluated as code or queries are
  refused unless the user allows them (`suites.refusal`).
- The audit hook (`hook`) turns each run into data-1 evidence, findings and hints.

great_expectations and pandas are imported only when a suite actually runs.
"""

from __future__ import annotations

from ml_readiness.errors import UsageError
from ml_readiness.validation.hook import CHECK_ID, ITEM, outcome, validation_hook
from ml_readiness.validation.resolve import (
    MAP_IT,
    MAX_REGEX,
    READERS,
    Binding,
    Resolved,
    Target,
    bindings,
    plan,
    resolve,
)
from ml_readiness.validation.run import (
    MAX_BYTES,
    MAX_ROWS,
    DataProblem,
    Runner,
    read_frame,
    run_targets,
)
from ml_readiness.validation.suites import (
    ALLOW,
    GE_DIRS,
    LEGACY_KWARGS,
    NESTED_QUANTIFIER,
    SUITE_GLOBS,
    Raw,
    Suite,
    column_of,
    ge_root,
    load_suite,
    refusal,
)

INSTALL = "--validate-data needs Great Expectations: pip install 'ml-readiness[gx]'"

__all__ = [
    "ALLOW",
    "CHECK_ID",
    "GE_DIRS",
    "INSTALL",
    "ITEM",
    "LEGACY_KWARGS",
    "MAP_IT",
    "MAX_BYTES",
    "MAX_REGEX",
    "MAX_ROWS",
    "NESTED_QUANTIFIER",
    "READERS",
    "SUITE_GLOBS",
    "Binding",
    "DataProblem",
    "Raw",
    "Resolved",
    "Runner",
    "Suite",
    "Target",
    "bindings",
    "column_of",
    "ge_root",
    "load_suite",
    "outcome",
    "plan",
    "read_frame",
    "refusal",
    "require_gx",
    "resolve",
    "run_targets",
    "validation_hook",
]


def require_gx() -> None:
    """Raise UsageError (one line, exit 2) when great_expectations or pandas is missing."""
    try:
        import great_expectations  # noqa: F401
        import pandas  # noqa: F401
    except ImportError:
        raise UsageError(INSTALL) from None
