"""Regenerate the committed audit reports of the example projects (examples/*/REPORT.md).

    python scripts/regenerate_examples.py           # rewrite every REPORT.md
    python scripts/regenerate_examples.py --check   # exit 1 when a committed report is stale

Each example is audited as the repository it stands for: its files (without REPORT.md and
build/cache folders) are copied into a temporary folder of the same name outside any git
repository, and `mlready audit COPY --as-of 2026-11-01 -o REPORT.md` runs on the copy. Auditing
in place would tie the report to this repository's state instead of the example's:
- the Markdown report names the git commit, which changes with every commit (a committed
  report can never contain its own commit);
- attestations need git-tracked evidence files, so levels would differ before and after the
  example is committed;
- top-level CI and CODEOWNERS files of this repository would be read as the example's own.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES_DIR = ROOT / "examples"
EXAMPLES = ("research-prototype", "first-pass", "mature-service")
AS_OF = "2026-11-01"
REPORT = "REPORT.md"
# never part of an example repository: caches and build output a local run may leave behind
SKIP = {"__pycache__", ".pytest_cache", ".benchmarks", ".ruff_cache", ".hypothesis"}


def _ignore(include_report: bool):
    def ignore(folder: str, names: list[str]) -> set[str]:
        skipped = {n for n in names if n in SKIP or n.endswith(".egg-info")}
        if not include_report and Path(folder).resolve() in {
            (EXAMPLES_DIR / e).resolve() for e in EXAMPLES
        }:
            skipped |= {REPORT} & set(names)
        return skipped

    return ignore


def copy_example(name: str, target: Path, include_report: bool = False) -> Path:
    """Copy examples/NAME into TARGET/NAME (the report root keeps the example's name)."""
    dest = target / name
    shutil.copytree(EXAMPLES_DIR / name, dest, ignore=_ignore(include_report), symlinks=True)
    return dest


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """`mlready ARGS` with this interpreter (exit 1 is a failed gate, not an error)."""
    proc = subprocess.run(
        [sys.executable, "-m", "ml_readiness", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"mlready {' '.join(args)} failed:\n{proc.stderr}")
    return proc


def render(name: str, fmt: str = "md", include_report: bool = False) -> str:
    """A fresh report of one example in FMT (md or json), audited on a clean copy."""
    with tempfile.TemporaryDirectory(prefix="mlready-example-") as tmp:
        copy = copy_example(name, Path(tmp), include_report)
        out = Path(tmp) / f"report.{fmt}"
        run_cli("audit", str(copy), "--as-of", AS_OF, "-o", str(out), "--quiet")
        return out.read_text(encoding="utf-8")


def render_json(name: str, include_report: bool = False) -> dict:
    return json.loads(render(name, "json", include_report))


README = ROOT / "README.md"
SUMMARY_START = "<!-- mature-service-summary:start -->"
SUMMARY_END = "<!-- mature-service-summary:end -->"


def readme_with_summary(readme: str) -> str:
    """README.md with the mature example's terminal summary refreshed between the markers."""
    summary = render("mature-service", "txt").rstrip("\n")
    block = (
        f"{SUMMARY_START}\n```text\n$ mlready audit examples/mature-service "
        f"--as-of {AS_OF}\n{summary}\n```\n{SUMMARY_END}"
    )
    start, end = readme.index(SUMMARY_START), readme.index(SUMMARY_END) + len(SUMMARY_END)
    return readme[:start] + block + readme[end:]


def _shown(path: Path) -> str:
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 when a report is stale")
    parser.add_argument("names", nargs="*", metavar="EXAMPLE", help="default: all three")
    args = parser.parse_args(argv)
    unknown = sorted(set(args.names) - set(EXAMPLES))
    if unknown:
        parser.error(f"unknown example(s) {', '.join(unknown)} (known: {', '.join(EXAMPLES)})")
    stale = []
    for name in args.names or EXAMPLES:
        fresh = render(name)
        path = EXAMPLES_DIR / name / REPORT
        current = path.read_text(encoding="utf-8") if path.is_file() else None
        if args.check:
            if current != fresh:
                stale.append(name)
                print(f"stale: {_shown(path)}", file=sys.stderr)
        elif current != fresh:
            path.write_text(fresh, encoding="utf-8")
            print(f"wrote {_shown(path)}")
        else:
            print(f"unchanged {_shown(path)}")
    if not args.names or "mature-service" in args.names:
        current = README.read_text(encoding="utf-8")
        fresh = readme_with_summary(current)
        if args.check and fresh != current:
            stale.append("README.md")
            print("stale: README.md (mature-service summary)", file=sys.stderr)
        elif not args.check and fresh != current:
            README.write_text(fresh, encoding="utf-8")
            print("wrote README.md (mature-service summary)")
    if stale:
        print("run: python scripts/regenerate_examples.py", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
