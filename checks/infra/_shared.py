"""Views shared by the infra checks: training entry points, training code, metric gates and
deployment manifests. Each view is computed once per audit through `Facts.memo`.

This module registers no checks (the section package imports it like any other module).
"""

from __future__ import annotations

import ast
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass

from ml_readiness.evidence import Hint
from ml_readiness.facts import Facts, is_example_config, is_test_path
from ml_readiness.facts.imports import reachable_files
from ml_readiness.facts.python import MAIN, Call, Function, PythonFacts

TRAIN_ATTRS = frozenset({"fit", "train", "fit_generator", "train_model", "run_training"})
TRAIN_FUNCTIONS = frozenset({"train", "train_model", "run_training", "fit_model", "training"})
METRIC_WORDS = (
    r"auc|roc|accuracy|acc|f1|precision|recall|rmse|mae|mse|mape|r2|loss|score|metric|metrics"
    r"|ndcg|map|error|logloss|perplexity|bleu|iou|quality|wmape|smape|wape|mase"
    # LLM/RAG evaluation (RAGAS, DeepEval, LlamaIndex, retrieval)
    r"|faithfulness|answer_relevancy|answer_relevance|relevancy|context_precision"
    r"|context_recall|groundedness|hallucination|hallucination_rate|correctness|exact_match"
    r"|rouge\w*|bertscore|hit_rate|hitrate|mrr|pass_rate"
)
_METRIC = re.compile(rf"(?i)(^|[^a-z])({METRIC_WORDS})([^a-z]|$)")


@dataclass(frozen=True)
class EntryPoint:
    """A training entry point: a file and the symbol that trains (None: the module body)."""

    path: str
    symbol: str | None
    why: str


def training_entry_points(facts: Facts) -> list[EntryPoint]:
    """Scripts named train*.py, scripts whose `__main__` block trains, modules defining a
    `train` function, notebooks that call `.fit`/`.train`, SageMaker Pipelines definitions with
    a `TrainingStep`/`TuningStep`, SageMaker estimators `.fit()` and their `entry_point=`
    scripts, Vertex AI `CustomTrainingJob(script_path=...)` scripts, and functions that build a
    Hugging Face/TRL trainer and call `.train()` (test files excluded)."""
    return facts.memo("infra.training_entry_points", _find_entry_points)


def _find_entry_points(facts: Facts) -> list[EntryPoint]:
    out = _conventional_entry_points(facts)
    known = {e.path for e in out}
    for entry in _declared_entry_points(facts):
        if entry.path not in known:
            known.add(entry.path)
            out.append(entry)
    return out


def _conventional_entry_points(facts: Facts) -> list[EntryPoint]:
    out: list[EntryPoint] = []
    for path, pf in facts.python_files(mentions=("fit", "train"), notebooks=True, tests=False):
        base = path.rsplit("/", 1)[-1].lower()
        trains = any(c.attr in TRAIN_ATTRS for c in pf.calls)
        defined = [f for f in pf.functions if "." not in f.qualname and f.name in TRAIN_FUNCTIONS]
        if path.endswith(".ipynb"):
            if trains:
                out.append(EntryPoint(path, None, "notebook that trains"))
        elif base.startswith("train") and (trains or defined or pf.has_main):
            symbol = MAIN if pf.has_main else (defined[0].qualname if defined else None)
            out.append(EntryPoint(path, symbol, f"training script {base}"))
        elif pf.has_main and trains:
            out.append(EntryPoint(path, MAIN, "script whose __main__ block trains"))
        elif defined:
            out.append(EntryPoint(path, defined[0].qualname, f"defines {defined[0].name}()"))
    return out


SAGEMAKER_STEPS = frozenset({"TrainingStep", "TuningStep"})
SAGEMAKER_ESTIMATOR = re.compile(
    r"(Estimator|^(XGBoost|PyTorch|TensorFlow|HuggingFace|SKLearn|MXNet|Chainer|JumpStart\w*))$"
)
HF_TRAINERS = frozenset(
    {"Trainer", "Seq2SeqTrainer", "SFTTrainer", "DPOTrainer", "RewardTrainer", "ORPOTrainer"}
)


