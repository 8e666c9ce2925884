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
