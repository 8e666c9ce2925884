"""GitHub Actions: triggers, jobs, conditions, matrices, working directories, local actions."""

from __future__ import annotations

from tests.automation.util import amap_of, roots, runs

TEST_PY = "def test_ok():\n    assert 1\n"
PYTEST_WORKFLOW = "on: push\njobs:\n  t:\n    steps:\n      - run: pytest\n"


def test_push_workflow_runs_pytest_and_records_chain(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".github/workflows/ci.yml": """
                name: CI
                on:
                  push:
                    branches: [main]
                  pull_request:
                jobs:
                  test:
                    runs-on: ubuntu-latest
                    steps:
                      - uses: actions/checkout@v4
                      - name: Unit tests
                        run: |
                          pip install -e .
                          python -m pytest tests/unit -q
            """,
            "tests/unit/test_a.py": TEST_PY,
            "tests/slow/test_b.py": TEST_PY,
        },
    )
    assert roots(amap) == {".github/workflows/ci.yml#test": "change"}
    run = amap.execution_of("tests/unit/test_a.py", "test_ok")
    assert run is not None and run.automated
    assert run.chain == (
        ".github/workflows/ci.yml",
        "job test",
        "step Unit tests",
        "`python -m pytest tests/unit -q`",
        "tests/unit/test_a.py::test_ok",
    )
    assert amap.execution_of("tests/slow/test_b.py") is None
    assert amap.why_not("tests/slow/test_b.py") == (
        "tests/slow/test_b.py is not collected by any CI job: "
        ".github/workflows/ci.yml#test runs `python -m pytest tests/unit -q`"
    )


def test_on_key_parsed_as_boolean_and_schedule_trigger(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".github/workflows/nightly.yaml": """
                on:
                  schedule:
                    - cron: "0 3 * * *"
                jobs:
                  train:
                    runs-on: ubuntu-latest
                    steps:
                      - run: python train.py
            """,
            "train.py": "def main():\n    pass\n\nif __name__ == '__main__':\n    main()\n",
        },
    )
    assert roots(amap) == {".github/workflows/nightly.yaml#train": "schedule"}
    assert runs(amap, "train.py", "main") == {".github/workflows/nightly.yaml#train (schedule)"}
    assert runs(amap, "train.py", "<main>") == {".github/workflows/nightly.yaml#train (schedule)"}


def test_dispatch_only_training_workflow_is_manual(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".github/workflows/train.yml": """
                on: workflow_dispatch
                jobs:
                  train:
                    runs-on: ubuntu-latest
                    steps:
                      - run: python src/train.py
            """,
            "src/train.py": "def fit():\n    pass\n\nfit()\n",
        },
    )
    assert roots(amap) == {".github/workflows/train.yml#train": "manual"}
    run = amap.execution_of("src/train.py", "fit")
    assert run is not None and not run.automated
    assert amap.why_not("src/train.py", "fit") == (
        "src/train.py::fit runs only via .github/workflows/train.yml#train, "
        "which is triggered manually"
    )


def test_workflow_outside_workflows_folder_is_ignored(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".github/ci.yml": PYTEST_WORKFLOW,
            "ci/workflows/ci.yml": PYTEST_WORKFLOW,
            ".github/workflows/old/ci.yml": PYTEST_WORKFLOW,
            "tests/test_a.py": TEST_PY,
        },
    )
    assert amap.roots == []
    assert amap.execution_of("tests/test_a.py") is None
    assert amap.why_not("tests/test_a.py") == (
        "no CI, schedule or pipeline was found, so nothing runs it automatically"
    )


