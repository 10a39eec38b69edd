#!/usr/bin/env python3
"""Per-keystroke search latency on a real SQLite file of ~160k passages.

Usage: .venv/bin/python bench/search.py [--passages 160000] [--db /tmp/parallax-search-bench.db]

Builds (once; reused when the file exists) a database from the synthetic
corpus of bench/corpus.py through Store.add_article, so passages, blocks and
the FTS5 index are exactly what an import makes. Then types queries one
character at a time — real phrases from the corpus, a third of them with a
typo — and times tui.search.search for every prefix, as the app's search
box does. Prints p50/p95/max per keystroke, the cold first call (which loads
the vocabulary), and how often the intended passage is in the top 10 once
the query is fully typed.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from corpus import build  # noqa: E402

from tui.model import Block, CleanResult, Meta, RawDocument  # noqa: E402
from tui.search import search  # noqa: E402
from tui.store import Store  # noqa: E402


def make_db(path: Path, n: int, shared: Path) -> None:
    store = Store.open(path)
    store.ensure_schema(None, None, "bench")
    t0 = time.perf_counter()
    for doc in build(n, shared):
        paragraphs = [p["text"] for p in doc["passages"]]
        text = "\n\n".join(paragraphs)
        blocks, pos = [], 0
        for para in paragraphs:
            start = text.index(para, pos)
            pos = start + len(para)
            blocks.append(Block(para, start, pos))
        raw = RawDocument(path=doc["id"] + ".txt", text=text, format="txt",
                          hints={"outlet": doc["source"], "title": doc["id"]})
        store.add_article(raw, CleanResult(Meta(outlet=doc["source"]), blocks, text))
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    print(f"built {path} in {time.perf_counter() - t0:.0f} s", flush=True)


def typo(word: str, rng: random.Random) -> str:
    if len(word) < 5:
        return word
    i = rng.randrange(1, len(word) - 2)
    return word[:i] + word[i + 1] + word[i] + word[i + 2:]  # swap two letters


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--passages", type=int, default=160_000)
    ap.add_argument("--db", default="/tmp/parallax-search-bench.db")
    ap.add_argument("--queries", type=int, default=40)
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    args = ap.parse_args()
    path = Path(args.db)
    if not path.exists():
        make_db(path, args.passages, Path(args.shared))
    store = Store.open(path)
    count = store.db.execute("select count(*) from passages").fetchone()[0]
    rng = random.Random(7)
    # the same passages on every run (SQLite's random() is not seeded), so runs compare
    top = store.db.execute("select max(rowid) from passages").fetchone()[0] or 0
    picks = rng.sample(range(1, top + 1), min(top, args.queries * 3))
    found_rows = dict(store.db.execute(
        f"select rowid, id || char(31) || text from passages where rowid in ({','.join('?' * len(picks))})",
        picks).fetchall())
    rows = [found_rows[r].split("\x1f", 1) for r in picks if r in found_rows]
    queries: list[tuple[str, str, list[str]]] = []
    for pid, text in rows:
        words = [w.strip(".,;:!?\"'()") for w in text.split()]
        words = [w for w in words if len(w) >= 4 and w.isalpha()]
        if len(words) < 3:
            continue
        start = rng.randrange(0, len(words) - 2)
        picked = words[start:start + rng.choice((2, 3))]
        intended = [w.lower() for w in picked]
        if len(queries) % 3 == 0:
            picked[-1] = typo(picked[-1], rng)
        queries.append((" ".join(picked), pid, intended))
        if len(queries) >= args.queries:
            break
    t0 = time.perf_counter()
    search(store, "warm up")
    cold = time.perf_counter() - t0
    latencies: list[float] = []
    found = top_ok = 0
    for q, pid, intended in queries:
        for i in range(1, len(q) + 1):
            t = time.perf_counter()
            hits = search(store, q[:i], limit=50)
            latencies.append((time.perf_counter() - t) * 1000)
        found += any(h.passage_id == pid for h in hits[:10])
        top_ok += bool(hits) and all(w in hits[0].text.lower() for w in intended)
    latencies.sort()
    p50 = statistics.median(latencies)
    p95 = latencies[int(0.95 * (len(latencies) - 1))]
    print(f"{count:,} passages, {len(queries)} queries typed, {len(latencies)} keystrokes")
    print(f"per keystroke: p50 {p50:.1f} ms  p95 {p95:.1f} ms  max {latencies[-1]:.1f} ms  "
          f"(cold first call, vocabulary load: {cold * 1000:.0f} ms)")
    print(f"after the full query (a third carry a typo): top hit contains every intended word "
          f"{top_ok}/{len(queries)}; the very passage the words came from is in the top 10 "
          f"{found}/{len(queries)} (the corpus repeats sentences across events, so ties are many)")


if __name__ == "__main__":
    main()
