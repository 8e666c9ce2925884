"""model-1 spec finders beyond config folders and module-level dicts: a hyperparameter dict
built inside a function and passed to a model with `**`, hyperparameter constants kept in a
module that the training code reads (`constants.NUM_EPOCHS`), and the DVC `params.yaml`
entries that a training stage declares. No checks are registered here."""

from __future__ import annotations

import ast
import posixpath
import re
from collections.abc import Callable, Iterable

from ml_readiness.facts import Facts, is_example_config, is_test_path
from ml_readiness.facts.imports import module_index
from ml_readiness.facts.python import Import, PythonFacts

# (path, line, detail)
Found = tuple[str, int, str]

# Hyperparameter-named constants (upper case) may carry a prefix: TRAIN_BATCH_SIZE, BASE_LR.
CONSTANT_SUFFIXES = (
    "learning_rate",
    "lr",
    "epochs",
    "batch_size",
    "hidden_units",
    "hidden_size",
    "hidden_dim",
    "num_layers",
    "dropout",
    "weight_decay",
    "momentum",
    "n_estimators",
    "max_depth",
    "num_leaves",
    "embedding_dim",
    "num_heads",
    "warmup_steps",
    "max_iter",
)
CONSTANT_NAME = re.compile(rf"^(?:[A-Z0-9]+_)*({'|'.join(s.upper() for s in CONSTANT_SUFFIXES)})$")
CONSTANT_LINE = re.compile(
    rf"^(?:[A-Z0-9]+_)*({'|'.join(s.upper() for s in CONSTANT_SUFFIXES)})\s*(:[^=]*)?=", re.M
)
# a class called with a `**dict` argument: `RandomForestClassifier(**default_params)`
STARRED_CALL = re.compile(r"\b[A-Z]\w*\([^()]*\*\*[A-Za-z_]\w*\s*[,)]")
TRAIN_STAGE = re.compile(r"train|(^|[_-])fit", re.I)


def starred_dict_specs(facts: Facts, hyper_keys: frozenset[str]) -> list[Found]:
    """`params = {"n_estimators": 100, "max_depth": 10}; RandomForestClassifier(**params)` (or
    `params = dict(...)`) inside a function: a dict with two or more hyperparameter keys that
    the same function passes with `**` to a class constructor (a model)."""
    out: list[Found] = []
    for path, pf in facts.python_files(mentions=("**",), pattern=STARRED_CALL):
        if is_test_path(path):
            continue
        calls = [
            (c, v[1:])
            for c in pf.calls
            for k, v in c.kwargs
            if k == "**" and isinstance(v, str) and v.startswith("$") and "." not in v
        ]
        calls = [(c, name) for c, name in calls if c.attr[:1].isupper() and c.scope]
        if not calls:
            continue
        tree = facts.syntax_tree(path)
        if tree is None:
            continue
        for call, name in calls:
            fn = pf.function(call.scope)
            if fn is None:
                continue
            keys, line = _dict_assigned(tree, name, fn.line, call.line)
            hyper = sorted(keys & hyper_keys)
            if len(hyper) >= 2:
                detail = (
                    f"hyperparameters `{name}` ({', '.join(hyper[:5])}) passed to "
                    f"`{call.name}(**{name})` in code"
                )
                out.append((path, line, detail))
                break
    return out[:3]


def _dict_assigned(tree: ast.Module, name: str, start: int, end: int) -> tuple[set[str], int]:
    """String keys of the last dict literal (or `dict(k=v)`) assigned to `name` between lines
    `start` and `end`, and its line."""
    keys: set[str] = set()
    line = 0
    for node in ast.walk(tree):
        if not isinstance(node, ast.Assign) or not start <= node.lineno <= end:
            continue
        if not any(isinstance(t, ast.Name) and t.id == name for t in node.targets):
            continue
        value = node.value
        if isinstance(value, ast.Dict):
            found = {k.value for k in value.keys if isinstance(k, ast.Constant)}
        elif isinstance(value, ast.Call) and getattr(value.func, "id", None) == "dict":
            found = {k.arg for k in value.keywords if k.arg}
        else:
            continue
        if node.lineno > line:
            keys, line = {str(k) for k in found}, node.lineno
    return keys, line


