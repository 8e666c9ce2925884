"""Structured documents: YAML (with line numbers), TOML, JSON, INI, Markdown, notebooks.

YAML is loaded with a `SafeLoader` subclass that (a) accepts unknown tags such as
CloudFormation's `!Ref` by building the plain value underneath, (b) records the line of every
mapping, sequence and key, and (c) refuses documents with too many aliases or nodes, so a
"billion laughs" file becomes a note instead of eating memory.
"""

from __future__ import annotations

import configparser
import json
import re
import tomllib
from dataclasses import dataclass
from typing import Any

import yaml

MAX_YAML_ALIASES = 200
MAX_YAML_NODES = 200_000
MAX_JSON_DEPTH = 200


class YamlMap(dict):
    """A YAML mapping that knows its line and the line of each key."""

    line: int = 0
    key_lines: dict

    def line_of(self, key: Any) -> int:
        return self.key_lines.get(key, self.line)


class YamlList(list):
    """A YAML sequence that knows its line and the line of each element."""

    line: int = 0
    item_lines: list


class YamlStr(str):
    """A YAML string scalar that knows its line."""

    line: int = 0


class StructureError(ValueError):
    """A document that cannot be read (syntax error, too many aliases, too deep)."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


class _BoundedLoader(yaml.SafeLoader):
    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._aliases = 0
        self._nodes = 0

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if self.check_event(yaml.AliasEvent):
            self._aliases += 1
            if self._aliases > MAX_YAML_ALIASES:
                raise StructureError(f"more than {MAX_YAML_ALIASES} YAML aliases; not read")
        self._nodes += 1
        if self._nodes > MAX_YAML_NODES:
            raise StructureError(f"more than {MAX_YAML_NODES} YAML nodes; not read")
        return super().compose_node(parent, index)


def _construct_map(loader: yaml.SafeLoader, node: yaml.MappingNode) -> YamlMap:
    loader.flatten_mapping(node)
    out = YamlMap()
    out.line = node.start_mark.line + 1
    out.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            key = str(key)
        out[key] = loader.construct_object(value_node, deep=True)
        out.key_lines[key] = key_node.start_mark.line + 1
    return out


def _construct_seq(loader: yaml.SafeLoader, node: yaml.SequenceNode) -> YamlList:
    out = YamlList(loader.construct_object(n, deep=True) for n in node.value)
    out.line = node.start_mark.line + 1
    out.item_lines = [n.start_mark.line + 1 for n in node.value]
    return out


def _construct_str(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> YamlStr:
    out = YamlStr(loader.construct_scalar(node))
    out.line = node.start_mark.line + 1
    return out


def _construct_unknown(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    # CloudFormation (!Ref, !Sub, !GetAtt) and other tools' tags: keep the plain value.
    if isinstance(node, yaml.MappingNode):
        return _construct_map(loader, node)
    if isinstance(node, yaml.SequenceNode):
        return _construct_seq(loader, node)
    return _construct_str(loader, node)


class LineLoader(_BoundedLoader):
    """SafeLoader with line numbers, bounded aliases and tolerance for unknown tags."""


LineLoader.add_constructor("tag:yaml.org,2002:map", _construct_map)
LineLoader.add_constructor("tag:yaml.org,2002:seq", _construct_seq)
LineLoader.add_constructor("tag:yaml.org,2002:str", _construct_str)
LineLoader.add_multi_constructor("!", _construct_unknown)
LineLoader.add_multi_constructor("tag:", _construct_unknown)

# libyaml's parser (about 7x faster) with the same constructors. Its composer recurses in C
# and crashes the process on very deep flow nesting ([[[[...), so documents with many flow
# brackets go to the pure-Python loader, whose depth errors become notes. Block nesting cannot
# get that deep within the file size cap (indentation grows quadratically).
CLineLoader: type | None = None
MAX_FLOW_BRACKETS_FOR_C = 2000
if getattr(yaml, "__with_libyaml__", False):

    class CLineLoader(yaml.CSafeLoader):  # type: ignore[no-redef]
        """CSafeLoader with line numbers and tolerance for unknown tags."""

    for _tag, _fn in (
        ("tag:yaml.org,2002:map", _construct_map),
        ("tag:yaml.org,2002:seq", _construct_seq),
        ("tag:yaml.org,2002:str", _construct_str),
    ):
        CLineLoader.add_constructor(_tag, _fn)
    CLineLoader.add_multi_constructor("!", _construct_unknown)
    CLineLoader.add_multi_constructor("tag:", _construct_unknown)


def _loader_for(text: str) -> yaml.SafeLoader:
    if CLineLoader is not None and text.count("[") + text.count("{") <= MAX_FLOW_BRACKETS_FOR_C:
        return CLineLoader(text)
    return LineLoader(text)


def _expanded_size(node: yaml.Node, memo: dict[int, int], depth: int = 0) -> int:
    """Node count with every alias expanded (memoised by node, so shared anchors are cheap)."""
    key = id(node)
    if key in memo:
        return memo[key]
    if depth > 500:
        raise StructureError("YAML nested more than 500 levels; not read")
    memo[key] = 1  # guards against recursive anchors
    size = 1
    if isinstance(node, yaml.SequenceNode):
        for child in node.value:
            size += _expanded_size(child, memo, depth + 1)
            if size > MAX_YAML_NODES:
                break
    elif isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            size += _expanded_size(k, memo, depth + 1) + _expanded_size(v, memo, depth + 1)
            if size > MAX_YAML_NODES:
                break
    memo[key] = size
    return size


def load_yaml(text: str) -> list[Any]:
    """All documents of a YAML stream. Raises StructureError with the line on failure.

    A document whose aliases would expand beyond MAX_YAML_NODES nodes ("billion laughs") is
    refused before anything is constructed.
    """
    try:
        loader = _loader_for(text)
        try:
            docs = []
            while loader.check_node():
                node = loader.get_node()
                if node is None:
                    continue
                if _expanded_size(node, {}) > MAX_YAML_NODES:
                    raise StructureError(
                        f"YAML aliases expand beyond {MAX_YAML_NODES} nodes; not read"
                    )
                docs.append(loader.construct_document(node))
            return docs
        finally:
            loader.dispose()
    except StructureError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        raise StructureError(f"invalid YAML: {exc.problem or exc}", line) from None
    except (yaml.YAMLError, RecursionError, ValueError, TypeError) as exc:
        raise StructureError(f"invalid YAML: {type(exc).__name__}") from None


def load_toml(text: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError) as exc:
        m = re.search(r"line (\d+)", str(exc))
        raise StructureError(f"invalid TOML: {exc}", int(m.group(1)) if m else None) from None


_UNPARSED: Any = object()


def load_json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise StructureError(f"invalid JSON: {exc.msg}", exc.lineno) from None
    except (RecursionError, ValueError) as exc:
        raise StructureError(f"invalid JSON: {type(exc).__name__}") from None


def load_ini(text: str) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    try:
        parser.read_string(text)
    except configparser.Error as exc:
        raise StructureError(
            f"invalid INI: {str(exc).splitlines()[0]}", getattr(exc, "lineno", None)
        ) from None
    return parser


# -- Markdown -------------------------------------------------------------------------------
_HEADING = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
_PLACEHOLDER = re.compile(r"\b(TODO|TBD|FIXME|we should|to be written|coming soon)\b", re.I)


@dataclass(frozen=True)
class Section:
    """A Markdown heading and the text under it (up to the next heading of any level)."""

    level: int
    title: str
    line: int
    body: str

    @property
    def substantive(self) -> bool:
        """True when the body says something beyond a placeholder (at least ~15 words)."""
        words = re.findall(r"[A-Za-z0-9]{2,}", self.body)
        if len(words) < 15:
            return False
        return not (_PLACEHOLDER.search(self.body) and len(words) < 40)


@dataclass(frozen=True)
class MarkdownFacts:
    path: str
    sections: tuple[Section, ...]
    preamble: str

    def find(self, pattern: str) -> list[Section]:
        """Sections whose title matches the regular expression (case-insensitive)."""
        rx = re.compile(pattern, re.I)
        return [s for s in self.sections if rx.search(s.title)]


def parse_markdown(text: str, path: str) -> MarkdownFacts:
    sections: list[Section] = []
    preamble: list[str] = []
    current: tuple[int, str, int] | None = None
    body: list[str] = []
    in_fence = False
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        m = None if in_fence else _HEADING.match(line)
        if m:
            if current:
                sections.append(Section(current[0], current[1], current[2], "\n".join(body)))
            current = (len(m.group(1)), m.group(2).strip(), number)
            body = []
        elif current:
            body.append(line)
        else:
            preamble.append(line)
    if current:
        sections.append(Section(current[0], current[1], current[2], "\n".join(body)))
    return MarkdownFacts(path, tuple(sections), "\n".join(preamble))


# -- Notebooks ------------------------------------------------------------------------------
@dataclass(frozen=True)
class NotebookFacts:
    """A notebook's code (magics removed) with each code line's line number in the file."""

    path: str
    code: str
    line_map: tuple[int, ...]
    code_cells: int
    cells_with_outputs: int
    output_text: str

    @property
    def has_outputs(self) -> bool:
        return self.cells_with_outputs > 0


def parse_notebook(text: str, path: str, data: Any = _UNPARSED) -> NotebookFacts:
    """A notebook's facts; `data` is `text` already loaded as JSON, when the caller has it."""
    if data is _UNPARSED:
        data = load_json(text)
    if not isinstance(data, dict) or not isinstance(data.get("cells"), list):
        raise StructureError("not a Jupyter notebook (no cells list)")
    raw_lines = text.splitlines()
    source_lines = [i + 1 for i, line in enumerate(raw_lines) if '"source"' in line]
    code: list[str] = []
    line_map: list[int] = []
    outputs: list[str] = []
    code_cells = with_outputs = 0
    for index, cell in enumerate(data["cells"]):
        if not isinstance(cell, dict):
            continue
        src = cell.get("source", "")
        lines = src if isinstance(src, list) else str(src).splitlines(keepends=True)
        base = source_lines[index] if index < len(source_lines) else 0
        multi_line = base and raw_lines[base - 1].rstrip().endswith("[")
        if cell.get("cell_type") != "code":
            continue
        code_cells += 1
        cell_outputs = cell.get("outputs") or []
        if cell_outputs:
            with_outputs += 1
            for out in cell_outputs[:20]:
                if isinstance(out, dict):
                    t = out.get("text") or (out.get("data") or {}).get("text/plain") or ""
                    outputs.append("".join(t) if isinstance(t, list) else str(t))
        joined = "".join(str(x) for x in lines)
        for k, line in enumerate(joined.splitlines()):
            stripped = line.lstrip()
            if stripped.startswith(("%", "!")):
                line = ""  # IPython magics and shell escapes are not Python
            code.append(line)
            line_map.append(base + 1 + k if multi_line else base)
        code.append("")
        line_map.append(base)
    return NotebookFacts(
        path, "\n".join(code), tuple(line_map), code_cells, with_outputs, "\n".join(outputs)[:20000]
    )
