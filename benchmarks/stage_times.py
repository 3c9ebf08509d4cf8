"""Where generation time goes: seconds per stage (simulation, then each landing folder's
render + fault layer + write) and the peak RSS after each, for one scale. Run in its own
process: `python benchmarks/stage_times.py --scale network`."""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulator.faults import FaultParams  # noqa: E402
from simulator.generate import deliver, resolve_scale, simulate  # noqa: E402
from simulator.progress import Progress  # noqa: E402


class StageClock(Progress):
    """Records the time and peak RSS at each stage boundary instead of drawing a bar."""

    def __init__(self) -> None:
        super().__init__(False)
        self.current: str | None = None
        self.began = time.perf_counter()
        self.rows: list[tuple[str, float, float]] = []

    def folder(self, description: str, total: int | None) -> None:
        self.done()
        self.current, self.began = description, time.perf_counter()

    def done(self) -> None:
        if self.current is not None:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            self.rows.append((self.current, time.perf_counter() - self.began, peak))
            self.current = None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="network")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    facilities, days = resolve_scale(args.scale, None, None)
    clock = StageClock()
    clock.folder("simulate", None)
    network, simulation = simulate(facilities=facilities, days=days, seed=args.seed,
                                   start=dt.date(2026, 1, 5))
    with tempfile.TemporaryDirectory(prefix="hcops-stages-") as tmp:
        deliver(Path(tmp), network, simulation, faults=FaultParams(), seed=args.seed,
                progress=clock)
    total = sum(seconds for _, seconds, _ in clock.rows)
    for name, seconds, peak in clock.rows:
        print(f"{name:20} {seconds:8.1f} s   peak RSS so far {peak:7.0f} MiB")
    print(f"{'total':20} {total:8.1f} s")


if __name__ == "__main__":
    main()
