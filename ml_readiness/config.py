"""The project's mlready configuration: `mlready.yaml` or `[tool.mlready]` in `pyproject.toml`.

Every problem is a `ConfigError` naming the file and, where the parser knows it, the line.
Item ids are validated against the rubric after the rubric is known (`check_item_ids`).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ml_readiness.errors import ConfigError
from ml_readiness.facts.structured import StructureError, load_toml, load_yaml

CONFIG_NAMES = ("mlready.yaml", "mlready.yml", ".mlready.yaml", ".mlready.yml")


def config_schema() -> dict[str, Any]:
    """The published JSON Schema of the config (ml_readiness/schemas/config.schema.json)."""
    ref = resources.files("ml_readiness").joinpath("schemas/config.schema.json")
    return json.loads(ref.read_text("utf-8"))


# The loader's vocabulary comes from the published schema, so the two never drift apart.
_SCHEMA = config_schema()["properties"]
TOP_KEYS = set(_SCHEMA)
GATE_KEYS = set(_SCHEMA["gate"]["properties"])
LIMIT_KEYS = set(_SCHEMA["limits"]["properties"])
ATTESTATION_KEYS = set(_SCHEMA["attestations"]["items"]["properties"])
LEVEL_NAMES = {
    "none": "none",
    "0": "none",
    "manual": "manual",
    "0.5": "manual",
    "automated": "automated",
    "1": "automated",
    "1.0": "automated",
    "0.0": "none",
}


@dataclass(frozen=True)
class Attestation:
    item: str
    level: str
    evidence: str
    owner: str
    reviewed: dt.date
    expires: dt.date
    via: str | None = None
    note: str | None = None
    line: int | None = None


@dataclass(frozen=True)
class NotApplicable:
    item: str
    reason: str
    line: int | None = None


@dataclass(frozen=True)
class Override:
    item: str
    max_level: str
    reason: str
    line: int | None = None


@dataclass(frozen=True)
class Gate:
    fail_under: float | None = None
    section_min: tuple[tuple[str, float], ...] = ()
    fail_on_regression: bool = False
    fail_on_data_validation: bool = False
    require: tuple[tuple[str, str], ...] = ()

    @property
    def configured(self) -> bool:
        return (
            self.fail_under is not None
            or bool(self.section_min)
            or bool(self.require)
            or self.fail_on_regression
            or self.fail_on_data_validation
        )


@dataclass(frozen=True)
class Config:
    source: str | None = None
    rubric: str | None = None
    gate: Gate = field(default_factory=Gate)
    exclude: tuple[str, ...] = ()
    attestations: tuple[Attestation, ...] = ()
    not_applicable: tuple[NotApplicable, ...] = ()
    overrides: tuple[Override, ...] = ()
    max_model_age_days: int | None = None
    data_validation: tuple[dict, ...] = ()
    max_file_bytes: int | None = None
    max_files: int | None = None
    repo_url: str | None = None
    lines: dict[str, int] = field(default_factory=dict, compare=False)


def find_config(root: Path) -> tuple[str, dict, dict[str, int]] | None:
    """(file name, raw mapping, key → line) of the root's config, or None when there is none."""
    found = [n for n in CONFIG_NAMES if (root / n).is_file()]
    pyproject = root / "pyproject.toml"
    tool_table = None
    if pyproject.is_file() and not pyproject.is_symlink():
        text = _read(pyproject, "pyproject.toml")
        if "mlready" in text:
            try:
                data = load_toml(text)
            except StructureError as exc:
                raise ConfigError(str(exc), "pyproject.toml", exc.line) from None
            tool_table = (data.get("tool") or {}).get("mlready")
    if len(found) > 1 or (found and tool_table is not None):
        names = found + (["pyproject.toml [tool.mlready]"] if tool_table is not None else [])
        raise ConfigError(f"more than one mlready config: {', '.join(names)}; keep one", found[0])
    if found:
        name = found[0]
        if (root / name).is_symlink():
            raise ConfigError("the config is a symbolic link; refusing to follow it", name)
        text = _read(root / name, name)
        try:
            docs = load_yaml(text)
        except StructureError as exc:
            raise ConfigError(str(exc), name, exc.line) from None
        doc = docs[0] if docs else None
        if doc is None:
            return name, {}, {}
        if not isinstance(doc, dict):
            raise ConfigError("the config must be a mapping of keys", name, 1)
        return name, doc, dict(getattr(doc, "key_lines", {}))
    if tool_table is not None:
        if not isinstance(tool_table, dict):
            raise ConfigError("[tool.mlready] must be a table", "pyproject.toml")
        header = _toml_header_line(text)
        return "pyproject.toml", tool_table, {k: header for k in tool_table}
    return None


