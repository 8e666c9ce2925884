"""Which program a shell line runs: the program position of each simple command, not any word
of the line (`zip -r release.zip train.py` mentions a training script without running it)."""

from __future__ import annotations

import re
import shlex

SEPARATORS = re.compile(r"\s*(?:&&|\|\||;|\||&(?!>))\s*")
ASSIGN = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*=")
# words that run the rest of the command: `sudo`, `time`, `poetry run`, `conda run -n env` ...
WRAPPERS = {"sudo", "time", "nohup", "env", "exec", "xvfb-run", "stdbuf"}
RUNNERS = {"poetry", "uv", "pipenv", "pdm", "hatch", "rye", "conda", "mamba", "micromamba"}
# programs whose argument list holds another command (`docker run img python train.py`)
CONTAINERS = {"docker", "docker-compose", "podman", "kubectl", "singularity", "apptainer"}
PYTHON = re.compile(r"^(?:[\w./-]*/)?python(?:\d(?:\.\d+)?)?$")
TRAIN_NAME = re.compile(r"(?i)train")


def simple_commands(line: str) -> list[list[str]]:
    """The words of each simple command of `line`, wrappers and `VAR=value` prefixes removed."""
    out = []
    for part in SEPARATORS.split(line.strip()):
        try:
            words = shlex.split(part, comments=True)
        except ValueError:
            words = part.split()
        out.append(_unwrap(words))
    return [w for w in out if w]


def _unwrap(words: list[str]) -> list[str]:
    while words:
        head = words[0].rsplit("/", 1)[-1]
        if ASSIGN.match(words[0]) or head in WRAPPERS:
            words = words[1:]
        elif head in RUNNERS and len(words) > 1 and words[1] == "run":
            words = words[2:]
            while words and words[0].startswith("-"):  # conda run -n env / --no-capture-output
                takes_value = words[0] in ("-n", "--name", "-p", "--prefix")
                words = words[2:] if takes_value else words[1:]
        elif head in CONTAINERS:
            rest = next((i for i, w in enumerate(words[1:], 1) if PYTHON.match(w)), None)
            words = words[rest:] if rest is not None else words
            break
        else:
            break
    return words


def python_target(words: list[str]) -> str | None:
    """The script or `-m` module a `python` command runs, or None."""
    if not words or not PYTHON.match(words[0]):
        return None
    rest = words[1:]
    while rest:
        w = rest[0]
        if w == "-m":
            return rest[1] if len(rest) > 1 else None
        if w == "-c":
            return None
        if w.startswith("-"):
            rest = rest[2:] if w in ("-W", "-X") else rest[1:]
            continue
        return w
    return None


def runs_pipeline(line: str) -> str | None:
    """The simple command of `line` that runs a training pipeline (a `python` training script or
    module, a bare `train*.py`/`train*.sh`, `kedro run`, `mlflow run`, `zenml pipeline run`,
    `dvc repro`/`dvc exp run`), or None."""
    for words in simple_commands(line):
        program = words[0]
        target = python_target(words)
        if target is not None and TRAIN_NAME.search(target.rsplit("/", 1)[-1]):
            return " ".join(words)
        base = program.rsplit("/", 1)[-1]
        if re.match(r"(?i)[\w.-]*train[\w.-]*\.(py|sh)$", base):
            return " ".join(words)
        if base in ("bash", "sh") and len(words) > 1 and TRAIN_NAME.search(words[1]):
            return " ".join(words)
        second = words[1:3]
        if (base, second[:1]) in (("kedro", ["run"]), ("mlflow", ["run"])):
            return " ".join(words)
        if base == "zenml" and second == ["pipeline", "run"]:
            return " ".join(words)
        if base == "dvc" and (second[:1] == ["repro"] or second == ["exp", "run"]):
            return " ".join(words)
    return None
