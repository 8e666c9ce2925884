"""Issue 11: mlready init, mlready config, the config schema, CI integrations, terminal UX."""

from __future__ import annotations

import json
import re
import shlex
from pathlib import Path

import jsonschema
import yaml
from click.testing import CliRunner

from ml_readiness import config as config_module
from ml_readiness.cli import main
from ml_readiness.config import config_schema, load_config
from tests.helpers import make_repo

ROOT = Path(__file__).resolve().parents[1]
PROJECT = {
    "src/train.py": "from sklearn.linear_model import LogisticRegression\n\n"
    "if __name__ == '__main__':\n    LogisticRegression().fit([[0]], [0])\n",
    ".github/dependabot.yml": "version: 2\nupdates:\n  - package-ecosystem: pip\n"
    "    directory: /\n    schedule: {interval: weekly}\n",
    "requirements.txt": "scikit-learn==1.5.0\n",
}


def invoke(*args: str):
    return CliRunner().invoke(main, list(args))


def test_init_writes_valid_commented_config_with_gate_at_current_score(tmp_path):
    root = make_repo(tmp_path / "r", PROJECT)
    audit = json.loads(invoke("audit", str(root), "--format", "json").stdout)
    result = invoke("init", str(root), "--as-of", "2026-11-01")
    assert result.exit_code == 0, result.output
    text = (root / "mlready.yaml").read_text()
    score = audit["overall"]["score"]
    assert f"  fail_under: {score:g}  # the score today" in text
    assert "#   Frameworks: scikit-learn" in text
    gaps = [i["id"] for i in audit["items"] if i["level"] == "none"]
    assert re.findall(r"^#   - item: (\S+)$", text, re.M) == gaps
    data = yaml.safe_load(text)
    jsonschema.validate(data, config_schema())
    assert load_config(root).gate.fail_under == score
    assert invoke("audit", str(root), "-q").exit_code == 0  # the gate passes today
    again = invoke("init", str(root))
    assert again.exit_code == 2
    assert (
        again.stderr == "mlready: error: mlready.yaml already exists; use --force to overwrite it\n"
    )
    assert invoke("init", str(root), "--force").exit_code == 0


def test_init_pyproject_appends_table_and_keeps_file_bytes(tmp_path):
    original = '[project]\nname = "demo"\n# keep   this   comment\n'
    root = make_repo(tmp_path / "r", {**PROJECT, "pyproject.toml": original})
    assert invoke("init", str(root), "--pyproject").exit_code == 0
    text = (root / "pyproject.toml").read_text()
    assert text.startswith(original) and "[tool.mlready.gate]" in text
    assert load_config(root).source == "pyproject.toml"
    second = invoke("init", str(root), "--pyproject")
    assert second.exit_code == 2 and "already has a [tool.mlready] table" in second.stderr


def test_config_command_shows_sources(tmp_path):
    root = make_repo(tmp_path / "r", {"mlready.yaml": "gate: {fail_under: 1}\nexclude: ['x/**']\n"})
    out = invoke("config", str(root), "--section-min", "data=2").stdout
    rows = {line.split()[0]: line.split()[-1] for line in out.splitlines()[2:]}
    assert rows["gate.fail_under"] == "mlready.yaml"
    assert rows["gate.section_min.data"] == "cli"
    assert rows["exclude"] == "mlready.yaml" and rows["max_files"] == "default"


def test_schema_and_loader_agree():
    schema = config_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    assert set(schema["properties"]) == config_module.TOP_KEYS
    example = yaml.safe_load(
        re.search(r"```yaml\n(rubric:.*?)```", (ROOT / "README.md").read_text(), re.S).group(1)
    )
    jsonschema.validate(json.loads(json.dumps(example, default=str)), schema)
    bad = {"gate": {"fail_under": "high"}}
    assert not jsonschema.Draft202012Validator(schema).is_valid(bad)


def _audit_options() -> set[str]:
    command = main.commands["audit"]
    return {opt for p in command.params for opt in getattr(p, "opts", [])}


def _mlready_invocations(text: str) -> list[list[str]]:
    calls = []
    for line in text.splitlines():
        m = re.search(r"\bmlready (audit\b[^\n'\"`]*)", line)
        if m:
            calls.append(shlex.split(m.group(1).replace("$MLREADY_ARGS", "")))
    return calls


def test_integrations_use_only_real_cli_options():
    options = _audit_options()
    sources = [
        ROOT / "integrations/gitlab/mlready.gitlab-ci.yml",
        ROOT / "docs/ci.md",
        ROOT / ".pre-commit-hooks.yaml",
    ]
    seen = 0
    for path in sources:
        for call in _mlready_invocations(path.read_text()):
            seen += 1
            for token in call:
                if token.startswith("-"):
                    assert token in options, f"{path.name}: {token} is not an audit option"
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hooks[0]["entry"] == "mlready audit" and set(hooks[0]["args"]) <= options
    assert seen >= 3
    gitlab = yaml.safe_load((ROOT / "integrations/gitlab/mlready.gitlab-ci.yml").read_text())
    assert gitlab["mlready"]["artifacts"]["reports"]["junit"] == "mlready.junit.xml"


def test_github_action_is_a_valid_composite_using_real_options():
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    assert {
        "path",
        "fail-under",
        "section-min",
        "outputs",
        "baseline",
        "strict",
        "upload-sarif",
    } <= set(action["inputs"])
    assert set(action["outputs"]) == {"score", "band", "passed"}
    script = next(s["run"] for s in action["runs"]["steps"] if s.get("id") == "audit")
    used = set(re.findall(r"(--[a-z-]+|-o)\b", script))
    assert used <= _audit_options() | {"-o"}
    assert "GITHUB_STEP_SUMMARY" in script and "GITHUB_OUTPUT" in script
    # inputs reach the shell through env, never interpolated into the script
    assert "${{ inputs." not in script


def test_progress_only_on_a_terminal(tmp_path, monkeypatch):
    from ml_readiness import cli

    assert cli._progress(quiet=False) is None  # CliRunner's stderr is not a terminal
    monkeypatch.setattr("sys.stderr.isatty", lambda: True, raising=False)
    assert cli._progress(quiet=True) is None


def test_no_colour_when_no_color_is_set(tmp_path, monkeypatch):
    root = make_repo(tmp_path / "r", PROJECT)
    monkeypatch.setenv("NO_COLOR", "1")
    out = invoke("audit", str(root)).stdout
    assert "\x1b[" not in out
