"""GitHub Actions: `.github/workflows/*.yml` only (GitHub reads no other folder).

Triggers: push, pull_request(_target), merge_group, release and other repository events are
`change`; `schedule` is `schedule`; `workflow_run` takes its upstream workflows' trigger;
`workflow_dispatch`/`repository_dispatch` alone are `manual`; `workflow_call` alone makes a
reusable workflow that runs only through its callers. Jobs: `if:` constants that are false
reach nothing (nor do jobs that `need` them), other `if:`s are shown as the condition and
`github.event_name ==`/`!=` tests narrow the events. Steps: `run:` scripts with matrix values,
`env`, `defaults.run.working-directory` and `working-directory`; local composite actions
(`uses: ./path`) and local reusable workflows are expanded.
"""

from __future__ import annotations

import itertools
import re
from typing import TYPE_CHECKING, Any

from ml_readiness.automation.paths import join, to_local
from ml_readiness.automation.spec import RootSpec, Step, always_false, best_trigger
from ml_readiness.facts import is_example_config

if TYPE_CHECKING:
    from ml_readiness.facts import Facts

CHANGE_EVENTS = frozenset(
    {"push", "pull_request", "pull_request_target", "merge_group", "release", "create"}
    | {"deployment", "deployment_status", "check_run", "check_suite", "status", "page_build"}
    | {"registry_package", "delete"}
)
MANUAL_EVENTS = frozenset({"workflow_dispatch", "repository_dispatch", "issue_comment", "issues"})
_EXPR = re.compile(r"\$\{\{\s*([^}]*?)\s*\}\}")
# marketplace actions that run the command given in one of their inputs
COMMAND_ACTIONS = {
    "nick-fields/retry": "command",
    "nick-invision/retry": "command",
    "wandalen/wretry.action": "command",
    "gabrielbb/xvfb-action": "run",
    "coactions/setup-xvfb": "run",
}
_RUNS_AFTER_SKIP = re.compile(r"\b(always|failure|cancelled)\(\)")
# `contains(github.event.head_commit.message, '[train]')` without a `!` before it
_COMMIT_OPT_IN = re.compile(
    r"(?<!!)\b(contains|startsWith|endsWith)\(\s*github\.event\.head_commit\.message"
)
_EVENT_EQ = re.compile(r"github\.event_name\s*(==|!=)\s*['\"](\w+)['\"]")
MAX_MATRIX = 16


def events_of(doc: dict) -> dict[str, Any]:
    on = doc.get("on", doc.get(True))
    if isinstance(on, str):
        return {on: None}
    if isinstance(on, list):
        return {str(e): None for e in on}
    if isinstance(on, dict):
        return {str(k): v for k, v in on.items()}
    return {}


def _trigger(events: set[str], upstream: dict[str, str], config: dict[str, Any]) -> str | None:
    found: list[str] = []
    if events & CHANGE_EVENTS:
        found.append("change")
    if "schedule" in events:
        found.append("schedule")
    if "workflow_run" in events:
        cfg = config.get("workflow_run") or {}
        names = cfg.get("workflows") if isinstance(cfg, dict) else None
        for name in names or []:
            t = upstream.get(str(name))
            if t:
                found.append(t)
    if events & MANUAL_EVENTS:
        found.append("manual")
    return best_trigger(found)


def _job_events(jobs: dict, events: set[str], narrow: Any) -> dict[str, set[str]]:
    """Each job's events: its `if:` narrows them, and a job runs only on the events of the
    jobs it `needs` (a skipped job skips its dependants unless `always()`/`failure()`)."""
    out = {n: narrow(set(events), j.get("if")) for n, j in jobs.items() if isinstance(j, dict)}
    for _ in range(len(out)):
        changed = False
        for name, job in jobs.items():
            if name not in out or _RUNS_AFTER_SKIP.search(str(job.get("if") or "")):
                continue
            needs = job.get("needs")
            needs = [needs] if isinstance(needs, str) else needs or []
            narrowed = set(out[name])
            for need in needs:
                narrowed &= out.get(str(need), narrowed)
            narrowed = narrowed or {"never"}
            if narrowed != out[name]:
                out[name], changed = narrowed, True
        if not changed:
            break
    return out


