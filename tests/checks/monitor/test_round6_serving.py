"""monitor-2: a request model named in a BentoML endpoint decorator (REVIEW-E round 6)."""

from __future__ import annotations

from tests.checks.monitor._util import evidence, hints, level, run

CHECK = "serving-input-validation"
SCHEMA = """\
from pydantic import BaseModel, Field


class IrisRequestParams(BaseModel):
    sepal_length: float = Field(description="Sepal length in cm", gt=0)
    petal_width: float = Field(description="Petal width in cm", gt=0)
"""
SERVICE = """\
import bentoml
import numpy as np

from schemas import IrisRequestParams


@bentoml.service
class IrisClassifierService:
    def __init__(self) -> None:
        self.model = bentoml.picklable_model.load_model("iris_knn_model:latest")

    @bentoml.api(route="/api/v1/predict", input_spec=IrisRequestParams)
    def predict(self, **request_parameters: dict):
        values = [request_parameters.get(p) for p in ("sepal_length", "petal_width")]
        return {"prediction": self.model.predict(np.array([values])).tolist()[0]}
"""


def test_bentoml_input_spec_with_constraints_validates_each_request(tmp_path):
    produced = run(tmp_path, {"schemas.py": SCHEMA, "service.py": SERVICE}, CHECK)
    assert [e[:3] for e in evidence(produced)] == [("service.py:12", "code", "automated")]
    assert (
        "each request (`input_spec=` in `bentoml.api`) with pydantic model IrisRequestParams"
        in (evidence(produced)[0][3])
    )
    assert level(produced) == "manual"  # nothing in CI reaches the endpoint


def test_trap_types_only_input_spec_or_a_schema_used_in_the_body_is_not_credited(tmp_path):
    types_only = SCHEMA.replace(", gt=0)", ")")
    produced = run(tmp_path, {"schemas.py": types_only, "service.py": SERVICE}, CHECK)
    assert evidence(produced) == []
    assert any("with types only" in h for h in hints(produced))
    in_body = SERVICE.replace(", input_spec=IrisRequestParams)", ")").replace(
        "        values =", "        spec = dict(input_spec=IrisRequestParams)\n        values ="
    )
    produced = run(tmp_path / "b", {"schemas.py": SCHEMA, "service.py": in_body}, CHECK)
    assert evidence(produced) == []
