"""infra-3 helpers: training that runs as a side effect of importing a module, and scripts whose
`__main__` block only compiles a KFP pipeline.

This module registers no checks.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from ml_readiness.checks.infra._shared import TRAIN_ATTRS, is_metric_text, training_entry_points

from ml_readiness.automation import Root
from ml_readiness.checklib import live_tests, tests_importing
from ml_readiness.evidence import Evidence, Hint
from ml_readiness.facts import Facts
from ml_readiness.facts.imports import module_index
from ml_readiness.facts.python import MAIN, MODULE, Call, PythonFacts

CLI_SUBMIT = re.compile(r"\bkfp\s+run\s+(create|submit)\b|\bgcloud\b.*\bpipelines?\b.*\brun\b")
CLI_PACKAGE = re.compile(r"(?:--file|--package-file|-f)[=\s]+['\"]?([\w./${}-]+)")
CLI_WAIT = re.compile(r"--watch\b|--wait\b")
TRAINS = re.compile(r"(?i)train")
SUBMITS = frozenset(
    {"submit", "run", "create_run_from_pipeline_func", "create_run_from_pipeline_package"}
)


def compile_only(pf: PythonFacts) -> bool:
    """The script's `__main__` block compiles a KFP pipeline (`Compiler().compile(...)`) and
    neither trains nor submits anything: the components run only when the compiled package is
    submitted to an orchestrator."""
    main = [c for c in pf.calls if c.scope == MAIN]
    compiles = any(c.attr == "compile" for c in main) and any(
        c.qualified.startswith(("kfp.", "kfp.v2.")) and "ompiler" in c.qualified for c in main
    )
    acts = any(c.attr in TRAIN_ATTRS or c.attr in SUBMITS for c in main)
    return compiles and not acts


def _shown(call: Call) -> str:
    return f".{call.attr}()" if call.name.startswith("?") else f"{call.name}()"


def _module_fit(pf: PythonFacts) -> Call | None:
    """A fit/train call at module level (outside functions and the `__main__` block)."""
    return next((c for c in pf.calls if c.scope == MODULE and c.attr in TRAIN_ATTRS), None)


def _import_scope(facts: Facts, path: str, pf: PythonFacts, target: str) -> tuple[int, str] | None:
    """(line, scope) of the import in test file `path` that brings in `target`."""
    index = module_index(facts)
    for imp in pf.imports:
        if target in index.resolve(path, imp):
            return imp.line, imp.scope
    return None


def _missing_data(facts: Facts, module: list[Call]) -> str | None:
    """The first literal local file a module-level `read_*` call reads that the repository
    does not hold (a git-ignored data file), or None."""
    for call in module:
        path = call.args[0] if call.args and call.attr.startswith("read_") else None
        local = isinstance(path, str) and not path.startswith(("$", "http", "s3:", "gs:"))
        if local and not facts.repo.exists(path.lstrip("./")):
            return f"`{path}` (:{call.line})"
    return None


def module_training_imports(facts: Facts) -> Iterator[Evidence | Hint]:
    """A live test that imports a training script whose module-level code fits a model runs
    that training when the test is collected: a smoke run (the level follows the test's
    automation). Importing a module that only defines functions runs nothing."""
    for entry in training_entry_points(facts):
        pf = facts.python(entry.path) if entry.path.endswith(".py") else None
        fit = _module_fit(pf) if pf is not None else None
        if pf is None or fit is None:
            continue
        module = [c for c in pf.calls if c.scope == MODULE]
        evaluates = next((c for c in module if c.line > fit.line and is_metric_text(c.attr)), None)
        literal = next((c for c in module if c.attr == "DataFrame" and c.args), None)
        missing = _missing_data(facts, module)
        if missing and literal is None:
            yield Hint(
                "infra-3",
                f"tests import {entry.path}, whose module-level code trains, but it reads "
                f"{missing}, which is not in the repository (no in-memory fallback): the "
                "import fails in CI; not credited",
            )
            continue
        for path, tpf in tests_importing(facts, [entry.path]):
            found = _import_scope(facts, path, tpf, entry.path)
            if found is None:
                continue
            line, scope = found
            tests = [f for f in live_tests(tpf) if scope in (MODULE, f.qualname)]
            if not tests:
                continue
            detail = (
                f"smoke test: {path} imports {entry.path}, whose module-level code trains "
                f"(`{_shown(fit)}` at :{fit.line})"
            )
            if evaluates:
                detail += f" and evaluates (`{_shown(evaluates)}` at :{evaluates.line})"
            if literal:
                detail += f"; the module builds an in-memory frame at :{literal.line} (small data)"
            yield Evidence("infra-3", detail, path, line, "test", symbol=tests[0].qualname)
            break


def _compiled_packages(facts: Facts) -> dict[str, str]:
    """Package file name → the file that compiles a KFP pipeline which trains into it
    (`Compiler().compile(pipeline_func=..., package_path="pipeline.json")` in a file whose
    pipeline has a training step: a training entry point, or text naming training)."""
    out: dict[str, str] = {}
    for path, pf in facts.python_files(mentions=("compile",), tests=False):
        kfp = any(c.qualified.startswith("kfp.") and "ompiler" in c.qualified for c in pf.calls)
        trains = any(TRAINS.search(line) for line in facts.lines(path))
        for call in pf.calls if kfp and trains else ():
            package = call.kw("package_path") if call.attr == "compile" else None
            if isinstance(package, str) and not package.startswith("$"):
                out.setdefault(package.rsplit("/", 1)[-1], path)
    return out


def kfp_submissions(facts: Facts, ci_systems: frozenset[str]) -> Iterator[Evidence]:
    """CI jobs that submit a compiled KFP/Vertex pipeline whose definition trains:
    `aiplatform.PipelineJob(template_path=P).run()` / `.submit()` or
    `kfp.Client().create_run_from_pipeline_package(P)` in a script the job executes, where P is
    the package a training pipeline file compiles. Automated when the job waits for the run
    (`.run()` is synchronous, `.wait()`, `wait_for_run_completion`), manual when it only
    submits."""
    packages = _compiled_packages(facts)
    if not packages:
        return
    for root in facts.automation.roots:
        if root.system not in ci_systems:
            continue
        text = "\n".join(str(c) for c in root.commands).replace("\\\n", " ")
        for line in text.splitlines():
            package = CLI_PACKAGE.search(line) if CLI_SUBMIT.search(line) else None
            name = package.group(1).rsplit("/", 1)[-1] if package else ""
            if name in packages:
                waits = bool(CLI_WAIT.search(line))
                yield _submission(root, packages[name], f"`{line.strip()[:80]}`", name, waits)
                return
    mentions = ("PipelineJob", "create_run_from_pipeline_package")
    for path, pf in facts.python_files(mentions=mentions, tests=False):
        for call in pf.calls:
            if call.attr == "PipelineJob" and call.qualified.startswith("google.cloud"):
                template = call.kw("template_path")
            elif call.attr == "create_run_from_pipeline_package":
                template = call.args[0] if call.args else call.kw("pipeline_file")
            else:
                continue
            name = template.rsplit("/", 1)[-1] if isinstance(template, str) else ""
            if name not in packages:
                continue
            scope = [c.attr for c in pf.calls if c.scope == call.scope]
            waits = any(a in ("run", "wait", "wait_for_run_completion") for a in scope)
            runs = facts.automation.executions(path, call.scope)
            root = next(
                (
                    r
                    for r in (facts.automation.root(e.root) for e in runs)
                    if r is not None and r.system in ci_systems
                ),
                None,
            )
            if root is None:
                continue
            yield _submission(root, packages[name], f"{path}:{call.line}", name, waits)
            return


def _submission(root: Root, compiler: str, where: str, name: str, waits: bool) -> Evidence:
    detail = f"{root.id} submits the KFP pipeline compiled by {compiler} ({where}, `{name}`) "
    detail += f"({root.trigger})"
    if waits:
        detail += " and waits for the run"
    else:
        detail += ", but does not wait for the run or check that it succeeded"
    credit = "automated" if waits else "manual"
    return Evidence("infra-3", detail, root.path, root.line, "config", credit, root.id)
