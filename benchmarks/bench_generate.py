"""Network-scale generation benchmark (`make bench-generate`): runs `hcops generate --scale
network` in a child process into a temporary folder, measures wall time and the child's peak
resident memory (resource.getrusage RUSAGE_CHILDREN), and appends a row to
docs/benchmarks.md naming the machine (CPU model, cores, RAM from /proc) and the date.

Goal (issue 3): under 3 minutes on 2 cores, peak memory under 2 GB."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "benchmarks.md"
HEADER = """# Benchmarks

## Network-scale generation (`make bench-generate`)

`hcops generate --scale network` (20 facilities x 365 days, default faults, seed 7) into a
temporary folder; wall time and peak resident set size of the generating process
(`resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`). Goal: under 3 minutes on 2 cores, peak
memory under 2 GB.

| date (UTC) | commit | machine | wall time | peak RSS | files | size on disk | result |
|---|---|---|---|---|---|---|---|
"""


def machine() -> str:
    """CPU model, cores available to this process and total RAM, from /proc."""
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram_kib = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram_kib = int(line.split()[1])
    except OSError:
        pass
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return f"{model}, {cores} cores, {ram_kib / 1024 / 1024:.1f} GiB RAM"


def commit() -> str:
    """HEAD's short hash, `+wip` when the work tree has uncommitted changes."""
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True,
                              capture_output=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain"], cwd=ROOT, text=True,
                               capture_output=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return f"{head}+wip" if dirty else head


def run(scale: str, seed: int) -> dict[str, object]:
    with tempfile.TemporaryDirectory(prefix="hcops-bench-") as tmp:
        out = Path(tmp) / "landing"
        command = [sys.executable, "-m", "orchestration.cli", "generate", "--out", str(out),
                   "--scale", scale, "--seed", str(seed), "--quiet"]
        began = time.perf_counter()
        subprocess.run(command, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        seconds = time.perf_counter() - began
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        files = [p for p in out.rglob("*") if p.is_file()]
        size = sum(p.stat().st_size for p in files)
    return {"seconds": seconds, "peak_mib": peak_kib / 1024, "files": len(files),
            "size_mib": size / 1024 / 1024}


def _insert_row(text: str, row: str) -> str:
    """The row goes right after the last row of the generation table (other sections follow)."""
    lines = text.rstrip("\n").split("\n")
    header = next(i for i, line in enumerate(lines) if line.startswith("| date (UTC) |"))
    end = header + 2
    while end < len(lines) and lines[end].startswith("| 20"):
        end += 1
    return "\n".join([*lines[:end], row, *lines[end:]]) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="network")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--no-record", action="store_true", help="print only")
    args = parser.parse_args()
    result = run(args.scale, args.seed)
    ok = result["seconds"] < 180 and result["peak_mib"] < 2048  # type: ignore[operator]
    row = (f"| {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} | {commit()} | {machine()} | "
           f"{result['seconds']:.0f} s | {result['peak_mib']:.0f} MiB | {result['files']} | "
           f"{result['size_mib']:.0f} MiB | {'within goal' if ok else 'OVER GOAL'} |")
    if args.scale != "network":
        row = row.replace("| within goal |", f"| scale {args.scale} |")
    print(row)
    if not args.no_record:
        text = DOC.read_text() if DOC.exists() else HEADER
        if "| date (UTC) |" not in text:
            text = text.rstrip("\n") + "\n\n" + HEADER.split("\n", 2)[2]
        DOC.write_text(_insert_row(text, row))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