def _declared_entry_points(facts: Facts) -> list[EntryPoint]:
    """Training that is declared for a platform or a trainer object rather than written as a
    train script: SageMaker Pipelines steps and estimators, Vertex AI custom training jobs,
    Hugging Face/TRL trainers."""
    out: list[EntryPoint] = []
    mentions = ("TrainingStep", "TuningStep", "Estimator", "entry_point", "script_path", "Trainer")
    for path, pf in facts.python_files(mentions=mentions, tests=False):
        sagemaker = pf.imports_module("sagemaker")
        for call in pf.calls:
            scope = None if call.scope == "<module>" else call.scope
            if (
                sagemaker
                and call.attr in SAGEMAKER_STEPS
                and call.qualified.startswith("sagemaker")
            ):
                out.append(EntryPoint(path, scope, f"SageMaker pipeline {call.attr}"))
            elif sagemaker and SAGEMAKER_ESTIMATOR.search(call.attr) and call.attr[:1].isupper():
                out += _platform_script(facts, path, call, "entry_point", "SageMaker training")
                fits = [c for c in pf.calls if c.scope == call.scope and c.attr == "fit"]
                if fits and call.qualified.startswith("sagemaker"):
                    out.append(EntryPoint(path, scope, f"SageMaker {call.attr}(...).fit()"))
            elif call.attr == "CustomTrainingJob" and call.qualified.startswith("google.cloud"):
                out += _platform_script(facts, path, call, "script_path", "Vertex AI training")
            elif call.attr in HF_TRAINERS and call.qualified.startswith(("transformers", "trl")):
                trains = [c for c in pf.calls if c.scope == call.scope and c.attr == "train"]
                if trains and scope is not None:
                    out.append(EntryPoint(path, scope, f"builds a {call.attr} and trains it"))
    return out


def _platform_script(facts: Facts, path: str, call: Call, key: str, what: str) -> list[EntryPoint]:
    """The training script a platform job runs (`entry_point="train.py", source_dir="src"`),
    resolved next to the defining module, then from the repository root."""
    script = call.kw(key)
    source = call.kw("source_dir")
    if not isinstance(script, str) or script.startswith("$") or not script.endswith(".py"):
        return []
    folder = path.rsplit("/", 1)[0] if "/" in path else ""
    source = source if isinstance(source, str) and not source.startswith("$") else ""
    for base in (folder, ""):
        candidate = posixpath.normpath(posixpath.join(base, source, script))
        if facts.repo.exists(candidate) and not is_test_path(candidate):
            pf = facts.python(candidate)
            symbol = MAIN if pf is not None and pf.has_main else None
            label = f"{what} script ({key} of {call.attr})"
            return [EntryPoint(candidate, symbol, label)]
    return []


def training_code(facts: Facts) -> list[str]:
    """Training entry points and every repository file they import (test files excluded)."""

    def compute(f: Facts) -> list[str]:
        seen: set[str] = set()
        for entry in training_entry_points(f):
            targets = [entry.path] if entry.path.endswith(".ipynb") else []
            targets += reachable_files(f, entry.path) if entry.path.endswith(".py") else []
            seen.update(t for t in targets if not is_test_path(t))
        return sorted(seen)

    return facts.memo("infra.training_code", compute)


def is_metric_text(text: str) -> bool:
    """True when `text` names a quality metric (auc, accuracy, f1, rmse, loss, score...)."""
    return bool(_METRIC.search(text))


def scope_at(pf: PythonFacts, line: int) -> str | None:
    """The Evidence symbol for code at `line`: the enclosing function, else the scope of the
    nearest call on or just after that line (`<main>` blocks), else None (module level)."""
    fn = pf.enclosing(line)
    if fn is not None:
        return fn.qualname
    near = [c for c in pf.calls if line <= c.line <= line + 15]
    if near:
        scope = min(near, key=lambda c: c.line).scope
        return None if scope == "<module>" else scope
    return None


# -- deployment manifests -------------------------------------------------------------------
SKIP_DIRS = ("docs/", "doc/", ".github/")


def manifest_candidate(path: str) -> bool:
    """A file that may be a live deployment manifest (not a copy, test fixture or doc)."""
    low = path.lower()
    return not (
        is_example_config(path)
        or is_test_path(path)
        or low.startswith(SKIP_DIRS)
        or any(f"/{d}" in low for d in SKIP_DIRS)
        or low.startswith("../")
    )


def manifest_documents(facts: Facts) -> list[tuple[str, object]]:
    """(path, document) for YAML/JSON files that may be deployment manifests."""

    def compute(f: Facts) -> list[tuple[str, object]]:
        out: list[tuple[str, object]] = []
        for path in f.repo.with_suffix(".yaml", ".yml", ".json", ".template"):
            if not manifest_candidate(path):
                continue
            if not f.mentions(
                path,
                "kind",
                "Resources",
                "AWS::",
            ):
                continue
            if path.lower().endswith(".json"):
                doc = f.json(path)
                docs = [doc] if doc is not None else []
            else:
                docs = f.yaml(path) or []
            out.extend((path, d) for d in docs if isinstance(d, dict))
        return out

    return facts.memo("infra.manifest_documents", compute)


def dig(doc: object, *keys: str) -> object:
    """doc[k1][k2]... or None when any step is missing or not a mapping."""
    for key in keys:
        if not isinstance(doc, dict):
            return None
        doc = doc.get(key)
    return doc


def line_of(node: object, key: str | None = None) -> int | None:
    """The line of a YAML mapping (or of `key` in it); None for JSON values."""
    if key is not None and hasattr(node, "line_of"):
        return node.line_of(key)  # type: ignore[union-attr]
    return getattr(node, "line", None)


