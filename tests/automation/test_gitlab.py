"""GitLab CI: rules, only/except, when, extends, include: local."""

from __future__ import annotations

from tests.automation.util import amap_of, roots, runs

TEST_PY = "def test_ok():\n    assert 1\n"


def test_rules_schedule_only_manual_and_never(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".gitlab-ci.yml": """
                stages: [test, train]
                variables:
                  TESTS: tests/unit
                unit:
                  stage: test
                  script:
                    - pytest $TESTS
                nightly:
                  stage: train
                  rules:
                    - if: $CI_PIPELINE_SOURCE == "schedule"
                  script:
                    - python train.py
                mr:
                  rules:
                    - if: $CI_PIPELINE_SOURCE == "merge_request_event"
                  script: [python evaluate.py]
                deploy:
                  when: manual
                  script: [python deploy.py]
                never:
                  rules:
                    - when: never
                  script: [python never.py]
            """,
            "tests/unit/test_u.py": TEST_PY,
            "train.py": "x = 1\n",
            "evaluate.py": "x = 1\n",
            "deploy.py": "x = 1\n",
            "never.py": "x = 1\n",
        },
    )
    assert roots(amap) == {
        ".gitlab-ci.yml#unit": "change",
        ".gitlab-ci.yml#nightly": "schedule",
        ".gitlab-ci.yml#mr": "change",
        ".gitlab-ci.yml#deploy": "manual",
    }
    nightly = next(r for r in amap.roots if r.id.endswith("#nightly"))
    assert nightly.condition == '$CI_PIPELINE_SOURCE == "schedule"'
    assert nightly.events == ("schedule",)
    assert runs(amap, "train.py") == {".gitlab-ci.yml#nightly (schedule)"}
    assert runs(amap, "tests/unit/test_u.py", "test_ok") == {".gitlab-ci.yml#unit (change)"}
    assert runs(amap, "deploy.py") == {".gitlab-ci.yml#deploy (manual)"}
    assert amap.execution_of("never.py") is None
    assert (".gitlab-ci.yml", "job `never` runs in no pipeline (rules/when: never)") in (
        amap.unresolved
    )


def test_only_schedules_and_except(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".gitlab-ci.yml": """
                retrain:
                  only: [schedules]
                  script: python retrain.py
                test:
                  except:
                    - schedules
                  script: pytest
            """,
            "retrain.py": "x = 1\n",
        },
    )
    assert roots(amap) == {".gitlab-ci.yml#retrain": "schedule", ".gitlab-ci.yml#test": "change"}


def test_include_local_extends_and_default_before_script(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".gitlab-ci.yml": """
                include:
                  - local: /ci/jobs.yml
                  - project: group/templates
                    file: python.yml
                default:
                  before_script:
                    - python setup_env.py
            """,
            "ci/jobs.yml": """
                .pytest:
                  script:
                    - pytest tests/integration
                integration:
                  extends: .pytest
                  rules:
                    - if: $CI_PIPELINE_SOURCE == "push"
            """,
            "tests/integration/test_i.py": TEST_PY,
            "setup_env.py": "x = 1\n",
        },
    )
    assert roots(amap) == {"ci/jobs.yml#integration": "change"}
    assert runs(amap, "tests/integration/test_i.py", "test_ok") == {
        "ci/jobs.yml#integration (change)"
    }
    assert runs(amap, "setup_env.py") == {"ci/jobs.yml#integration (change)"}
    assert any("group/templates" in reason for _, reason in amap.unresolved)


def test_workflow_rules_limit_sources(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".gitlab-ci.yml": """
                workflow:
                  rules:
                    - if: $CI_PIPELINE_SOURCE == "schedule"
                train:
                  script: python train.py
            """,
            "train.py": "x = 1\n",
        },
    )
    assert roots(amap) == {".gitlab-ci.yml#train": "schedule"}
