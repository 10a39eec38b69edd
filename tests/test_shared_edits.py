"""Edits that meet other edits: re-cleaning, merges, undo and review against real files.

Each test is a way an annotation or a person's decision used to be lost or
moved without a word (QA review of stop 17); each fails on the code before
its fix. Real SQLite files throughout, two connections where two people or
processes are involved.
"""

from __future__ import annotations

import dataclasses
import shutil
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from unittest import mock

import pytest

import tui.store as store_module
from tui.clean import clean_document
from tui.errors import UserError
from tui.export.load import import_annotations
from tui.labels import parse_schema
from tui.link import link_store, set_link_status
from tui.model import CleanResult
from tui.store import RECLEAN_BY, Store, reclean_summary
from tui.team.merge import copy_articles, merge_database
from tui.team.review import accept


def _body_block(store: Store, article_id: str) -> dict:
    return next(b for b in store.blocks(article_id)
                if b["visible"] and b["kind"] != "title" and len(b["text"]) >= 30)


def _joining_cleaner(text: str, fmt: str, hints: dict[str, str]) -> CleanResult:
    """The real cleaner with its first two body blocks joined: an update that re-segments."""
    result = clean_document(text, fmt, hints)
    blocks = list(result.blocks)
    i = next(k for k, b in enumerate(blocks) if b.kind != "title")
    a, b = blocks[i], blocks[i + 1]
    blocks[i:i + 2] = [dataclasses.replace(a, text=f"{a.text} {b.text}", end=b.end)]
    return dataclasses.replace(result, blocks=blocks)


def _hiding_cleaner(text: str, fmt: str, hints: dict[str, str]) -> CleanResult:
    """The real cleaner calling every block but the title boilerplate: an update that hides."""
    result = clean_document(text, fmt, hints)
    return dataclasses.replace(result, blocks=[
        b if b.kind == "title" else dataclasses.replace(b, keep=False, reason="new rule")
        for b in result.blocks])


# ------------------------------------------------------------------ re-cleaning
def test_reclean_keeps_the_segmentation_a_link_decision_points_at(seeded_store: Store) -> None:
    """Passage ids are positions: re-segmenting an article with a confirmed link (and
    no spans) made the link say "confirmed by ana" about sentences nobody judged."""
    s = seeded_store
    link_store(s)
    link_id, a, b = s.db.execute("select id, a, b from links order by score desc limit 1").fetchone()
    set_link_status(s, link_id, "confirmed", "ana")

    def text(pid: str) -> str:
        return s.db.execute("select text from passages where id = ?", [pid]).fetchone()[0]

    before = (text(a), text(b))
    counts = s.reclean(_joining_cleaner)
    assert counts["kept_segmentation"] >= 2
    assert (text(a), text(b)) == before
    assert s.db.execute("select status from links where id = ?", [link_id]).fetchone()[0] == "confirmed"


def test_reclean_that_resegments_drops_the_suggestions_that_pointed_into_it(seeded_store: Store) -> None:
    s = seeded_store
    link_store(s)
    assert s.db.execute("select count(*) from links").fetchone()[0]
    s.reclean(_joining_cleaner)
    stale = s.db.execute(
        "select count(*) from links l where not exists (select 1 from passages p where p.id = l.a)"
        " or not exists (select 1 from passages p where p.id = l.b)").fetchone()[0]
    assert stale == 0
    assert s.db.execute("select count(*) from event_passages").fetchone()[0] == 0


def test_reclean_keeps_an_annotated_block_shown_and_says_so(seeded_store: Store) -> None:
    """A new rule hiding an annotated paragraph took its spans out of every export silently."""
    s = seeded_store
    aid = s.list_articles()[0]["id"]
    block = _body_block(s, aid)
    s.add_annotation(block_id=block["id"], start=0, end=8, label="EVENT", annotator="ana")
    counts = s.reclean(_hiding_cleaner, [aid])
    row = s.blocks(aid)[block["seq"]]
    assert row["visible"] and row["override"] == 1 and row["override_by"] == RECLEAN_BY
    assert not row["keep"]  # the cleaner's own decision is stored as it is
    assert counts["annotated_kept_shown"] == 1
    assert "1 annotated block the new rules would hide kept shown" in reclean_summary(counts)
    others = [b for b in s.blocks(aid) if b["id"] != block["id"] and b["kind"] != "title"]
    assert not any(b["visible"] for b in others)  # blocks without spans follow the new rules


def test_reclean_does_not_overwrite_a_metadata_edit_made_while_it_cleans(seeded_db: Path) -> None:
    s, other = Store.open(seeded_db), Store.open(seeded_db)
    aid = s.list_articles()[0]["id"]
    edited = []

    def cleaner(text: str, fmt: str, hints: dict[str, str]) -> CleanResult:
        if not edited:  # another annotator commits a correction while this article is cleaned
            edited.append(other.update_meta(aid, {"title": "Corrected headline"}, "ben"))
        return clean_document(text, fmt, hints)

    s.reclean(cleaner, [aid], jobs=1)
    assert s.get_article(aid)["title"] == "Corrected headline"
    s.close()
    other.close()


