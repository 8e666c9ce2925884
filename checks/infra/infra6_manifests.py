"""infra-6 and infra-7: traffic splits, shadows and automatic rollback in deployment manifests
(Kubernetes YAML/JSON: KServe, Seldon, Argo Rollouts, Istio, Flagger; CloudFormation/SAM:
SageMaker endpoints, CodeDeploy deployment preferences)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ml_readiness.checks.infra._shared import (
    cfn_resources,
    dig,
    line_of,
    manifest_documents,
    number,
)

from ml_readiness.evidence import Evidence, Hint
from ml_readiness.facts import Facts
from ml_readiness.registry import check

Produced = Evidence | Hint
_GRADUAL = re.compile(r"(?i)canary|linear")


def _enforced(item: str, detail: str, path: str, line: int | None) -> Evidence:
    return Evidence(item, detail, path, line, kind="config", enforced=True)


def _where(path: str, line: int | None) -> str:
    return f"{path}:{line}" if line else path


def _partial(value: object) -> float | None:
    n = number(value)
    return n if n is not None and 0 < n < 100 else None


def _kserve(path: str, doc: dict, name: str) -> Iterator[Produced]:
    predictor = dig(doc, "spec", "predictor")
    if not isinstance(predictor, dict) or "canaryTrafficPercent" not in predictor:
        return
    line = line_of(predictor, "canaryTrafficPercent")
    pct = _partial(predictor["canaryTrafficPercent"])
    if pct is not None:
        detail = f"KServe InferenceService {name} sends {pct:g}% of traffic to the canary model"
        yield _enforced("infra-6", detail, path, line)
    else:
        value = predictor["canaryTrafficPercent"]
        yield Hint("infra-6", f"{_where(path, line)} canaryTrafficPercent: {value} is not a canary")


def _seldon(path: str, doc: dict, name: str) -> Iterator[Produced]:
    predictors = dig(doc, "spec", "predictors")
    if not isinstance(predictors, list):
        return
    live = [p for p in predictors if isinstance(p, dict) and p.get("shadow") is not True]
    split = [(p.get("name"), _partial(p.get("traffic"))) for p in live]
    split = [(n, w) for n, w in split if w is not None]
    if len(split) >= 2:
        shares = ", ".join(f"{n} {w:g}%" for n, w in split)
        line = line_of(live[0], "traffic")
        yield _enforced("infra-6", f"Seldon {name} splits traffic: {shares}", path, line)
    elif len(live) >= 2:
        yield Hint(
            "infra-6", f"{_where(path, line_of(predictors))} Seldon {name}: no partial split"
        )
    for p in predictors:
        if isinstance(p, dict) and p.get("shadow") is True:
            detail = f"Seldon {name} runs predictor {p.get('name')} as a shadow"
            yield _enforced("infra-6", detail, path, line_of(p, "shadow"))


def _argo(path: str, doc: dict, name: str) -> Iterator[Produced]:
    strategy = dig(doc, "spec", "strategy")
    canary = dig(strategy, "canary")
    if isinstance(canary, dict):
        steps = canary.get("steps") if isinstance(canary.get("steps"), list) else []
        weights = [_partial(s.get("setWeight")) for s in steps if isinstance(s, dict)]
        weights = [w for w in weights if w is not None]
        line = line_of(canary, "steps")
        if weights:
            shown = ", ".join(f"{w:g}%" for w in weights)
            yield _enforced("infra-6", f"Argo Rollout {name} canary steps: {shown}", path, line)
        else:
            yield Hint("infra-6", f"{_where(path, line)} Argo Rollout {name}: no partial setWeight")
        has_analysis = "analysis" in canary or any(
            isinstance(s, dict) and "analysis" in s for s in steps
        )
        if has_analysis:
            detail = f"Argo Rollout {name} aborts and rolls back when its analysis fails"
            yield _enforced("infra-7", detail, path, line_of(canary))
    green = dig(strategy, "blueGreen")
    if isinstance(green, dict) and ({"prePromotionAnalysis", "postPromotionAnalysis"} & set(green)):
        detail = f"Argo Rollout {name} (blue-green) rolls back when promotion analysis fails"
        yield _enforced("infra-7", detail, path, line_of(green))


def _istio(path: str, doc: dict, name: str) -> Iterator[Produced]:
    routes = dig(doc, "spec", "http")
    for http in routes if isinstance(routes, list) else []:
        if not isinstance(http, dict):
            continue
        dests = http.get("route") if isinstance(http.get("route"), list) else []
        split = [
            (
                dig(d, "destination", "subset") or dig(d, "destination", "host"),
                _partial(d.get("weight")),
            )
            for d in dests
            if isinstance(d, dict)
        ]
        partial = [(n, w) for n, w in split if w is not None]
        line = line_of(http, "route")
        if len(partial) >= 2:
            shares = ", ".join(f"{n} {w:g}%" for n, w in partial)
            yield _enforced("infra-6", f"Istio VirtualService {name} splits: {shares}", path, line)
        elif len(dests) >= 2:
            yield Hint("infra-6", f"{_where(path, line)} Istio {name}: weights are not a canary")
        mirror = http.get("mirror")
        if isinstance(mirror, dict):
            detail = f"Istio VirtualService {name} mirrors traffic to {mirror.get('host')} (shadow)"
            yield _enforced("infra-6", detail, path, line_of(http, "mirror"))


def _flagger(path: str, doc: dict, name: str) -> Iterator[Produced]:
    analysis = dig(doc, "spec", "analysis") or dig(doc, "spec", "canaryAnalysis")
    if not isinstance(analysis, dict):
        return
    line = line_of(dig(doc, "spec"), "analysis" if "analysis" in doc["spec"] else "canaryAnalysis")
    step, top = analysis.get("stepWeight"), analysis.get("maxWeight")
    if _partial(step) is not None or analysis.get("stepWeights"):
        detail = f"Flagger canary {name} shifts traffic in steps of {step}% up to {top}%"
        yield _enforced("infra-6", detail, path, line)
    elif analysis.get("iterations"):
        yield _enforced(
            "infra-6", f"Flagger {name} analyses the canary before promoting", path, line
        )
    if analysis.get("threshold") is not None:
        detail = f"Flagger {name} rolls back after {analysis['threshold']} failed checks"
        yield _enforced("infra-7", detail, path, line)


K8S = {
    "InferenceService": _kserve,
    "SeldonDeployment": _seldon,
    "Rollout": _argo,
    "VirtualService": _istio,
    "Canary": _flagger,
}


def _sagemaker_config(path: str, rid: str, props: dict) -> Iterator[Produced]:
    variants = props.get("ProductionVariants")
    variants = [v for v in variants if isinstance(v, dict)] if isinstance(variants, list) else []
    weights = [(v.get("VariantName"), number(v.get("InitialVariantWeight", 1))) for v in variants]
    positive = [(n, w) for n, w in weights if w]
    line = line_of(props, "ProductionVariants")
    if len(positive) >= 2:
        total = sum(w for _, w in positive)
        shares = ", ".join(f"{n} {100 * w / total:g}%" for n, w in positive)
        yield _enforced("infra-6", f"SageMaker {rid} splits traffic: {shares}", path, line)
    elif variants:
        yield Hint("infra-6", f"{_where(path, line)} SageMaker {rid}: one serving variant only")
    if props.get("ShadowProductionVariants"):
        detail = f"SageMaker {rid} runs a shadow variant"
        yield _enforced("infra-6", detail, path, line_of(props, "ShadowProductionVariants"))


def _sagemaker_endpoint(path: str, rid: str, props: dict) -> Iterator[Produced]:
    deploy = props.get("DeploymentConfig")
    if not isinstance(deploy, dict):
        return
    routing = dig(deploy, "BlueGreenUpdatePolicy", "TrafficRoutingConfiguration")
    kind = str(dig(routing, "Type") or "")
    if _GRADUAL.search(kind):
        detail = f"SageMaker {rid} deployment guardrails shift traffic {kind}"
        yield _enforced("infra-6", detail, path, line_of(routing, "Type"))
    elif kind:
        yield Hint("infra-6", f"{_where(path, line_of(routing, 'Type'))} {kind} is not a canary")
    alarms = dig(deploy, "AutoRollbackConfiguration", "Alarms")
    if isinstance(alarms, list) and alarms:
        detail = f"SageMaker {rid} rolls back automatically when {len(alarms)} alarm(s) fire"
        yield _enforced("infra-7", detail, path, line_of(deploy, "AutoRollbackConfiguration"))


def _preference(path: str, rid: str, pref: object) -> Iterator[Produced]:
    if not isinstance(pref, dict):
        return
    kind = str(pref.get("Type") or "")
    if _GRADUAL.search(kind):
        yield _enforced("infra-6", f"{rid} deploys {kind}", path, line_of(pref, "Type"))
    elif kind:
        yield Hint("infra-6", f"{_where(path, line_of(pref, 'Type'))} {kind} is not a canary")
    alarms = pref.get("Alarms")
    if isinstance(alarms, list) and alarms:
        detail = f"{rid} rolls back automatically when {len(alarms)} alarm(s) fire"
        yield _enforced("infra-7", detail, path, line_of(pref, "Alarms"))


def _deployment_group(path: str, rid: str, props: dict) -> Iterator[Produced]:
    config = str(props.get("DeploymentConfigName") or "")
    if _GRADUAL.search(config):
        yield _enforced(
            "infra-6",
            f"CodeDeploy {rid} uses {config}",
            path,
            line_of(props, "DeploymentConfigName"),
        )
    rollback = props.get("AutoRollbackConfiguration")
    if isinstance(rollback, dict) and str(rollback.get("Enabled")).lower() == "true":
        events = rollback.get("Events") or []
        detail = f"CodeDeploy {rid} rolls back automatically on {', '.join(map(str, events))}"
        yield _enforced("infra-7", detail, path, line_of(props, "AutoRollbackConfiguration"))


def _cloudformation(path: str, doc: dict) -> Iterator[Produced]:
    yield from _preference(
        path, "SAM functions", dig(doc, "Globals", "Function", "DeploymentPreference")
    )
    for rid, res in cfn_resources(doc):
        props = res.get("Properties")
        if not isinstance(props, dict):
            continue
        kind = res["Type"]
        if kind == "AWS::SageMaker::EndpointConfig":
            yield from _sagemaker_config(path, rid, props)
        elif kind == "AWS::SageMaker::Endpoint":
            yield from _sagemaker_endpoint(path, rid, props)
        elif kind == "AWS::Serverless::Function":
            yield from _preference(path, rid, props.get("DeploymentPreference"))
        elif kind == "AWS::CodeDeploy::DeploymentGroup":
            yield from _deployment_group(path, rid, props)


@check("infra-6", "infra-7")
def deployment_manifests(facts: Facts) -> Iterator[Produced]:
    """Canary, traffic-split and shadow rollouts, and automatic rollback, in manifests.

    Reads the values, not the keys: KServe `canaryTrafficPercent` strictly between 0 and 100,
    Seldon predictors with partial `traffic` or `shadow: true`, Argo Rollouts canary steps
    with a partial `setWeight`, Istio routes with two partial weights or a `mirror`, Flagger
    `Canary` analysis; CloudFormation/SAM SageMaker endpoint configs with two weighted variants
    or shadow variants, endpoint deployment guardrails (CANARY/LINEAR traffic routing), SAM
    `DeploymentPreference` canary/linear types and CodeDeploy deployment groups. The platform
    drives these rollouts, so they count as automated. Automatic rollback (Argo analysis,
    Flagger thresholds, SageMaker `AutoRollbackConfiguration` alarms, CodeDeploy alarms and
    auto-rollback) is infra-7 evidence. `.example`/`.sample` copies, docs and test fixtures
    are skipped.
    """
    for path, doc in manifest_documents(facts):
        kind = doc.get("kind")
        handler = K8S.get(kind) if isinstance(kind, str) else None
        api = str(doc.get("apiVersion") or "")
        if kind == "Rollout" and not api.startswith("argoproj.io"):
            handler = None
        if kind == "Canary" and "flagger" not in api:
            handler = None
        if handler is not None:
            name = str(dig(doc, "metadata", "name") or kind)
            yield from handler(path, doc, name)
        elif "Resources" in doc:
            yield from _cloudformation(path, doc)
