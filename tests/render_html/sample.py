"""A realistic AuditResult built directly (independent of what the checks find today)."""

from __future__ import annotations

from dataclasses import replace

from ml_readiness.evidence import LEVEL_SCORES
from ml_readiness.result import (
    AuditResult,
    EvidenceEntry,
    FindingEntry,
    GateResult,
    ItemResult,
)
from ml_readiness.rubric import load_rubric
from ml_readiness.scoring import overall_of, score_sections

COMMIT = "3f20d6c0a1b2c3d4e5f60718293a4b5c6d7e8f90"
AS_OF = "2026-11-01"

CI_CHAIN = {
    "root": ".github/workflows/ci.yml#test",
    "trigger": "change",
    "chain": [
        ".github/workflows/ci.yml#test",
        "step `Run tests`",
        "pytest tests/",
        "tests/test_schema.py",
    ],
    "condition": None,
}
NIGHTLY = {
    "root": ".github/workflows/nightly.yml#train",
    "trigger": "schedule",
    "chain": [
        "nightly.yml#train",
        "make train",
        "python src/pipeline/train.py",
        "src/pipeline/train.py::main",
    ],
    "condition": "github.ref == 'refs/heads/main'",
}
ATTESTATION = {
    "item": "model-2",
    "level": "manual",
    "evidence": "docs/reviews/online-offline-2026-q3.md",
    "owner": "ml-platform@acme.example",
    "reviewed": "2026-08-01",
    "expires": "2026-11-13",
    "via": None,
    "note": "Quarterly comparison of offline AUC against the online CTR dashboard.",
    "earned": "manual",
    "status": "attested by ml-platform@acme.example, reviewed 2026-08-01, expires 2026-11-13",
}


def _automated(path: str, line: int, kind: str, detail: str, via: dict) -> EvidenceEntry:
    return EvidenceEntry(path, line, kind, detail, "chk", "automated", via)


def _manual(path: str, line: int | None, kind: str, detail: str) -> EvidenceEntry:
    return EvidenceEntry(path, line, kind, detail, "chk", "manual", None)


def _item_parts(item_id: str) -> dict:
    """Per-item level, reason and evidence: a mix of every case a reviewer meets."""
    table: dict[str, dict] = {
        "data-1": {
            "level": "automated",
            "reason": "automated: pandera schema validated in tests/test_schema.py:14 runs via "
            ".github/workflows/ci.yml#test on change",
            "evidence": (
                _automated(
                    "tests/test_schema.py", 14, "test", "schema.validate(df) asserted", CI_CHAIN
                ),
                _manual("src/data/schema.py", 8, "code", "pandera DataFrameModel TrainingRow"),
            ),
        },
        "data-5": {
            "level": "none",
            "reason": "capped at none: an e-mail address column is committed in data/users.csv",
            "evidence": (_manual("src/data/anonymise.py", 21, "code", "hash_pii(df) on user_id"),),
            "findings": (
                FindingEntry(
                    "column `email` holds e-mail addresses (j***@e***.com)",
                    "data/users.csv",
                    1,
                    "none",
                    "chk",
                ),
            ),
        },
        "data-7": {
            "level": "manual",
            "reason": "manual: tests/features/test_encode.py:5 tests feature code; not automated: "
            "tests/features is not collected by ci.yml (runs `pytest tests/unit`)",
            "evidence": (
                _manual(
                    "tests/features/test_encode.py",
                    5,
                    "test",
                    "test_one_hot_encoding asserts shape",
                ),
            ),
            "context": ("ci.yml runs `pytest tests/unit`, which does not collect tests/features/",),
        },
        "model-2": {
            "level": "manual",
            "reason": "manual by attestation: " + ATTESTATION["status"],
            "attestation": ATTESTATION,
        },
        "model-3": {
            "level": "automated",
            "reason": "automated: optuna study in src/pipeline/tune.py:30 runs via "
            "nightly.yml#train on schedule",
            "evidence": (
                _automated(
                    "src/pipeline/tune.py",
                    30,
                    "code",
                    "optuna.create_study(...).optimize(objective, n_trials=50)",
                    NIGHTLY,
                ),
            ),
        },
        "model-7": {
            "level": "not_applicable",
            "reason": "not applicable: the model scores machines, not people",
        },
        "infra-1": {
            "level": "manual",
            "reason": "manual: seeds fixed in src/pipeline/train.py:12; "
            "lowered to manual by override",
            "evidence": (
                _manual("src/pipeline/train.py", 12, "code", "torch.manual_seed(cfg.seed)"),
            ),
            "override": {
                "max_level": "manual",
                "reason": "determinism on GPUs is not verified yet",
            },
        },
        "infra-4": {
            "level": "manual",
            "reason": "manual: reports/eval-2026-10.md is a record kept by people, not automation",
            "evidence": (
                _manual(
                    "reports/eval-2026-10.md",
                    None,
                    "result",
                    "evaluation report with AUC per slice",
                ),
            ),
            "required": "automated",
        },
        "infra-6": {
            "level": "automated",
            "reason": "automated: canary strategy in deploy/rollout.yaml:9, "
            "enforced by its platform",
            "evidence": (
                _automated(
                    "deploy/rollout.yaml",
                    9,
                    "config",
                    "Argo Rollouts canary steps 10% → 50% → 100%",
                    {
                        "root": "deploy/rollout.yaml",
                        "trigger": "platform",
                        "chain": ["canary strategy"],
                        "condition": None,
                    },
                ),
            ),
        },
        "monitor-1": {
            "level": "automated",
            "reason": "automated: .github/dependabot.yml:3 enforced by its platform",
            "evidence": (
                _automated(
                    ".github/dependabot.yml",
                    3,
                    "config",
                    "dependabot watches pip weekly",
                    {
                        "root": ".github/dependabot.yml",
                        "trigger": "platform",
                        "chain": ["pip updates"],
                        "condition": None,
                    },
                ),
            ),
        },
        "monitor-4": {
            "level": "none",
            "reason": "no evidence: no model freshness alert or age check was found",
            "context": (
                "looked for alert rules mentioning model age or last training time",
                "no Prometheus rules file is loaded by any config",
            ),
        },
    }
    return table.get(item_id, {})


