"""AuditResult: the immutable value every renderer reads, and its canonical JSON form.

`to_json()` / `from_json()` round-trip exactly, so a saved result can be re-rendered or
compared later without re-auditing. Bump SCHEMA_VERSION on any incompatible change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields
from typing import Any

SCHEMA_VERSION = "1.1"


@dataclass(frozen=True)
class EvidenceEntry:
    path: str
    line: int | None
    kind: str
    detail: str
    check: str = ""
    level: str = "manual"  # what this piece earned: manual | automated
    via: dict | None = None  # {root, trigger, chain, condition} when automated

    def location(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True)
class FindingEntry:
    detail: str
    path: str | None = None
    line: int | None = None
    cap: str | None = None
    check: str = ""

    def location(self) -> str:
        if not self.path:
            return ""
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True)
class ItemResult:
    id: str
    section: str
    title: str
    level: str  # none | manual | automated | not_applicable
    score: float | None
    reason: str
    next_step: str | None
    evidence: tuple[EvidenceEntry, ...] = ()
    findings: tuple[FindingEntry, ...] = ()
    context: tuple[str, ...] = ()  # what the checks looked at and why it did not earn more
    attestation: dict | None = None
    override: dict | None = None
    required: str | None = None
    delta: dict | None = None  # {"from": level, "to": level} against a baseline


@dataclass(frozen=True)
class SectionResult:
    id: str
    title: str
    raw: float
    score: float
    applicable: int
    size: int
    not_applicable: tuple[str, ...] = ()
    delta: float | None = None


@dataclass(frozen=True)
class Overall:
    score: float
    band: str
    meaning: str
    weakest: tuple[str, ...]
    delta: float | None = None


@dataclass(frozen=True)
class GateResult:
    configured: bool
    passed: bool
    reasons: tuple[str, ...] = ()
    relied_on: tuple[str, ...] = ()
    criteria: tuple[str, ...] = ()


@dataclass(frozen=True)
class AuditResult:
    tool: dict
    rubric: dict
    as_of: str
    root: str
    items: tuple[ItemResult, ...]
    sections: tuple[SectionResult, ...]
    overall: Overall
    gate: GateResult
    commit: str | None = None
    repo_url: str | None = None
    repo_prefix: str = ""  # the audited folder from the repository's top ("" at the top)
    strict: bool = False
    attestations: tuple[dict, ...] = ()
    overrides: tuple[dict, ...] = ()
    not_applicable: tuple[dict, ...] = ()
    automation: dict = field(default_factory=dict)
    notes: tuple[dict, ...] = ()
    extras: dict = field(default_factory=dict)  # data validation runs, baseline, results files
    schema_version: str = SCHEMA_VERSION

    def item(self, item_id: str) -> ItemResult | None:
        return next((i for i in self.items if i.id == item_id), None)

    def section(self, section_id: str) -> SectionResult | None:
        return next((s for s in self.sections if s.id == section_id), None)

    # -- JSON ------------------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return {
            "schema_version": self.schema_version,
            "tool": self.tool,
            "rubric": self.rubric,
            "as_of": self.as_of,
            "root": self.root,
            "commit": self.commit,
            "repo_url": self.repo_url,
            "repo_prefix": self.repo_prefix,
            "strict": self.strict,
            "items": [_dump(i) for i in self.items],
            "attestations": list(self.attestations),
            "overrides": list(self.overrides),
            "not_applicable": list(self.not_applicable),
            "sections": [_dump(s) for s in self.sections],
            "overall": _dump(self.overall),
            "gate": _dump(self.gate),
            "automation": self.automation,
            "notes": list(self.notes),
            "extras": self.extras,
        }

    def dumps(self) -> str:
        """The canonical JSON text: sorted keys, two-space indent, trailing newline."""
        text = json.dumps(self.to_json(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
        # lone surrogates (undecodable file names) cannot be written as UTF-8: replace them
        return text.encode("utf-8", "replace").decode("utf-8")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AuditResult:
        items = tuple(
            ItemResult(
                **{
                    **_only(ItemResult, i),
                    "evidence": tuple(
                        EvidenceEntry(**_only(EvidenceEntry, e)) for e in i.get("evidence", [])
                    ),
                    "findings": tuple(
                        FindingEntry(**_only(FindingEntry, f)) for f in i.get("findings", [])
                    ),
                    "context": tuple(i.get("context", [])),
                }
            )
            for i in data["items"]
        )
        sections = tuple(
            SectionResult(
                **{**_only(SectionResult, s), "not_applicable": tuple(s.get("not_applicable", []))}
            )
            for s in data["sections"]
        )
        o = data["overall"]
        overall = Overall(**{**_only(Overall, o), "weakest": tuple(o.get("weakest", []))})
        g = data["gate"]
        gate = GateResult(
            **{
                **_only(GateResult, g),
                **{k: tuple(g.get(k, [])) for k in ("reasons", "relied_on", "criteria")},
            }
        )
        return cls(
            tool=data["tool"],
            rubric=data["rubric"],
            as_of=data["as_of"],
            root=data["root"],
            items=items,
            sections=sections,
            overall=overall,
            gate=gate,
            commit=data.get("commit"),
            repo_url=data.get("repo_url"),
            repo_prefix=_prefix(data.get("repo_prefix")),
            strict=bool(data.get("strict", False)),
            attestations=tuple(data.get("attestations", [])),
            overrides=tuple(data.get("overrides", [])),
            not_applicable=tuple(data.get("not_applicable", [])),
            automation=data.get("automation", {}),
            notes=tuple(data.get("notes", [])),
            extras=data.get("extras", {}),
            schema_version=data.get("schema_version", SCHEMA_VERSION),
        )


def _prefix(value: object) -> str:
    """A saved `repo_prefix` (absent before schema 1.1; anything but a string is dropped)."""
    return value if isinstance(value, str) else ""


def _only(cls: type, data: dict) -> dict:
    names = {f.name for f in fields(cls)}
    return {k: v for k, v in data.items() if k in names}


def _dump(value: Any) -> Any:
    if hasattr(value, "__dataclass_fields__"):
        return {f.name: _dump(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, tuple | list):
        return [_dump(v) for v in value]
    if isinstance(value, dict):
        return {k: _dump(v) for k, v in value.items()}
    return value
