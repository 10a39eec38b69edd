"""Reading files: formats, encodings, idempotence and every bad input."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

from conftest import SEEDS
from tui.errors import UserError
from tui.importer import import_paths
from tui.ingest import Problem, read_path
from tui.ingest.decode import decode_bytes
from tui.store import Store

ARTICLE = (
    "Quake strikes coastal town\n\n"
    "A magnitude 6.1 earthquake struck the coastal town of Ferndale on Tuesday, "
    "officials said, damaging dozens of homes and cutting power to thousands.\n\n"
    "Rescue teams worked through the night. No deaths were reported, the county "
    "sheriff said in a statement on Wednesday morning.\n"
)


def snapshot(store: Store) -> dict[str, list]:
    """Every row of every content table, to prove a failed import changed nothing."""
    tables = ["articles", "blocks", "passages", "annotations", "labels"]
    return {t: list(store.db.query(f"select * from {t} order by rowid")) for t in tables}


def docs(path: Path) -> list:
    return list(read_path(path))


# ------------------------------------------------------------------ decoding
@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (codecs.BOM_UTF8 + "Café news.".encode(), "utf-8"),
        (codecs.BOM_UTF16_LE + "Café news.".encode("utf-16-le"), "utf-16-le"),
        (codecs.BOM_UTF16_BE + "Café news.".encode("utf-16-be"), "utf-16-be"),
        ("Café news.".encode("utf-16-le"), "utf-16-le"),
    ],
)
def test_decodes_boms_and_bomless_utf16(data: bytes, encoding: str) -> None:
    text, used, _ = decode_bytes(data, "f.txt")
    assert text == "Café news."
    assert used == encoding


def test_legacy_encoding_falls_back_to_cp1252_and_says_so() -> None:
    text, used, note = decode_bytes("Zelensky’s “plan” costs €5.".encode("cp1252"), "f.txt")
    assert text == "Zelensky’s “plan” costs €5."
    assert used == "cp1252"
    assert "cp1252" in note


def test_binary_and_empty_are_refused() -> None:
    with pytest.raises(UserError, match="binary"):
        decode_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10, "img.txt")
    with pytest.raises(UserError, match="empty"):
        decode_bytes(b"  \n", "e.txt")


# ------------------------------------------------------------------ formats
def test_seeds_import_with_titles_outlets_and_date(store: Store) -> None:
    report = import_paths(store, [SEEDS])
    assert report.count("imported") == 5 and not report.problems
    by_path = {Path(r["path"]).name[:3]: r for r in store.list_articles()}
    assert by_path["000"]["title"] == "Zelensky pushes ‘accelerated’ application for Ukraine NATO membership"
    assert by_path["000"]["outlet"] == "The Washington Post"
    assert by_path["001"]["title"] == "Blow to Zelensky As NATO Shows No Sign of Endorsing Ukraine Membership"
    assert by_path["001"]["outlet"] == "Newsweek"
    assert by_path["002"]["title"] == "Zelensky says kyiv’s NATO membership ‘feasible’"
    assert by_path["002"]["outlet"] is None
    assert by_path["003"]["title"] == "Ukraine asks NATO for membership invite next week, letter shows"
    assert by_path["003"]["outlet"] == "The Jerusalem Post"
    assert by_path["004"]["date"] == "2023-06-02"
    assert by_path["004"]["title"] and by_path["004"]["title_derived"] == 1
    first_block = store.blocks(by_path["004"]["id"])[0]["text"]
    assert "date 2023-06-02" not in first_block and first_block.startswith("President")


def test_reimport_changes_nothing(store: Store) -> None:
    import_paths(store, [SEEDS])
    before = snapshot(store)
    report = import_paths(store, [SEEDS])
    assert report.count("unchanged") == 5 and report.count("imported") == 0
    assert snapshot(store) == before


def test_markdown_is_parsed_into_blocks(store: Store, tmp_path: Path) -> None:
    md = tmp_path / "a.md"
    md.write_text(
        "# Quake strikes coastal town\n\n"
        "A magnitude 6.1 earthquake struck the coastal town of Ferndale on Tuesday, officials "
        "said, damaging dozens of homes and cutting power to [thousands](http://x.test/a).\n\n"
        "## Rescue\n\n"
        "> Rescue teams worked through the night, the county sheriff said in a statement.\n\n"
        "- No deaths were reported in the town or the surrounding county, officials said.\n",
        encoding="utf-8",
    )
    report = import_paths(store, [md])
    assert report.count("imported") == 1, report.results
    article = store.list_articles()[0]
    assert article["title"] == "Quake strikes coastal town"
    texts = [b["text"] for b in store.blocks(article["id"])]
    assert any(t.endswith("cutting power to thousands.") for t in texts)  # link syntax stripped
    assert "Rescue" in texts
    assert not any(t.startswith(("#", ">", "-")) for t in texts)


def test_html_is_extracted(store: Store, tmp_path: Path) -> None:
    page = tmp_path / "a.html"
    page.write_text(
        "<html><head><title>Quake strikes coastal town | Daily Bugle</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/world'>World</a></nav><article>"
        "<h1>Quake strikes coastal town</h1>"
        f"<p>{ARTICLE.splitlines()[2]}</p><p>{ARTICLE.splitlines()[4]}</p>"
        "</article><footer>© 2024 Daily Bugle. All rights reserved.</footer></body></html>",
        encoding="utf-8",
    )
    report = import_paths(store, [page])
    assert report.count("imported") == 1, report.results
    article = store.list_articles()[0]
    visible = [b["text"] for b in store.blocks(article["id"]) if b["visible"]]
    assert any("magnitude 6.1" in t for t in visible)
    assert not any("All rights reserved" in t for t in visible)


def test_jsonl_imports_good_lines_and_reports_bad_ones(store: Store, tmp_path: Path) -> None:
    feed = tmp_path / "feed.jsonl"
    good = {"text": ARTICLE, "title": "Quake", "outlet": "Daily Bugle", "date": "2024-01-02"}
    good2 = {"html": f"<html><body><article><p>{ARTICLE.splitlines()[2]}</p></article></body></html>",
             "outlet": "The Globe"}
    feed.write_text(
        json.dumps(good) + "\n{not json\n" + json.dumps({"title": "no text"}) + "\n" + json.dumps(good2) + "\n",
        encoding="utf-8",
    )
    report = import_paths(store, [feed])
    assert report.count("imported") == 2
    problems = [r.path for r in report.problems]
    assert problems == [f"{feed}:2", f"{feed}:3"]
    rows = {r["outlet"]: r for r in store.list_articles()}
    assert rows["Daily Bugle"]["title"] == "Quake" and rows["Daily Bugle"]["date"] == "2024-01-02"
    assert "The Globe" in rows


def test_folders_are_walked_recursively_and_other_files_ignored(store: Store, tmp_path: Path) -> None:
    (tmp_path / "a" / "b").mkdir(parents=True)
    (tmp_path / "a" / "b" / "deep.txt").write_text(ARTICLE, encoding="utf-8")
    (tmp_path / "a" / "photo.jpg").write_bytes(b"\xff\xd8\xff")
    report = import_paths(store, [tmp_path / "a"])
    assert [r.status for r in report.results] == ["imported"]


def test_control_sequences_never_reach_the_store(store: Store, tmp_path: Path) -> None:
    f = tmp_path / "evil.txt"
    f.write_text("Title\x1b]0;pwned\x07 here\n\n" + ARTICLE.replace("Rescue", "\x1b[2JRescue"), encoding="utf-8")
    import_paths(store, [f])
    rows = list(store.db.query("select text from blocks union all select title from articles"))
    assert rows and not any("\x1b" in (r.get("text") or r.get("title") or "") for r in rows)


# ------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty"),
        ("blank.md", b"\n\n  \n", "empty"),
        ("binary.txt", b"\x00\x01\x02\x03" * 64 + b"\x00\x00", "binary"),
        ("notes.docx", b"PK\x03\x04", "unsupported file type"),
    ],
)
def test_bad_files_are_reported_and_store_untouched(
    store: Store, tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    import_paths(store, [SEEDS])
    before = snapshot(store)
    bad = tmp_path / name
    bad.write_bytes(content)
    report = import_paths(store, [bad, SEEDS])
    assert [r.status for r in report.results if r.path == str(bad)] == ["error"]
    assert reason in report.problems[0].reason
    assert snapshot(store) == before


def test_missing_path_is_reported(store: Store, tmp_path: Path) -> None:
    report = import_paths(store, [tmp_path / "nope.txt"])
    assert report.problems and "no such file" in report.problems[0].reason


def test_read_path_yields_problem_not_exception(tmp_path: Path) -> None:
    f = tmp_path / "huge.txt"
    f.write_text("word " * 1000, encoding="utf-8")
    items = list(read_path(f, max_bytes=100))
    assert isinstance(items[0], Problem) and "limit" in items[0].reason


def test_mixed_encodings_decode_line_by_line() -> None:
    data = "Zelensky’s “plan”\n".encode() + "café crème\n".encode("cp1252")
    text, used, note = decode_bytes(data, "mixed.txt")
    assert text == "Zelensky’s “plan”\ncafé crème\n"
    assert "mixed encodings" in note and used == "utf-8+cp1252"


def test_progress_counts_each_line_of_a_jsonl_feed(store: Store, tmp_path: Path) -> None:
    """A feed of thousands of articles is one file: progress goes by line, so
    the bar moves while it imports, and ends at the total."""
    feed = tmp_path / "feed.jsonl"
    lines = [json.dumps({"text": f"Harbour vote {i}\n\nThe council approved harbour plan {i} on Monday, "
                                 "officials said, after a long debate."}) for i in range(6)]
    feed.write_text("\n".join(lines[:2] + ["{broken", ""] + lines[2:]) + "\n", encoding="utf-8")
    (tmp_path / "one.txt").write_text(ARTICLE, encoding="utf-8")
    calls: list[tuple[int, int, str]] = []
    report = import_paths(store, [tmp_path], progress=lambda d, t, n: calls.append((d, t, n)))
    assert report.count("imported") == 7 and report.count("error") == 1
    assert [d for d, _t, _n in calls] == list(range(9))  # 7 feed lines + 1 file, then the end
    assert {t for _d, t, _n in calls} == {8}
    assert calls[0][2].endswith("feed.jsonl:1") and calls[2][2].endswith("feed.jsonl:3")  # the bad line
    assert calls[7][2].endswith("one.txt")
    assert calls[-1] == (8, 8, "")
