"""infra-7: a serving model can be rolled back: versioned models, pinned deployments, a
rollback procedure or script (and a scheduled drill), a committed MLflow registry."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ml_readiness.checks.infra._library import is_packaged_library
from ml_readiness.checks.infra._registry_alias import alias_moves
from ml_readiness.checks.infra._rollback_auto import after_failure
from ml_readiness.checks.infra._rollback_docs import fenced_rollbacks
from ml_readiness.checks.infra._shared import cfn_resources, line_of, manifest_documents

from ml_readiness.automation import Root
from ml_readiness.checklib import (
    call_evidence,
    doc_evidence,
    doc_sections,
    find_calls,
    find_method_calls,
)
from ml_readiness.evidence import Evidence, Hint
from ml_readiness.facts import Facts, is_example_config, is_test_path
from ml_readiness.registry import check

REGISTRY_CALLS = {
    "mlflow.register_model": "MLflow model registry",
    "mlflow.tracking.MlflowClient.create_model_version": "MLflow model registry",
    "google.cloud.aiplatform.Model.upload": "Vertex AI Model Registry",
}
REGISTRY_METHODS = {
    "transition_model_version_stage": "MLflow registry stage transition",
    "set_registered_model_alias": "MLflow registry alias",
    "create_model_version": "MLflow model version",
    "create_model_package_group": "SageMaker model package group",
    "create_model_package": "SageMaker model package",
    "register_model_asset": "Outerbounds model asset (versioned)",
}
ROLLBACK_ACTION = re.compile(
    r"rollout\s+undo|helm\s+rollback|argo\s+rollouts\s+(undo|abort)|transition_model_version_stage"
    r"|set_registered_model_alias|transition-model-version-stage|set-registered-model-alias"
    r"|update[-_]endpoint|kubectl\s+set\s+image|model[_-]?version|--version|alias|stage"
)
# commands in a CI job that move serving back to an earlier model or revision
ROLLBACK_COMMAND = re.compile(
    r"(?i)rollout\s+undo|helm\s+rollback|argo\s+rollouts\s+(undo|abort)|update-traffic"
    r"|--to-revisions|lambda\s+update-alias|sagemaker\s+update-endpoint|az\s+\S+.*\btraffic\b"
    r"|set[-_]registered[-_]model[-_]alias|transition[-_]model[-_]version[-_]stage"
    r"|\broll[-_]?back(\.(sh|bash|py))?(\s|$)"
)
ROLLBACK_NAME = re.compile(r"(?i)roll[\s_-]?back")
# commands that only ever move serving back; the others above (a traffic split, an alias or
# stage switch, an endpoint update) are also how every deploy promotes a new model, so a CI
# job running them is a rollback only when it is named for one or guarded by a failure
UNDO_COMMAND = re.compile(
    r"(?i)rollout\s+undo|helm\s+rollback|argo\s+rollouts\s+(undo|abort)|--to-revisions"
    r"|\broll[-_]?back(\.(sh|bash|py))?(\s|$)"
)
_SHELL_IF = re.compile(r"^(el)?if\s")
_CHECKED = re.compile(r"(?i)error|fail|latency|health|status|ready|rate|5xx|!\s")
_VERSIONED = re.compile(
    r"(?i)models:/[^/]+/\d+|@sha256:|[/:@_-]v?\d+(\.\d+)*(/|$|\.|-)|/[0-9a-f]{12,40}(/|$)"
)
_FLOATING = re.compile(r"(?i)(^|[/:@_-])(latest|production|staging|champion|current)([/.]|$)")
_MLRUNS = re.compile(r"(^|/)mlruns/models/([^/]+)/version-(\d+)/meta\.yaml$")


@check("infra-7")
def versioned_models(facts: Facts) -> Iterator[Evidence | Hint]:
    """Models registered with versions: MLflow registry, SageMaker model packages, Vertex.

    `mlflow.register_model`, `log_model(..., registered_model_name=...)`,
    `transition_model_version_stage`, `set_registered_model_alias`, SageMaker model package
    groups (SDK or CloudFormation), Vertex `Model.upload(..., parent_model=...)`, Outerbounds
    `register_model_asset` (every registration is a new version). A versioned
    registry lets a person switch back to a previous version (manual credit). In a packaged
    library (no training or serving entry point) a registry call is a feature offered to the
    library's users, not a model this repository serves: it is reported, not credited.
    """
    found = list(_registrations(facts))
    if found and is_packaged_library(facts):
        first = found[0]
        yield Hint(
            "infra-7",
            f"{first.location()} {first.detail}: a registry call inside a packaged library "
            "(no training or serving entry point) is a feature for the library's users; this "
            "repository serves no model to roll back; not credited",
        )
        return
    yield from found


def _registrations(facts: Facts) -> Iterator[Evidence]:
    """Evidence for every model registration (see `versioned_models`)."""
    seen: set[tuple[str, str]] = set()
    for path, call in find_calls(facts, *REGISTRY_CALLS, mentions=("register", "upload")):
        label = next(
            (v for k, v in REGISTRY_CALLS.items() if call.qualified.endswith(k.rsplit(".", 1)[-1])),
            "model registry",
        )
        if label == "Vertex AI Model Registry" and not call.has_kw("parent_model"):
            continue
        if (path, label) not in seen:
            seen.add((path, label))
            yield call_evidence(
                "infra-7", path, call, f"{label} versions the model", credit="manual"
            )
    for path, pf in facts.python_files(mentions=("registered_model_name",), notebooks=True):
        for call in pf.calls:
            logged = call.attr == "log_model" and call.has_kw("registered_model_name")
            if logged and (path, "log_model") not in seen:
                seen.add((path, "log_model"))
                detail = "model logged to the MLflow registry (registered_model_name)"
                yield call_evidence("infra-7", path, call, detail, credit="manual")
    for path, _pf, call in find_method_calls(facts, *REGISTRY_METHODS):
        label = REGISTRY_METHODS[call.attr]
        if (path, label) not in seen:
            seen.add((path, label))
            yield call_evidence("infra-7", path, call, f"{label} (`{call.attr}`)", credit="manual")
    yield from alias_moves(facts, seen)
    for path, doc in manifest_documents(facts):
        for rid, res in cfn_resources(doc):
            if res["Type"] == "AWS::SageMaker::ModelPackageGroup":
                detail = f"SageMaker model package group {rid} versions the model"
                yield Evidence("infra-7", detail, path, line_of(res), "config", "manual")


@check("infra-7")
def rollback_procedure(facts: Facts) -> Iterator[Evidence | Hint]:
    """A rollback a person can run, or one that automation exercises on a schedule.

    Scripts named `*rollback*` (shell or Python) that set a model version/alias/stage, run
    `kubectl rollout undo`, `helm rollback` or update the endpoint; CI jobs doing the same
    (`gcloud run services update-traffic --to-revisions`, `aws lambda update-alias`, a registry
    alias switch) or named for rollback (job id, workflow file or `name:`) — a scheduled job is
    a rollback drill: automated; a manually triggered one: manual;
    Markdown sections titled "Rollback" with substance (manual); a command in a fenced code
    block of the docs that rolls back (`kubectl rollout undo`, `helm rollback`, `anyscale
    service rollback`, a `rollback.sh`), or that re-points serving (a registry stage/alias
    switch, `update-traffic --to-revisions`, `kubectl set image`) under a heading, comment or
    lead-in sentence about rolling back (manual). Changelogs and "rollback: TODO/planned" notes
    do not count.
    """
    found = False
    automation = facts.automation
    for path in facts.repo.files:
        base = path.rsplit("/", 1)[-1].lower()
        if "rollback" not in base or is_test_path(path) or is_example_config(path):
            continue
        if not base.endswith((".sh", ".bash", ".py")) or path.startswith("../"):
            continue
        hits = [h for h in facts.grep(ROLLBACK_ACTION, [path]) if not h[2].startswith("#")]
        pf = facts.python(path) if base.endswith(".py") else None
        docs = [text for text, _ in pf.strings if "\n" in text] if pf else []
        hits = [h for h in hits if not any(h[2].strip() in text for text in docs)]
        hits.sort(key=lambda h: not ROLLBACK_COMMAND.search(h[2]))  # the real action first
        if not hits:
            yield Hint("infra-7", f"{path} is named for rollback but sets no version or alias")
            continue
        found = True
        drill = any(run.trigger == "schedule" for run in automation.executions(path))
        detail = f"rollback script: `{hits[0][2][:80]}`"
        if drill:
            detail += " (run on a schedule: a rollback drill)"
        yield Evidence(
            "infra-7",
            detail,
            path,
            hits[0][1],
            "code",
            "automated" if drill else "manual",
        )
    for root in automation.roots:
        how = _rollback_job(facts, root)
        if how is None:
            continue
        found = True
        drill = root.trigger == "schedule"
        what = "scheduled rollback drill" if drill else f"{root.trigger}-triggered rollback job"
        guard = _failure_guard(root) if root.trigger in ("change", "pipeline") else None
        failed = (
            after_failure(facts, root, ROLLBACK_COMMAND)
            if root.trigger in ("change", "pipeline")
            else None
        )
        if guard:
            what = f"{root.trigger}-triggered deploy job rolls back automatically when `{guard}`:"
        elif failed:
            guard = failed
            what = f"rollback runs automatically {failed}:"
        yield Evidence(
            "infra-7",
            f"{what} {root.id} ({how})",
            root.path,
            root.line,
            "config",
            "automated" if drill or guard else "manual",
            root.id,
        )
    for path, section in doc_sections(facts, r"roll\s*-?\s*back"):
        found = True
        yield doc_evidence("infra-7", path, section, f"documented rollback: {section.title}")
    for evidence in fenced_rollbacks(facts, ROLLBACK_COMMAND):
        found = True
        yield evidence
    steps = list(_rollback_named_steps(facts))
    if found:
        yield from steps
    else:  # one hint, so the reason names the step that looks like a rollback but is not one
        told = "; ".join(h.detail for h in steps)
        yield Hint(
            "infra-7",
            "no rollback script, rollback job or documented rollback procedure"
            + (f": {told}" if told else ""),
        )


TEARDOWN = re.compile(
    r"(?i)\bdelete[-_]endpoint|--action[=\s]+delete|\b(delete|teardown|destroy|undeploy)\b"
)


def _rollback_named_steps(facts: Facts) -> Iterator[Hint]:
    """CI steps named for rollback that do not restore a previous model: a step that deletes
    the endpoint "on failure" takes serving down instead of rolling back."""
    for path in facts.repo.under(".github/workflows"):
        if not path.endswith((".yml", ".yaml")) or not facts.mentions(path, "ollback", "oll back"):
            continue
        doc = facts.yaml_doc(path)
        jobs = doc.get("jobs") if isinstance(doc, dict) else None
        for job in jobs.values() if isinstance(jobs, dict) else ():
            steps = job.get("steps") if isinstance(job, dict) else None
            for step in steps if isinstance(steps, list) else ():
                if not isinstance(step, dict) or not ROLLBACK_NAME.search(str(step.get("name"))):
                    continue
                run = "\n".join(
                    ln for ln in str(step.get("run") or "").splitlines()
                    if ln.strip() and not ln.strip().startswith(("#", "echo"))
                )  # fmt: skip
                if not run or ROLLBACK_COMMAND.search(run):
                    continue
                later = steps[steps.index(step) + 1 :]
                if any(
                    isinstance(o, dict) and ROLLBACK_COMMAND.search(str(o.get("run") or ""))
                    for o in later
                ):
                    continue  # it decides; the next step rolls back
                where = f"{path}:{line_of(step, 'name') or line_of(step)}"
                what = (
                    "deletes the endpoint (or tears the deployment down)"
                    if TEARDOWN.search(run)
                    else "runs no command that restores a previous model version"
                )
                yield Hint(
                    "infra-7",
                    f"step '{step.get('name')}' ({where}) {what} instead of restoring a "
                    "previous version; not credited as a rollback",
                )


def _failure_guard(root: Root) -> str | None:
    """The shell condition under which a deploying job runs its rollback command, when that
    condition checks the deployment (an error rate, latency, health or failed command:
    `if (( $(echo "$ERROR_RATE > 0.01" | bc -l) )); then ... rollout undo`), not an input."""
    for command in root.commands:
        lines = [ln.strip() for ln in str(command).splitlines()]
        hit = next((i for i, ln in enumerate(lines) if ROLLBACK_COMMAND.search(ln)), None)
        if hit is None:
            continue
        cond = next((ln for ln in reversed(lines[:hit]) if _SHELL_IF.match(ln)), None)
        closed = any(ln in ("fi", "fi;") for ln in lines[hit + 1 :])
        if cond and closed and _CHECKED.search(cond) and "inputs." not in cond:
            return re.sub(r";?\s*then\s*$", "", cond)[:80]
    return None


def _rollback_job(facts: Facts, root: Root) -> str | None:
    """How a CI job rolls back, or None: a rollback command (`kubectl rollout undo`, `helm
    rollback`, `gcloud run services update-traffic --to-revisions`, `aws lambda update-alias`,
    a registry alias/stage switch), or a job named for rollback (root id, workflow file, or
    workflow `name:`) that runs commands."""
    lines = [ln.strip() for c in root.commands for ln in str(c).splitlines()]
    lines = [ln for ln in lines if ln and not ln.startswith("#")]
    hit = next((ln for ln in lines if UNDO_COMMAND.search(ln)), None)
    if hit:
        return f"runs `{hit[:80]}`"
    if not lines:
        return None
    doc = facts.yaml_doc(root.path) if root.path.endswith((".yml", ".yaml")) else None
    title = doc.get("name") if isinstance(doc, dict) else None
    names = [root.id.rsplit("#", 1)[-1], root.path.rsplit("/", 1)[-1], str(title or "")]
    named = next((n for n in names if ROLLBACK_NAME.search(n)), None)
    if named is None:
        return None
    switch = next((ln for ln in lines if ROLLBACK_COMMAND.search(ln)), None)
    return f"named `{named}`, runs `{switch[:80]}`" if switch else f"named `{named}`"


@check("infra-7")
def committed_mlflow_registry(facts: Facts) -> Iterator[Evidence | Hint]:
    """A committed local MLflow registry (`mlruns/models/<name>/version-*/meta.yaml`).

    Reports the registered models, their versions and stages, and whether a previous version
    exists to roll back to (a single version leaves nothing to roll back to).
    """
    models: dict[str, list[tuple[int, str, str]]] = {}
    for path in facts.repo.files:
        m = _MLRUNS.search(path)
        if not m or not facts.repo.is_tracked(path):
            continue
        doc = facts.yaml_doc(path)
        stage = str(doc.get("current_stage", "None")) if isinstance(doc, dict) else "None"
        models.setdefault(m.group(2), []).append((int(m.group(3)), stage, path))
    for name, versions in sorted(models.items()):
        versions.sort()
        shown = ", ".join(f"{v} ({s})" if s != "None" else str(v) for v, s, _ in versions)
        newest = versions[-1][2]
        if len(versions) < 2:
            yield Hint(
                "infra-7",
                f"MLflow model {name} has only version {shown} in {newest}: "
                "nothing to roll back to",
            )
            continue
        detail = f"committed MLflow registry: {name} versions {shown}; earlier versions remain to"
        detail += " roll back to"
        yield Evidence("infra-7", detail, newest, 1, "result", "manual")


@check("infra-7")
def pinned_deployments(facts: Facts) -> Iterator[Evidence | Hint]:
    """Deployments pinned to a model version (manifest model URIs with a version, not latest).

    KServe `storageUri`, Seldon `modelUri`, SageMaker `ModelDataUrl`: a URI with a version
    number, `models:/name/3`, a digest or commit lets a person roll back by restoring the
    previous manifest (manual). `latest` or a stage name is reported as floating.
    """
    for path, doc in manifest_documents(facts):
        for node, key in _uris(doc):
            uri = str(node.get(key))
            line = line_of(node, key)
            where = f"{path}:{line}" if line else path
            if _FLOATING.search(uri.split("://", 1)[-1]):
                yield Hint("infra-7", f"{where} {key} {uri} floats: it is not pinned to a version")
            elif _VERSIONED.search(uri.split("://", 1)[-1]):
                detail = f"deployment pinned to a model version ({key}: {uri})"
                yield Evidence("infra-7", detail, path, line, "config", "manual")


def _uris(doc: object, depth: int = 0) -> Iterator[tuple[dict, str]]:
    """(mapping, key) for every model URI key in a manifest, searched to a bounded depth."""
    if depth > 12:
        return
    if isinstance(doc, dict):
        for key, value in doc.items():
            if key in ("storageUri", "modelUri", "ModelDataUrl") and isinstance(value, str):
                yield doc, key
            else:
                yield from _uris(value, depth + 1)
    elif isinstance(doc, list):
        for value in doc:
            yield from _uris(value, depth + 1)
