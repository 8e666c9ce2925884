"""monitor-2 (REVIEW-S points 1 and 2): response models never count as serving-input
validation; constrained models nested in the request model (field annotations) do."""

from __future__ import annotations

from pathlib import Path

from ml_readiness.evidence import Evidence, Hint
from tests.helpers import audit, levels, make_repo, run_check

CHECK = "serving-input-validation"
SCHEMAS = """\
from pydantic import BaseModel, Field


class LeadFeatures(BaseModel):
    revenue: float = Field(..., ge=0)
    bounce_rate: float = Field(..., ge=0, le=1)


class ScoringRequest(BaseModel):
    lead_id: str
    features: FEATURES


class ScoringResponse(BaseModel):
    lead_id: str
    score: float = Field(..., ge=0, le=1)
"""
ROUTES = """\
from fastapi import FastAPI

from api.schemas import ScoringRequest, ScoringResponse

app = FastAPI()


@app.post("/score", response_model=ScoringResponse)
def score_lead(request: ScoringRequest) -> ScoringResponse:
    score = 0.5
    return ScoringResponse(lead_id=request.lead_id, score=score)


@app.post("/score/batch", response_model=list[ScoringResponse])
def score_batch(requests: list[ScoringRequest]):
    out = []
    for req in requests:
        out.append(ScoringResponse(lead_id=req.lead_id, score=0.5))
    return out
"""


def _run(tmp_path: Path, features: str) -> tuple[list[tuple[str, str]], list[str], Path]:
    files = {
        "api/__init__.py": "",
        "api/schemas.py": SCHEMAS.replace("FEATURES", features),
        "api/main.py": ROUTES,
    }
    root = make_repo(tmp_path, files)
    produced = run_check(root, CHECK)
    found = [(e.location(), e.detail) for e in produced if isinstance(e, Evidence)]
    return found, [h.detail for h in produced if isinstance(h, Hint)], root


def test_trap_response_model_is_not_input_validation(tmp_path: Path) -> None:
    """The request model has types only; only the response model carries ranges."""
    found, hints, root = _run(tmp_path, "dict")
    assert found == []
    assert "api/main.py:score_lead takes pydantic model ScoringRequest with types only" in (
        " ".join(hints)
    )
    assert levels(audit(root))["monitor-2"] == "none"


def test_nested_constrained_model_is_validated_with_the_request(tmp_path: Path) -> None:
    found, _, root = _run(tmp_path, "LeadFeatures")
    nested = "field features: LeadFeatures with Field(ge), Field(ge, le)"
    assert sorted(found) == [
        (
            "api/main.py:15",
            f"api/main.py:score_batch validates `requests` with pydantic model ScoringRequest "
            f"({nested})",
        ),
        (
            "api/main.py:9",
            f"api/main.py:score_lead validates `request` with pydantic model ScoringRequest "
            f"({nested})",
        ),
    ]
    assert levels(audit(root))["monitor-2"] == "manual"


def test_nested_model_in_a_list_or_optional_annotation(tmp_path: Path) -> None:
    found, _, _ = _run(tmp_path, "list[LeadFeatures] | None")
    assert sorted(loc for loc, _ in found) == ["api/main.py:15", "api/main.py:9"]


def test_trap_nested_model_with_types_only(tmp_path: Path) -> None:
    files = {
        "api/__init__.py": "",
        "api/schemas.py": SCHEMAS.replace("FEATURES", "LeadFeatures")
        .replace("Field(..., ge=0)", "0.0")
        .replace("Field(..., ge=0, le=1)", "0.0"),
        "api/main.py": ROUTES,
    }
    root = make_repo(tmp_path, files)
    found = [e for e in run_check(root, CHECK) if isinstance(e, Evidence)]
    assert found == []


HELPER_OUTPUT = """\
from fastapi import FastAPI
from pydantic import BaseModel, Field


class Features(BaseModel):
    age: int


class Result(BaseModel):
    score: float = Field(ge=0, le=1)


def predict_one(features: Features) -> Result:
    return Result(score=0.5)


def parse(payload: dict) -> Result:
    return Result(**payload)


app = FastAPI()


@app.post("/predict")
def predict(features: Features):
    return {"score": predict_one(features).score}


@app.post("/parse")
def parse_route(payload: dict):
    return {"score": parse(payload).score}
"""


def test_trap_model_built_and_returned_by_a_helper_is_output(tmp_path: Path) -> None:
    """`return Result(score=...)` in a reached helper builds output; `Result(**payload)`
    parses input and still counts."""
    root = make_repo(tmp_path, {"app.py": HELPER_OUTPUT})
    found = [(e.location(), e.detail) for e in run_check(root, CHECK) if isinstance(e, Evidence)]
    assert found == [
        (
            "app.py:18",
            "constrained pydantic model Result `Result` on the serving path of app.py:parse_route",
        )
    ]


DEPENDS = """\
from fastapi import Depends, FastAPI

app = FastAPI()


def get_current_user() -> dict:
    return {"name": "x"}


@app.post("/score")
def score(
    payload: dict,
    current_user: dict = Depends(get_current_user),
):
    return {"score": 0.5}
"""


def test_dependency_parameters_are_not_request_bodies(tmp_path: Path) -> None:
    """`current_user: dict = Depends(auth)` is filled by the framework; only `payload` is the
    unvalidated body the hint should name."""
    root = make_repo(tmp_path, {"app.py": DEPENDS})
    hints = [h.detail for h in run_check(root, CHECK) if isinstance(h, Hint)]
    assert [h for h in hints if "unvalidated body" in h] == [
        "app.py:score takes `payload: dict`: an unvalidated body; use a pydantic model with "
        "constrained fields"
    ]
