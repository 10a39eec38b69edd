"""Every bad input of the reliability issue, through the real command line.

Each case imports into a database that already holds the seeds and checks the
contract: one line on stderr saying what is wrong and what to do, exit status
2, no traceback, and the stored articles and annotations exactly as before.
"""

from __future__ import annotations

import http.server
import os
import shutil
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import ROOT
from tui.store import SCHEMA_VERSION, Store


def run(*args: str, db: Path, timeout: int = 120) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PARALLAX_ANNOTATOR": "tester"}
    return subprocess.run([sys.executable, "-m", "tui", "--db", str(db), *args], capture_output=True,
                          text=True, timeout=timeout, cwd=ROOT, env=env)


def snapshot(db: Path) -> tuple:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return tuple(conn.execute(f"select * from {t} order by 1").fetchall()
                     for t in ("articles", "blocks", "passages", "annotations", "labels"))
    finally:
        conn.close()


@pytest.fixture
def annotated_db(seeded_db: Path, tmp_path: Path) -> Path:
    """The seeds plus one annotation: the work a bad input must never touch."""
    db = tmp_path / "work.db"
    shutil.copy(seeded_db, db)
    store = Store.open(db)
    block = next(b for b in store.blocks(store.list_articles()[0]["id"]) if b["visible"])
    store.add_annotation(block_id=block["id"], start=0, end=8, label="EVENT", annotator="tester")
    store.close()
    return db


def assert_one_line_error(proc: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("parallax: error:")]
    assert errors and any(fragment in ln for ln in errors), proc.stderr[-2000:]


def _write(name: str, data: bytes | str) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        p = folder / name
        if isinstance(data, bytes):
            p.write_bytes(data)
        else:
            p.write_text(data, encoding="utf-8")
        return p
    return make


def _nested_junk(folder: Path) -> Path:
    p = folder / "nested.html"
    p.write_text("<html><body>" + "<div><span>" * 6000 + "junk" + "</span></div>" * 6000
                 + "</body></html>", encoding="utf-8")
    return p


def _big_file(folder: Path) -> Path:
    p = folder / "huge.txt"
    line = ("The council met again on Tuesday to discuss the budget for the coming year. " * 20) + "\n\n"
    with p.open("w", encoding="utf-8") as fh:
        while fh.tell() < 50 * 1024 * 1024:
            fh.write(line)
    return p


def _fifo(folder: Path) -> Path:
    p = folder / "pipe.txt"
    os.mkfifo(p)
    return p


