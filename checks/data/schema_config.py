"""data-1, declarative data tests: Soda checks run by `soda scan`, dbt `schema.yml` tests run
by `dbt test`/`dbt build`. A file nobody runs earns nothing."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ml_readiness.checklib import iter_yaml_files
from ml_readiness.evidence import Evidence, Finding
from ml_readiness.facts import Facts

from ._shared import column_list, command_sites, yaml_key_line

ITEM = "data-1"
_SODA_COLUMN = re.compile(r"\(\s*([A-Za-z_]\w*)\s*\)")


def _runner_for(sites: list[tuple[str, int, str]], path: str) -> tuple[str, int, str] | None:
    """The command site that names `path` (its file name or its folder)."""
    base = path.rsplit("/", 1)[-1]
    folder = path.rsplit("/", 2)[-2] if path.count("/") else ""
    for site in sites:
        if base in site[2] or (folder and re.search(rf"\b{re.escape(folder)}/?(\s|$)", site[2])):
            return site
    return None


def _soda_columns(value: object) -> list[str]:
    cols: list[str] = []
    for entry in value if isinstance(value, list) else []:
        text = (
            entry
            if isinstance(entry, str)
            else " ".join(map(str, entry))
            if isinstance(entry, dict)
            else ""
        )
        cols += _SODA_COLUMN.findall(text)
        if isinstance(entry, dict):
            for v in entry.values():
                if isinstance(v, dict):
                    for inner in v.values():
                        if isinstance(inner, dict):
                            for cols_list in inner.values():
                                if isinstance(cols_list, list):
                                    cols += [str(c) for c in cols_list]
    return cols


def soda_evidence(facts: Facts) -> Iterator[Evidence | Finding]:
    """Soda `checks for TABLE` files and the `soda scan` that runs them."""
    sites = command_sites(facts, r"\bsoda\s+scan\b")
    for path, doc in iter_yaml_files(facts, "*.yml", "*.yaml", mentions=("checks for ",)):
        if not isinstance(doc, dict):
            continue
        tables = [k for k in doc if isinstance(k, str) and k.startswith("checks for ")]
        for key in tables:
            cols = _soda_columns(doc[key])
            what = f"Soda checks for `{key[len('checks for ') :]}` cover {column_list(cols)}"
            line = yaml_key_line(doc, key)
            run = _runner_for(sites, path)
            if run is None:
                yield Finding(
                    ITEM,
                    f"{what}, but no `soda scan` in CI, a task runner or a script runs them "
                    "(not validated against; earns nothing)",
                    path,
                    line,
                )
                continue
            detail = f"{what}; run by `soda scan` at {run[0]}:{run[1]}"
            yield Evidence(ITEM, detail, path, line, kind="config", credit="automated")


def _dbt_tested(model: dict) -> list[str]:
    cols = []
    for col in model.get("columns") or []:
        if isinstance(col, dict) and (
            col.get("tests") or col.get("data_tests") or col.get("constraints")
        ):
            cols.append(str(col.get("name")))
    return cols


def dbt_evidence(facts: Facts) -> Iterator[Evidence | Finding]:
    """dbt schema.yml model tests and the `dbt test`/`dbt build` that runs them."""
    if not facts.repo.named("dbt_project.yml"):
        return
    sites = command_sites(facts, r"\bdbt\s+(test|build)\b")
    for path, doc in iter_yaml_files(facts, "*.yml", "*.yaml", mentions=("models",)):
        if not isinstance(doc, dict) or not isinstance(doc.get("models"), list):
            continue
        for model in doc["models"]:
            if not isinstance(model, dict):
                continue
            cols = _dbt_tested(model)
            if not cols and not (model.get("tests") or model.get("data_tests")):
                continue
            what = f"dbt tests on model `{model.get('name')}` cover {column_list(cols)}"
            line = getattr(model, "line", None)
            run = sites[0] if sites else None
            if run is None:
                yield Finding(
                    ITEM,
                    f"{what}, but nothing runs `dbt test` or `dbt build` (not validated against; "
                    "earns nothing)",
                    path,
                    line,
                )
                continue
            verb = "build" if "build" in run[2] else "test"
            detail = f"{what}; run by `dbt {verb}` at {run[0]}:{run[1]}"
            yield Evidence(ITEM, detail, path, line, kind="config", credit="automated")


def config_schema_evidence(facts: Facts) -> Iterator[Evidence | Finding]:
    yield from soda_evidence(facts)
    yield from dbt_evidence(facts)
