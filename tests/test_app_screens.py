"""Pilot tests of the Search, Events, Export and Review screens on real databases.

Each test pushes one screen on a bare host app and records what the screen
dismisses with, so the screens are checked on their own contract (what the
main app receives) without depending on the reader.
"""

from __future__ import annotations

import asyncio
import functools
import json
from collections.abc import Callable, Coroutine
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.screen import Screen

from tui.app.targets import Target
from tui.store import Store

UNSET = object()
SIZE = (120, 36)
#: Wide enough for every outlet column the events grid shows (MAX_OUTLETS).
WIDE = (200, 40)


def pilot_test(fn: Callable[..., Coroutine[Any, Any, None]]) -> Callable[..., None]:
    """Run an async pilot test without an asyncio pytest plugin (none is installed)."""

    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> None:
        asyncio.run(fn(*args, **kwargs))

    return run


class Host(App[None]):
    """A bare app that opens one screen and keeps what it dismisses with."""

    def __init__(self, make_screen: Any) -> None:
        super().__init__()
        self.make_screen = make_screen
        self.result: Any = UNSET

    def on_mount(self) -> None:
        self.push_screen(self.make_screen(), self._done)

    def _done(self, result: Any) -> None:
        self.result = result


async def settle(pilot: Any, screen: Screen, attr: str, expect: Any, tries: int = 300) -> None:
    """Wait for a worker-driven attribute of the screen to settle (at most 15 s: CI is slow)."""
    for _ in range(tries):
        await pilot.pause(0.05)
        if getattr(screen, attr) == expect:
            return
    raise AssertionError(f"{attr} stayed {getattr(screen, attr)!r}, expected {expect!r}")


async def loaded(pilot: Any, screen: Screen, tries: int = 300) -> None:
    """Wait (a bounded time) for a screen's loading worker to deliver."""
    for _ in range(tries):
        await pilot.pause(0.05)
        if getattr(screen, "loaded", None) is not None:
            return
    raise AssertionError("the screen never finished loading")


# ------------------------------------------------------------------ search
def _passage(store: Store, needle: str) -> dict[str, Any]:
    rows = list(store.db.query("select * from passages where text like ? order by id",
                               [f"%{needle}%"]))
    assert rows, needle
    return rows[0]


@pilot_test
async def test_search_updates_as_you_type_and_enter_returns_target(seeded_store: Store) -> None:
    from tui.app.screens_search import SearchScreen

    app = Host(lambda: SearchScreen(seeded_store))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        assert isinstance(screen, SearchScreen)
        await pilot.press(*"accelerated")
        await settle(pilot, screen, "shown_query", "accelerated")
        assert screen.hits, "a word from a seed article must be found"
        first = screen.hits[0]
        assert "accelerated" in first.text.lower()
        # typing more replaces the results with the answer to the new text
        await pilot.press(*" ascension")
        await settle(pilot, screen, "shown_query", "accelerated ascension")
        assert any("ascension" in h.text.lower() for h in screen.hits)
        # the first hit of the first outlet group is highlighted; enter opens it
        best = screen.hits[0]
        await pilot.press("enter")
        await pilot.pause()
    assert app.result == Target(best.article_id, best.passage_id, best.block_id)
    passage = seeded_store.db["passages"].get(best.passage_id)
    assert passage["article_id"] == best.article_id and passage["block_id"] == best.block_id


@pilot_test
async def test_search_enter_right_after_typing_opens_the_answer_to_the_typed_text(
        seeded_store: Store) -> None:
    """A fast typist's Enter must not open a hit of an older, shorter query."""
    from tui.app.screens_search import SearchScreen
    from tui.search import search

    app = Host(lambda: SearchScreen(seeded_store))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press(*"Stoltenberg")
        await settle(pilot, screen, "shown_query", "Stoltenberg")
        await pilot.press(*" Portugal", "enter")  # no pause: the list still shows "Stoltenberg"
        for _ in range(300):
            await pilot.pause(0.05)
            if app.result is not UNSET:
                break
    best = search(seeded_store, "Stoltenberg Portugal")[0]
    assert "Portugal" in best.text
    assert app.result == Target(best.article_id, best.passage_id, best.block_id)


