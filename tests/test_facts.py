"""Facts: compact Python/YAML/notebook/Markdown views, parsed once, failures as notes."""

from __future__ import annotations

from ml_readiness.facts import Facts
from ml_readiness.facts.python import MAIN, MODULE, extract
from ml_readiness.facts.structured import StructureError, load_yaml
from ml_readiness.repo import Repo
from tests.helpers import make_repo, notebook

SOURCE = """
import numpy as np
from sklearn.model_selection import GridSearchCV as GS
import pytest

SEED = 42

def tune(model, X, y):
    import optuna
    search = GS(model, param_grid={"C": [1, 10]}, cv=5)
    np.random.seed(SEED)
    return search.fit(X, y)

@pytest.mark.skipif(not torch.cuda.is_available(), reason="gpu")
def test_gpu():
    assert 1 + 1 == 2

class TestThing:
    @pytest.mark.mlready("infra-2")
    def test_a(self):
        assert True

if __name__ == "__main__":
    tune(None, [], [])
"""


def test_python_facts_qualify_names_and_scopes():
    pf = extract(SOURCE, "tests/test_x.py")
    grid = pf.calls_to("sklearn.model_selection.GridSearchCV")
    assert [(c.name, c.line, c.scope, c.kw("cv")) for c in grid] == [("GS", 10, "tune", 5)]
    assert dict(grid[0].kwargs)["param_grid"] == (("C", (1, 10)),)
    seed = pf.calls_to("numpy.random.seed")[0]
    assert seed.args == ("$SEED",) and seed.scope == "tune"
    assert [c.scope for c in pf.calls if c.name == "tune"] == [MAIN]
    assert pf.has_main
    imports = {(i.target, i.scope) for i in pf.imports}
    assert ("optuna", "tune") in imports and ("numpy", MODULE) in imports
    assert [a.name for a in pf.assigns] == ["SEED"]


def test_python_facts_tests_markers_and_asserts():
    pf = extract(SOURCE, "tests/test_x.py")
    tests = {f.qualname: f for f in pf.tests()}
    assert set(tests) == {"test_gpu", "TestThing.test_a"}
    gpu = tests["test_gpu"].marker("skipif")
    assert gpu.condition == "not torch.cuda.is_available()"
    assert tests["test_gpu"].asserts == 1
    linked = tests["TestThing.test_a"]
    assert linked.marker("mlready").args == ("infra-2",)
    assert (linked.asserts, linked.trivial_asserts) == (0, 1)
    assert not extract(SOURCE, "src/x.py").tests()  # not a test module


def test_notebook_code_lines_map_to_file_lines(tmp_path):
    root = make_repo(
        tmp_path / "r",
        {
            "nb.ipynb": notebook(
                "import pandas as pd\n%matplotlib inline\ndf = pd.read_csv('a')",
                "df.describe()",
                outputs=True,
            ),
        },
    )
    facts = Facts(Repo.open(root))
    nb = facts.notebook("nb.ipynb")
    assert nb.code_cells == 2 and nb.has_outputs
    pf = facts.python("nb.ipynb")
    call = pf.calls_to("pandas.read_csv")[0]
    lines = (root / "nb.ipynb").read_text().splitlines()
    assert "pd.read_csv" in lines[call.line - 1]


def test_yaml_lines_unknown_tags_and_alias_bombs():
    doc = load_yaml("a: 1\nb:\n  - !Ref X\n  - {c: !Sub 'y'}\n")[0]
    assert doc.line_of("b") == 2 and doc["b"][0] == "X" and doc["b"].item_lines == [3, 4]
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]\n"
        for i in range(9)
    )
    try:
        load_yaml(bomb)
    except StructureError as exc:
        assert "alias" in str(exc)
    else:  # pragma: no cover - the bound must trip
        raise AssertionError("alias bomb was loaded")


