"""Round 6 (F): task-runner indirection seen in real ML repositories — pyinvoke task
collections (`poetry run inv checks`), justfiles that import recipe files, `pre-commit run`
(and `pre-commit/action`) and marketplace actions that run a command input."""

from __future__ import annotations

from tests.automation.util import amap_of, runs
from tests.helpers import audit, make_repo

PUSH = "on: [push]\njobs:\n  check:\n    runs-on: ubuntu-latest\n    steps:\n"
TEST = "def test_ok():\n    assert 1\n"
CHECKS = '''
from invoke import task

SRC = "src/"


@task
def lint(ctx):
    ctx.run("poetry run ruff check src/")


@task
def test(ctx):
    ctx.run(f"poetry run pytest --cov={SRC} tests/")


@task
def slow(ctx):
    ctx.run(f"poetry run pytest {ctx.config.slow_dir}")


@task(pre=[lint, test], default=True)
def all(_):
    """Run all checks."""
'''
TASKS_INIT = """
from invoke import Collection

from . import checks, docs

ns = Collection()
ns.add_collection(checks)
ns.add_collection(docs)
"""
DOCS = """
from invoke import task


@task(default=True)
def build(ctx):
    ctx.run("python scripts/build_docs.py")
"""


def _invoke_repo(tmp_path, command: str):
    return amap_of(
        tmp_path,
        {
            ".github/workflows/ci.yml": PUSH + f"      - run: {command}\n",
            "tasks/__init__.py": TASKS_INIT,
            "tasks/checks.py": CHECKS,
            "tasks/docs.py": DOCS,
            "scripts/build_docs.py": "x = 1\n",
            "tests/test_a.py": TEST,
            "slow/test_slow.py": TEST,
        },
    )


def test_invoke_collection_default_task_runs_its_pre_tasks(tmp_path):
    amap = _invoke_repo(tmp_path, "poetry run inv checks")
    assert runs(amap, "tests/test_a.py", "test_ok") == {".github/workflows/ci.yml#check (change)"}
    chain = amap.execution_of("tests/test_a.py", "test_ok").chain
    assert chain[-4:] == (
        "tasks/checks.py#all",
        "tasks/checks.py#test",
        "`pytest --cov=src/ tests/`",
        "tests/test_a.py::test_ok",
    )
    assert amap.execution_of("scripts/build_docs.py") is None  # `docs` was not asked for
    # a command built from a runtime value is noted, never guessed
    assert amap.execution_of("slow/test_slow.py") is None


def test_invoke_dotted_task_and_python_module_form(tmp_path):
    amap = _invoke_repo(tmp_path, "python -m invoke docs checks.lint")
    assert runs(amap, "scripts/build_docs.py") == {".github/workflows/ci.yml#check (change)"}
    assert amap.execution_of("tests/test_a.py") is None  # only `lint` of checks ran


def test_invoke_trap_list_and_unknown_task_run_nothing(tmp_path):
    amap = _invoke_repo(tmp_path, "inv --list && inv checks.missing")
    assert amap.execution_of("tests/test_a.py") is None
    assert amap.execution_of("scripts/build_docs.py") is None
    assert any("invoke task `checks.missing` is not defined" in r for _, r in amap.unresolved)


def test_invoke_flat_tasks_file_with_renamed_task(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".github/workflows/ci.yml": PUSH + "      - run: invoke unit-tests\n",
            "tasks.py": (
                "from invoke import task\n\n\n"
                '@task(name="unit-tests")\n'
                "def unit(c):\n"
                '    c.run("pytest tests")\n'
            ),
            "tests/test_a.py": TEST,
        },
    )
    assert runs(amap, "tests/test_a.py", "test_ok") == {".github/workflows/ci.yml#check (change)"}


JUSTFILE = """
SOURCES := "src"
TESTS := "tests"

default:
    @just --list

import 'tasks/check.just'
"""
CHECK_JUST = """
# check code quality
[group('check')]
check-code:
    uv run ruff check {{SOURCES}}

[group('check')]
check-coverage numprocesses="auto":
    uv run pytest --numprocesses={{numprocesses}} {{TESTS}}

check-slow:
    uv run pytest slow
"""


def test_just_recipes_from_an_imported_file(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".github/workflows/ci.yml": PUSH
            + "      - run: uv run just check-code check-coverage\n",
            "justfile": JUSTFILE,
            "tasks/check.just": CHECK_JUST,
            "tests/test_a.py": TEST,
            "slow/test_slow.py": TEST,
        },
    )
    assert runs(amap, "tests/test_a.py", "test_ok") == {".github/workflows/ci.yml#check (change)"}
    chain = amap.execution_of("tests/test_a.py", "test_ok").chain
    assert chain[-3:] == (
        "tasks/check.just#check-coverage",
        "`pytest --numprocesses=auto tests`",
        "tests/test_a.py::test_ok",
    )
    assert amap.execution_of("slow/test_slow.py") is None  # `check-slow` was not asked for


def test_just_trap_default_recipe_only_lists(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".github/workflows/ci.yml": PUSH + "      - run: just\n",
            "justfile": JUSTFILE,
            "tasks/check.just": CHECK_JUST,
            "tests/test_a.py": TEST,
        },
    )
    assert amap.execution_of("tests/test_a.py") is None


