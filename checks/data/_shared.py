"""Helpers shared by the data-section checks (no checks registered here)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from ml_readiness.facts import Facts, is_example_config
from ml_readiness.facts.python import MODULE, Call, ClassDef, Function, PythonFacts

NUMERIC_ANNOTATION = re.compile(
    r"^(Optional\[)?(float|int|bool|Decimal|conint|confloat|PositiveInt|PositiveFloat|"
    r"NonNegativeInt|NonNegativeFloat|StrictFloat|StrictInt)\b"
)
_FIELD = re.compile(r"^(\s+)([A-Za-z_]\w*)\s*:\s*([^=#]+?)\s*(=.*)?$")
# files that run commands (not prose): workflows, task runners, scripts, code
_RUNNER_SUFFIXES = (".yml", ".yaml", ".sh", ".bash", ".py", ".cfg", ".ini", ".toml", ".mk")
_RUNNER_NAMES = ("makefile", "justfile", "dockerfile", "jenkinsfile", "taskfile", "procfile")


def column_list(columns: Iterable[str], limit: int = 8) -> str:
    """`3 columns: a, b, c` (at most `limit` names, then `...`)."""
    cols = list(dict.fromkeys(c for c in columns if c))
    shown = ", ".join(cols[:limit]) + (", ..." if len(cols) > limit else "")
    word = "column" if len(cols) == 1 else "columns"
    return f"{len(cols)} {word}: {shown}" if cols else "no columns named statically"


def calls_from(pf: PythonFacts, roots: tuple[str, ...], attrs: Iterable[str]) -> list[Call]:
    """Calls whose qualified name starts with one of `roots` (a package) and ends with one
    of `attrs` (`pandera.DataFrameSchema`, `pandera.pandas.DataFrameSchema`, ...)."""
    wanted = set(attrs)
    return [
        c
        for c in pf.calls
        if c.attr in wanted and any(c.qualified.split(".")[0] == r for r in roots)
    ]


def receiver(call: Call) -> str:
    """The last component of what a method is called on (`schema` for `pkg.schema.validate`)."""
    head = call.name.rsplit(".", 1)[0] if "." in call.name else ""
    return head.rsplit(".", 1)[-1]


def assigned_name(facts: Facts, path: str, line: int) -> str | None:
    """The name a statement on `line` assigns to (`schema` for `schema = pa.DataFrameSchema(`)."""
    lines = facts.lines(path)
    if not 0 < line <= len(lines):
        return None
    text = lines[line - 1].strip().lstrip('"').strip()
    m = re.match(r"^([A-Za-z_][\w.]*)\s*(?::[^=]+)?=(?!=)", text)
    return m.group(1).rsplit(".", 1)[-1] if m else None


def class_fields(facts: Facts, path: str, cls: ClassDef) -> list[tuple[str, str, int]]:
    """(name, annotation, line) of the annotated attributes directly in a class body."""
    if path.endswith(".ipynb"):
        return []
    lines = facts.lines(path)
    out: list[tuple[str, str, int]] = []
    indent: str | None = None
    for number in range(cls.line + 1, min(cls.end_line, len(lines)) + 1):
        raw = lines[number - 1]
        if not raw.strip() or raw.lstrip().startswith(("#", "@")):
            continue
        lead = raw[: len(raw) - len(raw.lstrip())]
        if indent is None:
            indent = lead
        if lead != indent:
            continue
        m = _FIELD.match(raw)
        if m and not m.group(2).startswith("_") and m.group(2) not in ("model_config", "Config"):
            out.append((m.group(2), m.group(3).strip(), number))
    return out


def function_text(facts: Facts, path: str, fn: Function) -> str:
    """The source lines of a function in a `.py` file ('' for notebooks)."""
    if path.endswith(".ipynb"):
        return ""
    lines = facts.lines(path)
    return "\n".join(lines[fn.line - 1 : fn.end_line])


def code_lines(text: str) -> str:
    """`text` without comment lines and trailing comments (cheap, good enough for matching)."""
    out = []
    for line in text.splitlines():
        stripped = line.split("#", 1)[0] if "#" in line and "'" not in line else line
        if stripped.strip():
            out.append(stripped)
    return "\n".join(out)


def scope_at(pf: PythonFacts, line: int) -> str | None:
    """The Evidence symbol for code on `line`: a call's scope on that line, else the enclosing
    function, else None (module level)."""
    for c in pf.calls:
        if c.line == line:
            return None if c.scope == MODULE else c.scope
    fn = pf.enclosing(line)
    return fn.qualname if fn else None


def runner_files(facts: Facts) -> list[str]:
    """Files that run commands: CI workflows, task runners, scripts and code (no prose, no
    example copies)."""
    return list(facts.memo("data.runner_files", _runner_files))


def _runner_files(facts: Facts) -> list[str]:
    out = []
    for path in facts.repo.files:
        low = path.lower()
        base = low.rsplit("/", 1)[-1]
        if is_example_config(path):
            continue
        if low.endswith(_RUNNER_SUFFIXES) or base in _RUNNER_NAMES or base.endswith(".mk"):
            out.append(path)
    return out


def command_sites(facts: Facts, pattern: str) -> list[tuple[str, int, str]]:
    """(path, line, text) where a runner file invokes a command matching `pattern` (comment
    lines are left out)."""
    rx = re.compile(pattern)
    hits = []
    for path, line, text in facts.grep(rx, runner_files(facts)):
        if text.lstrip().startswith(("#", "//")):
            continue
        hits.append((path, line, text))
    return hits


def yaml_key_line(doc: object, key: str) -> int | None:
    """The line of `key` in a YamlMap (or the map's own line)."""
    line_of = getattr(doc, "line_of", None)
    return line_of(key) if line_of else getattr(doc, "line", None)


def first_line(facts: Facts, path: str, pattern: str) -> int:
    """The first line of `path` matching `pattern` (1 when none does)."""
    hits = facts.grep(pattern, [path])
    return hits[0][1] if hits else 1


def tfx_component_unused(facts: Facts, path: str, call: Call) -> str | None:
    """The variable name of a TFX component that is built but never handed to the pipeline,
    or None. A TFX pipeline runs only the components passed to it (`components.append(x)`,
    `components=[..., x]`); the TFX templates build every component but leave its
    `components.append(...)` commented out until a tutorial step enables it. Judged only in a
    file that collects components (an `.append(`/`components=` in code) and only from code
    lines (comments are dropped); a component whose name is never used again, except to read
    its `.outputs`, is not part of the pipeline."""
    if path.endswith(".ipynb"):
        return None
    name = assigned_name(facts, path, call.line)
    if not name:
        return None
    lines = facts.lines(path)
    code = [(n, line.split("#", 1)[0]) for n, line in enumerate(lines, 1)]
    if not any(re.search(r"\.(append|extend)\(|\bcomponents\s*=", text) for _, text in code):
        return None
    use = re.compile(rf"\b{re.escape(name)}\b(?!\s*\.\s*(outputs|id)\b)(?!\s*=[^=])")
    for number, text in code:
        if number == call.line:
            continue
        if use.search(text):
            return None
    return name
