"""Round 7 (held-out reviews S and T), infra-6: a README's title is no rollout procedure; an
in-process canary router on the serving path is manual credit; an nginx split between two
model services, mounted by the compose file that deploys them, is a canary."""

from __future__ import annotations

from pathlib import Path

from tests.checks.infra.test_infra_accuracy import _ev, _hints
from tests.helpers import audit, levels, make_repo, run_check

README = """\
# Model Serving Canary Platform

A production-shaped FastAPI service that demonstrates how to release a new model safely with
deterministic canary routing, shadow evaluation, Prometheus metrics and deployment assets.
"""
ROUTER = """\
import hashlib


class CanaryRouter:
    def __init__(self, baseline_model, canary_model):
        self.baseline_model = baseline_model
        self.canary_model = canary_model

    def decide(self, ticket_id, canary_percent):
        bucket = int(hashlib.sha256(ticket_id.encode()).hexdigest()[:8], 16) % 100
        return self.canary_model if bucket < canary_percent else self.baseline_model
"""
SERVICE = """\
from fastapi import FastAPI

from app.rollout import CanaryRouter

app = FastAPI()
router = CanaryRouter("triage-v1", "triage-v2")


@app.post("/predict")
def predict(ticket_id: str):
    return {"model": router.decide(ticket_id, 25)}
"""


def test_trap_readme_title_is_not_a_documented_rollout(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"README.md": README})
    out = run_check(root, "canary-in-code")
    assert _ev(out) == []
    assert _hints(out)[0] == (
        "README.md:1 'Model Serving Canary Platform' is the README's title (the project's name), "
        "not a documented rollout; not credited"
    )
    assert levels(audit(root))["infra-6"] == "none"


def test_in_process_canary_router_on_the_serving_path_is_manual(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path, {"README.md": README, "app/rollout.py": ROUTER, "app/main.py": SERVICE}
    )
    assert _ev(run_check(root, "canary-router-in-serving")) == [
        (
            "in-process canary router `CanaryRouter.decide`: `bucket < canary_percent` picks the "
            "model version per request on the serving path (app/main.py:predict); the share is "
            "set by hand",
            "app/rollout.py:11",
            "code",
            "manual",
            "CanaryRouter.decide",
        )
    ]
    result = audit(root)
    item = next(i for i in result.items if i.id == "infra-6")
    assert item.level == "manual"
    assert [e.location() for e in item.evidence] == ["app/rollout.py:11"]


def test_trap_router_no_serving_code_calls(tmp_path: Path) -> None:
    ab = """\
    import random


    class ABTestingService:
        def __init__(self, traffic_split=0.5):
            self.traffic_split = traffic_split

        def get_model_for_request(self, request_id):
            if random.random() < self.traffic_split:
                model_type = "shadow"
            else:
                model_type = "production"
            return model_type
    """
    root = make_repo(tmp_path, {"app/ab_testing.py": ab})
    out = run_check(root, "canary-router-in-serving")
    assert _ev(out) == []
    assert _hints(out) == [
        "app/ab_testing.py:9 `random.random() < self.traffic_split` in "
        "`ABTestingService.get_model_for_request` splits requests between model versions, but "
        "no serving entry point calls it; not credited"
    ]


def test_trap_random_sampling_that_picks_no_model_is_not_a_router(tmp_path: Path) -> None:
    sample = """\
    import random

    from fastapi import FastAPI

    app = FastAPI()
    LOG_RATE = 0.1


    @app.post("/predict")
    def predict(x: float):
        if random.random() < LOG_RATE:
            print(x)
        return {"y": x}
    """
    root = make_repo(tmp_path, {"app/main.py": sample})
    assert run_check(root, "canary-router-in-serving") == []


NGINX = """\
http {
    upstream production { server inference-api:8000; }
    upstream shadow { server shadow-api:8001; }

    # half of the clients go to the candidate model
    split_clients "${remote_addr}" $group {
        50%     "production";
        *       "shadow";
    }

    server {
        location / { proxy_pass http://$group; }
    }
}
"""
COMPOSE = """\
services:
  inference-api:
    build: .
    environment:
      - MODEL_PATH=/models/rf_best/model.joblib
  shadow-api:
    build: .
    environment:
      - MODEL_PATH=/models/lr_second/model.joblib
  nginx:
    image: nginx:1.23-alpine
    volumes:
      - ./nginx/nginx.conf:/etc/nginx/nginx.conf:ro
"""


def test_nginx_split_between_two_model_services_is_an_enforced_canary(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"api/nginx/nginx.conf": NGINX, "api/docker-compose.yml": COMPOSE})
    assert _ev(run_check(root, "proxy-traffic-split")) == [
        (
            "nginx splits live traffic (production 50%, shadow rest) between inference-api and "
            "shadow-api, which serve different models (MODEL_PATH differs); mounted by "
            "api/docker-compose.yml",
            "api/nginx/nginx.conf:6",
            "config",
            "automated",
            None,
        )
    ]
    assert levels(audit(root))["infra-6"] == "automated"


def test_nginx_split_in_a_dev_compose_file_is_manual(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path, {"api/nginx/nginx.conf": NGINX, "api/docker-compose.dev.yml": COMPOSE}
    )
    assert [e[3] for e in _ev(run_check(root, "proxy-traffic-split"))] == ["manual"]
    assert levels(audit(root))["infra-6"] == "manual"


def test_trap_nginx_split_between_replicas_of_one_model(tmp_path: Path) -> None:
    same = COMPOSE.replace("lr_second", "rf_best")
    root = make_repo(tmp_path, {"api/nginx/nginx.conf": NGINX, "api/docker-compose.yml": same})
    out = run_check(root, "proxy-traffic-split")
    assert _ev(out) == []
    assert _hints(out) == [
        "api/nginx/nginx.conf:6 nginx splits traffic (production 50%, shadow rest), but "
        "api/docker-compose.yml does not show the upstreams serving different models; load "
        "balancing is not a canary; not credited"
    ]
    assert levels(audit(root))["infra-6"] == "none"


def test_trap_nginx_split_no_compose_file_mounts(tmp_path: Path) -> None:
    root = make_repo(tmp_path, {"nginx/nginx.conf": NGINX})
    out = run_check(root, "proxy-traffic-split")
    assert _ev(out) == []
    assert _hints(out) == [
        "nginx/nginx.conf:6 nginx splits traffic (production 50%, shadow rest) but no "
        "docker-compose service mounts this config; not credited"
    ]


def test_weighted_upstream_between_two_image_tags(tmp_path: Path) -> None:
    conf = """\
    upstream scorer {
        server scorer-v1:8000 weight=9;
        server scorer-v2:8000 weight=1;
    }
    """
    compose = """\
    services:
      scorer-v1:
        image: ghcr.io/acme/scorer:1.4.0
      scorer-v2:
        image: ghcr.io/acme/scorer:1.5.0
      proxy:
        image: nginx
        volumes: ["./conf.d:/etc/nginx/conf.d:ro"]
    """
    root = make_repo(tmp_path, {"conf.d/default.conf": conf, "compose.yaml": compose})
    assert _ev(run_check(root, "proxy-traffic-split")) == [
        (
            "nginx splits live traffic (scorer-v1 90%, scorer-v2 10%) between scorer-v1 and "
            "scorer-v2, which serve different models (image tags 1.4.0 and 1.5.0); mounted by "
            "compose.yaml",
            "conf.d/default.conf:1",
            "config",
            "automated",
            None,
        )
    ]
