"""monitor-3 (REVIEW-D O3): a Ray AIR preprocessor saved with the model and restored at serving."""

from __future__ import annotations

from pathlib import Path

from tests.checks.monitor._util import evidence, hints, level, run

CHECK = "training-serving-skew"

TRAIN = """
    import ray
    from ray.train.torch import TorchTrainer

    from shop import data

    def train_model(ds):
        preprocessor = data.CustomPreprocessor()
        ds = preprocessor.fit_transform(ds)
        trainer = TorchTrainer(
            train_loop_per_worker=lambda cfg: None,
            datasets={"train": ds},
            preprocessor=preprocessor,
        )
        return trainer.fit()

    if __name__ == "__main__":
        train_model(ray.data.read_csv("data.csv"))
"""
DATA = """
    from ray.data.preprocessor import Preprocessor

    class CustomPreprocessor(Preprocessor):
        def _fit(self, ds):
            self.classes = ds.unique(column="tag")

        def _transform_pandas(self, batch):
            return batch.fillna("")
"""
SERVE = """
    from fastapi import FastAPI
    from ray import serve
    from ray.train.torch import TorchPredictor

    app = FastAPI()

    @serve.deployment
    @serve.ingress(app)
    class ModelDeployment:
        def __init__(self, checkpoint):
            self.predictor = TorchPredictor.from_checkpoint(checkpoint)
            self.preprocessor = self.predictor.get_preprocessor()

        @app.post("/predict/")
        async def _predict(self, request):
            return self.predictor.predict(await request.json())
"""


def test_ray_trainer_preprocessor_restored_by_serving_is_manual_parity(tmp_path: Path) -> None:
    files = {"src/shop/__init__.py": "", "src/shop/data.py": DATA, "train.py": TRAIN}
    files["serve.py"] = SERVE
    produced = run(tmp_path, files, CHECK)
    assert evidence(produced) == [
        (
            "serve.py:11",
            "code",
            "manual",
            "Ray TorchTrainer saves the fitted preprocessor CustomPreprocessor with the model "
            "(train.py:9); serve.py:ModelDeployment restores it with "
            "`TorchPredictor.from_checkpoint`, so serving preprocesses as training did",
        )
    ]
    assert level(produced) == "manual"


def test_trap_ray_preprocessor_used_only_in_training(tmp_path: Path) -> None:
    files = {"src/shop/__init__.py": "", "src/shop/data.py": DATA, "train.py": TRAIN}
    files["serve.py"] = """
        import torch
        from fastapi import FastAPI

        app = FastAPI()
        model = torch.load("model.pt")

        @app.post("/predict")
        def predict(x: dict):
            return model(torch.tensor([x["a"]])).tolist()
    """
    produced = run(tmp_path, files, CHECK)
    assert evidence(produced) == []
    assert level(produced) == "none"
    assert (
        "train.py:9 saves a Ray preprocessor with the model, but no serving entry point "
        "restores it (`*Predictor.from_checkpoint`, `get_preprocessor()`); not credited"
    ) in hints(produced)


def test_trap_ray_trainer_without_preprocessor_restored_by_serving(tmp_path: Path) -> None:
    files = {"src/shop/__init__.py": "", "src/shop/data.py": DATA, "serve.py": SERVE}
    files["train.py"] = TRAIN.replace("preprocessor=preprocessor", "preprocessor=None")
    produced = run(tmp_path, files, CHECK)
    assert evidence(produced) == []
    assert level(produced) == "none"
