"""data-1 (round 7, Z): validating a pydantic model validates every model reachable through its
field annotations (`features: LeadFeatures`, `list[Row]`, `Row | None`, nested) and its base
classes, across modules. A model nested only in a response, in an injected dependency, or in a
container nothing validates stays "not validated against"."""

from __future__ import annotations

from tests.checks.data.util import details, evidence, findings
from tests.helpers import audit, levels, make_repo, run_check

CHECK = "feature-schema"
SCHEMAS = """
from pydantic import BaseModel, Field


class LeadFeatures(BaseModel):
    company_revenue: float = Field(ge=0)
    employee_count: int = Field(ge=1)
    bounce_rate: float = Field(ge=0, le=1)


class ScoringRequest(BaseModel):
    lead_id: str
    features: LeadFeatures


class BatchRequest(BaseModel):
    leads: list[ScoringRequest] | None = None
"""
ROUTES = """
from fastapi import APIRouter, Depends

from api.schemas import BatchRequest, ScoringRequest

router = APIRouter()


@router.post("/score")
async def score(request: ScoringRequest) -> dict:
    return {"id": request.lead_id}


@router.post("/score/batch")
async def score_batch(
    batch: BatchRequest,
) -> dict:
    return {"n": len(batch.leads or [])}
"""
FEATURES = "3 columns: company_revenue, employee_count, bounce_rate"


def test_model_nested_in_a_route_body_is_validated(tmp_path) -> None:
    """`ScoringRequest.features: LeadFeatures` on a route, and `list[ScoringRequest] | None`
    one level further: FastAPI validates the nested feature rows with the body."""
    root = make_repo(tmp_path, {"api/schemas.py": SCHEMAS, "api/routes.py": ROUTES})
    out = run_check(root, CHECK)
    assert evidence(out) == [
        ("api/routes.py", 9, "code", "manual", "score"),
        ("api/routes.py", 14, "code", "manual", "score_batch"),
    ]
    assert details(out) == [
        f"pydantic request model `LeadFeatures` covers {FEATURES}; FastAPI validates every "
        "request body of `POST /score` against `ScoringRequest`, which includes it "
        "(`ScoringRequest.features`)",
        f"pydantic request model `LeadFeatures` covers {FEATURES}; FastAPI validates every "
        "request body of `POST /score/batch` against `BatchRequest`, which includes it "
        "(`BatchRequest.leads` -> `ScoringRequest.features`)",
    ]
    assert findings(out) == []
    assert levels(audit(root))["data-1"] == "manual"


def test_base_class_in_another_module_is_validated(tmp_path) -> None:
    """`PredictRequest(PredictionFeatures)` in the app's module: a subclass validates every
    inherited field, so the base feature-row model is validated by the route."""
    root = make_repo(
        tmp_path,
        {
            "src/pkg/models.py": """
                from pydantic import BaseModel, Field


                class PredictionFeatures(BaseModel):
                    minutes_open: int = Field(ge=0)
                    message_length: int = Field(ge=0)
                    sentiment_score: float = Field(ge=-1, le=1)
            """,
            "app/schemas.py": """
                from pydantic import Field

                from pkg.models import PredictionFeatures


                class PredictRequest(PredictionFeatures):
                    canary_percent: int | None = Field(default=None, ge=0, le=100)
            """,
            "app/main.py": """
                from fastapi import FastAPI

                from app.schemas import PredictRequest

                app = FastAPI()


                @app.post("/predict")
                def predict(request: PredictRequest):
                    return {"ok": True}
            """,
        },
    )
    out = run_check(root, CHECK)
    assert evidence(out) == [("app/main.py", 9, "code", "manual", "predict")]
    assert details(out) == [
        "pydantic request model `PredictionFeatures` covers 3 columns: minutes_open, "
        "message_length, sentiment_score; FastAPI validates every request body of "
        "`POST /predict` against `PredictRequest`, which includes it (base of `PredictRequest`)"
    ]
    assert findings(out) == []


def test_nested_model_validated_in_loading_code(tmp_path) -> None:
    """`Batch.model_validate(json.load(f))` in a loader validates the rows nested in it."""
    root = make_repo(
        tmp_path,
        {
            "api/schemas.py": SCHEMAS,
            "src/load.py": """
                import json

                from api.schemas import BatchRequest


                def load_batch(path):
                    with open(path) as f:
                        return BatchRequest.model_validate(json.load(f))


                if __name__ == "__main__":
                    load_batch("data/leads.json")
            """,
        },
    )
    out = run_check(root, CHECK)
    # code evidence: automated only if automation ran it; nothing does here
    assert evidence(out) == [("src/load.py", 8, "code", "automated", "load_batch")]
    assert details(out) == [
        f"pydantic feature-row model `LeadFeatures` covers {FEATURES}; rows validated by "
        "`BatchRequest.model_validate` in data-loading code (included in `BatchRequest`: "
        "`BatchRequest.leads` -> `ScoringRequest.features`)"
    ]
    assert levels(audit(root))["data-1"] == "manual"


def test_trap_nested_only_in_response_or_dependency_or_unvalidated_container(tmp_path) -> None:
    """The feature model sits in a response model (`response_model=`, return annotation), in a
    parameter FastAPI injects (`= Depends(...)`), and in a container no route or loader takes:
    nothing validates request rows with it."""
    root = make_repo(
        tmp_path,
        {
            "api/schemas.py": """
                from pydantic import BaseModel, Field


                class LeadFeatures(BaseModel):
                    company_revenue: float = Field(ge=0)
                    employee_count: int = Field(ge=1)
                    bounce_rate: float = Field(ge=0, le=1)


                class ScoreResponse(BaseModel):
                    score: float
                    features: LeadFeatures


                class Session(BaseModel):
                    user: str
                    last: LeadFeatures | None = None


                class Archive(BaseModel):
                    rows: list[LeadFeatures]
            """,
            "api/routes.py": """
                from fastapi import APIRouter, Depends

                from api.schemas import ScoreResponse, Session

                router = APIRouter()


                def current_session() -> Session:
                    return Session(user="x")


                @router.get("/last", response_model=ScoreResponse)
                async def last(session: Session = Depends(current_session)) -> ScoreResponse:
                    return ScoreResponse(score=0.0, features=session.last)
            """,
        },
    )
    out = run_check(root, CHECK)
    assert evidence(out) == []
    assert findings(out) == [("api/schemas.py", 4, None)]
    assert levels(audit(root))["data-1"] == "none"
