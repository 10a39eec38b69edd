#!/usr/bin/env python3
"""Linking a folder of unrelated stories: how many links join stories that differ.

Usage: .venv/bin/python bench/links_mixed.py [--shared ../shared]

Imports the five seeds and the 50 extraction dev pages (as HTML) into one
fresh database with the real CLI, links it at the defaults with the
library call `parallax links` makes (``link_store``), and counts the stored
direct links and events by article pair.
Most of those 55 articles tell unrelated stories; the pairs judged by hand
to tell one story are listed in ``STORIES`` (by file name prefix): the five
seeds, WeWork at VentureBeat and TechCrunch, the South Dakota "Meth. We're
on it." campaign at NJ.com and The Hill, and the 2019 L.A. Auto Show cars.
A link or event between any other two articles is a false one.
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import sys
import tempfile
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tui.link import link_store, list_events, list_links  # noqa: E402
from tui.store import Store  # noqa: E402

STORIES = [
    {"000_", "001_", "002_", "003_", "004_"},  # the seeds: Ukraine and NATO membership
    {"06e5123e", "1ace8c85"},  # NY attorney general and WeWork
    {"3f65af7b", "156770d6"},  # South Dakota's meth campaign
    {"05844573", "06ee193d", "3cb22bfa", "3cb5e2f4"},  # L.A. Auto Show 2019
]


def story(path: str) -> int:
    name = Path(path).name
    return next((k for k, group in enumerate(STORIES) if any(name.startswith(p) for p in group)), -1)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--shared", default=str(ROOT.parent / "shared"))
    args = ap.parse_args()
    pages = sorted((Path(args.shared) / "bench" / "extraction-dev").glob("*.html"))
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "mixed.db"
        subprocess.run([sys.executable, "-m", "tui", "--db", str(db), "import", str(ROOT / "seeds"),
                        *map(str, pages)], check=True, capture_output=True, cwd=ROOT)
        store = Store.open(db, create=False)
        summary = link_store(store)
        links = list_links(store)
        events = list_events(store)
        path_of = {r["id"]: r["path"] for r in store.list_articles()}
        store.close()

    def same(a: str, b: str) -> bool:
        s = story(path_of[a])
        return s >= 0 and s == story(path_of[b])

    by_story = collections.Counter(same(lk["a_article"], lk["b_article"]) for lk in links)
    pairs: set[tuple[str, str]] = set()
    mixed_events = 0  # events the grid shows as one story told by outlets that tell different ones
    for ev in events:
        ev_pairs_here = set(combinations(sorted({p["article_id"] for p in ev["passages"]}), 2))
        mixed_events += any(not same(a, b) for a, b in ev_pairs_here)
        pairs |= ev_pairs_here
    ev_pairs = collections.Counter(same(a, b) for a, b in pairs)
    print(f"{summary.passages} passages in {summary.articles} articles, {summary.events} events "
          f"({summary.method})")
    print(f"direct links within one story: {by_story[True]}; "
          f"between unrelated stories: {by_story[False]}")
    print(f"article pairs sharing an event: {ev_pairs[True]} within one story, "
          f"{ev_pairs[False]} unrelated")
    print(f"events joining unrelated stories: {mixed_events} of {len(events)}")


if __name__ == "__main__":
    main()
