"""The `mlready` command line. Commands parse options, call a function, and print its result.

Exit codes: 0 the gate passed (or none is configured), 1 the gate failed, 2 a usage or
configuration error (one line on stderr, no traceback).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ml_readiness import __version__
from ml_readiness.errors import MlreadyError

EXIT_OK, EXIT_GATE_FAILED, EXIT_ERROR = 0, 1, 2

EXIT_HELP = """\b
Exit codes:
  0  the gate passed, or no gate is configured
  1  the gate failed
  2  usage or configuration error (bad option, missing path, invalid
     mlready.yaml or rubric, unwritable output path)"""


def _tune_gc(young_only: bool = True) -> None:
    """An audit allocates millions of small objects that live until it ends; the default
    collector thresholds ran full collections over all of them (~10 % of a 10,000-file audit).
    Move what is loaded so far out of the collector's view and collect young objects less
    often. With `young_only`, objects that survived a collection are never scanned again
    during the audit (they are its facts, kept to the end: ~5 % of the time went to rescanning
    them, and peak memory is the same at 100,000 files); cycles among young objects are still
    collected. Done by the command, not by `run_audit`, so programs that embed the library
    keep their own settings."""
    import gc

    gc.freeze()
    if young_only:
        gc.set_threshold(10_000, 1_000_000_000, 1_000_000_000)
    else:
        gc.set_threshold(10_000, 20, 1_000)


def _fail(message: str) -> None:
    click.echo(f"mlready: error: {message}", err=True)
    sys.exit(EXIT_ERROR)


def _progress(quiet: bool) -> Callable[[str], None] | None:
    """A one-line progress display on stderr when it is a terminal (none when piped/quiet)."""
    if quiet or not sys.stderr.isatty():
        return None

    def show(stage: str) -> None:
        sys.stderr.write(f"\r\x1b[2Kmlready: {stage}…")
        sys.stderr.flush()
        if stage == "done":
            sys.stderr.write("\r\x1b[2K")
            sys.stderr.flush()

    return show


def _output_targets(outputs: tuple[str, ...], fmt: str | None) -> list[tuple[str, str]]:
    """(path, format) for each -o, checked before any work: known format, writable folder."""
    from ml_readiness.render import FORMATS, check_writable, format_for

    if fmt is not None and fmt not in FORMATS:
        raise click.BadParameter(
            f"unknown format {fmt!r} (known: {', '.join(sorted(FORMATS))})", param_hint="--format"
        )
    if fmt and len(outputs) > 1:
        raise click.UsageError(
            "--format names the format of a single -o; with several outputs the extensions decide"
        )
    targets = [(out, fmt or format_for(out)) for out in outputs]
    for out, _ in targets:
        check_writable(out)
    return targets


def handle_errors(function: Callable[..., Any]) -> Callable[..., Any]:
    """Turn MlreadyError into one line and exit code 2."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return function(*args, **kwargs)
        except MlreadyError as exc:
            _fail(str(exc))

    wrapper.__name__ = function.__name__
    wrapper.__doc__ = function.__doc__
    return wrapper


def _parse_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> Any:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date (YYYY-MM-DD)") from None


def _parse_section_min(
    _ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]
) -> tuple[tuple[str, float], ...]:
    out = []
    for value in values:
        name, sep, number = value.partition("=")
        try:
            out.append((name.strip(), float(number)))
        except ValueError:
            raise click.BadParameter(f"{value!r}: use SECTION=SCORE, e.g. data=1.5") from None
        if not sep or not name.strip():
            raise click.BadParameter(f"{value!r}: use SECTION=SCORE, e.g. data=1.5")
    return tuple(out)


class _Group(click.Group):
    def main(self, *args: Any, **kwargs: Any) -> Any:
        kwargs.setdefault("standalone_mode", True)
        try:
            return super().main(*args, **kwargs)
        except MlreadyError as exc:  # pragma: no cover - commands handle their own
            _fail(str(exc))


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_HELP)
@click.version_option(__version__, "--version", prog_name="mlready", message="%(prog)s %(version)s")
def main() -> None:
    """Score how production-ready an ML system is (Google's ML Test Score).

    Run `mlready audit .` in a repository to see every rubric item with its evidence
    and the next step to improve it.
    """


