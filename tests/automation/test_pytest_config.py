"""pytest invocations: configuration, selection options and skips on the runner."""

from __future__ import annotations

from tests.automation.util import amap_of, runs

ROOT = ".github/workflows/ci.yml#ci (change)"


def workflow(command: str, runs_on: str = "ubuntu-latest") -> str:
    return f"on: push\njobs:\n  ci:\n    runs-on: {runs_on}\n    steps:\n      - run: {command}\n"


def test_testpaths_addopts_and_python_files_from_pyproject(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".github/workflows/ci.yml": workflow("pytest"),
            "pyproject.toml": (
                "[tool.pytest.ini_options]\n"
                'testpaths = ["tests"]\n'
                'addopts = "-ra --ignore=tests/slow"\n'
                'python_files = ["check_*.py", "test_*.py"]\n'
            ),
            "tests/check_data.py": "def test_rows():\n    assert 1\n",
            "tests/test_a.py": "def test_a():\n    assert 1\n",
            "tests/slow/test_big.py": "def test_big():\n    assert 1\n",
            "other/test_outside.py": "def test_o():\n    assert 1\n",
        },
    )
    assert runs(amap, "tests/check_data.py", "test_rows") == {ROOT}
    assert runs(amap, "tests/test_a.py", "test_a") == {ROOT}
    assert amap.execution_of("tests/slow/test_big.py") is None
    assert amap.execution_of("other/test_outside.py") is None
    assert amap.why_not("tests/slow/test_big.py") == (
        "tests/slow/test_big.py is not collected: excluded by `--ignore=tests/slow` in "
        ".github/workflows/ci.yml#ci (`pytest`)"
    )


def test_pytest_ini_setup_cfg_and_tox_ini_sections(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".github/workflows/ci.yml": workflow(
                "cd a && pytest; cd ../b && pytest; cd ../c && pytest"
            ),
            "a/pytest.ini": "[pytest]\ntestpaths = suite\n",
            "a/suite/test_x.py": "def test_x():\n    assert 1\n",
            "a/other/test_y.py": "def test_y():\n    assert 1\n",
            "b/setup.cfg": "[tool:pytest]\npython_files = t_*.py\n",
            "b/t_z.py": "def test_z():\n    assert 1\n",
            "b/test_w.py": "def test_w():\n    assert 1\n",
            "c/tox.ini": "[pytest]\naddopts = --ignore-glob=*/legacy/*\n",
            "c/legacy/test_l.py": "def test_l():\n    assert 1\n",
            "c/new/test_n.py": "def test_n():\n    assert 1\n",
        },
    )
    assert runs(amap, "a/suite/test_x.py", "test_x") == {ROOT}
    assert amap.execution_of("a/other/test_y.py") is None
    assert runs(amap, "b/t_z.py", "test_z") == {ROOT}
    assert amap.execution_of("b/test_w.py") is None
    assert runs(amap, "c/new/test_n.py", "test_n") == {ROOT}
    assert amap.execution_of("c/legacy/test_l.py") is None


def test_markers_keywords_node_ids_and_deselect(tmp_path):
    tests = (
        "import pytest\n\n"
        "@pytest.mark.slow\n"
        "def test_train_slow():\n    assert 1\n\n"
        "def test_train_fast():\n    assert 1\n\n"
        "def test_predict():\n    assert 1\n\n"
        "class TestSuite:\n"
        "    def test_in_class(self):\n        assert 1\n"
    )
    amap = amap_of(
        tmp_path,
        {
            ".github/workflows/ci.yml": workflow(
                "pytest tests/test_m.py -m 'not slow' -k train; "
                "pytest tests/test_n.py::TestSuite "
                "--deselect tests/test_n.py::TestSuite::test_gone; "
                "pytest tests/test_o.py -k 'predict or (x and not y)'"
            ),
            "tests/test_m.py": tests,
            "tests/test_n.py": "class TestSuite:\n    def test_a(self):\n        assert 1\n"
            "    def test_gone(self):\n        assert 1\n\ndef test_free():\n    assert 1\n",
            "tests/test_o.py": tests,
        },
    )
    assert runs(amap, "tests/test_m.py", "test_train_fast") == {ROOT}
    assert amap.execution_of("tests/test_m.py", "test_train_slow") is None
    assert amap.execution_of("tests/test_m.py", "test_predict") is None
    assert amap.why_not("tests/test_m.py", "test_train_slow") == (
        "tests/test_m.py::test_train_slow is not run by .github/workflows/ci.yml#ci: "
        "deselected by `-m not slow`"
    )
    assert runs(amap, "tests/test_n.py", "TestSuite.test_a") == {ROOT}
    assert amap.execution_of("tests/test_n.py", "TestSuite.test_gone") is None
    assert amap.execution_of("tests/test_n.py", "test_free") is None
    assert runs(amap, "tests/test_o.py", "test_predict") == {ROOT}
    assert amap.execution_of("tests/test_o.py", "test_train_fast") is None


