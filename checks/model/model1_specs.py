"""model-1: model specs are checked in and reviewed.

Specs: model configuration in version control (config folders, `params.yaml`, hyperparameters in
code) and model cards. Review route: CODEOWNERS entries that match the model paths, a PR
template with a model-review item, or a documented model review process. Automated (the
rubric's "CI checks the model specs on every change", with or without a route): a test that
loads every model config, composes/instantiates Hydra model configs (also through conftest
fixtures), builds the model from specs read by the project's own loader, or runs every
experiment config, which CI then runs.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ml_readiness.checks.model._review import (
    codeowners_coverage,
    config_loading_tests,
    documented_review,
    model_code_paths,
    pr_template_items,
    registry_approval,
)
from ml_readiness.checks.model._review_ci import pr_result_comments, runner_hyperparameters
from ml_readiness.checks.model._spec_ci import ci_spec_runs
from ml_readiness.checks.model._spec_tests import catalog_tests, spec_builder_tests
from ml_readiness.checks.model._specs_more import (
    constants_module_specs,
    dvc_param_specs,
    starred_dict_specs,
)

from ml_readiness.evidence import Evidence, Hint, Kind
from ml_readiness.facts import Facts, is_example_config, is_test_path
from ml_readiness.facts.python import EXPR, PythonFacts
from ml_readiness.registry import check

ITEM = "model-1"
CONFIG_DIRS = frozenset({"conf", "configs", "config"})
CONFIG_SUFFIXES = (".yaml", ".yml", ".json", ".toml")
HYPER_KEYS = frozenset(
    {
        "learning_rate",
        "lr",
        "n_estimators",
        "max_depth",
        "num_leaves",
        "epochs",
        "max_epochs",
        "num_epochs",
        "batch_size",
        "hidden_size",
        "hidden_dim",
        "num_layers",
        "n_layers",
        "dropout",
        "weight_decay",
        "optimizer",
        "momentum",
        "alpha",
        "l2",
        "l1_ratio",
        "regularization",
        "embedding_dim",
        "num_heads",
        "min_child_weight",
        "subsample",
        "C",
        "kernel",
        "gamma",
        "warmup_steps",
        "max_iter",
        "model",
        "architecture",
        "_target_",
        # Spark ML parameter names
        "maxDepth",
        "maxIter",
        "numTrees",
        "stepSize",
        "regParam",
        "elasticNetParam",
        "maxBins",
        "subsamplingRate",
        "minInstancesPerNode",
        # XGBoost-native names (also SageMaker's built-in XGBoost)
        "eta",
        "num_round",
        "num_boost_round",
        "early_stopping_rounds",
        "colsample_bytree",
        "colsample_bylevel",
        "max_leaves",
        "scale_pos_weight",
        "reg_alpha",
        "reg_lambda",
        "objective",
    }
)
# Calls that set an estimator's hyperparameters by keyword (SageMaker `Estimator`).
SET_HYPER = ("set_hyperparameters",)
FIT_CALLS = frozenset({"fit", "train", "compile", "fit_generator"})
SPEC_PATH_WORDS = re.compile(r"(^|/)(model|models|train|training|experiment|hparams)", re.I)
CARD_KEYS = frozenset({"library_name", "pipeline_tag", "model-index", "base_model"})
FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*(\n|\Z)", re.S)


@dataclass(frozen=True)
class Spec:
    """A checked-in model specification."""

    path: str
    line: int | None
    detail: str
    kind: Kind


def _keys(value: object, depth: int = 0) -> set[str]:
    if depth > 3:
        return set()
    if isinstance(value, dict):
        out = {str(k) for k in value}
        for v in value.values():
            out |= _keys(v, depth + 1)
        return out
    if isinstance(value, list):
        out = set()
        for v in value[:50]:
            out |= _keys(v, depth + 1)
        return out
    return set()


def _load(facts: Facts, path: str) -> object:
    low = path.lower()
    if low.endswith((".yaml", ".yml")):
        return facts.yaml_doc(path)
    if low.endswith(".json"):
        return facts.json(path)
    return facts.toml(path)


def config_specs(facts: Facts) -> list[Spec]:
    """Model config files under conf/ configs/ config/ and DVC `params.yaml` files."""
    found: list[str] = []
    for path in facts.repo.with_suffix(*CONFIG_SUFFIXES):
        parts = facts.repo.logical(path).split("/")
        if path.startswith("../") or is_example_config(path) or ".github" in parts:
            continue
        if parts[-1].lower() == "params.yaml" or CONFIG_DIRS.intersection(parts[:-1]):
            doc = _load(facts, path)
            keys = _keys(doc)
            hyper = keys & HYPER_KEYS
            if isinstance(doc, dict) and (hyper or SPEC_PATH_WORDS.search(path)):
                found.append(path)
    if not found:
        return []
    found.sort(key=_spec_order)
    shown = ", ".join(found[:4]) + (f" (+{len(found) - 4} more)" if len(found) > 4 else "")
    return [Spec(found[0], 1, f"model configuration in version control: {shown}", "config")]


def card_specs(facts: Facts) -> list[Spec]:
    """Model cards: MODEL_CARD.md, model_card.*, README.md with Hugging Face card metadata."""
    out = []
    for path in facts.repo.files:
        base = path.rsplit("/", 1)[-1].lower()
        if path.startswith("../") or is_example_config(path):
            continue
        if base in ("model_card.md", "modelcard.md") or base.startswith("model_card."):
            text = facts.text(path)
            if text and len(text.split()) >= 20:
                out.append(Spec(path, 1, "model card checked in", "doc"))
        elif base == "readme.md":
            text = facts.text(path) or ""
            m = FRONT_MATTER.match(text)
            if not m:
                continue
            keys = set(re.findall(r"^([\w-]+):", m.group(1), re.M))
            if keys & CARD_KEYS or {"license", "tags"} <= keys:
                out.append(Spec(path, 1, "model card (Hugging Face card metadata)", "doc"))
    return out


def code_specs(facts: Facts) -> list[Spec]:
    """Hyperparameters in code: a dict or dataclass of hyperparameters passed to a model."""
    out = []
    tokens = (*(k for k in HYPER_KEYS if len(k) > 3), "EPOCHS", "LEARNING_RATE", "BATCH_SIZE")
    for path, pf in facts.python_files(mentions=tokens):
        if is_test_path(path):
            continue
        values = [v for c in pf.calls for v in (*c.args, *(v for _, v in c.kwargs))]
        used = {v[1:] for v in values if isinstance(v, str) and v.startswith("$")}
        for a in pf.assigns:
            if a.scope != "<module>" or not isinstance(a.value, tuple):
                continue
            hyper = _literal_keys(a.value) & HYPER_KEYS
            if len(hyper) >= 2 and (a.name in used or _imported_elsewhere(facts, path, a.name)):
                detail = f"hyperparameters `{a.name}` ({', '.join(sorted(hyper)[:5])}) in code"
                out.append(Spec(path, a.line, detail, "code"))
        spec = _constant_specs(path, pf, used)
        if spec is not None:
            out.append(spec)
        for cls in pf.classes:
            fields = {a.name for a in pf.assigns if a.scope == cls.qualname} & HYPER_KEYS
            is_dataclass = any(d.endswith("dataclass") for d in cls.decorators)
            if len(fields) >= 2 and is_dataclass and _instantiated(facts, cls.qualname):
                names = ", ".join(sorted(fields)[:5])
                detail = f"hyperparameter dataclass `{cls.qualname}` ({names})"
                out.append(Spec(path, cls.line, detail, "code"))
    return out[:5]


def _constant_specs(path: str, pf: PythonFacts, used: set[str]) -> Spec | None:
    """Script-style hyperparameters: two or more module-level numeric constants named like a
    hyperparameter (`EPOCHS = 10`, `LEARNING_RATE = 1e-3`) passed to calls of a training
    script (one that calls `.fit`/`.train`/`.compile`, or whose path says model/train)."""
    if not _trains(path, pf):
        return None
    names = [
        a
        for a in pf.assigns
        if a.scope == "<module>"
        and a.name.isupper()
        and a.name.lower() in HYPER_KEYS
        and isinstance(a.value, int | float)
        and not isinstance(a.value, bool)
        and a.name in used
    ]
    if len(names) < 2:
        return None
    shown = ", ".join(f"{a.name}={a.value}" for a in names[:4])
    return Spec(path, names[0].line, f"hyperparameter constants ({shown}) in code", "code")


def _trains(path: str, pf: PythonFacts) -> bool:
    """A training script: it calls `.fit`/`.train`/`.compile`, or its path says model/train."""
    return any(c.attr in FIT_CALLS for c in pf.calls) or bool(SPEC_PATH_WORDS.search(path))


def _literal_keys(value: object, depth: int = 0) -> set[str]:
    """String keys of a dict literal (as PythonFacts keeps it: pairs), nested dicts included
    (`ML_CONFIG = {"gbt": {"maxDepth": [5, 7]}}`)."""
    if depth > 3 or not isinstance(value, tuple):
        return set()
    out: set[str] = set()
    for pair in value:
        if isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[0], str):
            out.add(pair[0])
            out |= _literal_keys(pair[1], depth + 1)
    return out


def _imported_elsewhere(facts: Facts, path: str, name: str) -> bool:
    """True when another non-test file imports `name` (a config dict read by the trainer)."""
    for other, pf in facts.python_files(mentions=(name,)):
        imported = any(i.name == name for i in pf.imports)
        if imported and other != path and not is_test_path(other):
            return True
    return False


def _instantiated(facts: Facts, name: str) -> bool:
    for _, pf in facts.python_files(mentions=(name,)):
        if any(c.name == name or c.name.endswith("." + name) for c in pf.calls):
            return True
    return False


def _literal_kwargs_specs(facts: Facts) -> list[Spec]:
    """Hyperparameters written as literal keywords of a model constructor, of
    `estimator.set_hyperparameters(...)` (SageMaker), or as the `hyperparameters={...}` dict
    of a SageMaker estimator (`Estimator`, `HuggingFace`, `PyTorch` ...)."""
    out = []
    tokens = ("learning_rate", "max_depth", "n_estimators", *SET_HYPER, "hyperparameters=")
    for path, pf in facts.python_files(mentions=tokens):
        if is_test_path(path):
            continue
        for c in pf.calls:
            keys = {k for k, v in c.kwargs if k in HYPER_KEYS and v is not EXPR}
            given = c.kw("hyperparameters")
            if isinstance(given, tuple) and c.qualified.startswith("sagemaker"):
                keys = _literal_keys(given) & HYPER_KEYS
            if len(keys) >= 3 and (c.attr[:1].isupper() or c.attr in SET_HYPER):
                detail = f"hyperparameters of `{c.name}` ({', '.join(sorted(keys)[:5])}) in code"
                out.append(Spec(path, c.line, detail, "code"))
                break
    return out[:3]


def _runs_automatically(facts: Facts, test: Evidence) -> bool:
    """True when CI (on change or schedule) or a pipeline runs this config-checking test."""
    run = facts.automation.execution_of(test.path, test.symbol) if test.path else None
    return run is not None and run.automated


def _spec_order(path: str) -> tuple[int, str]:
    """Model/network configs first, search and sweep configs last (the hint shows the first)."""
    low = path.lower()
    if re.search(r"hparams|sweep|search|optuna|tune", low):
        return 2, path
    if re.search(r"(^|/)(model|models|module|modules|network|networks|net)(/|\.|$)", low):
        return 0, path
    return 1, path


def model_specs(facts: Facts) -> list[Spec]:
    """Every checked-in model specification (shared with other checks via memo)."""
    return facts.memo("model-specs", _all_specs)


def _all_specs(f: Facts) -> list[Spec]:
    specs = config_specs(f) + card_specs(f) + code_specs(f) + _literal_kwargs_specs(f)
    specs += [Spec(p, line, d, "config") for p, line, d in runner_hyperparameters(f)]
    configs = {s.path for s in specs}
    specs += [Spec(p, ln, d, "config") for p, ln, d in dvc_param_specs(f) if p not in configs]
    specs += [Spec(p, line, d, "code") for p, line, d in starred_dict_specs(f, HYPER_KEYS)]
    specs += [Spec(p, line, d, "code") for p, line, d in constants_module_specs(f, _trains)]
    return specs


@check(ITEM)
def model_specs_reviewed(facts: Facts) -> Iterator[Evidence | Hint]:
    """Model specs checked in with a review route; automated when CI loads every config.

    Specs: model configs under `conf/`, `configs/`, `config/` (Hydra/OmegaConf/YAML/JSON/TOML
    with hyperparameter keys), `params.yaml`, hyperparameters in code (a dict or dataclass of
    hyperparameters passed to a model), model cards (`MODEL_CARD.md`, `model_card.*`, README.md
    with Hugging Face card metadata), a hyperparameter dict built in a function and passed with
    `**` to a model class, hyperparameter constants in a module a training module reads
    (`constants.NUM_EPOCHS`), and the `params.yaml` keys a DVC training stage declares. Review
    route: a CODEOWNERS (`.github/`, root, `docs/`) whose patterns match model code or config
    paths (last match wins; an owner-less pattern unassigns), a PR template with a
    model/metrics/evaluation review heading or checklist item, a documented model review
    process, a pull-request workflow that comments the model's training/evaluation results on
    the PR (`actions-comment-pull-request`, `cml comment create`, `gh pr comment`; also GitLab
    merge-request jobs and other CI systems when the job's rules select merge requests or the
    command targets one), or a model registry that registers each model as
    `PendingManualApproval` (SageMaker `RegisterModel`/`register`, boto3
    `create_model_package`). Hyperparameters in code include SageMaker
    `estimator.set_hyperparameters(...)` and `hyperparameters={...}` (XGBoost-native keys such
    as eta, num_round, subsample count), and hyperparameters written as a JSON object in the
    shell script or Makefile that launches training (`TRAIN_LOOP_CONFIG='{"lr": 1e-4,
    "dropout_p": 0.5}'`). Specs with a route are manual. A spec-checking test (loads every
    config file, composes Hydra configs or instantiates model configs composed by a fixture,
    loads specs with the project's own loader and builds the model, or runs `--multirun
    experiment=glob(*)`, or live tests that call the builder function holding an in-code spec
    for every model type it branches on) is test evidence that scoring makes automated when CI
    runs it; CI-run spec tests earn automated credit even without a review route, and so does
    a pull-request CI job whose path filter covers a model config and that runs the training
    entry point with it (`python run.py --pipeline training --environment staging` loading
    `configs/staging.yaml`; a step with `continue-on-error` or `|| true` does not count). Specs with
    neither a route nor a CI-run spec test earn nothing (a hint says so).
    """
    specs = model_specs(facts)
    spec_paths = sorted({s.path for s in specs}, key=_spec_order)
    model_paths = sorted(set(spec_paths) | set(model_code_paths(facts)))
    routes: list[Evidence] = []
    hints: list[str] = []
    owners = codeowners_coverage(facts, model_paths)
    if owners is not None:
        if owners.covered:
            routes.append(owners.evidence(ITEM))
        else:
            hints.append(owners.why_not())
    routes.extend(pr_template_items(facts, ITEM))
    routes.extend(documented_review(facts, ITEM))
    routes.extend(registry_approval(facts, ITEM))
    routes.extend(pr_result_comments(facts, ITEM))
    tests = config_loading_tests(facts, ITEM)
    in_code = [(s.path, s.line) for s in specs if s.kind == "code"]
    tests += spec_builder_tests(facts, ITEM, in_code) + catalog_tests(facts, ITEM, in_code)
    ci_runs = ci_spec_runs(facts, ITEM, [s.path for s in specs if s.kind == "config"])
    if not specs:
        yield Hint(ITEM, "no model configuration, hyperparameters in code or model card found")
        return
    if not routes:
        shown = ", ".join(spec_paths[:3])
        checked = [t for t in tests if _runs_automatically(facts, t)] + ci_runs
        if checked:
            # The rubric's automated level: CI checks the model specs on every change. That
            # stands without a review route (which only the manual level asks for).
            for s in specs:
                yield Evidence(ITEM, s.detail, s.path, s.line, s.kind, "manual")
            yield from checked
            yield Hint(
                ITEM,
                f"model specs ({shown}) are checked by tests CI runs, but no review route was "
                "found (no CODEOWNERS entry covering model paths, PR template item or "
                "documented model review)",
            )
            for h in hints:
                yield Hint(ITEM, h)
            return
        extra = [
            f"a config-loading test ({t.location()}) is not run by CI on change, so it does "
            "not count without a route"
            for t in tests
        ]
        yield Hint(
            ITEM,
            f"model specs are checked in ({shown}) but no review route was found: no "
            "CODEOWNERS entry covering model paths, no PR template with a model-review item, "
            "no documented model review process; not credited"
            + ("; " + "; ".join(extra) if extra else ""),
        )
        for h in hints:
            yield Hint(ITEM, h)
        return
    for s in specs:
        yield Evidence(ITEM, s.detail, s.path, s.line, s.kind, "manual")
    yield from routes
    yield from tests
    yield from ci_runs
    for h in hints:
        yield Hint(ITEM, h)
    if not tests and not ci_runs:
        yield Hint(ITEM, "no live test loads every model config, so specs are not checked in CI")
