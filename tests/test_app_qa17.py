"""Pilot tests of the fixes from QA 17 (the app as an annotator uses it).

Each one drives the real app (or the real dialog) on a real SQLite file and
failed before its fix: the export dialog's default files and its "replaces"
line, shift+left shrinking one word, the status line after a save, the
library refitting on resize, and the import progress line's percentage.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from rich.text import Text
from test_app import SIZE, make_app, ready, run
from test_app_screens import Host, pilot_test

from tui.store import Store


# ------------------------------------------------------------------ export
async def _export(pilot: Any, screen: Any, *, keys: tuple[str, ...] = ("ctrl+s",)) -> None:
    """Press the keys (ctrl+s by default) and wait for a worker, if one started."""
    await pilot.press(*keys)
    for _ in range(300):
        await pilot.pause(0.05)
        if not screen.running:
            return
    raise AssertionError("the export never finished")


def _manifest(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


@pilot_test
async def test_export_formats_have_default_files_of_their_own(
        seeded_store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """jsonl then doccano with the default paths wrote both to ./export/dataset.jsonl:
    the jsonl export was gone, and nothing said so."""
    from textual.widgets import Input

    from tui.app.screens_export import ExportScreen

    monkeypatch.chdir(tmp_path)
    app = Host(lambda: ExportScreen(seeded_store, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        box = screen.query_one("#export-path", Input)
        assert box.value == "./export/dataset.jsonl"
        await _export(pilot, screen)
        assert screen.error is None, screen.error
        await pilot.press("down")  # doccano
        await pilot.pause()
        assert screen.fmt == "doccano" and box.value == "./export/dataset.doccano.jsonl"
        assert not screen.query_one("#export-exists").display  # nothing there yet
        await _export(pilot, screen)
        assert screen.error is None, screen.error
        names = {}
        for name in screen.formats:  # every format: a file name no other format has
            while screen.fmt != name:
                await pilot.press("down")
                await pilot.pause()
            names[name] = box.value
        assert len(set(names.values())) == len(names), names
        assert names["label-studio"] == "./export/dataset.label-studio.json"
        assert names["csv"] == "./export/dataset.csv"
    out = tmp_path / "export"
    assert _manifest(out / "dataset.manifest.json")["format"] == "jsonl"
    assert _manifest(out / "dataset.doccano.manifest.json")["format"] == "doccano"
    first = json.loads((out / "dataset.jsonl").read_text().splitlines()[0])
    assert "label" not in first and "spans" in first  # still the Parallax contract
    assert "label" in json.loads((out / "dataset.doccano.jsonl").read_text().splitlines()[0])


@pilot_test
async def test_export_over_a_file_of_another_format_says_so_and_asks(
        seeded_store: Store, tmp_path: Path) -> None:
    """A path naming an existing export: a line says what it holds; replacing an
    export of another format takes a second ctrl+s; the same format, one."""
    from textual.widgets import Input

    from tui.app.screens_export import ExportScreen

    target = tmp_path / "d.jsonl"
    app = Host(lambda: ExportScreen(seeded_store, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        box = screen.query_one("#export-path", Input)
        exists = screen.query_one("#export-exists")
        box.value = str(target)
        await _export(pilot, screen)
        assert screen.error is None and target.is_file()
        await pilot.pause()
        assert exists.display and f"replaces {target} (jsonl, 5 articles)" in str(exists.render())
        before = target.read_bytes()
        await pilot.press("down")  # doccano; the typed path follows: d.doccano.jsonl
        await pilot.pause()
        assert box.value == str(tmp_path / "d.doccano.jsonl") and not exists.display
        box.value = str(target)  # typed back over the jsonl export
        await pilot.pause()
        assert "(jsonl, 5 articles): ctrl+s asks first" in str(exists.render())
        await _export(pilot, screen)
        assert target.read_bytes() == before  # not replaced: asked
        assert "ctrl+s again replaces it with this doccano export" in str(exists.render())
        assert _manifest(tmp_path / "d.manifest.json")["format"] == "jsonl"
        await _export(pilot, screen)  # confirmed
        assert screen.error is None, screen.error
        assert target.read_bytes() != before
        await pilot.pause()
        assert "replaces" in str(exists.render()) and "(doccano, 5 articles)" in str(exists.render())
        # a file no manifest describes also asks first
        other = tmp_path / "notes.csv"
        other.write_text("mine\n")
        await pilot.press("down", "down", "down")  # spacy, csv: the format of the file
        await pilot.pause()
        assert screen.fmt == "csv"
        box.value = str(other)
        await pilot.pause()
        assert "a file no Parallax manifest describes" in str(exists.render())
        await _export(pilot, screen)
        assert other.read_text() == "mine\n"
        # re-exporting the same format over its own export: said, and done at once
        box.value = str(target)
        await pilot.press("up", "up", "up", "up")
        await pilot.pause()
        assert screen.fmt == "jsonl"
        box.value = str(target)
        await _export(pilot, screen)  # jsonl over doccano: asked again
        await _export(pilot, screen)
        assert _manifest(tmp_path / "d.manifest.json")["format"] == "jsonl"
        before = target.read_bytes()
        seeded_store.add_annotation(
            block_id=seeded_store.blocks(seeded_store.list_articles()[0]["id"])[1]["id"],
            start=0, end=5, label="EVENT", annotator="ana")
        await _export(pilot, screen)
        assert target.read_bytes() != before


@pilot_test
async def test_export_dialog_opens_scrolled_to_its_title_at_80x24(seeded_store: Store) -> None:
    from textual.containers import VerticalScroll

    from tui.app.screens_export import ExportScreen

    app = Host(lambda: ExportScreen(seeded_store, "ana"))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.pause()
        screen = app.screen
        dialog = screen.query_one("#export-dialog", VerticalScroll)
        assert dialog.max_scroll_y > 0  # the dialog is taller than the screen here
        assert dialog.scroll_y == 0
        title = screen.query_one("#export-title")
        assert title.region.height == 1 and title.region.y >= dialog.region.y
        assert screen.focused is screen.query_one("#export-formats")


# ------------------------------------------------------------- selection
def _selected(view: Any) -> str:
    block_id, start, end = view.selection
    block = next(b for b in view.doc.blocks if b["id"] == block_id)
    return block["text"][start:end]


def test_shift_left_shrinks_the_selection_by_one_word(seeded_db, tmp_path):
    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            view = reader.panes[0].view
            await pilot.press("j", "j")
            sentence = view.doc.units[2].passage["text"].split()
            shown = []
            for key in ["shift+right"] * 4 + ["shift+left"] * 4:
                await pilot.press(key)
                shown.append(_selected(view))
            grow = [" ".join(sentence[:n]) for n in (1, 2, 3, 4)]
            assert shown == grow + [grow[2], grow[1], grow[0], grow[0]]  # one word stays
            await pilot.press("4")
            await pilot.pause()
            with Store.open(seeded_db) as s:
                (row,) = s.annotations()
            assert row["text"] == sentence[0]

    run(go())


def test_shift_left_in_visual_mode_drops_one_word(seeded_db, tmp_path):
    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            view = reader.panes[0].view
            await pilot.press("j", "j", "v")
            whole = _selected(view)
            await pilot.press("shift+left")
            assert _selected(view) == whole.rsplit(None, 1)[0]
            await pilot.press("shift+left")
            assert _selected(view) == whole.rsplit(None, 2)[0]

    run(go())


# ------------------------------------------------------------ status line
def test_status_line_shortens_a_seen_save_message_and_keeps_position_and_labels(seeded_db,
                                                                              tmp_path):
    """A long "saved: …" pushed out the position, the labels, mine/all and the note
    while the cursor kept moving; at 80 columns the message itself was cut."""
    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:  # two panes of 39 columns
            reader = await ready(pilot)
            pane = reader.panes[0]
            await pilot.press("j", "j", "j", "3")
            await pilot.pause()
            line = pane.status.render().plain
            assert line.endswith("saved: QUOTE added") and "4/" in line
            await pilot.press("j", "k")  # back on the QUOTE: it was seen
            line = pane.status.render().plain
            assert "4/" in line and "QUOTE" in line and line.endswith("saved")
            assert "QUOTE added" not in line and line.startswith(pane.doc.article_id[:8])
            assert pane.save_state == "saved: QUOTE added"  # the state itself is kept
            await pilot.press("o", "o")  # hide the block, show it again
            await pilot.pause()
            line = pane.status.render().plain
            width = pane.status.size.width
            assert len(line) <= width
            # the pane is narrower than the whole message: its "(why)" gives way, the
            # message itself is not cut, and the position stays
            assert line.endswith("saved: block shown") and "/" in line and "…" not in line
            await pilot.press("j", "k")
            line = pane.status.render().plain
            assert "4/" in line and "QUOTE" in line and line.endswith("saved")
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=SIZE) as pilot:  # one pane of 120: the whole message
            reader = await ready(pilot)
            await pilot.press("minus", "j", "o", "o")
            await pilot.pause()
            line = reader.panes[0].status.render().plain
            assert line.endswith("  saved: block shown (back to the cleaner's decision)")
            assert "2/" in line

    run(go())


def test_status_parts_give_way_by_rank_and_come_back_where_room_is_left():
    from tui.app.pane import fit_parts

    parts = [(Text("6be67237"), 1, False), (Text("  4/32"), 8, False),
             (Text("  root  all"), 0, False), (Text("  ✎ a long note on this"), 4, True),
             (Text("  NOT saved"), 9, True)]
    assert fit_parts(parts, 80).plain == "6be67237  4/32  root  all  ✎ a long note on this  NOT saved"
    # the annotator, then the id go first; the note is cut
    assert fit_parts(parts, 36).plain == "4/32  ✎ a long note on…  NOT saved"
    assert fit_parts(parts, 18).plain == "4/32  NOT saved"
    assert fit_parts(parts, 6).plain == "NOT…"
    wide = [*parts[:3], (Text("  saved: block shown"), 9, True),
            (Text(" (back to the cleaner's decision)"), 7, False)]
    # the "(why)" could not stay: the id, left out for it first, comes back
    assert fit_parts(wide, 37).plain == "6be67237  4/32  saved: block shown"


# ---------------------------------------------------------------- library
def test_library_refits_its_columns_on_resize(seeded_db, tmp_path):
    from textual.widgets import DataTable

    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await ready(pilot)
            await pilot.press("L")
            await pilot.pause()
            table = app.screen.query_one(DataTable)
            await pilot.press("down", "down", "tab")  # a mark and a highlighted row
            row, marked = table.cursor_row, list(app.screen.marked)
            await pilot.resize_terminal(80, 24)
            await pilot.pause()
            await pilot.pause()
            table = app.screen.query_one(DataTable)
            assert [str(c.label) for c in table.columns.values()][-3:] == ["ann", "hidden", "id"]
            assert sum(c.width + 2 for c in table.columns.values()) <= 80 - 4
            assert table.row_count == 5 and table.cursor_row == row
            assert app.screen.marked == marked
            await pilot.resize_terminal(*SIZE)
            await pilot.pause()
            await pilot.pause()
            assert table.columns["outlet"].width == 20

    run(go())


# --------------------------------------------------------------- progress
def test_import_progress_line_shows_the_whole_percentage(seeded_db, tmp_path):
    """The percentage took the width of the first value shown ("0%"): 17% read "17"."""
    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            reader.show_progress("import", 0, 1100, "feed.jsonl:1")
            await pilot.pause()
            await pilot.pause()  # laid out while it reads "0%"
            reader.show_progress("import", 192, 1100, "feed.jsonl:192")
            await pilot.pause()
            await pilot.pause()
            percentage = reader.query_one("#work-bar #percentage")
            assert str(percentage.render()) == "17%"
            assert percentage.region.width >= len("100%")
            bar = reader.query_one("#work-bar")
            assert percentage.region.right <= bar.region.right

    run(go())
