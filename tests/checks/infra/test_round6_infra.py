"""Regression tests from REVIEW-E round 6 (Metaflow/Outerbounds model registry project)."""

from __future__ import annotations

from tests.checks.infra.test_infra_accuracy import _ev
from tests.helpers import make_repo, run_check

REGISTER = """\
def register_model(prj, name, annotations):
    prj.asset.register_model_asset(name, kind="sklearn", annotations=annotations)
"""


def test_outerbounds_model_asset_registration_versions_the_model(tmp_path):
    root = make_repo(tmp_path, {"src/registry.py": REGISTER})
    assert _ev(run_check(root, "versioned-models")) == [
        (
            "Outerbounds model asset (versioned) (`register_model_asset`)",
            "src/registry.py:2",
            "code",
            "manual",
            "register_model",
        )
    ]


def test_trap_registering_a_data_asset_or_a_docstring_is_not_a_model_version(tmp_path):
    files = {
        "src/registry.py": (
            'def register(prj):\n    """Call register_model_asset(name) later."""\n'
            '    prj.register_data("market_snapshot", "feature_set")\n'
        )
    }
    assert _ev(run_check(make_repo(tmp_path, files), "versioned-models")) == []