# ------------------------------------------------------------------ merges
def test_reset_to_automatic_is_a_decision_a_merge_keeps(tmp_path: Path, seeded_db: Path) -> None:
    """``o`` on a block the cleaner keeps resets it; unstamped, the next merge took the
    teammate's older "hidden" for newer and hid the block (and its spans) again."""
    ben_db, ana_db = tmp_path / "ben.db", tmp_path / "ana.db"
    shutil.copy(seeded_db, ben_db)
    shutil.copy(seeded_db, ana_db)
    with Store.open(ben_db) as ben:
        aid = ben.list_articles()[0]["id"]
        block = _body_block(ben, aid)
        ben.set_override(block["id"], False, "ben")  # hidden by mistake
    with Store.open(ana_db) as ana:
        merge_database(ana, ben_db, annotator="ana")
    time.sleep(0.002)
    with Store.open(ben_db) as ben:
        ben.set_override(block["id"], None, "ben")  # back to the cleaner's decision: shown
        assert ben.blocks(aid)[block["seq"]]["override_at"]
        merge_database(ben, ana_db, annotator="ben")
        assert ben.blocks(aid)[block["seq"]]["visible"]
    with Store.open(ana_db) as ana:
        merge_database(ana, ben_db, annotator="ana")
        row = ana.blocks(aid)[block["seq"]]
        assert row["visible"] and row["override"] is None


def test_an_untouched_imported_copy_does_not_undo_later_edits_on_merge(tmp_path: Path,
                                                                       seeded_db: Path) -> None:
    """A span back through a JSONL export and import-annotations is a copy, not an edit:
    its owner's later relabel and removal stay (they were reverted, with no conflict)."""
    from tui.export import export_dataset

    ana_db = tmp_path / "ana.db"
    shutil.copy(seeded_db, ana_db)
    with Store.open(ana_db) as ana:
        block = _body_block(ana, ana.list_articles()[0]["id"])
        s1 = ana.add_annotation(block_id=block["id"], start=0, end=10, label="EVENT",
                                annotator="ana", note="check source")
        s2 = ana.add_annotation(block_id=block["id"], start=12, end=20, label="ACTOR", annotator="ana")
        export_dataset(ana, "jsonl", str(tmp_path / "ana.jsonl"))
        time.sleep(0.002)
        ana.update_annotation(s1["id"], "ana", label="CLAIM")
        ana.delete_annotation(s2["id"], "ana")
        time.sleep(0.002)
        with Store.open(tmp_path / "ben.db") as ben:
            ben.ensure_schema(None, None, "ben")
            copy_articles(ana, ben)
            import_annotations(ben, tmp_path / "ana.jsonl", default_annotator="ben")
        merge_database(ana, tmp_path / "ben.db", annotator="ana")
        assert ana.get_annotation(s1["id"])["label"] == "CLAIM"
        assert ana.get_annotation(s1["id"])["note"] == "check source"
        assert ana.get_annotation(s2["id"])["deleted_at"] is not None


def test_an_edit_is_newer_than_what_it_edits_whatever_the_clocks(tmp_path: Path, seeded_db: Path) -> None:
    """Ben's clock runs two hours fast; Ana removes his span after seeing it. The removal
    was stamped older than the span and the next merge brought the span back."""
    ana_db, ben_db = tmp_path / "ana.db", tmp_path / "ben.db"
    shutil.copy(seeded_db, ana_db)
    shutil.copy(seeded_db, ben_db)

    def fast() -> str:
        return (datetime.now(UTC) + timedelta(hours=2)).isoformat(timespec="milliseconds")

    with Store.open(ben_db) as ben:
        block = _body_block(ben, ben.list_articles()[0]["id"])
        with mock.patch.object(store_module, "now", fast):
            span = ben.add_annotation(block_id=block["id"], start=0, end=10, label="EVENT",
                                      annotator="ben")
    with Store.open(ana_db) as ana:
        merge_database(ana, ben_db, annotator="ana")
        removed = ana.delete_annotation(span["id"], "ana")
        assert removed["updated_at"] > span["updated_at"]
        merge_database(ana, ben_db, annotator="ana")
        assert ana.get_annotation(span["id"])["deleted_at"] is not None
    with Store.open(ben_db) as ben:
        merge_database(ben, ana_db, annotator="ben")
        assert ben.get_annotation(span["id"])["deleted_at"] is not None


# ------------------------------------------------------------------ schema, undo, review
def _schema_without(store: Store, label: str):
    schema = store.schema()
    lines = ['name = "smaller"']
    for lab in schema.labels:
        if lab.name != label:
            lines += ["[[labels]]", f'name = "{lab.name}"', f'key = "{lab.key}"', f'color = "{lab.color}"']
    text = "\n".join(lines) + "\n"
    return parse_schema(text, source="smaller.toml"), text


