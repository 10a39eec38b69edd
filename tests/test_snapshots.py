"""SVG snapshots of the main screens (pytest-textual-snapshot), fixed size, no clocks.

Regenerate after an intended UI change with
``pytest tests/test_snapshots.py --snapshot-update`` and look at the SVGs
(tests/__snapshots__/test_snapshots/) before committing them.
"""

from __future__ import annotations

from pathlib import Path

from tui.app import ParallaxApp
from tui.store import Store

SIZE = (120, 36)


def make_app(db: Path, tmp_path: Path) -> ParallaxApp:
    # explicit annotator and keymap: nothing from the machine leaks into the picture
    return ParallaxApp(db_path=str(db), annotator="snap", keymap=tmp_path / "none.toml")


async def _settle(pilot) -> None:
    await pilot.pause()
    await pilot.pause()


def test_reader_seeds_000_001(snap_compare, seeded_db, tmp_path):
    with Store.open(seeded_db) as store:
        by_seed = {Path(r["path"]).name[:3]: r["id"] for r in store.list_articles()}
    app = ParallaxApp(db_path=str(seeded_db), annotator="snap", keymap=tmp_path / "none.toml",
                      article_ids=[by_seed["000"], by_seed["001"]])
    assert snap_compare(app, terminal_size=SIZE, run_before=_settle)


def test_reader_tagged_and_selected(snap_compare, seeded_db, tmp_path):
    async def before(pilot):
        await _settle(pilot)
        await pilot.press("j", "1", "j", "shift+right", "shift+right", "4", "j")
        await pilot.press("shift+right", "shift+right", "shift+right")
        await _settle(pilot)

    assert snap_compare(make_app(seeded_db, tmp_path), terminal_size=SIZE, run_before=before)


def test_reader_hidden_blocks_shown(snap_compare, seeded_db, tmp_path):
    async def before(pilot):
        await _settle(pilot)
        await pilot.press("h")
        await _settle(pilot)

    assert snap_compare(make_app(seeded_db, tmp_path), terminal_size=SIZE, run_before=before)


def test_library(snap_compare, seeded_db, tmp_path):
    async def before(pilot):
        await _settle(pilot)
        await pilot.press("L")
        await _settle(pilot)
        from textual.widgets import Input

        # a blinking cursor makes the picture depend on timing (machine load)
        pilot.app.screen.query_one(Input).cursor_blink = False
        await _settle(pilot)

    assert snap_compare(make_app(seeded_db, tmp_path), terminal_size=SIZE, run_before=before)


def test_help(snap_compare, seeded_db, tmp_path):
    async def before(pilot):
        await _settle(pilot)
        await pilot.press("question_mark")
        await _settle(pilot)

    assert snap_compare(make_app(seeded_db, tmp_path), terminal_size=SIZE, run_before=before)


def test_schema(snap_compare, seeded_db, tmp_path):
    async def before(pilot):
        await _settle(pilot)
        await pilot.press("1", "s")
        await _settle(pilot)

    assert snap_compare(make_app(seeded_db, tmp_path), terminal_size=SIZE, run_before=before)
