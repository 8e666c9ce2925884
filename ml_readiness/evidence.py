"""Values that checks produce: `Evidence` (what was found) and `Finding` (what counts against).

A check yields these; it never decides a score. Scoring (`ml_readiness.scoring`) turns them into
a level, using the AutomationMap to learn whether executable evidence runs without a person.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Kind = Literal["doc", "code", "test", "config", "result"]
Level = Literal["none", "manual", "automated", "not_applicable"]
Credit = Literal["manual", "automated"]

KINDS: tuple[str, ...] = ("doc", "code", "test", "config", "result")
LEVEL_SCORES: dict[str, float] = {"none": 0.0, "manual": 0.5, "automated": 1.0}
LEVEL_ORDER: tuple[str, ...] = ("none", "manual", "automated")


@dataclass(frozen=True)
class Execution:
    """How a piece of code or a test is executed without a person.

    `root` names the automation root (`.github/workflows/ci.yml#test`), `trigger` is one of
    `change`, `schedule`, `pipeline`, `manual`, `platform`; `chain` lists the hops from the root
    down to the evidence (job → step → command → file → function); `condition` is an `if:` or
    rule that limits when the root runs, shown to the reader.
    """

    root: str
    trigger: str
    chain: tuple[str, ...] = ()
    condition: str | None = None

    @property
    def automated(self) -> bool:
        """True when the trigger makes evidence automated (change/schedule/pipeline/platform)."""
        return self.trigger in ("change", "schedule", "pipeline", "platform")

    def to_json(self) -> dict:
        return {
            "root": self.root,
            "trigger": self.trigger,
            "chain": list(self.chain),
            "condition": self.condition,
        }


@dataclass(frozen=True)
class Evidence:
    """One piece of evidence for a rubric item.

    - `kind`: `doc`, `code`, `test`, `config` or `result`.
    - `credit`: the most this evidence can earn on its own. `automated` evidence of kind `code`
      or `test` earns automated only when the AutomationMap shows `path` (and `symbol`, a
      function's qualified name in that file, when given) is executed by a change, schedule or
      pipeline root; otherwise it earns manual. `config` evidence with `enforced=True` is a
      declarative file its platform reads and enforces continuously, so it earns automated
      without any CI. `doc` and `result` evidence earn at most manual.
    - `check`: filled in by the registry with the id of the check that produced it.
    """

    item: str
    detail: str
    path: str
    line: int | None = None
    kind: Kind = "code"
    credit: Credit = "automated"
    symbol: str | None = None
    enforced: bool = False
    check: str = ""

    def location(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True)
class Finding:
    """Something that counts against an item (personal data committed, failing expectations).

    `cap` is the highest level the item may keep while this finding stands (`none` or
    `manual`), or None when the finding is informational. `detail` must never contain a
    sensitive value itself: mask it first.
    """

    item: str
    detail: str
    path: str | None = None
    line: int | None = None
    cap: Level | None = None
    check: str = ""

    def location(self) -> str:
        if not self.path:
            return ""
        return f"{self.path}:{self.line}" if self.line else self.path


@dataclass(frozen=True)
class Note:
    """An input the audit skipped or could not read (a broken YAML file, a link out of the tree)."""

    path: str
    message: str

    def to_json(self) -> dict:
        return {"path": self.path, "message": self.message}


@dataclass(frozen=True)
class Hint:
    """A check's explanation of why it found nothing (or only part), shown as the item's context.

    An item without evidence gives its first hint as the reason: hints are ordered by
    `priority` (higher first), then alphabetically, so a check gives its most telling
    explanation (a partial-seeding breakdown rather than a missing lock file) a priority."""

    item: str
    detail: str
    check: str = ""
    extra: dict = field(default_factory=dict, compare=False, hash=False)
    priority: int = 0
