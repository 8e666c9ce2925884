"""model-4: staleness analysis or a justified retraining cadence."""

from __future__ import annotations

from pathlib import Path

from ml_readiness.checklib import attestation_snippet
from tests.checks.model._util import produced, where
from tests.helpers import make_repo, notebook

CHECK = "staleness-impact"
STALENESS_DOC = (
    "# Operations\n\n## Model staleness\n\nWe evaluated monthly snapshots of the model on "
    "data from June: AUC falls from 0.84 to 0.80 after eight weeks, about half a point per "
    "week, which sets our retraining cadence.\n"
)
CADENCE_DOC = (
    "# Runbook\n\n## Retraining cadence\n\nWe retrain every week because the backtest showed "
    "a 3% drop in precision after two weeks without retraining on fresh labelled data.\n"
)


def test_staleness_section_cadence_and_notebook(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "docs/operations.md": STALENESS_DOC,
            "docs/runbook.md": CADENCE_DOC,
            "notebooks/model_age_study.ipynb": notebook(
                "from sklearn.metrics import roc_auc_score",
                "aucs = [roc_auc_score(y, m.predict(X)) for m in snapshots]",
                outputs=True,
            ),
        },
    )
    evidence, hints = produced(root, CHECK)
    assert where(evidence) == [
        ("docs/operations.md", 3, "doc", "manual", None),
        ("docs/runbook.md", 3, "doc", "manual", None),
        ("notebooks/model_age_study.ipynb", 34, "result", "manual", None),
    ]
    assert evidence[0].detail == 'model staleness analysis: section "Model staleness"'
    assert evidence[1].detail == 'justified retraining cadence: section "Retraining cadence"'
    assert evidence[2].detail == (
        "staleness analysis computes `roc_auc_score` against model age "
        "(notebook with saved outputs)"
    )
    assert hints == []


def test_trap_learning_rate_decay_and_unjustified_cadence(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "docs/training.md": (
                "# Training\n\n## Learning rate decay\n\nThe learning rate is multiplied by "
                "0.9 every epoch after the warm-up phase, following the cosine schedule used "
                "by the upstream recipe.\n\n## Retraining schedule\n\nThe model is retrained "
                "every Monday by the data team on the latest month of interaction logs.\n"
            ),
            "src/decay.py": "def schedule(lr):\n    return lr * 0.9\n",
        },
    )
    evidence, hints = produced(root, CHECK)
    assert evidence == []
    assert hints == [
        'docs/training.md:7 states a retraining cadence ("Retraining schedule") without saying '
        "why (no measured quality drop or reason); not credited",
        "looked for an analysis of model quality versus model age or a justified retraining "
        "cadence; none found. If this is done outside the repo, attest it in mlready.yaml: "
        + attestation_snippet("model-4", "docs/model-staleness.md"),
    ]