@main.command(epilog=EXIT_HELP)
@click.argument("path", default=".", type=click.Path(file_okay=True, dir_okay=True))
@click.option(
    "-o",
    "--output",
    "outputs",
    multiple=True,
    metavar="FILE",
    help="Write a report; the format comes from the extension (.json, .md, .html, "
    ".junit.xml, .sarif, .svg, .badge.json, .txt). Repeatable.",
)
@click.option(
    "--format",
    "fmt",
    metavar="FMT",
    help="Report format. With one -o, the format of that file; without -o, print "
    "this format to stdout instead of the summary.",
)
@click.option(
    "--fail-under",
    type=float,
    metavar="SCORE",
    help="Fail (exit 1) when the overall score is below SCORE.",
)
@click.option(
    "--section-min",
    multiple=True,
    callback=_parse_section_min,
    metavar="SECTION=SCORE",
    help="Fail when a section scores below SCORE. Repeatable.",
)
@click.option(
    "--as-of",
    callback=_parse_date,
    metavar="YYYY-MM-DD",
    help="The date used for attestation expiry (default: today); fixes output.",
)
@click.option(
    "--exclude",
    multiple=True,
    metavar="PATTERN",
    help="Leave out paths matching this gitignore-style pattern. Repeatable.",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Ignore everything the audited repo says about itself: its mlready config "
    "(attestations, not-applicable items, overrides, gate, rubric, excludes).",
)
@click.option(
    "--rubric",
    metavar="NAME|FILE",
    help="Rubric to score against (default: the config's, else ml-test-score).",
)
@click.option(
    "--repo-url",
    metavar="URL",
    help="Web URL of the repository, for evidence links in HTML/Markdown reports.",
)
@click.option(
    "--max-file-bytes",
    type=click.IntRange(min=1),
    metavar="N",
    help="Skip files larger than N bytes (default 2 MiB).",
)
@click.option(
    "--max-files",
    type=click.IntRange(min=1),
    metavar="N",
    help="Index at most N files (default 200000).",
)
@click.option(
    "--baseline",
    metavar="OLD.json",
    type=click.Path(dir_okay=False),
    help="A saved JSON result: every report shows per-item and per-section deltas.",
)
@click.option(
    "--fail-on-regression",
    is_flag=True,
    help="Fail the gate when any item or section went down against --baseline.",
)
@click.option(
    "--results",
    "results",
    multiple=True,
    metavar="JUNIT.xml",
    type=click.Path(dir_okay=False),
    help="JUnit XML from the project's CI: linked tests that failed or were skipped "
    "lose their evidence. Repeatable.",
)
@click.option(
    "--validate-data",
    is_flag=True,
    help="Run the project's Great Expectations suites on its committed data and feed the "
    "outcome into data-1 (needs: pip install 'ml-readiness[gx]').",
)
@click.option(
    "--allow-suite-conditions",
    is_flag=True,
    help="With --validate-data: also run expectations whose parameters are evaluated as code "
    "or queries (row_condition); refused by default because suites are untrusted.",
)
@click.option(
    "--fail-on-data-validation",
    is_flag=True,
    help="With --validate-data: fail the gate when an expectation fails.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing; only the exit code speaks.")
