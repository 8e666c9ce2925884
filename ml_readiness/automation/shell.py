"""Shell text → simple commands, read statically (nothing is run).

A CI step's `run:` script, a Makefile recipe or a shell script is cut into simple commands at
newlines, `&&`, `||`, `;`, `|` and `&`; line continuations are joined, comments and heredoc
bodies dropped, redirections removed. Each command is then normalised: leading `VAR=value`
assignments, `env`, `sudo`, `time`, `nohup`, `exec` and shell keywords (`if`, `then`, `do`)
are stripped, and the task-runner wrappers (`poetry run`, `uv run`, `pipenv run`, `hatch run`,
`pdm run`, `conda run -n x`, `coverage run`) are unwrapped.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass

SEPARATORS = frozenset({"&&", "||", ";", "|", "&", ";;", "|&", "(", ")"})
PREFIX_WORDS = frozenset(
    {"if", "then", "else", "elif", "do", "while", "until", "!", "time", "{", "}", "exec"}
    | {"nohup", "sudo", "command", "builtin", "xvfb-run", "catchsegv"}
)
# prefixes that take options before the command they run, and their options with a value
PREFIX_VALUE_OPTIONS = {
    "sudo": frozenset({"-u", "-g", "-C", "-D", "-h", "-p", "-r", "-t", "-U"}),
    "xvfb-run": frozenset({"-e", "-f", "-n", "-p", "-s", "-w"}),
    "nice": frozenset({"-n"}),
    "ionice": frozenset({"-c", "-n", "-p"}),
    "stdbuf": frozenset(),
}
STRUCTURE = frozenset({"fi", "done", "esac", "for", "case", "function", "in", "[", "[[", "test"})
_HEREDOC = re.compile(r"<<-?\s*['\"]?(\w+)['\"]?")
_VAR = re.compile(r"\$\{(\w+)\}|\$(\w+)")
_ASSIGN = re.compile(r"^[A-Za-z_]\w*=")
# wrapper → number of option words it takes before the wrapped command
_RUN_WRAPPERS = ("poetry", "uv", "pipenv", "hatch", "pdm", "conda", "mamba", "micromamba", "rye")
_VALUE_OPTIONS = frozenset(
    {"-n", "--name", "-p", "--prefix", "--with", "--python", "-e", "--env", "--group", "--extra"}
    | {"--directory", "--project", "--package", "--env-file", "--index", "--no-group"}
)


@dataclass(frozen=True)
class SimpleCommand:
    """One simple command: its words after normalisation, and where it came from."""

    words: tuple[str, ...]
    line: int  # 1-based line inside the text it was cut from
    env: tuple[tuple[str, str], ...] = ()

    @property
    def text(self) -> str:
        return " ".join(shlex.quote(w) if re.search(r"\s", w) or not w else w for w in self.words)


def logical_lines(text: str) -> list[tuple[int, str]]:
    """(first line number, line) with continuations joined and heredoc bodies removed."""
    out: list[tuple[int, str]] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        start = i + 1
        line = lines[i]
        while line.rstrip().endswith("\\") and i + 1 < len(lines):
            i += 1
            line = line.rstrip()[:-1] + " " + lines[i].strip()
        i += 1
        heredoc = _HEREDOC.search(line)
        if heredoc and not line.lstrip().startswith("#"):
            end = heredoc.group(1)
            while i < len(lines) and lines[i].strip() != end:
                i += 1
            i += 1
            line = line[: heredoc.start()]
        out.append((start, line))
    return out


def tokenize(line: str) -> list[str] | None:
    """Shell words and operators of one line (comments dropped), or None when unbalanced."""
    lex = shlex.shlex(line, posix=True, punctuation_chars=True)
    lex.whitespace_split = True
    lex.commenters = "#"
    try:
        return list(lex)
    except ValueError:
        return None


def split_commands(
    text: str, variables: dict[str, str] | None = None
) -> tuple[list[SimpleCommand], list[str]]:
    """Simple commands of a script, and the lines that could not be read.

    `variables` is updated by plain `VAR=value` lines and used to expand `$VAR`/`${VAR}`.
    """
    variables = variables if variables is not None else {}
    commands: list[SimpleCommand] = []
    problems: list[str] = []
    for number, line in logical_lines(text):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        tokens = tokenize(expand(line, variables))
        if tokens is None:
            problems.append(f"line {number}: unbalanced quotes in `{line.strip()[:80]}`")
            continue
        inner: list[list[str]] = []
        outer = _substitutions(tokens, inner)
        for words in inner:  # `run_id=$(az ml job create ...)` runs the substituted command
            commands += _simple_commands(words, number, variables)
        commands += _simple_commands(outer, number, variables)
    return commands, problems


def _simple_commands(
    tokens: list[str], number: int, variables: dict[str, str]
) -> list[SimpleCommand]:
    commands: list[SimpleCommand] = []
    current: list[str] = []
    for tok in [*tokens, ";"]:
        if tok in SEPARATORS:
            if current:
                cmd = normalise(current, number, variables)
                if cmd is not None:
                    commands.append(cmd)
            current = []
        elif set(tok) <= set("<>&") and ("<" in tok or ">" in tok):
            current.append("\0redirect")
        else:
            current.append(tok)
    return commands


def _substitutions(tokens: list[str], inner: list[list[str]] | None = None) -> list[str]:
    """Collapse `$(...)` command substitutions into one opaque word (their tokens are added
    to `inner`, since the substituted command runs too)."""
    out: list[str] = []
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        if tok.endswith("$") and i + 1 < len(tokens) and tokens[i + 1] == "(":
            depth, j = 0, i + 1
            while j < len(tokens):
                depth += {"(": 1, ")": -1}.get(tokens[j], 0)
                if depth == 0:
                    break
                j += 1
            out.append(tok + "(" + " ".join(tokens[i + 2 : j]) + ")")
            if inner is not None and j > i + 2:
                inner.append(_substitutions(tokens[i + 2 : j], inner))
            i = j + 1
            continue
        out.append(tok)
        i += 1
    return out


def expand(text: str, variables: dict[str, str]) -> str:
    """Replace `$VAR`/`${VAR}` whose value is known; leave the others as they are."""
    if "$" not in text or not variables:
        return text

    def sub(m: re.Match[str]) -> str:
        name = m.group(1) or m.group(2)
        return variables.get(name, m.group(0))

    return _VAR.sub(sub, text)


def normalise(
    words: list[str], line: int, variables: dict[str, str] | None = None
) -> SimpleCommand | None:
    """Strip redirections, assignments, prefixes and wrappers; None for non-commands."""
    cleaned: list[str] = []
    skip = False
    for w in words:
        if skip:
            skip = False
            continue
        if w == "\0redirect":
            if cleaned and cleaned[-1].isdigit():
                cleaned.pop()
            skip = True
            continue
        cleaned.append(w)
    env: list[tuple[str, str]] = []
    words = cleaned
    while words:
        head = words[0]
        if _ASSIGN.match(head):
            name, _, value = head.partition("=")
            env.append((name, value))
            words = words[1:]
            if not words and variables is not None:
                variables[name] = value  # a plain assignment line sets a shell variable
        elif head == "env":
            words = words[1:]
            while words and (words[0].startswith("-") or _ASSIGN.match(words[0])):
                if _ASSIGN.match(words[0]):
                    name, _, value = words[0].partition("=")
                    env.append((name, value))
                words = words[1:]
        elif head in ("export", "local", "readonly", "declare") and len(words) > 1:
            for w in words[1:]:
                if _ASSIGN.match(w) and variables is not None:
                    name, _, value = w.partition("=")
                    variables[name] = value
            return None
        elif head in PREFIX_WORDS or head in PREFIX_VALUE_OPTIONS:
            words = _skip_options(words[1:], PREFIX_VALUE_OPTIONS.get(head, frozenset()))
        elif head == "timeout" and len(words) > 2:  # timeout [-k 5] [-s KILL] 10m cmd
            words = _skip_options(words[1:], frozenset({"-k", "-s", "--kill-after", "--signal"}))
            words = words[1:]
        else:
            break
    if not words or words[0] in STRUCTURE:
        return None
    return SimpleCommand(unwrap(tuple(words)), line, tuple(env))


def _skip_options(words: list[str], with_value: frozenset[str]) -> list[str]:
    """The words after a prefix's options (`sudo -E -u ci`, `xvfb-run -a -s "..."`)."""
    while words and words[0].startswith("-") and words[0] != "-":
        opt = words.pop(0)
        if opt in with_value and words:
            words.pop(0)
    return words


def unwrap(words: tuple[str, ...]) -> tuple[str, ...]:
    """The command a task-runner wrapper runs (`poetry run pytest` → `pytest`)."""
    for _ in range(4):
        if len(words) > 2 and words[0] in _RUN_WRAPPERS and words[1] == "run":
            rest = list(words[2:])
            while rest and rest[0].startswith("-"):
                opt = rest.pop(0)
                if opt in _VALUE_OPTIONS and "=" not in opt and rest:
                    rest.pop(0)
            if rest and rest[0] == "--":
                rest.pop(0)
            words = tuple(rest)
        elif len(words) > 2 and words[0] == "coverage" and words[1] == "run":
            rest = [w for w in words[2:] if not w.startswith("--")]
            words = ("python", *rest)
        else:
            break
    return words
