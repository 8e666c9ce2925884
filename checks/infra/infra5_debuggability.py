"""infra-5: one example can be run through the model and inspected."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ml_readiness.checks.infra._serving_path import (
    exposed_intermediate,
    returned_names,
    serving_caller,
    touches_model,
)
from ml_readiness.checks.infra._shared import gpu_only

from ml_readiness.checklib import (
    call_evidence,
    doc_evidence,
    doc_sections,
    find_calls,
    notebook_results,
    tests_calling,
)
from ml_readiness.evidence import Evidence, Hint
from ml_readiness.facts import Facts, is_example_config
from ml_readiness.facts.python import MAIN, Function, PythonFacts
from ml_readiness.registry import check

EXPLAINERS = {
    "shap.Explainer": "SHAP Explainer",
    "shap.TreeExplainer": "SHAP TreeExplainer",
    "shap.KernelExplainer": "SHAP KernelExplainer",
    "shap.DeepExplainer": "SHAP DeepExplainer",
    "shap.LinearExplainer": "SHAP LinearExplainer",
    "shap.GradientExplainer": "SHAP GradientExplainer",
    "lime.lime_tabular.LimeTabularExplainer": "LIME tabular explainer",
    "lime.lime_text.LimeTextExplainer": "LIME text explainer",
    "lime.lime_image.LimeImageExplainer": "LIME image explainer",
    "captum.attr.IntegratedGradients": "Captum IntegratedGradients",
    "captum.attr.Saliency": "Captum Saliency",
    "captum.attr.DeepLift": "Captum DeepLift",
    "captum.attr.GradientShap": "Captum GradientShap",
    "captum.attr.LayerConductance": "Captum LayerConductance",
    "captum.attr.Occlusion": "Captum Occlusion",
    "alibi.explainers.AnchorTabular": "Alibi anchors",
    "interpret.glassbox.ExplainableBoostingClassifier": "InterpretML EBM",
}
SINGLE = re.compile(
    r"^(predict_one|predict_single|predict_example|predict_row|explain\w*|debug\w*|"
    r"inspect_example|trace_example)$"
)
# entry points that show what happened inside the model, not only its prediction
INSPECTS = re.compile(r"^(explain\w*|debug\w*|inspect_example|trace_example)$")
PREDICT_SCRIPT = re.compile(r"(?i)(^|/)(predict|infer|inference|debug|explain)[\w-]*\.py$")
CLI_CALLS = ("argparse.ArgumentParser", "click.command", "typer.Typer", "fire.Fire")
DEBUG_NOTEBOOK = re.compile(r"(?i)debug|explain|error[_-]?analysis|inspect|troubleshoot")
# a debugging section must be about the model on one example (an explanation, a single
# prediction, intermediate outputs, model internals), not about operating the service: a
# "Troubleshooting" list about containers, ports, nginx or ground-truth plumbing is ops
SINGLE_EXAMPLE_TERMS = re.compile(
    r"(?i)\b(shap|lime|captum|explanations?|explainers?|explainability|interpretab\w+"
    r"|explain(ing|s)?\s+(the\s+|a\s+|one\s+|this\s+|that\s+|each\s+)?(model'?s?\s+)?"
    r"predictions?|attributions?|saliency|(feature|permutation|shap|gain)[\s-]importances?"
    r"|importances|contributions?|logits?|embeddings?|activations?|attention\s+weights"
    r"|hidden[\s_-]states?|intermediate\s+\w+|misclassif\w*|error\s+analysis"
    r"|predict_one|predict_single|debug\s+mode"
    r"|(one|single|individual|failing)\s+(example|input|row|record|sample|instance|prediction"
    r"|observation|image|query|request)s?"
    r"|(that|this|the\s+failing)\s+(example|row|record|sample|instance|prediction)s?"
    r"|per[\s-](example|sample|row|instance|prediction))\b"
)
INFRA_DOCS = re.compile(r"(?i)(^|/)(k8s|kubernetes|terraform|infra|deploy\w*|helm|charts?|ops)/")


@check("infra-5")
def single_example_entry_points(facts: Facts) -> Iterator[Evidence | Hint]:
    """Single-example inference or debugging entry points, and tests that exercise them.

    Functions or methods (`Predictor.predict_one`) named `predict_one`/`predict_single`/
    `explain*`/`debug*` that call a model, explainer or predictor (a CLI's `explain` command
    for something else is not model debugging; a `predict_one` that a serving route calls and
    that returns only the prediction is the serving path, not a debugging path: neither is
    credited); predict/infer/debug
    scripts with a command-line interface (argparse, click, typer, fire) that call the model.
    A test calling such a function makes the debugging path automated when CI runs it.
    """
    for path, pf in facts.python_files(mentions=("predict", "explain", "debug"), tests=False):
        names = [f for f in pf.functions if SINGLE.match(f.name) and _entry_level(f)]
        remote = {f.qualname: why for f in names if (why := _remote_only(path, pf, f))}
        for fn in names:
            if fn.qualname in remote:
                yield Hint(
                    "infra-5",
                    f"{path}:{fn.line} `{fn.qualname}()` {remote[fn.qualname]}: it does not run "
                    "the model in-process on one example; not credited",
                )
        names = [f for f in names if f.qualname not in remote and touches_model(pf, f)]
        serving = {f.qualname: why for f in names if (why := _serving_only(facts, path, f))}
        for fn in names:
            if fn.qualname in serving:
                yield Hint(
                    "infra-5",
                    f"{path}:{fn.line} `{fn.qualname}()` {serving[fn.qualname]}: the serving "
                    "path alone gives no way to inspect one example inside the model; not "
                    "credited",
                )
        names = [f for f in names if f.qualname not in serving]
        for fn in names:
            # running one example is a prediction; only an explain/debug path lets a person
            # inspect what happened inside, which is what automation must exercise for 1
            inspects = bool(INSPECTS.match(fn.name))
            yield Evidence(
                "infra-5",
                f"single-example entry point `{fn.qualname}()`",
                path,
                fn.line,
                "code",
                "automated" if inspects else "manual",
                fn.qualname,
            )
        if names:
            for tpath, tfn in tests_calling(facts, path, [f.name for f in names]):
                detail = f"test runs `{names[0].name}()` on an example"
                tpf = facts.python(tpath)
                gpu = gpu_only(tpf, tfn) if tpf else None
                if gpu:
                    detail += f" (runs only with a GPU: {gpu}; CI runners are CPU-only)"
                inspects = any(INSPECTS.match(f.name) for f in names)
                credit = "automated" if inspects and not gpu else "manual"
                yield Evidence("infra-5", detail, tpath, tfn.line, "test", credit, tfn.qualname)
        if PREDICT_SCRIPT.search(path) and pf.has_main:
            cli = pf.calls_to(*CLI_CALLS) or [c for c in pf.calls if c.attr == "add_argument"]
            predicts = [c for c in pf.calls if c.attr in ("predict", "predict_proba", "forward")]
            if cli and predicts:
                yield Evidence(
                    "infra-5",
                    f"command-line tool runs the model on one input (`{predicts[0].name}`)",
                    path,
                    cli[0].line,
                    "code",
                    symbol=MAIN,
                )


LOAD_TEST_BASES = re.compile(r"(^|\.)(HttpUser|FastHttpUser|User|TaskSet|SequentialTaskSet)$")
HTTP_CALL = re.compile(
    r"^(requests|httpx|aiohttp|urllib)\.|(^|\.)(client|session)\.(post|get|put|patch|request)$"
)


RESPONSE = frozenset({"json", "raise_for_status", "read", "decode", "print"})


def _remote_only(path: str, pf: PythonFacts, fn: Function) -> str | None:
    """Why `fn` only drives a remote service, or None: a method of a load-test user (a Locust
    `HttpUser`/`TaskSet`, a `@task` in a locustfile), or a function whose calls are all HTTP
    requests (`requests.post`, `self.client.post`). Such a task measures the endpoint (monitor-6),
    it does not let a person inspect one example inside the model."""
    cls = next((c for c in pf.classes if c.qualname == fn.class_name), None)
    locust = pf.imports_module("locust") or "locustfile" in path.rsplit("/", 1)[-1].lower()
    if cls is not None and locust and any(LOAD_TEST_BASES.search(b) for b in cls.bases):
        return f"is a task of the load-test user {cls.qualname}"
    if locust and any(d.rsplit(".", 1)[-1] == "task" for d in fn.decorators):
        return "is a Locust load-test task"
    calls = [c for c in pf.calls if c.scope == fn.qualname and c.attr not in RESPONSE]
    if calls and all(HTTP_CALL.search(c.qualified) or HTTP_CALL.search(c.name) for c in calls):
        return f"only sends HTTP requests (`{calls[0].name}`)"
    return None


def _serving_only(facts: Facts, path: str, fn: Function) -> str | None:
    """Why a `predict_one`-style function is only the serving path, or None: a serving entry
    point calls it and what it returns holds nothing beyond the prediction (no explanation,
    per-model score, intermediate features or routing reason). Explain/debug functions are
    never serving-only."""
    if INSPECTS.match(fn.name):
        return None
    entry = serving_caller(facts, path, fn)
    if entry is None or exposed_intermediate(facts, path, fn):
        return None
    shown = ", ".join(dict.fromkeys(returned_names(facts, path, fn) or []))
    returns = f" and returns only {shown}" if shown else " and returns only the prediction"
    return f"is called by the serving entry `{entry.symbol}` ({entry.path}){returns}"


def _entry_level(fn: Function) -> bool:
    """A module-level function or a method of a module-level class (`Predictor.predict_one`),
    not a helper nested inside another function."""
    return "." not in fn.qualname or (fn.class_name is not None and fn.qualname.count(".") == 1)


@check("infra-5")
def explanation_tooling(facts: Facts) -> Iterator[Evidence]:
    """Explanation tools applied to the model: SHAP, LIME, Captum, Alibi, InterpretML.

    A call constructing an explainer (an import alone earns nothing). In a notebook the
    evidence is a manual record; in code that automation runs it can be automated.
    """
    seen: set[tuple[str, str]] = set()
    mentions = ("shap", "lime", "captum", "alibi", "interpret")
    for path, call in find_calls(facts, *EXPLAINERS, mentions=mentions):
        label = next(
            v
            for k, v in EXPLAINERS.items()
            if call.qualified in (k, k.rsplit(".", 1)[-1]) or call.qualified.endswith("." + k)
        )
        if (path, label) in seen:
            continue
        seen.add((path, label))
        credit = "manual" if path.endswith(".ipynb") else "automated"
        yield call_evidence("infra-5", path, call, f"{label} explains predictions", credit=credit)


@check("infra-5")
def debugging_docs(facts: Facts) -> Iterator[Evidence | Hint]:
    """Debugging documentation and debugging notebooks with saved outputs.

    Markdown sections titled debugging/troubleshooting/explaining predictions with substance
    (not a TODO) about the model on one example (an explanation such as SHAP/LIME, a single
    row or prediction, intermediate outputs, logits or activations; an ops troubleshooting
    list about containers, ports or proxies does not count), outside infrastructure docs
    (`k8s/`, `terraform/`, `infra/`, `deploy/`, `helm/`): a cluster-install troubleshooting
    section is not model debugging. Notebooks named like debug/explain/error analysis whose
    cells have outputs. Both are manual records.
    """
    found = False
    for path, section in doc_sections(facts, r"debug|troubleshoot|explain(ing)? predictions"):
        if INFRA_DOCS.search(path):
            yield Hint(
                "infra-5",
                f"{path}:{section.line} '{section.title}' is about infrastructure, not about "
                "debugging the model; not credited",
            )
            continue
        if not SINGLE_EXAMPLE_TERMS.search(f"{section.title}\n{section.body}"):
            yield Hint(
                "infra-5",
                f"{path}:{section.line} '{section.title}' is about operating the service, not "
                "about running one example through the model (no explanation, single-example "
                "prediction or intermediate output); not credited",
            )
            continue
        found = True
        yield doc_evidence("infra-5", path, section, f"debugging guide: {section.title}")
    for path in facts.repo.with_suffix(".ipynb"):
        name = path.rsplit("/", 1)[-1]
        debugging = DEBUG_NOTEBOOK.search(name) and not is_example_config(path)
        if debugging and notebook_results(facts, path):
            found = True
            yield Evidence(
                "infra-5", "debugging notebook with saved outputs", path, 1, "result", "manual"
            )
    if not found:
        yield Hint(
            "infra-5",
            "no debugging/troubleshooting doc section with substance and no debugging notebook "
            "with outputs",
        )