def test_gpu_skipif_on_cpu_runner_but_not_on_gpu_runner(tmp_path):
    test = (
        "import pytest, torch\n\n"
        "@pytest.mark.skipif(not torch.cuda.is_available(), reason='needs GPU')\n"
        "def test_cuda():\n    assert 1\n\n"
        "@pytest.mark.skipif(torch.cuda.is_available(), reason='cpu path')\n"
        "def test_cpu_path():\n    assert 1\n\n"
        "@pytest.mark.skip(reason='broken')\n"
        "def test_broken():\n    assert 1\n\n"
        "@pytest.mark.xfail(reason='known')\n"
        "def test_known():\n    assert 1\n"
    )
    cpu = amap_of(
        tmp_path / "cpu",
        {".github/workflows/ci.yml": workflow("pytest"), "tests/test_g.py": test},
    )
    assert cpu.execution_of("tests/test_g.py", "test_cuda") is None
    assert cpu.why_not("tests/test_g.py", "test_cuda") == (
        "tests/test_g.py::test_cuda is not run by .github/workflows/ci.yml#ci: "
        "skipped on a CPU runner: skipif(not torch.cuda.is_available())"
    )
    assert runs(cpu, "tests/test_g.py", "test_cpu_path") == {ROOT}
    assert cpu.execution_of("tests/test_g.py", "test_broken") is None
    assert runs(cpu, "tests/test_g.py", "test_known") == {ROOT}
    gpu = amap_of(
        tmp_path / "gpu",
        {
            ".github/workflows/ci.yml": workflow("pytest", "[self-hosted, gpu]"),
            "tests/test_g.py": test,
        },
    )
    assert runs(gpu, "tests/test_g.py", "test_cuda") == {ROOT}


def test_missing_pytest_path_is_noted_and_conftest_fixtures_followed(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".github/workflows/ci.yml": workflow("pytest tests/nope tests/unit"),
            "tests/conftest.py": (
                "import pytest\nfrom src.data import load\n\n"
                "@pytest.fixture\ndef data(raw):\n    return load(raw)\n\n"
                "@pytest.fixture\ndef raw():\n    return []\n"
            ),
            "tests/unit/test_d.py": "def test_d(data):\n    assert data is not None\n",
            "src/__init__.py": "",
            "src/data.py": "def load(x):\n    return x\n",
        },
    )
    assert runs(amap, "src/data.py", "load") == {ROOT}
    run = amap.execution_of("src/data.py", "load")
    assert run is not None and run.chain[-3:] == (
        "tests/unit/test_d.py::test_d",
        "tests/conftest.py::data",
        "src/data.py::load",
    )
    assert (
        ".github/workflows/ci.yml",
        "`pytest tests/nope tests/unit`: pytest path `tests/nope` does not exist",
    ) in amap.unresolved


def test_unittest_discover(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".github/workflows/ci.yml": workflow("python -m unittest discover -s tests"),
            "tests/test_u.py": (
                "import unittest\n\nclass T(unittest.TestCase):\n"
                "    def test_u(self):\n        self.assertTrue(1)\n"
            ),
        },
    )
    assert runs(amap, "tests/test_u.py", "T.test_u") == {ROOT}


def test_gpu_helper_decorators_skip_on_cpu_runners(tmp_path):
    from ml_readiness.facts import Facts
    from ml_readiness.repo import Repo
    from tests.helpers import make_repo

    root = make_repo(
        tmp_path / "r",
        {
            ".github/workflows/ci.yml": "on: [push]\njobs:\n  t:\n    runs-on: ubuntu-latest\n"
            "    steps:\n      - run: pytest tests\n",
            "tests/helpers.py": "def RunIf(**kw):\n    return lambda f: f\n",
            "tests/test_m.py": """
            from tests.helpers import RunIf

            @RunIf(min_gpus=1)
            def test_on_gpu():
                assert 1

            @RunIf(sh=True)
            def test_needs_shell():
                assert 1

            def test_cpu():
                assert 1

            @RunIf(min_gpus=2)
            class TestOnGpu:
                def test_in_class(self):
                    assert 1
        """,
        },
    )
    amap = Facts(Repo.open(root)).automation
    assert amap.execution_of("tests/test_m.py", "test_cpu") is not None
    assert amap.execution_of("tests/test_m.py", "test_needs_shell") is not None
    assert amap.execution_of("tests/test_m.py", "test_on_gpu") is None
    assert amap.execution_of("tests/test_m.py", "TestOnGpu.test_in_class") is None
    assert (
        amap.why_not("tests/test_m.py", "test_on_gpu")
        == "tests/test_m.py::test_on_gpu is not run by .github/workflows/ci.yml#t: "
        "skipped on a CPU runner: @RunIf(min_gpus=1)"
    )
