"""Static pickup of @pytest.mark.mlready: linked tests are evidence, read from the AST."""

from __future__ import annotations

from ml_readiness.evidence import Evidence, Execution, Finding
from ml_readiness.result import EvidenceEntry, FindingEntry
from tests.helpers import make_repo, run_check
from tests.linked.common import MY_RUBRIC, audit_linked, item

TESTS = """
    import pytest
    from pytest import mark

    pytestmark = pytest.mark.mlready("monitor-5")


    @pytest.mark.mlready("infra-2", "monitor-4")
    def test_round_trip():
        assert load(save(1)) == 1


    @mark.mlready(["data-8"])
    @pytest.mark.parametrize("n", [1, 2])
    def test_columns(n):
        assert n > 0


    @pytest.mark.mlready("infra-3")
    class TestServing:
        def test_answers(self):
            assert answer() == 42
"""


def test_marked_tests_are_test_evidence_with_their_qualname(tmp_path):
    root = make_repo(tmp_path, {"tests/test_links.py": TESTS})
    found = sorted(run_check(root, "linked-tests"), key=lambda e: (e.item, e.line))
    detail = "test {} linked by @pytest.mark.mlready"
    path = "tests/test_links.py"
    assert found == [
        Evidence(
            "infra-2",
            detail.format("test_round_trip"),
            path,
            8,
            "test",
            "automated",
            "test_round_trip",
            check="linked-tests",
        ),
        Evidence(
            "infra-3",
            detail.format("TestServing.test_answers"),
            path,
            20,
            "test",
            "automated",
            "TestServing.test_answers",
            check="linked-tests",
        ),
        Evidence(
            "monitor-4",
            detail.format("test_round_trip"),
            path,
            8,
            "test",
            "automated",
            "test_round_trip",
            check="linked-tests",
        ),
        Evidence(
            "monitor-5",
            detail.format("test_round_trip"),
            path,
            8,
            "test",
            "automated",
            "test_round_trip",
            check="linked-tests",
        ),
        Evidence(
            "monitor-5",
            detail.format("test_columns"),
            path,
            14,
            "test",
            "automated",
            "test_columns",
            check="linked-tests",
        ),
        Evidence(
            "monitor-5",
            detail.format("TestServing.test_answers"),
            path,
            20,
            "test",
            "automated",
            "TestServing.test_answers",
            check="linked-tests",
        ),
    ]  # data-8 is not a default item: the check leaves it to the hook


def test_custom_item_is_credited_by_the_hook_and_unknown_ids_are_noted(tmp_path):
    root = make_repo(tmp_path, {"tests/test_links.py": TESTS})
    result = audit_linked(root, rubric=str(MY_RUBRIC))
    assert item(result, "data-8").evidence == (
        EvidenceEntry(
            "tests/test_links.py",
            14,
            "test",
            "test test_columns linked by @pytest.mark.mlready",
            "linked-tests",
        ),
    )
    assert item(result, "infra-3").level == "manual"
    default = audit_linked(root)  # data-8 is not in the default rubric
    assert {
        "path": "tests/test_links.py",
        "message": "line 12: @pytest.mark.mlready on test_columns names 'data-8', which is "
        "not an item of the rubric in use; ignored",
    } in default.notes


def test_linked_test_is_automated_when_ci_collects_it(tmp_path):
    root = make_repo(tmp_path, {"tests/test_links.py": TESTS})
    run = Execution(".github/workflows/ci.yml#test", "change", ("pytest tests",))

    def ci_collects(ctx):  # stands in for the AutomationMap's CI resolution
        ctx.facts.automation.record("tests/test_links.py", "TestServing.test_answers", run)

    result = audit_linked(root, ci_collects)
    assert (item(result, "infra-3").level, item(result, "infra-3").score) == ("automated", 1.0)
    assert item(result, "infra-3").evidence[0].via == run.to_json()
    assert item(result, "infra-2").level == "manual"  # test_round_trip is not collected


def test_trap_a_marker_never_replaces_an_assertion(tmp_path):
    root = make_repo(
        tmp_path,
        {
            "tests/test_empty.py": """
        import pytest

        @pytest.mark.mlready("infra-2")
        def test_placeholder():
            assert True

        @pytest.mark.mlready("infra-2")
        def test_nothing():
            build()

        @pytest.mark.mlready("infra-2")
        @pytest.mark.skip(reason="flaky")
        def test_skipped():
            assert build() == 1

        @pytest.mark.skip
        class TestLater:
            @pytest.mark.mlready("infra-2")
            def test_later(self):
                assert build() == 1
    """
        },
    )
    found = run_check(root, "linked-tests")
    assert all(isinstance(f, Finding) and f.cap is None for f in found)
    assert [(f.line, f.detail) for f in found] == [
        (
            4,
            "test test_placeholder is linked by @pytest.mark.mlready but has only `assert "
            "True`; a marker links a test, it does not replace one; not credited",
        ),
        (
            8,
            "test test_nothing is linked by @pytest.mark.mlready but has no assertion; a "
            "marker links a test, it does not replace one; not credited",
        ),
        (
            13,
            "test test_skipped is linked by @pytest.mark.mlready but is always skipped; "
            "not credited",
        ),
        (
            19,
            "test TestLater.test_later is linked by @pytest.mark.mlready but is always "
            "skipped; not credited",
        ),
    ]
    result = audit_linked(root)
    infra_2 = item(result, "infra-2")
    assert (infra_2.level, infra_2.evidence) == ("none", ())
    assert infra_2.findings[0] == FindingEntry(
        found[0].detail, "tests/test_empty.py", 4, None, "linked-tests"
    )


def test_trap_markers_in_text_helpers_or_non_literal_args_link_nothing(tmp_path):
    root = make_repo(
        tmp_path,
        {
            "tests/test_text.py": '''
            """Use @pytest.mark.mlready("infra-2") to link tests."""
            import pytest

            IDS = ("infra-2",)

            # @pytest.mark.mlready("infra-2")
            def test_commented():
                assert run() == 1

            @pytest.mark.mlready(*IDS)
            def test_dynamic():
                assert run() == 1
        ''',
            "src/helpers.py": """
            import pytest

            @pytest.mark.mlready("infra-2")
            def test_not_collected():
                assert run() == 1
        """,
        },
    )
    assert run_check(root, "linked-tests") == []
    result = audit_linked(root)
    assert item(result, "infra-2").level == "none"
    assert {
        "path": "tests/test_text.py",
        "message": "line 10: @pytest.mark.mlready arguments are not literal item ids; not linked",
    } in result.notes


CI = """
    on: [push]
    jobs:
      test:
        runs-on: ubuntu-latest
        steps:
          - uses: actions/checkout@v4
          - run: pytest {target}
"""


def test_real_ci_collecting_the_linked_test_makes_it_automated(tmp_path):
    files = {"tests/test_links.py": TESTS, ".github/workflows/ci.yml": CI.format(target="tests")}
    result = audit_linked(make_repo(tmp_path / "a", files), rubric=str(MY_RUBRIC))
    data_8 = item(result, "data-8")
    assert (data_8.level, data_8.evidence[0].via["root"]) == (
        "automated",
        ".github/workflows/ci.yml#test",
    )
    assert data_8.reason == (
        "automated: test test_columns linked by @pytest.mark.mlready (tests/test_links.py:14) "
        "runs via .github/workflows/ci.yml#test on change"
    )
    files[".github/workflows/ci.yml"] = CI.format(target="tests/unit")  # trap: not collected
    result = audit_linked(make_repo(tmp_path / "b", files), rubric=str(MY_RUBRIC))
    assert item(result, "data-8").level == "manual"
