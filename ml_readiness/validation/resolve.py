"""Which committed data file each suite validates: `data_validation` entries of the project's
config first, else what the suite's 1.x validation definitions / 0.x checkpoints point at, when
that resolves to exactly one committed CSV or Parquet file."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ml_readiness.facts import is_example_config
from ml_readiness.validation.suites import NESTED_QUANTIFIER, SUITE_GLOBS, Suite, load_suite

if TYPE_CHECKING:
    from ml_readiness.facts import Facts

MAP_IT = "map it in mlready.yaml data_validation"
READERS = {".csv": "csv", ".tsv": "csv", ".parquet": "parquet", ".pq": "parquet"}
MAX_REGEX = 500


@dataclass(frozen=True)
class Binding:
    """A suite named by a validation definition or checkpoint, with the data it points at."""

    suite: str
    via: str
    datasource: str | None
    asset: str | None
    batch_definition: str | None = None
    connector: str | None = None


@dataclass(frozen=True)
class Resolved:
    path: str | None
    problem: str | None = None
    sep: str | None = None


def _name(value: object) -> str | None:
    if isinstance(value, dict):
        value = value.get("name")
    return value if isinstance(value, str) and value else None


def bindings(facts: Facts, root: str) -> list[Binding]:
    """What the 1.x validation definitions and 0.x checkpoints of one GX folder validate."""
    repo = facts.repo
    vds = [(p, facts.json(p)) for p in repo.glob(f"{root}/validation_definitions/*.json")]
    for path in repo.glob(f"{root}/checkpoints/*.json"):
        cp = facts.json(path)  # inline definitions; references are read from their own file
        listed = cp.get("validation_definitions") if isinstance(cp, dict) else None
        vds += [(path, vd) for vd in _list(listed) if isinstance(vd, dict) and "data" in vd]
    out: list[Binding] = []
    for path, vd in vds:
        data = vd.get("data") if isinstance(vd, dict) else None
        suite = _name(vd.get("suite")) if isinstance(data, dict) else None
        if suite and isinstance(data, dict):
            names = [_name(data.get(k)) for k in ("datasource", "asset", "batch_definition")]
            out.append(Binding(suite, path, *names))
    for path in repo.glob(f"{root}/checkpoints/*.yml", f"{root}/checkpoints/*.yaml"):
        doc = facts.yaml_doc(path)
        if not isinstance(doc, dict) or is_example_config(path):
            continue
        top = _dict(doc.get("batch_request"))
        validations = [v for v in _list(doc.get("validations")) if isinstance(v, dict)]
        for v in validations or [{}]:
            br = {**top, **_dict(v.get("batch_request"))}
            suite = v.get("expectation_suite_name") or doc.get("expectation_suite_name")
            if isinstance(suite, str) and br:
                names = [_name(br.get(k)) for k in ("datasource_name", "data_asset_name")]
                connector = _name(br.get("data_connector_name"))
                out.append(Binding(suite, path, *names, connector=connector))
    return out


def _list(value: object) -> list:
    return value if isinstance(value, list) else []


def _dict(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def _join(base: str, rel: str) -> str | None:
    """`base/rel` normalised, or None when it leaves the audited tree."""
    if rel.startswith("/") or "${" in rel or "://" in rel:
        return None
    joined = posixpath.normpath(posixpath.join(base, rel)) if base else posixpath.normpath(rel)
    if joined == ".":
        return ""
    return None if joined.startswith("../") or joined == ".." else joined


def _bases(root: str) -> list[str]:
    """Relative data paths are read from the GX folder, the project above it, or the root."""
    return list(dict.fromkeys([root, posixpath.dirname(root), ""]))


def _matching(facts: Facts, root: str, directory: str, pattern: object, depth_one: bool) -> Any:
    """Committed files below `directory` whose path from it matches `pattern` (re.match, as GX
    does); a str problem when the pattern is unusable."""
    if pattern is not None and (not isinstance(pattern, str) or len(pattern) > MAX_REGEX):
        return f"pattern {str(pattern)[:80]!r} is not usable"
    if pattern and NESTED_QUANTIFIER.search(pattern):  # catastrophic backtracking: not tried
        return f"pattern {pattern!r} nests quantifiers; not matched"
    try:
        regex = re.compile(pattern) if pattern else None
    except re.error as exc:
        return f"pattern {pattern!r} does not compile ({exc})"
    found: dict[str, re.Match | None] = {}
    folders = [f for f in (_join(base, directory) for base in _bases(root)) if f is not None]
    if not folders:
        return f"base_directory {directory!r} is outside the repository"
    for folder in folders:
        for f in facts.repo.under(folder) if folder else facts.repo.files:
            rel = f[len(folder) + 1 :] if folder else f
            if f.startswith("../") or (depth_one and "/" in rel):
                continue
            m = regex.match(rel) if regex else None
            if regex is None or m:
                found[f] = m
    return found


def _one(found: dict, what: str) -> Resolved:
    data = sorted(f for f in found if posixpath.splitext(f)[1].lower() in READERS)
    if len(data) == 1:
        return Resolved(data[0])
    if not data:
        return Resolved(None, f"{what} matches no committed CSV or Parquet file")
    shown = ", ".join(data[:3]) + (", …" if len(data) > 3 else "")
    return Resolved(None, f"{what} matches {len(data)} committed files ({shown})")


def _by_name(entries: object, name: str | None) -> dict | None:
    if isinstance(entries, dict):
        found = entries.get(name)
        return found if isinstance(found, dict) else None
    if isinstance(entries, list):
        return next((e for e in entries if isinstance(e, dict) and e.get("name") == name), None)
    return None


def _fluent(facts: Facts, root: str, ds: dict, b: Binding) -> Resolved:
    """A 0.16+/1.x fluent pandas datasource asset → one committed file."""
    kind = ds.get("type")
    if kind not in ("pandas", "pandas_filesystem"):
        return Resolved(None, f"datasource `{b.datasource}` is a {kind} datasource (not files)")
    asset = _by_name(ds.get("assets"), b.asset)
    if asset is None:
        return Resolved(None, f"asset `{b.asset}` is not defined in datasource `{b.datasource}`")
    sep = asset.get("sep") or asset.get("delimiter")
    sep = sep if isinstance(sep, str) and len(sep) == 1 else None
    what = f"datasource `{b.datasource}` asset `{b.asset}`"
    if kind == "pandas":
        rel = asset.get("filepath_or_buffer") or asset.get("path")
        if not isinstance(rel, str):
            return Resolved(None, f"{what} names no file path")
        paths = (_join(base, rel) for base in _bases(root))
        hits = {p: None for p in paths if p and facts.repo.exists(p)}
        return _with_sep(_one(hits, f"{what} path {rel!r}"), sep)
    base = ds.get("base_directory")
    if not isinstance(base, str):
        return Resolved(None, f"datasource `{b.datasource}` has no base_directory")
    bd = _by_name(asset.get("batch_definitions"), b.batch_definition) or {}
    pattern = _dict(bd.get("partitioner")).get("regex") or asset.get("batching_regex")
    found = _matching(facts, root, base, pattern, depth_one=False)
    if isinstance(found, str):
        return Resolved(None, f"{what}: {found}")
    shown = f" regex {pattern!r}" if pattern else ""
    return _with_sep(_one(found, f"{what} (base_directory {base!r}{shown})"), sep)


def _with_sep(r: Resolved, sep: str | None) -> Resolved:
    return Resolved(r.path, r.problem, sep) if r.path else r


def _block(facts: Facts, root: str, ds: dict, b: Binding) -> Resolved:
    """A 0.x block-config datasource (data connectors with base_directory and regexes)."""
    if "Pandas" not in str(_dict(ds.get("execution_engine")).get("class_name", "")):
        return Resolved(None, f"datasource `{b.datasource}` does not use the pandas engine")
    conn = _dict(ds.get("data_connectors")).get(b.connector) if b.connector else None
    if not isinstance(conn, dict):
        return Resolved(None, f"data connector `{b.connector}` of `{b.datasource}` is not defined")
    cls = str(conn.get("class_name", ""))
    what = f"datasource `{b.datasource}` asset `{b.asset}`"
    if "Filesystem" not in cls:
        return Resolved(None, f"{what} uses {cls or 'an unknown connector'} (data not in files)")
    base = conn.get("base_directory")
    regex = _dict(conn.get("default_regex"))
    glob = str(conn.get("glob_directive", "*"))
    if "Configured" in cls:
        asset = _dict(conn.get("assets")).get(b.asset)
        if not isinstance(asset, dict):
            return Resolved(None, f"{what} is not configured in connector `{b.connector}`")
        if isinstance(asset.get("base_directory"), str) and isinstance(base, str):
            base = posixpath.join(base, asset["base_directory"])
        regex = {**regex, **{k: asset[k] for k in ("pattern", "group_names") if k in asset}}
    if not isinstance(base, str):
        return Resolved(None, f"connector `{b.connector}` has no base_directory")
    found = _matching(facts, root, base, regex.get("pattern"), depth_one="**" not in glob)
    if isinstance(found, str):
        return Resolved(None, f"{what}: {found}")
    if "Inferred" in cls:
        groups = _list(regex.get("group_names"))
        found = {
            f: m
            for f, m in found.items()
            if m is not None
            and dict(zip(groups, m.groups(), strict=False)).get("data_asset_name") == b.asset
        }
    return _one(found, f"{what} (base_directory {base!r})")


def resolve(facts: Facts, root: str, b: Binding) -> Resolved:
    """The committed data file a binding points at, or why there is none."""
    config = facts.yaml_doc(f"{root}/great_expectations.yml")
    if not isinstance(config, dict):
        return Resolved(None, f"{root}/great_expectations.yml is missing or unreadable")
    fluent = _by_name(config.get("fluent_datasources"), b.datasource)
    if fluent is not None:
        return _fluent(facts, root, fluent, b)
    block = _by_name(config.get("datasources"), b.datasource)
    if block is not None:
        return _block(facts, root, block, b)
    return Resolved(None, f"datasource `{b.datasource}` is not defined in {root}")


@dataclass
class Target:
    """One suite to validate on one data file (or why it cannot be)."""

    suite_path: str
    suite: Suite | None
    data: str | None
    problem: str | None = None
    sep: str | None = None
    report: dict = field(default_factory=dict)


def plan(facts: Facts, config_entries: tuple[dict, ...]) -> list[Target]:
    """Every suite of the repo (plus config-mapped ones), paired with its data, sorted by path."""
    repo = facts.repo
    paths = [p for p in repo.glob(*SUITE_GLOBS) if not is_example_config(p)]
    mapped: dict[str, list[str]] = {}
    for entry in config_entries:
        suite = _relative(str(entry.get("suite", "")))
        mapped.setdefault(suite, []).append(_relative(str(entry.get("data", ""))))
    targets: list[Target] = []
    roots: dict[str, list[Binding]] = {}
    for path in sorted(set(paths) | set(mapped)):
        loaded = load_suite(facts, path) if repo.exists(path) else f"{path} is not in the index"
        suite = loaded if isinstance(loaded, Suite) else None
        problem = None if suite else str(loaded)
        if path in mapped:
            for data in sorted(set(mapped[path])):
                targets.append(Target(path, suite, data, problem or _data_problem(facts, data)))
            continue
        if suite is None:
            targets.append(Target(path, None, None, problem))
            continue
        found, reasons = [], []
        if suite.root is not None:
            if suite.root not in roots:
                roots[suite.root] = bindings(facts, suite.root)
            for b in roots[suite.root]:
                if b.suite != suite.name:
                    continue
                try:
                    r = resolve(facts, suite.root, b)
                except Exception as exc:  # odd shapes in an untrusted config: not resolved
                    r = Resolved(None, f"could not be resolved ({type(exc).__name__})")
                if r.path:
                    found.append(r)
                else:
                    reasons.append(f"{b.via}: {r.problem}")
        for r in sorted({r.path: r for r in found}.values(), key=lambda r: r.path or ""):
            targets.append(Target(path, suite, r.path, sep=r.sep))
        if not found:
            why = (
                "; ".join(sorted(set(reasons))) or "no checkpoint or validation definition names it"
            )
            targets.append(
                Target(
                    path,
                    suite,
                    None,
                    f"no committed data found for suite `{suite.name}`: {why}; {MAP_IT}",
                )
            )
    return targets


def _relative(path: str) -> str:
    """A config path as the index spells it (`./a/b` → `a/b`)."""
    return posixpath.normpath(path.replace("\\", "/")) if path else path


def _data_problem(facts: Facts, data: str) -> str | None:
    if not facts.repo.exists(data):
        return f"data file {data} (mlready.yaml data_validation) is not a file in the repository"
    if posixpath.splitext(data)[1].lower() not in READERS:
        return f"data file {data} is neither CSV nor Parquet"
    return None
