"""`mlready audit --validate-data`: run the project's Great Expectations suites on its committed
data with the real great-expectations library and feed the outcome into data-1.

- Suites: 1.x JSON (`gx/expectations/*.json`) as is; 0.x JSON
  (`great_expectations/expectations/**/*.json`) converted in memory. An expectation that cannot
  be converted is reported, never crashed on.
- Data: `data_validation` entries of the project's config first, else what the suite's 1.x
  validation definitions / 0.x checkpoints point at, when that resolves to exactly one committed
  CSV or Parquet file. Reads are bounded (`MAX_ROWS`, `MAX_BYTES`) and go through the Repo.
- Suites are untrusted: expectations whose parameters are evaluated as code or queries are
  refused unless the user allows them.

great_expectations and pandas are imported only when a suite actually runs.
"""

from __future__ import annotations

import contextlib
import io
import numbers
import os
import posixpath
import re
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ml_readiness.errors import UsageError
from ml_readiness.evidence import Evidence, Finding, Hint
from ml_readiness.facts import is_example_config

if TYPE_CHECKING:
    from ml_readiness.audit import AuditContext
    from ml_readiness.facts import Facts

ITEM = "data-1"
CHECK_ID = "validate-data"
MAX_ROWS = 100_000
MAX_BYTES = 64 * 1024 * 1024
INSTALL = "--validate-data needs Great Expectations: pip install 'ml-readiness[gx]'"
ALLOW = "pass --allow-suite-conditions to run it"
MAP_IT = "map it in mlready.yaml data_validation"
GE_DIRS = ("gx", "great_expectations")
SUITE_GLOBS = (
    "gx/expectations/*.json",
    "*/gx/expectations/*.json",
    "great_expectations/expectations/*.json",
    "*/great_expectations/expectations/*.json",
)
LEGACY_KWARGS = ("result_format", "include_config", "catch_exceptions")
READERS = {".csv": "csv", ".tsv": "csv", ".parquet": "parquet", ".pq": "parquet"}
MAX_REGEX = 500
NESTED_QUANTIFIER = re.compile(r"\([^()]*[*+}][^()]*\)[*+{]")


def require_gx() -> None:
    """Raise UsageError (one line, exit 2) when great_expectations or pandas is missing."""
    try:
        import great_expectations  # noqa: F401
        import pandas  # noqa: F401
    except ImportError:
        raise UsageError(INSTALL) from None


# -- suites ------------------------------------------------------------------------------------
@dataclass
class Raw:
    """One expectation as written in the suite, in 1.x shape, or why it cannot be."""

    type: str | None
    kwargs: dict
    meta: dict
    problem: str | None = None


@dataclass
class Suite:
    path: str
    name: str
    root: str | None  # the gx / great_expectations folder the suite lives in
    expectations: list[Raw]


def _raw(entry: object) -> Raw:
    """A 1.x expectation from a 1.x entry (`type`) or a 0.x one (`expectation_type`)."""
    if not isinstance(entry, dict):
        return Raw(None, {}, {}, "not a mapping")
    legacy = "type" not in entry and "expectation_type" in entry
    etype = entry.get("expectation_type" if legacy else "type")
    kwargs = entry.get("kwargs", {})
    meta = entry.get("meta") if isinstance(entry.get("meta"), dict) else {}
    if not isinstance(etype, str) or not etype:
        return Raw(None, {}, {}, "no expectation type")
    if not isinstance(kwargs, dict):
        return Raw(etype, {}, {}, "kwargs is not a mapping")
    if legacy:
        kwargs = {k: v for k, v in kwargs.items() if k not in LEGACY_KWARGS}
    return Raw(etype, dict(kwargs), dict(meta))


def load_suite(facts: Facts, path: str) -> Suite | str:
    """The suite stored at `path` (1.x or 0.x JSON), or why it is not one."""
    data = facts.json(path)
    if not isinstance(data, dict):
        return f"{path} is not a readable JSON object"
    legacy = "expectation_suite_name" in data
    name = data.get("expectation_suite_name" if legacy else "name")
    exps = data.get("expectations")
    if not isinstance(name, str) or not isinstance(exps, list):
        return f"{path} is not an expectation suite (needs a name and a list of expectations)"
    return Suite(path, name, ge_root(path), [_raw(e) for e in exps])