@pilot_test
async def test_search_misspelled_query_still_finds(seeded_store: Store) -> None:
    from tui.app.screens_search import SearchScreen

    target = _passage(seeded_store, "accelerated ascension")
    app = Host(lambda: SearchScreen(seeded_store))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press(*"acelerated ascenssion")
        await settle(pilot, screen, "shown_query", "acelerated ascenssion")
        assert target["id"] in [h.passage_id for h in screen.hits]


@pilot_test
async def test_search_moves_through_hits_and_escape_returns_none(seeded_store: Store) -> None:
    from tui.app.screens_search import SearchScreen

    app = Host(lambda: SearchScreen(seeded_store, query="Zelensky NATO"))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await settle(pilot, screen, "shown_query", "Zelensky NATO")
        assert len(screen.hits) >= 3
        first = screen._selected_hit()
        await pilot.press("down")
        second = screen._selected_hit()
        assert second is not None and second is not first
        await pilot.press("up")
        assert screen._selected_hit() is first
        # j/k belong to the list only: in the query box they are typed
        await pilot.press("tab", "j")
        assert screen._selected_hit() is second
        assert screen.query_one("#search-input").value == "Zelensky NATO"
        await pilot.press("escape")
        await pilot.pause()
    assert app.result is None


@pilot_test
async def test_search_shows_untrusted_text_as_plain_text(store: Store, tmp_path: Path) -> None:
    """Markup-looking and control characters in an article never style or break the screen."""
    from tui.app.screens_search import SearchScreen
    from tui.model import Block, CleanResult, Meta, RawDocument

    body = "The [bold red]ministry[/] said \x1b]0;pwned\x07 the bridge reopened on Tuesday."
    raw = RawDocument(path="x.txt", text=body, format="txt")
    store.add_article(raw, CleanResult(Meta(title="[link=x]Bridge[/link]", outlet="Gazette"),
                                       [Block(text=body, start=0, end=len(body))], body))
    app = Host(lambda: SearchScreen(store))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.press(*"bridge reopened")
        await settle(pilot, screen, "shown_query", "bridge reopened")
        assert screen.hits
        svg = app.export_screenshot().replace("&#160;", " ")
    assert "[bold red]ministry[/]" in svg  # shown literally, not interpreted
    assert "[link=x]Bridge[/link]" in svg
    assert "pwned" not in svg and "\x1b" not in svg  # the OSC title sequence is stripped


def test_styles_stay_on_their_letters_when_controls_are_stripped() -> None:
    from tui.app.screens_search import highlighted, styled

    text = "ab\x1b[31mcd\x07 ef\ngh"
    hit = highlighted(text, [(7, 9), (14, 16)])  # "cd" and "gh" in the raw text
    assert hit.plain == "abcd ef gh"
    assert [hit.plain[s.start:s.end] for s in hit.spans] == ["cd", "gh"]
    block = styled(text, [(0, 2, "red"), (7, 10, "bold")])  # a span covering the BEL
    assert block.plain == "abcd ef\ngh" and "\x1b" not in block.plain
    assert [block.plain[s.start:s.end] for s in block.spans] == ["ab", "cd"]


