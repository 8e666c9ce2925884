"""Task runners read statically: Makefile, tox, nox, justfile, DVC stages, pre-commit local hooks
and the script tables of pyproject.toml. Each parser returns plain command text with line
numbers; `resolve.py` decides what the commands execute.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ml_readiness.automation.paths import join
from ml_readiness.facts.python import EXPR
from ml_readiness.facts.structured import StructureError, load_ini

if TYPE_CHECKING:
    from ml_readiness.facts import Facts

Lines = list[tuple[int | None, str]]
_MAKE_ASSIGN = re.compile(
    r"^(?:export\s+|override\s+)?([A-Za-z_][\w.-]*)\s*(\?=|::?=|:::=|\+=|!=|=)\s*(.*)$"
)
_MAKE_RULE = re.compile(r"^([^:=#\t][^:=#]*?)\s*::?(?!=)\s*([^;]*)(?:;(.*))?$")
_MAKE_VAR = re.compile(r"\$[({](\w+)[)}]")
MAX_INCLUDES = 20


@dataclass
class Makefile:
    targets: dict[str, tuple[list[str], Lines]] = field(default_factory=dict)
    lines: dict[str, tuple[str, int]] = field(default_factory=dict)  # target -> (file, line)
    default: str | None = None
    variables: dict[str, str] = field(default_factory=dict)


def parse_makefile(facts: Facts, path: str) -> Makefile:
    """Targets, prerequisites and recipes of a Makefile and the files it includes."""
    mk = Makefile()
    _read_make(facts, path, mk, set())
    return mk


def _read_make(facts: Facts, path: str, mk: Makefile, seen: set[str]) -> None:
    if path in seen or len(seen) >= MAX_INCLUDES:
        return
    seen.add(path)
    text = facts.text(path)
    if text is None:
        return
    current: list[str] = []
    skipping = False
    raw = text.splitlines()
    i = 0
    while i < len(raw):
        number, line = i + 1, raw[i]
        while line.endswith("\\") and i + 1 < len(raw):
            i += 1
            line = line[:-1] + " " + raw[i].strip()
        i += 1
        if skipping:
            skipping = line.strip() != "endef"
            continue
        if line.startswith("\t"):
            cmd = line.strip().lstrip("@-+").strip()
            if cmd and not cmd.startswith("#"):
                for target in current:
                    mk.targets[target][1].append((number, cmd))
            continue
        stripped = line.split("#", 1)[0].strip()
        if not stripped:
            continue
        word = stripped.split()[0]
        if word in ("define",):
            skipping = True
            continue
        if word in ("ifeq", "ifneq", "ifdef", "ifndef", "else", "endif"):
            continue
        if word in ("include", "-include", "sinclude"):
            for inc in stripped.split()[1:]:
                inc = expand_make(inc, mk.variables)
                _read_make(facts, join(posixpath.dirname(path), inc), mk, seen)
            continue
        assign = _MAKE_ASSIGN.match(stripped)
        if assign:
            name, op, value = assign.groups()
            if op == "+=":
                value = (mk.variables.get(name, "") + " " + value).strip()
            if op != "?=" or name not in mk.variables:
                mk.variables[name] = value
            current = []
            continue
        rule = _MAKE_RULE.match(stripped)
        if rule and "=" in rule.group(2):
            rule = None  # a target-specific variable
        if rule:
            names = [t for t in expand_make(rule.group(1), mk.variables).split() if t]
            current = [t for t in names if not t.startswith(".") and "%" not in t]
            prereqs = expand_make(rule.group(2), mk.variables).split()
            for target in current:
                old = mk.targets.get(target, ([], []))
                mk.targets[target] = (old[0] + prereqs, old[1])
                mk.lines.setdefault(target, (path, number))
                if mk.default is None:
                    mk.default = target
            if rule.group(3) and rule.group(3).strip():
                for target in current:
                    mk.targets[target][1].append((number, rule.group(3).strip()))
            continue
        current = []


def expand_make(text: str, variables: dict[str, str], target: str = "", prereqs: Any = ()) -> str:
    """`$(VAR)`/`${VAR}` replaced (a few levels deep), `$@`/`$<`/`$^`, `$$` → `$`."""
    for _ in range(5):
        new = _MAKE_VAR.sub(lambda m: variables.get(m.group(1), m.group(0)), text)
        if new == text:
            break
        text = new
    text = text.replace("$(MAKE)", "make").replace("${MAKE}", "make")
    text = text.replace("$@", target).replace("$<", prereqs[0] if prereqs else "")
    text = text.replace("$^", " ".join(prereqs))
    return text.replace("$$", "$")


# -- tox ------------------------------------------------------------------------------------
@dataclass
class ToxEnv:
    commands: Lines
    changedir: str | None = None


def _expand_braces(name: str) -> list[str]:
    m = re.search(r"\{([^{}]*)\}", name)
    if not m:
        return [name]
    return [
        out
        for part in m.group(1).split(",")
        for out in _expand_braces(name[: m.start()] + part.strip() + name[m.end() :])
    ]


def tox_config(facts: Facts, path: str) -> tuple[dict[str, ToxEnv], list[str]]:
    """Environments (name → commands) and the default envlist of tox.ini or [tool.tox]."""
    if path.endswith("pyproject.toml") or path.endswith("tox.toml"):
        doc = facts.toml(path) or {}
        tox = doc.get("tool", {}).get("tox", {}) if path.endswith("pyproject.toml") else doc
        if isinstance(tox, dict) and isinstance(tox.get("legacy_tox_ini"), str):
            try:
                return _tox_ini(load_ini(tox["legacy_tox_ini"]), None)
            except StructureError:
                return {}, []
        return _tox_toml(tox if isinstance(tox, dict) else {})
    ini = facts.ini(path)
    if ini is None:
        return {}, []
    return _tox_ini(ini, facts.text(path))


def _tox_lines(value: str) -> list[str]:
    out = []
    for raw in value.splitlines():
        line = raw.strip()
        line = re.sub(r"^[\w,!-]+:\s+", "", line) if re.match(r"^[\w,!-]+:\s", line) else line
        line = line.lstrip("- ").strip() if line.startswith("- ") else line.lstrip("-")
        line = re.sub(r"\{posargs:([^}]*)\}", r"\1", line)
        line = line.replace("{posargs}", "").replace("[]", "")
        line = line.replace("{envpython}", "python").replace("{toxinidir}", ".")
        if line:
            out.append(line)
    return out


def _tox_ini(ini: Any, text: str | None) -> tuple[dict[str, ToxEnv], list[str]]:
    envs: dict[str, ToxEnv] = {}

    def line_of(section: str) -> int | None:
        if text is None:
            return None
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip() == f"[{section}]":
                return number
        return None

    for section in ini.sections():
        if section != "testenv" and not section.startswith("testenv:"):
            continue
        name = section.partition(":")[2] or "testenv"
        get = ini.get
        commands = get(section, "commands", fallback=None)
        if commands is None and section != "testenv":
            commands = get("testenv", "commands", fallback="") if ini.has_section("testenv") else ""
        changedir = get(section, "changedir", fallback=None) or (
            get("testenv", "changedir", fallback=None) if ini.has_section("testenv") else None
        )
        line = line_of(section)
        envs[name] = ToxEnv(
            [(line, c) for c in _tox_lines(commands or "")],
            changedir.replace("{toxinidir}", ".") if changedir else None,
        )
    envlist = ini.get("tox", "envlist", fallback="") if ini.has_section("tox") else ""
    names = [
        n
        for part in re.split(r"[,\n]", envlist)
        if part.strip()
        for n in _expand_braces(part.strip())
    ]
    return envs, names


def _tox_toml(tox: dict) -> tuple[dict[str, ToxEnv], list[str]]:
    def cmds(section: Any) -> Lines:
        out: Lines = []
        for c in section.get("commands", []) if isinstance(section, dict) else []:
            if isinstance(c, list):
                words = [w for w in c if isinstance(w, str)]
                out.append((None, " ".join(words)))
        return out

    base = tox.get("env_run_base", {})
    envs = {"testenv": ToxEnv(cmds(base))}
    for name, section in (tox.get("env") or {}).items():
        envs[name] = ToxEnv(cmds(section) or cmds(base))
    envlist = [e for e in tox.get("env_list", []) if isinstance(e, str)]
    return envs, envlist


# -- nox ------------------------------------------------------------------------------------
def nox_sessions(
    facts: Facts, path: str
) -> tuple[dict[str, list[tuple[int, list[str]]]], list[str]]:
    """Session name → `session.run(...)` argument lists (literal ones), and nox.options.sessions."""
    pf = facts.python(path)
    sessions: dict[str, list[tuple[int, list[str]]]] = {}
    if pf is None:
        return sessions, []
    for fn in pf.functions:
        if "." in fn.qualname or not any(d.split(".")[-1] == "session" for d in fn.decorators):
            continue
        param = fn.params[0] if fn.params else "session"
        named = next(  # `@nox.session(name="unit")`
            (
                c.kw("name")
                for c in pf.calls
                if c.scope == fn.qualname and c.attr == "session" and isinstance(c.kw("name"), str)
            ),
            None,
        )
        runs = []
        for call in pf.calls:
            if call.scope != fn.qualname or call.name not in (
                f"{param}.run",
                f"{param}.run_always",
            ):
                continue
            words = []
            for arg in call.args:  # up to the first value that is not a literal
                if not isinstance(arg, str) or arg.startswith("$") or arg == EXPR:
                    break
                words.append(arg)
            if words:
                runs.append((call.line, words))
        sessions[named or fn.name] = runs
    defaults: list[str] = []
    for a in pf.assigns:
        if a.name == "nox.options.sessions" and isinstance(a.value, tuple):
            defaults = [v for v in a.value if isinstance(v, str)]
    return sessions, defaults


# -- DVC ------------------------------------------------------------------------------------
@dataclass
class DvcStage:
    name: str
    commands: Lines
    wdir: str
    deps: list[str]
    outs: list[str]


def dvc_stages(facts: Facts, path: str) -> dict[str, DvcStage]:
    doc = facts.yaml_doc(path)
    stages = doc.get("stages") if isinstance(doc, dict) else None
    out: dict[str, DvcStage] = {}
    folder = posixpath.dirname(path)
    for name, stage in (stages or {}).items() if isinstance(stages, dict) else ():
        if not isinstance(stage, dict):
            continue
        body = (
            stage.get("do") if "foreach" in stage and isinstance(stage.get("do"), dict) else stage
        )
        cmd = body.get("cmd")
        cmds = cmd if isinstance(cmd, list) else [cmd] if isinstance(cmd, str) else []
        line = getattr(stages, "line_of", lambda k: None)(name)
        wdir = join(folder, str(body.get("wdir") or "."))

        def paths(key: str, body: dict = body, wdir: str = wdir) -> list[str]:
            items = body.get(key) or []
            names = [next(iter(i)) if isinstance(i, dict) else i for i in items]
            return [join(wdir, str(n)) for n in names if isinstance(n, str)]

        out[str(name)] = DvcStage(
            str(name), [(line, str(c)) for c in cmds], wdir, paths("deps"), paths("outs")
        )
    return out


# -- pre-commit and pyproject scripts -------------------------------------------------------
def precommit_local_hooks(facts: Facts, path: str) -> list[tuple[str, int | None, str]]:
    """(hook id, line, command) for `repo: local` hooks that run a command."""
    doc = facts.yaml_doc(path)
    out = []
    for repo in (doc.get("repos") or []) if isinstance(doc, dict) else []:
        if not isinstance(repo, dict) or repo.get("repo") != "local":
            continue
        for hook in repo.get("hooks") or []:
            if not isinstance(hook, dict) or not isinstance(hook.get("entry"), str):
                continue
            if hook.get("language") not in ("system", "python", "script", "unsupported"):
                continue
            args = [str(a) for a in hook.get("args") or [] if isinstance(a, str | int)]
            line = hook.line_of("entry") if hasattr(hook, "line_of") else None
            out.append((str(hook.get("id")), line, " ".join([hook["entry"], *args])))
    return out


def pyproject_scripts(facts: Facts, path: str) -> dict[str, tuple[str, str]]:
    """Script name → ("entry", "module:function") or ("command", shell text)."""
    doc = facts.toml(path) or {}
    out: dict[str, tuple[str, str]] = {}
    project = doc.get("project", {}) if isinstance(doc.get("project"), dict) else {}
    tool = doc.get("tool", {}) if isinstance(doc.get("tool"), dict) else {}
    for table in (project.get("scripts"), tool.get("poetry", {}).get("scripts")):
        for name, spec in (table or {}).items() if isinstance(table, dict) else ():
            if isinstance(spec, str) and ":" in spec:
                out[name] = ("entry", spec)
    tables = [tool.get("poe", {}).get("tasks"), tool.get("pdm", {}).get("scripts")]
    for env in (tool.get("hatch", {}).get("envs") or {}).values():
        if isinstance(env, dict):
            tables.append(env.get("scripts"))
    for table in tables:
        for name, spec in (table or {}).items() if isinstance(table, dict) else ():
            if isinstance(spec, dict):
                spec = spec.get("cmd") or spec.get("shell") or spec.get("call")
            if isinstance(spec, list):
                spec = "\n".join(s for s in spec if isinstance(s, str))
            if isinstance(spec, str):
                kind = "entry" if ":" in spec and " " not in spec else "command"
                out.setdefault(name, (kind, spec))
    return out


def pixi_tasks(facts: Facts, cwd: str) -> dict[str, tuple[str, list[str]]]:
    """Task name → (command, depends-on) from pixi.toml (`[tasks]`, `[feature.X.tasks]`) or
    pyproject.toml (`[tool.pixi.tasks]`) in `cwd`."""
    tables: list[Any] = []
    doc = facts.toml(join(cwd, "pixi.toml")) or {}
    tables.append(doc.get("tasks"))
    features = doc.get("feature") if isinstance(doc.get("feature"), dict) else {}
    tables += [f.get("tasks") for f in features.values() if isinstance(f, dict)]
    tool = (facts.toml(join(cwd, "pyproject.toml")) or {}).get("tool")
    tables.append(tool.get("pixi", {}).get("tasks") if isinstance(tool, dict) else None)
    out: dict[str, tuple[str, list[str]]] = {}
    for table in tables:
        for name, spec in table.items() if isinstance(table, dict) else ():
            if isinstance(spec, str):
                out.setdefault(str(name), (spec, []))
            elif isinstance(spec, dict):
                cmd = spec.get("cmd")
                cmd = " ".join(map(str, cmd)) if isinstance(cmd, list) else cmd
                deps = spec.get("depends-on", spec.get("depends_on")) or []
                deps = [deps] if isinstance(deps, str) else [str(d) for d in deps]
                out.setdefault(str(name), (cmd if isinstance(cmd, str) else "", deps))
    return out