def ge_root(path: str) -> str | None:
    """`sub/gx` for `sub/gx/expectations/x.json`; None outside a GX project folder."""
    parts = path.split("/")
    for i in range(len(parts) - 2, -1, -1):
        if parts[i] in GE_DIRS and parts[i + 1] == "expectations":
            return "/".join(parts[: i + 1])
    return None


def column_of(kwargs: dict) -> str | None:
    """The column(s) an expectation is about, as shown in the report."""
    if isinstance(kwargs.get("column"), str):
        return kwargs["column"]
    pair = [kwargs.get(k) for k in ("column_A", "column_B")]
    if all(isinstance(c, str) for c in pair):
        return ", ".join(pair)  # type: ignore[arg-type]
    cols = kwargs.get("column_list")
    if isinstance(cols, list) and all(isinstance(c, str) for c in cols):
        return ", ".join(cols)
    return None


def refusal(raw: Raw) -> str | None:
    """Why an expectation from an untrusted suite is not run by default, or None."""
    low = (raw.type or "").lower()
    if "unexpected_rows" in low or "query" in low or "sql" in low:
        return f"refused: {raw.type} runs a query; {ALLOW}"
    used = [k for k in sorted(raw.kwargs) if raw.kwargs[k] not in (None, "", {})]
    for key in ("row_condition", "condition_parser"):
        if key in used:
            return f"refused: uses {key} (evaluated as code); {ALLOW}"
    for key in used:
        if "query" in key.lower():
            return f"refused: uses {key} (a query); {ALLOW}"
        if "regex" in key.lower() and _nested(raw.kwargs[key]):
            return f"refused: {key} nests quantifiers (may backtrack for hours); {ALLOW}"
    return None


def _nested(value: object) -> bool:
    values = value if isinstance(value, list) else [value]
    return any(isinstance(v, str) and NESTED_QUANTIFIER.search(v) for v in values)


# -- which data each suite validates ------------------------------------------------------------
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


# -- planning --------------------------------------------------------------------------------
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


# -- reading data ------------------------------------------------------------------------------
class DataProblem(Exception):
    """The data file could not be read within the bounds."""


def read_frame(repo: Any, path: str, sep: str | None = None) -> tuple[Any, dict]:
    """(DataFrame, {rows, bytes, sampled}) of a committed CSV/Parquet file, read within
    MAX_BYTES and MAX_ROWS through the Repo (never following links out of the tree)."""
    import pandas as pd

    size = repo.size(path)
    kind = READERS.get(posixpath.splitext(path)[1].lower())
    if kind == "parquet" and size is not None and size > MAX_BYTES:
        raise DataProblem(
            f"{path} is larger than the {MAX_BYTES} byte bound ({size} bytes); a truncated "
            "Parquet file cannot be read, so it was skipped"
        )
    data = repo.read_bytes(path, limit=MAX_BYTES)
    if data is None:
        raise DataProblem(f"{path} could not be read")
    sampled = size is not None and size > len(data)
    if kind == "parquet":
        try:
            import pyarrow.parquet as pq
        except ImportError:
            raise DataProblem("reading Parquet needs pyarrow: pip install pyarrow") from None
        try:
            pf = pq.ParquetFile(io.BytesIO(data))
            batch = next(pf.iter_batches(batch_size=MAX_ROWS), None)
            frame = (batch or pf.schema_arrow.empty_table()).to_pandas()
            sampled = sampled or pf.metadata.num_rows > len(frame)
        except Exception as exc:  # a broken file in the audited repo is a problem, not a crash
            raise DataProblem(f"{path} could not be read as Parquet: {_short(exc)}") from None
        return frame, {"rows": len(frame), "bytes": len(data), "sampled": bool(sampled)}
    if sampled:
        cut = data.rfind(b"\n")
        if cut < 0:
            raise DataProblem(f"{path} has no complete line in its first {MAX_BYTES} bytes")
        data = data[: cut + 1]
    if sep is None and path.lower().endswith(".tsv"):
        sep = "\t"
    try:
        frame = pd.read_csv(io.BytesIO(data), nrows=MAX_ROWS + 1, sep=sep or ",")
    except Exception as exc:
        raise DataProblem(f"{path} could not be read as CSV: {_short(exc)}") from None
    if len(frame) > MAX_ROWS:
        frame, sampled = frame.iloc[:MAX_ROWS], True
    return frame, {"rows": len(frame), "bytes": len(data), "sampled": bool(sampled)}


