"""Databases written by earlier schema versions open, upgrade and keep everything.

``tests/fixtures/parallax-v1.db`` was written by schema version 1 (see
``make_v1_fixture.py`` beside it) and must never be regenerated: it is what a
user's old file looks like.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from tui.store import SCHEMA_VERSION, Store

FIXTURE = Path(__file__).parent / "fixtures" / "parallax-v1.db"


def _rows(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_v1_database_upgrades_and_keeps_every_annotation(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    shutil.copy(FIXTURE, db)
    before = _rows(db, "select * from annotations order by id")
    links_before = _rows(db, "select * from links order by id")
    overrides_before = _rows(db, "select id, override, override_by from blocks where override is not null")
    assert len(before) == 3 and _rows(db, "select value from parallax_meta where key='schema_version'") == [("1",)]

    store = Store.open(db)
    try:
        assert store.schema_version() == SCHEMA_VERSION
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert [tuple(r.values()) for r in store.db.query("select * from annotations order by id")] == before
        assert {a["id"] for a in store.annotations()} == {"v1-ann-1", "v1-ann-2"}  # tombstone respected
        assert store.get_annotation("v1-ann-2")["note"] == "kept across upgrades"
        article = store.list_articles()[2]
        assert article["outlet"] == "Fixture Outlet"
        indexes = {ix.name for ix in store.db["links"].indexes}
        assert any("a_article" in name for name in indexes)
        # the upgraded file keeps working: a new annotation goes in
        block = store.blocks(article["id"])[0]
        store.add_annotation(block_id=block["id"], start=0, end=5, label="PLACE", annotator="cy")
    finally:
        store.close()
    assert _rows(db, "select * from links order by id") == links_before
    assert _rows(db, "select id, override, override_by from blocks where override is not null") == overrides_before
    backup = Path(f"{db}.v1.bak")
    assert backup.exists() and _rows(backup, "select count(*) from annotations") == [(3,)]


def test_upgrade_is_done_once(tmp_path: Path) -> None:
    db = tmp_path / "old.db"
    shutil.copy(FIXTURE, db)
    Store.open(db).close()
    backup = Path(f"{db}.v1.bak")
    stamp = backup.stat().st_mtime_ns
    store = Store.open(db)
    assert store.schema_version() == SCHEMA_VERSION
    store.close()
    assert backup.stat().st_mtime_ns == stamp


def test_fixture_is_untouched_by_the_suite() -> None:
    assert _rows(FIXTURE, "select value from parallax_meta where key='schema_version'") == [("1",)]
