"""Personal data in committed data files (data-5, negative evidence).

`scan_text` is a pure function: text in, masked hits out. Nothing it returns contains a
matched value: every hit carries only a masked excerpt (`j***@d***.com`, `***-**-1234`).

Bounds: only files ending in .csv .tsv .jsonl .ndjson .json .txt are scanned, at most
`MAX_FILES` of them (data folders first, then path order), reading at most `MAX_BYTES` of each
(a truncated last line is dropped); files with NUL bytes in their first 8 KiB are binary and
skipped. A file is reported only when it holds at least `MIN_DISTINCT` distinct values of one
kind, so a single stray address in a fixture does not fire.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from ml_readiness.evidence import Finding
from ml_readiness.facts import Facts, is_example_config
from ml_readiness.registry import check

MAX_BYTES = 1 << 20
MAX_FILES = 200
MIN_DISTINCT = 3
SUFFIXES = (".csv", ".tsv", ".jsonl", ".ndjson", ".json", ".txt")
NOT_DATA = re.compile(
    r"(^|/)(authors|contributors|maintainers|codeowners|license|licence|notice|copying|"
    r"requirements[^/]*|constraints[^/]*|package(-lock)?|tsconfig|composer|cmakelists)"
    r"(\.[a-z]+)?$",
    re.I,
)
DATA_FOLDERS = re.compile(r"(^|/)(data|datasets?|raw|samples?|fixtures?|exports?)/", re.I)
KINDS = {
    "email": "e-mail addresses",
    "phone": "phone numbers",
    "card": "payment-card numbers",
    "ssn": "US social security numbers",
    "nino": "UK national insurance numbers",
}

EMAIL = re.compile(
    r"(?<![\w.+-])([A-Za-z0-9][A-Za-z0-9._%+-]{0,63})@((?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,24})\b"
)
PLACEHOLDER_DOMAINS = re.compile(
    r"(^|\.)(example\.(com|org|net)|example|test|invalid|localhost|local|domain\.com|"
    r"email\.com|mail\.test|yourcompany\.com|company\.com|acme\.com)$",
    re.I,
)
PHONE_INTL = re.compile(r"(?<![\w+])\+\d{1,3}(?:[ .-]?\(?\d{1,4}\)?){2,5}(?![\w-])")
PHONE_US = re.compile(
    r"(?<![\w-])(?:\(([2-9]\d{2})\) ?|([2-9]\d{2})[.-])([2-9]\d{2})[.-](\d{4})(?![\w-])"
)
PHONE_UK = re.compile(
    r"(?<![\w-])0(?:\d{4} \d{6}|\d{3} \d{3} \d{4}|\d{2} \d{4} \d{4}|7\d{3} \d{6})(?![\w-])"
)
CARD_SEPARATED = re.compile(r"(?<![\w-])(\d{4}(?:[ -]\d{4}){2}[ -]\d{1,7})(?![\w-])")
CARD_PLAIN = re.compile(r"(?<![\w-])(\d{13,19})(?![\w-])")
CARD_COLUMN = re.compile(r"card|cc_?num|\bpan\b|credit", re.I)
SSN = re.compile(r"(?<![\w-])(\d{3})-(\d{2})-(\d{4})(?![\w-])")
NINO = re.compile(
    r"(?<![\w-])([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z]) ?(\d{2}) ?(\d{2}) ?(\d{2}) ?([A-D])(?![\w-])"
)
NINO_BAD_PREFIX = {"BG", "GB", "NK", "KN", "TN", "NT", "ZZ"}
TEST_CARDS = {
    "4111111111111111",
    "4242424242424242",
    "4012888888881881",
    "5555555555554444",
    "5105105105105100",
    "378282246310005",
    "371449635398431",
    "6011111111111117",
    "4000056655665556",
}
SAMPLE_SSNS = {"123-45-6789", "078-05-1120", "219-09-9999"}


@dataclass(frozen=True)
class PiiHit:
    """One personal-data value: its kind, line and masked form (never the value itself)."""

    kind: str
    line: int
    masked: str
    key: int  # hash of the normalised value, to count distinct values without keeping them


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def mask_email(local: str, domain: str) -> str:
    labels = domain.split(".")
    return f"{local[:1]}***@{labels[0][:1]}***.{labels[-1]}"


def mask_digits(value: str, keep: int = 4) -> str:
    """Every digit but the last `keep` replaced by `*`, separators kept."""
    total = sum(ch.isdigit() for ch in value)
    out, seen = [], 0
    for ch in value:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen > total - keep else "*")
        else:
            out.append(ch)
    return "".join(out)


def _emails(line: str) -> Iterator[tuple[str, str, str]]:
    for m in EMAIL.finditer(line):
        local, domain = m.group(1), m.group(2)
        if PLACEHOLDER_DOMAINS.search(domain) or domain.lower().endswith((".png", ".jpg")):
            continue
        yield "email", (local + "@" + domain).lower(), mask_email(local, domain)


def _phones(line: str) -> Iterator[tuple[str, str, str]]:
    for m in PHONE_US.finditer(line):
        exchange, number = m.group(3), m.group(4)
        if exchange == "555" and number.startswith("01"):
            continue  # reserved for fiction
        if exchange == "555" and number == "1212":
            continue
        digits = re.sub(r"\D", "", m.group(0))
        yield "phone", digits, mask_digits(m.group(0))
    for m in PHONE_INTL.finditer(line):
        digits = re.sub(r"\D", "", m.group(0))
        if not 8 <= len(digits) <= 15 or re.search(r"555\D?01\d\d$", m.group(0)):
            continue
        yield "phone", digits, mask_digits(m.group(0))
    for m in PHONE_UK.finditer(line):
        digits = re.sub(r"\D", "", m.group(0))
        yield "phone", digits, mask_digits(m.group(0))


def _cards(line: str, card_context: bool) -> Iterator[tuple[str, str, str]]:
    candidates = [m.group(1) for m in CARD_SEPARATED.finditer(line)]
    if card_context:
        candidates += [m.group(1) for m in CARD_PLAIN.finditer(line)]
    for raw in candidates:
        digits = re.sub(r"\D", "", raw)
        if not 13 <= len(digits) <= 19 or digits[0] not in "23456" or digits in TEST_CARDS:
            continue
        if len(set(digits)) < 3 or not luhn_valid(digits):
            continue
        yield "card", digits, mask_digits(raw)


def _national_ids(line: str) -> Iterator[tuple[str, str, str]]:
    for m in SSN.finditer(line):
        area, group, serial = m.groups()
        if area in ("000", "666") or area[0] == "9" or group == "00" or serial == "0000":
            continue
        if m.group(0) in SAMPLE_SSNS:
            continue
        yield "ssn", m.group(0), f"***-**-{serial}"
    for m in NINO.finditer(line):
        prefix = m.group(1)
        if prefix in NINO_BAD_PREFIX:
            continue
        value = "".join(m.groups())
        yield "nino", value, "********" + value[-1]


def scan_text(text: str, card_column: bool | None = None) -> list[PiiHit]:
    """Personal-data hits in `text`, one per (kind, line, value), masked.

    `card_column`: True when the text has a card-like column (so plain 13-19 digit runs are
    candidates); None to detect it from the first line (a CSV/TSV header) or JSON keys.
    """
    lines = text.splitlines()
    if card_column is None:
        header = lines[0] if lines else ""
        card_column = bool(CARD_COLUMN.search(header)) and not EMAIL.search(header)
    hits = []
    for number, line in enumerate(lines, start=1):
        context = card_column or bool(re.search(r'"[^"]*(card|cc_?num|pan)[^"]*"\s*:', line, re.I))
        for kind, value, masked in (
            *_emails(line),
            *_phones(line),
            *_cards(line, context),
            *_national_ids(line),
        ):
            hits.append(PiiHit(kind, number, masked, hash((kind, value))))
    return hits


def findings_for(path: str, hits: list[PiiHit]) -> list[Finding]:
    """One capping Finding per kind with at least MIN_DISTINCT distinct values in a file."""
    out = []
    for kind, label in KINDS.items():
        mine = [h for h in hits if h.kind == kind]
        distinct = {h.key for h in mine}
        if len(distinct) < MIN_DISTINCT:
            continue
        first = mine[0]
        out.append(
            Finding(
                "data-5",
                f"personal data committed: {len(distinct)} distinct {label} in {path} "
                f"(first at line {first.line}: `{first.masked}`); data-5 is capped at none "
                "until the file is removed from the repository (and its history) or anonymised",
                path,
                first.line,
                cap="none",
            )
        )
    return out


def candidate_files(facts: Facts) -> list[str]:
    """Committed tabular/text data files to scan, data folders first, at most MAX_FILES."""
    files = [
        p
        for p in facts.repo.with_suffix(*SUFFIXES)
        if not p.startswith("../") and not is_example_config(p) and not NOT_DATA.search(p)
    ]
    files.sort(key=lambda p: (not DATA_FOLDERS.search(p), p))
    return files[:MAX_FILES]


def read_prefix(facts: Facts, path: str) -> str | None:
    """At most MAX_BYTES of a file as text (None for binary), without a cut-off last line."""
    data = facts.repo.read_bytes(path, limit=MAX_BYTES)
    if data is None or b"\0" in data[:8192]:
        return None
    text = data.decode("utf-8", errors="replace")
    if len(data) >= MAX_BYTES and "\n" in text:
        text = text.rsplit("\n", 1)[0]
    return text


@check("data-5")
def committed_personal_data(facts: Facts) -> Iterator[Finding]:
    """Personal data committed in data files (caps data-5 at none).

    Scans committed .csv/.tsv/.jsonl/.ndjson/.json/.txt files (at most 200 files, 1 MiB each,
    data folders first) for e-mail addresses, phone numbers (international +CC and US/UK
    national formats), Luhn-valid payment-card numbers (separated, or in a card-like column),
    US SSNs (valid areas only) and UK national insurance numbers. Placeholders
    (example.com/.org/.net, .test domains, 555-01xx numbers, published test cards and sample
    SSNs) are ignored; a file is reported only with at least 3 distinct values of one kind.
    Excerpts are masked; the values themselves are never reported.
    """
    for path in candidate_files(facts):
        text = read_prefix(facts, path)
        if text:
            yield from findings_for(path, scan_text(text))
