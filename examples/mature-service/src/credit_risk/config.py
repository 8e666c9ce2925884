"""Loading params.yaml, the single source of the model specification."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

DEFAULT_PARAMS = Path(__file__).resolve().parents[2] / "params.yaml"


def load_params(path: str | Path = DEFAULT_PARAMS) -> dict[str, Any]:
    """Read params.yaml and check the sections every stage relies on are present."""
    with open(path, encoding="utf-8") as handle:
        params = yaml.safe_load(handle)
    missing = {"seed", "data", "features", "model", "search", "evaluation", "registry"} - set(
        params
    )
    if missing:
        raise KeyError(f"{path}: missing sections {sorted(missing)}")
    return params


def feature_columns(params: dict[str, Any]) -> tuple[list[str], list[str]]:
    """(numeric, categorical) model inputs, as listed under `features:`."""
    return list(params["features"]["numeric"]), list(params["features"]["categorical"])
