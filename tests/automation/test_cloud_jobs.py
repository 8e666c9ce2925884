"""Jobs submitted to Anyscale / Ray from CI run their entrypoint under the CI trigger."""

from __future__ import annotations

from tests.automation.util import amap_of, roots, runs

WORKFLOW = """
on:
  pull_request:
  workflow_dispatch:
jobs:
  workloads:
    runs-on: ubuntu-latest
    steps:
      - run: |
          export ANYSCALE_HOST=${{ secrets.ANYSCALE_HOST }}
          COMMAND
"""
JOB = "name: workloads\nruntime_env:\n  working_dir: .\nentrypoint: bash deploy/jobs/workloads.sh\n"
WORKLOADS = "#!/bin/bash\npytest tests/data\npython madewithml/train.py --num-epochs 1\n"
TRAIN = "def main():\n    return 1\n\n\nif __name__ == '__main__':\n    main()\n"
FILES = {
    "deploy/jobs/workloads.yaml": JOB,
    "deploy/jobs/workloads.sh": WORKLOADS,
    "madewithml/__init__.py": "",
    "madewithml/train.py": TRAIN,
    "tests/data/test_dataset.py": "def test_rows():\n    assert 1\n",
}
ROOT = ".github/workflows/workloads.yml#workloads"


def _files(command: str) -> dict[str, str]:
    return {**FILES, ".github/workflows/workloads.yml": WORKFLOW.replace("COMMAND", command)}


def test_anyscale_job_submit_runs_the_job_entrypoint_on_change(tmp_path):
    amap = amap_of(tmp_path, _files("anyscale jobs submit deploy/jobs/workloads.yaml --wait"))
    assert roots(amap) == {ROOT: "change"}
    assert runs(amap, "madewithml/train.py", "main") == {f"{ROOT} (change)"}
    assert runs(amap, "tests/data/test_dataset.py", "test_rows") == {f"{ROOT} (change)"}
    (run,) = amap.executions("madewithml/train.py", "main")
    assert "anyscale job `bash deploy/jobs/workloads.sh` (deploy/jobs/workloads.yaml)" in run.chain


def test_anyscale_job_config_given_with_an_option(tmp_path):
    amap = amap_of(tmp_path, _files("anyscale job submit -f deploy/jobs/workloads.yaml"))
    assert runs(amap, "madewithml/train.py", "main") == {f"{ROOT} (change)"}


def test_trap_a_missing_job_config_runs_nothing_and_says_so(tmp_path):
    amap = amap_of(tmp_path, _files("anyscale jobs submit deploy/jobs/missing.yaml"))
    assert runs(amap, "madewithml/train.py", "main") == set()
    assert any("job config deploy/jobs/missing.yaml not found" in r for _, r in amap.unresolved)


def test_trap_other_anyscale_commands_run_nothing(tmp_path):
    amap = amap_of(tmp_path, _files("anyscale job list && anyscale logs job --id x"))
    assert runs(amap, "madewithml/train.py", "main") == set()


def test_anyscale_service_rollout_runs_the_serve_module(tmp_path):
    files = {
        **_files("anyscale service rollout --service-config-file deploy/services/serve.yaml"),
        "deploy/__init__.py": "",
        "deploy/services/__init__.py": "",
        "deploy/services/serve.yaml": (
            "name: svc\nray_serve_config:\n  import_path: deploy.services.serve:entrypoint\n"
        ),
        "deploy/services/serve.py": ("from madewithml.train import main\n\nentrypoint = main()\n"),
    }
    amap = amap_of(tmp_path, files)
    assert f"{ROOT} (change)" in runs(amap, "deploy/services/serve.py")
    assert runs(amap, "madewithml/train.py", "main") == {f"{ROOT} (change)"}


def test_ray_job_submit_runs_the_command_after_the_separator(tmp_path):
    amap = amap_of(tmp_path, _files("ray job submit --working-dir . -- python madewithml/train.py"))
    assert runs(amap, "madewithml/train.py", "main") == {f"{ROOT} (change)"}


AZ_WORKFLOW = """
on:
  push:
    branches: [main]
jobs:
  run-pipeline:
    runs-on: ubuntu-latest
    steps:
      - run: |
          run_id=$(az ml job create --file mlops/azureml/train/pipeline.yml --query name -o tsv)
          az ml job stream -n $run_id
"""
AZ_ROOT = ".github/workflows/train.yml#run-pipeline"
TRAIN_SCRIPT = "def main():\n    return 1\n\n\nif __name__ == '__main__':\n    main()\n"


def _az(pipeline: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    return {
        ".github/workflows/train.yml": AZ_WORKFLOW,
        "mlops/azureml/train/pipeline.yml": pipeline,
        "data-science/src/train.py": TRAIN_SCRIPT,
        "data-science/src/evaluate.py": TRAIN_SCRIPT,
        **(extra or {}),
    }


def test_az_ml_pipeline_job_runs_each_steps_command_from_its_code_folder(tmp_path):
    pipeline = (
        "type: pipeline\njobs:\n"
        "  train_model:\n    type: command\n    code: ../../../data-science/src\n"
        "    command: >-\n      python train.py\n      --train_data ${{inputs.train_data}}\n"
        "  evaluate:\n    component: ./evaluate.yml\n"
        "  registered:\n    component: azureml:prep@latest\n"
    )
    component = "type: command\ncode: ../../../data-science/src\ncommand: python evaluate.py\n"
    files = _az(pipeline, {"mlops/azureml/train/evaluate.yml": component})
    amap = amap_of(tmp_path, files)
    assert runs(amap, "data-science/src/train.py", "main") == {f"{AZ_ROOT} (change)"}
    assert runs(amap, "data-science/src/evaluate.py", "main") == {f"{AZ_ROOT} (change)"}
    assert any("azureml:prep@latest" in r for _, r in amap.unresolved)


def test_trap_an_az_ml_job_whose_command_runs_no_script_reaches_nothing(tmp_path):
    pipeline = (
        "type: pipeline\njobs:\n  train_model:\n    type: command\n"
        "    code: ../../../data-science/src\n    command: echo train.py\n"
    )
    amap = amap_of(tmp_path, _az(pipeline))
    assert runs(amap, "data-science/src/train.py", "main") == set()


def test_az_ml_command_and_sweep_jobs(tmp_path):
    command = "type: command\ncode: ../../../data-science/src\ncommand: python train.py\n"
    amap = amap_of(tmp_path / "command", _az(command))
    assert runs(amap, "data-science/src/train.py", "main") == {f"{AZ_ROOT} (change)"}
    sweep = (
        "type: sweep\ntrial:\n  code: ../../../data-science/src\n"
        "  command: python train.py --lr ${{search_space.lr}}\n"
    )
    amap = amap_of(tmp_path / "sweep", _az(sweep))
    assert runs(amap, "data-science/src/train.py", "main") == {f"{AZ_ROOT} (change)"}


def test_commands_inside_command_substitutions_run_too():
    from ml_readiness.automation.shell import split_commands

    commands, problems = split_commands(
        "run_id=$(az ml job create --file p.yml --query name -o tsv)\n"
        'echo "done" && VERSION=$(python scripts/version.py; git rev-parse HEAD)\n'
    )
    assert problems == []
    assert [list(c.words) for c in commands] == [
        ["az", "ml", "job", "create", "--file", "p.yml", "--query", "name", "-o", "tsv"],
        ["python", "scripts/version.py"],
        ["git", "rev-parse", "HEAD"],
        ["echo", "done"],
    ]
