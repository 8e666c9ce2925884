"""Rubrics: the items being scored, their wording, sections and bands, loaded from YAML.

The default rubric ships as `ml_readiness/rubrics/ml-test-score.yaml`. A custom rubric may
`extends: ml-test-score` and then `drop` items, add or reword `items`, set `require` levels
and replace `bands`. Every problem is reported with the file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from ml_readiness.errors import RubricError
from ml_readiness.facts.structured import StructureError, YamlMap, load_yaml

DEFAULT_RUBRIC = "ml-test-score"
ITEM_FIELDS = ("id", "section", "title", "long_title", "asks", "manual", "automated", "improve")
OPTIONAL_ITEM_FIELDS = ("require", "links")
TOP_FIELDS = {
    "id",
    "version",
    "title",
    "source",
    "sections",
    "items",
    "bands",
    "scoring",
    "extends",
    "drop",
    "require",
    "description",
}
LEVELS = ("manual", "automated")
ID_RE = re.compile(r"^[a-z][a-z0-9_]*-[0-9a-z][a-z0-9_-]*$")


@dataclass(frozen=True)
class RubricItem:
    id: str
    section: str
    title: str
    long_title: str
    asks: str
    manual: str
    automated: str
    improve: str
    require: str | None = None
    links: tuple[str, ...] = ()


@dataclass(frozen=True)
class Band:
    max: float | None  # inclusive upper bound; None for the last band
    name: str
    meaning: str


@dataclass(frozen=True)
class SectionDef:
    id: str
    title: str


@dataclass(frozen=True)
class Rubric:
    id: str
    version: str
    title: str
    sections: tuple[SectionDef, ...]
    items: tuple[RubricItem, ...]
    bands: tuple[Band, ...]
    source: str = ""
    extends: str | None = None
    dropped: tuple[str, ...] = field(default=())

    def item(self, item_id: str) -> RubricItem | None:
        return next((i for i in self.items if i.id == item_id), None)

    def section_items(self, section: str) -> list[RubricItem]:
        return [i for i in self.items if i.section == section]

    def band(self, score: float) -> Band:
        for b in self.bands:
            if b.max is None or score <= b.max:
                return b
        return self.bands[-1]


def _problem(problems: list[str], path: str, node: Any, message: str) -> None:
    line = getattr(node, "line", None)
    problems.append(f"{path}:{line}: {message}" if line else f"{path}: {message}")


def builtin_path(name: str) -> Path | None:
    """The shipped rubric file for `name` (e.g. `ml-test-score`), or None."""
    ref = resources.files("ml_readiness.rubrics").joinpath(f"{name}.yaml")
    return Path(str(ref)) if ref.is_file() else None


def load_rubric(name_or_path: str | None = None) -> Rubric:
    """Load a shipped rubric by name or a rubric file by path; raise RubricError if invalid."""
    rubric, problems = _load(name_or_path or DEFAULT_RUBRIC, depth=0)
    if problems or rubric is None:
        raise RubricError("; ".join(problems) if problems else "invalid rubric")
    return rubric


def validate_rubric_file(path: str) -> list[str]:
    """All problems of a rubric file (empty when valid)."""
    _, problems = _load(path, depth=0)
    return problems


def _load(name_or_path: str, depth: int) -> tuple[Rubric | None, list[str]]:
    builtin = (
        builtin_path(name_or_path)
        if "/" not in name_or_path and not name_or_path.endswith((".yaml", ".yml"))
        else None
    )
    path = builtin or Path(name_or_path)
    shown = f"{name_or_path}" if builtin is None else f"rubric {name_or_path}"
    if depth > 3:
        return None, [f"{shown}: `extends` chain deeper than 3"]
    if not path.is_file():
        return None, [
            f"{shown}: rubric not found (give a shipped rubric name such as "
            f"'{DEFAULT_RUBRIC}' or a path to a YAML file)"
        ]
    try:
        text = path.read_text("utf-8")
        docs = load_yaml(text)
    except (OSError, UnicodeDecodeError) as exc:
        return None, [f"{shown}: cannot read: {exc}"]
    except StructureError as exc:
        return None, [f"{shown}:{exc.line}: {exc}" if exc.line else f"{shown}: {exc}"]
    doc = docs[0] if docs else None
    if not isinstance(doc, YamlMap):
        return None, [f"{shown}: a rubric is a YAML mapping"]
    return _build(doc, shown, depth)


def _build(doc: YamlMap, path: str, depth: int) -> tuple[Rubric | None, list[str]]:
    problems: list[str] = []
    for key in doc:
        if key not in TOP_FIELDS:
            problems.append(f"{path}:{doc.line_of(key)}: unknown key {key!r}")
    base: Rubric | None = None
    if doc.get("extends"):
        base, base_problems = _load(str(doc["extends"]), depth + 1)
        problems.extend(base_problems)
        if base is None:
            return None, problems
    for key in ("id", "version"):
        if not isinstance(doc.get(key), str | int | float) or doc.get(key) in ("", None):
            problems.append(f"{path}:{doc.line}: missing field {key!r}")
    sections = list(base.sections) if base else []
    if "sections" in doc:
        sections = []
        for node in doc["sections"] or []:
            if not isinstance(node, dict) or not node.get("id") or not node.get("title"):
                _problem(problems, path, node, "a section needs `id` and `title`")
                continue
            sections.append(SectionDef(str(node["id"]), str(node["title"])))
    section_ids = [s.id for s in sections]
    if len(set(section_ids)) != len(section_ids):
        problems.append(f"{path}: duplicate section ids")
    items = {i.id: i for i in base.items} if base else {}
    order = list(items)
    dropped = []
    for node in doc.get("drop") or []:
        if str(node) not in items:
            _problem(problems, path, doc["drop"], f"cannot drop unknown item {node!r}")
        else:
            dropped.append(str(node))
            del items[str(node)]
            order.remove(str(node))
    seen: set[str] = set()
    for node in doc.get("items") or []:
        item = _item(node, path, problems, items, seen)
        if item is None:
            continue
        if item.id not in items:
            order.append(item.id)
        items[item.id] = item
    for item_id, level in (doc.get("require") or {}).items():
        if item_id not in items:
            problems.append(
                f"{path}:{doc['require'].line_of(item_id)}: `require` names "
                f"unknown item {item_id!r}"
            )
        elif level not in LEVELS:
            problems.append(
                f"{path}:{doc['require'].line_of(item_id)}: required level must "
                f"be one of {', '.join(LEVELS)}"
            )
        else:
            items[item_id] = replace(items[item_id], require=level)
    for item in items.values():
        if item.section not in section_ids:
            problems.append(f"{path}: item {item.id} is in unknown section {item.section!r}")
    bands = list(base.bands) if base else []
    if "bands" in doc:
        bands = []
        for node in doc["bands"] or []:
            if not isinstance(node, dict) or "name" not in node or "max" not in node:
                _problem(problems, path, node, "a band needs `max` (null for the last) and `name`")
                continue
            bands.append(
                Band(
                    None if node["max"] is None else float(node["max"]),
                    str(node["name"]),
                    str(node.get("meaning", "")),
                )
            )
        maxes = [b.max for b in bands]
        if (
            not bands
            or maxes[-1] is not None
            or any(m is None for m in maxes[:-1])
            or maxes[:-1] != sorted(maxes[:-1])
        ):
            _problem(
                problems, path, doc["bands"], "bands must ascend by `max` and end with `max: null`"
            )
    if not items:
        problems.append(f"{path}: a rubric needs at least one item")
    if problems:
        return None, problems
    rubric = Rubric(
        id=str(doc["id"]),
        version=str(doc["version"]),
        title=str(doc.get("title") or doc["id"]),
        sections=tuple(sections),
        items=tuple(items[i] for i in order),
        bands=tuple(bands),
        source=path,
        extends=str(doc["extends"]) if doc.get("extends") else None,
        dropped=tuple(dropped),
    )
    return rubric, []


def _item(
    node: Any, path: str, problems: list[str], existing: dict[str, RubricItem], seen: set[str]
) -> RubricItem | None:
    if not isinstance(node, YamlMap):
        _problem(problems, path, node, "an item is a mapping")
        return None
    item_id = str(node.get("id", ""))
    if not ID_RE.match(item_id):
        _problem(problems, path, node, f"item id {item_id!r} must look like `section-N`")
        return None
    if item_id in seen:
        _problem(problems, path, node, f"duplicate item id {item_id!r}")
        return None
    seen.add(item_id)
    for key in node:
        if key not in ITEM_FIELDS + OPTIONAL_ITEM_FIELDS:
            problems.append(f"{path}:{node.line_of(key)}: unknown item key {key!r}")
    base = existing.get(item_id)
    values: dict[str, Any] = {}
    for key in ITEM_FIELDS:
        if key in node and node[key] not in (None, ""):
            values[key] = " ".join(str(node[key]).split())
        elif base is not None:
            values[key] = getattr(base, key)
        else:
            problems.append(f"{path}:{node.line}: item {item_id} is missing {key!r}")
            return None
    require = node.get("require", base.require if base else None)
    if require is not None and require not in LEVELS:
        problems.append(
            f"{path}:{node.line_of('require')}: `require` must be one of {', '.join(LEVELS)}"
        )
        return None
    links = tuple(str(x) for x in node.get("links") or (base.links if base else ()))
    return RubricItem(**values, require=require, links=links)