# ------------------------------------------------------------------ events
@pilot_test
async def test_events_grid_shows_outlets_and_enter_opens_a_passage(seeded_store: Store) -> None:
    from tui.app.screens_events import MARK, EventsScreen
    from tui.link import link_store, list_events

    link_store(seeded_store)
    events = list_events(seeded_store)
    assert events, "the seeds report the same events"
    app = Host(lambda: EventsScreen(seeded_store))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await loaded(pilot, screen)
        grid = screen.query_one("#events-grid")
        outlets = sorted({o for e in events for o in e["outlets"]})
        assert sorted(screen.loaded.outlets) == outlets
        assert grid.row_count == len(events)
        assert len(grid.columns) == 2 + len(outlets)
        headers = [str(c.label) for c in grid.columns.values()]
        assert "Newsweek" in headers  # short names in full, long ones cut with an ellipsis
        for header, outlet in zip(headers[2:], screen.loaded.outlets, strict=True):
            assert screen._outlet_name(outlet, 200).startswith(header.rstrip("…"))
        # one mark per covering outlet, row by row
        for row, event in enumerate(events):
            cells = [str(grid.get_cell_at((row, 2 + i))) for i in range(len(outlets))]
            covered = [o for o, c in zip(screen.loaded.outlets, cells, strict=True) if c == MARK]
            assert sorted(covered) == sorted(event["outlets"])
        # move to the second event: its passages are listed; enter, down, enter opens one
        await pilot.press("j")
        await settle(pilot, screen, "current_event", screen.loaded.events[1])
        assert screen.current_event["id"] == events[1]["id"]
        await pilot.press("enter")
        await pilot.press("down")
        chosen = screen.selected_passage()
        assert chosen is not None
        await pilot.press("enter")
        await pilot.pause()
    assert isinstance(app.result, Target)
    assert chosen["passage_id"] in {p["passage_id"] for p in events[1]["passages"]}
    assert app.result.passage_id == chosen["passage_id"]
    row = seeded_store.db["passages"].get(chosen["passage_id"])
    assert app.result == Target(row["article_id"], row["id"], row["block_id"])


def _one_article_per_outlet(store: Store, outlets: list[str], sentence: str) -> list[str]:
    """One one-sentence article per outlet (the events tests build their own events)."""
    from tui.model import Block, CleanResult, Meta, RawDocument

    ids = []
    for outlet in outlets:
        text = f"{outlet} {sentence}"
        raw = RawDocument(path=f"{outlet}.txt", text=text, format="txt")
        ids.append(store.add_article(raw, CleanResult(Meta(title=text, outlet=outlet),
                                                      [Block(text, 0, len(text))], text)).article_id)
    return ids


def _store_events(store: Store, ids: list[str], outlets: list[str], events: list[list[int]]) -> None:
    """Events as the linker stores them, each naming its member outlets by index."""
    with store.transaction():
        for n, members in enumerate(events):
            store.db["events"].insert({"id": f"E{n:04d}", "label": f"event {n}",
                                       "central_passage": f"{ids[members[0]]}:0000.000",
                                       "outlets": json.dumps([outlets[m] for m in members]),
                                       "size": len(members)})
            store.db["event_passages"].insert_all(
                {"event_id": f"E{n:04d}", "passage_id": f"{ids[m]}:0000.000",
                 "article_id": ids[m]} for m in members)


@pilot_test
async def test_events_grid_caps_rows_and_columns_and_counts_the_rest(store: Store) -> None:
    """Thousands of events or outlets must not freeze the screen, nor vanish silently."""
    from tui.app.screens_events import MAX_OUTLETS, MAX_ROWS, EventsScreen

    outlets = [f"Outlet {n:02d}" for n in range(MAX_OUTLETS + 3)]
    ids = _one_article_per_outlet(store, outlets, "reports that the dam held after the flood.")
    # event 0: every outlet; the others two outlets each
    _store_events(store, ids, outlets, [list(range(len(outlets)))]
                  + [[0, 1] for _ in range(MAX_ROWS + 19)])
    app = Host(lambda: EventsScreen(store))
    async with app.run_test(size=WIDE) as pilot:
        screen = app.screen
        await loaded(pilot, screen)
        grid = screen.query_one("#events-grid")
        assert grid.row_count == MAX_ROWS
        assert len(grid.columns) == 2 + MAX_OUTLETS + 1
        assert str(list(grid.columns.values())[-1].label) == "+3"
        assert str(grid.get_cell_at((0, 2 + MAX_OUTLETS))) == "3"  # the widest event
        assert str(grid.get_cell_at((1, 2 + MAX_OUTLETS))) == "·"
        status = str(screen.query_one("#events-status").render())
        assert f"{MAX_ROWS + 20} events across {len(outlets)} outlets" in status
        assert f"the {MAX_ROWS} largest are listed" in status
        # a narrower terminal shows fewer outlet columns and counts the rest, never cut off
        await pilot.resize_terminal(*SIZE)
        await pilot.pause()
        shown = len(grid.columns) - 3
        assert 1 <= shown < MAX_OUTLETS
        assert str(list(grid.columns.values())[-1].label) == f"+{len(outlets) - shown}"
        total = sum(c.width + 2 for c in grid.columns.values())
        assert total <= SIZE[0] - 8  # borders, padding and scrollbar