def test_constant_false_job_reaches_nothing_and_needs_follow(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".github/workflows/ci.yml": """
                on: push
                jobs:
                  gpu:
                    if: ${{ false }}
                    runs-on: ubuntu-latest
                    steps:
                      - run: pytest tests/gpu
                  after:
                    needs: gpu
                    runs-on: ubuntu-latest
                    steps:
                      - run: pytest tests/after
                  off:
                    if: false
                    runs-on: ubuntu-latest
                    steps:
                      - run: pytest tests/off
                  main:
                    if: github.ref == 'refs/heads/main'
                    runs-on: ubuntu-latest
                    steps:
                      - run: pytest tests/main
            """,
            "tests/gpu/test_g.py": TEST_PY,
            "tests/after/test_a.py": TEST_PY,
            "tests/off/test_o.py": TEST_PY,
            "tests/main/test_m.py": TEST_PY,
        },
    )
    assert roots(amap) == {".github/workflows/ci.yml#main": "change"}
    main = next(r for r in amap.roots if r.id.endswith("#main"))
    assert main.condition == "github.ref == 'refs/heads/main'"
    run = amap.execution_of("tests/main/test_m.py", "test_ok")
    assert run is not None and run.condition == "github.ref == 'refs/heads/main'"
    for path in ("tests/gpu/test_g.py", "tests/after/test_a.py", "tests/off/test_o.py"):
        assert amap.execution_of(path) is None
    assert (
        ".github/workflows/ci.yml",
        "job `gpu` is disabled by `if: ${{ false }}`; not credited",
    ) in amap.unresolved
    assert (
        ".github/workflows/ci.yml",
        "job `off` is disabled by `if: False`; not credited",
    ) in amap.unresolved


def test_event_name_condition_narrows_trigger(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".github/workflows/ci.yml": """
                on: [push, workflow_dispatch]
                jobs:
                  train:
                    if: github.event_name == 'workflow_dispatch'
                    runs-on: ubuntu-latest
                    steps:
                      - run: python train.py
                  test:
                    runs-on: ubuntu-latest
                    steps:
                      - run: pytest
            """,
            "train.py": "x = 1\n",
        },
    )
    assert roots(amap) == {
        ".github/workflows/ci.yml#train": "manual",
        ".github/workflows/ci.yml#test": "change",
    }


def test_commented_out_and_disabled_steps_do_not_run(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".github/workflows/ci.yml": """
                on: push
                jobs:
                  test:
                    runs-on: ubuntu-latest
                    steps:
                      # - run: python evaluate.py
                      - run: |
                          # python train.py
                          echo done
                      - if: ${{ false }}
                        run: python validate.py
            """,
            "evaluate.py": "x = 1\n",
            "train.py": "x = 1\n",
            "validate.py": "x = 1\n",
        },
    )
    assert roots(amap) == {".github/workflows/ci.yml#test": "change"}
    assert amap.executed == {}


def test_matrix_working_directory_and_env(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".github/workflows/ci.yml": """
                on: pull_request
                defaults:
                  run:
                    working-directory: service
                jobs:
                  test:
                    runs-on: ubuntu-latest
                    strategy:
                      matrix:
                        suite: [unit, integration]
                    env:
                      SCRIPT: tools/check.py
                    steps:
                      - run: pytest tests/${{ matrix.suite }}
                      - run: python $SCRIPT
                        working-directory: .
            """,
            "service/tests/unit/test_u.py": TEST_PY,
            "service/tests/integration/test_i.py": TEST_PY,
            "tools/check.py": "def run():\n    pass\n\nrun()\n",
        },
    )
    assert runs(amap, "service/tests/unit/test_u.py", "test_ok") == {
        ".github/workflows/ci.yml#test (change)"
    }
    assert runs(amap, "service/tests/integration/test_i.py", "test_ok") == {
        ".github/workflows/ci.yml#test (change)"
    }
    assert runs(amap, "tools/check.py", "run") == {".github/workflows/ci.yml#test (change)"}