class GitHubReader:
    def __init__(self, facts: Facts, prefix: str) -> None:
        self.facts = facts
        self.prefix = prefix
        self.notes: list[tuple[str, str]] = []
        self.top = to_local("", prefix)
        self.job_lines: dict[tuple[str, str], int | None] = {}

    def workflows(self) -> dict[str, dict]:
        out = {}
        for path in self.facts.repo.glob(".github/workflows/*.yml", ".github/workflows/*.yaml"):
            if self.facts.repo.logical(path).count("/") != 2 or is_example_config(path):
                continue
            doc = self.facts.yaml_doc(path)
            if isinstance(doc, dict):
                out[path] = doc
        return out

    def roots(self) -> list[RootSpec]:
        from ml_readiness.automation import Root

        docs = self.workflows()
        triggers: dict[str, str] = {}  # workflow name or file → trigger
        for _ in range(3):  # workflow_run chains settle in a few passes
            for path, doc in docs.items():
                ev = events_of(doc)
                t = _trigger(set(ev), triggers, ev)
                if t:
                    triggers[str(doc.get("name") or path)] = t
                    triggers[path.rsplit("/", 1)[-1]] = t
        specs: list[RootSpec] = []
        for path, doc in docs.items():
            ev = events_of(doc)
            trigger = _trigger(set(ev), triggers, ev)
            if trigger is None:
                if set(ev) - {"workflow_call"}:
                    self.notes.append((path, f"events {sorted(ev)} not understood; not credited"))
                continue
            jobs = self._jobs(path, doc)
            disabled = self._disabled(path, jobs)
            job_events = _job_events(jobs, set(ev), self._narrow)
            for name, job in jobs.items():
                if not isinstance(job, dict) or name in disabled:
                    continue
                events = job_events[name]
                t = _trigger(events, triggers, ev)
                if t is None:
                    why = f"`if: {job['if']}`" if job.get("if") else "the jobs it needs"
                    self.notes.append((path, f"job `{name}` runs on no event: {why}"))
                    continue
                if _COMMIT_OPT_IN.search(str(job.get("if") or "")) and "||" not in str(job["if"]):
                    t = "manual"  # a person opts in by writing a word in the commit message
                cond = str(job["if"]) if job.get("if") not in (None, True) else None
                line = self.job_lines.get((path, name))
                root = Root(
                    f"{path}#{name}", "github", t, path, line, cond, (), tuple(sorted(events))
                )
                spec = RootSpec(root, (path, f"job {name}"), gpu=_gpu(job.get("runs-on")))
                spec.steps = self.job_steps(path, doc, job, {}, 0)
                cmds = tuple(s.text.strip() for s in spec.steps)
                spec.root = Root(root.id, "github", t, path, line, cond, cmds, root.events)
                specs.append(spec)
        return specs

    def _jobs(self, path: str, doc: dict) -> dict:
        """Jobs by their written name (YAML 1.1 reads a job called `off` or `on` as a bool)."""
        jobs = doc.get("jobs")
        if not isinstance(jobs, dict):
            return {}
        lines = self.facts.lines(path)
        out: dict = {}
        for key, job in jobs.items():
            name = key
            line = jobs.line_of(key) if hasattr(jobs, "line_of") else None
            if not isinstance(key, str) and line and line <= len(lines):
                name = lines[line - 1].strip().split(":", 1)[0].strip("'\" ")
            out[str(name)] = job
            self.job_lines[(path, str(name))] = line
        return out

    def _disabled(self, path: str, jobs: dict) -> set[str]:
        off = {n for n, j in jobs.items() if isinstance(j, dict) and always_false(j.get("if"))}
        for n in sorted(off):
            self.notes.append(
                (path, f"job `{n}` is disabled by `if: {jobs[n].get('if')}`; not credited")
            )
        changed = True
        while changed:
            changed = False
            for n, j in jobs.items():
                if n in off or not isinstance(j, dict):
                    continue
                needs = j.get("needs")
                needs = [needs] if isinstance(needs, str) else needs or []
                if any(x in off for x in needs) and "always()" not in str(j.get("if", "")):
                    off.add(n)
                    changed = True
        return off

    @staticmethod
    def _narrow(events: set[str], condition: Any) -> set[str]:
        if not isinstance(condition, str) or "||" in condition:
            return events
        for op, name in _EVENT_EQ.findall(condition):
            events = events & {name} if op == "==" else events - {name}
        return events or {"never"}

    def job_steps(self, path: str, doc: dict, job: dict, inputs: dict, depth: int) -> list[Step]:
        uses = job.get("uses")
        if isinstance(uses, str):
            return self._reusable(path, uses, job, depth)
        steps = job.get("steps") if isinstance(job.get("steps"), list) else []
        wd = _get(doc, "defaults", "run", "working-directory")
        wd = _get(job, "defaults", "run", "working-directory") or wd
        env = {**_env(doc), **_env(job)}
        # the variables a step sees are its env: blocks, unless a step writes $GITHUB_ENV
        known = not any(isinstance(s, dict) and "GITHUB_ENV" in str(s.get("run")) for s in steps)
        out: list[Step] = []
        for combo in _matrix(job):
            values = {f"matrix.{k}": str(v) for k, v in combo.items()}
            values.update({f"inputs.{k}": str(v) for k, v in inputs.items()})
            values.update({f"env.{k}": v for k, v in env.items()})
            values["github.workspace"] = self.top or "."
            for i, step in enumerate(steps):
                if not isinstance(step, dict) or always_false(step.get("if")):
                    continue
                out += self._step(path, step, i, wd, env, values, depth, known)
        return list(dict.fromkeys(out))

    def _step(self, path, step, i, wd, env, values, depth, known=False) -> list[Step]:  # noqa: ANN001
        name = step.get("name") or step.get("id") or step.get("uses") or f"#{i + 1}"
        hop = f"step {_sub(str(name), values)}"
        if isinstance(step.get("uses"), str):
            return self._action(path, step, hop, values, depth)
        run = step.get("run")
        if not isinstance(run, str):
            return []
        shell = str(step.get("shell") or "")
        if shell and not shell.startswith(("bash", "sh", "pwsh", "powershell", "cmd")):
            self.notes.append((path, f"{hop}: `shell: {shell}` script is not followed"))
            return []
        folder = step.get("working-directory") or wd
        cwd = to_local(_sub(str(folder), values), self.prefix) if folder else self.top
        step_env = {**env, **_env(step)}
        text = _sub(run, values)
        return [Step(text, cwd, hop, tuple(step_env.items()), path, env_known=known)]

    def _action(self, path, step, hop, values, depth) -> list[Step]:  # noqa: ANN001
        uses = str(step["uses"])
        if not uses.startswith("./"):
            return self._known_action(path, step, uses, hop, values)
        if depth > 5:
            return []
        folder = to_local(uses[2:], self.prefix)
        action = next(
            (
                join(folder, n)
                for n in ("action.yml", "action.yaml")
                if self.facts.repo.exists(join(folder, n))
            ),
            None,
        )
        if action is None:
            if uses.endswith((".yml", ".yaml")):
                return []
            self.notes.append((path, f"{hop}: local action {uses} has no action.yml"))
            return []
        doc = self.facts.yaml_doc(action)
        runs = doc.get("runs") if isinstance(doc, dict) else None
        if not isinstance(runs, dict) or runs.get("using") != "composite":
            using = runs.get("using") if isinstance(runs, dict) else None
            self.notes.append((action, f"action `using: {using}` is not followed"))
            return []
        declared = doc.get("inputs") if isinstance(doc.get("inputs"), dict) else {}
        inputs = {
            k: (v.get("default") if isinstance(v, dict) else None) for k, v in declared.items()
        }
        given = step.get("with")
        inputs.update(given if isinstance(given, dict) else {})
        vals = {**values, **{f"inputs.{k}": str(v) for k, v in inputs.items() if v is not None}}
        out = []
        for i, inner in enumerate(runs.get("steps") or []):
            if isinstance(inner, dict) and not always_false(inner.get("if")):
                for s in self._step(action, inner, i, None, {}, vals, depth + 1):
                    hop_text = f"{hop} → {action} {s.hop}"
                    out.append(Step(s.text, s.cwd, hop_text, s.env, action, s.env_known))
        return out

    def _known_action(self, path, step, uses, hop, values) -> list[Step]:  # noqa: ANN001
        """Marketplace actions that run a command of the repository: `pre-commit/action`
        (`pre-commit run` over all files) and actions that run their `command`/`run` input."""
        name = uses.split("@")[0].lower()
        given = step.get("with") if isinstance(step.get("with"), dict) else {}
        if name == "pre-commit/action":
            text = f"pre-commit run {given.get('extra_args') or '--all-files'}"
        elif name in COMMAND_ACTIONS and isinstance(given.get(COMMAND_ACTIONS[name]), str):
            text = str(given[COMMAND_ACTIONS[name]])
        else:
            return []
        folder = given.get("working-directory") or step.get("working-directory")
        cwd = to_local(_sub(str(folder), values), self.prefix) if folder else self.top
        env = tuple(_env(step).items())
        hop_text = f"{hop} ({uses.split('@')[0]})"
        return [Step(_sub(text, values), cwd, hop_text, env, path)]  # job env not merged here

    def _own_workflow(self, uses: str) -> str | None:
        """Why `owner/repo/.github/workflows/F@ref` is this repository's own workflow (its
        `origin` is owner/repo, or F exists here and is callable), or None. The checked-out
        copy is read whatever the ref."""
        m = _REMOTE_WORKFLOW.match(uses)
        if m is None:
            return None
        local = to_local(m.group(3), self.prefix)
        if not self.facts.repo.exists(local):
            return None
        remote = (self.facts.repo.remote_url or "").lower().removesuffix(".git")
        if remote.endswith(f"/{m.group(1)}/{m.group(2)}".lower()) or remote.endswith(
            f":{m.group(1)}/{m.group(2)}".lower()
        ):
            return "this repository (its origin); the checked-out copy is read"
        doc = self.facts.yaml_doc(local)
        on = doc.get("on", doc.get(True)) if isinstance(doc, dict) else None
        if on == "workflow_call" or isinstance(on, dict | list) and "workflow_call" in on:
            return "assumed to be this repository's own callable workflow of the same path"
        return None

    def _reusable(self, path: str, uses: str, job: dict, depth: int) -> list[Step]:
        own = self._own_workflow(uses)
        if own is not None:  # `owner/repo/.github/workflows/x.yml@ref` naming this repository
            self.notes.append((path, f"reusable workflow {uses}: {own}"))
            uses = "./" + uses.split("/", 2)[2]
        if not uses.startswith("./"):
            self.notes.append(
                (path, f"reusable workflow {uses} is outside the repository; not followed")
            )
            return []
        called = to_local(uses[2:].split("@")[0], self.prefix)
        doc = self.facts.yaml_doc(called) if self.facts.repo.exists(called) else None
        if not isinstance(doc, dict) or depth > 3:
            self.notes.append((path, f"reusable workflow {uses} not found"))
            return []
        inputs = job.get("with") if isinstance(job.get("with"), dict) else {}
        out = []
        jobs = self._jobs(called, doc)
        disabled = self._disabled(called, jobs)
        for name, inner in jobs.items():
            if isinstance(inner, dict) and name not in disabled:
                for s in self.job_steps(called, doc, inner, inputs, depth + 1):
                    hop_text = f"{called}#{name} {s.hop}"
                    out.append(Step(s.text, s.cwd, hop_text, s.env, s.where, s.env_known))
        return out