@handle_errors
def audit(
    path: str,
    outputs: tuple[str, ...],
    fmt: str | None,
    fail_under: float | None,
    section_min: tuple[tuple[str, float], ...],
    as_of: dt.date | None,
    exclude: tuple[str, ...],
    strict: bool,
    rubric: str | None,
    repo_url: str | None,
    max_file_bytes: int | None,
    max_files: int | None,
    baseline: str | None,
    fail_on_regression: bool,
    results: tuple[str, ...],
    validate_data: bool,
    allow_suite_conditions: bool,
    fail_on_data_validation: bool,
    quiet: bool,
) -> None:
    """Audit the ML repository at PATH (default: the current folder)."""
    from ml_readiness.gitindex import prefetch_index

    prefetch_index(path)  # git lists the files while the checks are imported
    from ml_readiness.audit import AuditOptions, run_audit
    from ml_readiness.render import render, write_atomic

    targets = _output_targets(outputs, fmt)
    if fail_on_regression and not baseline:
        raise click.UsageError("--fail-on-regression needs --baseline OLD.json")
    old = None
    if baseline:
        from ml_readiness.baseline import load_result

        old = load_result(baseline)
    hooks = []
    if results:
        from ml_readiness.linked import load_results, results_hook

        load_results(results)  # fails fast, before auditing, on a missing or broken file
        hooks.append(results_hook(results))
    if (allow_suite_conditions or fail_on_data_validation) and not validate_data:
        raise click.UsageError(
            "--allow-suite-conditions and --fail-on-data-validation go with --validate-data"
        )
    if validate_data:
        from ml_readiness.validation import require_gx, validation_hook

        require_gx()  # one line naming the extra to install, exit 2
        hooks.append(validation_hook(allow_suite_conditions, fail_on_data_validation))
    options = AuditOptions(
        as_of=as_of,
        exclude=exclude,
        strict=strict,
        rubric=rubric,
        fail_under=fail_under,
        section_min=section_min,
        max_file_bytes=max_file_bytes,
        max_files=max_files,
        repo_url=repo_url,
        hooks=tuple(hooks),
    )
    _tune_gc(young_only=not validate_data)  # a validation run keeps collecting its garbage
    result = run_audit(path, options, progress=_progress(quiet))
    if old is not None:
        from ml_readiness.audit import effective_config
        from ml_readiness.baseline import apply_baseline

        configured = effective_config(Path(path), options).gate.fail_on_regression
        result = apply_baseline(result, old, fail_on_regression or configured)
    for out, out_fmt in targets:
        write_atomic(out, render(result, out_fmt))
    if not quiet:
        if fmt and not outputs:
            click.echo(render(result, fmt), nl=False)
        else:
            tty = sys.stdout.isatty() and not os.environ.get("NO_COLOR")
            click.echo(render(result, "text", colour=tty), nl=False)
    sys.exit(EXIT_OK if result.gate.passed else EXIT_GATE_FAILED)


@main.command()
@click.argument("result_file", metavar="RESULT.json", type=click.Path(dir_okay=False))
@click.option(
    "-o",
    "--output",
    "outputs",
    multiple=True,
    metavar="FILE",
    help="Write the report here (format from the extension). Repeatable.",
)
@click.option(
    "--format",
    "fmt",
    metavar="FMT",
    help="Format for a single -o, or for stdout without -o (default: text).",
)
@click.option(
    "--baseline",
    metavar="OLD.json",
    type=click.Path(dir_okay=False),
    help="Show deltas against an older saved result.",
)
@handle_errors
def report(
    result_file: str, outputs: tuple[str, ...], fmt: str | None, baseline: str | None
) -> None:
    """Re-render a saved JSON result without re-auditing (byte-identical to a direct render)."""
    from ml_readiness.baseline import apply_baseline, load_result
    from ml_readiness.render import render, write_atomic

    targets = _output_targets(outputs, fmt)
    result = load_result(result_file)
    if baseline:
        result = apply_baseline(result, load_result(baseline), False)
    for out, out_fmt in targets:
        write_atomic(out, render(result, out_fmt))
    if not outputs:
        click.echo(render(result, fmt or "text"), nl=False)


@main.command()
@click.argument("old", metavar="OLD.json", type=click.Path(dir_okay=False))
@click.argument("new", metavar="NEW.json", type=click.Path(dir_okay=False))
@handle_errors
def diff(old: str, new: str) -> None:
    """Print per-item, per-section and overall deltas between two saved results."""
    from ml_readiness.baseline import diff_text, load_result

    click.echo(diff_text(load_result(old), load_result(new)), nl=False)


