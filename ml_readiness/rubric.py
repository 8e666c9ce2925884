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
OPTIONAL_ITEM_FIELDS = ("require", "links", "tests_automate")
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
    # False when a CI-run test exercising the evidence (on test data) does not perform the
    # practice itself: tuning, retraining, importance analysis, production monitoring
    tests_automate: bool = True


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


def _load(
    name_or_path: str, depth: int, base_dir: Path | None = None, where: str | None = None
) -> tuple[Rubric | None, list[str]]:
    """Load and validate one rubric. `base_dir` resolves a relative `extends` path against the
    extending file's folder (never the current directory); `where` (`file:line`) prefixes a
    problem with the `extends` line that named this rubric."""
    is_name = "/" not in name_or_path and not name_or_path.endswith((".yaml", ".yml"))
    builtin = builtin_path(name_or_path) if is_name else None
    path = builtin or Path(name_or_path)
    if builtin is None and base_dir is not None and not path.is_absolute():
        path = base_dir / path
    shown = f"{name_or_path}" if builtin is None else f"rubric {name_or_path}"
    if depth > 3:
        return None, [f"{where or shown}: `extends` chain deeper than 3"]
    if not path.is_file():
        lead = f"{where}: `extends` {name_or_path!r}" if where else shown
        return None, [
            f"{lead}: rubric not found (give a shipped rubric name such as "
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
    return _build(doc, shown, depth, path.parent)


def _build(
    doc: YamlMap, path: str, depth: int, folder: Path | None = None
) -> tuple[Rubric | None, list[str]]:
    problems: list[str] = []
    for key in doc:
        if key not in TOP_FIELDS:
            problems.append(f"{path}:{doc.line_of(key)}: unknown key {key!r}")
    base: Rubric | None = None
    if doc.get("extends"):
        where = f"{path}:{doc.line_of('extends')}"
        base, base_problems = _load(str(doc["extends"]), depth + 1, folder, where)
        problems.extend(base_problems)
        if base is None:
            return None, problems
    for key in ("id", "version"):
        if not isinstance(doc.get(key), str | int | float) or doc.get(key) in ("", None):
            problems.append(f"{path}:{doc.line}: missing field {key!r}")
    shapes = [
        f"{path}:{doc.line_of(key)}: `{key}` must be a list"
        for key in ("sections", "items", "drop", "bands")
        if doc.get(key) is not None and not isinstance(doc[key], list)
    ]
    if doc.get("require") is not None and not isinstance(doc["require"], dict):
        shapes.append(f"{path}:{doc.line_of('require')}: `require` must map item ids to levels")
    if shapes:
        return None, problems + shapes
    sections = _sections(doc, path, problems, base)
    section_ids = [s.id for s in sections]
    items = {i.id: i for i in base.items} if base else {}
    order = list(items)
    dropped = []
    for node in doc.get("drop") or []:
        if str(node) not in items:
            _problem(problems, path, _at(node, doc["drop"]), f"cannot drop unknown item {node!r}")
        else:
            dropped.append(str(node))
            del items[str(node)]
            order.remove(str(node))
    seen: set[str] = set()
    lines: dict[str, int] = {}
    for node in doc.get("items") or []:
        item = _item(node, path, problems, items, seen)
        if item is None:
            continue
        lines[item.id] = node.line
        if item.id in dropped:
            problems.append(f"{path}:{node.line}: item {item.id} is both dropped and listed")
            continue
        if item.id not in items:
            order.append(item.id)
        items[item.id] = item
    require = doc.get("require") or {}
    for item_id, level in require.items():
        if item_id not in items:
            problems.append(
                f"{path}:{require.line_of(item_id)}: `require` names unknown item {item_id!r}"
            )
        elif level not in LEVELS:
            problems.append(
                f"{path}:{require.line_of(item_id)}: required level {level!r} of {item_id} "
                f"must be one of {', '.join(LEVELS)}"
            )
        else:
            items[item_id] = replace(items[item_id], require=level)
    for item in items.values():
        if item.section not in section_ids:
            line = f":{lines[item.id]}" if item.id in lines else ""
            problems.append(f"{path}{line}: item {item.id} is in unknown section {item.section!r}")
    bands = _bands(doc, path, problems) if "bands" in doc else list(base.bands) if base else []
    if not bands:
        problems.append(f"{path}: a rubric needs `bands`")
    if not items:
        problems.append(f"{path}: a rubric needs at least one item")
    if problems:
        return None, sorted(problems, key=lambda p: _line_in(p, path))
    rubric = Rubric(
        id=str(doc["id"]),
        version=str(doc["version"]),
        title=str(doc.get("title") or doc["id"]),
        sections=tuple(sections),
        items=tuple(items[i] for i in order),
        bands=tuple(bands),
        source=path,
        extends=str(doc["extends"]) if doc.get("extends") else None,
        dropped=tuple(base.dropped if base else ()) + tuple(dropped),
    )
    return rubric, []


def _line_in(problem: str, path: str) -> int:
    """The line a problem names in `path` (0 for problems of other files or without a line)."""
    head, _, rest = problem.partition(f"{path}:")
    number = rest.split(":", 1)[0]
    return int(number) if not head and number.isdigit() else 0


def _at(node: Any, parent: Any) -> Any:
    """`node` when it knows its line (YamlStr/YamlMap), else its parent."""
    return node if getattr(node, "line", None) else parent


def _sections(
    doc: YamlMap, path: str, problems: list[str], base: Rubric | None
) -> list[SectionDef]:
    if "sections" not in doc:
        return list(base.sections) if base else []
    sections: list[SectionDef] = []
    for node in doc["sections"] or []:
        if not isinstance(node, dict) or not node.get("id") or not node.get("title"):
            _problem(problems, path, _at(node, doc["sections"]), "a section needs `id` and `title`")
            continue
        if any(s.id == str(node["id"]) for s in sections):
            _problem(problems, path, node, f"duplicate section id {node['id']!r}")
            continue
        sections.append(SectionDef(str(node["id"]), str(node["title"])))
    return sections


def _bands(doc: YamlMap, path: str, problems: list[str]) -> list[Band]:
    bands: list[Band] = []
    before = len(problems)
    for node in doc["bands"] or []:
        if not isinstance(node, dict) or "name" not in node or "max" not in node:
            _problem(
                problems,
                path,
                _at(node, doc["bands"]),
                "a band needs `max` (null for the last) and `name`",
            )
            continue
        high = node["max"]
        if high is not None and (isinstance(high, bool) or not isinstance(high, int | float)):
            _problem(problems, path, node, f"band max {high!r} must be a number or null")
            continue
        bands.append(
            Band(
                None if high is None else float(high),
                str(node["name"]),
                str(node.get("meaning", "")),
            )
        )
    if len(problems) > before:
        return bands
    maxes = [b.max for b in bands]
    if (
        not bands
        or maxes[-1] is not None
        or any(m is None for m in maxes[:-1])
        or maxes[:-1] != sorted(maxes[:-1])
        or len(set(maxes)) != len(maxes)
    ):
        _problem(
            problems, path, doc["bands"], "bands must ascend by `max` and end with `max: null`"
        )
    return bands


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
            f"{path}:{node.line_of('require')}: `require` {require!r} of {item_id} must be one "
            f"of {', '.join(LEVELS)}"
        )
        return None
    links = tuple(str(x) for x in node.get("links") or (base.links if base else ()))
    tests_automate = node.get("tests_automate", base.tests_automate if base else True)
    if not isinstance(tests_automate, bool):
        problems.append(
            f"{path}:{node.line_of('tests_automate')}: `tests_automate` of {item_id} must be "
            "true or false"
        )
        return None
    return RubricItem(**values, require=require, links=links, tests_automate=tests_automate)
