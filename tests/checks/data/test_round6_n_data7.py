"""data-7 (round 6, N): image input transforms (torchvision, albumentations, ...) reached by
training are input feature code; tests that call them are data-7 evidence. A transform only in
serving code, or built inline in the training entry function, makes no testable module."""

from __future__ import annotations

from tests.checks.data.util import ci, details, evidence, hints
from tests.helpers import audit, levels, make_repo, run_check

CHECK = "feature-code-tests"
DATAMODULE = """
import pytorch_lightning as pl
import torchvision
from torch.utils.data import DataLoader
from torchvision.datasets import ImageFolder


def default_transform(size: int = 224):
    return torchvision.transforms.Compose(
        [torchvision.transforms.Resize((size, size)), torchvision.transforms.ToTensor()]
    )


class ImageDataModule(pl.LightningDataModule):
    def __init__(self, root: str, batch_size: int = 32):
        super().__init__()
        self.root, self.batch_size = root, batch_size

    def setup(self, stage=None):
        self.train = ImageFolder(f"{self.root}/train", transform=default_transform())

    def train_dataloader(self):
        return DataLoader(self.train, batch_size=self.batch_size, shuffle=True)
"""
TRAIN = """
import pytorch_lightning as pl
from torch import nn
from src.datamodule import ImageDataModule


class Net(pl.LightningModule):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.LazyLinear(2))


if __name__ == "__main__":
    pl.Trainer(max_epochs=1).fit(Net(), ImageDataModule("data"))
"""
TRANSFORM_TEST = """
from PIL import Image
from src.datamodule import default_transform


def test_transform_resizes_and_scales():
    x = default_transform(64)(Image.new("RGB", (100, 80)))
    assert tuple(x.shape) == (3, 64, 64)
"""
SCHEMA_TEST = """
from src.schemas import PredictionInput


def test_input_keeps_url():
    assert PredictionInput(image_url="http://x/y.jpg").image_url.endswith(".jpg")
"""
SCHEMAS = (
    "from pydantic import BaseModel\n\n\nclass PredictionInput(BaseModel):\n    image_url: str\n"
)


def _repo(tmp_path, files: dict[str, str]):
    base = {
        "src/__init__.py": "",
        "src/datamodule.py": DATAMODULE,
        "src/train.py": TRAIN,
        "src/schemas.py": SCHEMAS,
        ".github/workflows/ci.yml": ci("pytest tests"),
    }
    return make_repo(tmp_path, {**base, **files}, git=True)


def test_tested_torchvision_transform_reached_by_training_is_automated(tmp_path) -> None:
    root = _repo(tmp_path, {"tests/test_transforms.py": TRANSFORM_TEST})
    out = run_check(root, CHECK)
    assert evidence(out) == [
        ("tests/test_transforms.py", 5, "test", "automated", "test_transform_resizes_and_scales")
    ]
    assert details(out) == ["tests feature code in src/datamodule.py"]
    assert hints(out) == []
    assert levels(audit(root))["data-7"] == "automated"


def test_untested_torchvision_transform_is_listed_not_credited(tmp_path) -> None:
    root = _repo(tmp_path, {"tests/test_schemas.py": SCHEMA_TEST})
    out = run_check(root, CHECK)
    assert evidence(out) == []
    assert hints(out) == [
        "feature modules without a live test calling into them: src/datamodule.py"
    ]
    assert levels(audit(root))["data-7"] == "none"


def test_transform_method_reached_through_datamodule_methods(tmp_path) -> None:
    datamodule = """
    import albumentations as A
    import pytorch_lightning as pl


    class ImageDataModule(pl.LightningDataModule):
        def train_transforms(self):
            return A.Compose([A.Resize(64, 64), A.HorizontalFlip()])

        def apply(self, batch):
            t = self.train_transforms()
            return [t(image=x)["image"] for x in batch]

        def setup(self, stage=None):
            self.ds = load(self.root)
            self.ds.set_transform(self.apply)
    """
    test = """
    from src.datamodule import ImageDataModule


    def test_apply_resizes():
        out = ImageDataModule().apply([make_image()])
        assert out[0].shape[:2] == (64, 64)
    """
    root = _repo(tmp_path, {"src/datamodule.py": datamodule, "tests/test_dm.py": test})
    out = run_check(root, CHECK)
    assert evidence(out) == [("tests/test_dm.py", 4, "test", "automated", "test_apply_resizes")]
    assert levels(audit(root))["data-7"] == "automated"


def test_serving_only_or_inline_training_transform_is_no_feature_module(tmp_path) -> None:
    train = """
    import torchvision.transforms as T
    from torchvision.datasets import ImageFolder


    def main():
        ds = ImageFolder("data", transform=T.Compose([T.Resize(64), T.ToTensor()]))
        fit(ds)


    if __name__ == "__main__":
        main()
    """
    serve = """
    from torchvision import transforms


    def preprocess(img):
        return transforms.ToTensor()(img)
    """
    test = """
    from src.serve import preprocess


    def test_preprocess():
        assert preprocess(make_image()) is not None
    """
    root = make_repo(
        tmp_path,
        {
            "src/__init__.py": "",
            "src/train.py": train,
            "src/serve.py": serve,
            "tests/test_serve.py": test,
            ".github/workflows/ci.yml": ci("pytest tests"),
        },
        git=True,
    )
    out = run_check(root, CHECK)
    assert evidence(out) == []
    assert hints(out) == ["no feature, preprocessing or transform modules were identified"]
    assert levels(audit(root))["data-7"] == "none"
