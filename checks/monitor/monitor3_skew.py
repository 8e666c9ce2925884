"""monitor-3: training and serving compute features the same way, and skew is measured."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ml_readiness.checklib import call_evidence, live_tests, module_name, tests_importing
from ml_readiness.entrypoints import (
    EntryPoint,
    reachable_functions,
    serving_entry_points,
    training_entry_points,
)
from ml_readiness.evidence import Evidence, Hint
from ml_readiness.facts import Facts, is_example_config
from ml_readiness.facts.python import Call, PythonFacts
from ml_readiness.registry import check

from ._deepchecks import deepchecks_runs
from ._ray_preprocessor import ray_saved_preprocessor
from ._saved_preprocessor import saved_preprocessor
from ._shared import automated_run, entry_symbol, evidently_data, scheduled_run
from ._sources import data_source

ITEM = "monitor-3"
Node = tuple[str, str]
FEATURE_WORDS = re.compile(
    r"feat|preproc|transform|encod|normali[sz]|scal(e|er|ing)|clean|token|vectori|embed|imput"
    r"|extract|prepar|engineer|derive|bucket|discreti|onehot|one_hot|standardi|lag|aggregat"
    r"|resize|augment|pipeline",
    re.I,
)
HELPER_WORDS = re.compile(
    r"log|config|setting|env|secret|path|dir|timer|retry|cache|seed|connect|client|session"
    r"|metric|notify|send|upload|download|save|load|read|write|open|print|util|helper",
    re.I,
)
DATA_OPS = {
    "fillna", "astype", "get_dummies", "clip", "log1p", "log", "transform", "fit_transform",
    "cut", "qcut", "rolling", "groupby", "agg", "to_datetime", "where", "one_hot", "pivot",
    "resample", "shift", "diff", "dropna", "replace", "normalize", "standardize", "tokenize",
}  # fmt: skip
PREPROCESSORS = (
    "sklearn.compose.ColumnTransformer", "sklearn.compose.make_column_transformer",
    "sklearn.preprocessing.StandardScaler", "sklearn.preprocessing.MinMaxScaler",
    "sklearn.preprocessing.RobustScaler", "sklearn.preprocessing.OneHotEncoder",
    "sklearn.preprocessing.OrdinalEncoder", "sklearn.preprocessing.FunctionTransformer",
    "sklearn.preprocessing.PolynomialFeatures", "sklearn.preprocessing.KBinsDiscretizer",
    "sklearn.impute.SimpleImputer", "sklearn.impute.KNNImputer",
    "sklearn.feature_extraction.text.TfidfVectorizer",
    "sklearn.feature_extraction.text.CountVectorizer",
)  # fmt: skip
PIPELINES = ("sklearn.pipeline.Pipeline", "sklearn.pipeline.make_pipeline")
SAVES = (
    "joblib.dump", "pickle.dump", "cloudpickle.dump", "skops.io.dump",
    "mlflow.sklearn.log_model", "mlflow.sklearn.save_model",
)  # fmt: skip
LOADS = (
    "joblib.load", "pickle.load", "cloudpickle.load", "skops.io.load",
    "mlflow.sklearn.load_model", "mlflow.pyfunc.load_model",
)  # fmt: skip
TRAINING_WORDS = re.compile(r"train|reference|baseline", re.I)


@check(ITEM)
def training_serving_skew(facts: Facts) -> Iterator[Evidence | Hint]:
    """Training and serving share feature code, or skew between them is measured.

    Follows the static call graph from every training entry point and every serving entry
    point (see docs/checks-monitor.md) and reports the feature functions reached from both;
    shared helpers that do no feature transformation (logging, config, I/O) do not count. Also
    credits preprocessing fit inside a saved scikit-learn Pipeline that serving loads, a Ray AIR
    preprocessor saved in the checkpoint (`TorchTrainer(preprocessor=...)`) that serving
    restores (`TorchPredictor.from_checkpoint`, `get_preprocessor()`), TF Transform graphs used
    by serving, a Feast store read offline in training and online in
    serving, a preprocessor fitted and saved by training under a file basename or ZenML
    artifact name that serving loads and applies (`preprocessor.joblib`,
    `load_artifact("scaler")`), and skew comparison jobs (TFDV serving statistics, Evidently
    reference=training vs current=serving, SageMaker Model Monitor schedules). Shared code is
    a design guarantee: automated only when a CI test runs both paths or automation runs both
    entry points; comparison jobs are automated when automation runs them.
    """
    serving = serving_entry_points(facts)
    training = training_entry_points(facts)
    produced = list(_shared_code(facts, training, serving))
    produced += _artifact_pipeline(facts, training, serving)
    produced += _feature_store_and_tft(facts, serving, training)
    produced += _skew_jobs(facts)
    produced += ray_saved_preprocessor(facts, training, serving)
    produced += saved_preprocessor(facts, ITEM)
    yield from produced
    if not any(isinstance(p, Evidence) for p in produced):
        if not serving:
            yield Hint(ITEM, "no serving entry point found (web route, model server, batch job)")
        if not training:
            yield Hint(ITEM, "no training entry point found (train script, pipeline step)")
        yield Hint(
            ITEM,
            "looked for feature code reached from both training and serving, preprocessing "
            "saved inside the model, a feature store used by both, or a skew comparison job",
        )


def is_feature_code(facts: Facts, path: str, qualname: str) -> bool:
    """Does the function/class transform features (not a logging/config/I-O helper)?"""
    name = qualname.rsplit(".", 1)[-1]
    if FEATURE_WORDS.search(name):
        return True
    if HELPER_WORDS.search(name):
        return False
    module = (module_name(facts, path) or path).rsplit(".", 2)[-2:]
    if any(FEATURE_WORDS.search(part) for part in module):
        return True
    pf = facts.python(path)
    ops = {c.attr for c in pf.calls if c.scope == qualname} & DATA_OPS if pf else set()
    return len(ops) >= 2


def _label(facts: Facts, node: Node) -> str:
    module = module_name(facts, node[0]) or node[0]
    return f"{module}.{node[1]}"


def _shared_code(
    facts: Facts, training: list[EntryPoint], serving: list[EntryPoint]
) -> Iterator[Evidence | Hint]:
    train_reach = {t: reachable_functions(facts, t) for t in training}
    # node -> training entry points reaching it: each serving entry point is compared only
    # with the training entry points it shares a node with (the others share nothing)
    reached_by: dict[Node, list[int]] = {}
    for index, t in enumerate(training):
        for node in train_reach[t]:
            reached_by.setdefault(node, []).append(index)
    for s in serving:
        s_reach = reachable_functions(facts, s)
        near = sorted({i for node in s_reach for i in reached_by.get(node, ())})
        for t in (training[i] for i in near):
            shared = (s_reach & train_reach[t]) - {(s.path, s.symbol), (t.path, t.symbol)}
            if not shared:
                continue
            features = sorted(n for n in shared if is_feature_code(facts, *n))
            if not features:
                helpers = ", ".join(_label(facts, n) for n in sorted(shared)[:4])
                yield Hint(
                    ITEM,
                    f"{t.label} and {s.label} share only helpers that transform no features "
                    f"({helpers}); not credited",
                )
                continue
            names = ", ".join(_label(facts, n) for n in features[:4])
            verb = "is" if len(features) == 1 else "are"
            detail = f"{names} {verb} called from {t.label} and {s.label}"
            test = _parity_test(facts, set(features), s_reach, train_reach[t])
            if test is not None:
                path, fn = test
                yield Evidence(
                    ITEM,
                    f"{fn.qualname} runs the shared feature code through both training and "
                    f"serving ({detail})",
                    path,
                    fn.line,
                    kind="test",
                    symbol=fn.qualname,
                )
            both = automated_run(facts, t.path, t.symbol) and automated_run(facts, s.path, s.symbol)
            yield Evidence(
                ITEM,
                detail,
                s.path,
                s.line,
                kind="code",
                credit="automated" if both else "manual",
                symbol=entry_symbol(s),
            )


def _parity_test(facts: Facts, features: set[Node], serve: set[Node], train: set[Node]):  # noqa: ANN202
    """A live test reaching the shared feature code through serving-only and training-only
    functions (a train/serve parity test), as (path, function)."""
    serve_only, train_only = serve - train, train - serve
    for path, pf in tests_importing(facts, {p for p, _ in serve | train}):
        for fn in live_tests(pf):
            reach = reachable_functions(facts, EntryPoint(path, fn.qualname, fn.line, "test", ""))
            if reach & features and reach & serve_only and reach & train_only:
                return path, fn
    return None


def _calls_in(facts: Facts, nodes: set[Node], *qualified: str) -> list[tuple[str, Call]]:
    """Calls to `qualified` made inside the reached functions `nodes`."""
    out = []
    for path in sorted({p for p, _ in nodes}):
        pf = facts.python(path)
        scopes = {q for p, q in nodes if p == path}
        for c in pf.calls_to(*qualified) if pf else []:
            if c.scope in scopes:
                out.append((path, c))
    return out


def _artifact_names(call: Call) -> set[str]:
    return {a.rsplit("/", 1)[-1] for a in call.args if isinstance(a, str) and "." in a}


def _artifact_pipeline(
    facts: Facts, training: list[EntryPoint], serving: list[EntryPoint]
) -> list[Evidence | Hint]:
    out: list[Evidence | Hint] = []
    for t in training:
        t_reach = reachable_functions(facts, t)
        for path in sorted({p for p, _ in t_reach}):
            pf = facts.python(path)
            if pf is None or not pf.calls_to(*PIPELINES) or not pf.calls_to(*SAVES):
                continue
            steps = sorted({c.name.rsplit(".", 1)[-1] for c in pf.calls_to(*PREPROCESSORS)})
            save = pf.calls_to(*SAVES)[0]
            if not steps or not pf.method_calls("fit"):
                out.append(
                    Hint(
                        ITEM,
                        f"{path}:{save.line} saves a scikit-learn Pipeline without preprocessing "
                        "steps: serving must repeat the feature code; not credited",
                    )
                )
                continue
            out += _served_artifact(facts, t, serving, path, save, steps)
    return out


def _served_artifact(
    facts: Facts,
    t: EntryPoint,
    serving: list[EntryPoint],
    path: str,
    save: Call,
    steps: list[str],
) -> list[Evidence | Hint]:
    saved = _artifact_names(save)
    for s in serving:
        s_reach = reachable_functions(facts, s)
        for lpath, load in _calls_in(facts, s_reach, *LOADS):
            loaded = _artifact_names(load)
            if saved and loaded and not saved & loaded:
                continue
            both = automated_run(facts, t.path, t.symbol) and automated_run(facts, s.path, s.symbol)
            detail = (
                f"preprocessing ({', '.join(steps[:4])}) is fit inside the scikit-learn Pipeline "
                f"saved by {path}:{save.line} and loaded for prediction by {s.label}"
            )
            credit = "automated" if both else "manual"
            return [call_evidence(ITEM, lpath, load, detail, kind="code", credit=credit)]
    return [
        Hint(
            ITEM,
            f"{path}:{save.line} saves a Pipeline with its preprocessing, but no serving entry "
            "point was found loading it; not credited",
        )
    ]


def _non_test_calls(facts: Facts, mentions: tuple[str, ...], *qualified: str):  # noqa: ANN202
    for path, pf in facts.python_files(mentions=mentions, tests=False):
        for c in pf.calls_to(*qualified):
            yield path, pf, c


def _feature_store_and_tft(
    facts: Facts, serving: list[EntryPoint], training: list[EntryPoint]
) -> list[Evidence | Hint]:
    out: list[Evidence | Hint] = []
    offline = list(_non_test_calls(facts, ("get_historical_features",), "get_historical_features"))
    online = list(_non_test_calls(facts, ("get_online_features",), "get_online_features"))
    offline += [
        (p, pf, c)
        for p, pf, c in _method_calls(facts, "get_historical_features")
        if (p, pf, c) not in offline
    ]
    online += [
        (p, pf, c)
        for p, pf, c in _method_calls(facts, "get_online_features")
        if (p, pf, c) not in online
    ]
    if offline and online:
        opath, _, ocall = offline[0]
        for path, _, call in online:
            detail = (
                f"feature store read online here (`{call.name}`) and offline for training "
                f"({opath}:{ocall.line} `{ocall.name}`)"
            )
            credit = (
                "automated" if _serving_and_training_run(facts, serving, training) else "manual"
            )
            out.append(call_evidence(ITEM, path, call, detail, kind="code", credit=credit))
    elif offline:
        out.append(
            Hint(
                ITEM,
                f"feature store used for training only ({offline[0][0]}:{offline[0][2].line}); "
                "serving does not read it (no get_online_features); not credited",
            )
        )
    for path, pf, call in _method_calls(
        facts, "transform_features_layer", "transform_raw_features"
    ):
        if pf.imports_module("tensorflow_transform", "tfx"):
            detail = f"TF Transform graph applied at serving (`{call.name}`)"
            out.append(call_evidence(ITEM, path, call, detail, kind="code", credit="manual"))
    return out


def _method_calls(facts: Facts, *attrs: str) -> list[tuple[str, PythonFacts, Call]]:
    out = []
    for path, pf in facts.python_files(mentions=attrs, tests=False):
        out.extend((path, pf, c) for c in pf.method_calls(*attrs))
    return out


def _serving_and_training_run(
    facts: Facts, serving: list[EntryPoint], training: list[EntryPoint]
) -> bool:
    return any(automated_run(facts, t.path, t.symbol) for t in training) and any(
        automated_run(facts, s.path, s.symbol) for s in serving
    )


def _skew_jobs(facts: Facts) -> list[Evidence | Hint]:
    out: list[Evidence | Hint] = []
    for path, pf, call in _non_test_calls(
        facts, ("validate_statistics",), "tensorflow_data_validation.validate_statistics"
    ):
        if call.has_kw("serving_statistics") or "skew_comparator" in pf.attributes:
            detail = "TFDV training/serving skew check (`validate_statistics` with serving stats)"
            out.append(call_evidence(ITEM, path, call, detail))
    for path, pf, call in _method_calls(facts, "run"):
        data = evidently_data(pf, call) if pf.imports_module("evidently") else None
        if data is None:
            continue
        ref, cur = str(data[1]), str(data[0])
        current = data_source(facts, path, pf, call.line, data[0])
        if TRAINING_WORDS.search(ref) and current.verdict == "production":
            detail = f"Evidently comparison of training ({ref[1:]}) with serving data ({cur[1:]})"
            out.append(call_evidence(ITEM, path, call, detail))
    for run in deepchecks_runs(facts):
        if run.current.verdict == "production" and run.reference.verdict != "production":
            detail = (
                f"Deepchecks {run.check} compares reference data ({run.reference.why}) with "
                f"serving data ({run.current.why})"
            )
            # a push-triggered job re-reads the same committed sample; fresh serving data
            # is compared only when a schedule runs it
            sched = scheduled_run(facts, run.path, run.call.scope)
            detail += f" on a schedule via {sched.root}" if sched else ", not on a schedule"
            credit = "automated" if sched else "manual"
            out.append(call_evidence(ITEM, run.path, run.call, detail, credit=credit))
        elif run.current.verdict == "offline":
            out.append(
                Hint(
                    ITEM,
                    f"{run.path}:{run.call.line} runs Deepchecks {run.check} between offline "
                    f"splits ({run.reference.why} vs {run.current.why}): an offline comparison, "
                    "not training-serving skew; not credited",
                )
            )
    for path, pf, call in _method_calls(facts, "create_monitoring_schedule"):
        if pf.method_calls("suggest_baseline") and pf.imports_module("sagemaker"):
            detail = "SageMaker Model Monitor schedule against a training baseline"
            out.append(call_evidence(ITEM, path, call, detail))
    for path in facts.repo.glob("*skew*report*.html", "*skew*report*.json", "reports/*skew*"):
        if not is_example_config(path):
            out.append(
                Evidence(ITEM, "committed skew report", path, None, kind="result", credit="manual")
            )
    return out


__all__ = ["is_feature_code", "training_serving_skew"]
