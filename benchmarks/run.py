"""Time the audit on synthetic monorepos against the parse-everything floor.

For each size: audit wall time and peak RSS (cold process, median of N runs), and the floor —
listing the files and reading + `ast.parse` of every Python file once in a plain Python
process — with the ratio audit/floor. Also times `mlready --version` and `mlready --help`.

    python benchmarks/run.py --sizes 1000,10000 --repeat 5 [--write-docs]
    python benchmarks/run.py --sizes 100000 --repeat 3 --merge --write-docs
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from generate import generate  # noqa: E402

FLOOR = r"""
import ast, subprocess, sys
root = sys.argv[1]
out = subprocess.run(["git", "ls-files", "-z"], cwd=root, capture_output=True).stdout
paths = [p.decode() for p in out.split(b"\0") if p]
for p in paths:
    if p.endswith(".py"):
        with open(f"{root}/{p}", "rb") as f:
            ast.parse(f.read())
"""
# The parse-nothing baseline: what a byte-level linter pays (list + read every file + one
# substring scan each). The audit should come close to it and stay below FLOOR.
SCAN = r"""
import subprocess, sys
root = sys.argv[1]
out = subprocess.run(["git", "ls-files", "-z"], cwd=root, capture_output=True).stdout
hits = 0
for p in (p.decode() for p in out.split(b"\0") if p):
    with open(f"{root}/{p}", "rb") as f:
        hits += b"import" in f.read()
"""


def run_cold(cmd: list[str], cwd: Path | None = None) -> tuple[float, int]:
    """(wall seconds, peak RSS in KiB) of one fresh process."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr.read().decode()[-500:]}")
    return elapsed, usage.ru_maxrss


def median_of(cmd: list[str], repeat: int) -> tuple[float, int]:
    runs = [run_cold(cmd) for _ in range(repeat)]
    return statistics.median(r[0] for r in runs), max(r[1] for r in runs)


def _mlready() -> str:
    """The `mlready` script installed next to this interpreter (what `pip install` writes),
    else the one on PATH. A version manager's shim on PATH (pyenv's is a bash script) would add
    its own ~50 ms to every timing; the floor runs `sys.executable` directly, so must the audit."""
    beside = Path(sys.executable).with_name("mlready")
    if beside.is_file() and os.access(beside, os.X_OK):
        return str(beside)
    return shutil.which("mlready") or "mlready"


def _compile_bytecode() -> None:
    """Time the tool as installed: `pip install` writes bytecode, an editable install (or
    PYTHONDONTWRITEBYTECODE) may not, and compiling every module from source on each run
    would add ~0.1 s that no user pays."""
    import compileall

    import ml_readiness

    package = Path(ml_readiness.__file__).parent
    checks = package.parent / "checks"  # the editable layout maps ml_readiness.checks here
    for folder in (package, checks):
        if folder.is_dir():
            compileall.compile_dir(folder, quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", type=Path, default=HERE / "out")
    parser.add_argument(
        "--write-docs", action="store_true", help="update the figures in docs/performance.md"
    )
    parser.add_argument(
        "--merge",
        action="store_true",
        help="keep the rows of other sizes from the previous results.json (e.g. to add a "
        "100,000-file run with fewer repeats to a 1,000/10,000 run)",
    )
    args = parser.parse_args()
    mlready = _mlready()
    _compile_bytecode()
    results = {"python": sys.version.split()[0], "cpus": os.cpu_count(), "sizes": []}
    for label, cmd in (("--version", [mlready, "--version"]), ("--help", [mlready, "--help"])):
        wall, rss = median_of(cmd, args.repeat)
        results[label] = {"seconds": round(wall, 3), "peak_rss_mib": round(rss / 1024, 1)}
        print(f"mlready {label}: {wall:.3f} s")
    for size in (int(s) for s in args.sizes.split(",")):
        tree = args.out / f"repo-{size}"
        if not (tree / ".git").exists():
            shutil.rmtree(tree, ignore_errors=True)
            generate(tree, size, seed=0)
        audit, audit_rss = median_of(
            [mlready, "audit", str(tree), "--format", "json", "--as-of", "2026-01-01"], args.repeat
        )
        floor, floor_rss = median_of([sys.executable, "-c", FLOOR, str(tree)], args.repeat)
        scan, _ = median_of([sys.executable, "-c", SCAN, str(tree)], args.repeat)
        row = {
            "files": size,
            "audit_s": round(audit, 3),
            "audit_rss_mib": round(audit_rss / 1024, 1),
            "floor_s": round(floor, 3),
            "floor_rss_mib": round(floor_rss / 1024, 1),
            "scan_s": round(scan, 3),
            "ratio": round(audit / floor, 2),
            "target_s": round(1.5 * floor + 0.3, 3),
            "repeat": args.repeat,
        }
        results["sizes"].append(row)
        print(
            f"{size:>7} files: audit {audit:.2f} s ({audit_rss / 1024:.0f} MiB), "
            f"floor {floor:.2f} s, scan {scan:.2f} s, ratio {audit / floor:.2f}, "
            f"target {row['target_s']:.2f} s"
        )
    previous = args.out / "results.json"
    if args.merge and previous.exists():
        measured = {r["files"] for r in results["sizes"]}
        kept = [r for r in json.loads(previous.read_text())["sizes"] if r["files"] not in measured]
        results["sizes"] = sorted(results["sizes"] + kept, key=lambda r: r["files"])
    if len(results["sizes"]) >= 2:
        xs = [r["files"] for r in results["sizes"]]
        ys = [r["audit_s"] for r in results["sizes"]]
        slope = statistics.linear_regression(xs, ys).slope
        results["slope_ms_per_1k_files"] = round(slope * 1000 * 1000, 1)
        print(f"fitted slope: {slope * 1e6:.1f} ms per 1,000 files")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    if args.write_docs:
        write_docs(results)


def write_docs(results: dict) -> None:
    doc = HERE.parent / "docs" / "performance.md"
    text = doc.read_text() if doc.exists() else ""
    start, end = "<!-- figures:start -->", "<!-- figures:end -->"
    rows = [
        "| files | audit (s) | audit peak RSS (MiB) | parse floor (s) | scan floor (s) | "
        "audit / floor | target 1.5 × floor + 0.3 (s) | runs |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    rows += [
        f"| {r['files']:,} | {r['audit_s']} | {r['audit_rss_mib']} | {r['floor_s']} | "
        f"{r['scan_s']} | {r['ratio']} | {r['target_s']} | {r.get('repeat', '')} |"
        for r in results["sizes"]
    ]
    rows.append("")
    rows.append(
        f"`mlready --version`: {results['--version']['seconds']} s · `mlready --help`: "
        f"{results['--help']['seconds']} s · Python {results['python']}, "
        f"{results['cpus']} CPUs"
        + (
            f" · slope {results['slope_ms_per_1k_files']} ms per 1,000 files"
            if "slope_ms_per_1k_files" in results
            else ""
        )
    )
    block = start + "\n" + "\n".join(rows) + "\n" + end
    if start in text and end in text:
        text = text[: text.index(start)] + block + text[text.index(end) + len(end) :]
    else:
        text += "\n" + block + "\n"
    doc.write_text(text)


if __name__ == "__main__":
    main()
