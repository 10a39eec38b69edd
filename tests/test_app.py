"""Pilot tests of the app against real database files (the seeds), one flow each.

Each test drives ParallaxApp with keys as a user would and then checks the
database through a separate Store, so "saved" means committed to the file.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from tui.app import ParallaxApp
from tui.app import keys as keyreg
from tui.app.reader import ReaderScreen
from tui.app.targets import Target
from tui.model import Block, CleanResult, Meta, RawDocument
from tui.store import Store

SIZE = (120, 36)


def make_app(db: Path, tmp_path: Path, annotator: str = "ann", **kw) -> ParallaxApp:
    return ParallaxApp(db_path=str(db), annotator=annotator,
                       keymap=kw.pop("keymap", tmp_path / "no-keymap.toml"), **kw)


def run(coro):
    return asyncio.run(coro)


def live(db: Path, annotator: str | None = None) -> list[dict]:
    with Store.open(db) as s:
        return s.annotations(annotator=annotator)


async def ready(pilot) -> ReaderScreen:
    await pilot.pause()
    await pilot.pause()
    screen = pilot.app.screen
    assert isinstance(screen, ReaderScreen)
    return screen


def test_opens_two_articles_with_cursor_on_first_sentence(seeded_db, tmp_path):
    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            panes = reader.panes
            assert len(panes) == 2
            ids = [r["id"] for r in app.store.list_articles()[:2]]
            assert [p.doc.article_id for p in panes] == ids
            assert reader.active_pane is panes[0] and panes[0].active
            assert panes[0].view.cursor == 0
            first = panes[0].doc.units[0].passage
            assert first["seq"] == min(u.passage["seq"] for u in panes[0].doc.units)

    run(go())


def test_tag_with_1_is_in_the_database_then_undo_redo(seeded_db, tmp_path):
    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            view = reader.panes[0].view
            await pilot.press("j", "1")
            await pilot.pause()
            rows = live(seeded_db)
            assert len(rows) == 1
            row = rows[0]
            unit = view.doc.units[1]
            assert (row["label"], row["annotator"]) == ("EVENT", "ann")
            assert (row["start"], row["end"]) == (unit.start, unit.end)
            assert row["text"] == unit.passage["text"]
            assert "saved" in reader.panes[0].save_state
            await pilot.press("u")
            await pilot.pause()
            assert live(seeded_db) == []
            with Store.open(seeded_db) as s:  # a tombstone, not a deletion
                assert s.annotations(include_deleted=True)[0]["deleted_by"] == "ann"
            await pilot.press("ctrl+r")
            await pilot.pause()
            again = live(seeded_db)
            assert [r["id"] for r in again] == [row["id"]]
            assert view.doc.by_block[row["block_id"]][0]["id"] == row["id"]  # coloured again

    run(go())


def test_relabel_note_and_remove(seeded_db, tmp_path):
    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await ready(pilot)
            await pilot.press("1", "r")
            await pilot.pause()
            await pilot.press("3")  # the picker takes the label's key
            await pilot.pause()
            assert [r["label"] for r in live(seeded_db)] == ["QUOTE"]
            await pilot.press("a")
            await pilot.pause()
            await pilot.press(*"says who", "enter")
            await pilot.pause()
            assert live(seeded_db)[0]["note"] == "says who"
            assert "✎ says who" in app.screen.panes[0].status.text.plain
            await pilot.press("x")
            await pilot.pause()
            assert live(seeded_db) == []
            await pilot.press("u", "u")  # undo the removal, then the note
            await pilot.pause()
            rows = live(seeded_db)
            assert [(r["label"], r["note"]) for r in rows] == [("QUOTE", None)]

    run(go())


def test_selection_by_words_then_tag(seeded_db, tmp_path):
    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            await pilot.press("j", "shift+right", "shift+right", "4")
            await pilot.pause()
            (row,) = live(seeded_db)
            assert row["label"] == "ACTOR"
            assert len(row["text"].split()) == 2
            unit = reader.panes[0].doc.units[1]
            assert unit.passage["text"].startswith(row["text"])
            assert reader.panes[0].view.selection is None

    run(go())


def test_visual_mode_extends_by_sentence(seeded_db, tmp_path):
    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            doc = reader.panes[0].doc
            # find a block with at least two sentences
            start = next(i for i in range(len(doc.units) - 1)
                         if doc.units[i].block == doc.units[i + 1].block)
            reader.panes[0].view.move_to(start)
            await pilot.press("v", "j", "2")
            await pilot.pause()
            (row,) = live(seeded_db)
            assert (row["start"], row["end"]) == (doc.units[start].start, doc.units[start + 1].end)

    run(go())


def test_switch_pane_tags_the_other_article(seeded_db, tmp_path):
    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            await pilot.press("tab")
            await pilot.pause()
            assert reader.panes[1].active and not reader.panes[0].active
            await pilot.press("2")
            await pilot.pause()
            (row,) = live(seeded_db)
            assert row["article_id"] == reader.panes[1].doc.article_id
            await pilot.press("shift+tab")
            assert reader.panes[0].active

    run(go())


def test_override_a_hidden_block_and_undo(seeded_db, tmp_path):
    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            doc = reader.panes[0].doc
            hidden = [b for b in doc.blocks if not b["visible"]]
            assert hidden, "seed 000 has boilerplate"
            shown_before = len(doc.units)
            await pilot.press("h")
            await pilot.pause()
            assert len(doc.units) > shown_before
            view = reader.panes[0].view
            target = next(i for i, u in enumerate(doc.units) if not doc.blocks[u.block]["visible"])
            view.move_to(target)
            block_id = doc.blocks[doc.units[target].block]["id"]
            await pilot.press("o")
            await pilot.pause()
            with Store.open(seeded_db) as s:
                row = next(b for b in s.blocks(doc.article_id) if b["id"] == block_id)
            assert row["override"] == 1 and row["visible"] and row["override_by"] == "ann"
            await pilot.press("h")  # hide boilerplate again: the block stays (override)
            await pilot.pause()
            assert any(doc.blocks[u.block]["id"] == block_id for u in doc.units)
            await pilot.press("u")
            await pilot.pause()
            with Store.open(seeded_db) as s:
                row = next(b for b in s.blocks(doc.article_id) if b["id"] == block_id)
            assert row["override"] is None and not row["visible"]
            assert not any(doc.blocks[u.block]["id"] == block_id for u in doc.units)

    run(go())


def test_quit_with_q_then_reopen_finds_the_annotation(seeded_db, tmp_path):
    async def first():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await ready(pilot)
            await pilot.press("1", "q")
            await pilot.pause()
        assert app.return_code == 0

    async def second():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            doc = reader.panes[0].doc
            first_block = doc.blocks[doc.units[0].block]["id"]
            assert [a["label"] for a in doc.by_block[first_block]] == ["EVENT"]
            reader.panes[0].refresh_status()
            assert "EVENT" in str(reader.panes[0].status.render())

    run(first())
    run(second())
    assert len(live(seeded_db)) == 1


def test_schema_refusal_is_shown_and_changes_nothing(seeded_db, tmp_path):
    other = tmp_path / "other.toml"
    other.write_text('name = "tiny"\n[[labels]]\nname = "CLAIM"\nkey = "1"\ncolor = "#112233"\n')
    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await ready(pilot)
            await pilot.press("1")  # an EVENT annotation the new schema would orphan
            await pilot.pause()
            assert app.load_schema(str(other)) is False
            await pilot.pause()
            messages = [n.message for n in app._notifications]
            assert any("would orphan annotations labelled EVENT (1)" in m for m in messages)
            assert [lb.name for lb in app.store_labels][0] == "EVENT"
            assert app.store.schema().name == "news-events"

    run(go())


def test_schema_with_letter_keys_tags_with_letters(seeded_db, tmp_path):
    schema = tmp_path / "letters.toml"
    schema.write_text('name = "letters"\n'
                      '[[labels]]\nname = "EVENT"\nkey = "z"\ncolor = "#aa0000"\n'
                      '[[labels]]\nname = "WHO"\nkey = "1"\ncolor = "#00aa00"\n')
    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await ready(pilot)
            assert app.load_schema(str(schema))
            await pilot.pause()
            assert ",z tag" in _bar(app.screen, "keybar")  # the footer names the letter too
            await pilot.press("z")
            await pilot.pause()
            await pilot.press("j", "1")
            await pilot.pause()
            assert sorted(r["label"] for r in live(seeded_db)) == ["EVENT", "WHO"]

    run(go())


def test_schema_and_help_screens_list_everything(seeded_db, tmp_path):
    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await ready(pilot)
            await pilot.press("1", "s")
            await pilot.pause()
            from tui.app.schema_screen import SchemaScreen, schema_table

            assert isinstance(app.screen, SchemaScreen)
            table = schema_table(app)
            assert table.row_count == len(app.store_labels)
            await pilot.press("escape", "question_mark")
            await pilot.pause()
            from tui.app.help import HelpScreen, help_table

            assert isinstance(app.screen, HelpScreen)
            ids = {str(c) for c in help_table(app).columns[2]._cells}
            assert {s.id for s in keyreg.REGISTRY} <= ids
            await pilot.press("escape")
            await pilot.pause()
            assert isinstance(app.screen, ReaderScreen)

    run(go())


def test_library_filter_mark_open_and_edit_metadata(seeded_db, tmp_path):
    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            rows = app.store.list_articles()
            await pilot.press("L")
            await pilot.pause()
            from textual.widgets import DataTable

            table = app.screen.query_one(DataTable)
            assert table.row_count == len(rows)
            await pilot.press(*"jerusalem")
            await pilot.pause()
            assert table.row_count == 1
            await pilot.press("ctrl+e")
            await pilot.pause()
            app.screen.query_one("#meta-date").value = "2024-10-02"
            await pilot.press("ctrl+s")
            await pilot.pause()
            jp = next(r for r in rows if "Jerusalem" in (r["outlet"] or ""))
            assert app.store.get_article(jp["id"])["date"] == "2024-10-02"
            for _ in "jerusalem":
                await pilot.press("backspace")
            await pilot.press("tab", "down", "down", "tab", "enter")
            await pilot.pause()
            await pilot.pause()
            assert app.screen is reader
            assert [p.doc.article_id for p in reader.panes] == [rows[0]["id"], rows[3]["id"]]

    run(go())


def test_metadata_form_keys_typed_right_after_tab_go_to_the_next_field(seeded_db, tmp_path):
    """Tab then text in one burst (a paste, a fast typist, tmux send-keys): the text
    lands in the next field. Without a priority tab the keys were already queued for
    the field being left, and replaced its (selected) title."""
    from textual import events

    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await ready(pilot)
            article = app.store.list_articles()[0]
            await pilot.press("L")
            await pilot.pause()
            await pilot.press("ctrl+e")
            await pilot.pause()
            for key, char in [("tab", "\t"), ("X", "X"), ("Y", "Y"), ("tab", "\t"), ("2", "2"),
                              ("shift+tab", None), ("shift+tab", None), ("Z", "Z")]:
                app.post_message(events.Key(key, char))
            await pilot.pause()
            await pilot.pause()
            fields = {name: app.screen.query_one(f"#meta-{name}").value
                      for name in ("title", "outlet", "date")}
            # a field gets the text typed while it has the focus; the title, focused
            # again at the end, selects all on focus and takes the Z (as a browser does)
            assert fields == {"title": "Z", "outlet": "XY", "date": "2"}
            assert article["title"] != "Z"

    run(go())


def test_toasts_leave_the_status_lines_legend_and_keys_in_sight(seeded_db, tmp_path):
    """A toast (bottom right) used to cover the right pane's status line, where
    "saved" and the cursor's place are shown; it now sits above it."""
    from textual.widgets._toast import Toast

    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=(100, 30), notifications=True) as pilot:
            reader = await ready(pilot)
            for busy in (False, True):
                if busy:
                    reader.show_progress("Compute links", 1, 3)
                app.notify("a message long enough to be seen over the right pane", timeout=30)
                await pilot.pause()
                await pilot.pause()
                toasts = [t.region for t in app.screen.query(Toast)]
                kept = [p.status.region for p in reader.panes] + [
                    reader.query_one(sel).region for sel in ("#legend", "#keybar", "#work")]
                assert toasts
                assert not [(t, k) for t in toasts for k in kept if t.overlaps(k)]

    run(go())