def _read(path: Path, name: str) -> str:
    try:
        if path.stat().st_size > 1024 * 1024:
            raise ConfigError("config file larger than 1 MiB", name)
        return path.read_text("utf-8")
    except UnicodeDecodeError:
        raise ConfigError("not valid UTF-8", name) from None
    except OSError as exc:
        raise ConfigError(f"cannot read: {exc.strerror}", name) from None


def _toml_header_line(text: str) -> int | None:
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip().startswith("[tool.mlready"):
            return number
    return None


def load_config(root: Path) -> Config:
    """The config at `root` (an empty Config when there is none)."""
    found = find_config(root)
    if found is None:
        return Config()
    name, raw, lines = found
    return parse_config(raw, name, lines)


def parse_config(raw: dict, name: str, lines: dict[str, int] | None = None) -> Config:
    lines = lines or {}

    def err(message: str, node: Any = None, key: str | None = None) -> ConfigError:
        line = getattr(node, "line", None) if node is not None else None
        if line is None and key is not None:
            line = lines.get(key)
        return ConfigError(message, name, line)

    for key in raw:
        if key not in TOP_KEYS:
            raise err(f"unknown key {key!r} (known: {', '.join(sorted(TOP_KEYS))})", key=key)
    gate = _gate(raw.get("gate"), err)
    exclude = raw.get("exclude") or []
    if not isinstance(exclude, list) or not all(isinstance(x, str) for x in exclude):
        raise err("`exclude` must be a list of path patterns", key="exclude")
    attestations = tuple(_attestation(a, err) for a in _list(raw, "attestations", err))
    not_applicable = tuple(_not_applicable(a, err) for a in _list(raw, "not_applicable", err))
    overrides = tuple(_override(a, err) for a in _list(raw, "overrides", err))
    age = raw.get("max_model_age_days")
    if age is not None and (not isinstance(age, int) or isinstance(age, bool) or age <= 0):
        raise err("`max_model_age_days` must be a positive whole number", key="max_model_age_days")
    limits = raw.get("limits") or {}
    if not isinstance(limits, dict):
        raise err("`limits` must be a mapping", key="limits")
    for key, value in limits.items():
        if key not in LIMIT_KEYS:
            raise err(f"unknown limit {key!r} (known: {', '.join(sorted(LIMIT_KEYS))})", limits)
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise err(f"limit {key!r} must be a positive whole number", limits)
    validation = _list(raw, "data_validation", err)
    for entry in validation:
        if not isinstance(entry, dict) or not entry.get("suite") or not entry.get("data"):
            raise err(
                "each `data_validation` entry needs `suite` and `data`", entry, "data_validation"
            )
    rubric = raw.get("rubric")
    if rubric is not None and not isinstance(rubric, str):
        raise err("`rubric` must be a rubric name or a file path", key="rubric")
    repo_url = raw.get("repo_url")
    if repo_url is not None and not isinstance(repo_url, str):
        raise err("`repo_url` must be a URL", key="repo_url")
    return Config(
        source=name,
        rubric=rubric,
        gate=gate,
        exclude=tuple(exclude),
        attestations=attestations,
        not_applicable=not_applicable,
        overrides=overrides,
        max_model_age_days=age,
        data_validation=tuple(dict(v) for v in validation),
        max_file_bytes=limits.get("max_file_bytes"),
        max_files=limits.get("max_files"),
        repo_url=repo_url,
        lines=dict(lines),
    )


def _list(raw: dict, key: str, err: Any) -> list:
    value = raw.get(key) or []
    if not isinstance(value, list):
        raise err(f"`{key}` must be a list", key=key)
    return value


