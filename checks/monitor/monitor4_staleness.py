"""monitor-4: models are retrained on time, and an old model is noticed."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

from ml_readiness.automation import Root
from ml_readiness.checklib import iter_yaml_files
from ml_readiness.entrypoints import NOT_TRAINING_NAME, EntryPoint, training_entry_points
from ml_readiness.evidence import Evidence, Finding, Hint
from ml_readiness.facts import Facts, is_example_config
from ml_readiness.facts.imports import imported_files
from ml_readiness.facts.python import PythonFacts
from ml_readiness.registry import check

from ._shared import audit_date, automated_run, emit_rules, entry_symbol, scheduled_run

ITEM = "monitor-4"
AGE_RULES = r"model_?age|model_?timestamp|last_?train|trained_?at|stale|model_.*created"
MLFLOW_KEYS = ("last_updated_timestamp", "creation_timestamp")
JSON_KEYS = ("trained_at", "training_date", "created_at", "training_timestamp", "trained_on")
TRAIN_WORDS = re.compile(r"train|retrain|fit", re.I)
# the task arguments whose words name what an unresolved Airflow task does
TASK_KWARGS = ("task_id", "python_callable", "bash_command", "pipeline_name", "node_name")
# estimator constructors: a function that builds one of these and fits fits a model, not a scaler
MODEL_CLASS = re.compile(
    r"(Classifier|Regressor|SearchCV|Regression|SVC|SVR|XGB\w*|LGBM\w*|CatBoost\w*|KMeans|"
    r"Forest\w*|Boost\w*|MLP\w*|Sequential|Prophet|ARIMA\w*|Trainer)$"
)


@check(ITEM)
def retraining_and_model_age(facts: Facts) -> Iterator[Evidence | Finding | Hint]:
    """Retraining is scheduled, or the model's age is checked against a maximum.

    Credits schedule-triggered automation roots (a scheduled CI workflow, an Airflow DAG with a
    schedule, a Kubernetes CronJob) that run a training entry point or a training task, named
    with the training scripts they run (a CI run on push is a smoke test, not retraining), and
    alert rules on model age. Committed model
    metadata with training timestamps (MLflow registry `meta.yaml`, model metadata JSON with
    `trained_at`/`created_at`) is compared with `max_model_age_days` at the audit date.
    """
    produced = list(_retraining(facts))
    produced += _scheduled_training_functions(facts, produced)
    produced += _orchestrator_schedules(facts, produced)
    produced += emit_rules(ITEM, facts, AGE_RULES, "model age")
    produced += _metadata_age(facts)
    yield from produced
    if not any(isinstance(p, Evidence | Finding) for p in produced):
        yield Hint(
            ITEM,
            "no scheduled retraining (a schedule-triggered job running a training entry point, "
            "an Airflow DAG or CronJob that trains) and no model-age alert found",
        )


def _retraining(facts: Facts) -> Iterator[Evidence | Hint]:
    """One piece of evidence per schedule-triggered root that runs a training entry point: the
    root (the scheduled job) is the evidence, graded by its trigger."""
    by_root: dict[str, list[EntryPoint]] = {}
    for t in training_entry_points(facts):
        run = scheduled_run(facts, t.path, t.symbol)
        if run is not None:
            by_root.setdefault(run.root, []).append(t)
            continue
        other = automated_run(facts, t.path, t.symbol)
        if other is not None:
            why = (
                "a CI training run is not retraining"
                if other.trigger == "change"
                else "a pipeline that nothing schedules is not retraining on time"
            )
            yield Hint(
                ITEM,
                f"{t.label} runs via {other.root} on {other.trigger}, not on a schedule: {why}",
            )
    for root_id, entries in sorted(by_root.items()):
        scripts = ", ".join(t.label for t in entries[:3])
        root = facts.automation.root(root_id)
        if root is None:  # an execution without its root: the code is the evidence
            for t in entries:
                yield Evidence(
                    ITEM,
                    f"training entry point {t.label} runs on a schedule via {root_id}",
                    t.path,
                    t.line,
                    symbol=entry_symbol(t),
                )
            continue
        yield Evidence(
            ITEM,
            f"scheduled job {root.id} retrains the model: it runs {scripts}",
            root.path,
            root.line,
            kind="config",
            symbol=root.id,
        )


def _orchestrator_root(facts: Facts, path: str, system: str, name: str | None) -> Root | None:
    """The schedule-triggered root the AutomationMap built for this DAG or CronJob."""
    return next(
        (
            r
            for r in facts.automation.roots
            if r.path == path
            and r.system == system
            and r.trigger == "schedule"
            and (name is None or r.id.endswith(f"#{name}"))
        ),
        None,
    )


def _schedule_evidence(root: Root | None, detail: str, path: str, line: int | None) -> Evidence:
    if root is None:  # not read as a scheduled root: nothing shows it runs
        return Evidence(ITEM, detail, path, line, kind="config", credit="manual")
    return Evidence(ITEM, detail, path, line, kind="config", symbol=root.id)


def _reached_roots(facts: Facts) -> set[str]:
    """Ids of the roots that the AutomationMap resolved to some code beyond their own file's
    module body (an Airflow DAG file always runs its own top level)."""
    out = set()
    for path, syms in facts.automation.executed.items():
        for symbol, runs in syms.items():
            for e in runs:
                root = facts.automation.root(e.root)
                if symbol or root is None or root.path != path:
                    out.add(e.root)
    return out


def _covers(facts: Facts, dag_id: str, roots: set[str]) -> bool:
    """`dag_id` is one of `roots`, or triggers one of them (a Kedro pipeline run by the DAG)."""
    return any(
        r.id in roots and (r.id == dag_id or any(dag_id in ev for ev in r.events))
        for r in facts.automation.roots
    )


def _orchestrator_schedules(facts: Facts, produced: list) -> Iterator[Evidence | Hint]:
    """Scheduled Airflow DAGs and CronJobs. A DAG whose tasks the AutomationMap resolved is
    credited by what it reaches (`_retraining`, `_scheduled_training_functions`); the task-name
    keyword is only a fallback for a DAG or CronJob nothing could be resolved for."""
    credited = {e.symbol for e in produced if isinstance(e, Evidence) and e.symbol}
    reached = _reached_roots(facts)
    for path, pf in facts.python_files(mentions=("airflow",), tests=False):
        if not pf.imports_module("airflow"):
            continue
        for c in pf.calls_to("airflow.DAG", "airflow.models.DAG", "airflow.decorators.dag"):
            schedule = c.kw("schedule", c.kw("schedule_interval"))
            if schedule in (None, "@once"):
                continue
            dag_id = c.kw("dag_id") or (c.args[0] if c.args else None)
            name = dag_id if isinstance(dag_id, str) and not dag_id.startswith("$") else None
            root = _orchestrator_root(facts, path, "airflow", name)
            if root is not None and _covers(facts, root.id, credited):
                continue  # already credited by the training code it reaches
            resolved = root is not None and _covers(facts, root.id, reached)
            task = _unresolved_training_task(facts, path, pf, resolved)
            if task is None:
                if resolved:
                    yield Hint(
                        ITEM,
                        f"Airflow DAG {root.id} is scheduled `{schedule}` but the code it runs "
                        "reaches no training entry point: not retraining",
                    )
                continue
            detail = (
                f"Airflow DAG scheduled `{schedule}` runs a training task ({task}; keyword "
                "fallback: the task's code could not be resolved)"
            )
            yield _schedule_evidence(root, detail, path, c.line)
    for path, doc in iter_yaml_files(facts, "*.yaml", "*.yml", mentions=("CronJob",)):
        if not isinstance(doc, dict) or doc.get("kind") != "CronJob":
            continue
        spec = doc.get("spec") if isinstance(doc.get("spec"), dict) else {}
        if spec.get("schedule") and TRAIN_WORDS.search(str(spec.get("jobTemplate", ""))):
            name = str((doc.get("metadata") or {}).get("name") or "CronJob")
            root = _orchestrator_root(facts, path, "kubernetes", name)
            if root is not None and root.id in credited:
                continue
            detail = f"Kubernetes CronJob `{spec['schedule']}` runs training"
            yield _schedule_evidence(root, detail, path, getattr(doc, "line", None))


HANDOFF = ("subprocess.", "os.system", "os.popen", "os.exec")


def _unresolved_training_task(
    facts: Facts, path: str, pf: PythonFacts, resolved: bool
) -> str | None:
    """A task of the DAG file named for training (`task_id`, callable or command with
    train/retrain/fit) whose code the AutomationMap cannot follow: a callable of the file that
    hands off to a subprocess (`subprocess.run([python, "/abs/path/train_model.py"])`), a
    callable imported from outside the repository, or, when nothing of the DAG resolved, any
    task. A callable whose code is visible and fits nothing is not training (`fit_scaler_report`
    writing a CSV)."""
    local = {f.qualname for f in pf.functions}
    repo_modules = {f.rsplit(".", 1)[0].replace("/", ".") for f in imported_files(facts, path, pf)}
    for c in pf.calls:
        if not c.has_kw("task_id"):
            continue
        words = [str(v) for k, v in c.kwargs if k in TASK_KWARGS]
        word = next((w for w in words if TRAIN_WORDS.search(w)), None)
        if word is None:
            continue
        callable_ = str(c.kw("python_callable", ""))[1:]
        if callable_ in local:
            scoped = [x for x in pf.calls if x.scope.split(".")[0] == callable_]
            handoff = next((x for x in scoped if x.qualified.startswith(HANDOFF)), None)
            if handoff is not None:
                return f"`{word}` hands off to `{handoff.name}`"
            continue
        source = next((i.module for i in pf.imports if i.alias == callable_.split(".")[0]), "")
        if callable_ and any(m.endswith(source) for m in repo_modules if source):
            continue  # repo code the map follows: its reach decides
        if not resolved or callable_:
            return f"`{word}`"
    return None


def _timestamp(value: object) -> dt.date | None:
    if isinstance(value, int | float) and not isinstance(value, bool) and value > 0:
        seconds = value / 1000 if value > 1e11 else value
        return dt.datetime.fromtimestamp(seconds, dt.UTC).date()
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _metadata_dates(facts: Facts) -> list[tuple[dt.date, str, int | None]]:
    out = []
    for path in facts.repo.glob("*mlruns/*meta.yaml"):
        doc = facts.yaml_doc(path)
        for key in MLFLOW_KEYS if isinstance(doc, dict) else ():
            date = _timestamp(doc.get(key))
            if date:
                out.append((date, path, doc.line_of(key)))
                break
    for path in facts.repo.with_suffix(".json"):
        base = path.rsplit("/", 1)[-1].lower()
        if is_example_config(path) or not re.search(r"model|meta", base):
            continue
        if not facts.mentions(path, *JSON_KEYS):
            continue
        doc = facts.json(path)
        for key in JSON_KEYS if isinstance(doc, dict) else ():
            date = _timestamp(doc.get(key))
            if date:
                hits = facts.grep(f'"{key}"', [path])
                out.append((date, path, hits[0][1] if hits else None))
                break
    return sorted(out, reverse=True)


def _metadata_age(facts: Facts) -> Iterator[Evidence | Finding | Hint]:
    dates = _metadata_dates(facts)
    if not dates:
        return
    date, path, line = dates[0]
    today = audit_date(facts)
    age = (today - date).days
    limit = getattr(facts.config, "max_model_age_days", None)
    said = f"model metadata says trained {date.isoformat()}, {age} days before {today.isoformat()}"
    if limit is None:
        yield Hint(
            ITEM,
            f"{path}: {said}; set max_model_age_days in mlready.yaml to check it against a limit",
        )
    elif age <= limit:
        yield Evidence(
            ITEM,
            f"{said}, within max_model_age_days={limit}",
            path,
            line,
            kind="result",
            credit="manual",
        )
    else:
        yield Finding(
            ITEM, f"{said}, over max_model_age_days={limit}: the model is stale", path, line,
            cap="manual",
        )  # fmt: skip


TRAIN_FUNCTION = re.compile(r"^_?(run_|do_)?(re)?(train(ing)?|fit_model)(_\w+)?$", re.I)


NOT_TRAINING_FN = re.compile(r"(?i)drift|monitor|eval|score|baseline|detect|report|test|check")


def _fits_a_model(pf: PythonFacts, scope: str) -> bool:
    """`scope` fits a model: a supervised `.fit(X, y)`, or a fit next to an estimator
    constructor (`GridSearchCV(RandomForestClassifier())`), not `StandardScaler().fit(X)`."""
    calls = [c for c in pf.calls if c.scope == scope]
    fits = [c for c in calls if c.attr in ("fit", "fit_generator", "train")]
    if not fits:
        return False
    if any(len(c.args) >= 2 or c.has_kw("y") for c in fits if c.attr == "fit"):
        return True
    return any(MODEL_CLASS.search(c.name.rsplit(".", 1)[-1]) for c in calls)


def _scheduled_training_functions(facts: Facts, produced: list) -> list[Evidence]:
    """Training code that no entry point names, reached by a schedule-triggered root: a
    `train`/`retrain`/`train_*`/`run_training`/`fit_model` function that calls `.fit(...)`
    (directly or through one helper of its file), or any function that fits a model
    (`_fits_a_model`: a Kedro node `entrenar_random_forest_cv` run by a scheduled DAG). The
    scheduled root is the evidence, once per root."""
    seen = {e.symbol for e in produced if isinstance(e, Evidence) and e.kind == "config"}
    out: list[Evidence] = []
    for path, pf in facts.python_files(mentions=(".fit(", ".train("), tests=False):
        not_training = NOT_TRAINING_NAME.match(path.rsplit("/", 1)[-1].lower()) is not None
        fitted = {c.scope for c in pf.calls if c.attr == "fit"}
        helpers = {s.rsplit(".", 1)[-1] for s in fitted if s not in ("<module>", "<main>")}
        fitted |= {c.scope for c in pf.calls if c.name in helpers}  # through one helper
        for fn in pf.functions:
            named = fn.qualname in fitted and TRAIN_FUNCTION.match(fn.name)
            if not named and (not_training or NOT_TRAINING_FN.search(fn.name)):
                continue  # a drift detector or an evaluation baseline fits, but does not train
            if not named and not _fits_a_model(pf, fn.qualname):
                continue
            run = scheduled_run(facts, path, fn.qualname)
            root = facts.automation.root(run.root) if run is not None else None
            if root is None or root.id in seen:
                continue
            seen.add(root.id)
            via = next((ev for ev in root.events if ev.startswith("run by")), "")
            out.append(
                Evidence(
                    ITEM,
                    f"scheduled job {root.id} retrains the model: it reaches "
                    f"{path}:{fn.qualname}, which fits it" + (f" ({via})" if via else ""),
                    root.path,
                    root.line,
                    kind="config",
                    symbol=root.id,
                )
            )
    return out
