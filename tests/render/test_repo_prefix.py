"""Subfolder audits: reports link files by their path from the repository's top."""

from __future__ import annotations

import json

import pytest

from ml_readiness.render.html import file_url
from ml_readiness.render.markdown import render_markdown
from ml_readiness.render.sarif import render_sarif
from ml_readiness.render.text import repo_file_url, repo_path
from ml_readiness.result import AuditResult
from tests.helpers import audit, make_repo
from tests.render.factory import build, ev, item

COMMIT = "0123456789abcdef0123456789abcdef01234567"
URL = "https://github.com/acme/mono"


@pytest.mark.parametrize(
    ("prefix", "path", "expected"),
    [
        ("", "train.py", "train.py"),
        ("services/ranker", "train.py", "services/ranker/train.py"),
        ("services/ranker", "../../.github/workflows/ci.yml", ".github/workflows/ci.yml"),
        ("services/ranker", "../shared/io.py", "services/shared/io.py"),
        ("services/ranker", "../../../etc/passwd", None),  # above the repository's top
        ("", "../ci.yml", None),
        ("services/ranker", "a/../b.py", None),
        ("services/ranker", "/etc/passwd", None),
        ("services/ranker", "<check x>", None),
        ("services/ranker", "a\\b.py", None),
        ("services/ranker", "", None),
        ("services\x1b/x", "train.py", None),  # a prefix with control characters links nothing
        (None, "train.py", "train.py"),  # a result saved before schema 1.1
    ],
)
def test_repo_path(prefix, path, expected):
    assert repo_path(prefix, path) == expected


def test_links_join_the_prefix():
    assert (
        repo_file_url(URL, COMMIT, "train.py", 3, "services/ranker")
        == f"{URL}/blob/{COMMIT}/services/ranker/train.py#L3"
    )
    assert (
        file_url("https://gitlab.com/a/b", COMMIT, "../ci.yml", 2, "svc")
        == f"https://gitlab.com/a/b/-/blob/{COMMIT}/ci.yml#L2"
    )
    assert file_url(URL, COMMIT, "../../ci.yml", 2, "svc") is None


def test_sarif_and_markdown_use_paths_from_the_top():
    items = [
        item("data-1", "manual", (ev("train.py", 4),)),
        item("infra-3", "manual", (ev("../../.github/workflows/ci.yml", 7, kind="config"),)),
        item("model-1", "none"),
    ]
    result = build(items, commit=COMMIT, repo_url=URL, repo_prefix="services/ranker")
    run = json.loads(render_sarif(result))["runs"][0]
    where = {
        r["ruleId"]: (
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in run["results"]
    }
    assert where["data-1"] == ("services/ranker/train.py", 4)
    assert where["infra-3"] == (".github/workflows/ci.yml", 7)
    assert where["model-1"] == ("services/ranker/README.md", 1)  # the fallback, in the folder
    md = render_markdown(result)
    assert f"{URL}/blob/{COMMIT}/services/ranker/train.py#L4" in md
    assert f"{URL}/blob/{COMMIT}/.github/workflows/ci.yml#L7" in md


def test_audit_of_a_subfolder_records_its_prefix(tmp_path):
    root = make_repo(
        tmp_path / "mono",
        {
            "services/ranker/train.py": "import random\nrandom.seed(0)\n",
            "README.md": "# mono\n",
        },
        git=True,
    )
    sub = audit(root / "services" / "ranker")
    top = audit(root)
    assert (sub.repo_prefix, sub.root) == ("services/ranker", "ranker")
    assert top.repo_prefix == ""
    data = json.loads(sub.dumps())
    assert data["repo_prefix"] == "services/ranker" and data["schema_version"] == "1.1"
    assert AuditResult.from_json(data).repo_prefix == "services/ranker"
    del data["repo_prefix"]  # a 1.0 result file still loads
    assert AuditResult.from_json(data).repo_prefix == ""


def test_outside_git_there_is_no_prefix(tmp_path):
    root = make_repo(tmp_path / "plain" / "sub", {"train.py": "x = 1\n"})
    assert audit(root).repo_prefix == ""
