"""A repository's claims about itself: listed without --strict, ignored with it."""

from __future__ import annotations

import json

from click.testing import CliRunner

from ml_readiness.cli import main
from tests.helpers import make_repo

DEPENDABOT = (
    "version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /\n"
    "    schedule: {interval: weekly}\n"
)
SELF_SERVING = {
    "requirements.txt": "numpy==2.0\n",
    ".github/dependabot.yml": DEPENDABOT,
    "docs/empty.md": "",
    "docs/claim.md": "# We promise\nAll features are great.\n",
    "lenient.yaml": """
        id: lenient
        version: "1"
        extends: ml-test-score
        drop: [data-1, data-2, data-3, data-4, data-5, data-6]
        bands:
          - {max: 0, name: "Perfect", meaning: "nothing to see"}
          - {max: null, name: "Beyond perfect", meaning: "really"}
    """,
    "mlready.yaml": """
        rubric: lenient.yaml
        gate: {fail_under: 0}
        attestations:
          - {item: model-2, level: manual, evidence: docs/empty.md, owner: me, reviewed: 2026-10-01}
          - {item: model-4, level: manual, evidence: docs/untracked.md, owner: me,
             reviewed: 2026-10-01}
          - {item: monitor-2, level: manual, evidence: docs/claim.md, owner: me,
             reviewed: 2026-10-01}
        not_applicable:
          - {item: infra-6, reason: "we never deploy"}
        overrides:
          - {item: monitor-1, max_level: manual, reason: "modesty"}
    """,
}


def _audit(root, *flags):
    result = CliRunner().invoke(
        main, ["audit", str(root), "--format", "json", "--as-of", "2026-11-01", *flags]
    )
    assert result.exit_code in (0, 1), result.output
    return result.exit_code, json.loads(result.stdout)


def test_claims_are_listed_without_strict_and_ignored_with_it(tmp_path):
    root = make_repo(tmp_path / "r", SELF_SERVING, git=True)
    (root / "docs" / "untracked.md").write_text("not committed\n")
    code, data = _audit(root, "--fail-under", "1")
    assert data["rubric"]["id"] == "lenient"
    items = {i["id"]: i for i in data["items"]}
    assert "data-1" not in items and len(items) == 22
    assert items["model-2"]["level"] == "none" and items["model-4"]["level"] == "none"
    assert items["monitor-2"]["level"] == "manual"
    assert items["infra-6"]["level"] == "not_applicable"
    assert items["monitor-1"]["level"] == "manual"
    relied = "\n".join(data["gate"]["relied_on"])
    for claim in (
        "attestation model-2 (manual, docs/empty.md): evidence file docs/empty.md is "
        "empty; not credited",
        "attestation model-4 (manual, docs/untracked.md): evidence file "
        "docs/untracked.md is not a tracked file of the repository; not credited",
        "attestation monitor-2 (manual, docs/claim.md): attested by me",
        "not applicable infra-6: we never deploy",
        "override monitor-1 max manual: modesty",
        "gate settings from mlready.yaml",
    ):
        assert claim in relied, claim

    code, strict = _audit(root, "--strict", "--fail-under", "1")
    assert strict["rubric"]["id"] == "ml-test-score" and len(strict["items"]) == 28
    levels = {i["id"]: i["level"] for i in strict["items"]}
    assert levels["monitor-2"] == "none" and levels["infra-6"] != "not_applicable"
    assert levels["monitor-1"] == "automated"  # the repo's override is ignored too
    assert strict["gate"]["relied_on"] == [] and strict["attestations"] == []
    assert strict["gate"]["criteria"] == ["overall >= 1"] and code == 1
