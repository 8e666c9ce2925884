"""Task runners reached from CI: Makefile, shell scripts, tox, nox, just, DVC, pre-commit."""

from __future__ import annotations

from tests.automation.util import amap_of, runs

TEST_PY = "def test_ok():\n    assert 1\n"


def workflow(command: str) -> str:
    return (
        f"on: push\njobs:\n  ci:\n    runs-on: ubuntu-latest\n    steps:\n      - run: {command}\n"
    )


ROOT = ".github/workflows/ci.yml#ci (change)"


def test_workflow_make_shell_pytest_chain(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".github/workflows/ci.yml": workflow("make ci"),
            "Makefile": (
                "include common.mk\n"
                "TESTS = tests/unit\n"
                "ci: lint\n"
                "\t@bash scripts/run_tests.sh $(TESTS)\n"
                "lint:\n"
                "\t$(MAKE) -C tools check\n"
            ),
            "common.mk": "include Makefile\nPY := python\n",
            "tools/Makefile": "check:\n\t$(PY) check.py\n",
            "tools/check.py": "print('ok')\n",
            "scripts/run_tests.sh": (
                "#!/bin/sh\nset -eu\n. scripts/run_tests.sh\npytest tests/unit\n"
            ),
            "tests/unit/test_u.py": TEST_PY,
        },
    )
    run = amap.execution_of("tests/unit/test_u.py", "test_ok")
    assert run is not None
    assert run.chain == (
        ".github/workflows/ci.yml",
        "job ci",
        "step #1",
        "`make ci`",
        "Makefile#ci",
        "`bash scripts/run_tests.sh tests/unit`",
        "scripts/run_tests.sh",
        "`pytest tests/unit`",
        "tests/unit/test_u.py::test_ok",
    )
    assert runs(amap, "scripts/run_tests.sh") == {ROOT}
    # `$(PY)` is defined in the top Makefile's include, not in tools/Makefile: not resolved
    assert amap.execution_of("tools/check.py") is None
    assert (
        "tools/Makefile",
        "`$(PY) check.py`: program `$(PY)` not known statically",
    ) in amap.unresolved


def test_make_default_target_and_missing_target(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".github/workflows/ci.yml": workflow("make && make nope"),
            "Makefile": ".PHONY: all\nall:\n\tpython -m pkg.train\n",
            "src/pkg/__init__.py": "",
            "src/pkg/train.py": "def main():\n    pass\n\nif __name__ == '__main__':\n    main()\n",
        },
    )
    assert runs(amap, "src/pkg/train.py", "main") == {ROOT}
    assert (".github/workflows/ci.yml", "make target `nope` is not defined in Makefile") in (
        amap.unresolved
    )


def test_tox_envs_and_changedir(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".github/workflows/ci.yml": workflow("tox -e py311"),
            "tox.ini": (
                "[tox]\nenvlist = py{310,311}, lint\n\n"
                "[testenv]\ncommands =\n    pytest {posargs:tests/unit}\n\n"
                "[testenv:lint]\ncommands = python lint.py\n"
            ),
            "tests/unit/test_u.py": TEST_PY,
            "lint.py": "x = 1\n",
        },
    )
    assert runs(amap, "tests/unit/test_u.py", "test_ok") == {ROOT}
    assert amap.execution_of("lint.py") is None


def test_tox_in_pyproject_default_envlist(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".github/workflows/ci.yml": workflow("uv run tox"),
            "pyproject.toml": (
                "[tool.tox]\nlegacy_tox_ini = '''\n[tox]\nenvlist = lint\n"
                "[testenv:lint]\ncommands = python lint.py\n'''\n"
            ),
            "lint.py": "x = 1\n",
        },
    )
    assert runs(amap, "lint.py") == {ROOT}