@pilot_test
async def test_events_columns_follow_the_events_at_the_top(store: Store) -> None:
    """The largest event's outlets get the first columns, even when they are the least active."""
    from tui.app.screens_events import MARK, MAX_OUTLETS, EventsScreen

    outlets = [f"Outlet {n:02d}" for n in range(MAX_OUTLETS + 3)]
    ids = _one_article_per_outlet(store, outlets, "reports that the bridge reopened after repairs.")
    rare = [MAX_OUTLETS, MAX_OUTLETS + 1, MAX_OUTLETS + 2]  # only in the largest event
    events = [rare] + [[m, (m + 1) % MAX_OUTLETS] for m in range(MAX_OUTLETS) for _ in range(2)]
    _store_events(store, ids, outlets, events)
    app = Host(lambda: EventsScreen(store))
    async with app.run_test(size=WIDE) as pilot:
        screen = app.screen
        await loaded(pilot, screen)
        assert screen.loaded.outlets[:3] == [outlets[m] for m in rare]
        grid = screen.query_one("#events-grid")
        first_row = [str(grid.get_cell_at((0, 2 + i))) for i in range(MAX_OUTLETS)]
        assert first_row[:3] == [MARK] * 3  # the largest event is not all "·"
        for row in range(1, 4):  # and the next events find their outlets in the columns too
            cells = [str(grid.get_cell_at((row, 2 + i))) for i in range(MAX_OUTLETS)]
            assert cells.count(MARK) == 2


@pilot_test
async def test_events_without_links_says_how_then_reloads(seeded_store: Store) -> None:
    from tui.app.screens_events import EventsScreen

    app = Host(lambda: EventsScreen(seeded_store))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await loaded(pilot, screen)
        status = str(screen.query_one("#events-status").render())
        assert "No events yet" in status and "parallax links" in status and "Press c" in status
        assert not screen.query_one("#events-grid").display
        # links computed meanwhile (the palette's "Compute links"): r shows them
        from tui.link import link_store, list_events

        link_store(seeded_store)
        await pilot.press("r")
        await loaded(pilot, screen)
        assert screen.query_one("#events-grid").display
        assert screen.query_one("#events-grid").row_count == len(list_events(seeded_store)) > 0
        await pilot.press("escape")
        await pilot.pause()
    assert app.result is None


# ------------------------------------------------------------------ export
async def _export_run(pilot: Any, screen: Screen, path: Path, *, fmt: str | None = None,
                      mine: bool = False, all_links: bool = False) -> None:
    """Fill the dialog the way a user does (keys only) and wait for the worker."""
    from textual.widgets import Checkbox, Input

    if fmt is not None:
        names = list(screen.formats)
        for _ in range(names.index(fmt)):
            await pilot.press("down")
    assert screen.fmt == (fmt or next(iter(screen.formats)))
    box = screen.query_one("#export-path", Input)
    box.focus()
    box.value = str(path)
    if mine:
        screen.query_one("#export-mine", Checkbox).value = True
    if all_links:
        box.focus()
        await pilot.press("tab", "tab", "space")  # the path box -> "only mine" -> "links"
        assert screen.query_one("#export-all-links", Checkbox).value
        box.focus()
    await pilot.press("enter")
    for _ in range(300):
        await pilot.pause(0.05)
        if not screen.running:
            return
    raise AssertionError("the export never finished")


