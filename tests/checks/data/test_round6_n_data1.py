"""data-1 (round 6, N): a schema validated in a test against a frame typed into the test (or
built by a fixture from literals) tests the schema object, not the project's data: no credit
from that site; data read by the test (or its fixture) still counts."""

from __future__ import annotations

from tests.checks.data.util import ci, evidence, hints
from tests.helpers import audit, levels, make_repo, run_check

CHECK = "feature-schema"
SCHEMA = """
import pandas as pd
import pandera as pa

rating_schema = pa.DataFrameSchema(
    {
        "user_id": pa.Column(int),
        "item_id": pa.Column(int),
        "rating": pa.Column(float),
    }
)

if __name__ == "__main__":
    rating_schema.validate(pd.read_csv("data/ratings.csv"))
"""
LITERAL_TEST = """
import pandas as pd
from src.schema import rating_schema

def test_schema_valid():
    df = pd.DataFrame({"user_id": [1, 2], "item_id": [10, 20], "rating": [4.5, 3.0]})
    rating_schema.validate(df)
"""
READ_TEST = """
import pandas as pd
from src.schema import rating_schema

def test_sample_data_matches_schema():
    df = pd.read_csv("tests/data/ratings_sample.csv")
    rating_schema.validate(df)
"""
LITERAL_HINT = (
    "`rating_schema.validate` at tests/test_schema.py:{line} validates data written in the "
    "test (a literal or generated frame): it tests the schema, not the project's data; "
    "not credited"
)


def _repo(tmp_path, test: str, extra: dict[str, str] | None = None):
    files = {
        "src/__init__.py": "",
        "src/schema.py": SCHEMA,
        "tests/test_schema.py": test,
        ".github/workflows/ci.yml": ci("pytest tests"),
        **(extra or {}),
    }
    return make_repo(tmp_path, files, git=True)


def test_schema_validated_on_a_literal_frame_in_ci_is_not_automated(tmp_path) -> None:
    root = _repo(tmp_path, LITERAL_TEST)
    out = run_check(root, CHECK)
    assert evidence(out) == [("src/schema.py", 13, "code", "automated", "<main>")]
    assert hints(out) == [LITERAL_HINT.format(line=6)]
    assert levels(audit(root))["data-1"] == "manual"


def test_schema_validated_on_data_read_in_ci_test_is_automated(tmp_path) -> None:
    root = _repo(tmp_path, READ_TEST)
    out = run_check(root, CHECK)
    assert ("tests/test_schema.py", 6, "test", "automated", "test_sample_data_matches_schema") in (
        evidence(out)
    )
    assert hints(out) == []
    assert levels(audit(root))["data-1"] == "automated"


def test_literal_frame_from_a_fixture_or_inline_is_not_credited(tmp_path) -> None:
    test = """
    import pandas as pd
    import pytest
    from src.schema import rating_schema

    ROWS = [{"user_id": 1, "item_id": 10, "rating": 4.5}]

    @pytest.fixture
    def frame():
        return pd.DataFrame(ROWS)

    def test_fixture_frame(frame):
        rating_schema.validate(frame)

    def test_inline_frame():
        rating_schema.validate(
            pd.DataFrame({"user_id": [1], "item_id": [2], "rating": [1.0]})
        )
    """
    root = _repo(tmp_path, test)
    out = run_check(root, CHECK)
    assert evidence(out) == [("src/schema.py", 13, "code", "automated", "<main>")]
    assert hints(out) == [LITERAL_HINT.format(line=12), LITERAL_HINT.format(line=15)]
    assert levels(audit(root))["data-1"] == "manual"


def test_frame_from_project_code_or_a_reading_fixture_is_credited(tmp_path) -> None:
    test = """
    import pandas as pd
    import pytest
    from src.features import build_features
    from src.schema import rating_schema

    @pytest.fixture
    def sample():
        return pd.read_parquet("tests/data/sample.parquet")

    def test_fixture_reads(sample):
        rating_schema.validate(sample)

    def test_features_output():
        raw = pd.DataFrame({"user_id": [1], "item_id": [2], "rating": [1.0]})
        out = build_features(raw)
        rating_schema.validate(out)
    """
    features = "def build_features(df):\n    return df.assign(rating=df.rating.astype(float))\n"
    root = _repo(tmp_path, test, {"src/features.py": features})
    out = run_check(root, CHECK)
    assert [e for e in evidence(out) if e[0] == "tests/test_schema.py"] == [
        ("tests/test_schema.py", 11, "test", "automated", "test_fixture_reads"),
        ("tests/test_schema.py", 16, "test", "automated", "test_features_output"),
    ]
    assert hints(out) == []
    assert levels(audit(root))["data-1"] == "automated"


RECORD_SCHEMA = """
{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "properties": {"user_id": {"type": "integer"}, "rating": {"type": "number"}}
}
"""


def test_jsonschema_on_a_literal_record_in_a_test_is_not_credited(tmp_path) -> None:
    test = """
    import json
    import jsonschema

    def test_record_valid():
        schema = json.load(open("schemas/record.schema.json"))
        jsonschema.validate({"user_id": 1, "rating": 4.5}, schema)
    """
    files = {
        "schemas/record.schema.json": RECORD_SCHEMA,
        "tests/test_record.py": test,
        ".github/workflows/ci.yml": ci("pytest tests"),
    }
    root = make_repo(tmp_path, files, git=True)
    out = run_check(root, CHECK)
    assert evidence(out) == []
    assert hints(out)[0] == (
        "`jsonschema.validate` at tests/test_record.py:6 validates data written in the test (a "
        "literal or generated frame): it tests the schema, not the project's data; not credited"
    )
    assert levels(audit(root))["data-1"] == "none"


def test_jsonschema_on_records_read_in_a_test_is_automated(tmp_path) -> None:
    test = """
    import json
    import jsonschema

    def test_records_valid():
        schema = json.load(open("schemas/record.schema.json"))
        record = json.load(open("data/sample_record.json"))
        jsonschema.validate(record, schema)
    """
    files = {
        "schemas/record.schema.json": RECORD_SCHEMA,
        "tests/test_record.py": test,
        ".github/workflows/ci.yml": ci("pytest tests"),
    }
    root = make_repo(tmp_path, files, git=True)
    out = run_check(root, CHECK)
    assert evidence(out) == [("tests/test_record.py", 7, "test", "automated", "test_records_valid")]
    assert hints(out) == []
    assert levels(audit(root))["data-1"] == "automated"


def test_frames_of_unknown_origin_in_a_test_stay_credited(tmp_path) -> None:
    test = """
    import pandas as pd
    from src.schema import rating_schema

    class TestSchema:
        def setup_method(self):
            self.rows = load_rows()

        def test_rows(self):
            rating_schema.validate(pd.DataFrame(self.rows))

        def test_comprehension(self):
            rating_schema.validate(pd.DataFrame([r for r in self.rows]))
    """
    root = _repo(tmp_path, test)
    out = run_check(root, CHECK)
    assert [e for e in evidence(out) if e[0] == "tests/test_schema.py"] == [
        ("tests/test_schema.py", 9, "test", "automated", "TestSchema.test_rows"),
        ("tests/test_schema.py", 12, "test", "automated", "TestSchema.test_comprehension"),
    ]
    assert hints(out) == []
