"""monitor-1: dependency and upstream change notifications."""

from __future__ import annotations

from pathlib import Path

from tests.checks.monitor._util import automation, evidence, findings, hints, level, run

CHECK = "dependency-update-bot"
WORKFLOW = "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n"


def test_dependabot_covering_pip_and_actions_is_automated(tmp_path: Path) -> None:
    files = {
        ".github/dependabot.yml": """
            version: 2
            updates:
              - package-ecosystem: pip
                directory: /
                schedule: {interval: weekly}
              - package-ecosystem: github-actions
                directory: /
                schedule: {interval: weekly}
        """,
        ".github/workflows/ci.yml": WORKFLOW,
        "uv.lock": "version = 1\n",
        "requirements.txt": "numpy==2.0\n",
    }
    produced = run(tmp_path, files, CHECK)
    # uv is covered by pip silently: it is not claimed as watched
    assert evidence(produced) == [
        (
            ".github/dependabot.yml:3",
            "config",
            "automated",
            "Dependabot watches github-actions, pip",
        )
    ]
    assert level(produced) == "automated"


def test_trap_dependabot_only_for_actions_while_requirements_exist(tmp_path: Path) -> None:
    files = {
        ".github/dependabot.yml": """
            version: 2
            updates:
              - package-ecosystem: github-actions
                directory: /
                schedule: {interval: weekly}
        """,
        ".github/workflows/ci.yml": WORKFLOW,
        "requirements.txt": "torch==2.3\n",
    }
    produced = run(tmp_path, files, CHECK)
    assert evidence(produced) == [
        (
            ".github/dependabot.yml:3",
            "config",
            "manual",
            "Dependabot watches github-actions; partial: not pip (requirements.txt)",
        )
    ]
    assert hints(produced) == [
        ".github/dependabot.yml does not watch the Python dependencies (requirements.txt): "
        "library changes the model depends on go unnoticed; credited as manual only"
    ]
    assert level(produced) == "manual"


def test_trap_dependabot_outside_github_folder_and_example_copy(tmp_path: Path) -> None:
    files = {
        "dependabot.yml": "version: 2\nupdates:\n  - package-ecosystem: pip\n    directory: /\n",
        ".github/dependabot.yml.example": "version: 2\nupdates: []\n",
        "requirements.txt": "numpy\n",
    }
    produced = run(tmp_path, files, CHECK)
    assert evidence(produced) == []
    assert hints(produced) == ["no .github/dependabot.yml or Renovate config"]


def test_dependabot_covering_nothing_in_use_is_a_finding(tmp_path: Path) -> None:
    files = {
        ".github/dependabot.yml": "version: 2\nupdates:\n  - package-ecosystem: npm\n",
        "requirements.txt": "numpy\n",
    }
    produced = run(tmp_path, files, CHECK)
    assert findings(produced) == [
        (
            ".github/dependabot.yml:3",
            None,
            "Dependabot watches npm; partial: not pip (requirements.txt)",
        )
    ]
    assert level(produced) == "none"


def test_renovate_config(tmp_path: Path) -> None:
    produced = run(tmp_path, {"renovate.json": '{"extends": ["config:recommended"]}'}, CHECK)
    assert evidence(produced) == [("renovate.json:1", "config", "automated", "Renovate config")]


def test_scheduled_upstream_schema_check(tmp_path: Path) -> None:
    files = {
        "jobs/check_upstream_schema.py": """
            import json

            def compare(expected, actual):
                return expected == actual

            if __name__ == "__main__":
                compare(json.load(open("schema.json")), {})
        """
    }
    amap = automation(("jobs/check_upstream_schema.py", "<main>", "schedule"))
    produced = run(tmp_path, files, CHECK, amap)
    assert evidence(produced) == [
        (
            "jobs/check_upstream_schema.py:7",
            "code",
            "automated",
            "upstream data/schema change check jobs/check_upstream_schema.py (a scheduled run "
            "notifies on change)",
        )
    ]
    assert level(produced, amap) == "automated"
    assert level(produced) == "manual"


UV_DEPENDABOT = """
    version: 2
    updates:
      - package-ecosystem: uv
        directory: /
        schedule: {interval: weekly}
"""


def test_dependabot_uv_ecosystem_covers_a_uv_managed_pyproject(tmp_path: Path) -> None:
    files = {
        ".github/dependabot.yml": UV_DEPENDABOT,
        "pyproject.toml": '[project]\nname = "x"\n\n[tool.uv]\ndev-dependencies = []\n',
    }
    produced = run(tmp_path, files, CHECK)
    assert evidence(produced) == [
        (".github/dependabot.yml:3", "config", "automated", "Dependabot watches uv")
    ]
    assert hints(produced) == []
    assert level(produced) == "automated"


def test_trap_uv_ecosystem_does_not_cover_requirements_or_a_pip_pyproject(
    tmp_path: Path,
) -> None:
    files = {
        ".github/dependabot.yml": UV_DEPENDABOT,
        "pyproject.toml": '[project]\nname = "x"\n',
        "requirements.txt": "numpy==2.0\n",
    }
    produced = run(tmp_path, files, CHECK)
    assert findings(produced) == [
        (
            ".github/dependabot.yml:3",
            None,
            "Dependabot watches uv; partial: not pip (pyproject.toml)",
        )
    ]
    assert level(produced) == "none"
