"""The library: every article with outlet, date, title and counts; filter as you type.

Typing goes to the filter box; up/down move through the table, tab marks
articles (as in fzf), enter reads the marked ones side by side (or the
highlighted one beside the current article), ctrl+e edits metadata.
"""

from __future__ import annotations

from contextlib import suppress
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, Input, Label
from textual.widgets.data_table import RowDoesNotExist

from tui.app import keys
from tui.errors import UserError
from tui.store import META_FIELDS
from tui.textsafe import safe

if TYPE_CHECKING:
    from tui.app.app import ParallaxApp

MAX_OPEN = 4
#: Rows put in the table at once. Building a DataTable row costs ~0.3 ms, so
#: re-filling 10,000 rows on every keystroke froze the screen for seconds;
#: nobody scrolls past a few hundred rows anyway: they type to narrow.
MAX_ROWS = 200


def haystack(row: dict[str, Any]) -> str:
    """What the filter searches: every filter word must appear in title, outlet, date, id or byline."""
    return " ".join(safe(row.get(k)) for k in ("title", "outlet", "date", "id", "byline")).lower()


class LibraryScreen(Screen[list[str] | None]):
    """Choose articles to read; edit metadata."""

    KEY_SCOPE = "library"  # which registry entries the command palette offers here
    BINDINGS = keys.bindings("library")
    DEFAULT_CSS = """
    LibraryScreen Input { margin: 0 1; }
    LibraryScreen #hint { padding: 0 2; color: $text-muted; }
    LibraryScreen DataTable { height: 1fr; }
    """

    app: ParallaxApp

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[dict[str, Any]] = []
        self._hay: list[str] = []
        self.marked: list[str] = []
        self._widths: dict[str, int] | None = None  # the columns' widths now (refit on resize)

    def compose(self) -> ComposeResult:
        yield Input(placeholder="filter: type words of a title, outlet, date or id", id="filter")
        yield Label("", id="hint")
        yield DataTable(cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self._add_columns(self.app.size.width)
        self.reload()
        self.query_one(Input).focus()

    @staticmethod
    def column_widths(width: int) -> dict[str, int]:
        """Every column shown on an 80-column terminal: the outlet narrows first, then
        the title (each column has a cell of padding on each side; 4 for the scrollbar)."""
        outlet = 20 if width >= 100 else 12
        return {"mark": 2, "outlet": outlet, "date": 10, "title": max(width - 48 - outlet, 16),
                "ann": 4, "hidden": 6, "id": 8}

    def _add_columns(self, width: int) -> None:
        table = self.query_one(DataTable)
        self._widths = self.column_widths(width)
        for key, cells in self._widths.items():
            table.add_column("" if key == "mark" else key, key=key, width=cells)

    def on_resize(self) -> None:
        """Refit the columns to the new width (as the events grid does), keeping the
        filter, the marks and the highlighted article."""
        if self._widths is None or self.column_widths(self.size.width) == self._widths:
            return
        table = self.query_one(DataTable)
        current = self._current_id()
        table.clear(columns=True)
        self._add_columns(self.size.width)
        self.refilter()
        if current is not None:
            with suppress(RowDoesNotExist):  # not listed any more: the top row
                table.move_cursor(row=table.get_row_index(current))

    def reload(self) -> None:
        self.rows = self.app.store.list_articles()
        self._hay = [haystack(r) for r in self.rows]
        self.refilter()

    def refilter(self) -> None:
        table = self.query_one(DataTable)
        words = self.query_one(Input).value.lower().split()
        table.clear()
        hits = [r for r, hay in zip(self.rows, self._hay, strict=True) if all(w in hay for w in words)]
        shown = len(hits)
        visible = hits[:MAX_ROWS]
        visible += [r for r in hits[MAX_ROWS:] if r["id"] in self.marked]
        for r in visible:
            mark = str(self.marked.index(r["id"]) + 1) if r["id"] in self.marked else ""
            table.add_row(
                Text(mark, style="bold yellow"),
                Text(safe(r["outlet"]) or "-", no_wrap=True, overflow="ellipsis"),
                Text(safe(r["date"]) or "-"),
                Text(safe(r["title"]) or "(untitled)", no_wrap=True, overflow="ellipsis",
                     style="italic" if r["title_derived"] else ""),
                Text(str(r["annotations"]), justify="right"),
                Text(str(r["blocks"] - r["kept_blocks"]), justify="right"),
                Text(r["id"][:8], style="dim"),
                key=r["id"],
            )
        marked = f"  ·  {len(self.marked)} marked" if self.marked else ""
        more = f" (first {MAX_ROWS} listed: type to narrow)" if shown > MAX_ROWS else ""
        self.query_one("#hint", Label).update(
            f"{shown} of {len(self.rows)} articles{more}{marked}  ·  tab marks, enter reads side by side")

    def on_input_changed(self, event: Input.Changed) -> None:
        self.refilter()

    def _current_id(self) -> str | None:
        table = self.query_one(DataTable)
        if not table.row_count:
            return None
        return table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value

    def action_cursor(self, delta: int) -> None:
        table = self.query_one(DataTable)
        if table.row_count:
            table.move_cursor(row=max(0, min(table.cursor_row + delta, table.row_count - 1)))

    def action_mark(self) -> None:
        article_id = self._current_id()
        if article_id is None:
            return
        if article_id in self.marked:
            self.marked.remove(article_id)
        elif len(self.marked) >= MAX_OPEN:
            self.notify(f"at most {MAX_OPEN} articles side by side", severity="warning")
            return
        else:
            self.marked.append(article_id)
        table = self.query_one(DataTable)
        row = table.cursor_row
        self.refilter()
        table.move_cursor(row=min(row + 1, table.row_count - 1))

    def action_open(self) -> None:
        if self.marked:
            self.dismiss(list(self.marked))
            return
        current = self._current_id()
        if current is None:
            return
        reader = self.app.reader
        others = [p.doc.article_id for p in reader.panes if p.doc and p.doc.article_id != current]
        self.dismiss([current, *others[:1]])

    def action_edit(self) -> None:
        article_id = self._current_id()
        if article_id is None:
            return

        def done(saved: bool | None) -> None:
            if saved:
                self.reload()
                for pane in self.app.reader.panes:
                    if pane.doc and pane.doc.article_id == article_id:
                        pane.doc.article.update(self.app.store.get_article(article_id))
                        pane.refresh_header()

        self.app.push_screen(MetaScreen(article_id), done)

    def action_close(self) -> None:
        self.dismiss(None)


class MetaScreen(ModalScreen[bool]):
    """Edit title, outlet, date, byline, url; saved with store.update_meta."""

    BINDINGS = keys.bindings("meta")
    DEFAULT_CSS = """
    MetaScreen { align: center middle; }
    MetaScreen > Vertical { width: 80; height: auto; border: round $primary;
        background: $surface; padding: 1 2; }
    MetaScreen Label { margin-top: 1; }
    """

    app: ParallaxApp

    def __init__(self, article_id: str) -> None:
        super().__init__()
        self.article = None
        self.article_id = article_id

    def compose(self) -> ComposeResult:
        self.article = self.app.store.get_article(self.article_id)
        with Vertical():
            yield Label(Text(f"Metadata of {self.article_id[:8]}  (ctrl+s saves, escape cancels)",
                             style="bold"))
            for name in META_FIELDS:
                yield Label(name)
                yield Input(value=safe(self.article.get(name)), id=f"meta-{name}")
        yield Footer()

    def action_save(self) -> None:
        changes: dict[str, str | None] = {}
        for name in META_FIELDS:
            value = self.query_one(f"#meta-{name}", Input).value.strip()
            if value != safe(self.article.get(name)):
                changes[name] = value or None
        if "date" in changes and changes["date"]:
            from datetime import date

            try:
                date.fromisoformat(changes["date"])
            except ValueError:
                self.notify(f"{changes['date']!r} is not a date: use YYYY-MM-DD", severity="error")
                return
        if not changes:
            self.dismiss(False)
            return
        try:
            self.app.store.update_meta(self.article_id, changes, self.app.annotator)
        except UserError as exc:
            self.notify(exc.message, severity="error")
            return
        self.notify(f"saved: {', '.join(changes)}")
        self.dismiss(True)

    def on_input_submitted(self) -> None:
        self.action_save()

    def action_cancel(self) -> None:
        self.dismiss(False)