_REMOTE_WORKFLOW = re.compile(r"^([\w.-]+)/([\w.-]+)/(\.github/workflows/[^@\s]+)(?:@\S*)?$")


def _get(doc: Any, *keys: str) -> Any:
    for k in keys:
        if not isinstance(doc, dict):
            return None
        doc = doc.get(k)
    return doc


def _env(node: dict) -> dict[str, str]:
    env = node.get("env")
    return {str(k): str(v) for k, v in env.items()} if isinstance(env, dict) else {}


def _sub(text: str, values: dict[str, str]) -> str:
    return _EXPR.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def _matrix(job: dict) -> list[dict[str, Any]]:
    matrix = _get(job, "strategy", "matrix")
    if not isinstance(matrix, dict):
        return [{}]
    axes = {
        k: v for k, v in matrix.items() if k not in ("include", "exclude") and isinstance(v, list)
    }
    combos = [
        dict(zip(axes, vals, strict=True))
        for vals in itertools.islice(itertools.product(*axes.values()), MAX_MATRIX)
    ]
    for extra in matrix.get("include") or []:
        if isinstance(extra, dict):
            combos.append(dict(extra))
    return combos or [{}]


def _gpu(runs_on: Any) -> bool:
    labels = runs_on if isinstance(runs_on, list) else [runs_on]
    if isinstance(runs_on, dict):
        labels = [runs_on.get("group"), *(runs_on.get("labels") or [])]
    return any(
        isinstance(x, str) and ("gpu" in x.lower() or "self-hosted" in x.lower()) for x in labels
    )
