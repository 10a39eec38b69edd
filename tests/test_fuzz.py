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
