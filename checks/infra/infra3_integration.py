"""infra-3: the whole pipeline runs end to end on small data in a test or a CI job."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from ml_readiness.checks.infra._commands import python_target, runs_pipeline, simple_commands
from ml_readiness.checks.infra._module_training import (
    compile_only,
    kfp_submissions,
    module_training_imports,
)
from ml_readiness.checks.infra._shared import gpu_only, training_entry_points

from ml_readiness.automation import Root, test_hop
from ml_readiness.automation.runners import dvc_stages
from ml_readiness.checklib import always_skipped
from ml_readiness.evidence import Evidence, Hint
from ml_readiness.facts import Facts, is_test_path
from ml_readiness.facts.imports import imported_files
from ml_readiness.facts.python import MAIN, MODULE, Call, Function, PythonFacts
from ml_readiness.registry import check

DVC_REPRO = re.compile(r"\bdvc\s+(?:repro|exp\s+run)\b")
CI_PIPELINE = re.compile(
    r"\b(?:python3?\s+(?:-m\s+)?[\w./-]*train[\w./-]*|kedro\s+run|mlflow\s+run|"
    r"zenml\s+pipeline\s+run|metaflow|[\w./-]*train[\w./-]*\.py)\b"
)
CI_SYSTEMS = frozenset({"github", "gitlab", "azure", "circleci", "jenkins", "bitbucket"})
SMALL = re.compile(
    r"(?i)(^|[^a-z])(small|sample|tiny|smoke|toy|mini|subset|fast[-_]dev[-_]run|dry[-_]run|"
    r"max[-_]epochs|epochs|limit)([^a-z]|$)"
)
SMALL_KWARGS = {
    "fast_dev_run": lambda v: v is True or (isinstance(v, int) and v > 0),
    "max_epochs": lambda v: isinstance(v, int) and v <= 2,
    "epochs": lambda v: isinstance(v, int) and v <= 2,
    "n_epochs": lambda v: isinstance(v, int) and v <= 2,
    "max_steps": lambda v: isinstance(v, int) and v <= 100,
    "limit_train_batches": lambda v: v is not None,
    "nrows": lambda v: isinstance(v, int) and v <= 10_000,
    "sample": lambda v: v not in (None, False),
    "smoke": lambda v: v is True,
}
ENTRY_NAMES = re.compile(r"^(main|cli|app|run\w*|train\w*|fit\w*|pipeline\w*|\w*_pipeline)$")
SUBPROCESS = (
    "subprocess.run",
    "subprocess.check_call",
    "subprocess.check_output",
    "subprocess.call",
    "subprocess.Popen",
    "runpy.run_path",
    "runpy.run_module",
    "os.system",
)
# compile/lint commands name the training scripts without running them
NOT_RUN = re.compile(r"\b(py_compile|compileall|mypy|ruff|flake8|pylint|pyflakes|black|isort)\b")

E2E_SCRIPT = re.compile(r"(?i)(smoke|e2e|end[-_]to[-_]end|integration)[^/]*\.(sh|bash|py)$")
# KFP runs a component's Python function locally with `component.python_func(...)`
COMPONENT_CALLS = frozenset({"python_func", "execute", "pipeline_func"})
PATCHES = frozenset({"setattr", "patch", "object"})
_TRAINER = re.compile(r"(?i)(^|_)(train|fit)(_|$)|^(train|fit)")


def _flat(values: Iterable[object]) -> Iterator[object]:
    for v in values:
        if isinstance(v, tuple):
            yield from _flat(v)
        else:
            yield v


def _small_data(calls: list[Call], fn: Function) -> str | None:
    """The first small-data signal among the test's literal arguments or its name."""
    for c in calls:
        for key, value in c.kwargs:
            test = SMALL_KWARGS.get(key)
            if test and test(value):
                return f"{key}={value}"
        for value in _flat(list(c.args) + [v for _, v in c.kwargs]):
            if isinstance(value, str) and not value.startswith("$") and SMALL.search(value):
                return value
    return fn.name if SMALL.search(fn.name) else None


