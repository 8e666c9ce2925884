"""monitor-7: logged predictions scored against later outcomes on a schedule (REVIEW-E r6)."""

from __future__ import annotations

from tests.checks.monitor._util import automation, evidence, hints, level, run

ITEM = "production-quality-monitoring"
FLOW = """\
from metaflow import FlowSpec, step, schedule


@schedule(hourly=True)
class ValidateOutcomesFlow(FlowSpec):
    @step
    def start(self):
        from store import PredictionStore
        store = PredictionStore()
        self.predictions = store.get_predictions_for_validation(lookback_hours=24)
        self.next(self.fetch_outcomes)

    @step
    def fetch_outcomes(self):
        self.outcomes = [p for p in self.predictions]
        self.next(self.end)

    @step
    def end(self):
        from store import compute_outcome_metrics
        self.metrics = compute_outcome_metrics(self.outcomes)
"""


def test_scheduled_scoring_of_logged_predictions_against_outcomes(tmp_path):
    amap = automation(("flows/validate.py", "ValidateOutcomesFlow.start", "schedule"))
    produced = run(tmp_path, {"flows/validate.py": FLOW}, ITEM, amap)
    assert [e[:3] for e in evidence(produced)] == [("flows/validate.py:10", "code", "automated")]
    assert "compute_outcome_metrics" in evidence(produced)[0][3]
    assert level(produced, amap) == "automated"


def test_trap_unscheduled_or_offline_prediction_scoring_is_not_monitoring(tmp_path):
    """Run by hand it earns nothing; loading test-split predictions with no observed outcomes
    is offline evaluation even on a schedule."""
    produced = run(tmp_path, {"flows/validate.py": FLOW}, ITEM)
    assert evidence(produced) == []
    assert any("no schedule runs it" in h for h in hints(produced))
    offline = (
        "from sklearn.metrics import accuracy_score\n\n"
        "def evaluate(y_test):\n"
        "    preds = load_predictions('preds.csv')\n"
        "    return accuracy_score(y_test, preds)\n"
    )
    amap = automation(("evaluate_model.py", "evaluate", "schedule"))
    produced = run(tmp_path / "b", {"evaluate_model.py": offline}, ITEM, amap)
    assert evidence(produced) == []
