#!/usr/bin/env python3
"""Import throughput: how long `parallax import` takes per article, and where the time goes.

Imports the 50 dev pages of ../shared/bench/extraction-dev/ (read at run
time, nothing copied) into fresh SQLite files, once per input format, through
the real importer and store, and prints milliseconds per article with the
share spent cleaning, splitting sentences and in the rest of the store
(SQLite inserts, the full-text index, hashing). A user can multiply by the
size of a corpus to know what an import will cost.

Each format is imported --rounds times into a new database; the best round
counts (CPU time of this process: the machine is shared).

Usage:
  .venv/bin/python bench/import_speed.py
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import tui.importer as importer  # noqa: E402
import tui.store as store_module  # noqa: E402
from tui.store import Store  # noqa: E402

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
    args = ap.parse_args()
    spent: dict[str, float] = defaultdict(float)
    timed(importer, "clean_document", spent)
    timed(store_module, "split_sentences", spent)
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
                report = importer.import_paths(store, [folder])
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
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
