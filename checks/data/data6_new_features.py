"""data-6: new features can be added quickly (feature store, config-driven lists, procedure)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ml_readiness.checklib import attestation_hint, call_evidence, doc_evidence, doc_sections
from ml_readiness.evidence import Evidence, Hint
from ml_readiness.facts import Facts, is_example_config
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


def _config_lists(facts: Facts) -> Iterator[Evidence]:
    readers = [p for p in facts.repo.with_suffix(".py") if not p.startswith("../")]
    for path in facts.repo.with_suffix(".yaml", ".yml", ".json"):
        if is_example_config(path) or path.startswith((".github/", "../")):
            continue
        docs = facts.yaml(path) if not path.endswith(".json") else [facts.json(path)]
        for doc in docs or []:
            if not isinstance(doc, dict):
                continue
            for key, value in doc.items():
                if not (isinstance(key, str) and FEATURE_KEYS.match(key)):
                    continue
                if not (
                    isinstance(value, list)
                    and len(value) >= 2
                    and all(isinstance(v, str) for v in value)
                ):
                    continue
                base = path.rsplit("/", 1)[-1]
                stem = base.rsplit(".", 1)[0]
                reader = next(
                    (
                        p
                        for p in readers
                        if facts.mentions(p, base)
                        or (facts.mentions(p, stem) and facts.mentions(p, key))
                    ),
                    None,
                )
                if reader is None:
                    continue
                line = doc.line_of(key) if hasattr(doc, "line_of") else 1
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
    config-driven feature lists (a YAML/JSON list under `features:`, `numeric_features:` ...
    that Python code reads) and a documented procedure for adding a feature (a Markdown section
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
