"""JUnit results fed back: failed or skipped tests lose their evidence, with a Finding."""

from __future__ import annotations

import pytest

from ml_readiness.errors import UsageError
from ml_readiness.evidence import Evidence
from ml_readiness.linked import JUnitCase, load_results, results_hook
from ml_readiness.result import FindingEntry
from tests.helpers import make_repo
from tests.linked.common import audit_linked, item

TESTS = {
    "tests/test_serving.py": """
        import pytest


        @pytest.mark.mlready("infra-2")
        def test_loads():
            assert load() is not None


        class TestApi:
            @pytest.mark.mlready("infra-2", "monitor-5")
            def test_answers(self):
                assert answer() == 42
    """,
}


def junit(*cases: str) -> str:
    body = "".join(cases)
    return (
        f'<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest">{body}'
        "</testsuite></testsuites>"
    )


def case(classname: str, name: str, inner: str = "", items: str = "") -> str:
    props = (
        f'<properties><property name="mlready_items" value="{items}"/></properties>'
        if items
        else ""
    )
    return f'<testcase classname="{classname}" name="{name}">{props}{inner}</testcase>'


FAIL = '<failure message="assert None == 42">trace</failure>'
SKIP = '<skipped type="pytest.skip" message="no GPU">skip</skipped>'


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_cases_fold_parametrizations_and_files(tmp_path):
    one = write(
        tmp_path,
        "a.xml",
        junit(
            case("tests.test_x", "test_p[1]"),
            case("tests.test_x", "test_p[2-b]", FAIL, "infra-2"),
            case("tests.test_x.TestC", "test_s", SKIP),
            case("tests.test_x", "test_q[a]", SKIP),
            case("tests.test_x", "test_q[b]"),
        ),
    )
    two = write(tmp_path, "b.xml", junit(case("tests.test_x.TestC", "test_s")))
    results = load_results((one, two))
    assert results.files == (one, two)
    assert results.cases == (
        JUnitCase("tests.test_x", "test_p", None, "failed", "assert None == 42", one, ("infra-2",)),
        JUnitCase("tests.test_x", "test_q", None, "passed", "", one),
        JUnitCase("tests.test_x.TestC", "test_s", None, "passed", "", two),
    )


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><testsuites/>',
            "results file declares a DOCTYPE or ENTITY; refusing to parse it",
        ),
        (
            "<testsuites>\n<testcase name='a'>\n</testsuites>",
            "not well-formed XML (mismatched tag)",
        ),
        ("<html><body/></html>", "not a JUnit XML report (root element <html>)"),
    ],
)
def test_unsafe_or_malformed_results_are_usage_errors(tmp_path, content, message):
    path = write(tmp_path, "r.xml", content)
    with pytest.raises(UsageError) as err:
        load_results((path,))
    line = ":3" if "mismatched" in message else ""
    assert str(err.value) == f"{path}{line}: {message}"


def test_utf16_doctype_and_missing_file_are_refused(tmp_path):
    path = tmp_path / "u.xml"
    path.write_bytes('<!DOCTYPE x [<!ENTITY a "a">]><testsuites/>'.encode("utf-16"))
    with pytest.raises(UsageError, match="DOCTYPE or ENTITY"):
        load_results((str(path),))
    with pytest.raises(UsageError) as err:
        results_hook((str(tmp_path / "nope.xml"),))
    assert str(err.value) == f"{tmp_path / 'nope.xml'}: results file not found"


