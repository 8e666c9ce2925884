"""data-1 (round 7, Z / REVIEW-R point 7): a committed schema JSON (`ColName`,
`NumberofColumns`) read by a loader and enforced by a validator of the same module that moves
non-conforming files away, both called by the training-validation code: a schema the training
data is checked against (manual: column count/presence). The same code on the prediction path
only is monitor-2 (a hint), and a schema file nobody enforces earns nothing."""

from __future__ import annotations

import json

from tests.checks.data.util import details, evidence, hints
from tests.helpers import audit, levels, make_repo, run_check

CHECK = "feature-schema"
SCHEMA = json.dumps(
    {
        "SampleFileName": "wafer_08012020_120000.csv",
        "NumberofColumns": 3,
        "ColName": {"Wafer": "varchar", "Sensor - 1": "float", "Sensor - 2": "float"},
    },
    indent=2,
)
VALIDATION = """
import json
import shutil
from os import listdir

import pandas as pd


class Raw_Data_validation:
    def __init__(self, path, schema_path):
        self.path = path
        self.schema_path = schema_path

    def valuesFromSchema(self):
        with open(self.schema_path) as f:
            dic = json.load(f)
        return dic["ColName"], dic["NumberofColumns"]

    def validateColumnLength(self, NumberofColumns):
        for file in listdir(self.path):
            csv = pd.read_csv(self.path + file)
            if csv.shape[1] != NumberofColumns:
                shutil.move(self.path + file, "Bad_Raw/")
"""
INSERTION = """
from {module} import Raw_Data_validation


class {cls}:
    def __init__(self, path):
        self.raw_data = Raw_Data_validation(path, "{schema}")

    def {method}(self):
        column_names, noofcolumns = self.raw_data.valuesFromSchema()
        self.raw_data.validateColumnLength(noofcolumns)
"""
TRAIN = """
import pandas as pd
from sklearn.ensemble import RandomForestClassifier

from training_Validation_Insertion import train_validation


def train(path):
    train_validation(path).train_validation()
    df = pd.read_csv("Training_FileFromDB/InputFile.csv")
    RandomForestClassifier().fit(df.drop(columns=["Output"]), df["Output"])


if __name__ == "__main__":
    train("Training_Batch_Files/")
"""


def _files(method: str, cls: str, name: str, schema: str) -> dict[str, str]:
    return {
        "schema_training.json": SCHEMA,
        "Training_Raw_data_validation/rawValidation.py": VALIDATION,
        name: INSERTION.format(
            module="Training_Raw_data_validation.rawValidation",
            cls=cls,
            method=method,
            schema=schema,
        ),
    }


def test_schema_file_enforced_on_the_training_path_is_manual(tmp_path) -> None:
    files = _files(
        "train_validation", "train_validation", "training_Validation_Insertion.py", "x.json"
    )
    root = make_repo(tmp_path, {**files, "main.py": TRAIN})
    out = run_check(root, CHECK)
    assert evidence(out) == [
        (
            "training_Validation_Insertion.py",
            10,
            "code",
            "manual",
            "train_validation.train_validation",
        )
    ]
    assert details(out) == [
        "schema file `schema_training.json` lists 3 columns: Wafer, Sensor - 1, Sensor - 2; "
        "`Raw_Data_validation.validateColumnLength` rejects data that does not match it "
        "(column count/presence), called by `train_validation.train_validation` on the "
        "training data path"
    ]
    assert levels(audit(root))["data-1"] == "manual"


def test_trap_prediction_path_only_is_a_hint(tmp_path) -> None:
    files = _files("prediction_validation", "pred_validation", "predictionValidation.py", "x.json")
    root = make_repo(tmp_path, files)
    out = run_check(root, CHECK)
    assert evidence(out) == []
    assert hints(out)[:1] == [
        "schema file `schema_training.json` (3 columns: Wafer, Sensor - 1, Sensor - 2) is "
        "enforced by `Raw_Data_validation.validateColumnLength` only on the prediction path "
        "(predictionValidation.py:10): serving-input validation is monitor-2, not a "
        "training-data schema"
    ]
    assert levels(audit(root))["data-1"] == "none"


def test_trap_schema_file_nobody_enforces(tmp_path) -> None:
    """The loader reads the schema but no validator compares the data with it."""
    loader_only = VALIDATION.split("    def validateColumnLength")[0]
    root = make_repo(
        tmp_path,
        {
            "schema_training.json": SCHEMA,
            "Training_Raw_data_validation/rawValidation.py": loader_only,
            "main.py": TRAIN.replace(
                "from training_Validation_Insertion import train_validation",
                "from Training_Raw_data_validation.rawValidation import Raw_Data_validation",
            ).replace(
                "train_validation(path).train_validation()",
                'Raw_Data_validation(path, "schema_training.json").valuesFromSchema()',
            ),
        },
    )
    out = run_check(root, CHECK)
    assert evidence(out) == []
    assert levels(audit(root))["data-1"] == "none"
