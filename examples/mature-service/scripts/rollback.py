"""Roll the credit-risk service back to the previous model version.

    python scripts/rollback.py            # previous registered version
    python scripts/rollback.py --to 11    # a given version

Moves the MLflow `champion` alias back, then sets the InferenceService's canary share to 0 so
KServe routes all traffic to the previous revision, pinned to the restored version.
See docs/runbook.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess

from mlflow import MlflowClient

from credit_risk.config import load_params
from credit_risk.registry import previous_version


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--to", help="version to restore (default: the previous one)")
    parser.add_argument("--namespace", default="credit-risk")
    args = parser.parse_args(argv)

    registry = load_params()["registry"]
    client = MlflowClient()
    name, alias = registry["model_name"], registry["alias"]
    target = args.to or previous_version(client, name, alias)
    client.set_registered_model_alias(name, alias, target)
    print(f"{name}@{alias} -> version {target}")
    # KServe keeps the previous revision: a canary share of 0 sends all traffic back to it.
    patch = {
        "spec": {
            "predictor": {
                "canaryTrafficPercent": 0,
                "containers": [
                    {"name": "kserve-container", "env": [{"name": "MODEL_URI", "value": f"models:/{name}/{target}"}]}
                ],
            }
        }
    }
    subprocess.run(
        ["kubectl", "-n", args.namespace, "patch", "inferenceservice", name,
         "--type", "merge", "-p", json.dumps(patch)],
        check=True,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