def number(value: object) -> float | None:
    """A numeric YAML/JSON value (numbers written as strings too), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip().rstrip("%"))
        except ValueError:
            return None
    return None


def cfn_resources(doc: object) -> Iterator[tuple[str, dict]]:
    """(logical id, resource) of a CloudFormation/SAM template."""
    resources = dig(doc, "Resources")
    if isinstance(resources, dict):
        for name, res in resources.items():
            if isinstance(res, dict) and isinstance(res.get("Type"), str):
                yield str(name), res


# -- syntax of one function, on demand ------------------------------------------------------
FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef


def function_node(facts: Facts, path: str, fn: Function) -> tuple[FunctionNode, int] | None:
    """The syntax tree of one function of a `.py` file and the offset that turns its node line
    numbers into file lines (`node.lineno + offset`); None when it cannot be parsed. The text
    the nodes were parsed from is `function_source(facts, node)` (`ast.get_source_segment`).

    Only the function's own lines are parsed (cached per audit), so checks can read the exact
    shape of an assertion or an `if` without re-parsing whole files.
    """
    cache: dict[tuple[str, str, int], tuple[FunctionNode, int] | None] = facts.memo(
        "infra.function_nodes", lambda _f: {}
    )
    key = (path, fn.qualname, fn.line)
    if key in cache:
        return cache[key]
    result = None
    lines = facts.lines(path)[fn.line - 1 : fn.end_line] if path.endswith(".py") else []
    if lines:
        indented = lines[0][:1].isspace()
        source = ("if 1:\n" if indented else "") + "\n".join(lines)
        try:
            tree = ast.parse(source)
        except (SyntaxError, ValueError):
            tree = None
        node = tree.body[0] if tree and tree.body else None
        if indented and isinstance(node, ast.If) and node.body:
            node = node.body[0]
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            result = (node, fn.line - (2 if indented else 1))
            sources: dict = facts.memo("infra.function_sources", lambda _f: {})
            sources[id(node)] = (node, source)
    cache[key] = result
    return result


def function_source(facts: Facts, node: ast.AST) -> str | None:
    """The text a `function_node` result was parsed from."""
    sources: dict = facts.memo("infra.function_sources", lambda _f: {})
    entry = sources.get(id(node))
    return entry[1] if entry and entry[0] is node else None


def module_node(facts: Facts, path: str) -> ast.Module | None:
    """The syntax tree of a whole `.py` file (cached; parse only files a cheap filter chose)."""
    return facts.syntax_tree(path)


# -- tests that only run with a GPU ---------------------------------------------------------
_GPU_CONDITION = re.compile(r"(?i)cuda|gpu|mps|tpu|device_count")
_GPU_NAME = re.compile(r"(?i)gpu|cuda")
_GPU_KWARG = re.compile(r"(?i)gpu|cuda|tpu|mps|ipu|hpu")


def gpu_only(pf: PythonFacts, fn: Function) -> str | None:
    """How a test is limited to machines with a GPU, or None. CI runners are CPU-only, so such a
    test is skipped there and can be manual evidence at most.

    Recognised: `skipif(not torch.cuda.is_available())`-style markers (or `skipUnless(cuda…)`)
    on the test, its class or the module; Lightning's `@RunIf(min_gpus=1)` (any GPU/TPU/MPS
    argument that is not 0/False); any decorator whose name contains gpu/cuda
    (`@requires_gpu`, `@pytest.mark.gpu`).
    """
    cls = next((c for c in pf.classes if c.qualname == fn.class_name), None)
    markers = list(fn.markers) + list(pf.module_markers) + list(cls.markers if cls else ())
    for m in markers:
        cond = m.condition or ""
        if not _GPU_CONDITION.search(cond):
            continue
        negated = re.search(r"\bnot\b|<|==\s*0|is\s+None|is\s+False", cond)
        if (m.name == "skipif" and negated) or (m.name == "skipunless" and not negated):
            return f"{m.name}({cond})"
    for name in list(fn.decorators) + list(cls.decorators if cls else ()):
        last = name.rsplit(".", 1)[-1]
        if _GPU_NAME.search(last):
            return f"@{last}"
    for c in pf.calls:
        if c.scope == fn.qualname and c.line < fn.line and c.attr == "RunIf":
            for key, value in c.kwargs:
                if _GPU_KWARG.search(key) and value not in (0, False, None):
                    return f"@RunIf({key}={value})"
    return None


def library_hint(item: str, what: str, sites: list[str]) -> Hint:
    """A Hint for test evidence found in a repository without any training entry point: an ML
    library's own test suite, which is not an ML system's practice."""
    return Hint(
        item,
        f"{what}, but the repository has no training entry point (an ML library's own tests "
        f"are not an ML system's practice), not credited: {', '.join(sites[:3])}",
    )
