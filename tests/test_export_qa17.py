"""QA 17 (docs/notes qa17_review.md), export and import side: items 1, 4, 11, 12 and 13.

Every test runs on real SQLite files. Each one failed before its fix:

* 4: a title differing from the title block only in whitespace dropped that
  block, and every span on it, from every export (counted as "hidden");
* 1: import-annotations stamped copies with the import time, so a JSONL
  round-trip copy beat the original's later relabel or removal on merge;
* 11: the aligner put a span on the first copy of a repeated paragraph, one
  hidden in this database;
* 12: spans without ids were added again next to the same spans;
* 13: two imports of one file at once: one died with an IntegrityError.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tui.export import article_text, export_dataset
from tui.export.load import import_annotations, is_store_time
from tui.export.records import Counts
from tui.export.text import compose
from tui.model import Block, CleanResult, Meta, RawDocument
from tui.store import Store
from tui.team.merge import copy_articles, merge_database

ROOT = Path(__file__).resolve().parents[1]
SCHEMA_FILE = ROOT / "schemas" / "dataset.schema.json"
BODY = "The storm hit the coast on Monday, officials said."


def add(store: Store, name: str, title: str | None, blocks: list[tuple[str, str, bool]]) -> str:
    """Store a hand-made article: blocks are (text, kind, keep)."""
    raw_text = "\n\n".join(text for text, _, _ in blocks)
    pos, made = 0, []
    for text, kind, keep in blocks:
        made.append(Block(text=text, start=pos, end=pos + len(text), kind=kind, keep=keep))
        pos += len(text) + 2
    result = CleanResult(meta=Meta(title=title, outlet="Daily Test", date="2024-05-01"),
                         blocks=made, working_text=raw_text)
    return store.add_article(RawDocument(path=f"{name}.txt", text=raw_text + f"\n<!-- {name} -->",
                                         format="txt"), result).article_id


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def fresh_copy(source: Store, path: Path) -> Store:
    """A new database holding the same articles as ``source``, no spans."""
    target = Store.open(path)
    target.ensure_schema(None, None, "tester")
    copy_articles(source, target)
    return target


def first_visible_body(store: Store, article_id: str, min_len: int = 30) -> dict:
    return next(b for b in store.blocks(article_id)
                if b["visible"] and b["kind"] != "title" and len(b["text"]) >= min_len)


# ------------------------------------------------------- 4: whitespace titles
WHITESPACE_TITLES = ["Storm  hits coast", "Storm hits\u00a0coast", "Storm\thits coast",
                     "Storm hits\ncoast"]


@pytest.mark.parametrize("title", WHITESPACE_TITLES)
def test_a_title_differing_only_in_whitespace_keeps_its_block_and_spans(store: Store, tmp_path: Path,
                                                                         title: str) -> None:
    aid = add(store, "t", title, [("Storm hits coast", "title", True), (BODY, "body", True)])
    head = store.blocks(aid)[0]
    store.add_annotation(block_id=head["id"], start=0, end=5, label="EVENT", annotator="ana")
    at = article_text(store, aid)
    # the block is an ordinary block after the stated title, as for an edited title
    assert at.text == f"{title}\n\nStorm hits coast\n\n{BODY}"
    assert at.block_offsets[head["id"]] == len(title) + 2
    report = export_dataset(store, "jsonl", tmp_path / "d.jsonl")
    assert (report.counts["spans"], report.counts["spans_on_hidden_blocks"],
            report.counts["spans_unplaced"]) == (1, 0, 0)
    (record,) = read_jsonl(tmp_path / "d.jsonl")
    (s,) = record["spans"]
    assert record["text"][s["start"]:s["end"]] == "Storm" and s["start"] == len(title) + 2


def test_a_title_edited_to_a_whitespace_variant_keeps_the_span_on_the_title_block(
        seeded_store: Store, tmp_path: Path) -> None:
    """t06: `parallax meta ID --title` with a stray double space, on a real seed article."""
    store = seeded_store
    aid = store.list_articles()[0]["id"]
    tb = next(b for b in store.blocks(aid) if b["kind"] == "title")
    assert tb["visible"] and " " in tb["text"]
    store.add_annotation(block_id=tb["id"], start=0, end=3, label="ACTOR", annotator="ana")
    before = export_dataset(store, "jsonl", tmp_path / "before.jsonl", articles=[aid])
    store.update_meta(aid, {"title": tb["text"].replace(" ", "  ", 1)}, "ana")
    after = export_dataset(store, "jsonl", tmp_path / "after.jsonl", articles=[aid])
    assert before.counts["spans"] == after.counts["spans"] == 1
    assert after.counts["spans_on_hidden_blocks"] == 0
    manifest = json.loads(Path(after.manifest_path).read_text())
    assert manifest["counts"]["spans_unplaced"] == 0
    assert manifest["counts"]["spans_on_hidden_blocks"] == 0  # the old key is still written


def test_a_feed_title_with_odd_whitespace_keeps_the_title_block_in_the_text(store: Store,
                                                                           tmp_path: Path) -> None:
    """t06b: no edit at all: a JSONL feed states the title with a double space or an NBSP."""
    from tui.importer import import_paths

    body = "The storm hit the coast on Monday, officials said. " * 3
    records = [
        {"title": "Storm  hits coast", "text": "Storm hits coast\n\n" + body + "\n\nMore about it here."},
        {"title": "Flood hits\u00a0town", "text": "Flood hits town\n\n" + body + "\n\nMore about it here."},
    ]
    feed = write_jsonl(tmp_path / "feed.jsonl", records)
    import_paths(store, [feed])
    for article in store.list_articles():
        at = article_text(store, article["id"])
        for block in store.blocks(article["id"]):
            if block["visible"]:
                assert block["id"] in at.block_offsets, (article["title"], block["text"])
                off = at.block_offsets[block["id"]]
                assert at.text[off:off + len(block["text"])] == block["text"]


def test_counts_tell_hidden_blocks_from_unplaced_spans() -> None:
    counts = Counts()
    counts.left_out(visible=False)
    counts.left_out(visible=True)
    counts.left_out(visible=False)
    assert (counts.spans_on_hidden_blocks, counts.spans_unplaced) == (2, 1)
    assert {"spans_on_hidden_blocks", "links_on_hidden_blocks", "spans_unplaced"} <= set(counts.as_dict())


_space = st.sampled_from([" ", "  ", "\u00a0", "\t", "\n", " \u00a0"])


@given(words=st.lists(st.text("abcXYZ", min_size=1, max_size=5), min_size=1, max_size=4),
       gaps=st.lists(_space, min_size=3, max_size=3), shown=st.lists(st.booleans(), min_size=3,
                                                                     max_size=3))
def test_every_visible_block_has_a_place_whatever_the_title_s_whitespace(
        words: list[str], gaps: list[str], shown: list[bool]) -> None:
    """Whitespace variants of the title never cost a visible block its place in the text."""
    block_title = " ".join(words)
    title = "".join(w + (gaps[i % len(gaps)] if i < len(words) - 1 else "") for i, w in enumerate(words))
    blocks = [{"id": "t", "text": block_title, "kind": "title", "visible": shown[0]},
              {"id": "b1", "text": "First body.", "kind": "body", "visible": shown[1]},
              {"id": "b2", "text": "Second body.", "kind": "body", "visible": shown[2]}]
    at = compose("a", title, blocks)
    for b in blocks:
        # a hidden title block equal to the title maps onto the header (its words are there)
        header_source = b["id"] == "t" and block_title == title
        assert (b["id"] in at.block_offsets) == (b["visible"] or header_source)
        if b["visible"] or header_source:
            off = at.block_offsets[b["id"]]
            assert at.text[off:off + len(b["text"])] == b["text"]


# ------------------------------------------------------------ 1: span times
def test_jsonl_carries_each_span_s_times_and_the_import_keeps_them(seeded_store: Store,
                                                                   tmp_path: Path) -> None:
    store = seeded_store
    aid = store.list_articles()[0]["id"]
    b = first_visible_body(store, aid)
    row = store.add_annotation(block_id=b["id"], start=0, end=8, label="EVENT", annotator="ana")
    row = store.update_annotation(row["id"], "ana", label="CLAIM")
    assert row["created_at"] < row["updated_at"]
    out = tmp_path / "a.jsonl"
    export_dataset(store, "jsonl", out, articles=[aid])
    (record,) = read_jsonl(out)
    (s,) = record["spans"]
    assert (s["created_at"], s["updated_at"]) == (row["created_at"], row["updated_at"])
    with fresh_copy(store, tmp_path / "fresh.db") as fresh:
        assert import_annotations(fresh, out, default_annotator="x").imported == 1
        copy = fresh.get_annotation(row["id"])
        assert (copy["created_at"], copy["updated_at"]) == (row["created_at"], row["updated_at"])
        export_dataset(fresh, "jsonl", tmp_path / "b.jsonl", articles=[aid])
        assert read_jsonl(tmp_path / "b.jsonl") == [record]


def test_a_round_trip_copy_does_not_revert_later_edits_on_merge(seeded_db: Path, tmp_path: Path) -> None:
    """t04: Ana exports, then relabels one span and removes another; Ben imports the export;
    Ana merges Ben's file. Ben's untouched copies must not win."""
    ana = Store.open(seeded_db)
    aid = ana.list_articles()[0]["id"]
    b = first_visible_body(ana, aid)
    s1 = ana.add_annotation(block_id=b["id"], start=0, end=10, label="EVENT", annotator="ana",
                            note="check source")
    s2 = ana.add_annotation(block_id=b["id"], start=12, end=20, label="ACTOR", annotator="ana")
    export_dataset(ana, "jsonl", tmp_path / "ana.jsonl")
    ana.update_annotation(s1["id"], "ana", label="CLAIM")
    ana.delete_annotation(s2["id"], "ana")
    ben = fresh_copy(ana, tmp_path / "ben.db")
    assert import_annotations(ben, tmp_path / "ana.jsonl", default_annotator="ben").imported == 2
    ben.close()
    report = merge_database(ana, tmp_path / "ben.db", annotator="ana")
    a1, a2 = ana.get_annotation(s1["id"]), ana.get_annotation(s2["id"])
    assert (a1["label"], a1["note"]) == ("CLAIM", "check source"), report.summary()
    assert a2["deleted_at"] is not None, report.summary()
    ana.close()


def test_a_file_without_times_is_stamped_at_its_import(store: Store, tmp_path: Path) -> None:
    """Exports made before the times were added still import (the import time is used)."""
    aid = add(store, "a", "Storm hits coast", [("Storm hits coast", "title", True), (BODY, "body", True)])
    record = {"id": aid, "text": article_text(store, aid).text, "spans": [
        {"id": "old", "start": 22, "end": 27, "label": "EVENT", "text": "storm", "annotator": "ana"},
        {"id": "half", "start": 36, "end": 41, "label": "PLACE", "text": "coast", "annotator": "ana",
         "updated_at": "2024-05-01T10:00:00.000+00:00"}]}
    report = import_annotations(store, write_jsonl(tmp_path / "old.jsonl", [record]),
                                default_annotator="x")
    assert (report.imported, report.skipped) == (2, 0), report.problems
    old, half = store.get_annotation("old"), store.get_annotation("half")
    assert is_store_time(old["created_at"]) and old["created_at"] == old["updated_at"] > "2025"
    assert half["created_at"] == half["updated_at"] == "2024-05-01T10:00:00.000+00:00"


@pytest.mark.parametrize("times, reason", [
    ({"updated_at": "2024-05-01T10:00:00Z"}, '"updated_at" must be a UTC time as parallax writes it'),
    ({"updated_at": "2024-05-01T12:00:00.000+02:00"}, '"updated_at" must be a UTC time'),
    ({"created_at": "yesterday"}, '"created_at" must be a UTC time as parallax writes it'),
    ({"created_at": 1714557600}, '"created_at" must be a UTC time as parallax writes it'),
    ({"updated_at": "2024-13-01T10:00:00.000+00:00"}, '"updated_at" must be a UTC time'),
    ({"created_at": "2024-05-02T10:00:00.000+00:00", "updated_at": "2024-05-01T10:00:00.000+00:00"},
     '"created_at" is after "updated_at"'),
])
def test_a_span_with_a_bad_time_is_reported_and_the_rest_imports(store: Store, tmp_path: Path,
                                                                  times: dict, reason: str) -> None:
    aid = add(store, "a", "Storm hits coast", [("Storm hits coast", "title", True), (BODY, "body", True)])
    good = {"id": "good", "start": 22, "end": 27, "label": "EVENT", "text": "storm", "annotator": "ana"}
    bad = dict(good, id="bad", start=36, end=41, label="PLACE", text="coast", **times)
    record = {"id": aid, "text": article_text(store, aid).text, "spans": [bad, good]}
    report = import_annotations(store, write_jsonl(tmp_path / "t.jsonl", [record]), default_annotator="x")
    assert report.imported == 1 and report.skipped == 1
    (problem,) = report.problems
    assert problem.startswith("t.jsonl:1 span 0 (bad): ") and reason in problem
    assert "\n" not in problem


def test_the_json_schema_takes_old_and_new_records_and_refuses_bad_times(seeded_store: Store,
                                                                          tmp_path: Path) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    store = seeded_store
    aid = store.list_articles()[0]["id"]
    b = first_visible_body(store, aid)
    store.add_annotation(block_id=b["id"], start=0, end=8, label="EVENT", annotator="ana")
    export_dataset(store, "jsonl", tmp_path / "d.jsonl", articles=[aid])
    (record,) = read_jsonl(tmp_path / "d.jsonl")
    validator = jsonschema.Draft202012Validator(json.loads(SCHEMA_FILE.read_text()))
    validator.validate(record)
    stamped = dict(record, spans=[dict(s, created_at="2024-05-01T10:00:00.000+00:00",
                                       updated_at="2024-05-01T11:00:00.000+00:00")
                                  for s in record["spans"]])
    validator.validate(stamped)
    old = dict(record, spans=[{k: v for k, v in s.items() if k not in ("created_at", "updated_at")}
                              for s in record["spans"]])
    validator.validate(old)  # files written before the times were added stay valid
    bad = dict(record, spans=[dict(s, updated_at="2024-05-01 10:00") for s in record["spans"]])
    assert list(validator.iter_errors(bad))


# ------------------------------------------------------- 11: repeated paragraphs
LEAD = "Officials said on Monday that the bridge would reopen to traffic next month after repairs."
BRIDGE = [("Bridge to reopen next month", "title", True), (LEAD, "dek", True), (LEAD, "body", False),
          ("The bridge was closed in March after inspectors found cracks.", "body", True),
          ("Subscribe to our newsletter!", "newsletter", False)]


def test_a_repeated_paragraph_lands_on_the_copy_shown_here(store: Store, tmp_path: Path) -> None:
    """Both databases show the second copy of a repeated paragraph; Ana also shows the
    newsletter, so the texts differ and the record is aligned block by block. The span must
    land on the copy Ben shows, not on the first copy (hidden in Ben's file)."""
    aid = add(store, "bridge", "Bridge to reopen next month", BRIDGE)
    ben = fresh_copy(store, tmp_path / "ben.db")
    for s in (store, ben):
        blocks = s.blocks(aid)
        s.set_override(blocks[1]["id"], False, "ana")
        s.set_override(blocks[2]["id"], True, "ana")
    store.set_override(store.blocks(aid)[4]["id"], True, "ana")
    second = store.blocks(aid)[2]
    row = store.add_annotation(block_id=second["id"], start=0, end=9, label="ACTOR", annotator="ana")
    export_dataset(store, "jsonl", tmp_path / "ana.jsonl")
    assert article_text(ben, aid).text != read_jsonl(tmp_path / "ana.jsonl")[0]["text"]
    assert import_annotations(ben, tmp_path / "ana.jsonl", default_annotator="ben").imported == 1
    assert ben.get_annotation(row["id"])["block_id"] == second["id"]
    assert export_dataset(ben, "jsonl", tmp_path / "ben.jsonl").counts["spans"] == 1
    ben.close()


def test_merging_back_a_copy_aligned_to_the_other_copy_keeps_the_span_where_it_was(
        store: Store, tmp_path: Path) -> None:
    """t08: Ana shows the second copy and tags it; Ben (cleaner's choice: the first copy shown)
    imports. Both texts read the same, so Ben's copy goes on the copy he shows; merging Ben's
    file back must not move Ana's span onto the copy she hid."""
    aid = add(store, "bridge", "Bridge to reopen next month", BRIDGE)
    ben = fresh_copy(store, tmp_path / "ben.db")
    first, second = store.blocks(aid)[1], store.blocks(aid)[2]
    store.set_override(first["id"], False, "ana")
    store.set_override(second["id"], True, "ana")
    row = store.add_annotation(block_id=second["id"], start=0, end=9, label="ACTOR", annotator="ana")
    export_dataset(store, "jsonl", tmp_path / "ana.jsonl")
    assert import_annotations(ben, tmp_path / "ana.jsonl", default_annotator="ben").imported == 1
    assert ben.get_annotation(row["id"])["block_id"] == first["id"]  # the copy Ben reads
    ben.close()
    merge_database(store, tmp_path / "ben.db", annotator="ana")
    assert store.get_annotation(row["id"])["block_id"] == second["id"]
    assert export_dataset(store, "jsonl", tmp_path / "ana2.jsonl").counts["spans"] == 1


# ------------------------------------------------------------ 12: spans without ids
def test_spans_without_ids_are_unchanged_when_the_database_has_them(seeded_store: Store,
                                                                     tmp_path: Path) -> None:
    """t14: an export with its ids stripped (or another tool's file) over the same spans."""
    store = seeded_store
    aid = store.list_articles()[0]["id"]
    b = first_visible_body(store, aid)
    store.add_annotation(block_id=b["id"], start=0, end=8, label="EVENT", annotator="ana")
    store.add_annotation(block_id=b["id"], start=10, end=20, label="ACTOR", annotator="ana")
    export_dataset(store, "jsonl", tmp_path / "x.jsonl", articles=[aid])
    (record,) = read_jsonl(tmp_path / "x.jsonl")
    for s in record["spans"]:
        del s["id"]
    record["spans"].append(dict(record["spans"][0], label="CLAIM"))  # a new one: imported
    path = write_jsonl(tmp_path / "noids.jsonl", [record])
    report = import_annotations(store, path, default_annotator="ana")
    assert (report.imported, report.unchanged, report.skipped) == (1, 2, 0), report.problems
    dups = store.db.execute(
        "select count(*) from (select 1 from annotations where deleted_at is null "
        "group by block_id, start, end, label, annotator having count(*) > 1)").fetchone()[0]
    assert dups == 0
    assert export_dataset(store, "jsonl", tmp_path / "y.jsonl", articles=[aid]).counts["spans"] == 3
    again = import_annotations(store, path, default_annotator="ana")
    assert (again.imported, again.unchanged) == (0, 3)


# ------------------------------------------------------ 13: concurrent imports
def _tagged_export(store: Store, tmp_path: Path) -> tuple[Path, int]:
    """Tag every visible body block of the seeds, export, then remove the spans for good."""
    n = 0
    for article in store.list_articles():
        for b in store.blocks(article["id"]):
            if b["visible"] and b["kind"] != "title" and len(b["text"]) > 12:
                for k in range(0, 12, 6):
                    store.add_annotation(block_id=b["id"], start=k, end=k + 5, label="EVENT",
                                         annotator="ana")
                    n += 1
    out = tmp_path / "all.jsonl"
    export_dataset(store, "jsonl", out)
    with store.transaction():
        store.db.execute("delete from annotations")
    return out, n


def test_an_import_racing_another_decides_inside_its_write_transaction(
        seeded_store: Store, seeded_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The other import commits the same ids between this one's first look and its write."""
    import tui.export.load as load

    out, n = _tagged_export(seeded_store, tmp_path)
    real = load._existing
    raced: list[bool] = []

    def existing_then_the_other_import_commits(store: Store, ids: list) -> dict:
        found = real(store, ids)
        if not raced:
            raced.append(True)
            with Store.open(seeded_db) as other:
                import_annotations(other, out, default_annotator="ben")
        return found

    monkeypatch.setattr(load, "_existing", existing_then_the_other_import_commits)
    report = import_annotations(seeded_store, out, default_annotator="ana")
    assert raced
    assert (report.imported, report.skipped) == (0, 0) and report.unchanged == n
    assert seeded_store.db.execute("select count(*) from annotations").fetchone()[0] == n


def test_two_import_processes_at_once_both_finish_without_a_traceback(
        seeded_store: Store, seeded_db: Path, tmp_path: Path) -> None:
    out, n = _tagged_export(seeded_store, tmp_path)
    seeded_store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    cmd = [sys.executable, "-m", "tui", "--db", str(seeded_db), "import-annotations", str(out)]
    procs = [subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for _ in range(2)]
    results = [p.communicate(timeout=120) + (p.returncode,) for p in procs]
    for _, err, rc in results:
        assert rc == 0 and "Traceback" not in err, err
    imported = sum(int(err.strip().splitlines()[-1].split()[0]) for _, err, _ in results)
    assert imported == n
    assert seeded_store.db.execute("select count(*) from annotations").fetchone()[0] == n


def test_counts_say_what_is_in_the_file(seeded_store: Store, tmp_path: Path) -> None:
    """csv, doccano, conll and brat claimed the links they do not hold, and conll
    counted the overlapping spans it leaves out (CLI QA, stop 17)."""
    from tui.link import link_store, set_link_status

    s = seeded_store
    link_store(s)
    link_id = s.db.execute("select id from links limit 1").fetchone()[0]
    set_link_status(s, link_id, "confirmed", "ana")
    block = next(b for b in s.blocks(s.list_articles()[0]["id"]) if b["visible"] and b["kind"] != "title")
    s.add_annotation(block_id=block["id"], start=0, end=10, label="EVENT", annotator="ana")
    s.add_annotation(block_id=block["id"], start=0, end=5, label="CLAIM", annotator="ana")  # overlaps
    counts = {fmt: export_dataset(s, fmt, tmp_path / f"d.{fmt}.out").counts
              for fmt in ("jsonl", "csv", "doccano", "conll", "brat", "parquet")}
    assert counts["jsonl"]["links"] == counts["parquet"]["links"] == 2  # an entry on each side
    assert all(counts[f]["links"] == 0 for f in ("csv", "doccano", "conll", "brat"))
    assert counts["jsonl"]["spans"] == 2 and counts["conll"]["spans"] == 1
    assert counts["conll"]["spans_left_out_by_format"] == 1
    report = export_dataset(s, "csv", tmp_path / "again.csv")
    assert "links" not in report.summary()


def test_spans_on_a_hidden_title_block_land_on_the_header_that_holds_its_words(
        seeded_store: Store, tmp_path: Path) -> None:
    """Hiding the title block left its words in the export (the header) but dropped
    the spans on them as "on hidden blocks" (CLI QA, stop 17)."""
    s = seeded_store
    article = s.list_articles()[0]
    title = next(b for b in s.blocks(article["id"]) if b["kind"] == "title")
    assert title["text"] == article["title"]
    span = s.add_annotation(block_id=title["id"], start=0, end=8, label="EVENT", annotator="ana")
    s.set_override(title["id"], False, "ana")
    report = export_dataset(s, "jsonl", tmp_path / "d.jsonl")
    record = json.loads((tmp_path / "d.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert record["id"] == article["id"]
    [out] = [x for x in record["spans"] if x["id"] == span["id"]]
    assert record["text"][out["start"]:out["end"]] == span["text"] and out["start"] == 0
    assert report.counts["spans_on_hidden_blocks"] == 0
