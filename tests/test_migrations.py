"""Databases written by earlier schema versions open, upgrade and keep everything.

``tests/fixtures/parallax-v<N>.db`` was written by schema version N (see
``make_v<N>_fixture.py`` beside it) and must never be regenerated: it is what
a user's old file looks like. Each holds the same content (three seeds,
annotations with a tombstone, an override, a metadata edit, a link).
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from tui.store import SCHEMA_VERSION, Store

FIXTURES = Path(__file__).parent / "fixtures"
FIXTURE = FIXTURES / "parallax-v1.db"
VERSIONS = [1, 2]


def _rows(path: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


@pytest.mark.parametrize("version", VERSIONS)
def test_old_database_upgrades_and_keeps_every_annotation(tmp_path: Path, version: int) -> None:
    db = tmp_path / "old.db"
    shutil.copy(FIXTURES / f"parallax-v{version}.db", db)
    before = _rows(db, "select * from annotations order by id")
    links_before = _rows(db, "select * from links order by id")
    overrides_before = _rows(db, "select id, override, override_by from blocks where override is not null")
    assert len(before) == 3 and _rows(db, "select value from parallax_meta where key='schema_version'") == [(str(version),)]

    store = Store.open(db)
    try:
        assert store.schema_version() == SCHEMA_VERSION
        assert store.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert [tuple(r.values()) for r in store.db.query("select * from annotations order by id")] == before
        assert {a["id"] for a in store.annotations()} == {f"v{version}-ann-1", f"v{version}-ann-2"}  # tombstone respected
        assert store.get_annotation(f"v{version}-ann-2")["note"] == "kept across upgrades"
        article = store.list_articles()[2]
        assert article["outlet"] == "Fixture Outlet"
        indexes = {ix.name for ix in store.db["links"].indexes}
        assert any("a_article" in name for name in indexes)
        # v3: the fixture's articles come from .txt files, which state nothing
        assert "hints" in store.db["sources"].columns_dict
        assert store.db.execute("select count(*) from sources where hints = '{}'").fetchone()[0] == 3
        # the upgraded file keeps working: a new annotation goes in
        block = store.blocks(article["id"])[0]
        store.add_annotation(block_id=block["id"], start=0, end=5, label="PLACE", annotator="cy")
    finally:
        store.close()
    assert _rows(db, "select * from links order by id") == links_before
    assert _rows(db, "select id, override, override_by from blocks where override is not null") == overrides_before
    backup = Path(f"{db}.v{version}.bak")
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


@pytest.mark.parametrize("version", VERSIONS)
def test_fixture_is_untouched_by_the_suite(version: int) -> None:
    fixture = FIXTURES / f"parallax-v{version}.db"
    assert _rows(fixture, "select value from parallax_meta where key='schema_version'") == [(str(version),)]


def test_reclean_after_an_upgrade_refreshes_metadata_but_keeps_edits(tmp_path: Path) -> None:
    """Articles from .txt files stated nothing, so after the upgrade a re-clean sets
    their metadata to what the cleaner finds (the fixture's naive titles go), and
    the edited outlet stays."""
    from tui.clean import clean_document

    db = tmp_path / "old.db"
    shutil.copy(FIXTURES / "parallax-v2.db", db)
    store = Store.open(db)
    try:
        edited = next(a["id"] for a in store.list_articles() if a["outlet"] == "Fixture Outlet")
        naive = {a["id"]: a["title"] for a in store.list_articles()}
        store.reclean(clean_document)
        assert store.get_article(edited)["outlet"] == "Fixture Outlet"
        assert all(store.get_article(i)["title"] != title for i, title in naive.items())
        assert len(store.annotations()) == 2
    finally:
        store.close()
