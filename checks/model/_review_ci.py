"""model-1 helpers for CI-driven review: model results posted on every pull request (a review
route), and hyperparameters written in the scripts and workflows that launch training (specs).
No checks are registered here."""

from __future__ import annotations

import re

from ml_readiness.checks.model._shared import command_line

from ml_readiness.evidence import Evidence
from ml_readiness.facts import Facts, is_example_config

# actions and commands that write a comment on the pull request
COMMENT_ACTIONS = (
    "thollander/actions-comment-pull-request",
    "marocchino/sticky-pull-request-comment",
    "peter-evans/create-or-update-comment",
    "mshick/add-pr-comment",
)
SCRIPT_ACTION = "actions/github-script"
SCRIPT_COMMENT = re.compile(r"\.createComment\s*\(")
COMMENT_COMMANDS = re.compile(r"\bcml[ -](comment\s+create|send-comment)\b|\bgh\s+pr\s+comment\b")
# what the comment posts must be the model's results (not coverage or lint reports)
RESULT_WORDS = re.compile(r"metric|evaluat|train|accuracy|\bloss|\bscores?\b|model", re.I)
PR_TRIGGERS = ("pull_request", "pull_request_target")
# events of a root (any CI system) that run it for a pull/merge request
PR_EVENTS = frozenset({*PR_TRIGGERS, "merge_request_event", "external_pull_request_event"})
# a comment command that can only post to a pull/merge request
PR_TARGET = re.compile(r"--target[= ]+['\"]?pr\b|\bgh\s+pr\s+comment\b")
REQUEST_RULE = re.compile(r"merge_request|pull_request|CI_MERGE_REQUEST_|EXTERNAL_PULL", re.I)
DIFFS = re.compile(r"\bdvc\s+(params|metrics|plots|exp)\s+diff\b")
HYPER_KEY = re.compile(
    r"^(lr|learning_rate|dropout\w*|batch_size|num_epochs|epochs|max_epochs|hidden_\w+|"
    r"weight_decay|momentum|max_depth|n_estimators|num_layers|embedding_dim|lr_\w+)$"
)
JSON_OBJECT = re.compile(r"\{[^{}]*\}")
RUNNER_SUFFIXES = (".sh", ".bash", ".mk")


def _pr_triggered(doc: object) -> bool:
    on = doc.get("on", doc.get(True)) if isinstance(doc, dict) else None
    if isinstance(on, str):
        return on in PR_TRIGGERS
    if isinstance(on, list | dict):
        return any(t in on for t in PR_TRIGGERS)
    return False


def pr_result_comments(facts: Facts, item: str) -> list[Evidence]:
    """A workflow triggered by pull requests that comments the model's training/evaluation
    results on the pull request (`thollander/actions-comment-pull-request` with
    `results/evaluation_results.md`, `cml comment create report.md`, `gh pr comment`): every
    change to the model is reviewed with its results before it is merged."""
    out = []
    for path in facts.repo.glob(".github/workflows/*.yml", ".github/workflows/*.yaml"):
        doc = facts.yaml_doc(path)
        if is_example_config(path) or not _pr_triggered(doc):
            continue
        for job in (doc.get("jobs") or {}).values() if isinstance(doc, dict) else ():
            for step in (job.get("steps") or []) if isinstance(job, dict) else ():
                if not isinstance(step, dict):
                    continue
                uses = str(step.get("uses") or "")
                run = str(step.get("run") or "")
                given = step.get("with") if isinstance(step.get("with"), dict) else {}
                if uses.startswith(COMMENT_ACTIONS):
                    content = " ".join(str(v) for v in given.values())
                    what = f"`{uses.split('@', 1)[0]}`"
                elif uses.startswith(SCRIPT_ACTION) and SCRIPT_COMMENT.search(
                    str(given.get("script") or "")
                ):
                    # `github.rest.issues.createComment({... body: "Review the model metrics"})`
                    script = str(given.get("script"))
                    body = re.search(r"body\s*:\s*[`'\"]([^`'\"]+)", script)
                    content = body.group(1) if body else script
                    what = "`actions/github-script` createComment"
                elif COMMENT_COMMANDS.search(run):
                    what, content = f"`{COMMENT_COMMANDS.search(run).group(0)}`", run
                else:
                    continue
                if not (what.startswith("`cml") or RESULT_WORDS.search(content)):
                    continue
                detail = (
                    f"CI comments model results on each pull request for review: {what} "
                    f"posts {content.strip()[:80]}"
                )
                out.append(
                    Evidence(item, detail, path, getattr(step, "line", 1), "config", "manual")
                )
                return out
    return _ci_result_comments(facts, item)


def _ci_result_comments(facts: Facts, item: str) -> list[Evidence]:
    """The same route in the other CI systems the AutomationMap reads (GitLab merge-request
    pipelines, Azure, CircleCI, Bitbucket ...): a job triggered by changes that runs for
    merge/pull requests (its events say so, or the command can only post to one:
    `cml comment create --target=pr`, `gh pr comment`) and comments the model's results
    (`dvc params diff` / `dvc metrics diff` reports count) on the request."""
    for root, text in facts.automation.commands_matching(COMMENT_COMMANDS):
        if root.system == "github" or root.trigger != "change" or is_example_config(root.path):
            continue
        # the job's own rules must select merge/pull request pipelines: GitLab lists
        # merge_request_event for any rule it cannot decide (`$CI_COMMIT_BRANCH == "main"`)
        asks = bool(PR_EVENTS.intersection(root.events)) and bool(
            REQUEST_RULE.search(root.condition or "")
        )
        for_requests = asks or bool(PR_TARGET.search(text))
        if not for_requests:
            continue
        script = "\n".join(root.commands)
        what = COMMENT_COMMANDS.search(text).group(0)
        if not (what.startswith("cml") or RESULT_WORDS.search(text)):
            continue
        diffs = sorted({f"dvc {m.group(1)} diff" for m in DIFFS.finditer(script)})
        posts = f"a report with {', '.join(f'`{d}`' for d in diffs)}" if diffs else text[:80]
        detail = (
            f"CI job {root.id} comments model results on each merge/pull request for review: "
            f"`{what}` posts {posts}"
        )
        line = command_line(facts, root, COMMENT_COMMANDS)
        return [Evidence(item, detail, root.path, line, "config", "manual")]
    return []


def runner_hyperparameters(facts: Facts) -> list[tuple[str, int, str]]:
    """(path, line, detail) for hyperparameters written as a JSON object in a script that
    launches training: `TRAIN_LOOP_CONFIG='{"dropout_p": 0.5, "lr": 1e-4}'` in a shell script
    or Makefile (two or more hyperparameter keys)."""
    out = []
    for path in facts.repo.files:
        base = path.rsplit("/", 1)[-1].lower()
        if is_example_config(path) or path.startswith("../"):
            continue
        if not (base.endswith(RUNNER_SUFFIXES) or base == "makefile"):
            continue
        for number, line in enumerate(facts.lines(path), 1):
            if line.lstrip().startswith("#"):
                continue
            for obj in JSON_OBJECT.findall(line):
                keys = [k for k in re.findall(r'"(\w+)"\s*:', obj) if HYPER_KEY.match(k)]
                if len(keys) >= 2:
                    name = re.match(r"\s*(?:export\s+)?(\w+)=", line)
                    label = f"`{name.group(1)}` " if name else ""
                    detail = f"hyperparameters {label}({', '.join(keys[:5])}) in {path}"
                    out.append((path, number, detail))
                    break
    return out[:3]