def _short(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    line = text[0] if text else type(exc).__name__
    return line[:300]


# -- running Great Expectations ----------------------------------------------------------------
@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """No progress bars, warnings or log lines from GX on the user's terminal."""
    sink = io.StringIO()
    with (
        warnings.catch_warnings(),
        contextlib.redirect_stderr(sink),
        contextlib.redirect_stdout(sink),
    ):
        warnings.simplefilter("ignore")
        yield


class Runner:
    """One ephemeral GX context per audit (creating one is the slow part), offline."""

    def __init__(self) -> None:
        os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")
        os.environ.setdefault("TQDM_DISABLE", "1")
        with _quiet():
            import great_expectations as gx
            from great_expectations.data_context.types.base import (
                DataContextConfig,
                InMemoryStoreBackendDefaults,
                ProgressBarsConfig,
            )

            config = DataContextConfig(  # all in memory: no docs site, no analytics
                store_backend_defaults=InMemoryStoreBackendDefaults(init_temp_docs_sites=False),
                analytics_enabled=False,
            )
            self.context = gx.get_context(mode="ephemeral", project_config=config)
            self.context.variables.progress_bars = ProgressBarsConfig(globally=False)
            self.source = self.context.data_sources.add_pandas("mlready")
        self.assets = 0

    def convert(self, raw: Raw, index: int) -> Any:
        """The Expectation object, or a str saying why it cannot be built."""
        from great_expectations.expectations.expectation_configuration import (
            ExpectationConfiguration,
        )

        meta = {**raw.meta, "mlready_index": index}
        try:
            with _quiet():
                conf = ExpectationConfiguration(type=raw.type or "", kwargs=raw.kwargs, meta=meta)
                return conf.to_domain_obj()
        except Exception as exc:  # ExpectationNotFoundError, pydantic ValidationError, ...
            errors = getattr(exc, "errors", None)
            if callable(errors):  # pydantic: name each bad field
                with contextlib.suppress(Exception):
                    parts = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in errors()]
                    return f"invalid kwargs: {'; '.join(parts)}"[:300]
            return f"{type(exc).__name__}: {_short(exc)}"

    def validate(self, name: str, expectations: list[tuple[int, Any]], frame: Any) -> dict:
        """index → (success, result dict, error or None) for every expectation run. When the
        suite as a whole cannot run (an unresolved `$PARAMETER`, ...), each expectation is run
        alone so one broken expectation does not hide the others; one that still cannot run
        gets success None."""
        try:
            return self._validate(name, expectations, frame)
        except Exception:
            out: dict[int, tuple] = {}
            for index, exp in expectations:
                try:
                    out.update(self._validate(name, [(index, exp)], frame))
                except Exception as exc:
                    out[index] = (None, {}, f"could not run: {type(exc).__name__}: {_short(exc)}")
            return out

    def _validate(self, name: str, expectations: list[tuple[int, Any]], frame: Any) -> dict:
        from great_expectations.core.expectation_suite import ExpectationSuite

        suite = ExpectationSuite(name=name)
        duplicate_of: dict[int, int] = {}
        added: list[tuple[int, Any]] = []
        for index, exp in expectations:
            before = len(suite.expectations)
            suite.add_expectation(exp)
            if len(suite.expectations) > before:
                added.append((index, exp))
                continue
            key = (type(exp), exp.configuration.kwargs)  # GX keeps one of equal expectations
            same = (i for i, e in added if (type(e), e.configuration.kwargs) == key)
            duplicate_of[index] = next(same, -1)
        self.assets += 1
        with _quiet():
            asset = self.source.add_dataframe_asset(f"asset{self.assets}")
            batch_def = asset.add_batch_definition_whole_dataframe("whole")
            batch = batch_def.get_batch(batch_parameters={"dataframe": frame})
            result = batch.validate(suite)
        out: dict[int, tuple] = {}
        for er in result.results:
            index = (er.expectation_config.meta or {}).get("mlready_index")
            out[index] = (bool(er.success), dict(er.result or {}), _error(er.exception_info))
        for index, first in duplicate_of.items():
            if first in out:
                out[index] = out[first]
        return out


