#!/usr/bin/env python3
"""How long a command takes to start: what every `parallax ...` call pays before it works.

Times, as a user runs them (a new process each time, wall time, median of
``--runs``): a bare ``python -c pass`` (the reference, measured in the same
run), ``parallax --version``-like work (``labels --json``, which opens the
database), ``parallax list`` on the seeds, and the import of the app module.
Also says whether pandas and numpy were imported on the way (sqlite-utils
imports them when they are installed, unless the store keeps them out: see
tui/store.py).

Usage:
  .venv/bin/python bench/startup.py [--runs 9]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def wall(argv: list[str], cwd: Path, runs: int) -> float:
    """Median wall time of ``argv`` in a new process, in seconds."""
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(argv, cwd=cwd, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    py = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        db = str(work / "seeds.db")
        subprocess.run([py, "-m", "tui", "--db", db, "import", str(ROOT / "seeds")], check=True,
                       capture_output=True)
        rows = [
            ("python -c pass (reference)", [py, "-c", "pass"]),
            ("parallax labels --json", [py, "-m", "tui", "--db", db, "labels", "--json"]),
            ("parallax list (5 seeds)", [py, "-m", "tui", "--db", db, "list"]),
            ("import tui.app.app (the reader)", [py, "-c", "import tui.app.app"]),
        ]
        base = None
        print(f"{'what':36s} {'median':>8s} {'over python':>12s}")
        for name, argv in rows:
            t = wall(argv, work, args.runs)
            base = t if base is None else base
            print(f"{name:36s} {1000 * t:6.0f} ms {1000 * (t - base):9.0f} ms")
        probe = subprocess.run(
            [py, "-c", "import sys, tui.store; print('pandas' in sys.modules, 'numpy' in sys.modules)"],
            capture_output=True, text=True, check=True)
        print(f"pandas, numpy imported by the store: {probe.stdout.strip()}")


if __name__ == "__main__":
    main()
