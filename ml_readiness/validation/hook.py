"""The `--validate-data` audit hook: runs every suite on its data and turns each run into data-1
Evidence, Findings and Hints (and gate failures when asked)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from ml_readiness.evidence import Evidence, Finding, Hint
from ml_readiness.validation.resolve import Target, plan
from ml_readiness.validation.run import bounds, run_targets

if TYPE_CHECKING:
    from ml_readiness.audit import AuditContext

ITEM = "data-1"
CHECK_ID = "validate-data"


def validation_hook(
    allow_conditions: bool, fail_on_failure: bool
) -> Callable[[AuditContext], None]:
    """The audit hook behind `--validate-data`: runs every suite on its data, records the runs
    in `extras["data_validation"]` and data-1 evidence/findings/hints, and fails the gate per
    failing suite when asked (CLI flag or `gate.fail_on_data_validation`)."""

    def hook(ctx: AuditContext) -> None:
        targets = plan(ctx.facts, tuple(ctx.config.data_validation))
        run_targets(ctx.repo, targets, allow_conditions)
        produced = ctx.produced.setdefault(ITEM, [])
        fail = fail_on_failure or ctx.config.gate.fail_on_data_validation
        for target in targets:
            produced.extend(outcome(target))
            if fail and _failed(target.report):
                ctx.extra_failures.append(_gate_reason(target))
        if not targets:
            produced.append(
                Hint(
                    ITEM,
                    "--validate-data: no Great Expectations suite found (looked for "
                    "gx/expectations/*.json and great_expectations/expectations/**/*.json, and "
                    "for data_validation entries in mlready.yaml)",
                    CHECK_ID,
                )
            )
        max_rows, max_bytes = bounds()
        ctx.extras["data_validation"] = {
            "bounds": {"rows": max_rows, "bytes": max_bytes},
            "suites": [t.report for t in targets],
        }

    return hook


def _failing(entry: dict) -> bool:
    """Failed on the data, or raised on it (a missing column): counts against data-1."""
    return entry["status"] in ("failed", "error") and entry["success"] is False


def _failed(report: dict) -> bool:
    return any(_failing(e) for e in report.get("expectations", []))


def _label(entry: dict) -> str:
    return f"{entry['type']}({entry['column']})" if entry["column"] else str(entry["type"])


def _gate_reason(target: Target) -> str:
    report = target.report
    ran = [e for e in report["expectations"] if e["success"] is not None]
    bad = [e for e in ran if _failing(e)]
    return (
        f"data validation: GE suite `{report['name']}` ({target.suite_path}) failed on "
        f"{target.data}: {len(bad)} of {len(ran)} expectations failed"
    )


def outcome(target: Target) -> list[Evidence | Finding | Hint]:
    """data-1 values for one suite run: Evidence when all it ran passed, a Finding (capping at
    manual) per failing expectation, Hints for what was refused, unconvertible, could not run or
    could not be resolved."""
    report = target.report
    path, data, name = target.suite_path, target.data, report["name"]
    out: list[Evidence | Finding | Hint] = []
    if report["problem"]:
        problem = report["problem"]
        label = f"GE suite `{name}` ({path})" if name else path
        text = problem if problem.startswith("no committed data") else f"{label}: {problem}"
        out.append(Hint(ITEM, f"--validate-data: {text}", CHECK_ID))
    ran = [e for e in report["expectations"] if e["success"] is not None]
    for e in report["expectations"]:
        if _failing(e):
            verb = "failed" if e["status"] == "failed" else "raised an error"
            why = f": {e['detail']}" if e["detail"] else ""
            detail = f"expectation {_label(e)} {verb} on {data}{why}"
            out.append(Finding(ITEM, detail, path, None, "manual", CHECK_ID))
        elif e["status"] != "passed":
            detail = f"GE suite `{name}` ({path}): {_label(e)} {e['detail']}"
            out.append(Hint(ITEM, detail, CHECK_ID))
    if ran and not _failed(report):
        n = len(ran)
        sample = ""
        if report["sampled"]:
            sample = f"; sampled: {report['rows']} rows, {report['bytes']} bytes read"
        detail = (
            f"GE suite `{name}` passed on {data}: {n} expectation{'s' if n != 1 else ''} "
            f"(validated by --validate-data{sample})"
        )
        out.append(Evidence(ITEM, detail, path, None, "result", "manual", check=CHECK_ID))
    elif report["expectations"] and not ran:
        detail = f"--validate-data: GE suite `{name}` ({path}) ran no expectation on {data}"
        out.append(Hint(ITEM, detail, CHECK_ID))
    return out