@main.command()
@click.argument("path", default=".", type=click.Path())
@click.option("--force", is_flag=True, help="Overwrite an existing mlready.yaml.")
@click.option(
    "--pyproject",
    is_flag=True,
    help="Add a [tool.mlready] table to the existing pyproject.toml instead "
    "(the rest of the file is kept byte for byte).",
)
@click.option(
    "--as-of",
    callback=_parse_date,
    metavar="YYYY-MM-DD",
    help="The date written as `reviewed` in attestation skeletons.",
)
@handle_errors
def init(path: str, force: bool, pyproject: bool, as_of: dt.date | None) -> None:
    """Write a commented mlready config for the repository at PATH.

    It records what was detected (CI systems, frameworks, training and serving entry points),
    sets a gate at today's score, and adds an attestation skeleton with guidance for every
    item without evidence. An existing config is never overwritten without --force.
    """
    from ml_readiness.init import init_config

    written, result = init_config(path, force=force, pyproject=pyproject, as_of=as_of)
    click.echo(
        f"wrote {written} (gate: fail_under {result.overall.score:g}); "
        "review it, then run `mlready audit`"
    )


@main.command("config")
@click.argument("path", default=".", type=click.Path())
@click.option("--fail-under", type=float, metavar="SCORE", help="As for `audit`.")
@click.option(
    "--section-min",
    multiple=True,
    callback=_parse_section_min,
    metavar="SECTION=SCORE",
    help="As for `audit`.",
)
@click.option("--exclude", multiple=True, metavar="PATTERN", help="As for `audit`.")
@click.option("--rubric", metavar="NAME|FILE", help="As for `audit`.")
@click.option("--strict", is_flag=True, help="As for `audit`: ignore the repository's config.")
@click.option("--max-file-bytes", type=click.IntRange(min=1), metavar="N", help="As for `audit`.")
@click.option("--max-files", type=click.IntRange(min=1), metavar="N", help="As for `audit`.")
@handle_errors
def show_config(
    path: str,
    fail_under: float | None,
    section_min: tuple[tuple[str, float], ...],
    exclude: tuple[str, ...],
    rubric: str | None,
    strict: bool,
    max_file_bytes: int | None,
    max_files: int | None,
) -> None:
    """Print the effective configuration and where each value came from (default, file, cli)."""
    from tabulate import tabulate

    from ml_readiness.audit import AuditOptions, describe_config
    from ml_readiness.render.text import strip_control

    options = AuditOptions(
        fail_under=fail_under,
        section_min=section_min,
        exclude=exclude,
        rubric=rubric,
        strict=strict,
        max_file_bytes=max_file_bytes,
        max_files=max_files,
    )
    rows = [
        [k, strip_control("-" if v is None else v), src]
        for k, v, src in describe_config(path, options)
    ]
    click.echo(tabulate(rows, headers=["setting", "value", "from"]))


@main.command()
@click.argument("item")
@click.option("--rubric", metavar="NAME|FILE", help="Rubric to read (default ml-test-score).")
@handle_errors
def explain(item: str, rubric: str | None) -> None:
    """Explain a rubric item: what it asks, what earns credit, and the checks behind it."""
    from ml_readiness.registry import checks_for
    from ml_readiness.rubric import load_rubric

    loaded = load_rubric(rubric)
    found = loaded.item(item)
    if found is None:
        _fail(f"unknown item {item!r} (items: {', '.join(i.id for i in loaded.items)})")
        return
    click.echo(f"{found.id}: {found.title}\n")
    click.echo(f"{found.long_title}\n")
    for label, text in (
        ("What it asks", found.asks),
        ("Manual (0.5)", found.manual),
        ("Automated (1)", found.automated),
        ("How to improve", found.improve),
    ):
        click.echo(f"{label}:")
        click.echo(_wrap(text))
        click.echo("")
    specs = checks_for(found.id)
    click.echo(
        "Checks:"
        if specs
        else "Checks: none (attestations, and tests linked with @pytest.mark.mlready, earn credit)"
    )
    for spec in specs:
        click.echo(f"  {spec.id}: {spec.title}")


def _wrap(text: str) -> str:
    import textwrap

    return textwrap.fill(text, 88, initial_indent="  ", subsequent_indent="  ")


