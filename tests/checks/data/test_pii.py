"""The personal-data scanner (pure functions) and its data-5 check."""

from __future__ import annotations

from ml_readiness.checks.data.pii import (
    MAX_BYTES,
    findings_for,
    luhn_valid,
    mask_digits,
    scan_text,
)

from tests.helpers import audit, levels, make_repo, run_check


def kinds(text: str) -> list[str]:
    return [h.kind for h in scan_text(text)]


def test_emails_are_found_and_masked() -> None:
    hits = scan_text("name,email\nJane,jane.doe@gmail.com\nBo,bo@corp.co.uk\n")
    assert [(h.kind, h.line, h.masked) for h in hits] == [
        ("email", 2, "j***@g***.com"),
        ("email", 3, "b***@c***.uk"),
    ]


def test_placeholder_domains_do_not_fire() -> None:
    text = "a@example.com\nb@example.org\nc@example.net\nd@foo.test\ne@mail.example\n"
    assert scan_text(text) == []


def test_phone_formats() -> None:
    text = "+44 20 7946 0321\n(212) 867-5309\n415.867.5309\n020 7946 0321\n"
    hits = scan_text(text)
    assert [(h.kind, h.line) for h in hits] == [
        ("phone", 1),
        ("phone", 2),
        ("phone", 3),
        ("phone", 4),
    ]
    assert hits[1].masked == "(***) ***-5309"


def test_fictional_555_numbers_do_not_fire() -> None:
    assert scan_text("(212) 555-0134\n212-555-0199\n+1 212 555 0142\n") == []


def test_card_numbers_need_luhn_and_context() -> None:
    assert luhn_valid("4539578763621486")
    assert not luhn_valid("4539578763621487")
    separated = scan_text("paid with 4539 5787 6362 1486 today\n")
    assert [(h.kind, h.masked) for h in separated] == [("card", "**** **** **** 1486")]
    # an unseparated digit run counts only in a card-like column
    assert scan_text("order_id,total\n4539578763621486,10\n") == []
    column = scan_text("card_number,total\n4539578763621486,10\n")
    assert [(h.kind, h.masked) for h in column] == [("card", "************1486")]
    # Luhn-invalid and published test cards do not fire
    assert scan_text("4539 5787 6362 1487\n4111 1111 1111 1111\n") == []


def test_national_identifiers() -> None:
    hits = scan_text("536-22-8145\nJK 12 34 56 C\n")
    assert [(h.kind, h.masked) for h in hits] == [("ssn", "***-**-8145"), ("nino", "********C")]
    # invalid SSN areas, the famous sample numbers and invalid NINO prefixes
    assert scan_text("000-12-3456\n666-12-3456\n912-34-5678\n123-45-6789\nGB 12 34 56 A\n") == []


def test_random_ids_order_numbers_and_dates_do_not_fire() -> None:
    text = (
        "id,order,created,hash\n"
        "3f2504e0-4f89-11d3-9a0c-0305e82c3301,ORD-2024-000123,2024-01-15,"
        "9e107d9d372bb6826bd81d3542a419d6\n"
        "6ba7b810-9dad-11d1-80b4-00c04fd430c8,INV-123-456-7890,2023-12-31,"
        "e4d909c290d0fb1ca068ffaddf22cbd0\n"
        "1234567890123456,PO-42,2024-02-29,deadbeefdeadbeef\n"
    )
    assert scan_text(text) == []


def test_masked_output_never_contains_the_value() -> None:
    values = [
        "jane.doe@gmail.com",
        "+44 20 7946 0321",
        "(212) 867-5309",
        "4539 5787 6362 1486",
        "536-22-8145",
        "JK 12 34 56 C",
    ]
    text = "\n".join(values) + "\n"
    hits = scan_text(text)
    assert len(hits) == len(values)
    for value, hit in zip(values, hits, strict=True):
        assert value not in hit.masked
        assert value.replace(" ", "") not in hit.masked.replace(" ", "")
    finding_text = " ".join(f.detail for f in findings_for("x.csv", hits * 3))
    for value in values:
        assert value not in finding_text
    assert mask_digits("536-22-8145") == "***-**-8145"


def test_single_and_double_hits_are_not_findings() -> None:
    hits = scan_text("a,b\nann@gmail.com\nbob@gmail.com\nann@gmail.com\n")
    assert len(hits) == 3
    assert findings_for("data/x.csv", hits) == []


def test_check_reports_three_distinct_values_with_cap(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            "data/customers.csv": (
                "id,email,phone\n"
                "1,jane.doe@gmail.com,+44 20 7946 0321\n"
                "2,john.smith@yahoo.com,+44 20 7946 0322\n"
                "3,ana.lima@outlook.com,+44 20 7946 0323\n"
            ),
            "tests/fixtures/users.json": '[{"email": "a@example.com"}, {"email": "b@gmail.com"}]',
            "data/blob.txt": b"\x00\x01jane.doe@gmail.com bo@gmail.com al@gmail.com",
        },
    )
    out = run_check(root, "committed-personal-data")
    assert [(f.path, f.line, f.cap) for f in out] == [
        ("data/customers.csv", 2, "none"),
        ("data/customers.csv", 2, "none"),
    ]
    assert out[0].detail.startswith(
        "personal data committed: 3 distinct e-mail addresses in data/customers.csv "
        "(first at line 2: `j***@g***.com`)"
    )
    assert "3 distinct phone numbers" in out[1].detail
    assert "gmail" not in out[0].detail.replace("g***", "")


def test_personal_data_caps_data5_even_with_controls(tmp_path) -> None:
    root = make_repo(
        tmp_path,
        {
            "data/people.csv": "ssn\n536-22-8145\n536-22-8146\n536-22-8147\n",
            "docs/privacy.md": (
                "# Data access and retention\n\nRaw data lives in the restricted bucket; only the "
                "data team has read access and raw extracts are deleted after thirty days by the "
                "lifecycle rule documented here.\n"
            ),
        },
    )
    result = audit(root)
    assert levels(result)["data-5"] == "none"
    item = next(i for i in result.items if i.id == "data-5")
    assert item.reason.startswith("capped at none: personal data committed: 3 distinct US social")


def test_read_is_bounded(tmp_path) -> None:
    rows = "".join(f"{i},x\n" for i in range(MAX_BYTES // 6))
    tail = "a@gmail.com\nb@gmail.com\nc@gmail.com\n"
    root = make_repo(tmp_path, {"data/big.csv": "id,v\n" + rows + tail})
    assert run_check(root, "committed-personal-data") == []
