#!/usr/bin/env python3
"""How the linker's cost grows with the corpus: 10k, 40k and 160k passages.

Usage: .venv/bin/python bench/link_scale.py [--sizes 10000,40000,160000]

Each size runs in its own child process (so its peak memory, from
getrusage, is its own) on a synthetic corpus from bench/corpus.py. Prints
time per stage, candidates, links, events, peak RSS, and the 160k/10k time
ratio (all pairs would grow 256x; near-linear is 16x).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def child(n: int, shared: Path) -> dict:
    sys.path.insert(0, str(ROOT / "bench"))
    from corpus import build  # type: ignore[import-not-found]

    from tui.link import Passage, link_passages

    docs = build(n, shared)
    passages = [Passage(p["id"], d["source"], d["id"], p["text"]) for d in docs for p in d["passages"]]
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    result = link_passages(passages)
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {"passages": len(passages), "seconds": round(seconds, 2), "candidates": result.candidates,
            "links": len(result.links), "events": len(result.events),
            "timings": {k: round(v, 2) for k, v in result.timings.items()},
            "peak_rss_mb": round(peak / 1024, 1), "rss_before_mb": round(base_rss / 1024, 1)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10000,40000,160000")
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    ap.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child is not None:
        print(json.dumps(child(args.child, Path(args.shared))))
        return
    rows = []
    for n in (int(x) for x in args.sizes.split(",")):
        out = subprocess.run([sys.executable, __file__, "--child", str(n), "--shared", args.shared],
                             capture_output=True, text=True, check=True)
        row = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append(row)
        t = row["timings"]
        print(f"{row['passages']:>7} passages: {row['seconds']:6.2f} s  (features {t['features']:.1f}, "
              f"vectors {t['vectors']:.1f}, candidates {t['candidates']:.1f}, score {t['score']:.1f}, "
              f"cluster {t['cluster']:.1f} cumulative)  candidates {row['candidates']:,}  "
              f"links {row['links']:,}  events {row['events']:,}  peak RSS {row['peak_rss_mb']:.0f} MB "
              f"(corpus alone {row['rss_before_mb']:.0f} MB)", flush=True)
    if len(rows) >= 2:
        ratio = rows[-1]["seconds"] / rows[0]["seconds"]
        size_ratio = rows[-1]["passages"] / rows[0]["passages"]
        print(f"time ratio {rows[-1]['passages']:,}/{rows[0]['passages']:,} passages: {ratio:.1f} "
              f"(size ratio {size_ratio:.0f}; all pairs would be {size_ratio ** 2:.0f})")


if __name__ == "__main__":
    main()
