"""data-7 for vision and audio projects: the model's input "feature code" is the transform that
turns an image (or a waveform) into the model input: torchvision / albumentations / kornia
transforms, `tf.image` ops, Keras preprocessing layers, Hugging Face image processors,
torchaudio transforms. Only code reached by training counts (the training entry point or a file
it imports, such as a LightningDataModule or a Dataset module); a serving-only or notebook
transform does not make a module feature code."""

from __future__ import annotations

import re

from ml_readiness.checks.infra._shared import training_code

from ml_readiness.facts import Facts, is_test_path
from ml_readiness.facts.python import Function, PythonFacts

IMAGE_TRANSFORM = re.compile(
    r"^(torchvision\.transforms|albumentations|kornia\.(augmentation|geometry\.transform|enhance)|"
    r"tensorflow\.image|tf\.image|torchaudio\.transforms|monai\.transforms|imgaug\.augmenters|"
    r"timm\.data\.(create_transform|transforms)|"
    r"(tensorflow\.|tf\.)?keras\.layers\.(experimental\.preprocessing\.)?"
    r"(Rescaling|Resizing|Normalization|CenterCrop|Random[A-Z]\w*)$|"
    r"transformers\.\w*(ImageProcessor|FeatureExtractor)\b)"
)
# functions that run the whole training: a test calling them is not a unit test of the
# transform (the module is then not listed as separately testable input code)
ENTRY_NAME = re.compile(r"^(main|train|training|train_model|run|run_training|fit|cli)$")


def _transform_functions(pf: PythonFacts) -> list[Function]:
    """Functions and methods that build or apply an image/audio input transform."""
    scopes = {c.scope for c in pf.calls if IMAGE_TRANSFORM.match(c.qualified)}
    return [fn for fn in pf.functions if fn.qualname in scopes]


def _callers(pf: PythonFacts, fn: Function) -> set[str]:
    """Methods of `fn`'s class that call it or hand it on (`self.ds.set_transform(
    self.data_transforms)`), to closure: a test calling them runs the transform."""
    if not fn.class_name:
        return set()
    names, frontier = {fn.name}, {fn.name}
    methods = [f for f in pf.functions if f.class_name == fn.class_name]
    while frontier:
        refs = {f"self.{n}" for n in frontier}
        frontier = set()
        for m in methods:
            if m.name in names:
                continue
            inside = [c for c in pf.calls if c.scope == m.qualname]
            if any(
                c.name in refs or any(f"${r}" == a for a in c.args for r in refs) for c in inside
            ):
                names.add(m.name)
                frontier.add(m.name)
    return names - {fn.name}


def image_input_modules(facts: Facts) -> dict[str, tuple[str, set[str]]]:
    """Training-reached modules that build image/audio input transforms:
    path -> (why, names a test must call)."""

    def compute(f: Facts) -> dict[str, tuple[str, set[str]]]:
        out: dict[str, tuple[str, set[str]]] = {}
        for path in training_code(f):
            if not path.endswith(".py") or is_test_path(path):
                continue
            if not f.mentions(path, *IMAGE_ROOTS):
                continue
            pf = f.python(path)
            if pf is None:
                continue
            names: set[str] = set()
            first = None
            for fn in _transform_functions(pf):
                if ENTRY_NAME.match(fn.name):
                    continue
                first = first or fn
                names |= {fn.name, *_callers(pf, fn)}
            module_level = [
                c.line
                for c in pf.calls
                if c.scope == "<module>" and IMAGE_TRANSFORM.match(c.qualified)
            ]
            for line in module_level:
                m = re.match(r"^([A-Za-z_]\w*)\s*(?::[^=]+)?=(?!=)", f.lines(path)[line - 1])
                if m:
                    names.add(m.group(1))
            if not names:
                continue
            why = (
                f"`{first.qualname}` builds the image input transform"
                if first is not None
                else "builds the image input transform at module level"
            )
            out[path] = (why, names - {n for n in names if ENTRY_NAME.match(n)})
        return {p: v for p, v in out.items() if v[1]}

    return facts.memo("data7:image_inputs", compute)


IMAGE_ROOTS = (
    "torchvision",
    "albumentations",
    "kornia",
    "tf.image",
    "tensorflow",
    "keras",
    "torchaudio",
    "monai",
    "imgaug",
    "timm",
    "ImageProcessor",
    "FeatureExtractor",
)
