"""A 10,000-article corpus: the app opens, searches and pages without freezing.

Usage: ``python bench/large.py [--articles 10000] [--keep DB]``

Builds (once, cached in the temp folder) a database of synthetic articles made
of real news sentences (ECB+ dev passages from ../shared/bench), through the
real store (blocks, sentences, FTS index), then, in one process:

* opens the database and lists the library (core only);
* drives the real app headless (``App.run_test``): time to the first screen,
  opening the library, typing a filter, paging the library, moving and tagging
  in the reader, keypress p50/p95/max;
* searches (``tui.search.search``) prefix by prefix, p50/p95;
* peak resident memory (``ru_maxrss``) before and after the app work, so the
  growth the app itself causes is visible.

Goals (reliability issue): nothing freezes (every keypress well under a
second), memory bounded (the app must not load the corpus into memory).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tui.model import Block, CleanResult, Meta, RawDocument  # noqa: E402
from tui.store import Store  # noqa: E402

SHARED = ROOT.parent / "shared"
OUTLETS = ["Reuters", "AP", "BBC", "The Guardian", "Le Monde", "Der Spiegel", "NHK", "Al Jazeera",
           "The Hindu", "El País", "Newsweek", "The Washington Post"]


def sentences() -> list[str]:
    out = []
    for line in (SHARED / "bench" / "ecb-dev" / "docs.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            out += [p["text"].strip() for p in json.loads(line)["passages"] if len(p["text"]) > 40]
    return out


def build(path: Path, count: int) -> float:
    rng = random.Random(7)
    pool = sentences()
    start = time.perf_counter()
    store = Store.open(path)
    store.ensure_schema(None, None, "bench")
    for n in range(count):
        title = f"{rng.choice(pool)[:70]} ({n})"
        parts = [(title, "title", True)]
        for i in range(rng.randint(4, 10)):
            text = " ".join(rng.choice(pool) for _ in range(rng.randint(1, 4)))
            parts.append((text, "body" if i != 2 else "promo", i != 2))
        working = "\n\n".join(p[0] for p in parts)
        blocks, pos = [], 0
        for text, kind, keep in parts:
            blocks.append(Block(text, pos, pos + len(text), kind=kind, keep=keep,
                                reason="" if keep else "synthetic promo"))
            pos += len(text) + 2
        meta = Meta(title=title, outlet=OUTLETS[n % len(OUTLETS)], date=f"20{10 + n % 14}-{n % 12 + 1:02d}-15")
        store.add_article(RawDocument(f"synthetic/{n:05d}.txt", working, "txt"), CleanResult(meta, blocks, working))
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    store.close()
    return time.perf_counter() - start


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


async def drive_app(db: Path) -> dict[str, object]:
    from tui.app import ParallaxApp

    figures: dict[str, object] = {}
    start = time.perf_counter()
    app = ParallaxApp(db_path=str(db), annotator="bench")
    async with app.run_test(size=(140, 40)) as pilot:
        await pilot.pause()
        figures["first screen s"] = time.perf_counter() - start

        async def timed(keys: list[str]) -> list[float]:
            out = []
            for key in keys:
                t = time.perf_counter()
                await pilot.press(key)
                await pilot.pause()
                out.append(time.perf_counter() - t)
            return out

        # Reference: a key nothing is bound to costs the pilot's own round trip
        # (press + pause, about 90 ms here); the figures below subtract its median.
        base = statistics.median(await timed(["f12"] * 15))
        figures["pilot round trip (reference) ms"] = round(1000 * base, 1)
        reader = await timed(["j"] * 30 + ["1", "j"] * 10 + ["J", "K"] * 5)
        t = time.perf_counter()
        await pilot.press("L")
        await pilot.pause()
        figures["open library s"] = time.perf_counter() - t
        typing = await timed(list("earthquake"))
        clearing = await timed(["backspace"] * 10)
        paging = await timed(["pagedown"] * 20 + ["end", "home"])
        await pilot.press("escape")
        await pilot.pause()
        def summary(values: list[float]) -> list[float]:
            return [round(1000 * max(0.0, f(values) - base), 1)
                    for f in (statistics.median, lambda v: pct(v, 0.95), max)]

        figures["reader key p50/p95/max ms (minus reference)"] = summary(reader)
        figures["library filter key p50/p95/max ms (minus reference)"] = summary(typing + clearing)
        figures["library paging key p50/p95/max ms (minus reference)"] = summary(paging)
        await pilot.press("q")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="database path to build or reuse")
    args = parser.parse_args()
    db = args.keep or Path(tempfile.gettempdir()) / f"parallax-bench-large-{args.articles}.db"
    if not db.exists():
        print(f"building {args.articles} articles into {db} ...", file=sys.stderr)
        print(f"build: {build(db, args.articles):.1f} s")
    print(f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
          f"Python {platform.python_version()}; database {db.stat().st_size / 1e6:.0f} MB")
    base = rss_mb()
    t = time.perf_counter()
    store = Store.open(db)
    rows = store.list_articles()
    print(f"core: open + list {len(rows)} articles: {time.perf_counter() - t:.2f} s")
    try:
        from tui.search import search
    except ImportError:
        search = None
    if search is not None:
        lat = []
        for query in ("earthquake", "prime minister", "arrested", "Indonesia", "erthquake"):
            for i in range(1, len(query) + 1):
                t = time.perf_counter()
                search(store, query[:i])
                lat.append(time.perf_counter() - t)
        print(f"search per keystroke: p50 {1000 * statistics.median(lat):.1f} ms, "
              f"p95 {1000 * pct(lat, 0.95):.1f} ms, max {1000 * max(lat):.1f} ms ({len(lat)} queries)")
    store.close()
    core_rss = rss_mb()
    figures = asyncio.run(drive_app(db))
    for key, value in figures.items():
        print(f"app: {key}: {value if not isinstance(value, float) else round(value, 2)}")
    print(f"peak RSS: {base:.0f} MB at start, {core_rss:.0f} MB after core work, {rss_mb():.0f} MB after the app")


if __name__ == "__main__":
    main()
