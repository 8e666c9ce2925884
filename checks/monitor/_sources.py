"""Where a drift/skew job's data comes from: is the `current_data` of an Evidently run (or any
argument) production data, an offline split, or unknown?

The verdict is read from code only, never from docstrings or comments: the argument's name,
the right-hand side of the assignment that binds it in the same scope (a path literal, a table
name, the function it is read from) and, when it is a parameter of the enclosing function, the
arguments at that function's call sites (followed up to `MAX_DEPTH` levels).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ml_readiness.facts import Facts
from ml_readiness.facts.python import EXPR, PythonFacts

MAX_DEPTH = 3
# word tokens (identifiers and path parts split on `_`, `-`, `/`, `.` and camelCase)
PRODUCTION_WORDS = re.compile(
    r"^(prod|production|serve|served|server|serving|live|logged|logs|inference|inferences"
    r"|request|requests|recent|latest|daily|hourly|weekly|window|traffic|online|incoming"
    r"|captured|capture|realtime|streaming|stream)$"
)
OFFLINE_WORDS = re.compile(
    r"^(test|tests|testing|val|valid|validation|holdout|split|splits|train|training|trainset"
    r"|testset|eval|evaluation|dev|fold|xtest|xval|sample|synthetic|fake|dummy|mock)$"
)
_DOCSTRING = re.compile(r"(\"\"\"|''')[\s\S]*?\1")
_COMMENT = re.compile(r"#.*")
_STR_METHODS = re.compile(r"\.\s*(?:r?split|splitlines)\s*\(")


@dataclass(frozen=True)
class Source:
    """The verdict about one argument: production | offline | unknown, and what decided it."""

    verdict: str
    why: str


def words(text: str) -> list[str]:
    """Lower-case word tokens of identifiers, paths and SQL in `text` (camelCase split)."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", text)
    return [w.lower() for w in re.split(r"[^A-Za-z0-9]+", spaced) if w]


def classify(text: str) -> str | None:
    """'offline' when `text` names a split (test/val/train...), 'production' when it names
    serving/production data, else None. Offline words win: `test_requests` is a split."""
    tokens = words(text)
    if any(OFFLINE_WORDS.match(w) for w in tokens):
        return "offline"
    if any(PRODUCTION_WORDS.match(w) for w in tokens):
        return "production"
    return None


def data_source(
    facts: Facts, path: str, pf: PythonFacts, line: int, value: object, key: str = "current_data"
) -> Source:
    """Classify the argument `value` (a Call kwarg/arg as recorded) passed at `line`; an
    expression (`production[FEATURES]`, `logs.sample(1000)`) is read through the name it
    starts with (`key=` in the call's source)."""
    if value == EXPR:
        lines = _code_lines(facts, path, pf)
        text = " ".join(lines.get(ln, "") for ln in range(line, line + 12))
        m = re.search(rf"\b{re.escape(key)}\s*=\s*([A-Za-z_]\w*)\s*[\[.]", text)
        # a wrapper around the data: `test_dataset=Dataset(production, label="y")`
        w = re.search(rf"\b{re.escape(key)}\s*=\s*[A-Z][\w.]*\(\s*([A-Za-z_]\w*)\s*[,)\[.]", text)
        if m or w:
            value = f"${(m or w).group(1)}"
    return _resolve(facts, path, pf, line, value, MAX_DEPTH, set())


def _resolve(
    facts: Facts,
    path: str,
    pf: PythonFacts,
    line: int,
    value: object,
    depth: int,
    seen: set[tuple[str, int, str]],
) -> Source:
    if isinstance(value, str) and value != EXPR and not value.startswith("$"):
        verdict = classify(value)
        return Source(verdict or "unknown", f"`{value}`")
    if not isinstance(value, str) or not value.startswith("$"):
        return Source("unknown", "an expression")
    name = value[1:]
    verdict = classify(name.rsplit(".", 1)[-1])
    if verdict:
        return Source(verdict, f"`{name}`")
    key = (path, line, name)
    if key in seen or depth <= 0:
        return Source("unknown", f"`{name}`")
    seen.add(key)
    fn = pf.enclosing(line)
    start = fn.line + 1 if fn else 1
    rhs = _assignment(_code_lines(facts, path, pf), name, start, line)
    if rhs is not None:
        verdict = classify(rhs)
        if verdict is None:
            verdict = _called_function_verdict(facts, path, pf, rhs)
        return Source(verdict or "unknown", f"`{name}` = {rhs.strip()[:80]}")
    if fn is not None and name in fn.params:
        return _from_callers(facts, path, pf, fn.name, fn.params, name, depth, seen)
    return Source("unknown", f"`{name}`")


def _code_lines(facts: Facts, path: str, pf: PythonFacts) -> dict[int, str]:
    """File line → code text (notebooks: the code cells' lines in notebook numbering)."""
    cache: dict[str, dict[int, str]] = facts.memo("monitor.code_lines", lambda _f: {})
    if path not in cache:
        if path.endswith(".ipynb"):
            nb = facts.notebook(path)
            lines = nb.code.splitlines() if nb else []
            mapping = nb.line_map if nb else ()
            cache[path] = {
                mapping[i]: text for i, text in enumerate(lines) if i < len(mapping)
            }  # fmt: skip
        else:
            cache[path] = dict(enumerate(facts.lines(path), start=1))
    return cache[path]


