"""Importing a batch with worker processes gives the database a one-process import gives.

Real files, real SQLite files, real worker processes: the only difference
between the two imports below is ``jobs``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from test_store import _merged

import tui.importer as importer
import tui.workers as workers
from conftest import SEEDS
from tui.errors import UserError
from tui.importer import import_paths
from tui.store import Store

#: Columns that differ between two imports of the same files by design.
_CLOCK = {"imported_at", "override_at"}


def rows(path: Path) -> dict[str, list[tuple]]:
    store = Store.open(path)
    out = {}
    for table in ("articles", "sources", "blocks", "passages"):
        got = list(store.db.query(f"select * from {table} order by rowid"))
        out[table] = [tuple(v for k, v in r.items() if k not in _CLOCK) for r in got]
    store.close()
    return out


def batch(folder: Path) -> list[Path]:
    """A batch big enough for workers: the seeds, each in four versions, plus
    a broken file, an exact repeat and a JSONL feed with one bad line."""
    folder.mkdir()
    made = []
    for seed in sorted(SEEDS.glob("*.txt")):
        text = seed.read_text(encoding="utf-8")
        for k in range(4):
            p = folder / f"{seed.stem}_{k}.txt"
            p.write_text(text + f"\n\nEditor's note {k}: updated.\n", encoding="utf-8")
            made.append(p)
    (folder / "zz_repeat.txt").write_text(made[0].read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "broken.txt").write_bytes(b"\x00\x01\x02\x03" * 64)
    feed = [json.dumps({"text": f"Story {i}\n\nA council vote on the harbour plan {i} passed on Monday, "
                                "officials said, after a long debate about its cost."}) for i in range(3)]
    (folder / "feed.jsonl").write_text("\n".join(feed[:2] + ["{not json"] + feed[2:]) + "\n", encoding="utf-8")
    assert len(list(folder.iterdir())) >= workers.BATCH_MIN
    return made


def report_lines(report: importer.ImportReport) -> list[tuple]:
    return [(r.path, r.status, r.reason, r.article_id, r.title) for r in report.results]


def test_workers_store_exactly_what_one_process_stores(tmp_path: Path) -> None:
    batch(tmp_path / "in")
    reports = {}
    for jobs in (1, 2):
        store = Store.open(tmp_path / f"j{jobs}.db", create=True)
        seen: list[int] = []
        reports[jobs] = import_paths(store, [tmp_path / "in"], jobs=jobs,
                                     progress=lambda i, _n, _p, seen=seen: seen.append(i))
        store.close()
        assert seen == sorted(seen) and len(seen) == len(set(seen))  # each file once, in order
    assert reports[1].workers == 1 and reports[2].workers == 2
    assert report_lines(reports[2]) == report_lines(reports[1])
    statuses = [r.status for r in reports[2].results]
    assert statuses.count("imported") == 23 and statuses.count("unchanged") == 1 and statuses.count("error") == 2
    assert rows(tmp_path / "j2.db") == rows(tmp_path / "j1.db")


def test_reimporting_a_batch_starts_no_worker_and_changes_nothing(tmp_path: Path, monkeypatch) -> None:
    batch(tmp_path / "in")
    store = Store.open(tmp_path / "a.db", create=True)
    import_paths(store, [tmp_path / "in"], jobs=2)
    before = rows(tmp_path / "a.db")

    def no_pool(*_a, **_k):
        raise AssertionError("a worker pool was started for articles already stored")

    monkeypatch.setattr(workers, "ProcessPoolExecutor", no_pool)
    again = import_paths(store, [tmp_path / "in"], jobs=2)
    store.close()
    assert again.count("imported") == 0 and again.count("unchanged") == 24
    assert rows(tmp_path / "a.db") == before


def test_small_imports_run_in_this_process(store: Store) -> None:
    report = import_paths(store, [SEEDS], jobs=4)
    assert report.workers == 1 and report.count("imported") == 5


@pytest.mark.skipif("fork" not in __import__("multiprocessing").get_all_start_methods(),
                    reason="the crash below is injected into forked workers")
def test_a_worker_that_dies_loses_nothing(tmp_path: Path, monkeypatch) -> None:
    """A worker killed mid-batch (out of memory, say): the pending documents are
    cleaned in this process instead and the batch completes, identical."""
    made = batch(tmp_path / "in")
    monkeypatch.setattr(_Dying, "parent", os.getpid())
    monkeypatch.setattr(_Dying, "victim", made[5].read_text(encoding="utf-8"))
    monkeypatch.setattr(importer, "prepare", dying)
    broke = []
    give_up = workers.OrderedPool._give_up_pool
    monkeypatch.setattr(workers.OrderedPool, "_give_up_pool", lambda self: (broke.append(1), give_up(self)))
    store = Store.open(tmp_path / "crash.db", create=True)
    report = import_paths(store, [tmp_path / "in"], jobs=2)
    store.close()
    assert broke, "the worker did not die: the test proves nothing"
    assert report.count("imported") == 23 and report.count("error") == 2
    monkeypatch.setattr(importer, "prepare", _REAL_PREPARE)
    store = Store.open(tmp_path / "ref.db", create=True)
    import_paths(store, [tmp_path / "in"], jobs=1)
    store.close()
    assert rows(tmp_path / "crash.db") == rows(tmp_path / "ref.db")


_REAL_PREPARE = importer.prepare


class _Dying:
    """Where the injected crash happens (set per test; forked workers inherit it)."""

    parent = -1
    victim = ""


def dying(text: str, fmt: str, hints: dict) -> importer.Prepared:
    """``prepare``, except that a worker given the victim's text dies at once."""
    if os.getpid() != _Dying.parent and text == _Dying.victim:
        os._exit(9)  # as if the system killed the worker
    return _REAL_PREPARE(text, fmt, hints)


def test_jobs_default_follows_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("PARALLAX_JOBS", "3")
    assert workers.default_jobs() == 3
    monkeypatch.delenv("PARALLAX_JOBS")
    assert 1 <= workers.default_jobs() <= 8
    for bad in ("many", "0", "-3"):
        monkeypatch.setenv("PARALLAX_JOBS", bad)
        with pytest.raises(UserError, match="PARALLAX_JOBS"):
            workers.default_jobs()


def test_reclean_with_workers_writes_what_one_process_writes(tmp_path: Path, monkeypatch) -> None:
    batch(tmp_path / "in")
    counts = {}
    broke: list[int] = []
    give_up = workers.OrderedPool._give_up_pool
    monkeypatch.setattr(workers.OrderedPool, "_give_up_pool", lambda self: (broke.append(1), give_up(self)))
    for jobs in (1, 2):
        store = Store.open(tmp_path / f"r{jobs}.db", create=True)
        import_paths(store, [tmp_path / "in"], jobs=1)
        ids = [a["id"] for a in store.list_articles()]
        first = store.blocks(ids[0])
        store.set_override(first[0]["id"], False, "ana")
        target = next(b for b in store.blocks(ids[1]) if b["visible"] and len(b["text"]) > 30)
        store.add_annotation(block_id=target["id"], start=0, end=10, label="EVENT", annotator="ana")
        seen: list[int] = []
        counts[jobs] = store.reclean(_merged, progress=lambda d, _t, s=seen: s.append(d), jobs=jobs)
        assert not broke and seen == list(range(len(ids) + 1))
        store.close()
    assert counts[2] == counts[1] == {"updated": 0, "unchanged": 0, "resegmented": 22, "kept_segmentation": 1}
    assert rows(tmp_path / "r2.db") == rows(tmp_path / "r1.db")