def _scoped(pf: PythonFacts, fn: Function) -> list[Call]:
    return [c for c in pf.calls if c.scope == fn.qualname or c.scope.startswith(fn.qualname + ".")]


def _entry_functions(facts: Facts) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for entry in training_entry_points(facts):
        pf = facts.python(entry.path) if entry.path.endswith(".py") else None
        if pf is None:
            continue
        top = [f.name for f in pf.functions if "." not in f.qualname]
        names = {name for name in top if ENTRY_NAMES.match(name)}
        if names:
            out[entry.path] = names
    return out


def _calls_entry(call: Call, names: set[str]) -> bool:
    parts = call.name.split(".")
    if parts[-1] in names:
        return True
    return len(parts) >= 2 and parts[-1] in COMPONENT_CALLS and parts[-2] in names


def _mocked_trainer(pf: PythonFacts, fn: Function) -> str | None:
    """The training function a test replaces with a fake (`monkeypatch.setattr(mod,
    "train_model", fake)`, `mock.patch("pkg.train.fit")`), or None: nothing is trained then."""
    for c in pf.calls:
        if c.scope != fn.qualname and not c.scope.startswith(fn.qualname + "."):
            continue
        if c.attr not in PATCHES or not re.search(r"(?i)monkeypatch|mock|patch|mocker", c.name):
            continue
        for value in list(c.args[:2]) + [v for k, v in c.kwargs if k in ("target", "attribute")]:
            if isinstance(value, str) and not value.startswith("$"):
                last = value.rsplit(".", 1)[-1]
                if _TRAINER.search(last):
                    return last
    return None


def _runs_pipeline(
    facts: Facts, path: str, pf: PythonFacts, fn: Function, entries: dict[str, set[str]]
) -> str | None:
    """How a test runs the training pipeline, or None."""
    calls = _scoped(pf, fn)
    imported = set(imported_files(facts, path, pf))
    for target, names in sorted(entries.items()):
        if target in imported:
            hit = next((c for c in calls if _calls_entry(c, names)), None)
            if hit:
                return f"calls the training entry point `{hit.name}()` of {target}"
    for c in calls:
        if c.qualified in SUBPROCESS or c.attr == "invoke":
            words = [v for v in _flat(c.args) if isinstance(v, str)]
            script = next((w for w in words if "train" in w.lower() or "kedro" in w), None)
            if script:
                return f"runs `{script}` as a command"
    if pf.imports_module("kedro") and any(c.attr == "run" for c in calls):
        return "runs the Kedro pipeline"
    return None


