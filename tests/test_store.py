"""The store: schema, migrations, transactions, annotations with tombstones, overrides."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from tui.errors import SchemaConflict, UserError
from tui.labels import parse_schema
from tui.store import SCHEMA_VERSION, Store


def test_new_database_is_wal_with_foreign_keys_and_version(store: Store) -> None:
    assert store.db.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert store.db.execute("pragma foreign_keys").fetchone()[0] == 1
    assert store.schema_version() == SCHEMA_VERSION
    assert [lb.name for lb in store.labels()][:6] == ["EVENT", "CLAIM", "QUOTE", "ACTOR", "PLACE", "TIME"]


def test_foreign_file_is_refused_and_not_modified(tmp_path: Path) -> None:
    f = tmp_path / "notes.db"
    f.write_bytes(b"this is not sqlite at all\n" * 10)
    before = f.read_bytes()
    with pytest.raises(UserError, match="not an SQLite database"):
        Store.open(f)
    assert f.read_bytes() == before


def test_other_sqlite_database_is_refused(tmp_path: Path) -> None:
    f = tmp_path / "other.db"
    conn = sqlite3.connect(f)
    conn.execute("create table t (x)")
    conn.commit()
    conn.close()
    before = f.read_bytes()
    with pytest.raises(UserError, match="not a Parallax one"):
        Store.open(f)
    assert f.read_bytes() == before


def test_newer_database_is_refused(db_path: Path) -> None:
    s = Store.open(db_path)
    s.set_meta("schema_version", str(SCHEMA_VERSION + 1))
    s.close()
    with pytest.raises(UserError, match="newer Parallax"):
        Store.open(db_path)


def test_annotation_lifecycle_keeps_tombstones_and_audit(seeded_store: Store) -> None:
    article = seeded_store.list_articles()[0]
    block = next(b for b in seeded_store.blocks(article["id"]) if b["kind"] == "body")
    ann = seeded_store.add_annotation(block_id=block["id"], start=0, end=10, label="EVENT", annotator="ana")
    assert ann["text"] == block["text"][:10]
    seeded_store.update_annotation(ann["id"], "ana", label="CLAIM", note="check")
    seeded_store.delete_annotation(ann["id"], "ana")
    assert seeded_store.annotations(article["id"]) == []
    kept = seeded_store.annotations(article["id"], include_deleted=True)
    assert kept[0]["deleted_by"] == "ana" and kept[0]["label"] == "CLAIM"
    seeded_store.restore_annotation(ann["id"], "ana")
    assert len(seeded_store.annotations(article["id"])) == 1
    actions = [r["action"] for r in seeded_store.db.query("select action from audit order by id")]
    assert actions == ["annotate", "update", "delete", "restore"]


def test_bad_spans_and_labels_are_refused(seeded_store: Store) -> None:
    block = seeded_store.blocks(seeded_store.list_articles()[0]["id"])[0]
    with pytest.raises(UserError, match="does not fit"):
        seeded_store.add_annotation(block_id=block["id"], start=5, end=10_000, label="EVENT", annotator="a")
    with pytest.raises(UserError, match="unknown label"):
        seeded_store.add_annotation(block_id=block["id"], start=0, end=3, label="NOPE", annotator="a")
    assert seeded_store.annotations() == []


def test_failed_transaction_leaves_nothing(seeded_store: Store) -> None:
    before = seeded_store.db.execute("select count(*) from audit").fetchone()[0]
    with pytest.raises(RuntimeError), seeded_store.transaction():
        seeded_store.db["audit"].insert({"at": "x", "action": "probe"})
        raise RuntimeError("boom")
    assert seeded_store.db.execute("select count(*) from audit").fetchone()[0] == before


def test_schema_change_that_orphans_annotations_is_refused(seeded_store: Store) -> None:
    block = seeded_store.blocks(seeded_store.list_articles()[0]["id"])[1]
    seeded_store.add_annotation(block_id=block["id"], start=0, end=4, label="QUOTE", annotator="a")
    toml = '[[labels]]\nname = "EVENT"\nkey = "1"\ncolor = "#ff0000"\n'
    with pytest.raises(SchemaConflict, match="QUOTE"):
        seeded_store.ensure_schema(parse_schema(toml, "small.toml"), toml, "a")
    assert "QUOTE" in seeded_store.schema().by_name()
    wider = toml + '[[labels]]\nname = "QUOTE"\nkey = "2"\ncolor = "#00ff00"\n'
    seeded_store.ensure_schema(parse_schema(wider, "wider.toml"), wider, "a")
    assert [lb.name for lb in seeded_store.labels()] == ["EVENT", "QUOTE"]
    assert seeded_store.schema_version_number() == 2


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ('[[labels]]\nname = "A"\nkey = "1"\ncolor = "red"\n', "invalid color"),
        ('[[labels]]\nname = "A"\nkey = "1"\ncolor = "#ff0000"\n[[labels]]\nname = "B"\nkey = "1"\ncolor = "#00ff00"\n', "used by both"),
        ('[[labels]]\nname = "A"\nkey = "j"\ncolor = "#ff0000"\n', "reader needs"),
        ('[[labels]]\nname = "A"\nname = "B"\n', "not valid TOML"),
        ('name = "x"\n', r"no \[\[labels\]\]"),
    ],
)
def test_bad_schema_files_give_one_line_errors(toml: str, message: str) -> None:
    with pytest.raises(UserError, match=message) as info:
        parse_schema(toml, "bad.toml")
    assert "\n" not in info.value.message


def test_override_is_stored_and_survives_reclean(seeded_store: Store) -> None:
    from tui.clean import clean_document

    article = seeded_store.list_articles()[0]
    hidden = next(b for b in seeded_store.blocks(article["id"]) if not b["visible"])
    seeded_store.set_override(hidden["id"], True, "ana")
    assert seeded_store.blocks(article["id"])[hidden["seq"]]["visible"] is True
    seeded_store.reclean(clean_document)
    after = seeded_store.blocks(article["id"])[hidden["seq"]]
    assert after["visible"] is True and after["override"] == 1 and after["override_by"] == "ana"
    seeded_store.set_override(hidden["id"], None, "ana")
    assert seeded_store.blocks(article["id"])[hidden["seq"]]["visible"] is False


def test_metadata_edits_win_over_reclean(seeded_store: Store) -> None:
    from tui.clean import clean_document

    article = seeded_store.list_articles()[2]
    seeded_store.update_meta(article["id"], {"outlet": "WION"}, "ana")
    seeded_store.reclean(clean_document)
    assert seeded_store.get_article(article["id"])["outlet"] == "WION"


def test_reclean_sets_unedited_metadata_as_at_import(store: Store, tmp_path: Path) -> None:
    """A re-clean applies what the file stated (the title hint marks the title block,
    as at import) and else what the cleaner finds now, clearing an older cleaner's
    wrong value; fields a person edited stay."""
    import json

    from tui.clean import clean_document
    from tui.importer import import_paths

    text = ("Menu\n\nA headline the cleaner would take\n\nThe stated title of the article\n\n"
            + "The finance ministers met in Brussels on Tuesday and agreed on a plan to cut the deficit "
              "over the next three years, officials said after the talks ended late at night.\n\n" * 3)
    feed = tmp_path / "feed.jsonl"
    feed.write_text(json.dumps({"text": text, "title": "The stated title of the article",
                                "outlet": "Daily Bugle"}) + "\n", encoding="utf-8")
    import_paths(store, [feed])
    stated_id = store.list_articles()[0]["id"]
    title_block = next(b["seq"] for b in store.blocks(stated_id) if b["kind"] == "title")
    # an older cleaner's outputs, not edited by anyone
    store.db.execute("update articles set outlet = 'Home', date = '1999-01-01', byline = 'x' "
                     "where id = ?", [stated_id])
    store.db.execute("update blocks set kind = 'body' where article_id = ?", [stated_id])
    store.db.conn.commit()
    store.update_meta(stated_id, {"byline": "Ana Edited"}, "ana")
    store.reclean(clean_document)
    after = store.get_article(stated_id)
    assert (after["title"], after["outlet"], after["date"], after["byline"]) == (
        "The stated title of the article", "Daily Bugle", None, "Ana Edited")
    assert next(b["seq"] for b in store.blocks(stated_id) if b["kind"] == "title") == title_block


def test_reclean_of_an_article_from_before_stated_fields_keeps_unknown_values(store: Store, tmp_path: Path) -> None:
    """Imported before schema 3, an article's stored fields may have come from the
    file: a re-clean replaces them only with values it finds."""
    from tui.clean import clean_document
    from tui.importer import import_paths

    (tmp_path / "page.txt").write_text("Menu\n\n" + "The finance ministers met in Brussels on "
                                       "Tuesday and agreed on a plan to cut the deficit.\n\n" * 3,
                                       encoding="utf-8")
    import_paths(store, [tmp_path / "page.txt"])
    article_id = store.list_articles()[0]["id"]
    store.db.execute("update sources set hints = null")
    store.db.execute("update articles set outlet = 'Stated Outlet' where id = ?", [article_id])
    store.db.conn.commit()
    store.reclean(clean_document)
    assert store.get_article(article_id)["outlet"] == "Stated Outlet"


def test_stale_articles_and_reclean_progress(seeded_store: Store) -> None:
    """Articles an older cleaner cleaned are listed; re-cleaning them reports progress and clears the list."""
    from tui.clean import clean_document

    ids = [a["id"] for a in seeded_store.list_articles()]
    assert seeded_store.stale_articles() == []
    seeded_store.db.execute("update articles set cleaner_version = 1 where id in (?, ?)", ids[:2])
    seeded_store.db.conn.commit()
    assert seeded_store.stale_articles() == ids[:2]
    seen: list[tuple[int, int]] = []
    seeded_store.reclean(clean_document, seeded_store.stale_articles(), progress=lambda d, t: seen.append((d, t)))
    assert seen == [(0, 2), (1, 2), (2, 2)]
    assert seeded_store.stale_articles() == []


def test_the_store_starts_without_pandas_and_numpy_and_both_still_import() -> None:
    """sqlite-utils would import pandas and numpy (most of every command's
    start); the store keeps them out, and leaves nothing behind that stops a
    later import."""
    import subprocess
    import sys

    probe = ("import sys, importlib.util\n"
             "import tui.store, sqlite_utils\n"
             "assert 'pandas' not in sys.modules, 'tui.store imported pandas'\n"
             "assert 'numpy' not in sys.modules, 'tui.store imported numpy'\n"
             "import numpy\n"
             "assert numpy.arange(3).sum() == 3\n"
             "if importlib.util.find_spec('pandas'):\n"
             "    import pandas\n"
             "    assert pandas.DataFrame({'a': [1]}).shape == (1, 1)\n"
             "print('ok')\n")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0 and proc.stdout.strip() == "ok", proc.stderr


def test_bulk_insert_columns_are_the_tables_own(store: Store) -> None:
    """The import writes blocks and passages as plain tuples in this column
    order: a migration that adds or reorders a column must update them."""
    from tui.store import _BLOCK_COLUMNS, _PASSAGE_COLUMNS

    assert tuple(store.db["blocks"].columns_dict) == _BLOCK_COLUMNS
    assert tuple(store.db["passages"].columns_dict) == _PASSAGE_COLUMNS


def _flipped(text: str, fmt: str, hints: dict[str, str]):
    """The real cleaner with every decision reversed: a cleaner update that changes decisions only."""
    import dataclasses

    from tui.clean import clean_document

    result = clean_document(text, fmt, hints)
    blocks = [dataclasses.replace(b, keep=not b.keep, reason=f"flipped: {b.reason}") for b in result.blocks]
    return dataclasses.replace(result, blocks=blocks)


def _merged(text: str, fmt: str, hints: dict[str, str]):
    """The real cleaner with its last two blocks joined: a cleaner update that segments differently."""
    import dataclasses

    from tui.clean import clean_document

    result = clean_document(text, fmt, hints)
    *head, a, b = result.blocks
    joined = dataclasses.replace(a, text=f"{a.text} {b.text}", end=b.end)
    return dataclasses.replace(result, blocks=[*head, joined])


def test_reclean_writes_new_decisions_and_keeps_overrides(seeded_store: Store) -> None:
    article = seeded_store.list_articles()[0]
    before = seeded_store.blocks(article["id"])
    hidden = next(b for b in before if not b["visible"])
    seeded_store.set_override(hidden["id"], False, "ana")  # a person confirmed it hidden
    counts = seeded_store.reclean(_flipped)
    assert counts["updated"] == 5
    after = seeded_store.blocks(article["id"])
    assert [b["keep"] for b in after] == [not b["keep"] for b in before]
    assert all(b["reason"].startswith("flipped: ") for b in after)
    kept = after[hidden["seq"]]
    assert kept["keep"] and kept["override"] == 0 and kept["visible"] is False


def test_reclean_resegments_unannotated_articles_and_carries_overrides(seeded_store: Store) -> None:
    first, second = seeded_store.list_articles()[:2]
    blocks = seeded_store.blocks(first["id"])
    seeded_store.set_override(blocks[0]["id"], False, "ana")
    target = next(b for b in seeded_store.blocks(second["id"]) if b["visible"] and len(b["text"]) > 30)
    seeded_store.add_annotation(block_id=target["id"], start=0, end=10, label="EVENT", annotator="ana")
    second_before = seeded_store.blocks(second["id"])
    counts = seeded_store.reclean(_merged)
    assert counts == {"updated": 0, "unchanged": 0, "resegmented": 4, "kept_segmentation": 1}
    after = seeded_store.blocks(first["id"])
    assert len(after) == len(blocks) - 1
    assert after[-1]["text"] == f"{blocks[-2]['text']} {blocks[-1]['text']}"
    assert after[0]["override"] == 0 and after[0]["override_by"] == "ana"  # found again by its text
    passages = seeded_store.passages(first["id"])
    assert {p["block_id"] for p in passages} <= {b["id"] for b in after}
    assert seeded_store.blocks(second["id"]) == second_before  # nothing moves under a span
