"""data-1 (round 7, Z / REVIEW-R point 3): a project validator (`validate_data` calling
`DataSchema.validate`) that CI runs only through unit tests calling it directly validates the
tests' own data (fixtures, generated CSVs), not the project's: manual, with a hint. A CI test
that runs a training job which validates its inputs on the way stays automated."""

from __future__ import annotations

from tests.checks.data.util import ci, evidence, hints
from tests.helpers import audit, levels, make_repo, run_check

CHECK = "feature-schema"
SCHEMA = """
import pandera as pa


class DataSchema(pa.DataFrameModel):
    age: int = pa.Field(ge=18)
    tenure: int = pa.Field(ge=0)
    churn: int = pa.Field(isin=[0, 1])
"""
VALIDATION = """
import pandas as pd

from shop.schemas import DataSchema


def validate_data(df: pd.DataFrame) -> pd.DataFrame:
    return DataSchema.validate(df)
"""
TRAIN = """
import pandas as pd

from shop.validation import validate_data


def train(path):
    df = validate_data(pd.read_csv(path))
    return df


if __name__ == "__main__":
    train("data/train.csv")
"""
UNIT_TEST = """
import pandas as pd

from shop.validation import validate_data


def test_validate_data_accepts_rows(generated_training_csv):
    df = validate_data(pd.read_csv(generated_training_csv))
    assert len(df) > 0
"""
JOB_TEST = """
from shop.train import train


def test_training_job_runs(sample_csv):
    assert len(train(sample_csv)) > 0
"""


def _repo(tmp_path, test: str):
    files = {
        "src/shop/__init__.py": "",
        "src/shop/schemas.py": SCHEMA,
        "src/shop/validation.py": VALIDATION,
        "src/shop/train.py": TRAIN,
        "tests/test_it.py": test,
        ".github/workflows/ci.yml": ci("pytest tests"),
    }
    return make_repo(tmp_path, files, git=True)


def test_trap_validator_run_only_by_its_unit_tests_is_manual(tmp_path) -> None:
    root = _repo(tmp_path, UNIT_TEST)
    out = run_check(root, CHECK)
    assert evidence(out) == [("src/shop/validation.py", 7, "code", "manual", "validate_data")]
    assert hints(out) == [
        "`validate_data` (src/shop/validation.py:7) runs automatically only in unit tests that "
        "call it directly (tests/test_it.py::test_validate_data_accepts_rows, via "
        ".github/workflows/ci.yml#test): they test the validator on data the tests supply, not "
        "the project's data; manual until training or data code that automation runs calls it"
    ]
    assert levels(audit(root))["data-1"] == "manual"


def test_training_job_run_by_ci_validating_its_inputs_stays_automated(tmp_path) -> None:
    root = _repo(tmp_path, JOB_TEST)
    out = run_check(root, CHECK)
    assert evidence(out) == [("src/shop/validation.py", 7, "code", "automated", "validate_data")]
    assert hints(out) == []
    assert levels(audit(root))["data-1"] == "automated"


def test_trap_validator_method_run_only_by_its_unit_test_is_manual(tmp_path) -> None:
    """The same for a method (`RowValidator.validate`): the hop is `path::Class.method`."""
    root = make_repo(
        tmp_path,
        {
            "src/shop/__init__.py": "",
            "src/shop/schemas.py": SCHEMA,
            "src/shop/validation.py": """
                from shop.schemas import DataSchema


                class RowValidator:
                    def validate(self, df):
                        return DataSchema.validate(df)
            """,
            "tests/test_it.py": """
                import pandas as pd

                from shop.validation import RowValidator


                def test_validator(generated_csv):
                    assert len(RowValidator().validate(pd.read_csv(generated_csv))) > 0
            """,
            ".github/workflows/ci.yml": ci("pytest tests"),
        },
        git=True,
    )
    out = run_check(root, CHECK)
    assert evidence(out) == [
        ("src/shop/validation.py", 6, "code", "manual", "RowValidator.validate")
    ]
    assert levels(audit(root))["data-1"] == "manual"
