#!/usr/bin/env python3
"""Import throughput: how long `parallax import` takes per article, and where the time goes.

Imports the 50 dev pages of ../shared/bench/extraction-dev/ (read at run
time, nothing copied) into fresh SQLite files, once per input format, through
the real importer and store, and prints milliseconds per article with the
share spent cleaning, splitting sentences and in the rest of the store
(SQLite inserts, the full-text index, hashing). A user can multiply by the
size of a corpus to know what an import will cost.

Each format is imported --rounds times into a new database; the best round
counts (CPU time of this process: the machine is shared). That breakdown is
of a one-process import (``jobs=1``).

A second table times what a user waits for with worker processes: the pages
in --copies versions each (a distinct last line, so none is a repeat) are
imported with ``jobs=1`` and with the default (one worker per CPU), rounds
interleaved, best wall time each, and prints the speed-up. It depends on the
cores: the figure in BENCHMARKS.md is for this 2-core machine.

Usage:
  .venv/bin/python bench/import_speed.py
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import tui.importer as importer  # noqa: E402
from tui.store import Store  # noqa: E402
from tui.workers import default_jobs  # noqa: E402

DEV = ROOT.parent / "shared" / "bench" / "extraction-dev"


def timed(module, name: str, spent: dict[str, float]) -> None:
    """Wrap ``module.name`` so the CPU time spent in it is added up."""
    inner = getattr(module, name)

    def wrapper(*args, **kwargs):
        t0 = time.process_time()
        try:
            return inner(*args, **kwargs)
        finally:
            spent[name] += time.process_time() - t0

    setattr(module, name, wrapper)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--copies", type=int, default=4, help="versions of each page for the worker table")
    args = ap.parse_args()
    spent: dict[str, float] = defaultdict(float)
    timed(importer, "clean_document", spent)
    timed(importer, "split_sentences", spent)
    work = Path(tempfile.mkdtemp(prefix="parallax-import-bench-"))
    try:
        print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, best of {args.rounds} rounds, CPU time\n")
        print("| input | articles | ms per article | cleaning | sentences | store (SQLite, FTS) |")
        print("| --- | --- | --- | --- | --- | --- |")
        for fmt in ("txt", "md", "html"):
            folder = work / fmt
            folder.mkdir()
            for page in sorted(DEV.glob(f"*.{fmt}")):
                shutil.copy(page, folder / page.name)
            best: tuple[float, dict[str, float]] | None = None
            for r in range(args.rounds):
                db = work / f"{fmt}-{r}.db"
                store = Store.open(db)
                spent.clear()
                t0 = time.process_time()
                report = importer.import_paths(store, [folder], jobs=1)
                took = time.process_time() - t0
                store.close()
                n = report.count("imported")
                if best is None or took < best[0]:
                    best = (took, dict(spent))
            took, parts = best
            clean, sents = parts.get("clean_document", 0.0), parts.get("split_sentences", 0.0)
            rest = took - clean - sents
            print(f"| .{fmt} | {n} | {1000 * took / n:.1f} | {100 * clean / took:.0f} % | "
                  f"{100 * sents / took:.0f} % | {100 * rest / took:.0f} % |")
        workers_table(work, args.rounds, args.copies)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def workers_table(work: Path, rounds: int, copies: int) -> None:
    """Wall time per article, one process against worker processes, same files, same run."""
    jobs = default_jobs()
    print(f"\nworkers: {copies} versions of each page, jobs=1 against jobs={jobs} "
          f"({os.cpu_count()} CPUs), best of {rounds} interleaved rounds, wall time\n")
    print(f"| input | articles | ms per article, 1 process | ms per article, {jobs} workers | speed-up |")
    print("| --- | --- | --- | --- | --- |")
    for fmt in ("txt", "md", "html"):
        folder = work / f"{fmt}-copies"
        folder.mkdir()
        for page in sorted(DEV.glob(f"*.{fmt}")):
            text = page.read_text(encoding="utf-8")
            for k in range(copies):
                tail = f"\n<!-- version {k} -->\n" if fmt == "html" else f"\n\nVersion {k}.\n"
                (folder / f"{page.stem}_{k}.{fmt}").write_text(text + tail, encoding="utf-8")
        best = {1: float("inf"), jobs: float("inf")}
        n = 0
        for r in range(rounds):
            for j in best:
                db = work / f"{fmt}-w{j}-{r}.db"
                store = Store.open(db)
                t0 = time.perf_counter()
                report = importer.import_paths(store, [folder], jobs=j)
                best[j] = min(best[j], time.perf_counter() - t0)
                store.close()
                db.unlink()
                n = report.count("imported")
        one, many = 1000 * best[1] / n, 1000 * best[jobs] / n
        print(f"| .{fmt} | {n} | {one:.1f} | {many:.1f} | {one / many:.2f}x |")


if __name__ == "__main__":
    main()