def test_broken_files_become_notes_and_parse_once(tmp_path):
    root = make_repo(
        tmp_path / "r",
        {
            "bad.py": "def (:\n",
            "bad.yml": "a: [1, 2\n",
            "deep.py": "x = " + "(" * 5000 + ")" * 5000 + "\n",
            "ok.py": "import os\n",
            "bad.ipynb": "{not json",
        },
    )
    facts = Facts(Repo.open(root))
    assert facts.python("bad.py") is None
    assert facts.yaml("bad.yml") is None
    assert facts.python("deep.py") is None
    assert facts.python("bad.ipynb") is None
    for _ in range(3):
        assert facts.python("ok.py") is not None
    assert facts.parses["ok.py"] == 1
    notes = {n.path: n.message for n in facts.repo.notes}
    assert notes["bad.py"] == "Python syntax error at line 1; not read"
    assert notes["bad.yml"].startswith("invalid YAML")
    assert notes["bad.ipynb"].startswith("invalid JSON")
    assert "deep.py" in notes


def test_markdown_sections_and_placeholders(tmp_path):
    root = make_repo(
        tmp_path / "r",
        {
            "README.md": """
        # Project
        ## Rollback
        TODO
        ## Deploy
        We deploy the model behind a canary that receives ten percent of traffic for an hour,
        then the release manager promotes it when error rates stay flat and latency holds.
        ```
        # not a heading
        ```
    """
        },
    )
    md = Facts(Repo.open(root)).markdown("README.md")
    assert [(s.title, s.line) for s in md.sections] == [
        ("Project", 1),
        ("Rollback", 2),
        ("Deploy", 4),
    ]
    assert not md.find("rollback")[0].substantive
    assert md.find("deploy")[0].substantive


def test_own_reports_and_config_are_never_evidence(tmp_path):
    root = make_repo(
        tmp_path / "r",
        {
            "REPORT.md": "<!-- mlready-report -->\n## Rollback\nServing models can be rolled back "
            "by the documented procedure that every on-call engineer follows here.\n",
            "mlready.yaml": "# data-5 privacy: presidio masking of identifiers\ngate: {}\n",
            "docs/rollback.md": "## Rollback\nServing models can be rolled back by the documented "
            "procedure that every on-call engineer follows here.\n",
        },
    )
    facts = Facts(Repo.open(root))
    assert facts.text("REPORT.md") is None and facts.markdown("REPORT.md") is None
    assert facts.text("mlready.yaml") is None
    assert facts.markdown("docs/rollback.md").sections[0].substantive
    notes = {n.path: n.message for n in facts.repo.notes}
    assert notes == {"REPORT.md": "a report written by mlready; not read as evidence"}


def test_module_index_resolves_imports_under_folders_put_on_sys_path(tmp_path):
    from ml_readiness.facts.imports import imported_files, module_index

    root = make_repo(
        tmp_path,
        {
            "a/train.py": "def train(): ...\n",
            "b/train.py": "def train(): ...\n",
            "src/pkg/core.py": "X = 1\n",
            "scripts/run.py": (
                "import os, sys\n"
                "sys.path.append(os.path.join(\n"
                "    os.path.dirname(__file__), '..', 'b'))\n"
                "from train import train\n"
            ),
            "scripts/run_src.py": (
                'SRC = "src"\nimport sys\nsys.path.insert(0, SRC)\nfrom pkg.core import X\n'
            ),
            # traps: a folder that is not in the repo, a computed path, a comment
            "scripts/no_dir.py": (
                "import sys\n"
                'sys.path.insert(0, "/opt/ml/code")\n'
                "sys.path.insert(0, os.getcwd())  # 'b'\n"
                "from train import train\n"
            ),
        },
    )
    facts = Facts(Repo.open(root))
    index = module_index(facts)
    assert index.path_dirs("scripts/run.py") == ("b",)
    assert imported_files(facts, "scripts/run.py") == ["b/train.py"]
    assert index.path_dirs("scripts/run_src.py") == ("src",)
    assert imported_files(facts, "scripts/run_src.py") == ["src/pkg/core.py"]
    assert index.path_dirs("scripts/no_dir.py") == ()
    assert imported_files(facts, "scripts/no_dir.py") == ["a/train.py"]  # shortest, as before
    # a stand-in importer (`python -m pkg` → pkg/__main__.py) is not read, and leaves no note
    assert index.path_dirs("pkg/__main__.py") == ()
    assert facts.repo.notes == []


