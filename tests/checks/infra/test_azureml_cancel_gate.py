"""AzureML v1 gates: a comparison whose failing branch cancels the running pipeline
(`run.parent.cancel()`, microsoft/MLOpsPython's evaluate step) stops registration."""

from __future__ import annotations

from tests.helpers import audit, make_repo

EVALUATE = """
from azureml.core import Run

run = Run.get_context()


def evaluate(new_model_run, production_model_run):
    production_model_mse = production_model_run.get_metrics().get("mse")
    new_model_mse = new_model_run.get_metrics().get("mse")
    if new_model_mse < production_model_mse:
        print("New trained model performs better, thus it should be registered")
    else:
        print("New trained model metric is worse than or equal to production model")
        CANCEL


if __name__ == "__main__":
    evaluate(run, run)
"""


def _items(tmp_path, cancel: str) -> dict[str, str]:
    root = make_repo(tmp_path, {"evaluate/evaluate_model.py": EVALUATE.replace("CANCEL", cancel)})
    return {i.id: i for i in audit(root).items}


def test_cancelling_the_pipeline_when_the_new_model_is_worse_is_a_gate_and_a_comparison(
    tmp_path,
):
    items = _items(tmp_path, "run.parent.cancel()")
    assert items["infra-4"].level == "manual"
    assert items["model-5"].level == "manual"
    assert [(e.path, e.line) for e in items["model-5"].evidence] == [
        ("evaluate/evaluate_model.py", 9)
    ]


def test_trap_a_branch_that_only_prints_is_no_gate(tmp_path):
    items = _items(tmp_path, 'print("skipping")')
    assert items["infra-4"].level == "none"
    assert items["model-5"].level == "none"


def test_trap_cancelling_something_that_is_not_a_run_is_no_gate(tmp_path):
    items = _items(tmp_path, "subscription.cancel()")
    assert items["infra-4"].level == "none"