def test_relabel_into_a_passage_label_takes_the_whole_sentence(seeded_db, tmp_path):
    """r then a passage label's key on two words kept a passage label on two words,
    its scope still "span" (tagging with the key takes the sentence); undo restores it."""
    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            await pilot.press("j", "shift+right", "shift+right", "1", "escape")
            await pilot.pause()
            unit = reader.view.unit
            [ann] = [a for a in app.store.annotations() if a["annotator"] == "ann"]
            assert (ann["label"], ann["scope"], ann["start"]) == ("EVENT", "span", unit.start)
            assert ann["end"] < unit.end
            passage = next(lb for lb in app.store_labels if lb.scope == "passage")
            await pilot.press("r", passage.key)
            await pilot.pause()
            row = app.store.get_annotation(ann["id"])
            assert (row["label"], row["scope"], row["start"], row["end"]) == (
                passage.name, "passage", unit.start, unit.end)
            await pilot.press("u")
            await pilot.pause()
            row = app.store.get_annotation(ann["id"])
            assert (row["label"], row["scope"], row["start"], row["end"]) == (
                "EVENT", "span", ann["start"], ann["end"])

    run(go())


def test_undo_of_a_change_in_the_other_pane_is_told_there_and_names_the_change(seeded_db, tmp_path):
    """u from the right pane undid the left pane's note, but the left pane kept saying
    "note saved" and the right one said "undid change of ACTOR" (QA in tmux)."""
    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            left, right = reader.panes
            await pilot.press("j", "1", "r", "4")
            await pilot.pause()
            await pilot.press("a", *"check", "enter")
            await pilot.pause()
            assert "note saved" in left.save_state
            await pilot.press("tab")
            before_right = right.save_state
            await pilot.press("u")
            await pilot.pause()
            assert left.save_state == "saved: undid note on ACTOR"
            assert right.save_state == before_right
            await pilot.press("u")
            await pilot.pause()
            assert left.save_state == "saved: undid relabel EVENT → ACTOR"

    run(go())


def test_a_review_accept_is_one_undo_step(seeded_db, tmp_path):
    """Accepts on the review screen were not in the undo history: u afterwards undid
    an older, unrelated change instead (QA in tmux)."""
    with Store.open(seeded_db) as s:
        first = s.list_articles()[0]["id"]
        block = next(b for b in s.blocks(first) if b["visible"] and b["kind"] != "title")
        s.add_annotation(block_id=block["id"], start=0, end=8, label="EVENT", annotator="ana")
        s.add_annotation(block_id=block["id"], start=0, end=8, label="CLAIM", annotator="ben")

    def lead_layer(app):
        return [(a["label"], a["deleted_at"] is None) for a in app.store.annotations(
            first, annotator="lead", include_deleted=True)]

    async def go():
        app = make_app(seeded_db, tmp_path, annotator="lead")
        async with app.run_test(size=SIZE) as pilot:
            await ready(pilot)
            await pilot.press("R")
            await pilot.pause()
            await pilot.press("a")
            await pilot.pause()
            assert lead_layer(app) == [("EVENT", True)]
            await pilot.press("b")  # a change of mind: B's CLAIM instead, in one key
            await pilot.pause()
            assert sorted(lead_layer(app)) == [("CLAIM", True), ("EVENT", False)]
            await pilot.press("escape")
            await pilot.pause()
            await pilot.press("u")
            await pilot.pause()
            assert lead_layer(app) == [("EVENT", True)] or sorted(lead_layer(app)) == [
                ("CLAIM", False), ("EVENT", True)]
            await pilot.press("u")
            await pilot.pause()
            assert all(not live for _label, live in lead_layer(app))
            await pilot.press("ctrl+r")
            await pilot.pause()
            assert [label for label, live in lead_layer(app) if live] == ["EVENT"]

    run(go())


def test_a_metadata_edit_by_another_app_reaches_the_pane_header(seeded_db, tmp_path):
    """The 3 s look at others' commits re-read tags, blocks and links, not metadata: an
    outlet corrected elsewhere stayed wrong in this app's pane header (QA in tmux)."""
    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            pane = reader.panes[0]
            with Store.open(seeded_db) as other:
                other.update_meta(pane.doc.article_id, {"outlet": "WaPo"}, "ben")
            assert reader.pick_up_others_changes()
            await pilot.pause()
            assert pane.doc.article["outlet"] == "WaPo"
            assert "WaPo" in " ".join(line.plain for line in pane.header.lines)

    run(go())