def _error(info: object) -> str | None:
    """The exception message GX recorded for an expectation, if it raised one."""
    if not isinstance(info, dict):
        return None
    if info.get("raised_exception"):
        return str(info.get("exception_message") or "raised an exception")[:300]
    for value in info.values():
        if isinstance(value, dict) and value.get("raised_exception"):
            return str(value.get("exception_message") or "raised an exception")[:300]
    return None


# -- the audit hook ----------------------------------------------------------------------------
def validation_hook(
    allow_conditions: bool, fail_on_failure: bool
) -> Callable[[AuditContext], None]:
    """The audit hook behind `--validate-data`: runs every suite on its data, records the runs
    in `extras["data_validation"]` and data-1 evidence/findings/hints, and fails the gate per
    failing suite when asked (CLI flag or `gate.fail_on_data_validation`)."""

    def hook(ctx: AuditContext) -> None:
        started = time.perf_counter()
        targets = plan(ctx.facts, tuple(ctx.config.data_validation))
        run_targets(ctx.repo, targets, allow_conditions)
        produced = ctx.produced.setdefault(ITEM, [])
        fail = fail_on_failure or ctx.config.gate.fail_on_data_validation
        for target in targets:
            produced.extend(outcome(target))
            if fail and _failed(target.report):
                ctx.extra_failures.append(_gate_reason(target))
        if not targets:
            produced.append(
                Hint(
                    ITEM,
                    "--validate-data: no Great Expectations suite found (looked for "
                    "gx/expectations/*.json and great_expectations/expectations/**/*.json, and "
                    "for data_validation entries in mlready.yaml)",
                    CHECK_ID,
                )
            )
        ctx.extras["data_validation"] = {
            "seconds": round(time.perf_counter() - started, 2),
            "bounds": {"rows": MAX_ROWS, "bytes": MAX_BYTES},
            "suites": [t.report for t in targets],
        }

    return hook


def run_targets(repo: Any, targets: list[Target], allow_conditions: bool) -> None:
    """Fill each target's report entry, running GX only when some suite has data to run on."""
    runner: Runner | str | None = None
    for target in targets:
        suite = target.suite
        report = target.report
        report.update(
            suite=target.suite_path,
            name=suite.name if suite else None,
            data=target.data,
            sampled=False,
            rows=None,
            bytes=None,
            seconds=None,
            problem=target.problem,
            expectations=[],
        )
        if target.problem or suite is None or target.data is None:
            continue
        if runner is None:
            try:
                runner = Runner()
            except Exception as exc:  # a broken GX install: say so for every suite
                runner = f"Great Expectations could not start: {_short(exc)}"
        if isinstance(runner, str):
            report["problem"] = runner
            continue
        try:
            _run_one(runner, repo, target, allow_conditions)
        except Exception as exc:  # whatever the suite or data holds, the audit goes on
            report["problem"] = f"validation failed: {type(exc).__name__}: {_short(exc)}"
            report["expectations"] = []


def _run_one(runner: Runner, repo: Any, target: Target, allow: bool) -> None:
    report, suite = target.report, target.suite
    assert suite is not None and target.data is not None
    started = time.perf_counter()  # the suite's own time: reading its data and validating
    try:
        frame, info = read_frame(repo, target.data, target.sep)
    except DataProblem as exc:
        report["problem"] = str(exc)
        return
    report.update(info)
    entries, to_run = _prepare(runner, suite, allow)
    if to_run:
        results = runner.validate(suite.name, to_run, frame)
        for index, entry in entries.items():
            if entry["status"] is None:
                _record(entry, results.get(index))
    report["expectations"] = [entries[i] for i in sorted(entries)]
    report["seconds"] = round(time.perf_counter() - started, 2)


def _prepare(runner: Runner, suite: Suite, allow: bool) -> tuple[dict[int, dict], list]:
    """Report entries in file order, and the (index, Expectation) pairs that may run."""
    entries: dict[int, dict] = {}
    to_run: list[tuple[int, Any]] = []
    for index, raw in enumerate(suite.expectations):
        entry = {
            "type": raw.type,
            "column": column_of(raw.kwargs),
            "success": None,
            "unexpected_count": None,
            "unexpected_percent": None,
            "status": None,
            "detail": None,
        }
        entries[index] = entry
        refused = None if allow else refusal(raw)
        built = raw.problem or refused or runner.convert(raw, index)
        if raw.problem or isinstance(built, str) and not refused:
            entry.update(status="unconvertible", detail=f"could not be converted: {built}")
        elif refused:
            entry.update(status="refused", detail=refused)
        else:
            to_run.append((index, built))
    return entries, to_run


