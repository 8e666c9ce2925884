"""infra-7: a rollback job that runs by itself after a failed deploy or gate (not a person)."""

from __future__ import annotations

import re

from ml_readiness.automation import Root
from ml_readiness.facts import Facts

_FAILED_RUN = re.compile(
    r"workflow_run\.conclusion\s*(==\s*'failure'|!=\s*'success')"
    r"|workflow_run\.conclusion\s*(==\s*\"failure\"|!=\s*\"success\")"
)
_FAILURE_FN = re.compile(r"(?<![!\w.])failure\(\)")  # not `!failure()`


def after_failure(facts: Facts, root: Root, rollback: re.Pattern[str]) -> str | None:
    """How a rollback job runs by itself after a failure, or None: a GitHub `workflow_run`
    trigger whose job condition tests the conclusion for failure, a job or a rollback step with
    `if: failure()`, a GitLab job with `when: on_failure`, a Jenkins `post { failure { … } }`.
    A job a person dispatches stays manual."""
    cond = root.condition or ""
    doc = facts.yaml_doc(root.path) if root.path.endswith((".yml", ".yaml")) else None
    if _FAILED_RUN.search(cond) and "workflow_run" in root.events:
        on = doc.get("on", doc.get(True)) if isinstance(doc, dict) else None
        run = on.get("workflow_run") if isinstance(on, dict) else None
        flows = run.get("workflows") if isinstance(run, dict) else None
        names = ", ".join(str(f) for f in flows) if isinstance(flows, list) else "another workflow"
        return f"when the workflow {names} fails (`{cond[:80]}`)"
    if _FAILURE_FN.search(cond):
        return f"when an earlier job fails (`if: {cond[:60]}`)"
    name = root.id.rsplit("#", 1)[-1]
    if root.system == "github" and isinstance(doc, dict):
        job = (doc.get("jobs") or {}).get(name) if isinstance(doc.get("jobs"), dict) else None
        steps = job.get("steps") if isinstance(job, dict) else None
        for step in steps if isinstance(steps, list) else ():
            if not isinstance(step, dict) or not _FAILURE_FN.search(str(step.get("if") or "")):
                continue
            if rollback.search(str(step.get("run") or "")):
                return f"when an earlier step fails (step `if: {step.get('if')}`)"
    if root.system == "gitlab" and isinstance(doc, dict):
        job = doc.get(name)
        if isinstance(job, dict) and job.get("when") == "on_failure":
            return "when an earlier stage fails (`when: on_failure`)"
    if root.system == "jenkins":
        text = "\n".join(facts.lines(root.path))
        post = re.search(r"post\s*\{.*?failure\s*\{(.*?)\}", text, re.S)
        if post and rollback.search(post.group(1)):
            return "when the pipeline fails (`post { failure { … } }`)"
    return None
