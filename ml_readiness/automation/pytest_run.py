"""What a pytest invocation collects, read from its arguments and the pytest configuration.

Configuration comes from the first of `pytest.ini`, `.pytest.ini`, `pyproject.toml`
(`[tool.pytest.ini_options]`), `tox.ini` (`[pytest]`) or `setup.cfg` (`[tool:pytest]`) found
from the invocation folder upwards: `addopts`, `testpaths`, `python_files`, `norecursedirs`.
Arguments: paths, files and node ids, `-k`, `-m`, `--ignore`, `--ignore-glob`, `--deselect`,
`-c`. A test is collected when its file matches, its id and `-k`/`-m` select it and no marker
skips it on that runner (`skip`, `skipif(True)`, GPU-only `skipif` on a CPU runner,
`xfail(run=False)`). Conftest fixtures and class/module setup are followed.
"""

from __future__ import annotations

import posixpath
import re
import shlex
from dataclasses import dataclass, field
from fnmatch import fnmatchcase
from typing import TYPE_CHECKING, Any

from ml_readiness.automation.paths import join, under
from ml_readiness.automation.pytest_fixtures import conftest_ignores, conftests, fixtures_of
from ml_readiness.facts.python import Function, Marker, PythonFacts

if TYPE_CHECKING:
    from ml_readiness.facts import Facts

DEFAULT_FILES = ("test_*.py", "*_test.py")
DEFAULT_NORECURSE = ("*.egg", ".*", "_darcs", "build", "CVS", "dist", "node_modules", "venv")
VALUE_OPTIONS = frozenset(
    {"-p", "-n", "--numprocesses", "--maxfail", "--tb", "--durations", "-W", "--cov-report"}
    | {"--junitxml", "--junit-xml", "--log-level", "--timeout", "--reruns", "--basetemp"}
    | {"--confcutdir", "--dist", "--html", "--capture", "--import-mode", "--cov-config"}
    | {"--cov-fail-under", "--splits", "--group", "--randomly-seed", "--hypothesis-profile"}
    | {"--log-cli-level", "--log-file", "--durations-min", "--benchmark-json", "--count"}
    | {"-r", "--rootdir", "-o", "--override-ini", "--pythonwarnings", "--report-log"}
    | {"--cache-dir", "--junit-prefix", "--log-format", "--deselect-file", "--rerun-except"}
)
GPU_WORDS = re.compile(r"cuda|gpu|mps\b|device_count", re.I)
POSITIVE_GPU = re.compile(
    r"^\s*(torch\.)?cuda\.is_available\(\)\s*$|^\s*\w*\.?is_gpu_available\(\)\s*$", re.I
)


@dataclass
class PytestConfig:
    path: str | None  # the config file, None when pytest runs without one
    rootdir: str
    addopts: list[str] = field(default_factory=list)
    testpaths: list[str] = field(default_factory=list)
    python_files: tuple[str, ...] = DEFAULT_FILES
    norecursedirs: tuple[str, ...] = DEFAULT_NORECURSE


