"""data-6: new features can be added quickly (feature store, config-driven lists, procedure)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ml_readiness.checklib import attestation_hint, call_evidence, doc_evidence, doc_sections
from ml_readiness.evidence import Evidence, Hint
from ml_readiness.facts import Facts, is_example_config
from ml_readiness.facts.imports import imported_files
from ml_readiness.registry import check

from ._shared import calls_from

ITEM = "data-6"
FEATURE_KEYS = re.compile(
    r"^(features|feature_list|feature_columns|feature_names|input_features|numeric_features|"
    r"numerical_features|categorical_features|text_features|selected_features)$"
)
PROCEDURE_TITLE = (
    r"\badd(ing)?\b.*\bfeatures?\b|\bnew features?\b|feature (onboarding|workflow|development)"
)
PROCEDURE_BODY = re.compile(
    r"feature_store|features?\.py|config|register|pipeline|column|transform|FeatureView|test",
    re.I,
)
MAX_DEPTH = 3
KEDRO_PARAMS = re.compile(r"(^|/)conf/[^/]+/(parameters[^/]*\.ya?ml$|parameters/)")
HYDRA_CONF = re.compile(r"(^|/)(conf|config|configs)/")
NOT_PROCEDURE = re.compile(r"(^|/)(changelog|changes|history|news|release[^/]*)\.(md|rst)$", re.I)


def _feast(facts: Facts) -> Iterator[Evidence | Hint]:
    stores = [p for p in facts.repo.named("feature_store.yaml", "feature_store.yml")]
    views = []
    for path, pf in facts.python_files(mentions=("FeatureView",)):
        views += [
            (path, c)
            for c in calls_from(
                pf, ("feast",), ("FeatureView", "BatchFeatureView", "StreamFeatureView")
            )
        ]
    if stores and views:
        doc = facts.yaml_doc(stores[0])
        project = doc.get("project") if isinstance(doc, dict) else None
        yield Evidence(
            ITEM,
            f"Feast feature store (project `{project}`) with {len(views)} feature view(s)",
            stores[0],
            1,
            kind="config",
            credit="manual",
        )
        for path, call in views:
            name = call.kw("name")
            label = f" `{name}`" if isinstance(name, str) else ""
            yield call_evidence(
                ITEM, path, call, f"Feast feature view{label} registered", credit="manual"
            )
    elif stores:
        yield Hint(
            ITEM, f"{stores[0]} configures Feast, but no FeatureView(...) definitions were found"
        )


def _feature_lists(doc: object, path: tuple[str, ...] = ()) -> Iterator[tuple]:
    """(key path, list, mapping) for every list of ≥2 names under a FEATURE_KEYS key, down to
    three levels of nesting (`model_options: {features: [...]}` in Kedro parameters)."""
    if not isinstance(doc, dict) or len(path) >= MAX_DEPTH:
        return
    for key, value in doc.items():
        if not isinstance(key, str):
            continue
        if (
            FEATURE_KEYS.match(key)
            and isinstance(value, list)
            and len(value) >= 2
            and all(isinstance(v, str) for v in value)
        ):
            yield (*path, key), value, doc
        elif isinstance(value, dict):
            yield from _feature_lists(value, (*path, key))


def _file_reader(facts: Facts, readers: list[str], path: str, keys: tuple[str, ...]) -> str | None:
    """A Python file that names the config file (`"conf/features.yaml"`), or names its stem as
    a string (`config_name="features"`) and reads the feature key (`cfg["features"]`,
    `cfg.features`). A bare word such as a `parameters` argument is not a mention. DVC's
    `dvc.api.params_show()` names the root `params.yaml` without spelling it."""
    base = path.rsplit("/", 1)[-1]
    dvc_params = path in ("params.yaml", "params.yml")
    stem = base.rsplit(".", 1)[0]
    named = re.compile(rf"""["'](?:[^"'\n]*/)?{re.escape(stem)}["']""")
    key = keys[-1]
    read = re.compile(
        rf"""\[\s*["']{re.escape(key)}["']|\.get\(\s*["']{re.escape(key)}["']|"""
        rf"\b(cfg|config|conf|params|hparams|settings)(\.\w+){{0,3}}\.{re.escape(key)}\b"
    )
    for p in readers:
        if facts.mentions(p, base):
            return p
        if facts.mentions(p, stem) and facts.mentions(p, key):
            text = facts.text(p) or ""
            names = named.search(text) or (dvc_params and "params_show(" in text)
            if names and read.search(text):
                return p
    return None


def _subscripts(facts: Facts, path: str, key: str) -> bool:
    text = facts.text(path) or ""
    return (
        re.search(
            rf"""\[\s*["']{re.escape(key)}["']\s*\]|\.get\(\s*["']{re.escape(key)}["']""", text
        )
        is not None
    )


def _kedro_reader(facts: Facts, readers: list[str], path: str, keys: tuple[str, ...]) -> str | None:
    """Kedro parameters (`conf/<env>/parameters*.yml`) are never named by the code: a node
    takes `"params:<key>"` (or a dotted deeper key) as an input, and the node function
    subscripts the keys below it (`parameters["features"]`) in the pipeline file or a module it
    imports."""
    if not KEDRO_PARAMS.search(path):
        return None
    for depth in range(len(keys), 0, -1):
        name = ".".join(keys[:depth])
        tokens = (f'"params:{name}"', f"'params:{name}'")
        for p in readers:
            if not facts.mentions(p, *tokens):
                continue
            rest = keys[depth:]
            if not rest:
                return p
            scope = [p, *imported_files(facts, p)]
            if all(any(_subscripts(facts, f, k) for f in scope) for k in rest):
                return p
    return None


def _hydra_reader(facts: Facts, readers: list[str], path: str, keys: tuple[str, ...]) -> str | None:
    """Hydra configs (`conf/**.yaml` composed by `@hydra.main`) are read as attributes:
    `cfg.features`, `cfg.data.features` (the config group folder becomes a level)."""
    if not HYDRA_CONF.search(path):
        return None
    chain = r"\.".join(re.escape(k) for k in keys)
    access = re.compile(rf"\b(cfg|config|conf|hparams|hydra_cfg)(\.\w+){{0,3}}?\.{chain}\b")
    for p in readers:
        if facts.mentions(p, "hydra") and facts.mentions(p, keys[-1]):
            text = facts.text(p) or ""
            if ("hydra.main" in text or "compose(" in text) and access.search(text):
                return p
    return None


def _config_lists(facts: Facts) -> Iterator[Evidence]:
    readers = [p for p in facts.repo.with_suffix(".py") if not p.startswith("../")]
    for path in facts.repo.with_suffix(".yaml", ".yml", ".json"):
        if is_example_config(path) or path.startswith((".github/", "../")):
            continue
        docs = facts.yaml(path) if not path.endswith(".json") else [facts.json(path)]
        for doc in docs or []:
            for keys, value, mapping in _feature_lists(doc):
                reader = (
                    _file_reader(facts, readers, path, keys)
                    or _kedro_reader(facts, readers, path, keys)
                    or _hydra_reader(facts, readers, path, keys)
                )
                if reader is None:
                    continue
                key = ".".join(keys)
                line = mapping.line_of(keys[-1]) if hasattr(mapping, "line_of") else 1
                yield Evidence(
                    ITEM,
                    f"config-driven feature list `{key}` ({len(value)} features) read by {reader}",
                    path,
                    line,
                    kind="config",
                    credit="manual",
                )


@check("data-6")
def feature_onboarding(facts: Facts) -> Iterator[Evidence | Hint]:
    """New features can be added quickly.

    Credits a Feast feature store (feature_store.yaml with FeatureView definitions in code),
    config-driven feature lists (a YAML/JSON list under `features:`, `numeric_features:` ...,
    also nested up to three levels, that Python code reads: a file naming the config, a Kedro
    node taking `params:<key>` and subscripting the feature key, or a Hydra app reading
    `cfg.<...>.features`) and a documented procedure for adding a feature (a Markdown section
    such as "Adding a new feature" that talks about the code, config or pipeline; changelogs
    do not count). These earn manual credit.
    """
    found = False
    for source in (_feast, _config_lists):
        for produced in source(facts):
            found = found or isinstance(produced, Evidence)
            yield produced
    for path, section in doc_sections(facts, PROCEDURE_TITLE):
        if NOT_PROCEDURE.search(path) or not PROCEDURE_BODY.search(section.body):
            continue
        found = True
        yield doc_evidence(
            ITEM, path, section, f'procedure for adding a feature: "{section.title}"'
        )
    if not found:
        yield attestation_hint(
            ITEM,
            "a feature store (Feast feature_store.yaml + FeatureView), a config-driven feature "
            "list read by the feature code, or a documented procedure for adding a feature",
            "docs/adding-a-feature.md",
        )