@check("infra-3")
def pipeline_integration_test(facts: Facts) -> Iterator[Evidence | Hint]:
    """End-to-end run of the pipeline on small data by a test or a CI job.

    - CI roots (from the AutomationMap) whose commands run `dvc repro`, a training script
      (`python train.py --sample`), `kedro run` or `mlflow run`, or that execute a training
      function through a launcher (`python run.py --pipeline training` → a ZenML pipeline →
      its `train_model` step), not through a unit test;
    - smoke-training tests: a test (not always skipped) that calls the training entry point
      (`main`/`train`/`run` of a training script), runs it as a command, or runs a Kedro
      pipeline; small-data signals (`--smoke`, `sample`, `fast_dev_run=True`, `max_epochs=1`)
      are named in the detail;
    - scripts named `*smoke*`/`*e2e*`/`*integration*` that run training;
    - CI jobs that start a SageMaker pipeline whose definition trains
      (`aws sagemaker start-pipeline-execution`): automated when the job waits for the
      execution and checks its status, manual when it only starts it.
    """
    found = False
    for produced in kfp_submissions(facts, CI_SYSTEMS):
        found = True
        yield produced
    for produced in _platform_pipeline_runs(facts):
        found = True
        yield produced
    for produced in _ci_pipeline_runs(facts):
        found = found or isinstance(produced, Evidence)
        yield produced
    entries = _entry_functions(facts)
    tokens = ("train", "kedro", "main", "run")
    for path, pf in facts.python_files(mentions=tokens, tests=True):
        for fn in pf.tests():
            how = _runs_pipeline(facts, path, pf, fn, entries)
            if how is None:
                continue
            if always_skipped(fn, pf):
                yield Hint("infra-3", f"{path}::{fn.qualname} {how} but is always skipped")
                continue
            mocked = _mocked_trainer(pf, fn)
            if mocked:
                yield Hint(
                    "infra-3",
                    f"{path}::{fn.qualname} {how} but replaces `{mocked}` with a fake, so "
                    "nothing is trained; not credited",
                )
                continue
            small = _small_data(_scoped(pf, fn), fn)
            detail = f"smoke test {how}" + (f" on small data ({small})" if small else "")
            found = True
            gpu = gpu_only(pf, fn)
            if gpu:
                detail += f" (runs only with a GPU: {gpu}; CI runners are CPU-only)"
                yield Evidence("infra-3", detail, path, fn.line, "test", "manual", fn.qualname)
                continue
            yield Evidence("infra-3", detail, path, fn.line, "test", symbol=fn.qualname)
    for produced in module_training_imports(facts):
        found = True
        yield produced
    for path in facts.repo.files:
        if path.startswith("../") or is_test_path(path) or not E2E_SCRIPT.search(path):
            continue
        hits = facts.grep(CI_PIPELINE, [path]) + facts.grep(DVC_REPRO, [path])
        hits = [h for h in hits if not h[2].startswith("#")]
        if hits:
            found = True
            _, line, text = hits[0]
            yield Evidence("infra-3", f"end-to-end script runs `{text}`", path, line, "code")
    if not found:
        yield Hint(
            "infra-3",
            "no end-to-end run found: no CI job runs `dvc repro` or a training script, and no "
            "test calls the training entry point on small data",
        )


def _ci_pipeline_runs(facts: Facts) -> Iterator[Evidence | Hint]:
    """One item per CI root that runs the pipeline: a command whose program runs a training
    script or a pipeline tool (`runs_pipeline`), or, through the AutomationMap, a root that
    executes a training entry point: a script body (`make train` → `python train.py`) or a
    training function a launcher reaches (a pipeline step), never through a test. A line
    that only names a training script (`zip -r release.zip train.py`) is not a run."""
    done: set[str] = set()
    compiled: list[str] = []
    for root in facts.automation.roots:
        for command in root.commands:
            for line in str(command).splitlines():
                line = line.strip()
                if line.startswith("#") or root.id in done:
                    continue
                if NOT_RUN.search(line) and CI_PIPELINE.search(line):
                    yield Hint(
                        "infra-3",
                        f"{root.id} runs `{line[:80]}`: a syntax or lint check reads the "
                        "training scripts without running them; not an integration run",
                    )
                    continue
                if re.search(r"\b(pytest|unittest|tox|nox)\b", line) and not DVC_REPRO.search(line):
                    continue
                ran = runs_pipeline(line)
                if ran and ran.startswith("dvc "):
                    data_only = _dvc_data_only(facts, root)
                    if data_only:
                        yield Hint(
                            "infra-3",
                            f"{root.id} runs `{ran}`, but {data_only}: not an end-to-end run of "
                            "the model; not credited",
                        )
                        continue
                if ran:
                    done.add(root.id)
                    yield _root_evidence(root, line)
    for entry in training_entry_points(facts):
        # a script body, or a function that trains in-process (`def train_model`); a function
        # that only declares a platform job (a SageMaker pipeline builder) trains nothing here
        in_process = entry.symbol in (MAIN, MODULE) or entry.why.startswith("defines ")
        if entry.symbol is None or not in_process:
            continue
        pf = facts.python(entry.path) if entry.path.endswith(".py") else None
        if entry.symbol == MAIN and pf is not None and compile_only(pf):
            compiled.append(entry.path)
            continue
        for run in facts.automation.executions(entry.path, entry.symbol):
            root = facts.automation.root(run.root)
            if root is None or root.id in done or test_hop(run.chain):
                continue
            if root.system not in CI_SYSTEMS:
                continue  # an orchestrator's production run, not a CI test
            done.add(root.id)
            how = " → ".join(str(h) for h in run.chain[1:4])
            what = (
                f"{root.id} executes the training script {entry.path}"
                if entry.symbol in (MAIN, MODULE)
                else f"{root.id} executes the training function {entry.path}:{entry.symbol}"
            )
            yield _root_evidence(root, how, what)
    if compiled:
        yield Hint(
            "infra-3",
            f"{', '.join(compiled[:3])} only compiles a KFP pipeline in its __main__ block: "
            "its components run only when the compiled pipeline is submitted, so running the "
            "script is not an end-to-end run; not credited",
        )