def test_failed_linked_test_loses_its_evidence_and_is_named(tmp_path):
    root = make_repo(tmp_path / "repo", TESTS)
    before = audit_linked(root)
    assert (item(before, "infra-2").level, len(item(before, "infra-2").evidence)) == ("manual", 2)
    assert item(before, "monitor-5").level == "manual"
    report = write(
        tmp_path,
        "junit.xml",
        junit(
            case("tests.test_serving", "test_loads"),
            case("tests.test_serving.TestApi", "test_answers", FAIL),
        ),
    )
    after = audit_linked(root, results_hook((report,)))
    infra_2 = item(after, "infra-2")
    assert infra_2.level == "manual"  # test_loads passed and still counts
    assert [e.detail for e in infra_2.evidence] == [
        "test test_loads linked by @pytest.mark.mlready"
    ]
    failed = (
        f"test tests/test_serving.py::TestApi::test_answers failed in {report}: "
        "assert None == 42; its evidence is not credited"
    )
    assert infra_2.findings == (FindingEntry(failed, "tests/test_serving.py", 11, None, "results"),)
    monitor_5 = item(after, "monitor-5")  # its only linked test failed: the level drops
    assert (monitor_5.level, monitor_5.evidence, monitor_5.score) == ("none", (), 0.0)
    assert monitor_5.findings == infra_2.findings
    assert after.extras["results"] == {
        "files": [report],
        "tests": 2,
        "failed": ["tests/test_serving.py::TestApi::test_answers"],
        "skipped": [],
        "unmatched": 0,
    }


def test_skipped_tests_lose_evidence_of_every_check_not_only_linked(tmp_path):
    root = make_repo(tmp_path / "repo", TESTS)

    def other_check(ctx):  # test evidence some other check produced for the same test
        ctx.produced["model-2"].append(
            Evidence(
                "model-2",
                "baseline comparison test",
                "tests/test_serving.py",
                6,
                "test",
                symbol="test_loads",
                check="other",
            )
        )

    report = write(tmp_path, "junit.xml", junit(case("tests.test_serving", "test_loads", SKIP)))
    result = audit_linked(root, other_check, results_hook((report,)))
    skipped = (
        f"test tests/test_serving.py::test_loads was skipped in {report}: no GPU; its "
        "evidence is not credited"
    )
    for item_id in ("model-2", "infra-2"):
        assert [f.detail for f in item(result, item_id).findings] == [skipped]
    assert item(result, "model-2").level == "none"
    assert [e.detail for e in item(result, "infra-2").evidence] == [
        "test TestApi.test_answers linked by @pytest.mark.mlready"
    ]


def test_classnames_match_when_pytest_ran_above_or_below_the_audited_root(tmp_path):
    root = make_repo(tmp_path / "repo", {f"ml/{k}": v for k, v in TESTS.items()})
    above = write(
        tmp_path,
        "above.xml",
        junit(case("ml.tests.test_serving", "test_loads", FAIL), case("other.test_y", "test_z")),
    )
    result = audit_linked(root / "ml", results_hook((above,)))
    assert [e.detail for e in item(result, "infra-2").evidence] == [
        "test TestApi.test_answers linked by @pytest.mark.mlready"
    ]
    assert result.extras["results"]["unmatched"] == 1
    below = write(tmp_path, "below.xml", junit(case("tests.test_serving", "test_loads", FAIL)))
    result = audit_linked(root, results_hook((below,)))
    assert [f.location() for f in item(result, "infra-2").findings] == [
        "ml/tests/test_serving.py:5"
    ]


def test_property_items_get_a_finding_even_without_static_evidence(tmp_path):
    root = make_repo(
        tmp_path / "repo",
        {
            "tests/test_dyn.py": """
        import pytest
        IDS = ["monitor-2"]

        @pytest.mark.mlready(*IDS)
        def test_dyn():
            assert check() == 1
    """
        },
    )
    report = write(
        tmp_path,
        "junit.xml",
        junit(case("tests.test_dyn", "test_dyn", FAIL, items="monitor-2,not-an-item")),
    )
    result = audit_linked(root, results_hook((report,)))
    assert [f.detail for f in item(result, "monitor-2").findings] == [
        f"test tests/test_dyn.py::test_dyn failed in {report}: assert None == 42; its evidence "
        "is not credited"
    ]
