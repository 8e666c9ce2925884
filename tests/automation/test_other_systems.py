"""Azure Pipelines, CircleCI, Jenkins, Bitbucket, Cloud Build and orchestrators."""

from __future__ import annotations

from tests.automation.util import amap_of, roots, runs

SCRIPT = "def main():\n    pass\n\nif __name__ == '__main__':\n    main()\n"


def test_azure_circleci_jenkins_bitbucket(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            "azure-pipelines.yml": """
                trigger: [main]
                jobs:
                  - job: test
                    steps:
                      - script: python az.py
                      - task: PublishTestResults@2
            """,
            ".circleci/config.yml": """
                version: 2.1
                jobs:
                  test:
                    steps:
                      - checkout
                      - run: python circle.py
                  nightly:
                    steps:
                      - run:
                          command: python nightly.py
                  orphan:
                    steps:
                      - run: python orphan.py
                workflows:
                  ci:
                    jobs: [test]
                  cron:
                    triggers:
                      - schedule: {cron: "0 0 * * *"}
                    jobs: [nightly]
            """,
            "Jenkinsfile": (
                "pipeline {\n  triggers { cron('H 2 * * *') }\n  stages {\n"
                "    stage('t') { steps { sh 'python jenkins.py' } }\n"
                "    // stage('x') { steps { sh 'python commented.py' } }\n  }\n}\n"
            ),
            "bitbucket-pipelines.yml": """
                pipelines:
                  default:
                    - step:
                        script:
                          - python bb.py
                  custom:
                    retrain:
                      - step:
                          script: [python bb_manual.py]
            """,
            "cloudbuild.yaml": "steps:\n  - name: python\n    args: [python, cb.py]\n",
            **{
                f"{n}.py": SCRIPT
                for n in (
                    "az",
                    "circle",
                    "nightly",
                    "orphan",
                    "jenkins",
                    "commented",
                    "bb",
                    "bb_manual",
                    "cb",
                )
            },
        },
    )
    assert roots(amap) == {
        "azure-pipelines.yml#test": "change",
        ".circleci/config.yml#test": "change",
        ".circleci/config.yml#nightly": "schedule",
        "Jenkinsfile#pipeline": "schedule",
        "bitbucket-pipelines.yml#default": "change",
        "bitbucket-pipelines.yml#custom.retrain": "manual",
    }
    assert runs(amap, "az.py", "main") == {"azure-pipelines.yml#test (change)"}
    assert runs(amap, "nightly.py", "main") == {".circleci/config.yml#nightly (schedule)"}
    assert runs(amap, "jenkins.py", "main") == {"Jenkinsfile#pipeline (schedule)"}
    assert runs(amap, "bb.py", "main") == {"bitbucket-pipelines.yml#default (change)"}
    assert runs(amap, "bb_manual.py", "main") == {"bitbucket-pipelines.yml#custom.retrain (manual)"}
    for untouched in ("orphan.py", "commented.py", "cb.py"):
        assert amap.execution_of(untouched) is None
    assert (
        "cloudbuild.yaml",
        "Cloud Build triggers are configured outside the repository; not credited",
    ) in amap.unresolved


def test_airflow_dag_schedule_and_callables(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            "dags/retrain.py": (
                "from airflow import DAG\n"
                "from airflow.operators.python import PythonOperator\n"
                "from airflow.operators.bash import BashOperator\n"
                "from ml.train import fit\n\n"
                "with DAG('retrain', schedule='@daily') as dag:\n"
                "    PythonOperator(task_id='fit', python_callable=fit)\n"
                "    BashOperator(task_id='eval', bash_command='python scripts/eval.py')\n"
            ),
            "dags/adhoc.py": (
                "from airflow import DAG\n\nwith DAG(dag_id='adhoc', schedule=None) as dag:\n"
                "    pass\n"
            ),
            "ml/__init__.py": "",
            "ml/train.py": "def fit():\n    pass\n\ndef other():\n    pass\n",
            "scripts/eval.py": SCRIPT,
        },
    )
    assert roots(amap) == {"dags/retrain.py#retrain": "schedule", "dags/adhoc.py#adhoc": "manual"}
    assert runs(amap, "ml/train.py", "fit") == {"dags/retrain.py#retrain (schedule)"}
    assert amap.execution_of("ml/train.py", "other") is None
    assert runs(amap, "scripts/eval.py", "main") == {"dags/retrain.py#retrain (schedule)"}


def test_pipeline_frameworks_and_cron_manifests(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            "flows/train_flow.py": (
                "from prefect import flow, task\n\n"
                "@task\ndef load():\n    return 1\n\n"
                "@flow\ndef training():\n    load()\n"
            ),
            "k8s/cron.yaml": """
                apiVersion: batch/v1
                kind: CronJob
                metadata:
                  name: retrain
                spec:
                  schedule: "0 1 * * *"
                  jobTemplate:
                    spec:
                      template:
                        spec:
                          containers:
                            - name: train
                              image: ml:latest
                              command: ["python", "/app/jobs/retrain.py"]
            """,
            "jobs/retrain.py": SCRIPT,
        },
    )
    assert roots(amap) == {  # nothing schedules or starts the flow: a person runs it
        "flows/train_flow.py#training": "manual",
        "k8s/cron.yaml#retrain": "schedule",
    }
    assert runs(amap, "flows/train_flow.py", "load") == {"flows/train_flow.py#training (manual)"}
    assert runs(amap, "jobs/retrain.py", "main") == {"k8s/cron.yaml#retrain (schedule)"}


