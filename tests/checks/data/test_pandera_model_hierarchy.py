"""data-1: pandera models deriving from a project base model, validated through its classmethod
(fmind/mlops-python-package: `Schema.check` calls `cls.validate`)."""

from __future__ import annotations

from tests.checks.data.util import details, evidence
from tests.helpers import make_repo, run_check

CHECK = "feature-schema"
SCHEMAS = """
import pandas as pd
import pandera as pa
import pandera.typing as papd


class Schema(pa.DataFrameModel):
    class Config:
        strict = True

    @classmethod
    def check(cls, data: pd.DataFrame):
        return cls.validate(data)

    @classmethod
    def describe(cls, data: pd.DataFrame):
        return cls.to_schema()


class InputsSchema(Schema):
    hr: papd.Series[int] = pa.Field(ge=0, le=23)
    temp: papd.Series[float] = pa.Field(ge=0, le=1)
"""
JOB = """
import pandas as pd

from bikes import schemas


def run():
    inputs = schemas.InputsSchema.METHOD(pd.read_csv("data/inputs.csv"))
    return inputs


if __name__ == "__main__":
    run()
"""


def _out(tmp_path, method: str):
    root = make_repo(
        tmp_path,
        {
            "src/bikes/__init__.py": "",
            "src/bikes/schemas.py": SCHEMAS,
            "src/bikes/jobs.py": JOB.replace("METHOD", method),
        },
    )
    return run_check(root, CHECK)


def test_a_sub_model_validated_through_its_base_classmethod(tmp_path):
    out = _out(tmp_path, "check")
    assert evidence(out) == [("src/bikes/jobs.py", 7, "code", "automated", "run")]
    assert details(out) == [
        "pandera model `InputsSchema` covers 2 columns: hr, temp; validated by "
        "`schemas.InputsSchema.check`"
    ]


def test_trap_a_classmethod_that_does_not_validate_is_not_validation(tmp_path):
    assert evidence(_out(tmp_path, "describe")) == []


def test_trap_a_check_method_of_some_other_class_is_not_validation(tmp_path):
    other = (
        "class Report:\n    @classmethod\n"
        "    def check(cls, data):\n        return cls.validate(data)\n"
    )
    root = make_repo(
        tmp_path,
        {
            "src/bikes/report.py": other,
            "src/bikes/jobs.py": "from bikes.report import Report\n\nReport.check(1)\n",
        },
    )
    assert evidence(run_check(root, CHECK)) == []
