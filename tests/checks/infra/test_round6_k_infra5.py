"""infra-5 (REVIEW-G D6): a Locust task or an HTTP-only function named `predict_single` is a
load test of the endpoint, not a single-example debugging entry point."""

from __future__ import annotations

from pathlib import Path

from tests.checks.infra.test_infra_accuracy import _ev, _hints
from tests.helpers import audit, levels, make_repo, run_check

CHECK = "single-example-entry-points"
LOCUST = """\
from locust import HttpUser, between, task


class ApiUser(HttpUser):
    wait_time = between(1, 3)

    @task
    def predict_single(self):
        self.client.post("/predict", json={"x": 1.0})
"""
REMOTE = """\
import requests


def predict_one(x):
    return requests.post("http://localhost:8000/predict", json={"x": x}).json()
"""
LOCAL = """\
import joblib
import onnxruntime as ort

model = joblib.load("model.pkl")
session = ort.InferenceSession("model.onnx")


def predict_one(x):
    return model.predict([[x]])[0]


def explain_example(x):
    return session.run(None, {"x": [[x]]})
"""


def test_trap_locust_task_is_not_a_debugging_entry_point(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"loadtest/locustfile.py": LOCUST})
    produced = run_check(root, CHECK)
    assert _ev(produced) == []
    assert _hints(produced) == [
        "loadtest/locustfile.py:8 `ApiUser.predict_single()` is a task of the load-test user "
        "ApiUser: it does not run the model in-process on one example; not credited"
    ]
    result = levels(audit(root))
    assert (result["infra-5"], result["monitor-6"]) == ("none", "manual")


def test_trap_http_only_predict_one(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"client/call.py": REMOTE})
    assert _ev(run_check(root, CHECK)) == []
    assert _hints(run_check(root, CHECK)) == [
        "client/call.py:4 `predict_one()` only sends HTTP requests (`requests.post`): it does "
        "not run the model in-process on one example; not credited"
    ]


def test_in_process_single_example_functions_still_count(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"app/debug.py": LOCAL})
    assert [(e[0], e[1], e[3]) for e in _ev(run_check(root, CHECK))] == [
        ("single-example entry point `predict_one()`", "app/debug.py:8", "manual"),
        ("single-example entry point `explain_example()`", "app/debug.py:12", "automated"),
    ]