def test_malformed_definitions_do_not_crash(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".github/workflows/a.yml": "on: push\njobs:\n  t:\n    steps: nope\n    strategy: 3\n",
            ".github/workflows/b.yml": "on: {push: null}\njobs: [1, 2]\n",
            ".github/workflows/c.yml": (
                "on: push\njobs:\n  t:\n    steps:\n      - uses: ./act\n        with: 3\n"
                '      - run: 7\n      - run: "pytest \'unbalanced"\n'
            ),
            "act/action.yml": "inputs: 5\nruns:\n  using: composite\n  steps: [1, {run: 2}]\n",
            ".github/workflows/d.yml": "not: [valid\n",
            ".gitlab-ci.yml": (
                "include: 5\nvariables: [1]\njob:\n  script: {a: 1}\n  rules: [1, {if: 3}]\n"
                "  only: 7\n"
            ),
            "Makefile": "a: b\n\tbash loop.sh\nb: a\n\tmake a\n",
            "loop.sh": "bash loop2.sh\n",
            "loop2.sh": "bash loop.sh\n",
            ".circleci/config.yml": "jobs: 3\n",
            "bitbucket-pipelines.yml": "pipelines: {default: 3, branches: [1]}\n",
            "Jenkinsfile": "sh '''make a'''\n",
        },
    )
    assert "Jenkinsfile#pipeline" in roots(amap)
    assert runs(amap, "loop.sh") == {"Jenkinsfile#pipeline (change)"}
    assert runs(amap, "loop2.sh") == {"Jenkinsfile#pipeline (change)"}
    assert any("unbalanced quotes" in reason for _, reason in amap.unresolved)


KFP_PIPELINE = """\
import kfp
from kfp import dsl
from kfp.components import create_component_from_func


@dsl.component(base_image="python:3.11")
def validate(path: str) -> str:
    return check(path)


def check(path):
    return path


def legacy_train(path: str) -> str:
    return path


legacy_op = create_component_from_func(legacy_train)


@dsl.pipeline(name="training")
def training(path: str = "s3://d"):
    v = validate(path=path)
    legacy_op(path=v.output)
"""


def test_kfp_compile_only_main_does_not_run_component_bodies(tmp_path):
    # E2: `python pipeline.py` in CI only compiles the pipeline; component bodies are the
    # Kubeflow pipeline root's tasks, not Python calls of `<main>`.
    amap = amap_of(
        tmp_path,
        {
            "pipeline.py": KFP_PIPELINE
            + '\n\nif __name__ == "__main__":\n'
            + '    kfp.compiler.Compiler().compile(training, "training.yaml")\n',
            ".github/workflows/ml.yml": (
                "on: push\njobs:\n  train:\n    runs-on: ubuntu-latest\n    steps:\n"
                "      - run: python pipeline.py\n"
            ),
        },
    )
    # nothing schedules the pipeline or starts a run of it: its components run when a person
    # starts it (a recurring run set up in a console is outside the repository)
    assert roots(amap)["pipeline.py#training"] == "manual"
    pipeline = {"pipeline.py#training (manual)"}
    assert runs(amap, "pipeline.py", "validate") == pipeline
    assert runs(amap, "pipeline.py", "check") == pipeline  # called from the component body
    assert runs(amap, "pipeline.py", "legacy_train") == pipeline
    # compiling traces the pipeline function but runs none of it (its gates included): the
    # pipeline runs only when it is submitted or scheduled (reviewer M, Vertex AI)
    assert runs(amap, "pipeline.py", "training") == {"pipeline.py#training (manual)"}
    (run,) = amap.executions("pipeline.py", "validate")
    assert run.chain[-2:] == ("pipeline.py::training", "pipeline.py::validate")


def test_kfp_component_python_func_in_a_test_runs_the_body(tmp_path):
    # trap for E2: `validate.python_func(...)` is a plain Python call of the component body
    amap = amap_of(
        tmp_path,
        {
            "pipeline.py": KFP_PIPELINE,
            "tests/test_pipeline.py": (
                "from pipeline import validate\n\n\n"
                "def test_validate():\n"
                '    assert validate.python_func(path="x") == "x"\n'
            ),
            ".github/workflows/test.yml": (
                "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
                "      - run: pytest\n"
            ),
        },
    )
    assert runs(amap, "pipeline.py", "validate") == {
        "pipeline.py#training (manual)",
        ".github/workflows/test.yml#test (change)",
    }
    assert runs(amap, "pipeline.py", "legacy_train") == {"pipeline.py#training (manual)"}


def test_kfp_run_submitted_by_ci_runs_component_bodies_on_change(tmp_path):
    # E2: compiling and submitting a run (`create_run_from_pipeline_package`) from CI starts
    # the pipeline: its components run on change, with the CI job as the way in
    amap = amap_of(
        tmp_path,
        {
            "pipeline.py": KFP_PIPELINE
            + '\n\nif __name__ == "__main__":\n'
            + '    kfp.compiler.Compiler().compile(training, "training.yaml")\n'
            + '    kfp.Client(host="http://kfp").create_run_from_pipeline_package("training.yaml")\n',
            ".github/workflows/ml.yml": (
                "on: push\njobs:\n  train:\n    runs-on: ubuntu-latest\n    steps:\n"
                "      - run: python pipeline.py\n"
            ),
        },
    )
    both = {"pipeline.py#training (manual)", ".github/workflows/ml.yml#train (change)"}
    assert runs(amap, "pipeline.py", "validate") == both
    assert runs(amap, "pipeline.py", "check") == both
    ci = next(e for e in amap.executions("pipeline.py", "validate") if e.trigger == "change")
    assert ci.chain[-2:] == ("pipeline.py::<main>", "pipeline.py::validate")
