"""Running suites with the real great-expectations library: bounded reads of the data (sampling
beyond `MAX_ROWS` / `MAX_BYTES`), one ephemeral offline GX context per audit, and the per-suite
report entries. great_expectations and pandas are imported only when a suite actually runs."""

from __future__ import annotations

import contextlib
import io
import numbers
import os
import posixpath
import warnings
from collections.abc import Iterator
from typing import Any

from ml_readiness.validation.resolve import READERS, Target
from ml_readiness.validation.suites import Raw, Suite, column_of, refusal

MAX_ROWS = 100_000
MAX_BYTES = 64 * 1024 * 1024


def bounds() -> tuple[int, int]:
    """(MAX_ROWS, MAX_BYTES) as `ml_readiness.validation` exposes them: the package attribute is
    the one setting (tests lower it there)."""
    from ml_readiness import validation

    return validation.MAX_ROWS, validation.MAX_BYTES


class DataProblem(Exception):
    """The data file could not be read within the bounds."""


def read_frame(repo: Any, path: str, sep: str | None = None) -> tuple[Any, dict]:
    """(DataFrame, {rows, bytes, sampled}) of a committed CSV/Parquet file, read within
    MAX_BYTES and MAX_ROWS through the Repo (never following links out of the tree)."""
    import pandas as pd

    max_rows, max_bytes = bounds()
    size = repo.size(path)
    kind = READERS.get(posixpath.splitext(path)[1].lower())
    if kind == "parquet" and size is not None and size > max_bytes:
        raise DataProblem(
            f"{path} is larger than the {max_bytes} byte bound ({size} bytes); a truncated "
            "Parquet file cannot be read, so it was skipped"
        )
    data = repo.read_bytes(path, limit=max_bytes)
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
            batch = next(pf.iter_batches(batch_size=max_rows), None)
            frame = (batch or pf.schema_arrow.empty_table()).to_pandas()
            sampled = sampled or pf.metadata.num_rows > len(frame)
        except Exception as exc:  # a broken file in the audited repo is a problem, not a crash
            raise DataProblem(f"{path} could not be read as Parquet: {_short(exc)}") from None
        return frame, {"rows": len(frame), "bytes": len(data), "sampled": bool(sampled)}
    if sampled:
        cut = data.rfind(b"\n")
        if cut < 0:
            raise DataProblem(f"{path} has no complete line in its first {max_bytes} bytes")
        data = data[: cut + 1]
    if sep is None and path.lower().endswith(".tsv"):
        sep = "\t"
    try:
        frame = pd.read_csv(io.BytesIO(data), nrows=max_rows + 1, sep=sep or ",")
    except Exception as exc:
        raise DataProblem(f"{path} could not be read as CSV: {_short(exc)}") from None
    if len(frame) > max_rows:
        frame, sampled = frame.iloc[:max_rows], True
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