MODEL_STEP = re.compile(r"(?i)train|fit|predict|infer|evaluat|score|serve")


def _dvc_data_only(facts: Facts, root: Root) -> str | None:
    """Why a `dvc repro` job runs no model, or None: every stage of the repository's DVC
    pipelines runs a data script (no stage command runs a training/evaluation/inference script
    or a pipeline tool), and nothing else the job executes predicts or evaluates. Without a
    readable `dvc.yaml` the run is taken as a pipeline run."""
    stages = {
        f"{path}#{name}": stage
        for path in facts.repo.named("dvc.yaml")
        for name, stage in dvc_stages(facts, path).items()
    }
    if not stages:
        return None
    for stage in stages.values():
        for _line, cmd in stage.commands:
            target = next((python_target(w) for w in simple_commands(cmd) if python_target(w)), "")
            if runs_pipeline(cmd) or MODEL_STEP.search(target.rsplit("/", 1)[-1]):
                return None
    for path, symbols in facts.automation.executed.items():
        for symbol, runs in symbols.items():
            name = symbol.rsplit(".", 1)[-1] or path.rsplit("/", 1)[-1]
            model_step = path.endswith(".py") and MODEL_STEP.search(name)
            if model_step and any(e.root == root.id for e in runs):
                return None
    names = ", ".join(name.rsplit("#", 1)[-1] for name in list(stages)[:4])
    return f"its DVC stages only prepare data ({names}) and the job runs no model step"


def _root_evidence(root: Root, line: str, what: str | None = None) -> Evidence | Hint:
    """A CI job running the pipeline: root evidence (graded by the root's trigger). A scheduled
    run without a small-data marker is the production retrain, not a test: a Hint."""
    small = SMALL.search(line)
    detail = f"{what or root.id + ' runs'} `{line[:120]}` ({root.trigger})"
    if root.trigger == "schedule" and not small:
        return Hint(
            "infra-3",
            f"{detail}: a scheduled production run on full data, not an integration test on "
            "small data; not credited",
        )
    if small:
        detail += " on small data"
    return Evidence("infra-3", detail, root.path, root.line, "config", "automated", root.id)


SAGEMAKER_START = re.compile(r"\bsagemaker\s+start-pipeline-execution\b")
SAGEMAKER_WAIT = re.compile(
    r"\bsagemaker\s+(wait\s+\S*pipeline|describe-pipeline-execution)\b|\.wait\(|wait_for"
)


def _platform_pipeline_runs(facts: Facts) -> Iterator[Evidence]:
    """CI jobs that start a SageMaker pipeline execution when a pipeline definition trains."""
    steps = [e for e in training_entry_points(facts) if e.why.startswith("SageMaker pipeline")]
    if not steps:
        return
    for root in facts.automation.roots:
        lines = [ln.strip() for c in root.commands for ln in str(c).splitlines()]
        start = next((ln for ln in lines if SAGEMAKER_START.search(ln)), None)
        if start is None:
            continue
        waits = any(SAGEMAKER_WAIT.search(ln) for ln in lines)
        detail = (
            f"{root.id} starts the SageMaker pipeline ({steps[0].why} in {steps[0].path}) "
            f"({root.trigger})"
        )
        if waits:
            detail += " and waits for its result"
        else:
            detail += ", but does not wait for the execution or check that it succeeded"
        credit = "automated" if waits else "manual"
        yield Evidence("infra-3", detail, root.path, root.line, "config", credit, root.id)