def _record(entry: dict, result: tuple | None) -> None:
    if result is None:
        entry.update(status="error", detail="no result returned by Great Expectations")
        return
    success, res, error = result
    count, percent = res.get("unexpected_count"), res.get("unexpected_percent")
    entry["unexpected_count"] = int(count) if _number(count) else None
    entry["unexpected_percent"] = round(float(percent), 4) if _number(percent) else None
    if error:  # success False: GX ran it and it raised on the data; None: it could not run
        entry.update(success=None if success is None else False, status="error", detail=error)
    elif success:
        entry.update(success=True, status="passed")
    else:
        observed = res.get("observed_value")
        detail = None
        if entry["unexpected_count"] is not None:
            detail = f"{entry['unexpected_count']} unexpected"
            if entry["unexpected_percent"] is not None:
                detail += f" ({_percent(entry['unexpected_percent'])})"
        elif observed is not None:
            detail = f"observed {str(observed)[:80]}"
        entry.update(success=False, status="failed", detail=detail)


def _number(value: object) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and value == value


def _percent(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".") + "%"


def _failing(entry: dict) -> bool:
    """Failed on the data, or raised on it (a missing column): counts against data-1."""
    return entry["status"] in ("failed", "error") and entry["success"] is False


def _failed(report: dict) -> bool:
    return any(_failing(e) for e in report.get("expectations", []))


def _label(entry: dict) -> str:
    return f"{entry['type']}({entry['column']})" if entry["column"] else str(entry["type"])


def _gate_reason(target: Target) -> str:
    report = target.report
    ran = [e for e in report["expectations"] if e["success"] is not None]
    bad = [e for e in ran if _failing(e)]
    return (
        f"data validation: GE suite `{report['name']}` ({target.suite_path}) failed on "
        f"{target.data}: {len(bad)} of {len(ran)} expectations failed"
    )


def outcome(target: Target) -> list[Evidence | Finding | Hint]:
    """data-1 values for one suite run: Evidence when all it ran passed, a Finding (capping at
    manual) per failing expectation, Hints for what was refused, unconvertible, could not run or
    could not be resolved."""
    report = target.report
    path, data, name = target.suite_path, target.data, report["name"]
    out: list[Evidence | Finding | Hint] = []
    if report["problem"]:
        problem = report["problem"]
        label = f"GE suite `{name}` ({path})" if name else path
        text = problem if problem.startswith("no committed data") else f"{label}: {problem}"
        out.append(Hint(ITEM, f"--validate-data: {text}", CHECK_ID))
    ran = [e for e in report["expectations"] if e["success"] is not None]
    for e in report["expectations"]:
        if _failing(e):
            verb = "failed" if e["status"] == "failed" else "raised an error"
            why = f": {e['detail']}" if e["detail"] else ""
            detail = f"expectation {_label(e)} {verb} on {data}{why}"
            out.append(Finding(ITEM, detail, path, None, "manual", CHECK_ID))
        elif e["status"] != "passed":
            detail = f"GE suite `{name}` ({path}): {_label(e)} {e['detail']}"
            out.append(Hint(ITEM, detail, CHECK_ID))
    if ran and not _failed(report):
        n = len(ran)
        sample = ""
        if report["sampled"]:
            sample = f"; sampled: {report['rows']} rows, {report['bytes']} bytes read"
        detail = (
            f"GE suite `{name}` passed on {data}: {n} expectation{'s' if n != 1 else ''} "
            f"(validated by --validate-data in {report['seconds']:.2f} s{sample})"
        )
        out.append(Evidence(ITEM, detail, path, None, "result", "manual", check=CHECK_ID))
    elif report["expectations"] and not ran:
        detail = f"--validate-data: GE suite `{name}` ({path}) ran no expectation on {data}"
        out.append(Hint(ITEM, detail, CHECK_ID))
    return out
