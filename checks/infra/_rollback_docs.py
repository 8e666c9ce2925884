"""infra-7: rollback commands written in the docs' fenced code blocks (moved out of
infra7_rollback to keep that module short)."""

from __future__ import annotations

import re
from collections.abc import Iterator

from ml_readiness.evidence import Evidence
from ml_readiness.facts import Facts, is_example_config

# a command that is a rollback by itself: `helm rollback`, `anyscale service rollback -f x`
_ROLLBACK_VERB = re.compile(
    r"(?i)rollout\s+undo|helm\s+rollback|argo\s+rollouts\s+(undo|abort)"
    r"|^(?!(then|we|to|and|or|the|if|you|please|do|for|i)\b)[\w.-]+( [a-z][\w-]*){0,3}"
    r" roll[-_]?back( |$)"
    r"|^(\./|/|(bash|sh|source|python3?|uv run|poetry run|pipenv run) (-m )?)\S*roll[-_]?back\b"
)
# a command that re-points serving, a rollback only when the docs say so around it
_ROLLBACK_TALK = re.compile(
    r"(?i)roll(ing|s)?[\s_-]?back|revert(ing)?\s+to|previous\s+(model\s+)?"
    r"(version|revision|release|deployment|model)"
)
_NOT_DONE = re.compile(
    r"(?i)\b(TODO|TBD|FIXME|planned|not\s+(yet\s+)?(implemented|supported|available|possible)"
    r"|coming\s+soon|in\s+the\s+future|we\s+should|will\s+(add|be\s+added))\b"
)
_CHANGELOG = re.compile(r"(?i)^(change[-_ ]?log|changes|history|news|release[-_ ]?notes?)\b")
_MD_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")


def fenced_rollbacks(facts: Facts, switch_command: re.Pattern[str]) -> Iterator[Evidence]:
    """A rollback command documented in a fenced code block (first one per file);
    `switch_command` matches commands that re-point serving, a rollback only when the docs
    say so around them."""
    doc_switch = re.compile(switch_command.pattern + r"|kubectl\s+set\s+image")
    for path in facts.docs():
        base = path.rsplit("/", 1)[-1]
        if not path.lower().endswith((".md", ".markdown")) or _CHANGELOG.match(base):
            continue
        if is_example_config(path) or not facts.mentions(path, "`", "~~~"):
            continue
        hit = _first_fenced_rollback(facts.lines(path), doc_switch)
        if hit:
            line, command, where = hit
            detail = f"documented rollback command ({where}): `{command[:100]}`"
            yield Evidence("infra-7", detail, path, line, "doc", "manual")


def _inline_rollback(text: str, doc_switch: re.Pattern[str]) -> str | None:
    """A rollback command in an inline code span of a sentence that talks about rolling back
    ("roll back to the previous model via `aws sagemaker update-endpoint ...`")."""
    if not _ROLLBACK_TALK.search(text) or _NOT_DONE.search(text):
        return None
    for span in re.findall(r"`([^`\n]+)`", text):
        if " " not in span.strip():
            continue  # a word or a path (`rollback`, `scripts/rollback.py`), not a command
        if _ROLLBACK_VERB.search(span) or doc_switch.search(span):
            return span
    return None


def _first_fenced_rollback(
    lines: list[str], doc_switch: re.Pattern[str]
) -> tuple[int, str, str] | None:
    """(line, command, context) of the first rollback command in a fence: a rollback verb,
    or a serving switch introduced by the heading, a comment in the block or the sentence
    before the fence talking about rolling back. Context saying it is TODO/planned voids it."""
    heading, lead, fence, notes = "", "", None, []
    for number, raw in enumerate(lines, 1):
        text = raw.strip()
        if text.startswith(("```", "~~~")):
            fence, notes, lead = (None, [], "") if fence else (text[3:].strip() or "-", [], lead)
            continue
        if fence is None:
            m = _MD_HEADING.match(raw)
            heading, lead = (m.group(1), "") if m else (heading, text or lead)
            inline = None if m else _inline_rollback(text, doc_switch)
            if inline:  # the sentence itself says it rolls back
                return number, inline, f"under `{heading}`" if heading else "in the docs"
            continue
        if fence.lower() in ("text", "txt", "output", "log", "plaintext"):
            continue  # printed output, not a command to run
        text = re.sub(r"^[$>]\s+", "", text)
        if text.startswith(("#", "//", "REM ", "::")):
            notes = [text]  # the nearest comment introduces the next command
            continue
        if not text or re.match(r"(?i)(echo|printf|print)\b", text):
            continue
        context = [c for c in (notes[-1:] + [lead, heading]) if _ROLLBACK_TALK.search(c)]
        if any(_NOT_DONE.search(c) for c in context):
            continue
        said = f"introduced by `{context[0][:80]}`" if context else ""
        if _ROLLBACK_VERB.search(text):
            return number, text, said or (f"under `{heading}`" if heading else "in the docs")
        if doc_switch.search(text) and context:
            return number, text, said
    return None
