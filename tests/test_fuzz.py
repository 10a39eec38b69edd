"""Property tests: no input file can make the importer raise or corrupt the store."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tui.errors import UserError
from tui.importer import import_paths
from tui.ingest.decode import decode_bytes
from tui.store import Store

FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])

text_like = st.one_of(
    st.binary(max_size=2000),
    st.text(max_size=2000).map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.text(max_size=800).map(lambda s: s.encode("utf-16", "surrogatepass")),
    st.lists(st.sampled_from([b"<p>", b"</p>", b"<div>", b"\n\n", b"# ", b"> ", b"- ", b"\x1b[2J",
                              b"word ", b"Sentence. ", b"{\"text\": \"a\"}", b"\x00", b"\xff"]),
             max_size=300).map(b"".join),
)


@FUZZ
@given(data=st.binary(max_size=4000))
def test_decode_only_raises_user_errors(data: bytes) -> None:
    try:
        text, encoding, _ = decode_bytes(data, "f")
    except UserError as exc:
        assert "\n" not in exc.message
    else:
        assert isinstance(text, str) and encoding


@FUZZ
@given(data=text_like, ext=st.sampled_from([".txt", ".md", ".html", ".jsonl"]))
def test_import_never_raises_and_store_stays_consistent(data: bytes, ext: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        f = folder / f"input{ext}"
        f.write_bytes(data)
        store = Store.open(folder / "f.db")
        store.ensure_schema(None, None, "fuzz")
        report = import_paths(store, [f])
        for r in report.results:
            assert r.status in {"imported", "error"}
            assert "\n" not in r.reason
        assert store.db.execute("pragma integrity_check").fetchone()[0] == "ok"
        for row in store.list_articles():
            assert row["blocks"] > 0
        stored = "".join(r[0] for r in store.db.execute("select text from blocks"))
        assert "\x1b" not in stored and "\x00" not in stored
        store.close()


_SEEDED: dict[str, Path] = {}


def _seeded_copy(folder: Path) -> Store:
    """A private copy of a seeded database (imported once per session)."""
    import shutil

    from conftest import SEEDS

    if "path" not in _SEEDED:
        template = Path(tempfile.mkdtemp()) / "seeded.db"
        s = Store.open(template)
        s.ensure_schema(None, None, "fuzz")
        import_paths(s, [SEEDS])
        s.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        s.close()
        _SEEDED["path"] = template
    target = folder / "f.db"
    shutil.copy(_SEEDED["path"], target)
    return Store.open(target)


span_specs = st.lists(
    st.tuples(st.integers(0, 10_000), st.floats(0, 1), st.floats(0, 1),
              st.sampled_from(["EVENT", "CLAIM", "QUOTE", "ACTOR", "PLACE"]),
              st.sampled_from(["ana", "ben", "çé 名前"]),
              st.one_of(st.none(), st.text(max_size=40)), st.booleans()),
    max_size=25,
)


@FUZZ
@given(specs=span_specs)
def test_export_offsets_always_match_the_text(specs: list) -> None:
    """Any set of spans, on any blocks (kept or hidden), with any notes and names:
    every exported span satisfies text[start:end] == span.text, in every text format."""
    import csv
    import json

    from tui.export import export_dataset

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        store = _seeded_copy(folder)
        blocks = [b for b in store.db.query("select id, text from blocks order by id") if len(b["text"]) > 1]
        live = 0
        for index, a, b, label, who, note, delete in specs:
            block = blocks[index % len(blocks)]
            start = int(a * (len(block["text"]) - 1))
            end = start + 1 + int(b * (len(block["text"]) - start - 1))
            try:
                row = store.add_annotation(block_id=block["id"], start=start, end=end, label=label,
                                           annotator=who, note=note)
            except UserError:  # the same span, label and annotator twice: refused, as in the app
                continue
            if delete:
                store.delete_annotation(row["id"], who)
            else:
                live += 1
        report = export_dataset(store, "jsonl", folder / "out.jsonl")
        records = [json.loads(line) for line in (folder / "out.jsonl").read_text(encoding="utf-8").splitlines()]
        assert len(records) == 5
        for rec in records:
            for span in rec["spans"]:
                assert rec["text"][span["start"]:span["end"]] == span["text"]
        assert report.counts["spans"] + report.counts.get("spans_on_hidden_blocks", 0) == live
        export_dataset(store, "csv", folder / "out.csv")
        with (folder / "out.csv").open(encoding="utf-8", newline="") as fh:
            assert len(list(csv.DictReader(fh))) == report.counts["spans"]
        export_dataset(store, "doccano", folder / "out.doccano.jsonl")
        for line in (folder / "out.doccano.jsonl").read_text(encoding="utf-8").splitlines():
            rec = json.loads(line)
            for start, end, _label in rec["label"]:
                assert 0 <= start < end <= len(rec["text"])
        store.close()