def test_imports_through_a_package_facade_reach_the_defining_module(tmp_path):
    from ml_readiness.facts.imports import imported_files

    root = make_repo(
        tmp_path,
        {
            "src/shop/__init__.py": "",
            "src/shop/models/__init__.py": (
                "from .features import FeatureBuilder as Builder\n"
                "from .train import *\n"
                "from .serve import *\n"
                "def helper(): ...\n"
            ),
            "src/shop/models/features.py": "class FeatureBuilder: ...\n",
            "src/shop/models/train.py": "def fit_model(): ...\n",
            "src/shop/models/serve.py": "def predict(): ...\n",
            "src/shop/api/__init__.py": "from ..models import Builder\n",  # a facade's facade
            "src/shop/cli.py": "from .models import Builder\n",  # a module, not a facade
            "tests/test_a.py": "from shop.models import Builder, fit_model, helper\n",
            "tests/test_b.py": "from shop.api import Builder\n",
            "tests/test_d.py": "from shop.cli import Builder\n",
            "tests/test_c.py": "import shop.models\n",
        },
    )
    facts = Facts(Repo.open(root))
    assert imported_files(facts, "tests/test_a.py") == [
        "src/shop/models/__init__.py",
        "src/shop/models/features.py",  # Builder, renamed on the way
        "src/shop/models/train.py",  # fit_model through `import *` of the module defining it
    ]  # helper is the package's own; serve.py defines none of the names
    assert imported_files(facts, "tests/test_b.py") == [
        "src/shop/api/__init__.py",
        "src/shop/models/__init__.py",
        "src/shop/models/features.py",
    ]
    assert imported_files(facts, "tests/test_c.py") == ["src/shop/models/__init__.py"]
    # only packages' __init__.py files are read as facades (a module is not parsed for it)
    assert imported_files(facts, "tests/test_d.py") == ["src/shop/cli.py"]


def test_iter_yaml_files_parses_only_files_that_mention_what_is_asked(tmp_path):
    import re

    from ml_readiness.checklib import iter_yaml_files

    root = make_repo(
        tmp_path,
        {
            "k8s/retrain.yaml": "kind: CronJob\nspec: {schedule: '0 3 * * *'}\n",
            "k8s/serve.yaml": "kind: Deployment\n",
            "params.yml": "FORBIDDEN_FEATURES: [ssn]\n",
            "broken.yaml": "kind: [unclosed\n",
        },
    )
    facts = Facts(Repo.open(root))
    found = [p for p, _ in iter_yaml_files(facts, "*.yaml", "*.yml", mentions=("CronJob",))]
    assert found == ["k8s/retrain.yaml"]
    assert set(facts.parse_counts) == {("yaml", "k8s/retrain.yaml")}  # nothing else parsed
    listed = iter_yaml_files(facts, "*.yml", text=re.compile("forbidden", re.I))
    assert [p for p, _ in listed] == ["params.yml"]
    everything = sorted(p for p, _ in iter_yaml_files(facts, "*.yaml", "*.yml"))
    assert everything == ["k8s/retrain.yaml", "k8s/serve.yaml", "params.yml"]  # broken: a note


def test_calls_to_matches_whole_names_and_dotted_tails_in_file_order():
    src = (
        "import numpy as np\n"
        "from sklearn.dummy import DummyClassifier\n"
        "import sklearn\n"
        "np.random.seed(0)\n"
        "DummyClassifier()\n"
        "seed(1)\n"
        "sklearn.dummy.DummyClassifier()\n"
        "model.fit(x)\n"
    )
    pf = extract(src, "a.py")
    lines = lambda calls: [c.line for c in calls]  # noqa: E731
    assert lines(pf.calls_to("numpy.random.seed")) == [4]
    assert lines(pf.calls_to("random.seed")) == [4]  # a dotted tail
    assert lines(pf.calls_to("seed")) == [6]  # no dot: the whole name only
    assert lines(pf.calls_to("dummy.DummyClassifier", "numpy.random.seed")) == [4, 5, 7]
    assert lines(pf.calls_to("fit")) == []  # use method_calls for attributes
    assert lines(pf.calls_to("model.fit")) == [8]
    assert [c.attr for c in pf.calls] == [
        "seed",
        "DummyClassifier",
        "seed",
        "DummyClassifier",
        "fit",
    ]
