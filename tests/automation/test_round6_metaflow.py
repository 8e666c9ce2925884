"""Metaflow flows: what starts a flow is read from its class decorators."""

from __future__ import annotations

from tests.automation.util import amap_of, roots, runs


def _flow(name: str, decorator: str = "", body: str = "", imports: str = "") -> str:
    head = f"from metaflow import FlowSpec, step{imports}\n\n"
    deco = f"{decorator}\n" if decorator else ""
    return (
        f"{head}{deco}class {name}(FlowSpec):\n"
        "    @step\n    def start(self):\n"
        f"{body}"
        "        self.next(self.end)\n\n"
        "    @step\n    def end(self):\n        pass\n"
    )


def test_metaflow_schedule_and_triggers_chain_to_the_scheduled_flow(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            "flows/build.py": _flow(
                "BuildFlow",
                "@schedule(daily=True)",
                "        self.prj.safe_publish_event('dataset_ready', payload={})\n",
                ", schedule",
            ),
            "flows/train.py": _flow(
                "TrainFlow",
                "@trigger(event='dataset_ready')",
                "        from model import fit\n        fit()\n",
                ", trigger",
            ),
            "flows/evaluate.py": _flow(
                "EvalFlow", "@trigger_on_finish(flow='TrainFlow')", imports=", trigger_on_finish"
            ),
            "flows/model.py": "def fit():\n    return 1\n",
        },
    )
    assert roots(amap) == {
        "flows/build.py#BuildFlow": "schedule",
        "flows/train.py#TrainFlow": "schedule",
        "flows/evaluate.py#EvalFlow": "schedule",
    }
    train = next(r for r in amap.roots if r.id == "flows/train.py#TrainFlow")
    assert train.events == ("event `dataset_ready` from BuildFlow, @schedule daily",)
    assert runs(amap, "flows/model.py", "fit") == {"flows/train.py#TrainFlow (schedule)"}


def test_metaflow_flow_without_schedule_or_trigger_is_run_by_hand(tmp_path):
    """Trap: a flow class alone (`python flow.py run`) is not a pipeline anything starts;
    neither is a flow started only after it finishes. `@schedule` in a comment is nothing."""
    amap = amap_of(
        tmp_path,
        {
            "flows/promote.py": _flow(
                "PromoteFlow", "# @schedule(daily=True)", "        promote()\n"
            ).replace("from metaflow", "from registry import promote\nfrom metaflow"),
            "flows/notify.py": _flow(
                "NotifyFlow",
                "@trigger_on_finish(flow='PromoteFlow')",
                imports=", trigger_on_finish",
            ),
            "flows/registry.py": "def promote():\n    return 1\n",
        },
    )
    assert roots(amap) == {
        "flows/promote.py#PromoteFlow": "manual",
        "flows/notify.py#NotifyFlow": "manual",
    }
    assert runs(amap, "flows/registry.py", "promote") == {"flows/promote.py#PromoteFlow (manual)"}
    note = "Metaflow flow `PromoteFlow`: no @schedule or @trigger: run by hand"
    assert ("flows/promote.py", note) in amap.unresolved


def test_metaflow_event_from_outside_the_repository_is_a_pipeline(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            "flow.py": _flow("ScoreFlow", "@trigger(events=['new_data'])", imports=", trigger"),
            "cron.py": _flow("OffFlow", "@schedule(daily=False)", imports=", schedule"),
        },
    )
    assert roots(amap) == {"flow.py#ScoreFlow": "pipeline", "cron.py#OffFlow": "manual"}


PREFECT = """\
from prefect import flow, task
from prefect.deployments import Deployment
from prefect.server.schemas.schedules import CronSchedule


@task
def fit():
    return 1


@flow(name="training")
def training():
    fit()


@flow(name="adhoc")
def adhoc():
    fit()


def create_deployments():
    Deployment.build_from_flow(
        flow=training, name="nightly", schedule=CronSchedule(cron="0 2 * * *")
    )
    Deployment.build_from_flow(flow=adhoc, name="manual", schedule=None)
"""


