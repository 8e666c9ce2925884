"""Property-based: random trees and random configs never crash the audit; output is stable."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ml_readiness.errors import ConfigError, MlreadyError
from tests.helpers import audit

NAMES = st.sampled_from(
    [
        "train.py",
        "serve.py",
        "tests/test_x.py",
        ".github/workflows/ci.yml",
        ".gitlab-ci.yml",
        "Makefile",
        "dvc.yaml",
        "params.yaml",
        "README.md",
        "nb.ipynb",
        "data/x.csv",
        "requirements.txt",
        "pyproject.toml",
        "tox.ini",
        "gx/expectations/s.json",
        "deploy/isvc.yaml",
        "mlready.yaml",
        "CODEOWNERS",
        "src/pkg/__init__.py",
        "noxfile.py",
    ]
)
CONTENT = st.one_of(
    st.text(max_size=300),
    st.binary(max_size=200),
    st.sampled_from(
        [
            "on: [push]\njobs:\n  t:\n    runs-on: ubuntu-latest\n"
            "    steps:\n      - run: pytest\n",
            "import numpy as np\nnp.random.seed(0)\n",
            "def test_a():\n    assert 1\n",
            "stages:\n  train:\n    cmd: python train.py\n",
            '{"cells": []}',
            "a: [1\n",
            "- !Ref x\n",
            "gate: {fail_under: 2}\n",
            "alice@corp.io,+44 20 7946 0000\n",
        ]
    ),
)


def _write(root: Path, files: dict[str, str | bytes]) -> None:
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", errors="surrogatepass")


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(NAMES, CONTENT, max_size=10))
def test_random_trees_never_crash_and_are_deterministic(files):
    root = Path(tempfile.mkdtemp())
    try:
        try:
            _write(root, files)
        except (UnicodeEncodeError, OSError):
            return
        try:
            first = audit(root).dumps()
        except ConfigError:
            return  # a broken mlready.yaml is the one reported error (exit 2)
        assert audit(root).dumps() == first
    finally:
        shutil.rmtree(root, ignore_errors=True)


YAML_VALUES = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=20)
    ),
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=20,
)
CONFIG_KEYS = st.sampled_from(
    [
        "gate",
        "exclude",
        "attestations",
        "not_applicable",
        "overrides",
        "rubric",
        "max_model_age_days",
        "limits",
        "data_validation",
    ]
)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(CONFIG_KEYS, YAML_VALUES, max_size=4))
def test_random_configs_are_accepted_or_rejected_cleanly(config):
    import yaml

    root = Path(tempfile.mkdtemp())
    try:
        (root / "mlready.yaml").write_text(yaml.safe_dump(config))
        try:
            result = audit(root)
        except MlreadyError as exc:  # config or rubric errors: one line naming the file
            assert str(exc).startswith("mlready.yaml") or ".yaml" in str(exc)
            assert "\n" not in str(exc)
            return
        assert len(result.items) == 28
    finally:
        shutil.rmtree(root, ignore_errors=True)