@pilot_test
async def test_export_writes_the_file_and_shows_counts(seeded_store: Store, tmp_path: Path) -> None:
    from tui.app.screens_export import ExportScreen

    blocks = [b for b in seeded_store.blocks(seeded_store.list_articles()[0]["id"])
              if b["visible"] and len(b["text"]) > 20]
    seeded_store.add_annotation(block_id=blocks[0]["id"], start=0, end=10, label="EVENT",
                                annotator="ana")
    seeded_store.add_annotation(block_id=blocks[1]["id"], start=0, end=8, label="ACTOR",
                                annotator="ben")
    out = tmp_path / "set.csv"
    app = Host(lambda: ExportScreen(seeded_store, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await _export_run(pilot, screen, out, fmt="csv", mine=True)
        assert screen.error is None, screen.error
        shown = str(screen.query_one("#export-result").render())
        assert "exported 5 articles, 1 spans" in shown and str(out) in shown
        assert "set.manifest.json" in shown and "set.schema.json" in shown
        await pilot.press("escape")
        await pilot.pause()
    assert app.result == str(out)
    rows = out.read_text(encoding="utf-8").splitlines()
    assert len(rows) == 2 and "ana" in rows[1] and "ben" not in out.read_text()
    manifest = json.loads((tmp_path / "set.manifest.json").read_text())
    assert manifest["format"] == "csv" and manifest["counts"]["spans"] == 1


@pilot_test
async def test_export_can_include_every_link_status(seeded_store: Store, tmp_path: Path) -> None:
    from tui.app.screens_export import ExportScreen

    out = tmp_path / "links.jsonl"
    app = Host(lambda: ExportScreen(seeded_store, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await _export_run(pilot, screen, out, all_links=True)
        assert screen.error is None, screen.error
    manifest = json.loads((tmp_path / "links.manifest.json").read_text())
    assert manifest["filters"]["links"] == "all"


@pilot_test
async def test_export_error_is_one_line_and_the_dialog_survives(seeded_store: Store,
                                                                  tmp_path: Path) -> None:
    from tui.app.screens_export import ExportScreen

    app = Host(lambda: ExportScreen(seeded_store, "nobody"))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        # a path through a file (a missing folder is created: see the tests at the end)
        (tmp_path / "notes.txt").write_text("notes\n")
        await _export_run(pilot, screen, tmp_path / "notes.txt" / "x.jsonl")
        assert screen.error and "is a file, not a folder" in screen.error
        assert "error:" in str(screen.query_one("#export-result").render())
        # an annotator with no annotations asks only for their own
        await _export_run(pilot, screen, tmp_path / "x.jsonl", mine=True)
        assert screen.error and "no annotations by 'nobody'" in screen.error
        assert not (tmp_path / "x.jsonl").exists()
        # fixed: it now works in the same dialog
        screen.query_one("#export-mine").value = False
        await _export_run(pilot, screen, tmp_path / "x.jsonl")
        assert screen.error is None and (tmp_path / "x.jsonl").exists()
        await pilot.press("escape")
        await pilot.pause()
    assert app.result == str(tmp_path / "x.jsonl")


# ------------------------------------------------------------------ review
def _two_annotators(store: Store) -> tuple[str, list[dict[str, Any]]]:
    """ana and ben on one article: one agreement and three kinds of disagreement."""
    article = store.list_articles()[0]["id"]
    blocks = [b for b in store.blocks(article) if b["visible"] and len(b["text"]) > 40]

    def add(i: int, start: int, end: int, label: str, who: str) -> None:
        store.add_annotation(block_id=blocks[i]["id"], start=start, end=end, label=label,
                             annotator=who)

    add(0, 0, 8, "ACTOR", "ana")
    add(0, 0, 8, "ACTOR", "ben")  # agreed
    add(1, 0, 20, "EVENT", "ana")
    add(1, 0, 20, "CLAIM", "ben")  # different labels
    add(2, 5, 30, "QUOTE", "ana")
    add(2, 5, 25, "QUOTE", "ben")  # different boundaries
    add(3, 0, 12, "PLACE", "ben")  # only B
    return article, blocks


class Adjudicator(Host):
    annotator = "lead"


@pilot_test
async def test_review_accept_writes_the_adjudicators_annotation(seeded_store: Store) -> None:
    from tui.app.screens_review import ReviewScreen

    article, blocks = _two_annotators(seeded_store)
    app = Adjudicator(lambda: ReviewScreen(seeded_store, article))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.pause()
        assert screen.pair == ("ana", "ben")
        assert [i.kind for i in screen.items] == ["label", "overlap", "only_b"]
        assert screen.agreed == 1
        # the first disagreement: A said EVENT, B said CLAIM; take B's
        await pilot.press("b")
        await pilot.pause()
        mine = seeded_store.annotations(article, annotator="lead")
        assert [(m["label"], m["block_id"], m["start"], m["end"], m["origin"]) for m in mine] == [
            ("CLAIM", blocks[1]["id"], 0, 20, "adjudication")]
        assert screen.settled == {0: "b"} and screen.index == 1  # moved on to the next open one
        # change of mind on the first: A's EVENT replaces B's CLAIM (one decision each)
        await pilot.press("p", "a")
        await pilot.pause()
        mine = seeded_store.annotations(article, annotator="lead")
        assert [m["label"] for m in mine] == ["EVENT"]
        assert screen.settled == {0: "a"} and screen.index == 1
        # "only B" has nothing on A's side: accepting A writes nothing
        await pilot.press("n")
        assert screen.items[screen.index].kind == "only_b"
        await pilot.press("a")
        await pilot.pause()
        assert len(seeded_store.annotations(article, annotator="lead")) == 1
        detail = str(screen.query_one("#review-detail").render())
        assert "only B marked this" in detail and "PLACE" in detail
        # both annotators' own work is untouched
        assert len(seeded_store.annotations(article, annotator="ana")) == 3
        assert len(seeded_store.annotations(article, annotator="ben")) == 4
        await pilot.press("escape")
        await pilot.pause()
    assert app.result is None
    # another adjudicator whose name sorts first: their own layer is not a default side
    seeded_store.add_annotation(block_id=blocks[0]["id"], start=0, end=8, label="ACTOR",
                                annotator="adele")

    class Adele(Host):
        annotator = "adele"

    again = Adele(lambda: ReviewScreen(seeded_store, article))
    async with again.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert again.screen.annotators == ["adele", "ana", "ben", "lead"]
        assert again.screen.pair == ("ana", "ben")
        await pilot.press("c")  # the other pairs, in order, include every layer
        assert again.screen.pair == ("ana", "lead")


@pilot_test
async def test_review_needs_two_annotators_and_says_so(seeded_store: Store) -> None:
    from tui.app.screens_review import ReviewScreen

    article = seeded_store.list_articles()[0]["id"]
    block = next(b for b in seeded_store.blocks(article) if b["visible"])
    seeded_store.add_annotation(block_id=block["id"], start=0, end=5, label="EVENT",
                                annotator="ana")
    app = Adjudicator(lambda: ReviewScreen(seeded_store, article))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.pause()
        assert screen.message and "annotated by ana" in screen.message
        assert "parallax merge" in screen.message
        await pilot.press("a", "n", "escape")  # keys do nothing harmful without a pair
        await pilot.pause()
    assert app.result is None
    assert seeded_store.annotations(article, annotator="lead") == []


# --------------------------------------------------------------- snapshots
# Hand-made articles (not the seeds through the cleaner) and events written
# straight into the store's tables, so the pictures change only when a
# screen does, not when the cleaner or the linker is retuned.
SNAP_ARTICLES = (
    ("Harbor Daily", "Bridge reopens after storm repairs",
     ["The Hollis bridge reopened on Tuesday after three weeks of storm repairs.",
      "The mayor said the crossing was safe and thanked the repair crews.",
      "Traffic was light in the morning but queues formed by noon."]),
    ("Valley Courier", "Hollis crossing open again",
     ["Engineers declared the Hollis bridge safe and it reopened to traffic on Tuesday.",
      "Repair costs reached four million dollars, the council said.",
      "Some residents said the closure had doubled their commute."]),
    ("The Morning Ledger", "Council approves budget for repairs",
     ["The council approved four million dollars for bridge repairs on Monday.",
      "A vote on the harbor dredging plan was postponed."]),
    ("Coastal Wire", "Storm damage tally rises",
     ["Officials said storm damage across the county now exceeds ten million dollars.",
      "The Hollis bridge, closed for three weeks, reopened on Tuesday."]),
)
SNAP_EVENTS = (  # (event id, label, [(article index, sentence index)])
    ("E-bridge", "The Hollis bridge reopened on Tuesday", [(0, 0), (1, 0), (3, 1)]),
    ("E-cost", "Repairs cost four million dollars", [(1, 1), (2, 0)]),
    ("E-commute", "Residents and traffic after the closure", [(0, 2), (1, 2)]),
)


def build_snapshot_store(path: Path) -> Store:
    from tui.model import Block, CleanResult, Meta, RawDocument

    store = Store.open(path)
    store.ensure_schema(None, None, "tester")
    ids = []
    for outlet, title, sentences in SNAP_ARTICLES:
        blocks, text = [Block(text=title, start=0, end=len(title), kind="title")], title
        for sentence in sentences:
            blocks.append(Block(text=sentence, start=len(text) + 2,
                                end=len(text) + 2 + len(sentence)))
            text += "\n\n" + sentence
        raw = RawDocument(path=f"{outlet}.txt", text=text, format="txt")
        ids.append(store.add_article(raw, CleanResult(Meta(title=title, outlet=outlet),
                                                      blocks, text)).article_id)
    with store.transaction():
        for event_id, label, members in SNAP_EVENTS:
            passages = [f"{ids[a]}:{s + 1:04d}.000" for a, s in members]
            outlets = sorted({SNAP_ARTICLES[a][0] for a, _ in members})
            store.db["events"].insert({"id": event_id, "label": label,
                                       "central_passage": passages[0],
                                       "outlets": json.dumps(outlets), "size": len(passages)})
            store.db["event_passages"].insert_all(
                {"event_id": event_id, "passage_id": p, "article_id": ids[a]}
                for p, (a, _s) in zip(passages, members, strict=True))
    return store


@pytest.fixture
def snapshot_store(tmp_path: Path):
    store = build_snapshot_store(tmp_path / "snap.db")
    yield store
    store.close()


def test_snapshot_events_screen(snapshot_store: Store, snap_compare: Any) -> None:
    from tui.app.screens_events import EventsScreen

    async def ready(pilot: Any) -> None:
        await loaded(pilot, pilot.app.screen)
        assert pilot.app.screen.loaded.error is None  # never picture a broken state
        await pilot.press("j")  # the second event's passages below the grid
        await settle(pilot, pilot.app.screen, "current_event", pilot.app.screen.loaded.events[1])

    app = Host(lambda: EventsScreen(snapshot_store))
    assert snap_compare(app, terminal_size=SIZE, run_before=ready)


def test_snapshot_search_screen_with_a_query(snapshot_store: Store, snap_compare: Any) -> None:
    from tui.app.screens_search import SearchScreen

    async def typed(pilot: Any) -> None:
        await pilot.press(*"hollis brige reopened")  # a typo on purpose
        await settle(pilot, pilot.app.screen, "shown_query", "hollis brige reopened")
        assert len(pilot.app.screen.hits) >= 3
        await pilot.pause()

    app = Host(lambda: SearchScreen(snapshot_store))
    assert snap_compare(app, terminal_size=SIZE, run_before=typed)


def test_snapshot_review_screen(snapshot_store: Store, snap_compare: Any) -> None:
    from tui.app.screens_review import ReviewScreen

    article = snapshot_store.list_articles()[0]["id"]
    blocks = snapshot_store.blocks(article)
    for who, spans in (("ana", [(1, 4, 17, "PLACE"), (1, 18, 26, "EVENT"), (2, 4, 9, "ACTOR")]),
                       ("ben", [(1, 4, 17, "PLACE"), (1, 18, 38, "EVENT"), (3, 0, 7, "CLAIM")])):
        for seq, start, end, label in spans:
            snapshot_store.add_annotation(block_id=blocks[seq]["id"], start=start, end=end,
                                          label=label, annotator=who)

    async def ready(pilot: Any) -> None:
        await pilot.pause()
        assert pilot.app.screen.message is None and len(pilot.app.screen.items) == 3
        await pilot.press("n")  # the second disagreement under review
        await pilot.pause()

    app = Adjudicator(lambda: ReviewScreen(snapshot_store, article))
    assert snap_compare(app, terminal_size=SIZE, run_before=ready)


def test_snapshot_export_dialog(snapshot_store: Store, snap_compare: Any) -> None:
    from tui.app.screens_export import ExportScreen

    app = Host(lambda: ExportScreen(snapshot_store, "ana"))
    assert snap_compare(app, terminal_size=SIZE, press=["down", "down"])


@pilot_test
async def test_review_accept_agreed_completes_the_adjudicated_layer(seeded_store: Store) -> None:
    """Only disagreements could be accepted, so `export --annotator lead` missed every
    span the two agreed on: A copies those into the adjudicator's layer, once."""
    from tui.app.screens_review import ReviewScreen

    article, blocks = _two_annotators(seeded_store)
    app = Adjudicator(lambda: ReviewScreen(seeded_store, article))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await pilot.pause()
        assert screen.agreed == 1
        await pilot.press("A")
        await pilot.pause()
        mine = seeded_store.annotations(article, annotator="lead")
        agreed = [p.a for p in __import__("tui.team.review", fromlist=["x"]).disagreements(
            seeded_store, article, "ana", "ben") if p.agreed]
        assert [(m["block_id"], m["start"], m["end"], m["label"]) for m in mine] == [
            (a["block_id"], a["start"], a["end"], a["label"]) for a in agreed]
        assert all(m["origin"] == "adjudication" for m in mine)
        await pilot.press("A")  # again: nothing new
        await pilot.pause()
        assert len(seeded_store.annotations(article, annotator="lead")) == len(agreed)
        assert "already in your layer" in " | ".join(n.message for n in app._notifications)


# ------------------------------------------------- export: folders, wording, shared stems
@pilot_test
async def test_export_dialog_creates_a_typed_missing_folder_and_says_so(seeded_store: Store,
                                                                        tmp_path: Path) -> None:
    """The user has no shell inside the app: a missing folder, however deep, is made."""
    from tui.app.screens_export import ExportScreen

    out = tmp_path / "no" / "such" / "x.jsonl"
    app = Host(lambda: ExportScreen(seeded_store, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await _export_run(pilot, screen, out)
        assert screen.error is None, screen.error
        shown = str(screen.query_one("#export-result").render())
        assert f"created folder {tmp_path / 'no'}" in shown
        await pilot.press("escape")
        await pilot.pause()
    assert app.result == str(out) and out.is_file()
    assert (out.parent / "x.manifest.json").is_file()


@pilot_test
async def test_export_dialog_errors_speak_of_its_path_field(seeded_store: Store,
                                                           tmp_path: Path) -> None:
    """The dialog has a "path" field, not the command's --out."""
    from tui.app.screens_export import ExportScreen

    (tmp_path / "notes.txt").write_text("notes\n")
    app = Host(lambda: ExportScreen(seeded_store, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await _export_run(pilot, screen, tmp_path)  # a folder
        assert screen.error == (f"path {tmp_path} is a folder: give a file name, "
                                f"e.g. {tmp_path}/dataset.jsonl")
        await _export_run(pilot, screen, tmp_path / "notes.txt" / "x.jsonl")
        assert screen.error and screen.error.endswith("choose another path")
        for shown in (screen.error, str(screen.query_one("#export-result").render())):
            assert "--out" not in shown
        assert not (tmp_path / "notes.txt").is_dir()


@pilot_test
async def test_export_dialog_keeps_the_manifest_of_another_format(seeded_store: Store,
                                                                   tmp_path: Path) -> None:
    """d.jsonl then d.csv from the dialog: d.manifest.json stays d.jsonl's, d.csv's
    sidecars are d.csv.*, and the dialog says so."""
    from tui.app.screens_export import ExportScreen

    app = Host(lambda: ExportScreen(seeded_store, "ana"))
    async with app.run_test(size=SIZE) as pilot:
        screen = app.screen
        await _export_run(pilot, screen, tmp_path / "d.jsonl")
        assert screen.error is None, screen.error
        screen.query_one("#export-formats").focus()  # back to the list, still on jsonl
        await _export_run(pilot, screen, tmp_path / "d.csv", fmt="csv")
        assert screen.error is None, screen.error
        shown = str(screen.query_one("#export-result").render())
        assert "d.csv.manifest.json" in shown and "d.manifest.json describes d.jsonl" in shown
    assert json.loads((tmp_path / "d.manifest.json").read_text())["file"] == "d.jsonl"
    assert json.loads((tmp_path / "d.csv.manifest.json").read_text())["file"] == "d.csv"