def test_workflow_run_inherits_upstream_trigger_and_reusable_workflow(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".github/workflows/ci.yml": """
                name: CI
                on: push
                jobs:
                  call:
                    uses: ./.github/workflows/reusable.yml
                    with:
                      target: tests/unit
            """,
            ".github/workflows/reusable.yml": """
                on:
                  workflow_call:
                    inputs:
                      target:
                        type: string
                jobs:
                  run:
                    runs-on: ubuntu-latest
                    steps:
                      - run: pytest ${{ inputs.target }}
            """,
            ".github/workflows/after.yml": """
                on:
                  workflow_run:
                    workflows: [CI]
                jobs:
                  evaluate:
                    runs-on: ubuntu-latest
                    steps:
                      - run: python evaluate.py
            """,
            "tests/unit/test_u.py": TEST_PY,
            "evaluate.py": "x = 1\n",
        },
    )
    assert roots(amap) == {
        ".github/workflows/ci.yml#call": "change",
        ".github/workflows/after.yml#evaluate": "change",
    }
    run = amap.execution_of("tests/unit/test_u.py", "test_ok")
    assert run is not None and run.root == ".github/workflows/ci.yml#call"
    assert ".github/workflows/reusable.yml#run step #1" in run.chain
    assert runs(amap, "evaluate.py") == {".github/workflows/after.yml#evaluate (change)"}


def test_local_composite_action(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".github/workflows/ci.yml": """
                on: push
                jobs:
                  test:
                    runs-on: ubuntu-latest
                    steps:
                      - uses: ./.github/actions/run-tests
                        with:
                          path: tests/fast
            """,
            ".github/actions/run-tests/action.yml": """
                name: run tests
                inputs:
                  path:
                    default: tests
                runs:
                  using: composite
                  steps:
                    - run: pytest ${{ inputs.path }}
                      shell: bash
            """,
            "tests/fast/test_f.py": TEST_PY,
            "tests/other/test_o.py": TEST_PY,
        },
    )
    assert runs(amap, "tests/fast/test_f.py", "test_ok") == {
        ".github/workflows/ci.yml#test (change)"
    }
    assert amap.execution_of("tests/other/test_o.py") is None


def test_confirm_job_and_test_node(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".github/workflows/ci.yml": """
                on: push
                jobs:
                  evaluate:
                    runs-on: ubuntu-latest
                    steps:
                      - run: pytest tests
            """,
            ".github/workflows/manual.yml": """
                on: workflow_dispatch
                jobs:
                  train:
                    runs-on: ubuntu-latest
                    steps:
                      - run: echo hi
            """,
            "tests/test_x.py": "def test_y():\n    assert 1\n",
        },
    )
    ok = amap.confirm(".github/workflows/ci.yml#evaluate")
    assert ok is not None and ok.trigger == "change"
    assert amap.confirm(".github/workflows/manual.yml#train") is None
    assert amap.confirm(".github/workflows/ci.yml#missing") is None
    node = amap.confirm("tests/test_x.py::test_y")
    assert node is not None and node.root == ".github/workflows/ci.yml#evaluate"
    assert amap.confirm("tests/test_x.py::test_nope") is None


def test_enclosing_repository_workflow_with_working_directory(tmp_path):
    outer = tmp_path / "mono"
    files = {
        ".github/workflows/ci.yml": """
            on: push
            jobs:
              ml:
                runs-on: ubuntu-latest
                defaults:
                  run:
                    working-directory: projects/ml
                steps:
                  - run: pytest tests
        """,
        "projects/ml/tests/test_m.py": TEST_PY,
        "projects/ml/pyproject.toml": "[project]\nname = 'ml'\n",
    }
    from ml_readiness.facts import Facts
    from ml_readiness.repo import Repo
    from tests.helpers import make_repo

    make_repo(outer, files, git=True)
    amap = Facts(Repo.open(outer / "projects" / "ml")).automation
    assert roots(amap) == {"../../.github/workflows/ci.yml#ml": "change"}
    assert runs(amap, "tests/test_m.py", "test_ok") == {
        "../../.github/workflows/ci.yml#ml (change)"
    }
    assert amap.confirm(".github/workflows/ci.yml#ml") is not None