CASES = {
    "empty": (_write("empty.txt", b""), "is empty"),
    "whitespace only": (_write("blank.md", "  \n\n\t\n"), "is empty"),
    "binary": (_write("image.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 40), "binary"),
    "only NULs and controls": (_write("nul.txt", b"\x00" * 4096), "binary"),
    "unknown extension": (_write("notes.docx", b"PK\x03\x04"), "unsupported file type"),
    "50 MB text file": (_big_file, "limit"),
    "one 5 MB line": (_write("oneline.txt", "word " * 1_000_000), "single line"),
    "HTML without a body": (_write("nobody.html", "<html><head><title>x</title></head></html>"), "no article text"),
    "deeply nested junk HTML": (_nested_junk, "no article text"),
    "a named pipe": (_fifo, "not a regular file"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_file_gives_one_line_and_keeps_the_store(case: str, annotated_db: Path, tmp_path: Path) -> None:
    make, fragment = CASES[case]
    before = snapshot(annotated_db)
    bad = make(tmp_path)
    proc = run("import", str(bad), db=annotated_db)
    assert_one_line_error(proc, fragment)
    assert snapshot(annotated_db) == before


def test_bad_file_in_a_batch_does_not_stop_the_good_ones(annotated_db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "batch"
    folder.mkdir()
    (folder / "a_empty.txt").write_bytes(b"")
    (folder / "b_good.txt").write_text(
        "Storm closes port\n\nHeavy winds closed the port of Calais on Monday, officials said, "
        "and ferries were held in harbour until the evening.\n", encoding="utf-8")
    (folder / "c_binary.txt").write_bytes(b"\x00\x01\x02\x03" * 1000)
    before = snapshot(annotated_db)
    proc = run("import", str(folder), db=annotated_db)
    assert proc.returncode == 2 and "1 imported" in proc.stderr and "2 skipped" in proc.stderr
    after = snapshot(annotated_db)
    assert after[3] == before[3]  # annotations untouched
    assert len(after[0]) == len(before[0]) + 1


def test_stray_nul_bytes_are_dropped_not_stored(store: Store, tmp_path: Path) -> None:
    from tui.importer import import_paths

    p = tmp_path / "nul.txt"
    p.write_bytes(b"Flood in Town\n\nThe river rose\x00 overnight and streets were closed by police on Monday.\n")
    report = import_paths(store, [p])
    assert report.count("imported") == 1
    assert "\x00" not in "".join(b["text"] for b in store.blocks(report.results[0].article_id))


def test_malformed_jsonl_lines_are_reported_by_number(annotated_db: Path, tmp_path: Path) -> None:
    p = tmp_path / "feed.jsonl"
    good = '{"text": "Quake hits coast\\n\\nA strong earthquake struck the coast on Friday, officials said, and thousands left their homes.", "outlet": "Wire"}'
    p.write_text("\n".join([good, "{not json", '["a list"]', '{"title": "no text"}']) + "\n", encoding="utf-8")
    proc = run("import", str(p), db=annotated_db)
    assert proc.returncode == 2
    for line in (2, 3, 4):
        assert f"feed.jsonl:{line}:" in proc.stderr
    assert "1 imported" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    ("toml", "fragment"),
    [
        ('[[labels]]\nname = "A"\nkey = "1"\ncolor = "#ff0000"\n[[labels]]\nname = "B"\nkey = "1"\ncolor = "#00ff00"\n', "key"),
        ('[[labels]]\nname = "A"\nkey = "1"\ncolor = "red-ish"\n', "color"),
        ('[[labels]]\nname = "A"\nname = "B"\n', "schema"),
        ("this is = not [toml", "schema"),
    ],
)
def test_bad_schema_files(toml: str, fragment: str, annotated_db: Path, tmp_path: Path) -> None:
    schema = tmp_path / "team.toml"
    schema.write_text(toml, encoding="utf-8")
    before = snapshot(annotated_db)
    assert_one_line_error(run("--schema", str(schema), "labels", db=annotated_db), fragment)
    assert snapshot(annotated_db) == before


def test_missing_and_unreadable_paths(annotated_db: Path, tmp_path: Path) -> None:
    assert_one_line_error(run("import", str(tmp_path / "nope.txt"), db=annotated_db), "no such file")
    if sys.platform.startswith("linux"):
        link = tmp_path / "unreadable.txt"
        link.symlink_to("/proc/self/mem")  # stat() works, read() fails with EIO, even as root
        assert_one_line_error(run("import", str(link), db=annotated_db), "cannot read")
    if os.geteuid() != 0:
        locked = tmp_path / "locked.txt"
        locked.write_text("text", encoding="utf-8")
        locked.chmod(0)
        assert_one_line_error(run("import", str(locked), db=annotated_db), "permission denied")


def test_database_from_a_newer_version_is_refused_untouched(annotated_db: Path) -> None:
    conn = sqlite3.connect(annotated_db)
    conn.execute("update parallax_meta set value = ? where key = 'schema_version'", [str(SCHEMA_VERSION + 1)])
    conn.commit()
    conn.close()
    data = annotated_db.read_bytes()
    assert_one_line_error(run("list", db=annotated_db), "newer Parallax")
    assert annotated_db.read_bytes() == data


def test_control_sequences_never_reach_the_terminal(db_path: Path, tmp_path: Path) -> None:
    p = tmp_path / "hostile.txt"
    p.write_text("\x1b]0;pwned\x07Bridge \x1b[2Jto reopen\x1b[31m in May after repairs\n\n"
                 "The council said on Monday\x1b[?1049h that the bridge would \x9b2J reopen in May, "
                 "after repairs to its deck were finished.\n", encoding="utf-8")
    assert run("import", str(p), db=db_path).returncode == 0
    outputs = [run("list", db=db_path).stdout, run("list", "--json", db=db_path).stdout,
               run("clean", "--json", str(p), db=db_path).stdout,
               run("clean", "--explain", str(p), db=db_path).stdout,
               run("search", "council", db=db_path).stdout]
    for out in outputs:
        assert "\x1b" not in out and "\x9b" not in out and "\x07" not in out
    assert "Bridge to reopen in May after repairs" in outputs[0]


def test_html_import_never_touches_the_network(store: Store, tmp_path: Path) -> None:
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server API
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"<p>fetched</p>")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    page = tmp_path / "page.html"
    page.write_text(
        f'<!DOCTYPE html SYSTEM "{base}/dtd"><html><head><link rel="stylesheet" href="{base}/css">'
        f'<script src="{base}/js"></script><meta http-equiv="refresh" content="0; url={base}/go">'
        f'<title>Bridge reopens</title></head><body><article><h1>Bridge reopens</h1>'
        f'<iframe src="{base}/frame"></iframe><img src="{base}/img.png">'
        "<p>The city's main bridge reopened on Monday after eight months of repairs, the mayor said, "
        "and traffic returned to normal by the evening rush hour.</p>"
        "<p>Engineers replaced the deck and two of the supporting piers, at a cost of 40 million euros.</p>"
        "</article></body></html>", encoding="utf-8")
    from tui.importer import import_paths

    try:
        report = import_paths(store, [page])
    finally:
        server.shutdown()
    assert report.count("imported") == 1
    assert hits == []


GOOD_TEXT = ("Storm closes port\n\nHeavy winds closed the port of Calais on Monday, officials said, "
             "and ferries were held in harbour until the evening.\n")


def test_json_nested_too_deeply_is_one_bad_line(annotated_db: Path, tmp_path: Path) -> None:
    """json.loads raises RecursionError, not a decode error, on deep nesting: it used to
    stop the whole batch with a traceback, before the good files were stored."""
    folder = tmp_path / "feed"
    folder.mkdir()
    (folder / "a_good.txt").write_text(GOOD_TEXT, encoding="utf-8")
    (folder / "b_deep.jsonl").write_text(
        "[" * 200_000 + "]" * 200_000 + "\n"
        + '{"text": "Ferries sail again\\n\\nThe port of Calais reopened on Tuesday after the storm, '
          'and the first ferries left at dawn."}\n', encoding="utf-8")
    before = snapshot(annotated_db)
    proc = run("import", str(folder), db=annotated_db)
    assert_one_line_error(proc, "b_deep.jsonl:1: not valid JSON for an article (nested too deeply)")
    assert "2 imported" in proc.stderr
    assert len(snapshot(annotated_db)[0]) == len(before[0]) + 2


def test_file_name_that_is_not_utf8_is_imported_and_shown_escaped(annotated_db: Path,
                                                                   tmp_path: Path) -> None:
    folder = tmp_path / "names"
    folder.mkdir()
    odd = os.fsencode(folder) + b"/caf\xe9.txt"
    with open(odd, "wb") as fh:
        fh.write(GOOD_TEXT.encode())
    (folder / "z_next.txt").write_text(GOOD_TEXT.replace("Calais", "Dover"), encoding="utf-8")
    proc = run("import", str(folder), "--json", db=annotated_db)
    assert proc.returncode == 0, proc.stderr
    assert "2 imported" in proc.stderr
    paths = [ln for ln in proc.stdout.splitlines() if "caf" in ln]
    assert paths and "caf\\\\xe9.txt" in paths[0]  # the odd byte as an escape, in JSON
    conn = sqlite3.connect(annotated_db)
    stored = [r[0] for r in conn.execute("select path from articles where path like '%caf%'")]
    conn.close()
    assert stored == [str(folder) + "/caf\\xe9.txt"]


def test_jsonl_field_of_the_wrong_type_is_reported_not_guessed(annotated_db: Path,
                                                                tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    lines = [
        {"text": GOOD_TEXT, "title": {"a": 1}},
        {"text": GOOD_TEXT.replace("Calais", "Dover"), "outlet": ["Daily"]},
        {"text": GOOD_TEXT.replace("Calais", "Hull"), "byline": True},
        {"text": GOOD_TEXT.replace("Calais", "Ostend"), "title": "Ostend storm", "outlet": None},
        {"text": GOOD_TEXT.replace("Calais", "Oslo"), "date": 20231101},  # numbers: as ever, their text
    ]
    import json

    feed.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    proc = run("import", str(feed), db=annotated_db)
    assert_one_line_error(proc, 'feed.jsonl:1: field "title" is an object, not a string')
    assert 'feed.jsonl:2: field "outlet" is a list' in proc.stderr
    assert 'feed.jsonl:3: field "byline" is true/false' in proc.stderr
    assert "2 imported" in proc.stderr  # null is "not stated", not a mistake


def test_folder_without_articles_is_an_error(annotated_db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "readme.rst").write_text("nothing to import", encoding="utf-8")
    before = snapshot(annotated_db)
    assert_one_line_error(run("import", str(folder), db=annotated_db), "has no .txt, .md, .html")
    assert_one_line_error(run("clean", str(folder), db=annotated_db), "has no .txt, .md, .html")
    assert snapshot(annotated_db) == before


def test_empty_non_database_file_is_not_turned_into_one(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_bytes(b"")
    assert_one_line_error(run("list", db=notes), "is an empty file, not a database")
    assert notes.read_bytes() == b""


def test_ambiguous_article_prefix_says_so(annotated_db: Path, tmp_path: Path) -> None:
    folder = tmp_path / "more"
    folder.mkdir()
    for k in range(12):  # 17 articles with hex ids: two share a first digit
        (folder / f"{k}.txt").write_text(GOOD_TEXT.replace("Calais", f"Port {k}"), encoding="utf-8")
    assert run("import", str(folder), db=annotated_db).returncode == 0
    conn = sqlite3.connect(annotated_db)
    ids = [r[0] for r in conn.execute("select id from articles")]
    conn.close()
    shared = next(d for d in "0123456789abcdef" if sum(i.startswith(d) for i in ids) > 1)
    proc = run("blocks", shared, db=annotated_db)
    assert_one_line_error(proc, "is ambiguous")
    assert all(i in proc.stderr for i in ids if i.startswith(shared))


def test_override_options_and_ids_are_checked_before_anything_changes(annotated_db: Path) -> None:
    conn = sqlite3.connect(annotated_db)
    block = conn.execute("select id from blocks order by rowid limit 1").fetchone()[0]
    conn.close()
    before = snapshot(annotated_db)
    assert_one_line_error(run("override", block, "--show", "--hide", db=annotated_db),
                          "--show and --hide cannot be combined")
    assert_one_line_error(run("override", block, block[:-4] + "9999", "--hide", db=annotated_db),
                          "nothing was changed")
    assert snapshot(annotated_db) == before


def test_blank_annotator_and_bad_jobs_are_refused(annotated_db: Path, tmp_path: Path) -> None:
    assert_one_line_error(run("--annotator", "   ", "list", db=annotated_db), "--annotator")
    env_run = subprocess.run(
        [sys.executable, "-m", "tui", "--db", str(annotated_db), "import", str(tmp_path)],
        capture_output=True, text=True, cwd=ROOT,
        env={"PATH": os.environ.get("PATH", ""), "PARALLAX_JOBS": "many"})
    assert env_run.returncode == 2 and "Traceback" not in env_run.stderr
    assert "PARALLAX_JOBS" in env_run.stderr


def test_database_named_in_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    """The header probe opens the file by URI: the name must go in as its bytes."""
    name = os.fsdecode(os.fsencode(tmp_path) + b"/caf\xe9.db")
    first = run("import", str(ROOT / "seeds"), db=Path(name))
    assert first.returncode == 0, first.stderr
    for _ in range(2):  # opened again, as an existing database
        again = run("list", "--json", db=Path(name))
        assert again.returncode == 0 and "Traceback" not in again.stderr, again.stderr
    import json

    assert len(json.loads(again.stdout)) == 5


def test_empty_id_matches_nothing(annotated_db: Path) -> None:
    """An empty prefix is a prefix of every id: it used to edit the only article of a database."""
    before = snapshot(annotated_db)
    assert_one_line_error(run("meta", "", "--outlet", "Oops", db=annotated_db), "no article id given")
    assert_one_line_error(run("link-status", " ", "confirmed", db=annotated_db), "no link id given")
    assert snapshot(annotated_db) == before


def test_a_block_given_twice_is_overridden_and_audited_once(annotated_db: Path) -> None:
    conn = sqlite3.connect(annotated_db)
    block = conn.execute("select id from blocks where keep = 1 order by rowid limit 1").fetchone()[0]
    conn.close()
    assert run("override", block, block, "--hide", db=annotated_db).returncode == 0
    conn = sqlite3.connect(annotated_db)
    audits = conn.execute("select before, after from audit where action = 'override' and target = ?",
                          [block]).fetchall()
    conn.close()
    assert audits == [('{"override": null}', '{"override": 0}')]


def test_export_never_replaces_a_database_or_a_pipe(annotated_db: Path, tmp_path: Path) -> None:
    """``--out`` the database being exported replaced it with the export: every annotation
    gone, exit 0. A teammate's database, a named pipe: the same. Now one line, exit 2."""
    other = tmp_path / "teammate.db"
    shutil.copy(annotated_db, other)
    before, before_other = snapshot(annotated_db), snapshot(other)
    for out in (annotated_db, other):
        for fmt in ("jsonl", "csv", "parquet"):
            proc = run("export", "--format", fmt, "--out", str(out), db=annotated_db)
            assert_one_line_error(proc, "is an SQLite database")
    fifo = tmp_path / "pipe.jsonl"
    os.mkfifo(fifo)
    assert_one_line_error(run("export", "--out", str(fifo), db=annotated_db), "not a regular file")
    assert snapshot(annotated_db) == before and snapshot(other) == before_other
    assert fifo.is_fifo()


def test_a_lock_held_too_long_or_a_full_disk_is_one_line_not_a_traceback(
        annotated_db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """sqlite3.OperationalError (a lock held past the busy timeout, a full disk, a
    read-only file) ended in a traceback with exit 1; the stored work was fine."""
    from tui.cli.main import main

    article = Store.open(annotated_db).list_articles()[0]["id"]
    before = snapshot(annotated_db)
    holder = sqlite3.connect(annotated_db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another program writing, and writing, and writing
    # the CLI waits 15 s for a lock; a test need not
    monkeypatch.setitem(Store.open.__func__.__kwdefaults__, "busy_timeout_ms", 200)
    try:
        with pytest.raises(SystemExit) as exit_info:
            main(["--db", str(annotated_db), "meta", article, "--outlet", "Changed"])
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and "Traceback" not in err
    assert err.count("\n") == 1 and "another program is writing to the database" in err

    def full(*args: object, **kwargs: object) -> None:
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(Store, "update_meta", full)
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", str(annotated_db), "meta", article, "--outlet", "Changed"])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and err.startswith("parallax: error: the disk holding the database is full")
    assert snapshot(annotated_db) == before


def test_a_database_this_user_may_not_write_is_read_leaving_nothing_behind(
        annotated_db: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """A teammate reading a shared file left -wal and -shm files they owned beside it,
    and every write of the file's owner failed (with a traceback) until someone deleted
    them. Reads now create nothing; a write says the file is read-only for this user."""
    import tui.store as store_module
    from tui.cli.main import main

    with Store.open(annotated_db) as s:
        article = s.list_articles()[0]["id"]
    before = snapshot(annotated_db)  # the last connection closed: no -wal, no -shm
    assert not Path(f"{annotated_db}-wal").exists()
    monkeypatch.setattr(store_module, "_writable", lambda path: False)  # the test runs as root
    main(["--db", str(annotated_db), "list"])
    assert "Zelensky" in capsys.readouterr().out
    assert not Path(f"{annotated_db}-wal").exists() and not Path(f"{annotated_db}-shm").exists()
    with pytest.raises(SystemExit) as exit_info:
        main(["--db", str(annotated_db), "meta", article, "--outlet", "Changed"])
    err = capsys.readouterr().err
    assert exit_info.value.code == 2 and "read-only for you" in err and "Traceback" not in err
    assert not Path(f"{annotated_db}-wal").exists() and not Path(f"{annotated_db}-shm").exists()
    assert snapshot(annotated_db) == before


def test_importing_a_dataset_export_as_articles_is_refused_with_the_right_command(
        annotated_db: Path, tmp_path: Path) -> None:
    """`import` of an export made each record a copy of its own article (spans and
    metadata dropped without a word, the copy later linked to its original)."""
    data = tmp_path / "data.jsonl"
    assert run("export", "--out", str(data), db=annotated_db).returncode == 0
    before = snapshot(annotated_db)
    proc = run("import", str(data), db=annotated_db)
    assert_one_line_error(proc, "parallax import-annotations")
    assert len([ln for ln in proc.stderr.splitlines() if ln.startswith("parallax: error:")]) == 1
    assert snapshot(annotated_db) == before


def test_a_jsonl_feed_over_the_article_limit_is_read_article_by_article(store: Store, tmp_path: Path) -> None:
    """The 20 MB limit is for one article: a feed of many articles was refused whole
    (and the app has no --max-mb); one line over the limit is reported, not the rest."""
    import json

    from tui.ingest import read_path
    from tui.model import RawDocument

    feed = tmp_path / "feed.jsonl"
    body = " ".join(["Officials said the storm closed the port on Monday."] * 60)
    with feed.open("w", encoding="utf-8") as fh:
        for i in range(40):
            fh.write(json.dumps({"text": f"Story {i}\n\n{body}", "title": f"Story {i}"}) + "\n")
        fh.write(json.dumps({"text": "x" * 200_000}) + "\n")
    limit = 100_000  # bytes; the feed is about 1.3 MB, each story 3 KB
    got = list(read_path(feed, max_bytes=limit))
    docs = [g for g in got if isinstance(g, RawDocument)]
    problems = [g for g in got if not isinstance(g, RawDocument)]
    assert len(docs) == 40
    assert len(problems) == 1 and problems[0].line == 41 and "limit for one article" in problems[0].reason
