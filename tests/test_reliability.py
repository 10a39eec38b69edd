"""Crash safety and concurrent writers, with real processes and real files."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from conftest import ROOT
from tui.store import Store

BODY = (
    "Officials in {city} said on {day} that {n} people were evacuated after the river rose "
    "overnight, flooding streets near the old harbour.\n\n"
    "The mayor of {city} told reporters that emergency crews would stay in place until the "
    "water fell, and that schools would reopen on {day} at the earliest.\n\n"
    "Residents described water reaching the first floor of homes in {n} streets.\n"
)


def make_corpus(folder: Path, count: int) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(count):
        text = f"Flood number {i} hits town {i}\n\n" + BODY.format(city=f"Town{i}", day="Monday", n=i + 3)
        (folder / f"article_{i:04d}.txt").write_text(text, encoding="utf-8")


def integrity(path: Path) -> str:
    conn = sqlite3.connect(path)
    try:
        return conn.execute("pragma integrity_check").fetchone()[0]
    finally:
        conn.close()


def children(pid: int) -> list[int]:
    """The child processes of ``pid`` (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    """Running, not a zombie waiting for its (gone) parent to reap it."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_sigkill_during_import_keeps_committed_articles_whole(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    make_corpus(corpus, 400)
    db = tmp_path / "crash.db"
    env = dict(os.environ, PARALLAX_ANNOTATOR="tester", PARALLAX_JOBS="2")  # with worker processes
    proc = subprocess.Popen([sys.executable, "-m", "tui", "--db", str(db), "import", str(corpus)],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    count = 0
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
        if db.exists():
            try:
                conn = sqlite3.connect(db, timeout=1)
                count = conn.execute("select count(*) from articles").fetchone()[0]
                conn.close()
            except sqlite3.Error:
                continue
            if count >= 20:
                break
    assert proc.poll() is None, "import finished before it could be killed: make the corpus larger"
    workers = children(proc.pid)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    # the workers that cleaned for it end too, instead of sleeping forever
    assert len(workers) >= 2
    deadline = time.monotonic() + 10
    while any(alive(w) for w in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not any(alive(w) for w in workers), "worker processes outlived the killed import"
    assert integrity(db) == "ok"
    store = Store.open(db)
    articles = store.list_articles()
    assert 20 <= len(articles) < 400
    # every stored article is complete: blocks, passages and source all there
    for row in articles:
        assert row["blocks"] > 0
        assert store.passages(row["id"])
    store.close()
    rerun = subprocess.run([sys.executable, "-m", "tui", "--db", str(db), "import", str(corpus)],
                           cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{400 - len(articles)} imported, {len(articles)} unchanged" in rerun.stderr
    assert integrity(db) == "ok"


WRITER = """
import sys, json
from tui.store import Store
db, who, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
s = Store.open(db)
blocks = [r["id"] for r in s.db.query("select id from blocks where length(text) > 20 order by id")]
ids = []
for i in range(n):
    start = i // len(blocks)  # a label is on a span once per annotator: no two alike
    a = s.add_annotation(block_id=blocks[i % len(blocks)], start=start, end=start + 10, label="EVENT",
                         annotator=who)
    ids.append(a["id"])
print(json.dumps(ids))
"""


def test_two_annotators_and_an_import_on_one_file(seeded_db: Path, tmp_path: Path) -> None:
    """No lost or duplicated writes and no 'database is locked' reaching anyone."""
    corpus = tmp_path / "more"
    make_corpus(corpus, 60)
    env = dict(os.environ, PARALLAX_ANNOTATOR="importer")
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(seeded_db), who, "150"], cwd=ROOT,
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for who in ("ana", "ben")
    ]
    importer = subprocess.Popen([sys.executable, "-m", "tui", "--db", str(seeded_db), "import", str(corpus)],
                                cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    outputs = [p.communicate(timeout=300) for p in procs]
    imp_out, imp_err = importer.communicate(timeout=300)
    for p, (_out, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err
    assert importer.returncode == 0, imp_err
    written = [set(json.loads(out)) for out, _ in outputs]
    store = Store.open(seeded_db)
    stored = {r["annotator"]: set() for r in store.annotations()}
    for r in store.annotations():
        stored[r["annotator"]].add(r["id"])
    assert stored["ana"] == written[0] and stored["ben"] == written[1]
    assert len(store.list_articles()) == 65
    assert integrity(seeded_db) == "ok"
    store.close()


def test_a_second_open_in_the_process_keeps_the_first_connections_log(seeded_db: Path) -> None:
    """The app opens the database again for its background jobs (links, import,
    re-clean). Reading the file's header with ``open()`` there dropped the POSIX
    locks of the app's own connection; the next other process to close the
    database then deleted the app's write-ahead log, and every later change the
    app said was "saved" went to a deleted file and was lost on a crash."""
    app = Store.open(seeded_db)
    block = next(b for b in app.blocks(app.list_articles()[0]["id"]) if b["visible"])
    app.add_annotation(block_id=block["id"], start=0, end=5, label="EVENT", annotator="ana")
    job = Store.open(seeded_db)  # a background job's connection, as the app makes it
    job.close()
    count = ("import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
             "print(c.execute('select count(*) from annotations').fetchone()[0]); c.close()")
    other = subprocess.run([sys.executable, "-c", count, str(seeded_db)], capture_output=True, text=True)
    assert other.stdout.strip() == "1", other.stderr
    assert Path(str(seeded_db) + "-wal").exists()  # the app's log is still its own
    app.add_annotation(block_id=block["id"], start=6, end=10, label="EVENT", annotator="ana")
    # "saved" means another process sees it: a crash of the app now loses nothing
    other = subprocess.run([sys.executable, "-c", count, str(seeded_db)], capture_output=True, text=True)
    assert other.stdout.strip() == "2", other.stderr
    app.close()
