"""infra-6/7 checks: canary manifests, SDK and Terraform splits, rollback evidence."""

from __future__ import annotations

import importlib.util

from ml_readiness.evidence import Evidence, Hint
from tests.helpers import make_repo, run_check

KSERVE = """\
apiVersion: serving.kserve.io/v1beta1
kind: InferenceService
metadata:
  name: churn
spec:
  predictor:
    canaryTrafficPercent: 10
    model:
      modelFormat: {name: sklearn}
      storageUri: s3://models/churn/v3/
"""
ROLLOUT = """\
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata:
  name: scorer
spec:
  strategy:
    canary:
      analysis:
        templates: [{templateName: error-rate}]
      steps:
        - setWeight: 20
        - pause: {duration: 10m}
        - setWeight: 100
"""
ISTIO = """\
apiVersion: networking.istio.io/v1beta1
kind: VirtualService
metadata:
  name: model
spec:
  http:
    - route:
        - destination: {host: model, subset: v1}
          weight: 90
        - destination: {host: model, subset: v2}
          weight: 10
      mirror: {host: model-shadow}
"""
SAM = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::Serverless-2016-10-31
Resources:
  Config:
    Type: AWS::SageMaker::EndpointConfig
    Properties:
      ProductionVariants:
        - VariantName: current
          ModelName: !Ref ModelA
          InitialVariantWeight: 9
        - VariantName: candidate
          ModelName: !Ref ModelB
          InitialVariantWeight: 1
  Endpoint:
    Type: AWS::SageMaker::Endpoint
    Properties:
      EndpointConfigName: !GetAtt Config.EndpointConfigName
      DeploymentConfig:
        BlueGreenUpdatePolicy:
          TrafficRoutingConfiguration:
            Type: CANARY
        AutoRollbackConfiguration:
          Alarms:
            - AlarmName: !Ref ErrorAlarm
  Fn:
    Type: AWS::Serverless::Function
    Properties:
      DeploymentPreference:
        Type: Canary10Percent5Minutes
        Alarms: [!Ref ErrorAlarm]
