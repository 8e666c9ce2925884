"""Repo-controlled text can never inject markup, table breaks or terminal escapes."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

from click.testing import CliRunner

from ml_readiness.cli import main
from tests.helpers import make_repo

EVIL_NAME = "docs/<img src=x onerror=alert(1)>|`x`\x1b[31m.md"
EVIL_TEXT = "<script>alert('o')</script> | `tick` \x1b[2J\x1b]0;title\x07 [link](javascript:x)"
NOTE = json.dumps("line one\n| fake | row |\n<!-- hidden -->")
REASON = json.dumps(EVIL_TEXT + "\n# fake heading")


def _repo(tmp_path):
    root = make_repo(
        tmp_path / "repo",
        {
            EVIL_NAME: "# Evidence\nA/B test results: offline AUC tracked online CTR.\n",
            "mlready.yaml": f"""
            attestations:
              - item: model-2
                level: manual
                evidence: {json.dumps(EVIL_NAME)}
                owner: {json.dumps(EVIL_TEXT)}
                reviewed: 2026-10-01
                note: {NOTE}
            not_applicable:
              - item: infra-6
                reason: {REASON}
        """,
            ".github/workflows/ci.yml": """
            name: "<script>wf()</script>"
            on: [push]
            jobs:
              "<b>job</b>":
                runs-on: ubuntu-latest
                steps:
                  - run: pytest tests
        """,
            "tests/test_<i>x</i>.py": "def test_x():\n    assert 1 + 1 == 2\n",
        },
        git=True,
    )
    return root


def _render(root, fmt):
    result = CliRunner().invoke(
        main, ["audit", str(root), "--format", fmt, "--as-of", "2026-11-01"]
    )
    assert result.exit_code in (0, 1), result.output
    return result.stdout


def test_every_format_escapes_repo_text(tmp_path):
    root = _repo(tmp_path)
    data = json.loads(_render(root, "json"))
    relied = " ".join(data["gate"]["relied_on"])
    assert "<script>alert('o')</script>" in relied  # JSON keeps the text, as data

    html = _render(root, "html")
    assert "<script" not in html.lower() and "<img" not in html and "<b>job" not in html
    assert "&lt;script&gt;alert(" in html and "javascript:x" not in html.split("href=")[-1][:30]

    md = _render(root, "md")
    assert "<script" not in md and "<img" not in md and "<b>job" not in md
    assert "\x1b" not in md and "\n# fake heading" not in md and "\n| fake | row |" not in md
    assert "&lt;script&gt;alert('o')&lt;/script&gt; \\| \\`tick\\`" in md

    junit = _render(root, "junit")
    ET.fromstring(junit.encode())  # well-formed
    assert "\x1b" not in junit and "<script" not in junit
    assert "&lt;script&gt;alert('o')&lt;/script&gt;" in junit

    sarif = json.loads(_render(root, "sarif"))
    assert sarif["version"] == "2.1.0"

    text = _render(root, "text")
    assert "\x1b" not in text and "\x07" not in text
    assert "<script>alert('o')</script> | `tick`  [link](javascript:x) # fake heading" in text
    assert not any(line.startswith(("| fake", "# fake")) for line in text.splitlines())