GITLEAKS = """
repos:
  - repo: https://github.com/gitleaks/gitleaks
    rev: v8.18.0
    hooks:
      - id: gitleaks
"""


def test_pre_commit_runs_the_whole_config_but_not_when_one_hook_is_named(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".github/workflows/ci.yml": (
                "on: [push]\njobs:\n"
                "  all:\n    runs-on: ubuntu-latest\n    steps:\n"
                "      - run: pre-commit run --from-ref origin/main --to-ref HEAD\n"
                "  one:\n    runs-on: ubuntu-latest\n    steps:\n"
                "      - run: pre-commit run black --all-files\n"
                "  action:\n    runs-on: ubuntu-latest\n    steps:\n"
                "      - uses: pre-commit/action@v3.0.1\n"
            ),
            ".pre-commit-config.yaml": GITLEAKS,
        },
    )
    assert runs(amap, ".pre-commit-config.yaml") == {
        ".github/workflows/ci.yml#all (change)",
        ".github/workflows/ci.yml#action (change)",
    }


def test_retry_action_runs_its_command_input(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".github/workflows/ci.yml": PUSH
            + (
                "      - uses: nick-fields/retry@v3\n"
                "        with:\n"
                "          timeout_minutes: 10\n"
                "          max_attempts: 3\n"
                "          command: pytest tests\n"
                "      - uses: some-org/unknown-action@v1\n"
                "        with:\n"
                "          command: pytest slow\n"
            ),
            "tests/test_a.py": TEST,
            "slow/test_slow.py": TEST,
        },
    )
    assert runs(amap, "tests/test_a.py", "test_ok") == {".github/workflows/ci.yml#check (change)"}
    assert amap.execution_of("slow/test_slow.py") is None  # an action we do not know


def _data5(tmp_path, ci: str):
    root = make_repo(
        tmp_path, {".github/workflows/ci.yml": ci, ".pre-commit-config.yaml": GITLEAKS}
    )
    item = next(i for i in audit(root).items if i.id == "data-5")
    hook = next(e for e in item.evidence if e.path == ".pre-commit-config.yaml")
    return item, hook


def test_secret_scanning_hook_run_by_pre_commit_in_ci_is_automated(tmp_path):
    item, hook = _data5(tmp_path, PUSH + "      - run: pre-commit run --all-files\n")
    assert (hook.line, hook.level) == (5, "automated")
    assert item.level == "automated"


def test_secret_scanning_hook_trap_manual_pre_commit_job_stays_manual(tmp_path):
    manual = PUSH.replace("on: [push]", "on: [workflow_dispatch]")
    item, hook = _data5(tmp_path, manual + "      - run: pre-commit run --all-files\n")
    assert (hook.line, hook.level) == (5, "manual")
    assert item.level == "manual"


NOXFILE = """
import nox


@nox.session(python=["3.10", "3.11"], name="unit-tests")
def tests(session):
    session.install("pytest")
    session.run("pytest", "tests/unit", *session.posargs)


@nox.session
def slow(session):
    session.run("pytest", "tests/slow")
"""


def test_nox_session_named_by_keyword_with_python_suffix_and_posargs(tmp_path):
    amap = amap_of(
        tmp_path,
        {
            ".github/workflows/ci.yml": PUSH + "      - run: nox -s unit-tests-3.11\n",
            "noxfile.py": NOXFILE,
            "tests/unit/test_u.py": TEST,
            "tests/slow/test_s.py": TEST,
        },
    )
    assert runs(amap, "tests/unit/test_u.py", "test_ok") == {
        ".github/workflows/ci.yml#check (change)"
    }
    assert amap.execution_of("tests/slow/test_s.py") is None  # another session
    assert amap.unresolved == []  # `*session.posargs` is not taken for a path


def test_prefix_options_timeout_and_pixi_tasks(tmp_path):
    jobs = {
        "a": "xvfb-run -a -s '-screen 0 1024x768x24' pytest tests/test_a.py",
        "b": "timeout -k 10 600 pytest tests/test_b.py",
        "c": "pixi run -e py311 pytest tests/test_c.py",
        "d": "pixi run test",
        "e": "sudo -E -u ci python -m pytest tests/test_e.py",
        "lint": "pixi run lint && sudo apt-get install -y xvfb",
    }
    ci = "on: [push]\njobs:\n" + "".join(
        f"  {name}:\n    runs-on: ubuntu-latest\n    steps:\n      - run: {cmd}\n"
        for name, cmd in jobs.items()
    )
    files = {
        ".github/workflows/ci.yml": ci,
        "pixi.toml": (
            '[project]\nname = "x"\n\n[tasks]\nlint = "ruff check ."\n'
            'unit = "pytest tests/test_d.py"\ntest = { depends-on = ["unit"] }\n'
        ),
    }
    files.update({f"tests/test_{x}.py": TEST for x in "abcde"})
    amap = amap_of(tmp_path, files)
    for x in "abcde":
        assert runs(amap, f"tests/test_{x}.py", "test_ok") == {
            f".github/workflows/ci.yml#{x} (change)"
        }
    # the lint job runs no test (a task of its own, then a package install)
    assert not any(e.root.endswith("#lint") for e in amap.executions("tests/test_d.py"))
