"""Round 6 (F): triggers of CI jobs in real ML repositories — GitLab opt-out rules on
variables we cannot read, `!reference`, `parallel: matrix`, commit-message opt-ins, and GitHub
jobs that `need` a manually-triggered job."""

from __future__ import annotations

from tests.automation.util import amap_of, roots, runs

TEST = "def test_ok():\n    assert 1\n"


def test_gitlab_opt_out_on_unknown_variable_still_runs_on_change(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".gitlab-ci.yml": """
                .setup:
                  script:
                    - pip install -r requirements.txt
                    - pytest tests/unit
                test:
                  script:
                    - !reference [.setup, script]
                  rules:
                    - if: '$TEST_DISABLED'
                      when: never
                    - if: '$CI_COMMIT_TAG || $CI_COMMIT_BRANCH'
                nightly:
                  script: [python retrain.py]
                  rules:
                    - if: $CI_PIPELINE_SOURCE != "schedule"
                      when: never
                    - when: on_success
            """,
            "tests/unit/test_u.py": TEST,
            "retrain.py": "x = 1\n",
        },
    )
    assert roots(amap) == {".gitlab-ci.yml#test": "change", ".gitlab-ci.yml#nightly": "schedule"}
    test_root = next(r for r in amap.roots if r.id.endswith("#test"))
    assert test_root.condition == "$CI_COMMIT_TAG || $CI_COMMIT_BRANCH"  # not the opt-out
    assert runs(amap, "tests/unit/test_u.py", "test_ok") == {".gitlab-ci.yml#test (change)"}
    assert runs(amap, "retrain.py") == {".gitlab-ci.yml#nightly (schedule)"}


def test_gitlab_trap_certain_never_and_commit_message_opt_in(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".gitlab-ci.yml": """
                workflow:
                  rules:
                    - if: $CI_PIPELINE_SOURCE == "push"
                off:
                  script: [python off.py]
                  rules:
                    - if: $CI_PIPELINE_SOURCE == "push"
                      when: never
                train:
                  script: [python train.py]
                  rules:
                    - if: $CI_COMMIT_MESSAGE =~ /^train /
            """,
            "off.py": "x = 1\n",
            "train.py": "x = 1\n",
        },
    )
    assert roots(amap) == {".gitlab-ci.yml#train": "manual"}
    assert amap.execution_of("off.py") is None
    assert runs(amap, "train.py") == {".gitlab-ci.yml#train (manual)"}


def test_gitlab_parallel_matrix_variables_reach_the_script(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".gitlab-ci.yml": """
                suites:
                  parallel:
                    matrix:
                      - SUITE: [tests/unit, tests/data]
                  script:
                    - pytest $SUITE
            """,
            "tests/unit/test_u.py": TEST,
            "tests/data/test_d.py": TEST,
            "tests/slow/test_s.py": TEST,
        },
    )
    assert runs(amap, "tests/unit/test_u.py") == {".gitlab-ci.yml#suites (change)"}
    assert runs(amap, "tests/data/test_d.py") == {".gitlab-ci.yml#suites (change)"}
    assert amap.execution_of("tests/slow/test_s.py") is None


WORKFLOW = """
on:
  push:
  workflow_dispatch:
jobs:
  train:
    if: github.event_name == 'workflow_dispatch'
    runs-on: ubuntu-latest
    steps:
      - run: python train.py
  evaluate:
    needs: train
    runs-on: ubuntu-latest
    steps:
      - run: python evaluate.py
  report:
    needs: [train]
    if: always()
    runs-on: ubuntu-latest
    steps:
      - run: python report.py
  retrain:
    if: contains(github.event.head_commit.message, '[retrain]')
    runs-on: ubuntu-latest
    steps:
      - run: python retrain.py
  smoke:
    if: "!contains(github.event.head_commit.message, '[skip smoke]')"
    runs-on: ubuntu-latest
    steps:
      - run: python smoke.py
"""


def test_github_job_needing_a_manual_job_is_manual_and_commit_opt_in_is_manual(tmp_path):
    files = {".github/workflows/ml.yml": WORKFLOW}
    files.update({f"{n}.py": "x = 1\n" for n in ("train", "evaluate", "report", "retrain")})
    files["smoke.py"] = "x = 1\n"
    amap = amap_of(tmp_path, files)
    assert roots(amap) == {
        ".github/workflows/ml.yml#train": "manual",
        ".github/workflows/ml.yml#evaluate": "manual",  # skipped on push with `train`
        ".github/workflows/ml.yml#report": "change",  # `always()` runs after a skip
        ".github/workflows/ml.yml#retrain": "manual",
        ".github/workflows/ml.yml#smoke": "change",  # an opt-out, not an opt-in
    }
    assert "triggered manually" in amap.why_not("evaluate.py")
    assert runs(amap, "smoke.py") == {".github/workflows/ml.yml#smoke (change)"}


def test_commands_matching_finds_ci_lines_with_their_roots(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".gitlab-ci.yml": """
                report:
                  rules:
                    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
                  script:
                    - |
                      # dvc metrics diff main is explained here
                      dvc metrics diff main --show-md >> report.md
                manual-report:
                  when: manual
                  script: [dvc metrics diff main]
            """,
        },
    )
    found = [(r.id, r.trigger, text) for r, text in amap.commands_matching(r"dvc metrics diff")]
    assert sorted(found) == [
        (".gitlab-ci.yml#manual-report", "manual", "dvc metrics diff main"),
        (".gitlab-ci.yml#report", "change", "dvc metrics diff main --show-md >> report.md"),
    ]


def test_gitlab_local_child_pipeline_runs_under_its_parent_trigger(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".gitlab-ci.yml": """
                models:
                  trigger:
                    include: ci/models.yml
                    strategy: depend
                  rules:
                    - if: $CI_PIPELINE_SOURCE == "schedule"
                downstream:
                  trigger: group/other-project
            """,
            "ci/models.yml": """
                retrain:
                  script: [python train.py]
                mr-only:
                  rules:
                    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
                  script: [python mr.py]
                by-hand:
                  when: manual
                  script: [python hand.py]
            """,
            "train.py": "x = 1\n",
            "mr.py": "x = 1\n",
            "hand.py": "x = 1\n",
        },
    )
    assert roots(amap) == {"ci/models.yml#retrain": "schedule", "ci/models.yml#by-hand": "manual"}
    run = amap.execution_of("train.py")
    assert (run.root, run.trigger) == ("ci/models.yml#retrain", "schedule")
    assert run.chain[:5] == (
        ".gitlab-ci.yml",
        "job models",
        "child pipeline",
        "ci/models.yml",
        "job retrain",
    )
    # traps: a child job for merge-request pipelines never runs in a child pipeline, and a
    # pipeline of another project is not followed
    assert amap.execution_of("mr.py") is None
    assert (
        ".gitlab-ci.yml",
        "job `downstream` triggers a downstream or generated pipeline; not followed",
    ) in amap.unresolved