def _assignment(lines: dict[int, str], name: str, start: int, end: int) -> str | None:
    """The right-hand side (code only) of the last `name = ...` between `start` and `end`."""
    target = re.compile(
        rf"^\s*(?:[\w\s,()\[\]]*,\s*)?\(?{re.escape(name)}\)?\s*(?:,[\w\s,()\[\]]*)?"
        r"(?::[^=]+)?=(?!=)(.*)$"
    )
    for ln in range(end, start - 1, -1):
        m = target.match(lines.get(ln, ""))
        if m:
            rhs = m.group(1)
            # a call split over several lines: read until the parentheses close
            nxt = ln + 1
            while rhs.count("(") > rhs.count(")") and nxt <= end and nxt - ln < 8:
                rhs += " " + lines.get(nxt, "").strip()
                nxt += 1
            return _COMMENT.sub("", rhs)
    return None


def _called_function_verdict(facts: Facts, path: str, pf: PythonFacts, rhs: str) -> str | None:
    """When `rhs` calls a function of the same file (`load_current()`), classify that
    function's code (docstrings and comments removed)."""
    m = re.match(r"\s*(?:self\.)?(\w+)\s*\(", rhs)
    fn = next((f for f in pf.functions if m and f.name == m.group(1)), None)
    if fn is None:
        return None
    lines = _code_lines(facts, path, pf)
    body = "\n".join(lines.get(i, "") for i in range(fn.line + 1, fn.end_line + 1))
    body = _STR_METHODS.sub("(", body)  # `key.split("/")` is string handling, not a data split
    return classify(_COMMENT.sub("", _DOCSTRING.sub("", body)))


def _from_callers(
    facts: Facts,
    path: str,
    pf: PythonFacts,
    fn_name: str,
    params: tuple[str, ...],
    name: str,
    depth: int,
    seen: set[tuple[str, int, str]],
) -> Source:
    """Classify parameter `name` of `fn_name` from the arguments at its call sites."""
    index = params.index(name)
    bound = 1 if params[:1] in (("self",), ("cls",)) else 0
    verdicts: list[Source] = []
    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    for cpath, cpf in facts.python_files(mentions=(fn_name,), tests=False, notebooks=True):
        if cpath != path and not any(
            i.name == fn_name or i.module.rsplit(".", 1)[-1] == stem or i.name == stem
            for i in cpf.imports
        ):
            continue  # another file's `fn_name` is someone else's function
        for call in cpf.method_calls(fn_name):
            if call.has_kw(name):
                arg = call.kw(name)
            elif 0 <= index - bound < len(call.args):
                arg = call.args[index - bound]
            else:
                continue
            verdicts.append(_resolve(facts, cpath, cpf, call.line, arg, depth - 1, seen))
    if any(v.verdict == "production" for v in verdicts):
        return next(v for v in verdicts if v.verdict == "production")
    if verdicts and all(v.verdict == "offline" for v in verdicts):
        return Source("offline", f"`{name}`, passed {verdicts[0].why}")
    return Source("unknown", f"`{name}`, a parameter of {fn_name}()")


SERVED_LOOKUPS = frozenset(
    {"get_model_version_by_alias", "get_latest_versions", "invoke_endpoint", "get_model_version"}
)
SERVED_URI = re.compile(r"(?i)^models:/[^/]+(/(production|staging|champion)$|@\w+$)")
READER = re.compile(r"(?i)^(read|load|fetch|query|get|download|scan|select)")
TIME_WINDOW = ("timedelta", "Timedelta", "DateOffset", "relativedelta")


def served_or_fresh(path: str, pf: PythonFacts) -> str | None:
    """What shows that an evaluation script scores the production model or data newer than
    training, or None: a registry/endpoint lookup of the served model
    (`get_model_version_by_alias`, `models:/churn/Production`, `invoke_endpoint`), a reader
    named for or given production data (`load_serving_logs()`, `read_sql("... requests")`), or
    a time window (`now() - timedelta(days=7)`). A model file and a fixed test split
    are the artifact of the last training run, not production. A script named for production
    (`evaluate_production.py`) says so itself."""
    base = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    if classify(base) == "production":
        return f"production (the script is named `{base}`)"
    for c in pf.calls:
        if c.attr in SERVED_LOOKUPS:
            return f"the served model (`{c.name}`)"
        literal = [v for v in (*c.args, *(v for _, v in c.kwargs)) if isinstance(v, str)]
        uri = next((v for v in literal if SERVED_URI.match(v)), None)
        if uri:
            return f"the served model (`{uri}`)"
        if READER.match(c.attr):
            said = next((v for v in literal if not v.startswith("$") and classify(v)), None)
            if classify(c.attr) == "production":
                return f"production data (`{c.name}`)"
            if said is not None and classify(said) == "production":
                return f"production data (`{c.name}({said!r})`)"
        if c.qualified.endswith(TIME_WINDOW):  # `now()` alone only stamps a report
            return f"a recent time window (`{c.name}`)"
    return None
