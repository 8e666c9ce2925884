"""Azure Pipelines: `azure-pipelines.yml` and the pipeline files of a pipelines folder
(`.pipelines/`, `.azure-pipelines/`, `.azuredevops/`, ...) that declare their own `trigger`,
`pr` or `schedules`; local `- template:` files (steps, jobs, stages) are expanded.

A step runs `script`/`bash`/`pwsh`/`powershell`, or a task's script: `AzureCLI` (inlineScript
or scriptPath), `Bash`/`CmdLine`/`PowerShell` (script or filePath), `PythonScript`
(scriptPath). `trigger` (absent: every branch) or `pr` → change; only `schedules` →
schedule; `trigger: none` and `pr: none` → manual.
"""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING, Any

from ml_readiness.automation.paths import join, to_local
from ml_readiness.automation.spec import RootSpec, Step
from ml_readiness.facts import is_example_config

if TYPE_CHECKING:
    from ml_readiness.facts import Facts

PIPELINE_FOLDERS = frozenset(
    {".pipelines", ".azure-pipelines", "azure-pipelines", ".azuredevops", ".ado", "pipelines"}
)
SHELL_KEYS = ("script", "bash", "pwsh", "powershell")
# `$(Build.SourcesDirectory)/ml` and friends: the checkout folder
_CHECKOUT = re.compile(
    r"^\$\((Build\.SourcesDirectory|System\.DefaultWorkingDirectory|Pipeline\.Workspace)\)/?",
    re.I,
)
MAX_TEMPLATE_DEPTH = 6


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]


