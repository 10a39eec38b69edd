"""Kill the app with SIGKILL in the middle of annotating: nothing committed is lost.

The child process drives the real app (``App.run_test`` pilot, real database
file) and tags sentence after sentence; after each keypress it reports how many
annotations a *separate* connection can see. The parent kills it at an
arbitrary moment, then checks the file: integrity, every reported annotation
present and well-formed, and the app opening again on it.
"""

from __future__ import annotations

import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from conftest import ROOT
from tui.store import Store

CHILD = r"""
import asyncio, sqlite3, sys
from tui.app import ParallaxApp

db = sys.argv[1]

def committed() -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("select count(*) from annotations where deleted_at is null").fetchone()[0]
    finally:
        conn.close()

async def main() -> None:
    app = ParallaxApp(db_path=db, annotator="crash")
    async with app.run_test(size=(120, 36)) as pilot:
        await pilot.pause()
        for _ in range(400):
            await pilot.press("1")
            await pilot.pause()
            print(committed(), flush=True)
            await pilot.press("j")

asyncio.run(main())
"""


def test_sigkill_while_annotating_keeps_every_saved_annotation(seeded_db: Path, tmp_path: Path) -> None:
    db = tmp_path / "work.db"
    shutil.copy(seeded_db, db)
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(db)], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    seen = 0
    deadline = time.monotonic() + 120
    assert proc.stdout is not None
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        seen = int(line)
        if seen >= 6:
            break
    alive = proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert alive, proc.stderr.read() if proc.stderr else ""
    assert seen >= 6

    conn = sqlite3.connect(db)
    assert conn.execute("pragma integrity_check").fetchone()[0] == "ok"
    conn.close()
    store = Store.open(db)
    rows = store.annotations(annotator="crash")
    assert len(rows) >= seen
    for row in rows:
        block = store.db["blocks"].get(row["block_id"])
        assert block["text"][row["start"]:row["end"]] == row["text"]
    store.close()

    reopen = subprocess.run(
        [sys.executable, "-c",
         "import asyncio, sys\nfrom tui.app import ParallaxApp\n"
         "async def main():\n"
         "    app = ParallaxApp(db_path=sys.argv[1], annotator='crash')\n"
         "    async with app.run_test(size=(120, 36)) as pilot:\n"
         "        await pilot.pause()\n"
         "        await pilot.press('q')\n"
         "asyncio.run(main())\n", str(db)],
        cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert reopen.returncode == 0, reopen.stderr[-2000:]


def test_app_tags_while_a_cli_import_writes_the_same_file(seeded_db: Path, tmp_path: Path) -> None:
    """Two writers on one file: the app's tags and a CLI import both land, nobody sees 'locked'."""
    import asyncio

    from test_reliability import make_corpus

    from tui.app import ParallaxApp

    corpus = tmp_path / "incoming"
    make_corpus(corpus, 80)
    importer = subprocess.Popen([sys.executable, "-m", "tui", "--db", str(seeded_db), "import", str(corpus)],
                                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

    async def tag_many() -> None:
        app = ParallaxApp(db_path=str(seeded_db), annotator="ana")
        async with app.run_test(size=(120, 36)) as pilot:
            await pilot.pause()
            for _ in range(12):
                await pilot.press("1")
                await pilot.pause()
                await pilot.press("j")

    asyncio.run(tag_many())
    _out, err = importer.communicate(timeout=300)
    assert importer.returncode == 0, err
    assert "locked" not in err
    store = Store.open(seeded_db)
    assert len(store.annotations(annotator="ana")) == 12
    assert len(store.list_articles()) == 85
    assert store.db.execute("pragma integrity_check").fetchone()[0] == "ok"
    store.close()