def _number(value: Any, what: str, err: Any, node: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise err(f"{what} must be a number", node)
    return float(value)


def _gate(raw: Any, err: Any) -> Gate:
    if raw is None:
        return Gate()
    if not isinstance(raw, dict):
        raise err("`gate` must be a mapping", key="gate")
    for key in raw:
        if key not in GATE_KEYS:
            raise err(f"unknown gate key {key!r} (known: {', '.join(sorted(GATE_KEYS))})", raw)
    fail_under = raw.get("fail_under")
    if fail_under is not None:
        fail_under = _number(fail_under, "gate.fail_under", err, raw)
    section_min = raw.get("section_min") or {}
    if not isinstance(section_min, dict):
        raise err("gate.section_min must map sections to minimum scores", raw)
    require = raw.get("require") or {}
    if not isinstance(require, dict):
        raise err("gate.require must map item ids to `manual` or `automated`", raw)
    for item, level in require.items():
        if level not in ("manual", "automated"):
            raise err(f"gate.require.{item} must be `manual` or `automated`", require)
    return Gate(
        fail_under=fail_under,
        section_min=tuple(
            sorted(
                (str(k), _number(v, f"gate.section_min.{k}", err, section_min))
                for k, v in section_min.items()
            )
        ),
        fail_on_regression=bool(raw.get("fail_on_regression", False)),
        fail_on_data_validation=bool(raw.get("fail_on_data_validation", False)),
        require=tuple(sorted((str(k), str(v)) for k, v in require.items())),
    )


def _date(value: Any, what: str, err: Any, node: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise err(f"{what} must be a date (YYYY-MM-DD), not {str(value)[:40]!r}", node) from None


def _mapping(entry: Any, what: str, err: Any, required: tuple[str, ...]) -> dict:
    if not isinstance(entry, dict):
        raise err(f"each {what} entry must be a mapping", entry, what)
    for key in required:
        if entry.get(key) in (None, ""):
            raise err(f"{what} entry is missing `{key}`", entry, what)
    return entry


def _attestation(entry: Any, err: Any) -> Attestation:
    entry = _mapping(entry, "attestations", err, ("item", "level", "evidence", "owner", "reviewed"))
    for key in entry:
        if key not in ATTESTATION_KEYS:
            raise err(f"unknown attestation key {key!r}", entry)
    level = str(entry["level"])
    if level not in ("manual", "automated"):
        raise err("attestation level must be `manual` or `automated`", entry)
    if level == "automated" and not entry.get("via"):
        raise err(
            "an automated attestation needs `via` (workflow-file#job or a test node id)", entry
        )
    reviewed = _date(entry["reviewed"], "`reviewed`", err, entry)
    expires = (
        _date(entry["expires"], "`expires`", err, entry)
        if entry.get("expires")
        else reviewed + dt.timedelta(days=365)
    )
    return Attestation(
        item=str(entry["item"]),
        level=level,
        evidence=str(entry["evidence"]),
        owner=str(entry["owner"]),
        reviewed=reviewed,
        expires=expires,
        via=str(entry["via"]) if entry.get("via") else None,
        note=str(entry["note"]) if entry.get("note") else None,
        line=getattr(entry, "line", None),
    )


def _not_applicable(entry: Any, err: Any) -> NotApplicable:
    entry = _mapping(entry, "not_applicable", err, ("item", "reason"))
    return NotApplicable(str(entry["item"]), str(entry["reason"]), getattr(entry, "line", None))


def _override(entry: Any, err: Any) -> Override:
    entry = _mapping(entry, "overrides", err, ("item", "reason"))
    if "max_level" not in entry:
        raise err("overrides entry is missing `max_level`", entry, "overrides")
    level = LEVEL_NAMES.get(str(entry["max_level"]))
    if level is None:
        raise err("override max_level must be 0, 0.5, 1, none, manual or automated", entry)
    return Override(str(entry["item"]), level, str(entry["reason"]), getattr(entry, "line", None))


def check_item_ids(config: Config, item_ids: set[str]) -> None:
    """Raise ConfigError for unknown item ids or an item listed twice across the lists."""
    seen: dict[str, str] = {}
    groups = (
        ("attestations", config.attestations),
        ("not_applicable", config.not_applicable),
        ("overrides", config.overrides),
    )
    for group, entries in groups:
        for entry in entries:
            if entry.item not in item_ids:
                raise ConfigError(
                    f"{group}: unknown item id {entry.item!r}", config.source, entry.line
                )
            if entry.item in seen:
                raise ConfigError(
                    f"{group}: item {entry.item} is already listed in {seen[entry.item]}",
                    config.source,
                    entry.line,
                )
            seen[entry.item] = group
    for item, _ in config.gate.require:
        if item not in item_ids:
            raise ConfigError(
                f"gate.require: unknown item id {item!r}", config.source, config.lines.get("gate")
            )