class AzureReader:
    def __init__(self, facts: Facts, prefix: str) -> None:
        self.facts = facts
        self.prefix = prefix
        self.notes: list[tuple[str, str]] = []
        self.top = to_local("", prefix)

    def pipeline_files(self) -> list[str]:
        """Root `azure-pipelines*.yml` files, and pipeline files of a pipelines folder that
        declare a trigger (templates, which declare none, are only expanded)."""
        out = []
        for path in self.facts.repo.with_suffix(".yml", ".yaml"):
            logical = self.facts.repo.logical(path)
            if not logical.endswith((".yml", ".yaml")) or is_example_config(path):
                continue
            name = posixpath.basename(logical).lower()
            folder = posixpath.dirname(logical)
            if "/" not in logical and name.startswith("azure-pipelines"):
                out.append(path)
            elif folder.split("/")[0].lower() in PIPELINE_FOLDERS:
                keys = set(d) if isinstance(d := self.facts.yaml_doc(path), dict) else set()
                if keys & {"trigger", "pr", "schedules"} and keys & {"stages", "jobs", "steps"}:
                    out.append(path)
        return sorted(out)

    def roots(self) -> list[RootSpec]:
        specs = []
        for path in self.pipeline_files():
            doc = self.facts.yaml_doc(path)
            if not isinstance(doc, dict):
                continue
            trigger = _trigger(doc)
            for name, steps in self._jobs(path, doc, 0):
                specs.append(self._spec(path, name, trigger, steps))
        return specs

    def _spec(self, path: str, name: str, trigger: str, steps: list[Step]) -> RootSpec:
        from ml_readiness.automation import Root

        cmds = tuple(s.text for s in steps)
        root = Root(f"{path}#{name}", "azure", trigger, path, None, None, cmds)
        spec = RootSpec(root, (path, f"job {name}"))
        spec.steps = steps
        return spec

    def _template(self, here: str, ref: Any, key: str, depth: int) -> tuple[str, list]:
        """The `key` list (steps/jobs/stages) of a local template file, and its path."""
        ref = str(ref)
        if "@" in ref or depth > MAX_TEMPLATE_DEPTH:
            self.notes.append((here, f"template `{ref}` is outside the repository; not followed"))
            return here, []
        path = join(posixpath.dirname(here), ref.lstrip("/")) if not ref.startswith("/") else ref
        path = path.lstrip("/")
        doc = self.facts.yaml_doc(path) if self.facts.repo.exists(path) else None
        if not isinstance(doc, dict):
            self.notes.append((here, f"template `{ref}` is not a file of the repository"))
            return here, []
        return path, _as_list(doc.get(key))

    def _jobs(self, path: str, doc: dict, depth: int) -> list[tuple[str, list[Step]]]:
        out: list[tuple[str, list[Step]]] = []
        for here, stage in self._expand(path, _as_list(doc.get("stages")), "stages", depth):
            jobs = self._expand(here, _as_list(stage.get("jobs")), "jobs", depth)
            for job, steps in self._job_steps(jobs, depth):
                out.append((f"{stage.get('stage')}.{_job_name(job)}", steps))
        jobs = self._expand(path, _as_list(doc.get("jobs")), "jobs", depth)
        out += [(_job_name(job), steps) for job, steps in self._job_steps(jobs, depth)]
        if "steps" in doc:
            out.append(("default", self._steps(path, _as_list(doc.get("steps")), depth)))
        return out

    def _expand(self, here: str, items: list, key: str, depth: int) -> list[tuple[str, dict]]:
        """Items of a steps/jobs/stages list with `- template:` entries replaced by theirs."""
        out = []
        for item in items:
            if not isinstance(item, dict):
                continue
            if "template" in item and len(set(item) - {"template", "parameters"}) == 0:
                file, inner = self._template(here, item["template"], key, depth + 1)
                out += self._expand(file, inner, key, depth + 1) if file != here else []
            else:
                out.append((here, item))
        return out

    def _job_steps(self, jobs: list[tuple[str, dict]], depth: int) -> list[tuple[dict, list]]:
        out = []
        for here, job in jobs:
            steps = job.get("steps")
            strategy = job.get("strategy")  # deployment jobs: strategy.runOnce.deploy.steps
            if steps is None and isinstance(strategy, dict):
                for phase in strategy.values():
                    deploy = phase.get("deploy") if isinstance(phase, dict) else None
                    steps = deploy.get("steps") if isinstance(deploy, dict) else steps
            out.append((job, self._steps(here, _as_list(steps), depth)))
        return out

    def _steps(self, here: str, items: list, depth: int) -> list[Step]:
        out = []
        for file, step in self._expand(here, items, "steps", depth):
            text, cwd = _step_command(step)
            if text:
                folder = _CHECKOUT.sub("", cwd) if cwd else ""
                where = to_local(folder, self.prefix) if folder and "$(" not in folder else self.top
                hop = f"step {step.get('displayName') or step.get('task') or '#'}"
                out.append(Step(text, where, hop, (), file))
        return out


def _job_name(job: dict) -> str:
    return str(job.get("job") or job.get("deployment"))


def _step_command(step: dict) -> tuple[str | None, str | None]:
    """The shell text a step runs and its working directory."""
    for key in SHELL_KEYS:
        if isinstance(step.get(key), str):
            return step[key], step.get("workingDirectory")
    task = str(step.get("task") or "").split("@")[0].split(".")[-1]
    inputs = step.get("inputs") if isinstance(step.get("inputs"), dict) else {}
    cwd = inputs.get("workingDirectory") or inputs.get("cwd")
    if task in ("AzureCLI", "AzurePowerShell", "Bash", "CmdLine", "PowerShell", "ShellScript"):
        inline = inputs.get("inlineScript") or inputs.get("script") or inputs.get("Inline")
        if isinstance(inline, str):
            return inline, cwd
        file = inputs.get("scriptPath") or inputs.get("filePath") or inputs.get("ScriptPath")
        return (f"bash {_CHECKOUT.sub('', str(file))}", cwd) if file else (None, None)
    if task == "PythonScript" and inputs.get("scriptPath"):
        arguments = str(inputs.get("arguments") or "")
        return f"python {_CHECKOUT.sub('', str(inputs['scriptPath']))} {arguments}", cwd
    return None, None


def _trigger(doc: dict) -> str:
    trig, pr = doc.get("trigger"), doc.get("pr")
    if trig != "none" or pr not in (None, "none"):
        return "change"
    return "schedule" if doc.get("schedules") else "manual"
