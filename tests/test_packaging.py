"""A non-editable install into a fresh venv works from another folder, with checks and rubric."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_non_editable_install_runs_from_elsewhere(tmp_path):
    venv = tmp_path / "venv"
    # system site packages provide the dependencies offline; our package is installed fresh
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)], check=True)
    py = venv / "bin" / "python"
    build = tmp_path / "src"
    # the working tree under test, uncommitted changes included
    shutil.copytree(
        ROOT,
        build,
        ignore=shutil.ignore_patterns(".git", "*.egg-info", "build", "__pycache__", ".venv"),
    )
    subprocess.run(
        [str(py), "-m", "pip", "install", "-q", "--no-deps", str(build)], check=True, cwd=tmp_path
    )
    work = tmp_path / "elsewhere"
    (work / "proj").mkdir(parents=True)
    (work / "proj" / "README.md").write_text("# p\n")
    where = subprocess.run(
        [
            str(py),
            "-c",
            "import ml_readiness, ml_readiness.checks, sys;print(ml_readiness.__file__)",
        ],
        capture_output=True,
        text=True,
        cwd=work,
        check=True,
    ).stdout
    assert str(venv) in where
    mlready = venv / "bin" / "mlready"
    out = subprocess.run(
        [str(mlready), "audit", "proj", "--format", "json"],
        capture_output=True,
        text=True,
        cwd=work,
    )
    assert out.returncode == 0, out.stderr
    assert len(json.loads(out.stdout)["items"]) == 28
    checks = subprocess.run([str(mlready), "checks"], capture_output=True, text=True, cwd=work)
    assert "hyperparameter-search" in checks.stdout
    module = subprocess.run(
        [str(py), "-m", "ml_readiness", "--version"], capture_output=True, text=True, cwd=work
    )
    assert module.stdout.startswith("mlready ")