def test_a_target_in_an_article_on_screen_is_shown_where_it_is(seeded_db, tmp_path):
    """A search hit in the article of the active pane replaced the comparison pane
    with a second copy of that article (QA in tmux): the cursor goes there instead."""
    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            shown = [p.doc.article_id for p in reader.panes]
            passage = app.store.passages(shown[0])[5]
            app.open_target(Target(shown[0], passage_id=passage["id"]))
            await pilot.pause()
            await pilot.pause()
            assert [p.doc.article_id for p in reader.panes] == shown
            assert reader.panes[0].view.current_passage()["id"] == passage["id"]

    run(go())


def test_mine_toggle_hides_other_annotators(seeded_db, tmp_path):
    with Store.open(seeded_db) as s:
        first = s.list_articles()[0]["id"]
        p = s.passages(first)[0]
        s.add_annotation(block_id=p["block_id"], start=p["start"], end=p["end"], label="CLAIM",
                         annotator="bob")

    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            doc = reader.panes[0].doc
            assert doc.by_block[p["block_id"]]
            await pilot.press("x")  # bob's: refused
            await pilot.pause()
            assert len(live(seeded_db)) == 1
            await pilot.press("m")
            await pilot.pause()
            assert not doc.by_block.get(p["block_id"])

    run(go())


def test_user_keymap_remaps_a_binding(seeded_db, tmp_path):
    keymap = tmp_path / "keys.toml"
    keymap.write_text('[keys]\n"reader.down" = "ctrl+n"\n"reader.label_1" = "f5"\n"nope" = "z"\n')
    async def go():
        app = make_app(seeded_db, tmp_path, keymap=keymap)
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            view = reader.panes[0].view
            await pilot.press("j")
            assert view.cursor == 0
            await pilot.press("ctrl+n", "f5")
            await pilot.pause()
            assert view.cursor == 1
            assert [r["label"] for r in live(seeded_db)] == ["EVENT"]
            assert any("unknown binding id 'nope'" in n.message for n in app._notifications)

    run(go())


def test_palette_offers_every_reader_action(seeded_db, tmp_path):
    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            titles = {c.title for c in app.get_system_commands(reader)}
            wanted = {s.description for s in keyreg.REGISTRY
                      if s.scope in ("app", "reader") and s.palette}
            assert wanted <= titles
            assert "Compute links" in titles and "Tag as EVENT" in titles

    run(go())


def test_open_target_beside_and_links_degrade(seeded_db, tmp_path):
    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            ids = [r["id"] for r in app.store.list_articles()]
            passages = app.store.passages(ids[3])
            app.open_target(Target(ids[3], passage_id=passages[-1]["id"]))
            await pilot.pause()
            pane = reader.panes[1]
            assert pane.doc.article_id == ids[3]
            assert pane.view.current_passage()["id"] == passages[-1]["id"]
            await pilot.press("shift+tab", "l", "y")  # no links computed: a message, no crash
            await pilot.pause()
            assert app.is_running

    run(go())


def test_add_and_remove_panes_on_a_wide_terminal(seeded_db, tmp_path):
    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=(200, 40)) as pilot:
            reader = await ready(pilot)
            await pilot.press("plus", "plus")
            await pilot.pause()
            await pilot.pause()
            assert len(reader.panes) == 4
            await pilot.press("plus")
            await pilot.pause()
            assert len(reader.panes) == 4
            await pilot.press("minus")
            await pilot.pause()
            assert len(reader.panes) == 3

    run(go())


def _article(text_blocks: list[tuple[str, str, bool]]) -> tuple[RawDocument, CleanResult]:
    blocks, pos = [], 0
    for text, kind, keep in text_blocks:
        blocks.append(Block(text=text, start=pos, end=pos + len(text), kind=kind, keep=keep,
                            reason="test"))
        pos += len(text) + 2
    working = "\n\n".join(t for t, _, _ in text_blocks)
    return (RawDocument(path="x.txt", text=working, format="txt"),
            CleanResult(meta=Meta(title=text_blocks[0][0], outlet="[bold]Outlet[/]"), blocks=blocks,
                        working_text=working))


