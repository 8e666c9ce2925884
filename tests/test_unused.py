"""Evidence in a function nothing calls is an unused definition: no credit, and a Hint."""

from __future__ import annotations

import pytest

from tests.helpers import audit, make_repo, notebook

REPORT = """
import matplotlib.pyplot as plt
import numpy as np


def plot_importances(model, columns):
    importances = model.feature_importances_
    order = np.argsort(importances)[::-1]
    plt.bar(range(len(order)), importances[order])
    plt.savefig("reports/feature_importance.png")
"""
TRAIN = """
import pandas as pd
from sklearn.ensemble import RandomForestClassifier


def main() -> None:
    df = pd.read_csv("data/train.csv")
    model = RandomForestClassifier(random_state=0).fit(df.drop(columns="y"), df["y"])
    CALL


if __name__ == "__main__":
    main()
"""


def _data2(root):
    return next(i for i in audit(root).items if i.id == "data-2")


def test_trap_a_function_nothing_calls_earns_nothing(tmp_path):
    root = make_repo(tmp_path, {"src/report.py": REPORT, "src/train.py": TRAIN.replace("CALL", "")})
    item = _data2(root)
    assert (item.level, item.evidence) == ("none", ())
    assert item.reason == (
        "no evidence: `feature_importances_` read and reported (src/report.py:6), but "
        "`plot_importances()` is defined but nothing calls it (no script, test, notebook, "
        "pipeline or config names it); not credited"
    )


@pytest.mark.parametrize(
    "files",
    [
        {  # called by the training script
            "src/train.py": "from report import plot_importances\n"
            + TRAIN.replace("CALL", "plot_importances(model, df.columns)")
        },
        {  # called from a notebook
            "src/train.py": TRAIN.replace("CALL", ""),
            "notebooks/report.ipynb": notebook(
                "from src.report import plot_importances", "plot_importances(model, cols)"
            ),
        },
        {  # named by a Hydra config
            "src/train.py": TRAIN.replace("CALL", ""),
            "conf/report.yaml": "report:\n  _target_: src.report.plot_importances\n",
        },
    ],
)
def test_a_function_something_names_keeps_its_credit(tmp_path, files):
    item = _data2(make_repo(tmp_path, {"src/report.py": REPORT, **files}))
    assert item.level == "manual"
    assert [(e.path, e.line) for e in item.evidence] == [("src/report.py", 6)]


def test_methods_and_decorated_functions_are_left_to_their_frameworks(tmp_path):
    body = REPORT.split("\n\n\n", 1)[1]
    method = "import numpy as np\nimport matplotlib.pyplot as plt\n\n\nclass Report:\n" + "".join(
        f"    {line}\n" if line else "\n"
        for line in body.replace("(model,", "(self, model,").splitlines()
    )
    decorated = "import click\n\n\n@click.command()\n" + REPORT.split("\n\n\n", 1)[1]
    for name, text in (("method", method), ("decorated", decorated)):
        root = make_repo(tmp_path / name, {"src/report.py": text})
        assert _data2(root).level == "manual", name
