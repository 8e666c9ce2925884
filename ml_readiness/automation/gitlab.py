"""GitLab CI: `.gitlab-ci.yml` with `include: local`, `extends`, `default`, `rules`,
`only`/`except`, `when` and `workflow: rules`.

Each job is evaluated for four pipeline sources — push, merge request, schedule and web (a
person pressing "Run pipeline"). `rules: if:` tests on `$CI_PIPELINE_SOURCE` and merge-request
variables are evaluated; other variables are taken as possibly true. A job that runs on push or
merge requests is `change`; only on schedules is `schedule`; only by hand (`when: manual`,
web) is `manual`; `when: never` everywhere reaches nothing.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ml_readiness.automation.paths import to_local
from ml_readiness.automation.spec import RootSpec, Step

if TYPE_CHECKING:
    from ml_readiness.facts import Facts

SOURCES = ("push", "merge_request_event", "schedule", "web")
RESERVED = frozenset(
    {"stages", "variables", "include", "default", "workflow", "image", "services"}
    | {"before_script", "after_script", "cache", "spec"}
)
ONLY_KEYWORDS = {
    "schedules": {"schedule"},
    "merge_requests": {"merge_request_event"},
    "pushes": {"push"},
    "web": {"web"},
    "branches": {"push", "schedule", "web"},
    "tags": {"push"},
    "api": set(),
    "triggers": set(),
    "pipelines": set(),
    "external": set(),
    "chat": set(),
}
_CMP = re.compile(r"\$CI_PIPELINE_SOURCE\s*(==|!=|=~|!~)\s*(\"[^\"]*\"|'[^']*'|/[^/]*/)")
_MR_VAR = re.compile(r"^\$CI_MERGE_REQUEST_\w+$")


def eval_if(expr: str, source: str) -> bool:
    """Whether a `rules: if:` expression can hold in a pipeline started by `source`."""
    expr = expr.replace("(", " ").replace(")", " ")
    for group in expr.split("||"):
        if all(_atom(a.strip(), source) for a in group.split("&&")):
            return True
    return False


def _atom(atom: str, source: str) -> bool:
    m = _CMP.search(atom)
    if m:
        op, value = m.group(1), m.group(2)[1:-1]
        if op in ("==", "!="):
            return (source == value) == (op == "==")
        hit = re.search(value, source) is not None
        return hit == (op == "=~")
    if _MR_VAR.match(atom):
        return source == "merge_request_event"
    return True


def run_mode(job: dict, source: str) -> str | None:
    """ "auto", "manual" or None: how the job runs in a pipeline started by `source`."""
    when = job.get("when")
    rules = job.get("rules")
    if isinstance(rules, list):
        for rule in rules:
            if not isinstance(rule, dict):
                continue
            if "if" in rule and not eval_if(str(rule["if"]), source):
                continue
            rule_when = rule.get("when", when or "on_success")
            if rule_when == "never":
                return None
            return "manual" if rule_when == "manual" else "auto"
        return None
    if "only" in job or "except" in job:
        if not _only_allows(job.get("only"), source) or _except_blocks(job.get("except"), source):
            return None
    elif source == "merge_request_event":
        return None  # jobs without rules run in branch pipelines, not merge request pipelines
    if when == "never":
        return None
    return "manual" if when == "manual" else "auto"


def _refs(value: Any) -> list[str] | None:
    if isinstance(value, dict):
        value = value.get("refs")
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value] if isinstance(value, list) else None


def _only_allows(value: Any, source: str) -> bool:
    refs = _refs(value)
    if refs is None:
        return source != "merge_request_event"
    return any(source in ONLY_KEYWORDS.get(r, {"push", "schedule", "web"}) for r in refs)


def _except_blocks(value: Any, source: str) -> bool:
    refs = _refs(value) or []
    return any(r in ONLY_KEYWORDS and source in ONLY_KEYWORDS[r] for r in refs)


class GitLabReader:
    def __init__(self, facts: Facts, prefix: str) -> None:
        self.origin_of: dict[str, str] = {}
        self.facts = facts
        self.prefix = prefix
        self.notes: list[tuple[str, str]] = []
        self.top = to_local("", prefix)

    def load(self, path: str, seen: set[str]) -> dict:
        """The merged top-level mapping of a pipeline file and its local includes."""
        if path in seen or len(seen) > 20:
            return {}
        seen.add(path)
        doc = self.facts.yaml_doc(path)
        if not isinstance(doc, dict):
            return {}
        merged: dict = {}
        include = doc.get("include")
        items = include if isinstance(include, list) else [include] if include else []
        for item in items:
            local = (
                item
                if isinstance(item, str)
                else item.get("local")
                if isinstance(item, dict)
                else None
            )
            if isinstance(local, str) and not local.startswith(("http:", "https:")):
                merged.update(self.load(to_local(local.lstrip("/"), self.prefix), seen))
            else:
                self.notes.append((path, f"include {item} is outside the repository; not followed"))
        for key, value in doc.items():
            merged[key] = value
            self.origin_of[key] = path
        return merged

    def extend(self, job: dict, merged: dict, depth: int = 0) -> dict:
        parents = job.get("extends")
        parents = [parents] if isinstance(parents, str) else parents or []
        out: dict = {}
        for parent in parents:
            base = merged.get(parent)
            if isinstance(base, dict) and depth < 10:
                _deep_merge(out, self.extend(base, merged, depth + 1))
        _deep_merge(out, {k: v for k, v in job.items() if k != "extends"})
        return out

    def roots(self) -> list[RootSpec]:

        files = [
            p
            for p in self.facts.repo.glob(".gitlab-ci.yml")
            if self.facts.repo.logical(p) == ".gitlab-ci.yml"
        ]
        specs: list[RootSpec] = []
        for path in files:
            self.origin_of: dict[str, str] = {}
            merged = self.load(path, set())
            default = merged.get("default") if isinstance(merged.get("default"), dict) else {}
            workflow = merged.get("workflow") if isinstance(merged.get("workflow"), dict) else {}
            variables = _variables(merged.get("variables"))
            for name, raw in merged.items():
                if name in RESERVED or str(name).startswith(".") or not isinstance(raw, dict):
                    continue
                job = self.extend(raw, merged)
                if "script" not in job and "trigger" not in job:
                    continue
                spec = self._job(path, str(name), job, default, workflow, variables, merged)
                if spec is not None:
                    specs.append(spec)
        return specs

    def _job(self, path, name, job, default, workflow, variables, merged) -> RootSpec | None:  # noqa: ANN001
        from ml_readiness.automation import Root

        where = self.origin_of.get(name, path)
        modes = {}
        for source in SOURCES:
            allowed = (
                run_mode(workflow, source) if isinstance(workflow.get("rules"), list) else "auto"
            )
            modes[source] = run_mode(job, source) if allowed else None
        auto = {s for s, m in modes.items() if m == "auto"}
        if auto & {"push", "merge_request_event"}:
            trigger = "change"
        elif "schedule" in auto:
            trigger = "schedule"
        elif any(modes.values()):
            trigger = "manual"
        else:
            self.notes.append((where, f"job `{name}` runs in no pipeline (rules/when: never)"))
            return None
        rules = job.get("rules")
        cond = None
        if isinstance(rules, list):
            ifs = [str(r["if"]) for r in rules if isinstance(r, dict) and "if" in r]
            cond = " or ".join(ifs) or None
        elif "only" in job or "except" in job:
            cond = f"only: {job.get('only')}" if "only" in job else f"except: {job.get('except')}"
        if "trigger" in job and "script" not in job:
            self.notes.append(
                (where, f"job `{name}` triggers a child/downstream pipeline; not followed")
            )
            return None
        lines = []
        for key in ("before_script", "script", "after_script"):
            value = job.get(key, default.get(key, merged.get(key)))
            value = [value] if isinstance(value, str) else value or []
            lines += [_flatten(v) for v in value]
        env = {**variables, **_variables(job.get("variables"))}
        line = merged.line_of(name) if hasattr(merged, "line_of") and where == path else None
        events = tuple(s for s, m in modes.items() if m)
        text = "\n".join(lines)
        root = Root(f"{where}#{name}", "gitlab", trigger, where, line, cond, tuple(lines), events)
        tags = job.get("tags") or default.get("tags") or []
        gpu = any("gpu" in str(t).lower() or "cuda" in str(t).lower() for t in tags)
        spec = RootSpec(root, (where, f"job {name}"), gpu=gpu)
        spec.steps = [Step(text, self.top, None, tuple(env.items()), where)]
        return spec


def _flatten(value: Any) -> str:
    if isinstance(value, list):
        return "\n".join(_flatten(v) for v in value)
    return str(value)


def _variables(value: Any) -> dict[str, str]:
    out = {}
    for k, v in (value or {}).items() if isinstance(value, dict) else ():
        v = v.get("value") if isinstance(v, dict) else v
        if isinstance(v, str | int | float):
            out[str(k)] = str(v)
    return out


def _deep_merge(into: dict, other: dict) -> None:
    for k, v in other.items():
        if isinstance(v, dict) and isinstance(into.get(k), dict):
            merged = dict(into[k])
            _deep_merge(merged, v)
            into[k] = merged
        else:
            into[k] = v
