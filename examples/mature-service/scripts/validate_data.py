"""Validate data against the Great Expectations suite `loan_applications`.

Runs the checkpoint `loan_applications_checkpoint` (gx/checkpoints/), whose validation
definition reads data/sample.csv in CI; before training, the retraining workflow validates
the full extract the same way. Exits 1 when any expectation fails.
"""

from __future__ import annotations

import sys

import great_expectations as gx


def main() -> int:
    context = gx.get_context(mode="file", project_root_dir=".")
    checkpoint = context.checkpoints.get("loan_applications_checkpoint")
    result = checkpoint.run()
    for run in result.run_results.values():
        for outcome in run.results:
            if not outcome.success:
                config = outcome.expectation_config
                print(f"FAILED {config.type} {config.kwargs}", file=sys.stderr)
    return 0 if result.success else 1


if __name__ == "__main__":
    raise SystemExit(main())
