"""Executed, not merely imported: calls followed statically through the repository's code."""

from __future__ import annotations

from tests.automation.util import amap_of, runs

ROOT = ".github/workflows/ci.yml#ci (change)"


def workflow(command: str) -> str:
    return (
        f"on: push\njobs:\n  ci:\n    runs-on: ubuntu-latest\n    steps:\n      - run: {command}\n"
    )


def test_package_init_importing_everything_does_not_execute_functions(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".github/workflows/ci.yml": workflow("pytest tests/test_version.py"),
            "src/ml/__init__.py": "from .train import train\nfrom .tune import search\n"
            "__version__ = '1.0'\n",
            "src/ml/train.py": "def train():\n    pass\n",
            "src/ml/tune.py": (
                "from sklearn.model_selection import GridSearchCV\n\n"
                "def search():\n    return GridSearchCV(None, {})\n"
            ),
            "tests/test_version.py": "import ml\n\ndef test_version():\n"
            "    assert ml.__version__\n",
        },
    )
    assert runs(amap, "src/ml/__init__.py") == {ROOT}
    assert runs(amap, "src/ml/tune.py") == {ROOT}  # module code runs on import ...
    assert amap.execution_of("src/ml/tune.py", "search") is None  # ... its functions do not
    assert amap.execution_of("src/ml/train.py", "train") is None
    assert amap.why_not("src/ml/tune.py", "search") == (
        "src/ml/tune.py runs via .github/workflows/ci.yml#ci (change), "
        "but `search` is not called on that path"
    )


def test_calls_through_aliases_reexports_relative_imports_and_methods(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".github/workflows/ci.yml": workflow("python scripts/run.py"),
            "scripts/run.py": (
                "import pipeline.steps as steps\n"
                "from pipeline import Trainer\n\n"
                "def main():\n"
                "    steps.prepare()\n"
                "    t = Trainer(3)\n"
                "    t.fit()\n\n"
                "if __name__ == '__main__':\n"
                "    main()\n"
            ),
            "pipeline/__init__.py": "from .model import Trainer\n",
            "pipeline/steps.py": (
                "from .util import log as write\n\n"
                "def prepare():\n    write('x')\n\n"
                "def unused():\n    pass\n"
            ),
            "pipeline/util.py": "def log(msg):\n    pass\n",
            "pipeline/base.py": (
                "class Base:\n"
                "    def __init__(self):\n        self.ready = True\n"
                "    def check(self):\n        pass\n"
            ),
            "pipeline/model.py": (
                "from .base import Base\n\n"
                "class Trainer(Base):\n"
                "    def __init__(self, n):\n"
                "        super().__init__()\n"
                "        self.n = n\n"
                "    def fit(self):\n"
                "        self._step()\n"
                "        self.check()\n"
                "    def _step(self):\n"
                "        pass\n"
                "    def predict(self):\n"
                "        pass\n"
            ),
        },
    )
    for path, symbol in [
        ("scripts/run.py", "main"),
        ("scripts/run.py", "<main>"),
        ("pipeline/steps.py", "prepare"),
        ("pipeline/util.py", "log"),
        ("pipeline/model.py", "Trainer.__init__"),
        ("pipeline/model.py", "Trainer.fit"),
        ("pipeline/model.py", "Trainer._step"),
        ("pipeline/base.py", "Base.__init__"),
        ("pipeline/base.py", "Base.check"),
    ]:
        assert runs(amap, path, symbol) == {ROOT}, (path, symbol)
    assert amap.execution_of("pipeline/steps.py", "unused") is None
    assert amap.execution_of("pipeline/model.py", "Trainer.predict") is None


def test_main_block_runs_only_as_a_script_and_callbacks_are_followed(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".github/workflows/ci.yml": workflow("pytest tests"),
            "train.py": (
                "import optuna\n\n"
                "def tune():\n"
                "    def objective(trial):\n"
                "        return score(trial)\n"
                "    study = optuna.create_study()\n"
                "    study.optimize(objective, n_trials=3)\n\n"
                "def score(trial):\n    return 1.0\n\n"
                "if __name__ == '__main__':\n"
                "    tune()\n"
            ),
            "tests/test_train.py": "import train\n\ndef test_tune():\n    train.tune()\n",
        },
    )
    assert runs(amap, "train.py", "tune") == {ROOT}
    assert runs(amap, "train.py", "tune.objective") == {ROOT}
    assert runs(amap, "train.py", "score") == {ROOT}
    assert amap.execution_of("train.py", "<main>") is None


def test_local_module_named_like_stdlib_is_not_confused(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".github/workflows/ci.yml": workflow("python app/main.py"),
            "app/main.py": "import logging\n\nlogging.info('start')\n",
            "tools/logging.py": "def info(msg):\n    pass\n",
        },
    )
    assert runs(amap, "app/main.py") == {ROOT}
    assert amap.execution_of("tools/logging.py") is None


def test_python_module_in_src_layout_and_notebook_code(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".github/workflows/ci.yml": workflow(
                "python -m proj.cli && papermill nb.ipynb o.ipynb"
            ),
            "src/proj/__init__.py": "",
            "src/proj/cli.py": "from proj.core import go\n\nif __name__ == '__main__':\n    go()\n",
            "src/proj/core.py": "def go():\n    pass\n\ndef report():\n    pass\n",
            "nb.ipynb": (
                '{"cells": [{"cell_type": "code", "metadata": {}, "outputs": [], '
                '"source": ["from proj.core import report\\n", "report()\\n"]}], '
                '"metadata": {}, "nbformat": 4, "nbformat_minor": 5}'
            ),
        },
    )
    assert runs(amap, "src/proj/core.py", "go") == {ROOT}
    assert runs(amap, "src/proj/core.py", "report") == {ROOT}


def test_imports_resolved_through_folders_a_test_puts_on_sys_path(tmp_path):
    # F8: `sys.path.insert(0, str(ROOT / "ml" / "training"))` then `from train import train`
    test_file = (
        "import os\nimport sys\nfrom pathlib import Path\n\n"
        "ROOT = Path(__file__).resolve().parent.parent\n"
        'sys.path.insert(0, str(ROOT / "ml" / "training"))\n'
        "sys.path.append(os.path.join(os.path.dirname(__file__), '..', 'ml', 'serving'))\n\n\n"
        "def test_train():\n"
        "    from train import train\n"
        "    from handler import predict\n"
        "    assert train() == 1 and predict() == 2\n"
    )
    amap = amap_of(
        tmp_path,
        {
            "ml/training/train.py": "def train():\n    return 1\n",
            "ml/serving/handler.py": "def predict():\n    return 2\n",
            "other/train.py": "def train():\n    return 3\n",
            "tests/test_train.py": test_file,
            # trap: the same imports without a sys.path change resolve to nothing
            "tests/test_plain.py": (
                "def test_plain():\n    from handler import predict\n    assert predict()\n"
            ),
            ".github/workflows/ci.yml": (
                "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
                "      - run: pytest tests/test_train.py tests/test_plain.py\n"
            ),
        },
    )
    ci = {".github/workflows/ci.yml#test (change)"}
    assert runs(amap, "ml/training/train.py", "train") == ci
    assert runs(amap, "ml/serving/handler.py", "predict") == ci
    assert runs(amap, "other/train.py", "train") == set()
    (run,) = amap.executions("ml/serving/handler.py", "predict")
    assert run.chain[-2] == "tests/test_train.py::test_train"