def test_hostile_text_is_shown_literally(store, db_path, tmp_path):
    evil = "Markup [bold red]stays[/] text. Escape \x1b[31mred\x1b]0;title\x07 here."
    store.add_article(*_article([("Title [link=x]t[/link]", "title", True), (evil, "body", True)]))
    store.close()

    async def go():
        app = make_app(db_path, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            doc = reader.panes[0].doc
            line = reader.panes[0].view.render_line(2).text + reader.panes[0].view.render_line(3).text
            assert "[bold red]stays[/]" in line
            assert "\x1b" not in "".join(b["display"] for b in doc.blocks)
            assert "[bold]Outlet[/]" in str(reader.panes[0].header.render())
            await pilot.press("j", "1")
            await pilot.pause()
            (row,) = live(db_path)
            assert row["text"] == "Markup [bold red]stays[/] text."

    run(go())


@pytest.mark.parametrize("width", [8, 30, 200])
def test_wrap_offsets_cover_the_text_and_fit(width):
    from rich.cells import cell_len

    from tui.app.document import wrap_offsets

    text = ("A rather long sentence with supercalifragilisticexpialidocious words, "
            "wide 中文字符 and\nhard breaks.  Double  spaces.")
    lines = wrap_offsets(text, width)
    covered = {i for s, e in lines for i in range(s, e)}
    assert {i for i, c in enumerate(text) if not c.isspace()} <= covered
    assert all(cell_len(text[s:e]) <= width for s, e in lines)
    assert [s for s, _ in lines] == sorted(s for s, _ in lines)


def test_docs_list_every_binding():
    doc = (Path(__file__).resolve().parents[1] / "docs" / "reader.md").read_text()
    missing = [s.id for s in keyreg.REGISTRY if f"`{s.id}`" not in doc]
    assert missing == [], "run `python -m tui.app.keydoc` to regenerate the key table"


def test_compute_links_in_a_worker_then_follow_and_confirm(seeded_db, tmp_path):
    pytest.importorskip("tui.link")

    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            app.compute_links()
            await app.workers.wait_for_complete()
            await pilot.pause()
            await pilot.pause()
            doc = reader.panes[0].doc
            assert doc.linked, "markers appear once links are computed"
            linked = next(i for i, u in enumerate(doc.units) if u.passage["id"] in doc.linked)
            reader.panes[0].view.move_to(linked)
            await pilot.press("l")
            await pilot.pause()
            await pilot.pause()
            first = reader.links[0]
            other = reader.panes[1]
            assert other.doc.article_id == first["article_id"]
            assert other.view.current_passage()["id"] == first["passage_id"]
            assert reader.panes[0].active  # keep reading on the left
            await pilot.press("y")
            await pilot.pause()
            with Store.open(seeded_db) as s:
                row = s.db["links"].get(first["link_id"])
            assert (row["status"], row["status_by"]) == ("confirmed", "ann")
            if len(reader.links) > 1:
                await pilot.press("right_square_bracket")
                await pilot.pause()
                assert other.view.current_passage()["id"] == reader.links[1]["passage_id"]

    run(go())


def test_empty_database_imports_in_a_worker_then_reads(db_path, tmp_path, monkeypatch):
    from conftest import SEEDS

    monkeypatch.chdir(tmp_path)  # no ./seeds here: the app starts empty

    async def go():
        app = make_app(db_path, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            assert reader.panes == [] and reader.query("#empty")
            app._import_worker(str(SEEDS))
            await app.workers.wait_for_complete()
            for _ in range(4):
                await pilot.pause()
            assert len(reader.panes) == 2
            assert all(p.doc is not None for p in reader.panes)
            assert not reader.query("#work.busy")

    run(go())


def test_click_moves_the_cursor_and_focus(seeded_db, tmp_path):
    async def go():

        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            right = reader.panes[1].view
            doc = right.doc
            target = 2
            y = doc.unit_first_line[target] - int(right.scroll_y)
            await pilot.click(right, offset=(6, y))
            await pilot.pause()
            assert reader.panes[1].active
            assert right.cursor == target
            await pilot.press("5")
            await pilot.pause()
            (row,) = live(seeded_db)
            assert row["article_id"] == doc.article_id and row["label"] == "PLACE"

    run(go())


def test_first_run_imports_seeds_from_the_working_folder(db_path, tmp_path, monkeypatch):
    from conftest import ROOT

    monkeypatch.chdir(ROOT)

    async def go():
        app = make_app(db_path, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            await app.workers.wait_for_complete()
            for _ in range(4):
                await pilot.pause()
            assert len(reader.panes) == 2 and reader.panes[0].active
            assert app.store.article_count() == 5

    run(go())


def test_schema_cannot_take_a_letter_the_reader_uses():
    """Letter keys of a schema are refused when the registry binds them (labels.RESERVED_KEYS)."""
    from tui.labels import RESERVED_KEYS

    letters = {k for spec in keyreg.REGISTRY if spec.scope in ("app", "reader")
               for k in spec.keys.split(",") if len(k) == 1 and k.isalpha()}
    assert letters and letters <= set(RESERVED_KEYS)


def test_mouse_drag_selects_words_then_tag(seeded_db, tmp_path):
    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            view = reader.panes[0].view
            doc = view.doc
            target = 1
            y = doc.unit_first_line[target] - int(view.scroll_y)
            await pilot.mouse_down(view, offset=(4, y))  # inside the first word
            await pilot.hover(view, offset=(14, y))
            await pilot.mouse_up(view, offset=(14, y))
            await pilot.pause()
            block_id, start, end = view.selection
            text = doc.blocks[doc.units[target].block]["text"]
            assert start == doc.units[target].start and 1 < len(text[start:end].split()) < 5
            await pilot.press("6")
            await pilot.pause()
            (row,) = live(seeded_db)
            assert (row["label"], row["start"], row["end"]) == ("TIME", start, end)

    run(go())


def test_keymap_clash_is_reported(seeded_db, tmp_path):
    keymap = tmp_path / "keys.toml"
    keymap.write_text('[keys]\n"reader.down" = "x"\n')  # x is "remove"

    async def go():
        app = make_app(seeded_db, tmp_path, keymap=keymap)
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            await pilot.press("x")
            await pilot.pause()
            # the remap is refused, the default kept: x still removes, j still moves
            assert reader.panes[0].view.cursor == 0
            assert ('reader.down = "x" refused, x stays with reader.remove' in _notes(app))
            await pilot.press("j")
            assert reader.panes[0].view.cursor == 1

    run(go())


def test_default_keys_do_not_clash():
    every = {spec.id: spec.keys for spec in keyreg.REGISTRY}  # "remap" each to its default
    assert keyreg.clashes(every) == []


def test_article_with_every_block_hidden(store, db_path, tmp_path):
    store.add_article(*_article([("Only boilerplate here.", "promo", False),
                                 ("Subscribe now. Really.", "newsletter", False)]))
    store.close()

    async def go():
        app = make_app(db_path, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            doc = reader.panes[0].doc
            assert doc.units == []
            await pilot.press("j", "1", "x", "o", "l")  # nothing to act on: no crash, nothing saved
            await pilot.pause()
            assert live(db_path) == []
            await pilot.press("h")
            await pilot.pause()
            assert len(doc.units) == 3
            await pilot.press("o", "h")  # show the first block for good
            await pilot.pause()
            assert [b["visible"] for b in doc.blocks] == [True, False]
            assert len(doc.units) == 1

    run(go())


def test_palette_on_the_library_offers_its_actions(seeded_db, tmp_path):
    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await ready(pilot)
            await pilot.press("L")
            await pilot.pause()
            titles = {c.title for c in app.get_system_commands(app.screen)}
            assert {s.description for s in keyreg.specs("library") if s.palette} <= titles
            assert "Next sentence" not in titles

    run(go())


def test_wrap_offsets_property():
    from hypothesis import given, settings
    from hypothesis import strategies as st
    from rich.cells import cell_len

    from tui.app.document import display_text, wrap_offsets

    alphabet = st.sampled_from(list("ab cd\n\t—中文\u0301\u200b\x1b[]") + ["xyzxyzxyzxyz"])

    @settings(max_examples=150, deadline=None)
    @given(st.lists(alphabet, max_size=80).map("".join), st.integers(4, 40))
    def check(raw, width):
        text = display_text(raw)
        assert len(text) == len(raw)  # offsets never move
        lines = wrap_offsets(text, width)
        covered = {i for s, e in lines for i in range(s, e)}
        assert {i for i, c in enumerate(text) if not c.isspace()} <= covered
        assert all(cell_len(text[s:e]) <= width for s, e in lines)
        assert "\x1b" not in text

    check()


def test_missing_modules_degrade_to_a_notification(seeded_db, tmp_path, monkeypatch):
    import sys

    for name in ("tui.link", "tui.app.screens_search", "tui.app.screens_events",
                 "tui.app.screens_export", "tui.app.screens_review"):
        monkeypatch.setitem(sys.modules, name, None)  # import now raises ImportError

    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            await pilot.press("l", "y", "slash", "E", "X", "R")
            app.compute_links()
            await pilot.pause()
            messages = " | ".join(n.message for n in app._notifications)
            for what in ("links are not available", "search is not available",
                         "events is not available", "export is not available",
                         "review is not available", "linking is not available"):
                assert what in messages
            assert app.screen is reader

    run(go())


def test_resizing_the_terminal_rewraps_and_keeps_the_cursor(seeded_db, tmp_path):
    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            view = reader.panes[0].view
            view.move_to(12)
            passage = view.current_passage()["id"]
            before = view.doc.width
            await pilot.resize_terminal(80, 30)
            for _ in range(3):
                await pilot.pause()
            assert view.doc.width < before
            assert view.doc.width == view.size.width - 4  # scrollbar + gutter
            assert view.current_passage()["id"] == passage
            top = view.doc.unit_first_line[view.cursor]
            assert view.scroll_y <= top < view.scroll_y + view.size.height

    run(go())


def test_review_accept_shows_in_the_reader_on_return(seeded_db, tmp_path):
    """Adjudicating in the review screen adds the adjudicator's span; the reader shows it."""
    import asyncio

    from tui.app import ParallaxApp
    from tui.store import Store

    store = Store.open(seeded_db)
    article = store.list_articles()[0]["id"]
    block = next(b for b in store.blocks(article) if b["visible"] and len(b["text"]) > 40)
    store.add_annotation(block_id=block["id"], start=0, end=10, label="EVENT", annotator="ana")
    store.add_annotation(block_id=block["id"], start=0, end=12, label="EVENT", annotator="ben")
    store.close()

    async def run() -> None:
        app = ParallaxApp(db_path=str(seeded_db), annotator="judge")
        async with app.run_test(size=(140, 40)) as pilot:
            await pilot.pause()
            await pilot.press("R")
            await pilot.pause()
            await pilot.press("a")
            await pilot.pause()
            await pilot.press("escape")
            await pilot.pause()
            doc = app.reader.active_pane.doc
            assert [a["annotator"] for a in doc.annotations].count("judge") == 1
            check = Store.open(seeded_db)
            assert len(check.annotations(article, annotator="judge")) == 1
            check.close()

    asyncio.run(run())


def test_events_screen_computes_links_with_c_and_fills_in_when_done(seeded_db, tmp_path):
    """No events yet: c starts "Compute links", progress shows there, the grid fills in by itself."""
    pytest.importorskip("tui.link")
    from tui.app.screens_events import EventsScreen
    from tui.link import list_events

    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await ready(pilot)
            await pilot.press("E")
            screen = app.screen
            assert isinstance(screen, EventsScreen)
            for _ in range(200):
                await pilot.pause()
                if screen.loaded is not None:
                    break
            assert "Press c" in str(screen.query_one("#events-status").render())
            assert not screen.query_one("#events-grid").display
            await pilot.press("c")
            await app.workers.wait_for_complete()
            for _ in range(200):
                await pilot.pause()
                if screen.loaded is not None and screen.query_one("#events-grid").display:
                    break
            with Store.open(seeded_db) as s:
                n = len(list_events(s))
            assert n > 0
            assert screen.query_one("#events-grid").row_count == n  # no r needed
            assert "events across" in str(screen.query_one("#events-status").render())

    run(go())


def test_app_offers_to_reclean_articles_an_older_cleaner_cleaned(seeded_db, tmp_path):
    """After a cleaner update the app says so, and 'Re-clean articles' applies it in a worker."""
    with Store.open(seeded_db) as s:
        s.db.execute("update articles set cleaner_version = 1")
        s.db.conn.commit()
        total = s.article_count()

    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            messages = " | ".join(n.message for n in app._notifications)
            assert f"{total} articles cleaned by an older cleaner" in messages
            app.reclean_stale()
            await app.workers.wait_for_complete()
            for _ in range(50):
                await pilot.pause()
                if any("updated" in n.message for n in app._notifications):
                    break
            assert any(f"{total} unchanged" in n.message or "resegmented" in n.message
                       for n in app._notifications)
            assert app.store.stale_articles() == []
            assert reader.panes and reader.panes[0].doc is not None  # reopened on the new decisions
            app.reclean_stale()  # nothing left: says so, starts nothing
            await pilot.pause()
            assert any("already cleaned by the current cleaner" in n.message for n in app._notifications)

    run(go())


def test_a_batch_imported_in_the_app_is_cleaned_by_worker_processes(db_path, tmp_path, monkeypatch):
    """Inside the app Textual has replaced stderr and other threads run: the
    pool must start anyway (spawned, not forked) and store the whole batch."""
    from test_parallel_import import batch

    import tui.workers as workers

    batch(tmp_path / "in")
    monkeypatch.setenv("PARALLAX_JOBS", "2")
    methods: list[str] = []
    context = workers._context
    monkeypatch.setattr(workers, "_context", lambda: methods.append(context().get_start_method()) or context())
    gave_up: list[int] = []
    give_up = workers.OrderedPool._give_up_pool
    monkeypatch.setattr(workers.OrderedPool, "_give_up_pool", lambda self: (gave_up.append(1), give_up(self)))
    monkeypatch.chdir(tmp_path)

    async def go():
        app = make_app(db_path, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            app._import_worker(str(tmp_path / "in"))
            await app.workers.wait_for_complete()
            for _ in range(4):
                await pilot.pause()
            assert len(reader.panes) == 2

    run(go())
    assert methods == ["spawn"] and not gave_up  # the workers cleaned the batch
    store = Store.open(db_path)
    assert store.article_count() == 23
    store.close()


# ------------------------------------------------- QA pass: one test per fix
def _notes(app) -> str:
    return " | ".join(n.message for n in app._notifications)


def _with_links(db: Path) -> None:
    """Compute links on the file before the app opens it (the CLI's `parallax links`)."""
    pytest.importorskip("tui.link")
    from tui.link import link_store

    with Store.open(db) as s:
        link_store(s)


def test_relabel_onto_a_label_i_already_have_on_the_span_is_refused(seeded_db, tmp_path):
    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await ready(pilot)
            await pilot.press("2", "3")  # CLAIM and QUOTE on the same sentence
            await pilot.pause()
            assert sorted(r["label"] for r in live(seeded_db)) == ["CLAIM", "QUOTE"]
            await pilot.press("r")
            await pilot.pause()
            await pilot.press("2")  # relabel QUOTE (or CLAIM) as CLAIM
            await pilot.pause()
            rows = live(seeded_db)
            assert sorted(r["label"] for r in rows) == ["CLAIM", "QUOTE"], "no duplicate CLAIM"
            assert "already tagged CLAIM" in _notes(app)

    run(go())


def test_o_twice_restores_the_block_it_hid_and_warns_about_its_annotations(seeded_db, tmp_path):
    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            view = reader.panes[0].view
            doc = view.doc
            body = next(i for i, u in enumerate(doc.units)
                        if doc.blocks[u.block]["kind"] not in ("title", "dek")
                        and len(doc.passages_by_block[doc.blocks[u.block]["id"]]) > 1)
            view.move_to(body)
            block_id = doc.blocks[doc.units[body].block]["id"]
            await pilot.press("1", "j", "2")  # two annotations in the block
            await pilot.pause()
            assert doc.blocks[doc.units[view.cursor].block]["id"] == block_id
            await pilot.press("o")
            await pilot.pause()
            assert not any(doc.blocks[u.block]["id"] == block_id for u in doc.units)
            assert "its 2 annotations are left out of exports" in _notes(app)
            await pilot.press("o")  # again right away: the same block comes back
            await pilot.pause()
            with Store.open(seeded_db) as s:
                blocks = s.blocks(doc.article_id)
            assert all(b["override"] is None for b in blocks), "no other block hidden"
            assert next(b for b in blocks if b["id"] == block_id)["visible"]
            assert doc.blocks[doc.units[view.cursor].block]["id"] == block_id

    run(go())


def test_undo_after_confirming_a_link_undoes_the_decision_not_an_older_tag(seeded_db, tmp_path):
    _with_links(seeded_db)

    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            await pilot.press("1")  # an earlier, unrelated tag
            await pilot.pause()
            doc = reader.panes[0].doc
            linked = next(i for i, u in enumerate(doc.units) if u.passage["id"] in doc.linked)
            reader.panes[0].view.move_to(linked)
            await pilot.press("l")
            await pilot.pause()
            link = reader.links[0]
            before = link["status"]
            await pilot.press("y")
            await pilot.pause()
            with Store.open(seeded_db) as s:
                assert s.db["links"].get(link["link_id"])["status"] == "confirmed"
            await pilot.press("u")
            await pilot.pause()
            with Store.open(seeded_db) as s:
                assert s.db["links"].get(link["link_id"])["status"] == before
            assert len(live(seeded_db)) == 1, "the tag is still there"
            assert f"undid link confirmed (back to {before})" in reader.panes[0].save_state
            assert reader.links[0]["status"] == before
            await pilot.press("ctrl+r")
            await pilot.pause()
            with Store.open(seeded_db) as s:
                assert s.db["links"].get(link["link_id"])["status"] == "confirmed"

    run(go())


def test_with_one_pane_a_target_opens_beside_or_replaces_and_says_so(seeded_db, tmp_path):
    _with_links(seeded_db)

    async def go():
        app = make_app(seeded_db, tmp_path)
        ids = [r["id"] for r in app.store.list_articles()]
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            await pilot.press("minus")
            await pilot.pause()
            assert len(reader.panes) == 1
            reading = reader.panes[0].doc.article_id
            app.open_target(Target(ids[3], passage_id=app.store.passages(ids[3])[2]["id"]))
            await pilot.pause()
            await pilot.pause()
            assert [p.doc.article_id for p in reader.panes] == [reading, ids[3]]
            await pilot.press("minus")  # close the hit's pane again; `l` does the same
            await pilot.pause()
            assert len(reader.panes) == 1
            doc = reader.panes[0].doc
            reader.panes[0].view.move_to(
                next(i for i, u in enumerate(doc.units) if u.passage["id"] in doc.linked))
            await pilot.press("l")
            await pilot.pause()
            await pilot.pause()
            assert len(reader.panes) == 2 and reader.panes[0].doc.article_id == reading
            assert reader.panes[1].doc.article_id == reader.links[0]["article_id"]
            assert reader.panes[1].link_state.startswith("link 1/")
            assert reader.active_pane is reader.panes[0]
        narrow = make_app(seeded_db, tmp_path)
        async with narrow.run_test(size=(70, 30)) as pilot:
            reader = await ready(pilot)
            await pilot.press("minus")
            await pilot.pause()
            narrow.open_target(Target(ids[3], passage_id=narrow.store.passages(ids[3])[2]["id"]))
            await pilot.pause()
            assert [p.doc.article_id for p in reader.panes] == [ids[3]]
            assert "too narrow for two panes" in reader.panes[0].status.text.plain

    run(go())


def test_articles_opened_from_the_library_mark_the_active_pane(seeded_db, tmp_path):
    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=(160, 40)) as pilot:
            reader = await ready(pilot)
            await pilot.press("L")
            await pilot.pause()
            await pilot.press("tab", "tab", "tab", "enter")
            await pilot.pause()
            await pilot.pause()
            panes = reader.panes
            assert len(panes) == 3
            assert [p.active for p in panes] == [True, False, False]
            assert panes[0].header.has_class("-active") and reader.active_pane is panes[0]

    run(go())


def test_a_screens_key_on_that_screen_does_not_stack_a_copy(seeded_db, tmp_path):
    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            for key in ("E", "R"):
                await pilot.press(key)
                await pilot.pause()
                await pilot.press(key)
                await pilot.pause()
                assert len(app.screen_stack) == 3, key  # default screen, reader, one copy
                await pilot.press("escape")
                await pilot.pause()
                assert app.screen is reader, key

    run(go())


def test_import_notice_names_the_files_that_failed_and_why(seeded_db, tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "feed.jsonl").write_text(
        '{"text": "The dam held after the flood, officials in the valley said on Monday.", '
        '"title": "Dam holds"}\n{broken\n', encoding="utf-8")
    for n in range(4):
        (folder / f"bin{n}.txt").write_bytes(b"\x00\x01\x02\x00binary")

    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            await ready(pilot)
            app._import_worker(str(folder))
            await app.workers.wait_for_complete()
            await pilot.pause()
            note = next(n for n in app._notifications if n.title == "import")
            assert note.message.startswith("1 imported, 0 unchanged, 5 skipped with errors")
            assert "bin0.txt: looks like a binary file" in note.message
            # the first three problems in import order, then a count of the rest
            assert "bin1.txt: looks like a binary file" in note.message
            assert "bin2.txt: looks like a binary file" in note.message
            assert "bin3.txt" not in note.message and "feed.jsonl" not in note.message
            assert "and 2 more" in note.message
            assert note.severity == "warning"

    run(go())


def test_status_line_and_header_stay_one_line_each_with_the_save_state_visible(seeded_db,
                                                                                tmp_path):
    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            reader = await ready(pilot)
            pane = reader.panes[0]
            header = pane.header.render().plain.split("\n")  # two panes: 39 columns each
            assert len(header) == 2 and all(len(h) <= pane.header.size.width for h in header)
            assert header[0].endswith("…") and header[1].startswith("The Washington Post")
            await pilot.press("minus", "1", "a")
            await pilot.pause()
            await pilot.press(*("a very long note " * 6), "enter")
            await pilot.pause()
            await pilot.pause()
            pane = reader.panes[0]  # the one left
            line = pane.status.render()
            assert "\n" not in line.plain and line.cell_len <= pane.status.size.width
            assert line.plain.endswith("saved: note saved") and "✎ a very long" in line.plain

    run(go())


def test_palette_has_no_duplicates_and_shows_keys_as_typed(seeded_db, tmp_path):
    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            commands = list(app.get_system_commands(reader))
            titles = [c.title for c in commands]
            assert titles.count("Quit") == 1 and "Keys" not in titles
            helps = {c.title: c.help for c in commands}
            assert helps["Remove the current pane"].endswith("key -")
            assert helps["Search passages across outlets"].endswith("key /")
            assert helps["Show every key"].endswith("key ?, f1")
            assert helps["Next linked passage"].endswith("key ]")
            assert helps["Previous paragraph"].endswith("key K, {")

    run(go())


def test_a_pane_showing_another_article_drops_the_old_save_state(seeded_db, tmp_path):
    async def go():
        app = make_app(seeded_db, tmp_path)
        ids = [r["id"] for r in app.store.list_articles()]
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            await pilot.press("tab", "1", "shift+tab")
            await pilot.pause()
            assert reader.panes[1].save_state == "saved: EVENT added"
            app.open_target(Target(ids[3]))
            await pilot.pause()
            assert reader.panes[1].doc.article_id == ids[3]
            assert reader.panes[1].save_state == ""
            assert "saved" not in reader.panes[1].status.render().plain

    run(go())


def test_l_without_a_link_says_so_or_says_to_compute_links(seeded_db, tmp_path):
    async def go(computed: bool):
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            doc = reader.panes[0].doc
            reader.panes[0].view.move_to(
                next(i for i, u in enumerate(doc.units) if u.passage["id"] not in doc.linked))
            await pilot.press("l")
            await pilot.pause()
            if computed:
                assert "no link from this sentence" in _notes(app)
                assert "Compute links" not in _notes(app)
            else:
                assert "Compute links" in _notes(app)

    run(go(False))
    _with_links(seeded_db)
    run(go(True))


def test_review_counts_a_span_accepted_by_one_of_the_two_as_settled(seeded_db, tmp_path):
    with Store.open(seeded_db) as s:
        article = s.list_articles()[0]["id"]
        block = next(b for b in s.blocks(article) if b["visible"] and len(b["text"]) > 40)
        s.add_annotation(block_id=block["id"], start=0, end=10, label="CLAIM", annotator="ann")
        s.add_annotation(block_id=block["id"], start=0, end=10, label="EVENT", annotator="bob")

    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=(140, 40)) as pilot:
            await ready(pilot)
            await pilot.press("R")
            await pilot.pause()
            screen = app.screen
            assert screen.pair == ("ann", "bob")
            status = str(screen.query_one("#review-status").render())
            assert "1 disagreement (0 settled), 0 agreed" in status
            await pilot.press("b")
            await pilot.pause()
            status = str(screen.query_one("#review-status").render())
            assert "(1 settled), 0 agreed" in status

    run(go())


def test_legend_and_footer_fit_80_columns(seeded_db, tmp_path):
    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            reader = await ready(pilot)
            from textual.widgets import Static

            legend = reader.query_one("#legend", Static)
            text = legend.render().plain if hasattr(legend.render(), "plain") else str(legend.render())
            assert "\n" not in text.strip() and len(text.rstrip()) <= 78
            assert all(f"{n} " in text for n in range(1, 10)), text  # every label keeps its key
            bar = str(reader.query_one("#keybar", Static).render())
            assert len(bar.rstrip()) <= 80 and "palette" in bar and "? keys" in bar
            for width in (20, 30, 44):  # the help and palette keys are the last to go
                narrow = reader.key_bar(width).plain
                assert "?" in narrow and "palette" in narrow and len(narrow) <= width, (width, narrow)
            await pilot.resize_terminal(60, 24)
            await pilot.pause()
            await pilot.pause()
            assert "2 panes of 30 columns" in _notes(app)

    run(go())


def test_a_step_that_can_no_longer_apply_is_dropped_not_blocking(seeded_store: Store) -> None:
    """A link decision whose link a recompute dropped cannot be undone; left on top of
    the history it made every later u fail on it, and the steps below were unreachable."""
    from tui.app.history import History, Step
    from tui.errors import UserError

    store = seeded_store
    article = store.list_articles()[0]
    block = next(b for b in store.blocks(article["id"]) if b["visible"])
    history = History(store, "ana")
    ann = store.add_annotation(block_id=block["id"], start=0, end=5, label="EVENT", annotator="ana")
    history.record(Step("create", ann["id"], article["id"], block["id"], label="EVENT"))
    history.record(Step("link", "Lgone0000000000", article["id"], block["id"],
                        before="suggested", after="confirmed"))
    with pytest.raises(UserError, match="no link"):
        history.undo()
    assert [s.kind for s in history.done] == ["create"] and history.undone == []
    assert history.undo().kind == "create"  # the step below is reachable again
    assert store.annotations(article["id"]) == []


def test_cursor_bar_follows_the_cursor_up_in_a_scrolled_pane(seeded_db, tmp_path):
    """Moving up in a pane that had scrolled left the old cursor bar on screen: the
    lines to repaint were shifted by the scroll twice. Tagging acts on the cursor, so
    the bar must be exactly on the cursor's sentence."""
    import html
    import re

    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=(160, 45)) as pilot:
            reader = await ready(pilot)
            for _ in range(17):
                await pilot.press("j")
            await pilot.pause()
            view = reader.view
            assert view.scroll_y > 0  # the case: the pane has scrolled
            for _ in range(3):
                await pilot.press("k")
                await pilot.pause()
                doc = view.doc
                lines = doc.unit_last_line[view.cursor] - doc.unit_first_line[view.cursor] + 1
                shown = html.unescape(re.sub(r"<[^>]+>", "", app.export_screenshot()))
                assert shown.count("▌") == lines, (view.cursor, shown.count("▌"), lines)

    run(go())


def test_undo_never_erases_a_decision_someone_else_took_since(seeded_store: Store) -> None:
    """Ana confirms a link, Ben rejects it, Ana presses u: putting "suggested" back
    erased Ben's rejection. Shared decisions (link status, block overrides) are only
    undone while they are still what the step left."""
    from tui.app.history import History, Step
    from tui.errors import UserError
    from tui.link import link_store, list_links, set_link_status

    store = seeded_store
    link_store(store)
    link = list_links(store)[0]
    history = History(store, "ana")
    set_link_status(store, link["id"], "confirmed", "ana")
    history.record(Step("link", link["id"], link["a_article"], "", before="suggested", after="confirmed"))
    article = store.list_articles()[0]
    block = next(b for b in store.blocks(article["id"]) if b["visible"])
    store.set_override(block["id"], False, "ana")
    history.record(Step("override", block["id"], article["id"], block["id"], before=None, after=False))
    store.set_override(block["id"], True, "ben")  # Ben shows it again
    set_link_status(store, link["id"], "rejected", "ben")
    with pytest.raises(UserError, match="ben set it to shown since"):
        history.undo()
    with pytest.raises(UserError, match="ben set it to rejected since"):
        history.undo()
    assert history.done == [] and history.undone == []  # both dropped, nothing applied
    assert store.db.execute("select status, status_by from links where id = ?",
                            [link["id"]]).fetchone() == ("rejected", "ben")
    assert store.blocks(article["id"])[block["seq"]]["override"] == 1


def test_tagging_a_block_someone_hid_meanwhile_says_exports_leave_it_out(seeded_db, tmp_path):
    """Ben hides a paragraph Ana's pane still shows; her tag on it said "saved" and then
    silently never reached an export."""
    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            await pilot.press("j")
            view = reader.view
            block = view.current_block()
            ben = Store.open(seeded_db)
            ben.set_override(block["id"], False, "ben")
            ben.close()
            await pilot.press("1")
            await pilot.pause()
            assert "saved on a block hidden by ben: exports leave it out" in _notes(app)
            assert not next(b for b in view.doc.blocks if b["id"] == block["id"])["visible"]

    run(go())


# ------------------------------------------- QA pass: keymaps and label schemas
def _keymap(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "keys.toml"
    path.write_text("[keys]\n" + text)
    return path


def _bar(reader: ReaderScreen, name: str) -> str:
    from textual.widgets import Static

    return str(reader.query_one(f"#{name}", Static).render())


def _install_schema(db: Path, text: str, who: str) -> int:
    """Load a label schema through a connection of its own (another app, another process)."""
    from tui.labels import parse_schema

    with Store.open(db) as s:
        s.ensure_schema(parse_schema(text, source="other.toml"), text, who)
        return s.schema_version_number()


LETTER_SCHEMA = ('name = "letters"\n'
                 '[[labels]]\nname = "EVENT"\nkey = "1"\ncolor = "#aa0000"\n'
                 '[[labels]]\nname = "WHO"\nkey = "z"\ncolor = "#00aa00"\n')


def test_a_clash_between_two_app_keys_is_refused_and_said(seeded_db, tmp_path):
    """``"app.schema" = "?"``: ? opened the schema instead of help, the legend said
    "? keys  ? schema", and nothing was reported ("?" and "question_mark" were
    compared as different keys)."""
    async def go():
        app = make_app(seeded_db, tmp_path, keymap=_keymap(tmp_path, '"app.schema" = "?"\n'))
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            assert ('app.schema = "?" refused, ? stays with app.help (Show every key) on the '
                    'reader; app.schema keeps s') in _notes(app)
            legend = reader.legend(200).plain  # wide enough for the hints
            assert "? keys" in legend and "s schema" in legend and "? schema" not in legend
            await pilot.press("question_mark")
            await pilot.pause()
            from tui.app.help import HelpScreen

            assert isinstance(app.screen, HelpScreen)

    run(go())


def test_every_pair_of_live_bindings_is_checked_and_the_first_remap_keeps_the_key():
    # two remaps onto one new key: the first in the file keeps it, the second is refused
    keymap, problems = keyreg.resolve_keymap({"reader.down": "z", "reader.up": "z"})
    assert keymap == {"reader.down": "z"}
    assert problems == ['keymap: reader.up = "z" refused, z stays with reader.down '
                        '(Next sentence) on the reader; reader.up keeps k, ↑']
    # a refusal gives a binding its defaults back, which may refuse another remap
    keymap, problems = keyreg.resolve_keymap({"reader.down": "x", "reader.up": "j"})
    assert keymap == {} and len(problems) == 2
    # a swap is fine; so are keys only one screen uses (modal screens shadow the app)
    assert keyreg.resolve_keymap({"reader.down": "x", "reader.remove": "j"})[1] == []
    assert keyreg.resolve_keymap({"meta.save": "q"})[1] == []
    assert "stays Textual's own quit" in keyreg.resolve_keymap({"reader.down": "ctrl+q"})[1][0]
    assert keyreg.resolve_keymap({"app.quit": "ctrl+q"})[1] == []


def test_an_invalid_key_name_is_reported_and_the_default_kept(seeded_db, tmp_path):
    """``"reader.label_3" = "notakey+++"`` was accepted: 3 no longer tagged QUOTE and
    help listed notakey+++."""
    async def go():
        app = make_app(seeded_db, tmp_path,
                       keymap=_keymap(tmp_path, '"reader.label_3" = "notakey+++"\n'))
        async with app.run_test(size=SIZE) as pilot:
            await ready(pilot)
            assert "'notakey+++' is not a key name" in _notes(app)
            assert "reader.label_3 keeps 3" in _notes(app)
            await pilot.press("3")
            await pilot.pause()
            assert [r["label"] for r in live(seeded_db)] == ["QUOTE"]
            from tui.app.help import help_table

            assert "notakey" not in " ".join(str(c) for c in help_table(app).columns[0]._cells)

    run(go())


def test_key_names_are_validated_and_normalised_as_textual_names_them():
    ok = {"?": "question_mark", "question_mark": "question_mark", "F5": "f5", "f24": "f24",
          "shift+ctrl+up": "ctrl+shift+up", "+": "plus", "/": "slash", "L": "L",
          "alt+x": "alt+x", "Escape": "escape", "full_stop": "full_stop"}
    for key, name in ok.items():
        assert keyreg.normalize_key(key) == name, key
    for key in ("notakey+++", "notakey", "f25", "ctrl++", "ctrl+ctrl+a", "hyperr+a", "",
                "latin_small_letter_a"):
        assert keyreg.normalize_key(key) is None, key
    # every default key of the registry is already in Textual's own spelling
    assert all(keyreg.normalize_key(k) == k for s in keyreg.REGISTRY for k in s.keys.split(","))


def test_a_remap_onto_a_schema_letter_is_refused_at_start_and_on_schema_load(seeded_db,
                                                                           tmp_path):
    """``"reader.undo" = "z"`` with a schema label on z: z tagged, the footer said
    "z undo", nothing was reported."""
    schema = tmp_path / "letters.toml"
    schema.write_text(LETTER_SCHEMA)
    keymap = _keymap(tmp_path, '"reader.undo" = "z"\n')

    async def go():
        app = make_app(seeded_db, tmp_path, keymap=keymap)
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            assert "z undo" in _bar(reader, "keybar")  # no z in the default schema: in force
            assert app.load_schema(str(schema))
            await pilot.pause()
            said = ('reader.undo = "z" refused, z stays with the label schema (it tags WHO in '
                    'the reader); reader.undo keeps u')
            assert said in _notes(app)
            assert "u undo" in _bar(reader, "keybar") and "z undo" not in _bar(reader, "keybar")
            await pilot.press("z")
            await pilot.pause()
            assert [r["label"] for r in live(seeded_db)] == ["WHO"]
            await pilot.press("u")
            await pilot.pause()
            assert live(seeded_db) == []

        again = make_app(seeded_db, tmp_path, keymap=keymap)  # the same, said at start
        async with again.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            assert said in _notes(again) and "u undo" in _bar(reader, "keybar")

    run(go())


def test_a_remap_onto_quit_is_refused_and_the_footer_tells_the_truth(seeded_db, tmp_path):
    """``"reader.down" = "q"``: q moved down while the footer said "q quit", and the
    warning said "only one of them will answer" without saying which."""
    async def go():
        app = make_app(seeded_db, tmp_path, keymap=_keymap(tmp_path, '"reader.down" = "q"\n'))
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            assert 'reader.down = "q" refused, q stays with app.quit (Quit)' in _notes(app)
            assert "reader.down keeps j, ↓" in _notes(app)
            assert reader.active_bindings["q"].binding.action == "quit"
            assert "q quit" in _bar(reader, "keybar")
            await pilot.press("j")
            assert reader.panes[0].view.cursor == 1

    run(go())


def test_legend_and_footer_show_a_remapped_label_key(seeded_db, tmp_path):
    """``"reader.label_1" = "f5"``: F5 tags EVENT and 1 does nothing, but the legend
    said "1 EVENT" and the footer "1-9 tag"."""
    async def go():
        app = make_app(seeded_db, tmp_path,
                       keymap=_keymap(tmp_path, '"reader.label_1" = "f5"\n'))
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            legend, bar = _bar(reader, "legend"), _bar(reader, "keybar")
            assert "f5 EVENT" in legend and "1 EVENT" not in legend and "2 CLAIM" in legend
            assert "f5,2-9 tag" in bar and "1-9" not in bar
            assert reader.key_bar(10_000).plain.count("tag") == 1
            await pilot.press("1", "f5")
            await pilot.pause()
            assert [r["label"] for r in live(seeded_db)] == ["EVENT"]
            from tui.app.schema_screen import schema_table

            assert "f5" in [str(c) for c in schema_table(app).columns[0]._cells]
            helps = {c.title: c.help for c in app.get_system_commands(reader)}
            assert helps["Tag as EVENT"].startswith("key f5 ·")  # the palette says it too
            assert helps["Tag as CLAIM"].startswith("key 2 ·")

    run(go())


def test_a_schema_another_app_loaded_is_picked_up_before_a_key_tags(seeded_db, tmp_path):
    """Ana loads a schema with 1 and 2 swapped and a new letter while Bob's app runs:
    Bob's legend stayed old and 1 tagged EVENT though the database said CLAIM."""
    swapped = ('name = "swapped"\n'
               '[[labels]]\nname = "CLAIM"\nkey = "1"\ncolor = "#c69026"\n'
               '[[labels]]\nname = "EVENT"\nkey = "2"\ncolor = "#e5534b"\n'
               '[[labels]]\nname = "WHO"\nkey = "z"\ncolor = "#00aa00"\n')

    async def go():
        app = make_app(seeded_db, tmp_path, annotator="bob")
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            assert "1 EVENT" in _bar(reader, "legend")
            version = _install_schema(seeded_db, swapped, "ana")
            await pilot.press("1")  # pressed looking at the old legend: not applied at all
            await pilot.pause()
            assert live(seeded_db) == []
            notes = _notes(app)
            assert f"label schema changed to version {version} (swapped) by ana: legend updated" \
                in notes
            assert "keys now: 1 CLAIM, 2 EVENT" in notes
            assert "1 did not tag" in notes
            legend = _bar(reader, "legend")
            assert "1 CLAIM" in legend and "2 EVENT" in legend and "z WHO" in legend
            await pilot.press("1", "j", "z")
            await pilot.pause()
            assert sorted(r["label"] for r in live(seeded_db)) == ["CLAIM", "WHO"]

    run(go())


def test_a_schema_change_is_picked_up_on_a_timer_on_focus_and_on_any_key(seeded_db, tmp_path,
                                                                       monkeypatch):
    """Not only when tagging: every few seconds, when the terminal regains focus, and on
    a key that does not tag (which is not held back: j still moves)."""
    from textual import events

    from tui.app import app as app_module

    monkeypatch.setattr(app_module, "SCHEMA_CHECK_SECONDS", 0.05)

    async def on_timer():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            _install_schema(seeded_db, LETTER_SCHEMA, "ana")
            await pilot.pause(0.3)
            assert "z WHO" in _bar(reader, "legend") and "CLAIM" not in _bar(reader, "legend")
            assert "by ana: legend updated" in _notes(app)
            assert [lb.name for lb in app.store_labels] == ["EVENT", "WHO"]
            app.on_app_focus()  # nothing new: nothing said twice
            assert _notes(app).count("legend updated") == 1

    run(on_timer())
    monkeypatch.setattr(app_module, "SCHEMA_CHECK_SECONDS", 3600)
    third = LETTER_SCHEMA.replace('"z"', '"3"')

    async def on_focus_and_key():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            _install_schema(seeded_db, third, "cy")
            app.post_message(events.AppFocus())
            await pilot.pause()
            assert "3 WHO" in _bar(reader, "legend") and "by cy" in _notes(app)
            _install_schema(seeded_db, LETTER_SCHEMA, "dee")
            await pilot.press("j")
            await pilot.pause()
            assert reader.panes[0].view.cursor == 1
            assert "z WHO" in _bar(reader, "legend") and "by dee" in _notes(app)

    run(on_focus_and_key())


def test_a_remap_a_schema_letter_refused_is_in_force_once_the_letter_is_free(seeded_db,
                                                                            tmp_path):
    """The refusal depends on the schema: when a schema without the letter is loaded, the
    remap applies and that is said too (the footer changes under the reader's eyes)."""
    _install_schema(seeded_db, LETTER_SCHEMA, "ana")
    free = tmp_path / "free.toml"
    free.write_text(LETTER_SCHEMA.replace('"z"', '"2"'))

    async def go():
        app = make_app(seeded_db, tmp_path, keymap=_keymap(tmp_path, '"reader.undo" = "z"\n'))
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            assert "u undo" in _bar(reader, "keybar")
            assert app.load_schema(str(free))
            await pilot.pause()
            assert 'keymap: reader.undo = "z" now in force' in _notes(app)
            assert "z undo" in _bar(reader, "keybar") and "2 WHO" in _bar(reader, "legend")

    run(go())


def test_an_open_pane_shows_what_others_committed(seeded_db, tmp_path):
    """Links computed in a shell and a block Ben hid used to stay invisible in an open
    pane (no markers, the block still shown) until the article was reopened."""
    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            doc = reader.panes[0].doc
            assert not doc.linked
            assert reader.pick_up_others_changes() is False  # nothing new yet
            block = next(b for b in doc.blocks if b["visible"] and b["kind"] == "body")
            ben = Store.open(seeded_db)
            ben.set_override(block["id"], False, "ben")
            ben.close()
            _with_links(seeded_db)  # `parallax links` in a shell
            assert reader.pick_up_others_changes() is True
            await pilot.pause()
            doc = reader.panes[0].doc
            assert doc.linked, "link markers appear"
            assert not next(b for b in doc.blocks if b["id"] == block["id"])["visible"]
            assert reader.pick_up_others_changes() is False  # our own view is current again

    run(go())


def test_a_key_waits_a_bounded_time_for_another_writer_and_says_so(seeded_db, tmp_path, monkeypatch):
    """Another program holding the write lock (a links recompute) froze the app for the
    CLI's 15 s wait with nothing on screen; a key now waits a bounded time, then says
    what happened, and the same key works once the other writer is done."""
    import sqlite3

    import tui.app.app as app_module

    monkeypatch.setattr(app_module, "UI_BUSY_TIMEOUT_MS", 300)

    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=SIZE) as pilot:
            reader = await ready(pilot)
            other = sqlite3.connect(seeded_db, isolation_level=None)
            other.execute("BEGIN IMMEDIATE")
            await pilot.press("1")
            await pilot.pause()
            assert reader.panes[0].save_state == "NOT saved"
            assert "another program is writing the database" in _notes(app)
            other.execute("ROLLBACK")
            other.close()
            await pilot.press("1")
            await pilot.pause()
            assert reader.panes[0].save_state.startswith("saved")

    run(go())
    assert len(live(seeded_db)) == 1


def test_library_shows_every_column_at_80_columns(seeded_db, tmp_path):
    """At 80 columns the title's floor of 30 pushed "hidden" and "id" off screen."""
    from textual.widgets import DataTable

    async def go():
        app = make_app(seeded_db, tmp_path)
        async with app.run_test(size=(80, 24)) as pilot:
            await ready(pilot)
            await pilot.press("L")
            await pilot.pause()
            table = app.screen.query_one(DataTable)
            assert [str(c.label) for c in table.columns.values()][-2:] == ["hidden", "id"]
            assert sum(c.width + 2 for c in table.columns.values()) <= 80 - 4

    run(go())