@main.command("checks")
@handle_errors
def list_checks() -> None:
    """List the registered checks by rubric item."""
    from tabulate import tabulate

    from ml_readiness.registry import load_checks, load_errors

    rows = [[", ".join(c.items), c.id, c.title, c.module] for c in load_checks()]
    click.echo(tabulate(rows, headers=["items", "check", "looks for", "module"]))
    for name, message in load_errors:
        click.echo(f"plug-in {name} could not be loaded: {message}", err=True)


@main.group()
def rubric() -> None:
    """Show or validate rubric files."""


@rubric.command("validate")
@click.argument("file", type=click.Path())
def rubric_validate(file: str) -> None:
    """Validate a rubric FILE: exit 0 when valid, 1 with every problem listed."""
    from ml_readiness.rubric import validate_rubric_file

    problems = validate_rubric_file(file)
    if problems:
        for p in problems:
            click.echo(p, err=True)
        sys.exit(1)
    click.echo(f"{file}: valid")


@rubric.command("show")
@click.argument("name", default="ml-test-score")
@handle_errors
def rubric_show(name: str) -> None:
    """Print a rubric's sections, items and bands (NAME or FILE, default ml-test-score)."""
    from ml_readiness.rubric import load_rubric

    r = load_rubric(name)
    click.echo(f"{r.title} ({r.id} {r.version})")
    for section in r.sections:
        click.echo(f"\n{section.title} [{section.id}]")
        for item in r.section_items(section.id):
            req = f" (required: {item.require})" if item.require else ""
            click.echo(f"  {item.id:<10} {item.title}{req}")
    click.echo("\nBands:")
    low = None
    for band in r.bands:
        rng = f"<= {band.max:g}" if band.max is not None else f"> {low:g}"
        click.echo(f"  {rng:<8} {band.name}")
        low = band.max


@main.command()
@click.argument("path", default=".", type=click.Path())
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json"]),
    default="text",
    help="Table (text) or JSON.",
)
@click.option("--exclude", multiple=True, metavar="PATTERN", help="Leave out matching paths.")
@handle_errors
def automation(path: str, fmt: str, exclude: tuple[str, ...]) -> None:
    """Print the automation map: each CI/pipeline root, its trigger and what it executes."""
    import json

    from tabulate import tabulate

    from ml_readiness.facts import Facts
    from ml_readiness.render.text import strip_control
    from ml_readiness.repo import Repo

    repo = Repo.open(path, excludes=exclude)
    amap = Facts(repo).automation
    data = amap.to_json()
    if fmt == "json":
        click.echo(json.dumps(data, indent=2, sort_keys=True))
        return
    rows = [
        [
            strip_control(r["id"]),
            r["trigger"],
            strip_control(r["condition"] or ""),
            strip_control("; ".join(r["commands"])[:80]),
        ]
        for r in data["roots"]
    ]
    click.echo(tabulate(rows, headers=["root", "trigger", "condition", "commands"]))
    executed = data["executed"]
    click.echo(f"\n{len(executed)} file(s) executed by automation:")
    for file, symbols in executed.items():
        runs = {
            run["root"] + " (" + run["trigger"] + ")" for runs in symbols.values() for run in runs
        }
        click.echo(f"  {strip_control(file)}  <- {', '.join(sorted(runs))}")
    for entry in data["unresolved"]:
        click.echo(
            f"not resolved, not credited: {strip_control(entry['path'])}: "
            f"{strip_control(entry['reason'])}"
        )


if __name__ == "__main__":  # pragma: no cover
    main()


def console() -> None:
    """The `mlready` console script: run the command, flush, and leave without tearing the
    interpreter down. An audit builds millions of small objects; freeing them one by one at
    exit took ~0.1 s at 10,000 files, and nothing is left to do by then (reports are written
    and closed). When Great Expectations was loaded (`--validate-data`), the normal exit runs,
    so its clean-up handlers do too."""
    try:
        main()
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    if "great_expectations" in sys.modules:
        sys.exit(code)
    if code is None:
        code = 0
    elif not isinstance(code, int):  # sys.exit("message"): printed, status 1
        print(code, file=sys.stderr)
        code = 1
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):  # a closed pipe: nothing more can be said
        code = code or 1
    os._exit(code)
