#!/usr/bin/env python3
"""Sentence splitting: what the shortcuts around syntok save, on real blocks.

Every block the cleaner makes of the 50 dev pages (.txt and .md, read at run
time from ../shared/bench/extraction-dev/) is split three ways, rounds
interleaved, best CPU time each:

* syntok on every block (the reference: what the spans must equal);
* syntok unless the block holds no character syntok can split at (stop 11);
* ``split_sentences`` as shipped, which also skips syntok when the only
  split characters are the run that ends the block, or full stops between
  plain words where syntok always splits (stop 15).

It checks that all three give the same spans and prints milliseconds per
page and each one's speed against syntok alone.

Usage:
  .venv/bin/python bench/sentences.py [--rounds 5]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tui.clean import clean_document  # noqa: E402
from tui.sentences import _MAY_SPLIT, _with_syntok, split_sentences  # noqa: E402

DEV = ROOT.parent / "shared" / "bench" / "extraction-dev"


def syntok_always(text: str) -> list[tuple[int, int]]:
    return _with_syntok(text) if text.strip() else []


def no_split_character_only(text: str) -> list[tuple[int, int]]:
    """The shortcut before stop 15: only blocks without any split character skip syntok."""
    stripped = text.strip()
    if not stripped:
        return []
    if _MAY_SPLIT.search(stripped):
        return _with_syntok(text)
    start = len(text) - len(text.lstrip())
    return [(start, start + len(stripped))]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=5)
    args = ap.parse_args()
    pages = sorted(DEV.glob("*.txt")) + sorted(DEV.glob("*.md"))
    blocks = [b.text for p in pages
              for b in clean_document(p.read_text(encoding="utf-8"), p.suffix[1:]).blocks]
    methods: dict[str, Callable[[str], list[tuple[int, int]]]] = {
        "syntok on every block": syntok_always,
        "skip blocks without a split character": no_split_character_only,
        "split_sentences (closing runs, plain full stops)": split_sentences,
    }
    results = {name: [fn(t) for t in blocks] for name, fn in methods.items()}
    reference = results["syntok on every block"]
    for name, got in results.items():
        differ = sum(a != b for a, b in zip(got, reference, strict=True))
        assert not differ, f"{name}: {differ} blocks split differently from syntok"
    best = dict.fromkeys(methods, float("inf"))
    for _ in range(args.rounds):
        for name, fn in methods.items():
            t0 = time.process_time()
            for t in blocks:
                fn(t)
            best[name] = min(best[name], time.process_time() - t0)
    base = best["syntok on every block"]
    print(f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: {len(blocks)} blocks of {len(pages)} "
          f"pages, same spans all three ways; best of {args.rounds} interleaved rounds, CPU time\n")
    print("| method | ms per page | speed against syntok alone |")
    print("| --- | --- | --- |")
    for name in methods:
        print(f"| {name} | {1000 * best[name] / len(pages):.2f} | {base / best[name]:.2f}x |")


if __name__ == "__main__":
    main()