def test_prefect_flow_with_a_declared_schedule_is_a_schedule_root(tmp_path):
    """`Deployment.build_from_flow(schedule=...)`, `flow.serve(cron=...)` and a deployment YAML
    entry with a schedule; a flow without one is run by hand (manual)."""
    files = {
        "flows/pipeline.py": PREFECT,
        "flows/serve.py": (
            "from prefect import flow\n\n@flow\ndef score():\n    pass\n\n"
            "if __name__ == '__main__':\n    score.serve(name='daily', cron='0 6 * * *')\n"
        ),
        "flows/monitor.py": "from prefect import flow\n\n@flow\ndef drift():\n    pass\n",
        "prefect.yaml": (
            "deployments:\n"
            "  - name: drift\n    entrypoint: flows/monitor.py:drift\n"
            "    schedules:\n      - cron: '0 * * * *'\n"
        ),
    }
    assert roots(amap_of(tmp_path, files)) == {
        "flows/pipeline.py#training": "schedule",
        "flows/pipeline.py#adhoc": "manual",
        "flows/serve.py#score": "schedule",
        "flows/monitor.py#drift": "schedule",
    }


def test_trap_a_null_schedule_in_a_deployment_file_is_not_a_schedule(tmp_path):
    files = {
        "src/flows.py": "from prefect import flow\n\n@flow\ndef pipeline():\n    pass\n",
        "pipeline-deployment.yaml": (
            "name: cloud\nschedule: null\nentrypoint: src/flows.py:pipeline\n"
        ),
    }
    assert roots(amap_of(tmp_path, files)) == {"src/flows.py#pipeline": "manual"}


def test_zenml_pipeline_scheduled_with_options_is_a_schedule_root(tmp_path):
    """Trap: `with_options` without a schedule (or `schedule=None`) is run by hand."""
    files = {
        "pipelines/training.py": (
            "from zenml import pipeline, step\n\n"
            "@step\ndef train():\n    return 1\n\n"
            "@pipeline\ndef training_pipeline():\n    train()\n\n"
            "@pipeline\ndef batch_inference():\n    train()\n"
        ),
        "run.py": (
            "from zenml.config.schedule import Schedule\n"
            "from pipelines.training import batch_inference, training_pipeline\n\n"
            "if __name__ == '__main__':\n"
            "    training_pipeline.with_options(schedule=Schedule(cron_expression='0 3 * * *'))()\n"
            "    batch_inference.with_options(enable_cache=False, schedule=None)()\n"
        ),
    }
    assert roots(amap_of(tmp_path, files)) == {
        "pipelines/training.py#training_pipeline": "schedule",
        "pipelines/training.py#batch_inference": "manual",
    }


def test_metaflow_flow_run_by_ci_or_a_dag_command_stays_a_pipeline(tmp_path):
    """`python flows/train.py run` in a workflow (or an Airflow BashOperator) runs every step;
    trap: the same command in a Makefile nothing automated calls, or a README, is by hand."""
    flow = _flow("TrainFlow", body="        from model import fit\n        fit()\n")
    ci = "on: push\njobs:\n  smoke:\n    steps:\n      - run: python flows/train.py run\n"
    files = {"flows/train.py": flow, "flows/model.py": "def fit():\n    return 1\n"}
    amap = amap_of(tmp_path / "ci", {**files, ".github/workflows/ci.yml": ci})
    assert roots(amap)["flows/train.py#TrainFlow"] == "pipeline"
    assert runs(amap, "flows/model.py", "fit") == {"flows/train.py#TrainFlow (pipeline)"}
    by_hand = {
        **files,
        "Makefile": "train:\n\tpython flows/train.py run\n",
        "README.md": "Run `python flows/train.py run`.\n",
    }
    assert roots(amap_of(tmp_path / "hand", by_hand)) == {"flows/train.py#TrainFlow": "manual"}


def test_creating_a_flow_in_a_main_block_run_by_ci_runs_its_steps_on_change(tmp_path):
    """`TrainFlow()` in the main block of a flow file CI runs executes every `@step` (and what
    they call) under the CI job's trigger; trap: a flow file without a main block."""
    flow = _flow("TrainFlow", body="        from model import fit\n        fit()\n")
    ci = "on: push\njobs:\n  smoke:\n    steps:\n      - run: python flows/train.py run\n"
    main = "\n\nif __name__ == '__main__':\n    TrainFlow()\n"
    files = {"flows/model.py": "def fit():\n    return 1\n", ".github/workflows/ci.yml": ci}
    amap = amap_of(tmp_path / "main", {**files, "flows/train.py": flow + main})
    assert runs(amap, "flows/model.py", "fit") == {
        "flows/train.py#TrainFlow (pipeline)",
        ".github/workflows/ci.yml#smoke (change)",
    }
    assert ".github/workflows/ci.yml#smoke (change)" in runs(
        amap, "flows/train.py", "TrainFlow.start"
    )
    bare = amap_of(tmp_path / "bare", {**files, "flows/train.py": flow})
    assert runs(bare, "flows/model.py", "fit") == {"flows/train.py#TrainFlow (pipeline)"}
