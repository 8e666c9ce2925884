"""GitLab: branch and tag names are unset in merge-request pipelines."""

from __future__ import annotations

import pytest

from ml_readiness.automation.gitlab import eval_if, eval_if_certain
from tests.automation.util import amap_of, roots


@pytest.mark.parametrize(
    ("expr", "push", "merge_request"),
    [
        ('$CI_COMMIT_BRANCH == "main"', True, False),
        ("$CI_COMMIT_BRANCH =~ /^release/", True, False),
        ("$CI_COMMIT_BRANCH", True, False),
        ("$CI_COMMIT_TAG", True, False),
        ('$CI_COMMIT_BRANCH != "main"', True, True),
        ('$CI_COMMIT_BRANCH == "main" || $CI_PIPELINE_SOURCE == "merge_request_event"', True, True),
    ],
)
def test_branch_tests_in_merge_request_pipelines(expr, push, merge_request):
    assert eval_if(expr, "push") is push
    assert eval_if(expr, "merge_request_event") is merge_request


def test_an_unset_branch_is_certain_only_in_merge_request_pipelines():
    assert eval_if_certain('$CI_COMMIT_BRANCH != "main"', "merge_request_event") is True
    assert eval_if_certain('$CI_COMMIT_BRANCH != "main"', "push") is False  # unknown branch


def test_a_main_branch_only_job_does_not_run_for_merge_requests(tmp_path):
    ci = (
        "report:\n"
        "  script: [cml comment create report.md]\n"
        "  rules:\n"
        '    - if: $CI_COMMIT_BRANCH == "main"\n'
        "deploy_tag:\n"
        "  script: [echo deploy]\n"
        "  rules:\n"
        "    - if: $CI_COMMIT_TAG\n"
    )
    amap = amap_of(tmp_path, {".gitlab-ci.yml": ci})
    assert roots(amap) == {".gitlab-ci.yml#report": "change", ".gitlab-ci.yml#deploy_tag": "change"}
    events = {r.id: r.to_json()["events"] for r in amap.roots}
    assert events == {  # not merge requests: no branch or tag name is set there
        ".gitlab-ci.yml#report": ["push", "schedule", "web"],
        ".gitlab-ci.yml#deploy_tag": ["push", "schedule", "web"],
    }
