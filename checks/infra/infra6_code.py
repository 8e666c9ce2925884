"""infra-6 and infra-7: canary traffic set by SDK calls and Terraform, and canary procedures
written down in docs."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ml_readiness.checks.infra._shared import manifest_candidate, number
from ml_readiness.checks.infra.infra6_manifests import deployment_manifests
from ml_readiness.checks.infra.infra6_proxy import proxy_traffic_split
from ml_readiness.checks.infra.infra6_router import canary_router_in_serving

from ml_readiness.checklib import call_evidence, doc_evidence, doc_sections, find_method_calls
from ml_readiness.evidence import Evidence, Hint
from ml_readiness.facts import Facts
from ml_readiness.facts.structured import Section
from ml_readiness.registry import check

_RESOURCE = re.compile(
    r'resource\s+"(aws_sagemaker_endpoint_configuration|aws_sagemaker_endpoint)"'
    r'\s+"([^"]+)"\s*\{'
)
_VARIANT = re.compile(r"(?<![\w])(shadow_)?production_variants\s*\{")
_WEIGHT = re.compile(r"initial_variant_weight\s*=\s*([0-9.]+)")
_NAME = re.compile(r'variant_name\s*=\s*"([^"]+)"')
_ROUTING = re.compile(r'\btype\s*=\s*"(CANARY|LINEAR|ALL_AT_ONCE)"')
_ROLLBACK = re.compile(r"auto_rollback_configuration\s*\{[^{}]*alarms\s*\{", re.S)


def _block(text: str, start: int) -> str:
    """The text of the `{...}` block opening at `start` (braces inside strings not special)."""
    depth, quoted = 0, False
    for i in range(start, len(text)):
        ch = text[i]
        if ch == '"' and text[i - 1] != "\\":
            quoted = not quoted
        elif not quoted and ch == "{":
            depth += 1
        elif not quoted and ch == "}":
            depth -= 1
            if depth == 0:
                return text[start : i + 1]
    return text[start:]


def _without_comments(text: str) -> str:
    return re.sub(r"(?m)(^|\s)(#|//).*$", r"\1", text)


def _hcl2_weights(text: str) -> dict[str, list[tuple[str, float]]] | None:
    """Production-variant weights per endpoint configuration, read with python-hcl2 when
    it is installed (an optional dependency); None when it is not, or cannot parse the file."""
    try:
        import hcl2  # type: ignore[import-not-found]
    except ImportError:
        return None
    try:
        data = hcl2.loads(text)
    except Exception:  # any parse error: fall back to the heuristic reader
        return None
    out: dict[str, list[tuple[str, float]]] = {}
    for resource in data.get("resource", []):
        for rtype, bodies in resource.items():
            if rtype.strip('"') != "aws_sagemaker_endpoint_configuration":
                continue
            for name, body in bodies.items():
                variants = body.get("production_variants", []) if isinstance(body, dict) else []
                variants = [v for v in variants if isinstance(v, dict)]
                out[name.strip('"')] = [
                    (
                        str(v.get("variant_name", "")).strip('"'),
                        number(v.get("initial_variant_weight", 1)) or 0.0,
                    )
                    for v in variants
                ]
    return out


def _terraform(path: str, raw: str) -> Iterator[Evidence | Hint]:
    text = _without_comments(raw)
    parsed = _hcl2_weights(text)
    for m in _RESOURCE.finditer(text):
        rtype, name = m.group(1), m.group(2)
        line = text.count("\n", 0, m.start()) + 1
        body = _block(text, m.end() - 1)
        where = f"{path}:{line}"
        if rtype == "aws_sagemaker_endpoint_configuration":
            variants = []
            for v in _VARIANT.finditer(body):
                inner = _block(body, v.end() - 1)
                if v.group(1):
                    detail = f"Terraform {name} runs a shadow variant"
                    yield Evidence("infra-6", detail, path, line, "config", enforced=True)
                    continue
                w = _WEIGHT.search(inner)
                n = _NAME.search(inner)
                variants.append((n.group(1) if n else "?", float(w.group(1)) if w else 1.0))
            if parsed is not None and name in parsed:
                variants = parsed[name]
            positive = [(n, w) for n, w in variants if w > 0]
            if len(positive) >= 2:
                total = sum(w for _, w in positive)
                shares = ", ".join(f"{n} {100 * w / total:g}%" for n, w in positive)
                detail = f"Terraform SageMaker {name} splits traffic: {shares}"
                yield Evidence("infra-6", detail, path, line, "config", enforced=True)
            elif variants:
                yield Hint("infra-6", f"{where} Terraform {name}: one serving variant only")
            if parsed is None:
                yield Hint("infra-6", f"{where} Terraform read heuristically (python-hcl2 absent)")
        else:
            routing = _ROUTING.search(body)
            if routing and routing.group(1) != "ALL_AT_ONCE":
                detail = f"Terraform SageMaker endpoint {name} shifts traffic {routing.group(1)}"
                yield Evidence("infra-6", detail, path, line, "config", enforced=True)
            if _ROLLBACK.search(body):
                detail = f"Terraform SageMaker endpoint {name} rolls back when alarms fire"
                yield Evidence("infra-7", detail, path, line, "config", enforced=True)


def _partial_split(value: object) -> list[tuple[object, float]]:
    pairs = value if isinstance(value, tuple) else ()
    out = []
    for pair in pairs:
        if isinstance(pair, tuple) and len(pair) == 2:
            share = number(pair[1])
            if share is not None and 0 < share < 100:
                out.append((pair[0], share))
    return out


@check("infra-6", "infra-7")
def canary_in_code(facts: Facts) -> Iterator[Evidence | Hint]:
    """Canary traffic set through SDK calls or Terraform, and documented canary procedures.

    SageMaker `update_endpoint_weights_and_capacities` and `create_endpoint_config` with two
    weighted or shadow variants; Vertex AI `deploy(..., traffic_percentage=10)` or a
    `traffic_split` with two partial shares; Terraform `aws_sagemaker_endpoint_configuration`
    with two weighted `production_variants` (read with python-hcl2 when installed, otherwise
    heuristically) and `aws_sagemaker_endpoint` CANARY/LINEAR routing and alarm rollback;
    Markdown sections on canary/shadow rollouts with substance (manual); a README's opening
    title (the project's name, "Model Serving Canary Platform") is not a procedure.
    """
    found = False
    for produced in _canaries(facts):
        found = found or (isinstance(produced, Evidence) and produced.item == "infra-6")
        yield produced
    if found:
        return
    others = (deployment_manifests, proxy_traffic_split, canary_router_in_serving)
    if not any(
        isinstance(e, Evidence) and e.item == "infra-6" for other in others for e in other(facts)
    ):
        yield Hint(
            "infra-6",
            "no canary, shadow or traffic-split rollout found: looked for KServe "
            "canaryTrafficPercent, Seldon traffic/shadow, Argo Rollouts setWeight, Istio weights "
            "or mirror, Flagger Canary, SageMaker weighted/shadow variants and deployment "
            "guardrails (CloudFormation, Terraform, boto3), Vertex AI traffic_percentage/"
            "traffic_split, and documented canary procedures",
        )


def _canaries(facts: Facts) -> Iterator[Evidence | Hint]:
    for path, _pf, call in find_method_calls(facts, "update_endpoint_weights_and_capacities"):
        detail = "shifts SageMaker endpoint traffic between variants"
        yield call_evidence("infra-6", path, call, detail)
    for path, _pf, call in find_method_calls(facts, "create_endpoint_config"):
        variants = call.kw("ProductionVariants")
        if call.has_kw("ShadowProductionVariants"):
            yield call_evidence("infra-6", path, call, "SageMaker endpoint with a shadow variant")
        elif isinstance(variants, tuple) and len(variants) >= 2:
            detail = f"SageMaker endpoint config with {len(variants)} weighted variants"
            yield call_evidence("infra-6", path, call, detail)
    for path, _pf, call in find_method_calls(facts, "deploy", mentions=("traffic_",)):
        pct = number(call.kw("traffic_percentage"))
        split = _partial_split(call.kw("traffic_split"))
        if pct is not None and 0 < pct < 100:
            detail = f"Vertex AI deploy sends {pct:g}% of traffic to the new model"
            yield call_evidence("infra-6", path, call, detail)
        elif len(split) >= 2:
            shares = ", ".join(f"{k} {v:g}%" for k, v in split)
            yield call_evidence("infra-6", path, call, f"Vertex AI traffic split: {shares}")
    for path in facts.repo.with_suffix(".tf"):
        if manifest_candidate(path) and facts.mentions(path, "aws_sagemaker_endpoint"):
            yield from _terraform(path, facts.text(path) or "")
    pattern = r"canary|shadow (deploy|traffic|mode)|traffic split|progressive (rollout|delivery)"
    for path, section in doc_sections(facts, pattern):
        if _readme_title(facts, path, section):
            yield Hint(
                "infra-6",
                f"{path}:{section.line} '{section.title}' is the README's title (the project's "
                "name), not a documented rollout; not credited",
            )
            continue
        yield doc_evidence("infra-6", path, section, f"documented rollout: {section.title}")


def _readme_title(facts: Facts, path: str, section: Section) -> bool:
    """True when `section` is the level-1 heading that opens a README: it names the project,
    it does not describe a procedure (the sections below it may)."""
    if not path.rsplit("/", 1)[-1].lower().startswith("readme") or section.level != 1:
        return False
    md = facts.markdown(path)
    first = md.sections[0] if md and md.sections else None
    return first is not None and first.line == section.line
