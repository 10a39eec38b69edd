#!/usr/bin/env python3
"""Export (and team) speed on a synthetic database with 100,000 annotations.

Usage: .venv/bin/python bench/export.py [--articles 2000] [--per-article 50] [--keep DIR]

Builds a real Parallax database (articles through Store.add_article, spans
inserted in bulk through store.db), then times each export format, the
import-annotations round trip, agreement and a merge. The floor it is
compared with is reading the same rows with plain SQL and json.dumps-ing one
line per article in the same process, so the ratio says how much the export
machinery costs on top of the unavoidable work. Goal: JSONL < 5 s.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tui.model import Block, CleanResult, Meta, RawDocument  # noqa: E402
from tui.store import Store, now  # noqa: E402

WORDS = ["storm", "coast", "minister", "said", "police", "city", "council", "report", "vote", "market", "ferry", "power", "river", "court", "union", "strike", "bridge", "border", "talks", "rescue", "workers", "officials", "monday", "tuesday", "government", "protest", "election", "school", "hospital", "fire", "water", "road", "train", "airport"]
ANNOTATORS = ("ana", "ben", "carl")
LABELS = ("EVENT", "CLAIM", "QUOTE", "ACTOR", "PLACE", "TIME", "SOURCE")


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(8, 18))]
    return " ".join(words).capitalize() + "."


def build(path: Path, n_articles: int, per_article: int) -> Store:
    rng = random.Random(42)
    store = Store.open(path)
    store.ensure_schema(None, None, "bench")
    for i in range(n_articles):
        title = f"Article {i}: " + sentence(rng)
        texts = [(title, "title", True)]
        texts += [(" ".join(sentence(rng) for _ in range(4)), "body", True) for _ in range(8)]
        texts.insert(5, ("Advertisement. Subscribe now.", "advert", False))
        pos, blocks = 0, []
        for text, kind, keep in texts:
            blocks.append(Block(text=text, start=pos, end=pos + len(text), kind=kind, keep=keep))
            pos += len(text) + 2
        raw = "\n\n".join(t for t, _, _ in texts)
        store.add_article(RawDocument(path=f"synthetic/{i}.txt", text=raw, format="txt"),
                          CleanResult(Meta(title=title, outlet=f"Outlet {i % 7}", date="2024-05-01"),
                                      blocks, raw))
    stamp = now()
    rows = []
    blocks = list(store.db.query("select id, article_id, text, kind from blocks where kind = 'body'"))
    by_article: dict[str, list[dict]] = {}
    for b in blocks:
        by_article.setdefault(b["article_id"], []).append(b)
    n = 0
    for article_id, bs in by_article.items():
        for _ in range(per_article):
            b = rng.choice(bs)
            starts = [0] + [k + 1 for k, ch in enumerate(b["text"]) if ch == " "]
            s = rng.choice(starts[:-3])
            e = b["text"].find(" ", s + 1 + rng.randint(0, 20))
            e = len(b["text"]) if e < 0 else e
            rows.append({"id": f"bench-{n:07d}", "article_id": article_id, "block_id": b["id"],
                         "start": s, "end": e, "text": b["text"][s:e], "label": rng.choice(LABELS),
                         "scope": "span", "note": None, "annotator": rng.choice(ANNOTATORS),
                         "origin": "bench", "created_at": stamp, "updated_at": stamp,
                         "deleted_at": None, "deleted_by": None})
            n += 1
    passages = [r[0] for r in store.db.execute("select id from passages order by random() limit 4000")]
    links = []
    for k in range(0, len(passages) - 1, 2):
        a, b = passages[k], passages[k + 1]
        links.append({"id": f"L{k:06d}", "a": a, "b": b, "a_article": a.split(":")[0],
                      "b_article": b.split(":")[0], "score": 0.5, "method": "bench",
                      "status": "confirmed", "status_by": ANNOTATORS[k % 3], "status_at": stamp,
                      "computed_at": stamp})
    with store.transaction():
        store.db["annotations"].insert_all(rows, batch_size=2000)
        store.db["links"].insert_all(links, batch_size=2000)
    return store


def floor(store: Store) -> float:
    """Plain SQL reads of the same rows plus one json.dumps per article: the unavoidable work."""
    t = time.perf_counter()
    spans: dict[str, list] = {}
    for row in store.db.execute("select article_id, id, start, end, label, text, annotator from annotations"):
        spans.setdefault(row[0], []).append(row[1:])
    texts: dict[str, list[str]] = {}
    for aid, text in store.db.execute("select article_id, text from blocks order by article_id, seq"):
        texts.setdefault(aid, []).append(text)
    size = 0
    for aid, parts in texts.items():
        size += len(json.dumps({"id": aid, "text": "\n\n".join(parts), "spans": spans.get(aid, [])}))
    return time.perf_counter() - t


def timed(label: str, fn, base: float | None = None) -> float:
    t = time.perf_counter()
    fn()
    dt = time.perf_counter() - t
    ratio = f"  ({dt / base:4.1f}x the floor)" if base else ""
    print(f"{label:<44} {dt:7.2f} s{ratio}", flush=True)
    return dt


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--per-article", type=int, default=50)
    ap.add_argument("--keep", type=Path, default=None, help="keep the files in this folder")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="parallax-bench-")) if args.keep is None else args.keep
    work.mkdir(parents=True, exist_ok=True)
    print(f"machine: {platform.machine()} {platform.processor() or ''} python {platform.python_version()}"
          f", {time.strftime('%Y-%m-%d')}")
    from tui.export import export_dataset
    from tui.export.load import import_annotations
    from tui.team.agreement import agreement
    from tui.team.merge import merge_database

    t = time.perf_counter()
    store = build(work / "bench.db", args.articles, args.per_article)
    n_ann = store.db.execute("select count(*) from annotations").fetchone()[0]
    print(f"built {args.articles} articles, {n_ann} annotations in {time.perf_counter() - t:.1f} s")
    base = min(floor(store) for _ in range(2))
    print(f"{'floor: SQL read + json.dumps per article':<44} {base:7.2f} s")
    results = {}
    for fmt, ext in (("jsonl", "jsonl"), ("csv", "csv"), ("parquet", "parquet"),
                     ("doccano", "jsonl"), ("label-studio", "json"), ("conll", "conll"),
                     ("brat", "zip")):
        out = work / f"out-{fmt}.{ext}"
        results[fmt] = timed(f"export {fmt}", lambda fmt=fmt, out=out: export_dataset(store, fmt, out), base)
    print(f"JSONL size: {(work / 'out-jsonl.jsonl').stat().st_size / 1e6:.1f} MB; goal < 5 s: "
          f"{'met' if results['jsonl'] < 5 else 'MISSED'}")
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(work / "bench.db", work / "fresh.db")
    fresh = Store.open(work / "fresh.db")
    with fresh.transaction():
        fresh.db.execute("delete from annotations")
    timed("import-annotations of the JSONL (fresh db)",
          lambda: import_annotations(fresh, work / "out-jsonl.jsonl", default_annotator="x"))
    timed("import-annotations again (all unchanged)",
          lambda: import_annotations(fresh, work / "out-jsonl.jsonl", default_annotator="x"))
    fresh.close()
    timed("agreement (3 annotators, all labels)", lambda: agreement(store))
    shutil.copy(work / "bench.db", work / "theirs.db")
    target = Store.open(work / "fresh.db")
    timed("merge (all annotations already there)", lambda: merge_database(target, work / "theirs.db",
                                                                           annotator="bench"))
    target.close()
    store.close()
    if args.keep is None:
        shutil.rmtree(work)


if __name__ == "__main__":
    main()