def constants_module_specs(facts: Facts, trains: Callable[[str, PythonFacts], bool]) -> list[Found]:
    """A module of hyperparameter constants (`LEARNING_RATE = 0.001`, `NUM_EPOCHS = 2`,
    `TRAIN_BATCH_SIZE = 40`) two or more of which a training module (`trains`) imports and
    reads (`constants.NUM_EPOCHS`, `from config import LEARNING_RATE, EPOCHS`)."""
    out: list[Found] = []
    candidates = {}
    names = tuple(s.upper() for s in CONSTANT_SUFFIXES)  # every match holds one: found fast
    for path, pf in facts.python_files(mentions=names, tests=False, pattern=CONSTANT_LINE):
        if is_test_path(path) or path.startswith("../"):
            continue
        names = {
            a.name: a.line
            for a in pf.assigns
            if a.scope == "<module>" and CONSTANT_NAME.match(a.name) and _numeric(a.value)
        }
        if len(names) >= 2:
            candidates[path] = names
    if not candidates:
        return out
    index = module_index(facts)
    tokens = tuple({n for c in candidates.values() for n in c})
    for other, pf in facts.python_files(mentions=tokens, tests=False):
        if is_test_path(other) or not trains(other, pf):
            continue
        read: dict[str, set[str]] = {}
        for imp in pf.imports:
            for target in index.resolve(other, imp):
                names = candidates.get(target)
                if names and target != other:
                    read.setdefault(target, set()).update(_names_read(facts, other, imp, names))
        for target, used in read.items():
            if len(used) >= 2 and target in candidates:
                names = candidates.pop(target)
                shown = ", ".join(sorted(used, key=names.get)[:4])
                detail = f"hyperparameter constants ({shown}) in {target}, read by {other}"
                out.append((target, min(names[n] for n in used), detail))
    return out[:3]


def _numeric(value: object) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, int | float):
        return True
    return (
        isinstance(value, list | tuple)
        and bool(value)
        and all(isinstance(v, int | float) and not isinstance(v, bool) for v in value)
    )


def _names_read(facts: Facts, path: str, imp: Import, names: dict[str, int]) -> set[str]:
    """The constants of a module that `path` reads through this import: imported by name, or
    read as attributes of the imported module (`constants.NUM_EPOCHS`)."""
    if imp.name in names:  # from pkg.constants import LEARNING_RATE
        return {imp.name}
    body = [ln for ln in facts.lines(path) if not ln.lstrip().startswith(("#", "import ", "from "))]
    text = "\n".join(body)
    if imp.name == "*":
        return {n for n in names if re.search(rf"\b{n}\b", text)}
    return {n for n in names if re.search(rf"\b{re.escape(imp.alias)}\.{n}\b", text)}


def dvc_param_specs(facts: Facts) -> list[Found]:
    """`params.yaml` entries that a DVC training stage declares (`params: [train.n_est,
    train.min_split]` on a stage named train or running a training script): the stage's
    model parameters, whatever their names."""
    out: list[Found] = []
    for path in facts.repo.files:
        if posixpath.basename(path) not in ("dvc.yaml", "dvc.yml") or is_example_config(path):
            continue
        doc = facts.yaml_doc(path)
        stages = doc.get("stages") if isinstance(doc, dict) else None
        if not isinstance(stages, dict):
            continue
        folder = posixpath.dirname(path)
        for name, stage in stages.items():
            if not isinstance(stage, dict) or not _trains(str(name), stage):
                continue
            for file, keys in _stage_params(stage):
                target = posixpath.normpath(posixpath.join(folder, file)) if folder else file
                if target not in facts.repo.files or not keys:
                    continue
                line = _key_line(facts.lines(target), keys[0])
                shown = ", ".join(keys[:4])
                detail = f"model parameters ({shown}) of DVC stage `{name}` in {target}"
                out.append((target, line, detail))
                break
    return out[:3]


def _trains(name: str, stage: dict) -> bool:
    cmd = stage.get("cmd")
    cmd = " ".join(map(str, cmd)) if isinstance(cmd, list) else str(cmd or "")
    return bool(TRAIN_STAGE.search(name) or re.search(r"\btrain\w*\.py\b", cmd))


def _stage_params(stage: dict) -> Iterable[tuple[str, list[str]]]:
    """(params file, keys) a stage declares: bare keys read `params.yaml`."""
    default: list[str] = []
    for entry in stage.get("params") or []:
        if isinstance(entry, str):
            default.append(entry)
        elif isinstance(entry, dict):
            for file, keys in entry.items():
                keys = keys if isinstance(keys, list) else []
                yield str(file), [str(k) for k in keys]
    if default:
        yield "params.yaml", default


def _key_line(lines: list[str], key: str) -> int:
    """The line of the top-level section of a dotted params key (`train` for `train.n_est`)."""
    top = key.split(".", 1)[0]
    for number, line in enumerate(lines, 1):
        if re.match(rf"{re.escape(top)}\s*:", line):
            return number
    return 1
