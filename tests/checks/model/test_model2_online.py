"""model-2: online-experiment analyses and online business-metric logging."""

from __future__ import annotations

from pathlib import Path

from ml_readiness.checklib import attestation_snippet
from tests.checks.model._util import produced, where
from tests.helpers import make_repo, notebook

CHECK = "offline-online-correlation"
AB_DOC = (
    "# Experiments\n\n## A/B test of ranker v2\n\nWe ran a two-week A/B test on 10% of "
    "traffic comparing ranker v1 and v2. Offline AUC rose from 0.81 to 0.84 and the "
    "click-through rate rose by 2.1% relative, so offline AUC gains carry over online.\n"
)
SERVING = """
from fastapi import FastAPI
from prometheus_client import Counter

app = FastAPI()
CLICKS = Counter("recommendation_clicks_total", "clicks on served recommendations")
REQUESTS = Counter("requests_total", "requests")


@app.post("/predict")
def predict(request):
    REQUESTS.inc()
    return {}


@app.post("/feedback")
def feedback(event):
    CLICKS.labels(model="v2").inc()
    return {}
"""


def test_ab_analysis_notebook_and_serving_metrics(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "docs/experiments.md": AB_DOC,
            "serve/app.py": SERVING,
            "notebooks/ab_test_analysis.ipynb": notebook(
                "import pandas as pd", "df = pd.read_csv('ab.csv')", outputs=True
            ),
        },
    )
    evidence, hints = produced(root, CHECK)
    assert where(evidence) == [
        ("docs/experiments.md", 3, "doc", "manual", None),
        ("notebooks/ab_test_analysis.ipynb", None, "result", "manual", None),
        ("serve/app.py", 17, "code", "manual", "feedback"),
    ]
    assert evidence[0].detail == 'online-experiment analysis: section "A/B test of ranker v2"'
    assert evidence[2].detail == (
        "online business metric `recommendation_clicks_total` logged in request handler `feedback`"
    )
    assert hints == []


def test_notebook_heading_without_outputs_is_code(tmp_path: Path) -> None:
    nb = notebook("import pandas as pd\nlift = 0.02")
    # add a markdown cell with the analysis heading
    nb = nb.replace(
        '"cells": [',
        '"cells": [{"cell_type": "markdown", "metadata": {}, '
        '"source": ["## Offline vs online metrics\\n"]},',
        1,
    )
    root = make_repo(tmp_path, {"analysis/lift.ipynb": nb})
    evidence, _ = produced(root, CHECK)
    assert where(evidence) == [("analysis/lift.ipynb", 2, "code", "manual", None)]
    assert evidence[0].detail == (
        'online-experiment analysis: notebook section "Offline vs online metrics" '
        "(without saved outputs)"
    )


def test_trap_todo_section_and_technical_metrics(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        {
            "docs/experiments.md": "# Plans\n\n## A/B test\n\nTODO: we should run one.\n",
            "serve/app.py": SERVING.replace('CLICKS.labels(model="v2").inc()', "pass"),
            "src/report.py": "import logging\n\ndef log_clicks():\n    logging.info('clicks')\n",
        },
    )
    evidence, hints = produced(root, CHECK)
    assert evidence == []
    assert hints == [
        "looked for A/B or online-experiment analyses relating offline to online metrics, and "
        "business metrics logged in serving code; none found. If this is done outside the "
        "repo, attest it in mlready.yaml: "
        + attestation_snippet("model-2", "docs/online-experiments.md")
    ]
