"""model-1: pull-request CI that trains with the model config (the rubric's "CI checks the
model specs on every change"). A job that runs for pull/merge requests whose path filter (if
any) covers a checked-in model config, and that runs the repository's training entry point
with that config, instantiates every spec change before it is merged. No check is registered
here.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable

from ml_readiness.checks.model._shared import command_line

from ml_readiness.automation import Root
from ml_readiness.evidence import Evidence
from ml_readiness.facts import Facts, is_example_config

PR_EVENTS = frozenset(
    {"pull_request", "pull_request_target", "merge_request_event", "external_pull_request_event"}
)
SCRIPT_RUN = re.compile(r"\bpython[\d.]*\s+(?:-[a-zA-Z]\s+)*([\w./-]+\.py)\b([^\n]*)")
MODULE_RUN = re.compile(r"\bpython[\d.]*\s+-m\s+([\w.]+)([^\n]*)")
SWALLOWED = re.compile(r"\|\|\s*(true|:|exit\s+0)\b|\bset\s+\+e\b")
TRAIN_ARG = re.compile(r"(^|[\s=])(train|training)(\s|$)", re.I)
TRAIN_NAME = re.compile(r"(^|_)(train|training)(_|$)", re.I)


def _workflow_filters(facts: Facts, path: str) -> tuple[list[str], list[str]] | None:
    """(paths, paths-ignore) of a GitHub workflow's pull_request trigger; None elsewhere."""
    if not path.startswith(".github/workflows/"):
        return None
    doc = facts.yaml_doc(path)
    on = doc.get("on", doc.get(True)) if isinstance(doc, dict) else None
    if not isinstance(on, dict):
        return [], []
    for event in ("pull_request", "pull_request_target"):
        spec = on.get(event)
        if isinstance(spec, dict):
            paths = [str(p) for p in spec.get("paths") or []]
            ignore = [str(p) for p in spec.get("paths-ignore") or []]
            return paths, ignore
    return [], []


def _matches(path: str, patterns: Iterable[str]) -> bool:
    for pattern in patterns:
        pattern = pattern.lstrip("!").removeprefix("./")
        if fnmatch.fnmatch(path, pattern.replace("**/", "*").replace("**", "*")):
            return True
    return False


def _covers(facts: Facts, root: Root, config: str) -> bool:
    """The root runs for pull requests that change `config`."""
    filters = _workflow_filters(facts, root.path)
    if filters is None:
        return True
    paths, ignore = filters
    if paths and not _matches(config, paths):
        return False
    return not _matches(config, ignore)


def _swallowed_steps(facts: Facts, root: Root) -> list[str]:
    """The `run:` texts of a GitHub job's steps marked `continue-on-error: true`."""
    doc = facts.yaml_doc(root.path)
    if not isinstance(doc, dict) or "#" not in root.id:
        return []
    job = (doc.get("jobs") or {}).get(root.id.rsplit("#", 1)[1])
    steps = job.get("steps") if isinstance(job, dict) else None
    return [
        str(s.get("run") or "").strip()
        for s in steps or []
        if isinstance(s, dict) and s.get("continue-on-error") is True
    ]


def _script_of(facts: Facts, command: str) -> tuple[str, str] | None:
    """(repo script, its arguments) a command runs with python, or None."""
    m = SCRIPT_RUN.search(command)
    if m:
        path = m.group(1).removeprefix("./")
        return (path, m.group(2)) if path in facts.repo.files else None
    m = MODULE_RUN.search(command)
    if m:
        base = m.group(1).replace(".", "/")
        for path in (f"{base}.py", f"{base}/__main__.py", f"src/{base}.py"):
            if path in facts.repo.files:
                return path, m.group(2)
    return None


def _trains(facts: Facts, script: str, args: str) -> bool:
    """The command runs the training entry point: the script's name says train
    (`train.py`, `run_training.py`), an argument selects training (`--pipeline training`,
    `train`), or the script imports or calls a training function (`training_pipeline`,
    `train_model`; not `train_test_split`)."""
    if "train" in script.rsplit("/", 1)[-1].lower() or TRAIN_ARG.search(args):
        return True
    pf = facts.python(script)
    if pf is None:
        return False
    names = [i.alias for i in pf.imports] + [c.attr for c in pf.calls]
    return any(TRAIN_NAME.search(n) and n != "train_test_split" for n in names)


def _loads(facts: Facts, script: str, args: str, config: str) -> bool:
    """The run uses `config`: the command names it; the script names it; the script builds
    its name from the config folder and an argument the command passes
    (`CONFIG_DIR / f"{environment}.yaml"` with `--environment staging`); or Hydra composes
    the folder (`config_path="configs"`)."""
    base = config.rsplit("/", 1)[-1]
    folder = config.rsplit("/", 2)[-2] if "/" in config else ""
    stem = base.rsplit(".", 1)[0]
    if base in args:
        return True
    text = facts.text(script) or ""
    if config in text or f'"{base}"' in text or f"'{base}'" in text:
        return True
    if not folder or not re.search(rf"""["'/]{re.escape(folder)}["'/]""", text):
        return False
    if re.search(rf"config_path\s*=\s*[\"'](\.\./)*{re.escape(folder)}[\"']", text):
        return True
    built = re.search(r"\{\w+\}\.(ya?ml|json|toml)", text)
    return bool(built) and re.search(rf"(^|[\s=]){re.escape(stem)}(\s|$)", args) is not None


def ci_spec_runs(facts: Facts, item: str, configs: list[str]) -> list[Evidence]:
    """Config evidence (symbol: the CI root, automated on a pull-request trigger) for the
    first pull-request job that trains with a checked-in model config its trigger covers."""
    configs = [c for c in configs if not c.startswith("../") and not is_example_config(c)]
    if not configs:
        return []
    for root in facts.automation.roots:
        if root.trigger != "change" or not PR_EVENTS.intersection(root.events):
            continue
        if is_example_config(root.path):
            continue
        swallowed = _swallowed_steps(facts, root)
        for command in root.commands:
            if SWALLOWED.search(command) or command.strip() in swallowed:
                continue
            found = _script_of(facts, command)
            if found is None or not _trains(facts, *found):
                continue
            script, args = found
            for config in configs:
                if not (_covers(facts, root, config) and _loads(facts, script, args, config)):
                    continue
                shown = " ".join(command.split())
                shown = shown[shown.find("python") :][:70]
                detail = (
                    f"pull-request CI job {root.id} trains with model config {config} on "
                    f"every change to it (`{shown}`)"
                )
                rx = re.compile(re.escape(script.rsplit("/", 1)[-1]))
                line = command_line(facts, root, rx)
                return [
                    Evidence(item, detail, root.path, line, "config", "automated", symbol=root.id)
                ]
    return []
