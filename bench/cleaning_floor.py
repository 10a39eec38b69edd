#!/usr/bin/env python3
"""What a page of cleaning costs before any rule runs: the floor of a native classifier.

Issue #3 asks for text and Markdown cleaning at 60x trafilatura's pages per
second on the same pages' HTML. This script measures, on the 50 dev pages and
in one process (CPU time, best of several passes, trafilatura measured in the
same run), the parts of cleaning that a classifier rewritten in C would still
pay for as long as it uses Python's ``re`` for the lexicon patterns and
returns ``Block`` objects:

* segmenting the page (``txt_segments`` / ``md_segments``),
* lower-casing every block,
* one ``Block`` per block for the result,
* the page's own regular-expression calls, recorded while cleaning it and
  replayed (the same pattern, method and arguments; the replay loop's own
  cost is measured and taken off).

Their sum against trafilatura gives the best ratio such a rewrite could
reach; 60x needs more than that: the patterns themselves as native code.

Usage:
  .venv/bin/python bench/cleaning_floor.py            # with trafilatura as the reference
  .venv/bin/python bench/cleaning_floor.py --quick    # the parts only
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import tui.clean.classify as classify_module  # noqa: E402
import tui.clean.lexicon as lexicon_module  # noqa: E402
from tui.clean import body_text, clean_document  # noqa: E402
from tui.clean.segment import md_segments, txt_segments  # noqa: E402
from tui.model import Block  # noqa: E402

DEV = ROOT.parent / "shared" / "bench" / "extraction-dev"
METHODS = ("match", "search", "findall", "fullmatch", "sub", "finditer")


class _Recorder:
    """Stands in for a compiled pattern (or one of its bound methods) and logs each call."""

    def __init__(self, target, log: list) -> None:
        self._target = target
        self._log = log

    def __getattr__(self, name: str):
        value = getattr(self._target, name)
        if name not in METHODS:
            return value
        log = self._log

        def call(*args, **kwargs):
            log.append((value, args, kwargs))
            return value(*args, **kwargs)
        return call

    def __call__(self, *args, **kwargs):
        self._log.append((self._target, args, kwargs))
        return self._target(*args, **kwargs)


def record_regex_calls(log: list) -> Callable[[], None]:
    """Route every pattern of the lexicon and the classifier through a recorder; returns undo."""
    swapped = []
    for module in (lexicon_module, classify_module):
        for name, value in list(vars(module).items()):
            bound_to = getattr(value, "__self__", None)
            if isinstance(value, re.Pattern) or (callable(value) and isinstance(bound_to, re.Pattern)):
                swapped.append((module, name, value))
                setattr(module, name, _Recorder(value, log))

    def undo() -> None:
        for module, name, value in swapped:
            setattr(module, name, value)
    return undo


def best_ms(fn: Callable[[], object], pages: int, rounds: int) -> float:
    """Best CPU time of ``rounds`` passes, in ms per page."""
    best = float("inf")
    for _ in range(rounds):
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return best / pages * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="leave out trafilatura")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()

    trafilatura_ms = None
    if not args.quick:
        import logging

        import trafilatura

        logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
        html = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(DEV.glob("*.html"))]
        trafilatura_ms = best_ms(lambda: [trafilatura.extract(h) for h in html], len(html),
                                 max(2, args.rounds // 3))
    print(f"50 dev pages, CPU ms per page, best of {args.rounds} passes\n")
    print("| part | .txt | .md |")
    print("| --- | --- | --- |")
    figures: dict[str, dict[str, float]] = {}
    for fmt, segment in (("txt", txt_segments), ("md", md_segments)):
        pages = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(DEV.glob(f"*.{fmt}"))]
        n = len(pages)
        log: list = []
        undo = record_regex_calls(log)
        try:
            calls = []
            for page in pages:
                log.clear()
                clean_document(page, fmt)
                calls.extend(log)
        finally:
            undo()
        segs = [segment(p) for p in pages]
        noop = [(len, ("",), {}) for _ in calls]

        def replay(items=calls) -> None:
            for fn, a, kw in items:
                fn(*a, **kw)
        f = figures[fmt] = {}
        f["segmenting"] = best_ms(lambda segment=segment, pages=pages: [segment(p) for p in pages],
                                  n, args.rounds)
        f["lower-casing"] = best_ms(lambda segs=segs: [[s[0].lower() for s in ss] for ss in segs],
                                    n, args.rounds)
        f["Block objects"] = best_ms(lambda segs=segs: [[Block(s[0], s[1], s[2], "body", True, "", s[3], s[4])
                                                         for s in ss] for ss in segs], n, args.rounds)
        f["regex calls"] = max(0.0, best_ms(replay, n, args.rounds)
                               - best_ms(lambda noop=noop: replay(noop), n, args.rounds))
        f["regex calls a page"] = len(calls) / n
        f["whole cleaning"] = best_ms(lambda fmt=fmt, pages=pages: [body_text(clean_document(p, fmt))
                                                                    for p in pages], n, args.rounds)
    parts = ("segmenting", "lower-casing", "Block objects", "regex calls")
    for part in parts:
        print(f"| {part} | {figures['txt'][part]:.3f} | {figures['md'][part]:.3f} |")
    floor = {fmt: sum(figures[fmt][p] for p in parts) for fmt in figures}
    print(f"| **floor (sum)** | **{floor['txt']:.3f}** | **{floor['md']:.3f}** |")
    print(f"| whole cleaning today | {figures['txt']['whole cleaning']:.3f} | "
          f"{figures['md']['whole cleaning']:.3f} |")
    print(f"\nregex calls a page: .txt {figures['txt']['regex calls a page']:.0f}, "
          f".md {figures['md']['regex calls a page']:.0f}")
    if trafilatura_ms:
        print(f"trafilatura on the HTML: {trafilatura_ms:.2f} ms a page; 60x needs "
              f"{trafilatura_ms / 60:.3f} ms a page")
        for fmt in ("txt", "md"):
            print(f"  .{fmt}: today {trafilatura_ms / figures[fmt]['whole cleaning']:.1f}x; "
                  f"a native classifier over Python's re and Block objects at best "
                  f"{trafilatura_ms / floor[fmt]:.1f}x")


if __name__ == "__main__":
    main()
