"""Other CI systems: CircleCI, Jenkinsfile, Bitbucket Pipelines, Cloud Build (Azure Pipelines:
azure.py).

Each is read for its triggers and the shell commands of its steps; the commands are resolved
like any other (see resolve.py). Cloud Build is triggered from outside the repository, so a
`cloudbuild.yaml` alone is reported as not resolved.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ml_readiness.automation.azure import AzureReader
from ml_readiness.automation.paths import to_local
from ml_readiness.automation.spec import RootSpec, Step
from ml_readiness.facts import is_example_config

if TYPE_CHECKING:
    from ml_readiness.facts import Facts

_JENKINS_SH = re.compile(r"\b(?:sh|bat)\s*\(?\s*(?:script\s*:\s*)?('''|\"\"\"|'|\")(.*?)\1", re.S)


class _Reader:
    def __init__(self, facts: Facts, prefix: str) -> None:
        self.facts = facts
        self.prefix = prefix
        self.notes: list[tuple[str, str]] = []
        self.top = to_local("", prefix)

    def files(self, *names: str) -> list[str]:
        wanted = {n.lower() for n in names}
        bases = {n.rsplit("/", 1)[-1] for n in names}  # look only at files of those names
        return [
            p
            for p in self.facts.repo.named(*bases)
            if self.facts.repo.logical(p).lower() in wanted and not is_example_config(p)
        ]

    def spec(self, path: str, name: str, system: str, trigger: str, lines: list[str]) -> RootSpec:
        from ml_readiness.automation import Root

        root = Root(f"{path}#{name}", system, trigger, path, None, None, tuple(lines))
        spec = RootSpec(root, (path, f"job {name}"))
        spec.steps = [Step(text, self.top, None, (), path) for text in lines]
        return spec


def _as_list(value: Any) -> list:
    return value if isinstance(value, list) else [] if value is None else [value]


class CircleReader(_Reader):
    def roots(self) -> list[RootSpec]:
        specs = []
        for path in self.files(".circleci/config.yml", ".circleci/config.yaml"):
            doc = self.facts.yaml_doc(path)
            jobs = doc.get("jobs") if isinstance(doc, dict) else None
            if not isinstance(jobs, dict):
                continue
            triggered: dict[str, str] = {}
            workflows = doc.get("workflows") if isinstance(doc.get("workflows"), dict) else {}
            for wf in workflows.values():
                if not isinstance(wf, dict):
                    continue
                scheduled = any(
                    isinstance(t, dict) and "schedule" in t for t in _as_list(wf.get("triggers"))
                )
                for entry in _as_list(wf.get("jobs")):
                    name = next(iter(entry)) if isinstance(entry, dict) else str(entry)
                    t = "schedule" if scheduled else "change"
                    triggered[name] = "change" if triggered.get(name) == "change" else t
            if not workflows and "build" in jobs:
                triggered["build"] = "change"
            for name, trigger in triggered.items():
                job = jobs.get(name)
                if not isinstance(job, dict):
                    continue
                lines = []
                for step in _as_list(job.get("steps")):
                    run = step.get("run") if isinstance(step, dict) else None
                    run = run.get("command") if isinstance(run, dict) else run
                    if isinstance(run, str):
                        lines.append(run)
                specs.append(self.spec(path, name, "circleci", trigger, lines))
        return specs


class JenkinsReader(_Reader):
    def roots(self) -> list[RootSpec]:
        specs = []
        for path in self.files("Jenkinsfile"):
            text = self.facts.text(path) or ""
            code = "\n".join(
                line for line in text.splitlines() if not line.strip().startswith("//")
            )
            trigger = "schedule" if re.search(r"\bcron\s*\(", code) else "change"
            if re.search(r"\bpollSCM\s*\(", code):
                trigger = "change"
            lines = [m.group(2) for m in _JENKINS_SH.finditer(code)]
            specs.append(self.spec(path, "pipeline", "jenkins", trigger, lines))
        return specs


class BitbucketReader(_Reader):
    def roots(self) -> list[RootSpec]:
        specs = []
        for path in self.files("bitbucket-pipelines.yml"):
            doc = self.facts.yaml_doc(path)
            pipes = doc.get("pipelines") if isinstance(doc, dict) else None
            if not isinstance(pipes, dict):
                continue
            groups: list[tuple[str, str, Any]] = []
            for kind, value in pipes.items():
                trigger = "manual" if kind == "custom" else "change"
                if kind == "default":
                    groups.append(("default", trigger, value))
                elif isinstance(value, dict):
                    groups += [(f"{kind}.{k}", trigger, v) for k, v in value.items()]
            for name, trigger, steps in groups:
                lines: list[str] = []
                for item in _as_list(steps):
                    inner = item.get("parallel") if isinstance(item, dict) else None
                    for entry in _as_list(inner) if inner else [item]:
                        step = entry.get("step") if isinstance(entry, dict) else None
                        if isinstance(step, dict):
                            lines += [str(s) for s in _as_list(step.get("script"))]
                specs.append(self.spec(path, name, "bitbucket", trigger, lines))
        return specs


class CloudBuildReader(_Reader):
    def roots(self) -> list[RootSpec]:
        for path in self.facts.repo.named("cloudbuild.yaml", "cloudbuild.yml"):
            self.notes.append(
                (path, "Cloud Build triggers are configured outside the repository; not credited")
            )
        return []


READERS = [AzureReader, CircleReader, JenkinsReader, BitbucketReader, CloudBuildReader]
