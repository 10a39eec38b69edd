"""The command line contract of DESIGN.md, run as a user runs it (subprocess)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SEEDS

SEED_FILES = sorted(SEEDS.glob("*.txt"))


def run(*args: str, db: Path | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "tui"]
    if db is not None:
        cmd += ["--db", str(db)]
    return subprocess.run(cmd + list(args), capture_output=True, text=True, cwd=cwd, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "PARALLAX_ANNOTATOR": "tester"})


def assert_user_error(proc: subprocess.CompletedProcess[str], fragment: str) -> None:
    assert proc.returncode == 2, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert "Traceback" not in proc.stderr
    assert any(fragment in line and line.startswith("parallax: error:") for line in lines), proc.stderr


def test_import_then_list_json(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    first = run("import", str(SEEDS), db=db)
    assert first.returncode == 0, first.stderr
    assert "5 imported" in first.stderr
    listing = json.loads(run("list", "--json", db=db).stdout)
    assert len(listing) == 5
    assert set(listing[0]) >= {"id", "title", "outlet", "date", "path", "blocks", "kept_blocks", "annotations"}
    assert {r["outlet"] for r in listing} == {"The Washington Post", "Newsweek", "The Jerusalem Post", None}
    assert "2023-06-02" in {r["date"] for r in listing}
    again = run("import", str(SEEDS), db=db)
    assert again.returncode == 0 and "0 imported, 5 unchanged" in again.stderr
    assert json.loads(run("list", "--json", db=db).stdout) == listing


def test_clean_json_one_object_per_file() -> None:
    proc = run("clean", "--json", *map(str, SEED_FILES[:2]))
    assert proc.returncode == 0, proc.stderr
    records = [json.loads(line) for line in proc.stdout.splitlines()]
    assert len(records) == 2
    first = records[0]
    assert set(first) >= {"path", "title", "outlet", "date", "byline", "body", "blocks"}
    assert first["title"] not in first["body"]
    assert "\n\n" in first["body"]
    assert "Democracy Dies in Darkness" not in first["body"]
    assert set(first["blocks"][0]) == {"text", "kind", "keep", "reason"}


def test_clean_jsonl_shows_the_metadata_an_import_stores(tmp_path: Path) -> None:
    """The feed's fields beat what the cleaner finds, in `clean` as in `import`
    (clean used to derive a title and leave outlet, date, url and byline empty)."""
    feed = tmp_path / "feed.jsonl"
    body = SEED_FILES[0].read_text(encoding="utf-8")
    feed.write_text(json.dumps({"text": body, "title": "Stated title", "outlet": "Daily Test",
                                "date": "2024-10-16", "url": "https://example.org/a",
                                "byline": "Ana Writer"}) + "\n", encoding="utf-8")
    out = json.loads(run("clean", str(feed), "--json").stdout)
    assert (out["title"], out["title_derived"], out["outlet"], out["date"], out["url"],
            out["byline"]) == ("Stated title", False, "Daily Test", "2024-10-16",
                               "https://example.org/a", "Ana Writer")
    db = tmp_path / "c.db"
    assert run("import", str(feed), db=db).returncode == 0
    stored = json.loads(run("list", "--json", db=db).stdout)[0]
    assert all(stored[k] == out[k] for k in ("title", "title_derived", "outlet", "date", "url", "byline"))


def test_clean_explain_shows_decisions() -> None:
    proc = run("clean", "--explain", str(SEED_FILES[1]))
    assert proc.returncode == 0
    assert "drop" in proc.stdout and "KEEP" in proc.stdout


def test_labels_json(tmp_path: Path) -> None:
    labels = json.loads(run("labels", "--json", db=tmp_path / "l.db").stdout)
    assert [lb["name"] for lb in labels][:6] == ["EVENT", "CLAIM", "QUOTE", "ACTOR", "PLACE", "TIME"]
    assert set(labels[0]) >= {"name", "key", "color", "description", "scope"}
    assert not (tmp_path / "l.db").exists()  # the default schema, shown without making a database
    assert run("import", str(SEEDS), db=tmp_path / "l.db").returncode == 0
    assert json.loads(run("labels", "--json", db=tmp_path / "l.db").stdout) == labels


def test_schema_option_and_its_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[[labels]]\nname = "A"\nkey = "1"\ncolor = "blue"\n', encoding="utf-8")
    assert_user_error(run("--schema", str(bad), "labels", db=tmp_path / "s.db"), "invalid color")
    good = tmp_path / "good.toml"
    good.write_text('[[labels]]\nname = "A"\nkey = "1"\ncolor = "#0000ff"\n', encoding="utf-8")
    labels = json.loads(run("--schema", str(good), "labels", "--json", db=tmp_path / "s.db").stdout)
    assert [lb["name"] for lb in labels] == ["A"]


@pytest.mark.parametrize(
    ("setup", "fragment"),
    [
        (lambda d: d / "missing.txt", "no such file"),
        (lambda d: (d / "empty.txt").write_text("") and d / "empty.txt" or d / "empty.txt", "empty"),
        (lambda d: (d / "x.pdf").write_bytes(b"%PDF-1.4") and d / "x.pdf", "unsupported file type"),
    ],
)
def test_import_errors_are_one_line_exit_2(tmp_path: Path, setup, fragment: str) -> None:
    path = setup(tmp_path)
    proc = run("import", str(path), db=tmp_path / "e.db")
    assert_user_error(proc, fragment)


def test_db_that_is_not_sqlite_is_refused_and_untouched(tmp_path: Path) -> None:
    fake = tmp_path / "fake.db"
    fake.write_text("hello, I am a text file\n" * 20)
    before = fake.read_bytes()
    assert_user_error(run("import", str(SEEDS), db=fake), "not an SQLite database")
    assert_user_error(run("list", db=fake), "not an SQLite database")
    assert fake.read_bytes() == before


def test_usage_errors_are_one_line(tmp_path: Path) -> None:
    assert_user_error(run("list", "--bogus", db=tmp_path / "u.db"), "--bogus")
    assert_user_error(run("frobnicate"), "frobnicate")
    assert_user_error(run("meta", "zzzz", db=tmp_path / "u.db"), "does not exist")
    assert not (tmp_path / "u.db").exists()  # a read-only command creates no database
    assert run("import", str(SEEDS), db=tmp_path / "u.db").returncode == 0
    assert_user_error(run("meta", "zzzz", db=tmp_path / "u.db"), "no article")
    # click's own sentence is joined to the hint without a stray full stop
    proc = run("clean")
    assert_user_error(proc, "Missing argument 'FILES...'; see `parallax clean --help`")


def test_bad_batch_keeps_good_files(tmp_path: Path) -> None:
    db = tmp_path / "b.db"
    (tmp_path / "bad.txt").write_bytes(b"\x00\x01" * 100 + b"\x00\x00")
    proc = run("import", str(tmp_path / "bad.txt"), str(SEEDS), db=db)
    assert_user_error(proc, "binary")
    assert len(json.loads(run("list", "--json", db=db).stdout)) == 5


def test_help_for_every_command_has_an_example() -> None:
    from tui.cli import cli

    for name, command in cli.commands.items():
        assert "Example" in (command.help or ""), name


def test_override_and_meta_round_trip(tmp_path: Path) -> None:
    db = tmp_path / "o.db"
    run("import", str(SEEDS), db=db)
    article = json.loads(run("list", "--json", db=db).stdout)[0]
    blocks = json.loads(run("blocks", article["id"], "--json", db=db).stdout)
    hidden = next(b for b in blocks if not b["visible"])
    assert run("override", hidden["id"], "--show", db=db).returncode == 0
    after = json.loads(run("list", "--json", db=db).stdout)[0]
    assert after["kept_blocks"] == article["kept_blocks"] + 1
    proc = run("meta", article["id"], "--date", "2022-09-30", "--json", db=db)
    assert json.loads(proc.stdout)["date"] == "2022-09-30"
    assert_user_error(run("meta", article["id"], "--date", "yesterday", db=db), "YYYY-MM-DD")


def test_reclean_stale_touches_only_older_articles(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "r.db"
    assert run("import", str(SEEDS), db=db).returncode == 0
    conn = sqlite3.connect(db)
    first = conn.execute("select id from articles order by rowid limit 1").fetchone()[0]
    conn.execute("update articles set cleaner_version = 0 where id = ?", [first])
    conn.commit()
    conn.close()
    proc = run("reclean", "--stale", db=db)
    assert proc.returncode == 0, proc.stderr
    # the same cleaner gives the same decisions: re-cleaned, and said to be unchanged
    assert proc.stdout.strip().startswith("0 updated, 1 unchanged"), proc.stdout
    again = run("reclean", "--stale", db=db)
    assert again.stdout.strip().startswith("0 updated, 0 unchanged"), again.stdout


def test_meta_reset_undoes_an_edit_and_an_empty_title_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "m.db"
    assert run("import", str(SEEDS / "000_ab852f80fd5993ad.txt"), db=db).returncode == 0
    original = json.loads(run("meta", "6be6", "--json", db=db).stdout)
    edited = json.loads(run("meta", "6be6", "--title", "Fixed", "--outlet", "", "--json", db=db).stdout)
    assert (edited["title"], edited["outlet"], edited["edited"]) == ("Fixed", None, ["outlet", "title"])
    assert_user_error(run("meta", "6be6", "--title", "  ", db=db), "the title cannot be empty")
    assert_user_error(run("meta", "6be6", "--title", "X", "--reset", "title", db=db), "contradict")
    back = json.loads(run("meta", "6be6", "--reset", "title", "--reset", "outlet", "--json", db=db).stdout)
    assert back == original