def test_nox_sessions_read_not_executed(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".github/workflows/ci.yml": workflow("nox -s tests"),
            "noxfile.py": (
                "import nox\n\n"
                "@nox.session(python=['3.11'])\n"
                "def tests(session):\n"
                "    session.install('-e', '.')\n"
                "    session.run('pytest', 'tests/fast', *session.posargs)\n\n"
                "@nox.session\n"
                "def train(session):\n"
                "    session.run('python', 'train.py')\n"
            ),
            "tests/fast/test_f.py": TEST_PY,
            "train.py": "x = 1\n",
        },
    )
    assert runs(amap, "tests/fast/test_f.py", "test_ok") == {ROOT}
    run = amap.execution_of("tests/fast/test_f.py", "test_ok")
    assert run is not None and "noxfile.py#tests" in run.chain
    assert amap.execution_of("train.py") is None


def test_dvc_repro_stage_with_upstream(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".github/workflows/ci.yml": workflow("dvc repro evaluate"),
            "dvc.yaml": """
                stages:
                  prepare:
                    cmd: python src/prepare.py
                    outs: [data/clean.csv]
                  train:
                    cmd: python src/train.py
                    deps: [data/clean.csv]
                    outs: [model.pkl]
                  evaluate:
                    cmd: python src/evaluate.py
                    deps: [model.pkl]
                  report:
                    cmd: python src/report.py
            """,
            "src/prepare.py": "x = 1\n",
            "src/train.py": "x = 1\n",
            "src/evaluate.py": "x = 1\n",
            "src/report.py": "x = 1\n",
        },
    )
    for script in ("prepare", "train", "evaluate"):
        assert runs(amap, f"src/{script}.py") == {ROOT}
    run = amap.execution_of("src/train.py")
    assert run is not None and "dvc.yaml#train" in run.chain
    assert run.root == ".github/workflows/ci.yml#ci"
    assert amap.execution_of("src/report.py") is None


def test_just_precommit_and_console_script(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".github/workflows/ci.yml": workflow("just check && pre-commit run --all-files"),
            "justfile": "check: validate\n    mlproj-eval\n\nvalidate:\n    python validate.py\n",
            ".pre-commit-config.yaml": """
                repos:
                  - repo: local
                    hooks:
                      - id: schema
                        name: schema
                        entry: python check_schema.py
                        language: system
            """,
            "pyproject.toml": (
                "[project]\nname='p'\n[project.scripts]\nmlproj-eval = 'proj.ev:main'\n"
            ),
            "src/proj/__init__.py": "",
            "src/proj/ev.py": "def main():\n    pass\n",
            "validate.py": "x = 1\n",
            "check_schema.py": "x = 1\n",
        },
    )
    assert runs(amap, "validate.py") == {ROOT}
    assert runs(amap, "check_schema.py") == {ROOT}
    assert runs(amap, "src/proj/ev.py", "main") == {ROOT}


def test_gx_checkpoint_and_notebook_execution(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".github/workflows/ci.yml": workflow(
                "great_expectations checkpoint run daily && "
                "jupyter nbconvert --to notebook --execute nb/eval.ipynb && "
                "papermill nb/train.ipynb out.ipynb && gx checkpoint run missing"
            ),
            "gx/checkpoints/daily.yml": "name: daily\n",
            "nb/eval.ipynb": '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
            "nb/train.ipynb": '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
        },
    )
    assert runs(amap, "gx/checkpoints/daily.yml") == {ROOT}
    assert runs(amap, "nb/eval.ipynb") == {ROOT}
    assert runs(amap, "nb/train.ipynb") == {ROOT}
    assert (
        ".github/workflows/ci.yml",
        "Great Expectations checkpoint `missing` has no file in the repository",
    ) in amap.unresolved


def test_unresolvable_commands_are_noted(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".github/workflows/ci.yml": workflow(
                'python $SCRIPT && python missing.py && python -c "import x"'
            ),
        },
    )
    assert amap.executed == {}
    assert sorted(r for _, r in amap.unresolved) == [
        "`$SCRIPT`: script path not known statically",
        "`missing.py` (from .) is not a file of the repository",
        "inline `python -c` code is not followed",
    ]