def test_a_label_gone_from_the_schema_does_not_come_back_by_restoring_a_span(store: Store,
                                                                             seeded_db: Path) -> None:
    """Undo of a removal (or redo of a tag) revived a span whose label a schema loaded
    meanwhile had dropped: exports then carried a label their schema file lacked."""
    with Store.open(seeded_db) as s:
        block = _body_block(s, s.list_articles()[0]["id"])
        span = s.add_annotation(block_id=block["id"], start=0, end=8, label="CLAIM", annotator="ana")
        s.delete_annotation(span["id"], "ana")
        schema, text = _schema_without(s, "CLAIM")
        s.ensure_schema(schema, text, "lead")  # only a removed span uses CLAIM: accepted
        with pytest.raises(UserError, match="CLAIM is no longer in the label schema"):
            s.restore_annotation(span["id"], "ana")
        assert s.get_annotation(span["id"])["deleted_at"] is not None


def test_label_checks_hold_against_a_schema_loaded_at_the_same_moment(seeded_db: Path) -> None:
    """The checks ran before the write lock: a tag and a schema load interleaved into a
    live span whose label the schema in force lacks."""
    s, other = Store.open(seeded_db), Store.open(seeded_db, busy_timeout_ms=200)
    s.ensure_schema(None, None, "tester")
    block = _body_block(s, s.list_articles()[0]["id"])
    schema, text = _schema_without(s, "CLAIM")
    real_schema = Store.schema

    def schema_then_other_loads(self: Store):
        found = real_schema(self)
        if self is s and not getattr(schema_then_other_loads, "done", False):
            schema_then_other_loads.done = True
            other.ensure_schema(schema, text, "lead")  # waits for s's write lock, or wins first
        return found

    with mock.patch.object(Store, "schema", schema_then_other_loads):
        try:
            s.add_annotation(block_id=block["id"], start=0, end=8, label="CLAIM", annotator="ana")
        except Exception:  # noqa: BLE001 - either order is fine; the end state is what counts
            pass
    live = s.db.execute("select count(*) from annotations where label = 'CLAIM' and deleted_at is null"
                        ).fetchone()[0]
    in_schema = "CLAIM" in s.schema().by_name()
    assert in_schema or live == 0
    s.close()
    other.close()


def test_accepting_again_takes_the_span_as_it_is_now(seeded_store: Store) -> None:
    """A removed adjudicated copy came back as it was (old label and offsets)."""
    s = seeded_store
    block = _body_block(s, s.list_articles()[0]["id"])
    ben = s.add_annotation(block_id=block["id"], start=0, end=8, label="EVENT", annotator="ben")
    copy = accept(s, ben["id"], "judge")
    s.delete_annotation(copy["id"], "judge")
    s.update_annotation(ben["id"], "ben", label="CLAIM", end=12)
    again = accept(s, ben["id"], "judge")
    assert again["id"] == copy["id"] and again["deleted_at"] is None
    assert (again["label"], again["start"], again["end"]) == ("CLAIM", 0, 12)
    assert again["text"] == block["text"][0:12]


def test_one_annotator_in_two_windows_cannot_put_a_label_on_the_same_words_twice(seeded_db: Path) -> None:
    """Each window checked only its own copy of the article: both saved the span, by tag
    or by a redo after the other window had tagged, and exports counted it twice."""
    win1, win2 = Store.open(seeded_db), Store.open(seeded_db)
    block = _body_block(win1, win1.list_articles()[0]["id"])
    first = win1.add_annotation(block_id=block["id"], start=0, end=8, label="QUOTE", annotator="ana")
    with pytest.raises(UserError, match="ana already has QUOTE on these words"):
        win2.add_annotation(block_id=block["id"], start=0, end=8, label="QUOTE", annotator="ana")
    win1.delete_annotation(first["id"], "ana")  # u in window 1
    again = win2.add_annotation(block_id=block["id"], start=0, end=8, label="QUOTE", annotator="ana")
    with pytest.raises(UserError, match="already has QUOTE"):
        win1.restore_annotation(first["id"], "ana")  # ctrl+r in window 1
    other = win1.add_annotation(block_id=block["id"], start=0, end=8, label="EVENT", annotator="ana")
    with pytest.raises(UserError, match="already has QUOTE"):
        win1.update_annotation(other["id"], "ana", label="QUOTE")  # relabel onto the same
    live = win1.db.execute("select count(*) from annotations where label = 'QUOTE' and deleted_at is null"
                           ).fetchone()[0]
    assert live == 1 and win1.get_annotation(again["id"])["deleted_at"] is None
    # another annotator may of course tag the same words
    win2.add_annotation(block_id=block["id"], start=0, end=8, label="QUOTE", annotator="ben")
    win1.close()
    win2.close()