@dataclass
class Collected:
    """A pytest run: the tests it collects and why the others are not."""

    tests: list[tuple[str, Function, tuple[str, ...]]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    conftests: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    excluded: dict[str, str] = field(default_factory=dict)  # path or path::test -> why
    config: PytestConfig | None = None


def _words(value: Any) -> list[str]:
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    if isinstance(value, str):
        try:
            return shlex.split(value)
        except ValueError:
            return value.split()
    return []


def find_config(facts: Facts, start: str, explicit: str | None = None) -> PytestConfig:
    """The pytest configuration that applies to an invocation from folder `start`."""
    folder = start
    candidates = [explicit] if explicit else None
    while True:
        names = candidates or [
            join(folder, n)
            for n in ("pytest.ini", ".pytest.ini", "pyproject.toml", "tox.ini", "setup.cfg")
        ]
        for path in names:
            if not facts.repo.exists(path):
                continue
            section = _section(facts, path)
            if section is not None or path.endswith("pytest.ini"):
                cfg = PytestConfig(path, posixpath.dirname(path))
                section = section or {}
                cfg.addopts = _words(section.get("addopts"))
                cfg.testpaths = _words(section.get("testpaths"))
                cfg.python_files = tuple(_words(section.get("python_files"))) or DEFAULT_FILES
                cfg.norecursedirs = tuple(_words(section.get("norecursedirs"))) or DEFAULT_NORECURSE
                return cfg
        if candidates or not folder or folder.startswith(".."):
            return PytestConfig(None, start)
        folder = posixpath.dirname(folder)


def _section(facts: Facts, path: str) -> dict | None:
    if path.endswith(".toml"):
        doc = facts.toml(path) or {}
        tool = doc.get("tool", {}) if isinstance(doc, dict) else {}
        sec = tool.get("pytest", {}) if isinstance(tool, dict) else {}
        if isinstance(sec, dict) and isinstance(sec.get("ini_options"), dict):
            return sec["ini_options"]
        return sec if isinstance(sec, dict) and sec else None
    ini = facts.ini(path)
    name = {"tox.ini": "pytest", "setup.cfg": "tool:pytest"}.get(posixpath.basename(path), "pytest")
    if ini is None or not ini.has_section(name):
        return None
    return dict(ini.items(name))


@dataclass
class Options:
    paths: list[str] = field(default_factory=list)
    keyword: str | None = None
    markexpr: str | None = None
    ignore: list[str] = field(default_factory=list)
    ignore_glob: list[str] = field(default_factory=list)
    deselect: list[str] = field(default_factory=list)
    config: str | None = None
    pyargs: bool = False


def parse_args(args: list[str]) -> Options:
    opts = Options()
    it = iter(args)
    for arg in it:
        name, eq, value = arg.partition("=")
        if not arg.startswith("-") or arg == "-":
            opts.paths.append(arg)
            continue
        if name in ("-k", "-m", "--ignore", "--ignore-glob", "--deselect", "-c", "--config-file"):
            val = value if eq else next(it, "")
        elif name[:2] in ("-k", "-m", "-c") and len(name) > 2 and not name.startswith("--"):
            name, val = name[:2], arg[2:]
        elif name in VALUE_OPTIONS and not eq:
            next(it, None)
            continue
        else:
            if name == "--pyargs":
                opts.pyargs = True
            continue
        if name == "-k":
            opts.keyword = val
        elif name == "-m":
            opts.markexpr = val
        elif name == "--ignore":
            opts.ignore.append(val)
        elif name == "--ignore-glob":
            opts.ignore_glob.append(val)
        elif name == "--deselect":
            opts.deselect.append(val)
        else:
            opts.config = val
    return opts


def evaluate(expr: str, matches: Any) -> bool | None:
    """A -k/-m expression (and/or/not/parentheses) over `matches(word)`; None if unreadable."""
    tokens = re.findall(r"\(|\)|[^\s()]+", expr)
    pos = 0

    def peek() -> str | None:
        return tokens[pos] if pos < len(tokens) else None

    def parse_or() -> bool:
        nonlocal pos
        value = parse_and()
        while peek() == "or":
            pos += 1
            rhs = parse_and()
            value = value or rhs
        return value

    def parse_and() -> bool:
        nonlocal pos
        value = parse_not()
        while peek() == "and":
            pos += 1
            rhs = parse_not()
            value = value and rhs
        return value

    def parse_not() -> bool:
        nonlocal pos
        tok = peek()
        if tok is None:
            raise ValueError("unexpected end")
        pos += 1
        if tok == "not":
            return not parse_not()
        if tok == "(":
            value = parse_or()
            if peek() != ")":
                raise ValueError("missing )")
            pos += 1
            return value
        if tok in ("and", "or", ")"):
            raise ValueError(tok)
        return bool(matches(tok))

    try:
        value = parse_or()
    except ValueError:
        return None
    return value if pos == len(tokens) else None


# `skipif(not os.environ.get("RUN_SLOW"))`, `skipif(os.getenv("X") is None)`, `skipif("X" not
# in os.environ)`: skipped unless the variable is set (conditions as the extractor unparses them)
UNSET_GATES = (
    re.compile(r"not (?:os\.)?(?:environ\.get|getenv)\('(\w+)'\)"),
    re.compile(r"(?:os\.)?(?:environ\.get|getenv)\('(\w+)'\) is None"),
    re.compile(r"'(\w+)' not in (?:os\.)?environ"),
)
SET_GATES = (  # skipUnless(...): runs only when the variable is set
    re.compile(r"(?:os\.)?(?:environ\.get|getenv)\('(\w+)'\)"),
    re.compile(r"'(\w+)' in (?:os\.)?environ"),
)


def env_gate(name: str, cond: str) -> str | None:
    """The environment variable a `skipif`/`skipunless` condition requires to be set for the
    test to run, or None when the condition is anything else."""
    gates = UNSET_GATES if name == "skipif" else SET_GATES if name == "skipunless" else ()
    for gate in gates:
        m = gate.fullmatch(cond)
        if m:
            return m.group(1)
    return None


def skip_reason(
    fn: Function, markers: list[Marker], gpu: bool, env: frozenset[str] | None = None
) -> str | None:
    """Why a test never runs on this runner, or None when it runs. `env`: the variables the
    CI sets (None when unknown: then no test is judged by an environment variable)."""
    for m in markers:
        cond = (m.condition or "").strip()
        var = env_gate(m.name, cond) if env is not None else None
        if var is not None and env is not None and var not in env:
            return f"skipped unless {var} is set: {m.name}({cond}), and the CI job does not set it"
        if m.name == "skip":
            return "skipped unconditionally (@skip)"
        if m.name in ("skipif", "skipunless") and cond in ("True", "1"):
            return f"skipped unconditionally ({m.name}({cond}))"
        if m.name == "xfail" and dict(m.kwargs).get("run") is False:
            return "marked xfail(run=False), so it never runs"
        gpu_only = GPU_WORDS.search(cond) and not POSITIVE_GPU.match(cond)
        if m.name == "skipif" and not gpu and gpu_only:
            return f"skipped on a CPU runner: skipif({cond})"
        if m.name == "skipunless" and not gpu and POSITIVE_GPU.match(cond):
            return f"skipped on a CPU runner: skipUnless({cond})"
    return None


GPU_DECORATOR = re.compile(r"RunIf$|gpu|cuda", re.I)


def gpu_only_decorator(pf: PythonFacts, fn: Function) -> str | None:
    """Why a test is skipped on a CPU runner by a project helper decorator such as Lightning's
    `@RunIf(min_gpus=1)` or `@requires_cuda`, or None. Decorator calls are recorded in the
    test's scope on lines before its `def`."""
    for name in fn.decorators:
        last = name.rsplit(".", 1)[-1]
        if last != "RunIf" and GPU_DECORATOR.search(last):
            return f"skipped on a CPU runner: @{last}"
    owner = next((c for c in pf.classes if c.qualname == fn.class_name), None)
    for call in pf.calls:
        on_test = call.scope == fn.qualname and call.line < fn.line
        on_class = owner is not None and call.scope == owner.qualname and call.line < owner.line
        if not (on_test or on_class):
            continue
        last = call.attr
        if not GPU_DECORATOR.search(last):
            continue
        gpus = [v for k, v in call.kwargs if GPU_WORDS.search(k)]
        if last != "RunIf" or any(isinstance(v, int) and v > 0 or v is True for v in gpus):
            shown = ", ".join(f"{k}={v}" for k, v in call.kwargs)
            return f"skipped on a CPU runner: @{last}({shown})"
    return None


def markers_of(pf: PythonFacts, fn: Function) -> list[Marker]:
    out = list(fn.markers)
    owner = fn.class_name
    while owner:
        cdef = next((c for c in pf.classes if c.qualname == owner), None)
        out.extend(cdef.markers if cdef else ())
        owner = owner.rpartition(".")[0]
    return out + list(pf.module_markers)


def is_test(fn: Function, pf: PythonFacts) -> bool:
    if fn.is_test:
        return True
    if not fn.name.startswith("test") or fn.qualname.count(".") > 1:
        return False
    if not fn.class_name:
        return "." not in fn.qualname
    cdef = next((c for c in pf.classes if c.qualname == fn.class_name), None)
    return fn.class_name.startswith("Test") or bool(
        cdef and any(b.endswith("TestCase") for b in cdef.bases)
    )


def _ignored(path: str, opts: Options, cwd: str, conftest_ignores: set[str]) -> str | None:
    for ign in opts.ignore:
        target = join(cwd, ign)
        if path == target or under(path, target):
            return f"--ignore={ign}"
    for pattern in opts.ignore_glob:
        target = join(cwd, pattern)
        if (
            fnmatchcase(path, target)
            or fnmatchcase(path, pattern)
            or fnmatchcase(path, "*/" + pattern)
        ):
            return f"--ignore-glob={pattern}"
    for target in conftest_ignores:
        if path == target or under(path, target):
            return "collect_ignore in conftest.py"
    return None


def collect(
    facts: Facts,
    args: list[str],
    cwd: str,
    gpu: bool = False,
    env: frozenset[str] | None = None,
) -> Collected:
    """The tests `pytest ARGS` run from folder `cwd` collects (`env`: see `skip_reason`)."""
    first = parse_args(args)
    start = cwd
    config = find_config(facts, start, join(cwd, first.config) if first.config else None)
    opts = parse_args(config.addopts + args)
    out = Collected(config=config)
    rootdir = config.rootdir
    if opts.pyargs:
        out.notes.append("`--pyargs` module names are not resolved")
        return out
    targets: list[tuple[str, str | None]] = []  # (path, node id rest)
    if opts.paths:
        for raw in opts.paths:
            where, _, node = raw.partition("::")
            targets.append((join(cwd, where), node or None))
    elif config.testpaths and cwd == rootdir:
        targets = [(join(rootdir, p), None) for p in config.testpaths]
    else:
        targets = [(cwd, None)]
    files: dict[str, list[str | None]] = {}
    for target, node in targets:
        if "$" in target or "*" in target:
            out.notes.append(f"pytest path `{target}` is not a literal path")
            continue
        if facts.repo.exists(target):
            files.setdefault(target, []).append(node)
            continue
        inside = facts.repo.under(target) if target else facts.repo.files
        inside = [f for f in inside if not f.startswith("../")]
        if not inside:
            out.notes.append(f"pytest path `{target or '.'}` does not exist")
            continue
        for f in inside:
            rel = f[len(target) + 1 :] if target else f
            dirs = rel.split("/")[:-1]
            if any(fnmatchcase(d, p) for d in dirs for p in config.norecursedirs):
                continue
            base = f.rsplit("/", 1)[-1]
            if f.endswith(".py") and any(fnmatchcase(base, p) for p in config.python_files):
                files.setdefault(f, []).append(None)
    ignores = conftest_ignores(facts, rootdir, cwd)
    for path, nodes in sorted(files.items()):
        why = _ignored(path, opts, cwd, ignores)
        if why:
            out.excluded[path] = f"excluded by `{why}`"
            continue
        pf = facts.python(path)
        if pf is None:
            continue
        out.files.append(path)
        _collect_file(facts, path, pf, nodes, opts, gpu, out, env)
    out.conftests = conftests(facts, rootdir, out.files)
    return out


def _collect_file(
    facts: Facts,
    path: str,
    pf: PythonFacts,
    nodes: list[str | None],
    opts: Options,
    gpu: bool,
    out: Collected,
    env: frozenset[str] | None = None,
) -> None:
    wanted = None if None in nodes else {n.split("[")[0].replace("::", ".") for n in nodes if n}
    base = path.rsplit("/", 1)[-1]
    for fn in pf.functions:
        if not is_test(fn, pf):
            continue
        if wanted is not None and not any(
            fn.qualname == w or fn.qualname.startswith(w + ".") for w in wanted
        ):
            continue
        node_id = f"{path}::{fn.qualname.replace('.', '::')}"
        if any(node_id == join("", d) or node_id.endswith("/" + d) for d in opts.deselect):
            out.excluded[node_id] = "deselected by `--deselect`"
            continue
        markers = markers_of(pf, fn)
        names = {m.name for m in markers}
        if opts.markexpr:
            keep = evaluate(opts.markexpr, lambda w, names=names: w in names)
            if keep is None:
                out.notes.append(f"-m `{opts.markexpr}` not understood; all tests kept")
            elif not keep:
                out.excluded[node_id] = f"deselected by `-m {opts.markexpr}`"
                continue
        if opts.keyword:
            words = [fn.name, base, *(fn.qualname.split(".")[:-1]), *names]
            words += path.split("/")[:-1]
            keep = evaluate(
                opts.keyword,
                lambda w, words=words: any(w.lower() in x.lower() for x in words),
            )
            if keep is None:
                out.notes.append(f"-k `{opts.keyword}` not understood; all tests kept")
            elif not keep:
                out.excluded[node_id] = f"deselected by `-k {opts.keyword}`"
                continue
        why = skip_reason(fn, markers, gpu, env) or (None if gpu else gpu_only_decorator(pf, fn))
        if why:
            out.excluded[node_id] = why
            continue
        out.tests.append((path, fn, fixtures_of(facts, path, pf, fn)))
