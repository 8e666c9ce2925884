"""GitLab CI: `.gitlab-ci.yml` with `include: local`, `extends`, `default`, `rules`,
`only`/`except`, `when`, `workflow: rules`, `!reference` and `parallel: matrix`.

Each job is evaluated for four pipeline sources — push, merge request, schedule and web (a
person pressing "Run pipeline"). `rules: if:` tests on `$CI_PIPELINE_SOURCE` and merge-request
variables are evaluated, and so are `$CI_COMMIT_BRANCH`/`$CI_COMMIT_TAG` in merge-request
pipelines, where they are not set; other variables are taken as possibly true (and a
`when: never` rule on them as possibly false); a rule that needs a word in the commit message
is a person opting in, so manual. A job that runs on push or merge requests is `change`; only
on schedules is `schedule`; only by hand (`when: manual`, web) is `manual`; `when: never`
everywhere reaches nothing.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ml_readiness.automation.paths import to_local
from ml_readiness.automation.spec import RootSpec, Step

if TYPE_CHECKING:
    from ml_readiness.facts import Facts

# a child pipeline's parent: its trigger and the chain down to the job that starts it
Parent = tuple[str, tuple[str, ...]]

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
    "branches": {"push", "schedule", "web", "parent_pipeline"},
    "tags": {"push"},
    "api": set(),
    "triggers": set(),
    "pipelines": {"parent_pipeline"},
    "external": set(),
    "chat": set(),
}
_CMP = re.compile(r"\$CI_PIPELINE_SOURCE\s*(==|!=|=~|!~)\s*(\"[^\"]*\"|'[^']*'|/[^/]*/)")
_MR_VAR = re.compile(r"^\$CI_MERGE_REQUEST_\w+$")
# branch and tag names are not set in merge-request pipelines
_BRANCH_VAR = re.compile(r"^\$CI_COMMIT_(?:BRANCH|TAG)\b\s*(==|!=|=~|!~)?")
# a person opts a pipeline in by writing a word in the commit message (`train notebook.ipynb`)
_COMMIT_OPT_IN = re.compile(r"\$CI_COMMIT_(MESSAGE|TITLE|DESCRIPTION)\s*(==|=~)")


def commit_message_opt_in(expr: str) -> bool:
    """Whether every `||` branch of a `rules: if:` needs a word in the commit message."""
    return all(_COMMIT_OPT_IN.search(group) for group in expr.split("||"))


def eval_if(expr: str, source: str) -> bool:
    """Whether a `rules: if:` expression can hold in a pipeline started by `source`."""
    expr = expr.replace("(", " ").replace(")", " ")
    for group in expr.split("||"):
        if all(_atom(a.strip(), source) for a in group.split("&&")):
            return True
    return False


def eval_if_certain(expr: str, source: str) -> bool:
    """Whether a `rules: if:` expression surely holds for `source`: every test of one of its
    `||` groups is on the pipeline source (or merge-request variables) and holds."""
    expr = expr.replace("(", " ").replace(")", " ")
    for group in expr.split("||"):
        atoms = [a.strip() for a in group.split("&&")]
        if all(_known(a, source) and _atom(a, source) for a in atoms):
            return True
    return False


def _known(atom: str, source: str) -> bool:
    if source == "merge_request_event" and _BRANCH_VAR.match(atom):
        return True
    return bool(_CMP.search(atom) or _MR_VAR.match(atom))


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
    branch = _BRANCH_VAR.match(atom)
    if branch and source == "merge_request_event":  # unset there: only != / !~ hold
        return branch.group(1) in ("!=", "!~")
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
                # an opt-out on a variable we cannot read (`if: $SKIP_TESTS`) may not hold
                if "if" in rule and not eval_if_certain(str(rule["if"]), source):
                    continue
                return None
            if "if" in rule and commit_message_opt_in(str(rule["if"])):
                return "manual"
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
    branch = {"push", "schedule", "web", "parent_pipeline"}  # a branch or tag name
    return any(source in ONLY_KEYWORDS.get(r, branch) for r in refs)


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
            specs += self._pipeline(path, None, set())
        return specs

    def _pipeline(self, path: str, parent: Parent | None, seen: set[str]) -> list[RootSpec]:
        """The jobs of one pipeline file; `parent` is set for a child pipeline."""
        if path in seen or len(seen) > 3:
            return []
        seen = seen | {path}
        self.origin_of = {}
        merged = self.load(path, set())
        origins = dict(self.origin_of)
        default = merged.get("default") if isinstance(merged.get("default"), dict) else {}
        workflow = merged.get("workflow") if isinstance(merged.get("workflow"), dict) else {}
        variables = _variables(merged.get("variables"))
        specs: list[RootSpec] = []
        for name, raw in merged.items():
            if name in RESERVED or str(name).startswith(".") or not isinstance(raw, dict):
                continue
            job = self.extend(raw, merged)
            if "script" not in job and "trigger" not in job:
                continue
            self.origin_of = origins
            ctx = (default, workflow, variables, merged, parent, seen)
            specs += self._job(path, str(name), job, ctx)
        return specs

    def _child(self, where: str, name: str, job: dict, parent: Parent, seen: set) -> list:
        """The jobs of the local child pipeline a `trigger: include:` job starts."""
        trig = job.get("trigger")
        include = trig.get("include") if isinstance(trig, dict) else None
        items = include if isinstance(include, list) else [include] if include else []
        files = [i if isinstance(i, str) else i.get("local") for i in items if i]
        if not files or not all(isinstance(f, str) for f in files):
            self.notes.append(
                (where, f"job `{name}` triggers a downstream or generated pipeline; not followed")
            )
            return []
        specs = []
        for f in files:
            child = to_local(str(f).lstrip("/"), self.prefix)
            if not self.facts.repo.exists(child):
                self.notes.append((where, f"child pipeline `{f}` is not a file of the repository"))
                continue
            specs += self._pipeline(child, parent, seen)
        return specs

    def _job(self, path: str, name: str, job: dict, ctx: tuple) -> list[RootSpec]:
        from ml_readiness.automation import Root

        default, workflow, variables, merged, parent, seen = ctx
        where = self.origin_of.get(name, path)
        modes = {}
        for source in ("parent_pipeline",) if parent else SOURCES:
            allowed = (
                run_mode(workflow, source) if isinstance(workflow.get("rules"), list) else "auto"
            )
            mode = run_mode(job, source) if allowed else None
            modes[source] = "manual" if mode and allowed == "manual" else mode
        auto = {s for s, m in modes.items() if m == "auto"}
        if parent and auto:
            trigger = parent[0]
        elif auto & {"push", "merge_request_event"}:
            trigger = "change"
        elif "schedule" in auto:
            trigger = "schedule"
        elif any(modes.values()):
            trigger = "manual"
        else:
            self.notes.append((where, f"job `{name}` runs in no pipeline (rules/when: never)"))
            return []
        rules = job.get("rules")
        cond = None
        if isinstance(rules, list):
            ifs = [
                str(r["if"])
                for r in rules
                if isinstance(r, dict) and "if" in r and r.get("when") != "never"
            ]
            cond = " or ".join(ifs) or None
        elif "only" in job or "except" in job:
            cond = f"only: {job.get('only')}" if "only" in job else f"except: {job.get('except')}"
        chain = (*(parent[1] if parent else ()), where, f"job {name}")
        if "trigger" in job and "script" not in job:
            return self._child(where, name, job, (trigger, (*chain, "child pipeline")), seen)
        lines = []
        for key in ("before_script", "script", "after_script"):
            value = job.get(key, default.get(key, merged.get(key)))
            value = [value] if isinstance(value, str) else value or []
            lines += [_flatten(_reference(v, merged)) for v in value]
        env = {**variables, **_variables(job.get("variables"))}
        line = merged.line_of(name) if hasattr(merged, "line_of") and where == path else None
        events = tuple(s for s, m in modes.items() if m)
        text = "\n".join(lines)
        root = Root(f"{where}#{name}", "gitlab", trigger, where, line, cond, tuple(lines), events)
        tags = job.get("tags") or default.get("tags") or []
        gpu = any("gpu" in str(t).lower() or "cuda" in str(t).lower() for t in tags)
        spec = RootSpec(root, chain, gpu=gpu)
        spec.steps = [
            Step(text, self.top, None, tuple({**env, **combo}.items()), where)
            for combo in _parallel_matrix(job)
        ]
        return [spec]


def _reference(value: Any, merged: dict, depth: int = 0) -> Any:
    """`!reference [.setup, script]` (loaded as a list of keys): the referenced value."""
    if not isinstance(value, list) or not value or depth > 5:
        return value
    target: Any = merged
    keys = [k for k in value if isinstance(k, str)]
    if len(keys) == len(value) and len(keys) >= 2 and keys[0] in merged:
        for key in keys:
            target = target.get(key) if isinstance(target, dict) else None
        if target is not None:
            items = target if isinstance(target, list) else [target]
            return [_reference(v, merged, depth + 1) for v in items]
    return [_reference(v, merged, depth + 1) for v in value]


def _parallel_matrix(job: dict) -> list[dict[str, str]]:
    """The variable sets of `parallel: matrix:` (at most 16), or one empty set."""
    parallel = job.get("parallel")
    matrix = parallel.get("matrix") if isinstance(parallel, dict) else None
    combos: list[dict[str, str]] = []
    for entry in matrix if isinstance(matrix, list) else []:
        part: list[dict[str, str]] = [{}]
        for key, values in entry.items() if isinstance(entry, dict) else ():
            values = values if isinstance(values, list) else [values]
            part = [{**p, str(key): str(v)} for p in part for v in values][:16]
        combos += part
    return combos[:16] or [{}]


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
