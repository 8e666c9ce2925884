"""Model registry operations (MLflow): promote a gated version, find the previous champion.

`python -m credit_risk.registry promote --version 12 --report reports/evaluation.json`
moves the `champion` alias to version 12 only when the evaluation report has no gate
failures. Serving loads `models:/credit-risk@champion`; scripts/rollback.py moves it back.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from mlflow import MlflowClient

from credit_risk.config import load_params


def promote(client: MlflowClient, name: str, alias: str, version: str, report: Path) -> None:
    """Point `alias` at `version` when its evaluation report passed the gate."""
    result = json.loads(report.read_text())
    failures = result.get("failures", ["no gate result"])
    if failures or result["auc"] <= result["baseline_auc"]:
        raise SystemExit(f"not promoting {name} v{version}: {failures}")
    client.set_model_version_tag(name, version, "gate_auc", f"{result['auc']:.4f}")
    client.set_registered_model_alias(name, alias, version)


def previous_version(client: MlflowClient, name: str, alias: str) -> str:
    """The newest version older than the one `alias` points at."""
    current = int(client.get_model_version_by_alias(name, alias).version)
    older = [
        int(v.version) for v in client.search_model_versions(f"name='{name}'") if int(v.version) < current
    ]
    if not older:
        raise SystemExit(f"{name}@{alias} is version {current}; there is no older version")
    return str(max(older))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Promote a registered credit-risk version")
    parser.add_argument("command", choices=["promote"])
    parser.add_argument("--version", required=True)
    parser.add_argument("--report", type=Path, default=Path("reports/evaluation.json"))
    args = parser.parse_args(argv)
    registry = load_params()["registry"]
    promote(MlflowClient(), registry["model_name"], registry["alias"], args.version, args.report)
    print(f"{registry['model_name']}@{registry['alias']} -> version {args.version}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