"""


def _ev(items):
    return [
        (e.item, e.detail, e.location(), e.kind, e.credit, e.enforced)
        for e in items
        if isinstance(e, Evidence)
    ]


def _hints(items):
    return [h.detail for h in items if isinstance(h, Hint)]


def test_kubernetes_manifests_canary_shadow_and_auto_rollback(tmp_path):
    root = make_repo(
        tmp_path,
        {
            "deploy/isvc.yaml": KSERVE,
            "deploy/rollout.yaml": ROLLOUT,
            "deploy/vs.yaml": ISTIO,
        },
    )
    out = run_check(root, "deployment-manifests")
    assert _ev(out) == [
        (
            "infra-6",
            "KServe InferenceService churn sends 10% of traffic to the canary model",
            "deploy/isvc.yaml:7",
            "config",
            "automated",
            True,
        ),
        (
            "infra-6",
            "Argo Rollout scorer canary steps: 20%",
            "deploy/rollout.yaml:10",
            "config",
            "automated",
            True,
        ),
        (
            "infra-7",
            "Argo Rollout scorer aborts and rolls back when its analysis fails",
            "deploy/rollout.yaml:8",
            "config",
            "automated",
            True,
        ),
        (
            "infra-6",
            "Istio VirtualService model splits: v1 90%, v2 10%",
            "deploy/vs.yaml:7",
            "config",
            "automated",
            True,
        ),
        (
            "infra-6",
            "Istio VirtualService model mirrors traffic to model-shadow (shadow)",
            "deploy/vs.yaml:12",
            "config",
            "automated",
            True,
        ),
    ]


def test_cloudformation_sagemaker_and_sam_canary_with_alarm_rollback(tmp_path):
    root = make_repo(tmp_path, {"infra/template.yaml": SAM})
    out = run_check(root, "deployment-manifests")
    assert _ev(out) == [
        (
            "infra-6",
            "SageMaker Config splits traffic: current 90%, candidate 10%",
            "infra/template.yaml:7",
            "config",
            "automated",
            True,
        ),
        (
            "infra-6",
            "SageMaker Endpoint deployment guardrails shift traffic CANARY",
            "infra/template.yaml:21",
            "config",
            "automated",
            True,
        ),
        (
            "infra-7",
            "SageMaker Endpoint rolls back automatically when 1 alarm(s) fire",
            "infra/template.yaml:22",
            "config",
            "automated",
            True,
        ),
        (
            "infra-6",
            "Fn deploys Canary10Percent5Minutes",
            "infra/template.yaml:29",
            "config",
            "automated",
            True,
        ),
        (
            "infra-7",
            "Fn rolls back automatically when 1 alarm(s) fire",
            "infra/template.yaml:30",
            "config",
            "automated",
            True,
        ),
    ]


def test_traps_zero_percent_single_variant_full_split_and_example_copy(tmp_path):
    root = make_repo(
        tmp_path,
        {
            "k8s/isvc.yaml": KSERVE.replace("canaryTrafficPercent: 10", "canaryTrafficPercent: 0"),
            "k8s/isvc-canary.yaml.example": KSERVE,
            "docs/isvc.yaml": KSERVE,
            "k8s/vs.yaml": ISTIO.replace("weight: 90", "weight: 100")
            .replace("weight: 10", "weight: 0")
            .replace("      mirror: {host: model-shadow}\n", ""),
            "cfn.yaml": "Resources:\n  C:\n    Type: AWS::SageMaker::EndpointConfig\n"
            "    Properties:\n      ProductionVariants:\n        - VariantName: only\n"
            "          InitialVariantWeight: 1\n",
        },
    )
    out = run_check(root, "deployment-manifests")
    assert _ev(out) == []
    assert _hints(out) == [
        "cfn.yaml:5 SageMaker C: one serving variant only",
        "k8s/isvc.yaml:7 canaryTrafficPercent: 0 is not a canary",
        "k8s/vs.yaml:7 Istio model: weights are not a canary",
    ]


def test_sdk_calls_terraform_and_docs(tmp_path):
    root = make_repo(
        tmp_path,
        {
            "deploy.py": """\
            import boto3
            from google.cloud import aiplatform

            def shift(client):
                client.update_endpoint_weights_and_capacities(EndpointName="e",
                    DesiredWeightsAndCapacities=[{"VariantName": "b", "DesiredWeight": 0.1}])

            def vertex(endpoint, model):
                endpoint.deploy(model, traffic_percentage=10)
                endpoint.deploy(model, traffic_percentage=100)
            """,
            "infra/main.tf": """\
            # resource "aws_sagemaker_endpoint_configuration" "old" {}
            resource "aws_sagemaker_endpoint_configuration" "ec" {
              name = "ec"
              production_variants {
                variant_name           = "current"
                initial_variant_weight = 0.9
              }
              production_variants {
                variant_name           = "canary"
                initial_variant_weight = 0.1
              }
            }
            """,
            "docs/release.md": "# Canary release\n\nDeploy the new model next to the current one "
            "with ten percent of traffic, watch the error rate and latency dashboards for an hour, "
            "then raise the weight.\n",
        },
    )
    out = run_check(root, "canary-in-code")
    assert _ev(out) == [
        (
            "infra-6",
            "shifts SageMaker endpoint traffic between variants",
            "deploy.py:5",
            "code",
            "automated",
            False,
        ),
        (
            "infra-6",
            "Vertex AI deploy sends 10% of traffic to the new model",
            "deploy.py:9",
            "code",
            "automated",
            False,
        ),
        (
            "infra-6",
            "Terraform SageMaker ec splits traffic: current 90%, canary 10%",
            "infra/main.tf:2",
            "config",
            "automated",
            True,
        ),
        (
            "infra-6",
            "documented rollout: Canary release",
            "docs/release.md:1",
            "doc",
            "manual",
            False,
        ),
    ]
    heuristic = "infra/main.tf:2 Terraform read heuristically (python-hcl2 absent)"
    expected = [] if importlib.util.find_spec("hcl2") else [heuristic]
    assert _hints(out) == expected


def test_terraform_single_variant_is_not_a_canary(tmp_path):
    root = make_repo(
        tmp_path,
        {
            "main.tf": """\
        resource "aws_sagemaker_endpoint_configuration" "ec" {
          production_variants {
            variant_name = "only"
          }
        }
        """
        },
    )
    out = run_check(root, "canary-in-code")
    assert _ev(out) == []
    assert _hints(out)[0] == "main.tf:1 Terraform ec: one serving variant only"


def test_rollback_registry_script_docs_and_pinned_uri(tmp_path):
    root = make_repo(
        tmp_path,
        {
            "register.py": """\
            import mlflow
            from mlflow.tracking import MlflowClient

            def register(run_id):
                mlflow.register_model(f"runs:/{run_id}/model", "churn")
                MlflowClient().set_registered_model_alias("churn", "champion", 3)
            """,
            "scripts/rollback.sh": "#!/bin/sh\n# roll back\nkubectl rollout undo deploy/model\n",
            "scripts/rollback_notes.sh": "#!/bin/sh\necho hi\n",
            "RUNBOOK.md": "## Rollback\n\nRun scripts/rollback.sh, which restores the previous "
            "deployment revision, then confirm in the dashboard that the error rate recovered and "
            "record the incident.\n",
            "deploy/isvc.yaml": KSERVE,
            "deploy/latest.yaml": KSERVE.replace("churn/v3/", "churn/latest/"),
        },
    )
    assert _ev(run_check(root, "versioned-models")) == [
        (
            "infra-7",
            "MLflow model registry versions the model",
            "register.py:5",
            "code",
            "manual",
            False,
        ),
        (
            "infra-7",
            "MLflow registry alias (`set_registered_model_alias`)",
            "register.py:6",
            "code",
            "manual",
            False,
        ),
    ]
    proc = run_check(root, "rollback-procedure")
    assert _ev(proc) == [
        (
            "infra-7",
            "rollback script: `kubectl rollout undo deploy/model`",
            "scripts/rollback.sh:3",
            "code",
            "manual",
            False,
        ),
        ("infra-7", "documented rollback: Rollback", "RUNBOOK.md:1", "doc", "manual", False),
    ]
    assert _hints(proc) == [
        "scripts/rollback_notes.sh is named for rollback but sets no version or alias"
    ]
    pinned = run_check(root, "pinned-deployments")
    assert _ev(pinned) == [
        (
            "infra-7",
            "deployment pinned to a model version (storageUri: s3://models/churn/v3/)",
            "deploy/isvc.yaml:10",
            "config",
            "manual",
            False,
        ),
    ]
    assert _hints(pinned) == [
        "deploy/latest.yaml:10 storageUri s3://models/churn/latest/ floats: it is not pinned "
        "to a version"
    ]


def test_committed_mlflow_registry_versions(tmp_path):
    meta = "name: {name}\nversion: {v}\ncurrent_stage: {stage}\n"
    root = make_repo(
        tmp_path,
        {
            "mlruns/models/churn/meta.yaml": "name: churn\n",
            "mlruns/models/churn/version-1/meta.yaml": meta.format(
                name="churn", v=1, stage="Archived"
            ),
            "mlruns/models/churn/version-2/meta.yaml": meta.format(
                name="churn", v=2, stage="Production"
            ),
            "mlruns/models/solo/version-1/meta.yaml": meta.format(name="solo", v=1, stage="None"),
        },
        git=True,
    )
    out = run_check(root, "committed-mlflow-registry")
    assert _ev(out) == [
        (
            "infra-7",
            "committed MLflow registry: churn versions 1 (Archived), 2 (Production); "
            "earlier versions remain to roll back to",
            "mlruns/models/churn/version-2/meta.yaml:1",
            "result",
            "manual",
            False,
        ),
    ]
    assert _hints(out) == [
        "MLflow model solo has only version 1 in mlruns/models/solo/version-1/meta.yaml: "
        "nothing to roll back to"
    ]