def realistic_result(**changes: object) -> AuditResult:
    """28 items across all levels with evidence, chains, findings, attestation, override, n/a."""
    rubric = load_rubric()
    items = []
    default_levels = ("manual", "none", "automated", "manual", "none")
    for n, r in enumerate(rubric.items):
        parts = _item_parts(r.id)
        level = parts.get("level") or default_levels[n % len(default_levels)]
        if r.section == "monitor" and not parts:
            level = "none"
        score = None if level == "not_applicable" else LEVEL_SCORES[level]
        reason = (
            parts.get("reason")
            or {
                "none": "no evidence found",
                "manual": "manual: docs/runbook.md:4 is a record kept by people, not automation",
                "automated": "automated: tests/test_pipeline.py:9 runs via "
                ".github/workflows/ci.yml#test on change",
            }[level]
        )
        evidence = parts.get("evidence")
        if evidence is None:
            evidence = {
                "none": (),
                "manual": (_manual("docs/runbook.md", 4, "doc", "runbook section 'Retraining'"),),
                "automated": (
                    _automated(
                        "tests/test_pipeline.py", 9, "test", "test_pipeline_end_to_end", CI_CHAIN
                    ),
                ),
            }.get(level, ())
        next_step = None
        if level == "none":
            next_step = r.improve
        elif level == "manual":
            next_step = f"To automate: {r.automated}"
        items.append(
            ItemResult(
                id=r.id,
                section=r.section,
                title=r.title,
                level=level,
                score=score,
                reason=reason,
                next_step=next_step,
                evidence=tuple(evidence),
                findings=tuple(parts.get("findings", ())),
                context=tuple(parts.get("context", ())),
                attestation=parts.get("attestation"),
                override=parts.get("override"),
                required=parts.get("required"),
            )
        )
    sections = score_sections(rubric, items)
    overall = overall_of(rubric, sections)
    result = AuditResult(
        tool={"name": "ml-readiness", "version": "0.1.0"},
        rubric={
            "id": rubric.id,
            "version": rubric.version,
            "title": rubric.title,
            "extends": None,
            "dropped": [],
        },
        as_of=AS_OF,
        root="fraud-detector",
        items=tuple(items),
        sections=sections,
        overall=overall,
        gate=GateResult(
            configured=True,
            passed=False,
            reasons=("overall score 1 is below 2", "infra-4 is manual, automated is required"),
            relied_on=(
                "attestation model-2 (manual, docs/reviews/online-offline-2026-q3.md): "
                + ATTESTATION["status"],
                "not applicable model-7: the model scores machines, not people",
                "override infra-1 max manual: determinism on GPUs is not verified yet",
                "gate settings from mlready.yaml",
            ),
            criteria=("overall >= 2", "infra-4 automated"),
        ),
        commit=COMMIT,
        repo_url="https://github.com/acme/fraud-detector",
        attestations=(ATTESTATION,),
        overrides=(
            {
                "item": "infra-1",
                "max_level": "manual",
                "reason": "determinism on GPUs is not verified yet",
            },
        ),
        not_applicable=({"item": "model-7", "reason": "the model scores machines, not people"},),
        automation={
            "roots": [
                {
                    "id": ".github/workflows/ci.yml#test",
                    "system": "github-actions",
                    "trigger": "change",
                    "path": ".github/workflows/ci.yml",
                    "line": 12,
                    "condition": None,
                    "commands": ["pytest tests/"],
                    "events": ["push", "pull_request"],
                },
                {
                    "id": ".github/workflows/nightly.yml#train",
                    "system": "github-actions",
                    "trigger": "schedule",
                    "path": ".github/workflows/nightly.yml",
                    "line": 8,
                    "condition": "github.ref == 'refs/heads/main'",
                    "commands": ["make train"],
                    "events": ["schedule"],
                },
            ],
            "unresolved": [
                {
                    "path": "Makefile",
                    "reason": "recipe `deploy` calls ./scripts/release.sh, "
                    "which is not in the repository",
                }
            ],
        },
        notes=(
            {
                "path": "configs/broken.yaml",
                "message": "YAML error at line 3: mapping values are not allowed here",
            },
            {"path": "data/big.parquet", "message": "skipped: larger than 2 MiB"},
        ),
    )
    return replace(result, **changes) if changes else result
