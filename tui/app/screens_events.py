"""The Events screen (`E`): which outlets reported which event, and how.

Rows are events (clusters of linked passages), columns are outlets, and a
mark shows that an outlet has a passage in the event: gaps in coverage are
visible at a glance, which is the point of comparing outlets. The passages of
the highlighted event are listed below, grouped by outlet; Enter on one
dismisses with a :class:`~tui.app.targets.Target` so the reader opens it.

Events are read in a thread worker on a private connection, so a large
database never freezes the screen while they load.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass, field
from typing import Any, ClassVar

from rich.console import Group
from rich.padding import Padding
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Vertical
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import DataTable, Footer, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState

from tui.app import keys
from tui.app.screens_search import read_store
from tui.app.targets import Target
from tui.errors import UserError
from tui.store import Store
from tui.textsafe import safe

#: Outlet column widths (longer names are cut with an ellipsis).
OUTLET_MIN, OUTLET_MAX = 8, 20
#: At most this many events (the largest) and outlet columns (those of the
#: events at the top) are shown; the rest are counted ("+N" column), never
#: silently dropped.
MAX_ROWS = 300
#: While the grid cursor moves fast, the passages below follow at most this often (s).
FOLLOW_EVERY = 0.1
MAX_OUTLETS = 12
#: The event label column takes what the outlet columns leave, within these bounds.
LABEL_MIN, LABEL_WANT, LABEL_MAX = 24, 44, 70
MARK = "●"


NO_EVENTS = (
    "No events yet: links between outlets have not been computed for this database.\n"
    "Press c to compute them now (the grid fills in when they are done), or run "
    "`parallax links` in a shell and press r here to reload."
)


@dataclass(slots=True)
class _Loaded:
    """Everything the screen shows, read in one worker run."""

    events: list[dict[str, Any]]
    outlets: list[str]  # column order: the outlets of the events at the top first
    titles: dict[str, str] = field(default_factory=dict)  # article id -> title
    blocks: dict[str, str] = field(default_factory=dict)  # passage id -> block id
    error: str | None = None


def outlet_key(passage: dict[str, Any]) -> str:
    """The outlet a passage counts for, named as ``list_events`` names it.

    An article without a known outlet is its own source, written
    ``(article id)`` by the linker; the grid follows that convention.
    """
    outlet = passage.get("outlet")
    return outlet if outlet and str(outlet).strip() else f"({passage['article_id']})"


def load_events(store: Store) -> _Loaded:
    """Events plus the lookups the screen needs (titles, passage blocks)."""
    from tui.link import list_events

    events = list_events(store)
    counts: dict[str, int] = {}
    for event in events:
        for outlet in event["outlets"]:
            counts[outlet] = counts.get(outlet, 0) + 1
    # Columns follow the rows: walking the events as listed (largest first), an
    # outlet takes the next column where it first appears. Ordered by overall
    # activity instead, the largest events' outlets could all sit past the
    # shown columns, and the top rows read "·" everywhere.
    by_activity = sorted(counts, key=lambda o: (-counts[o], o.startswith("("), o.casefold()))
    rank = {o: i for i, o in enumerate(by_activity)}
    order: dict[str, None] = {}
    for event in events:
        for outlet in sorted(event["outlets"], key=rank.__getitem__):
            order.setdefault(outlet, None)
    outlets = list(order)
    titles = {r["id"]: r["title"] or "" for r in store.db.query("select id, title from articles")}
    blocks = {
        r["passage_id"]: r["block_id"]
        for r in store.db.query(
            "select ep.passage_id, p.block_id from event_passages ep "
            "join passages p on p.id = ep.passage_id"
        )
    }
    return _Loaded(events, outlets, titles, blocks)


def cut(text: str, width: int) -> str:
    flat = " ".join(safe(text).split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


class EventsScreen(Screen[Target | None]):
    """Coverage grid of events by outlet, and each event's passages."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("events")  # declared in tui/app/keys.py
    AUTO_FOCUS = "#events-grid"

    DEFAULT_CSS = """
    EventsScreen #events-box { height: 1fr; padding: 0 1; }
    EventsScreen #events-title { text-style: bold; height: 1; }
    EventsScreen #events-status { color: $text-muted; height: auto; }
    EventsScreen #events-grid { height: auto; max-height: 55%; border: round $panel; }
    EventsScreen #events-grid:focus { border: round $accent; }
    EventsScreen #events-detail { height: 1; color: $text-muted; }
    EventsScreen #events-passages { height: 1fr; border: round $panel; }
    EventsScreen #events-passages:focus { border: round $accent; }
    /* group headers (outlets) are disabled options: keep them readable */
    EventsScreen #events-passages > .option-list--option-disabled { color: $text-accent; }
    """

    def __init__(self, store: Store) -> None:
        super().__init__()
        self.store = store
        self.loaded: _Loaded | None = None
        self._passages: dict[str, dict[str, Any]] = {}
        self.current_event: dict[str, Any] | None = None
        self._by_id: dict[str, dict[str, Any]] = {}
        self._wanted: dict[str, Any] | None = None
        self._shown_at = 0.0
        self._follow_timer: Timer | None = None
        self._columns_shown = 0  # outlet columns in the grid now (refit on resize)

    def compose(self) -> ComposeResult:
        with Vertical(id="events-box"):
            yield Static(Text("Events: who reported what"), id="events-title")
            yield Static(Text("loading events…"), id="events-status")
            yield DataTable(id="events-grid", cursor_type="row", zebra_stripes=True)
            yield Static(id="events-detail")
            yield OptionList(id="events-passages")
        yield Footer()

    def on_mount(self) -> None:
        self._load()

    def action_compute_links(self) -> None:
        """Start "Compute links" from here; the app reloads this screen when it ends."""
        self.query_one("#events-status", Static).update(Text("computing links…"))
        self.app.compute_links()  # type: ignore[attr-defined]

    def show_work_progress(self, job: str, done: int, total: int, detail: str = "") -> None:
        """The app's long jobs report here while this screen hides the reader's progress bar."""
        if job == "links":
            share = f" {100 * done // total}%" if total else ""
            text = f"computing links…{share} {detail}".rstrip()
            self.query_one("#events-status", Static).update(Text(text[:120]))

    def reload_after_work(self) -> None:
        """Called by the app when "Compute links" or an import ends while this screen is up."""
        self.action_reload()

    def action_reload(self) -> None:
        """Read the events again (e.g. after "Compute links" finished)."""
        grid = self.query_one("#events-grid", DataTable)
        grid.clear(columns=True)
        grid.display = True
        self.query_one("#events-passages", OptionList).display = True
        self.query_one("#events-passages", OptionList).clear_options()
        self.query_one("#events-detail", Static).update("")
        self.query_one("#events-status", Static).update(Text("loading events…"))
        self.loaded = None
        self.current_event = None
        self._load()

    @work(thread=True, exclusive=True, group="events", exit_on_error=False)
    def _load(self) -> _Loaded:
        try:
            with read_store(self.store.path) as store:
                return load_events(store)
        except (UserError, sqlite3.Error) as exc:
            return _Loaded([], [], error=getattr(exc, "message", None) or str(exc))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group != "events":
            return
        if event.state == WorkerState.SUCCESS:
            self._show(event.worker.result)
        elif event.state == WorkerState.ERROR:
            self._show(_Loaded([], [], error=f"cannot read events: {event.worker.error}"))

    # -------------------------------------------------------------- display
    def _show(self, loaded: _Loaded) -> None:
        self.loaded = loaded
        self._by_id = {e["id"]: e for e in loaded.events}
        status = self.query_one("#events-status", Static)
        grid = self.query_one("#events-grid", DataTable)
        if loaded.error or not loaded.events:
            status.update(Text(safe(loaded.error), style="bold red") if loaded.error
                          else Text(NO_EVENTS))
            grid.display = False
            self.query_one("#events-passages", OptionList).display = False
            return
        n_ev, n_out = len(loaded.events), len(loaded.outlets)
        unknown = any(o.startswith("(") for o in loaded.outlets)
        # A DataTable measures every row on the UI thread: thousands of events
        # would freeze the screen for seconds. The largest events come first.
        rows = loaded.events[:MAX_ROWS]
        columns = loaded.outlets[:self._columns_that_fit(n_out)]
        self._columns_shown = len(columns)
        others = n_out - len(columns)
        shown = (f"; the {len(rows)} largest are listed" if len(rows) < n_ev else "")
        status.update(Text(
            f"{n_ev} event{'s' if n_ev != 1 else ''} across {n_out} outlet"
            f"{'s' if n_out != 1 else ''}{shown}; {MARK} = the outlet has a passage in the event"
            f"{', ? = outlet unknown (named by its article)' if unknown else ''}. "
            "enter lists its passages, enter on a passage opens it."
        ))
        # Widths: the screen less borders, padding, scrollbar and the size column;
        # the event label is read first, so it keeps LABEL_WANT before outlets widen.
        room = self.size.width - 8 - 5 - (8 if others else 0)
        n = len(columns)
        longest = max(len(self._outlet_name(o, OUTLET_MAX)) for o in columns)
        outlet_width = max(OUTLET_MIN, min(OUTLET_MAX, longest, (room - LABEL_WANT) // n - 2))
        # every column has one cell of padding on each side: the label's own two included
        label_width = max(LABEL_MIN, min(LABEL_MAX, room - n * (outlet_width + 2) - 2))
        grid.add_column(Text("Event"), width=label_width, key="label")
        grid.add_column(Text("n", justify="right"), width=3, key="size")
        for i, outlet in enumerate(columns):
            grid.add_column(Text(self._outlet_name(outlet, outlet_width), justify="center"),
                            width=outlet_width, key=f"o{i}")
        if others:
            grid.add_column(Text(f"+{others}", justify="center"), width=6, key="others")
        listed = set(columns)
        for event in rows:
            covered = set(event["outlets"])
            marks = [Text(MARK if o in covered else "·", justify="center",
                          style="bold green" if o in covered else "dim")
                     for o in columns]
            if others:
                extra = len(covered - listed)
                marks.append(Text(str(extra) if extra else "·", justify="center",
                                  style="bold green" if extra else "dim"))
            grid.add_row(Text(cut(event["label"], label_width)),
                         Text(str(event["size"]), justify="right"), *marks, key=event["id"])
        self._show_event(loaded.events[0])

    def _columns_that_fit(self, n_out: int) -> int:
        """How many outlet columns the screen's width holds beside the label (at its
        narrowest), the size column and, when some outlets are left out, "+N".

        Every column has a cell of padding on each side; borders, padding and
        the scrollbar take 8.
        """
        room = self.size.width - 8 - (3 + 2) - (LABEL_MIN + 2)
        if n_out <= MAX_OUTLETS and n_out * (OUTLET_MIN + 2) <= room:
            return n_out
        return max(1, min(MAX_OUTLETS, (room - (6 + 2)) // (OUTLET_MIN + 2)))

    def on_resize(self) -> None:
        """Refit the grid's columns to the new width, keeping the row and event in view."""
        loaded = self.loaded
        if loaded is None or loaded.error or not loaded.events:
            return
        if self._columns_that_fit(len(loaded.outlets)) == self._columns_shown:
            return
        grid = self.query_one("#events-grid", DataTable)
        row, current = grid.cursor_row, self.current_event
        grid.clear(columns=True)
        self._show(loaded)
        if current is not None:
            grid.move_cursor(row=row)
            self._show_event(current)

    def _outlet_name(self, outlet: str, width: int) -> str:
        """An outlet as shown; an unknown one is named by its article's title."""
        if outlet.startswith("(") and outlet.endswith(")") and self.loaded:
            title = self.loaded.titles.get(outlet[1:-1]) or outlet[1:-1]
            return cut("? " + title, width)
        return cut(outlet, width)

    def _show_event(self, event: dict[str, Any]) -> None:
        self.current_event = event
        assert self.loaded is not None
        n = len(event["outlets"])
        self.query_one("#events-detail", Static).update(Text(
            f"{cut(event['label'], 80)} · {event['size']} passages from {n} outlet"
            f"{'s' if n != 1 else ''}"
        ))
        groups: dict[str, list[dict[str, Any]]] = {}
        for passage in event["passages"]:
            groups.setdefault(outlet_key(passage), []).append(passage)
        options: list[Option | None] = []
        self._passages = {}
        order = {o: i for i, o in enumerate(self.loaded.outlets)}
        for outlet in sorted(groups, key=lambda o: order.get(o, len(order))):
            if options:
                options.append(None)
            options.append(Option(Text(self._outlet_name(outlet, 60), style="bold"), disabled=True))
            for passage in groups[outlet]:
                key = f"p-{len(self._passages)}"
                self._passages[key] = passage
                title = Text(cut(self.loaded.titles.get(passage["article_id"], ""), 100),
                             style="dim italic")
                body = Text(" ".join(safe(passage["text"]).split()))
                # the article title helps under a known outlet, unless the passage is the title
                shown = (body if outlet.startswith("(") or title.plain == body.plain
                         else Group(body, Padding(title, (0, 0, 0, 2))))
                options.append(Option(Padding(shown, (0, 0, 0, 2)), id=key))
        passages = self.query_one("#events-passages", OptionList)
        passages.clear_options()
        passages.add_options(options)
        first = next((i for i, o in enumerate(options) if o is not None and not o.disabled), None)
        passages.highlighted = first

    @on(DataTable.RowHighlighted, "#events-grid")
    def _row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        """Follow the cursor; while a key is held, redraw the passages at most every 0.1 s."""
        if not self.loaded or event.row_key.value is None:
            return
        self._wanted = self._by_id.get(event.row_key.value)
        if time.monotonic() - self._shown_at >= FOLLOW_EVERY:
            self._follow()
        elif self._follow_timer is None:
            self._follow_timer = self.set_timer(FOLLOW_EVERY, self._follow)

    def _follow(self) -> None:
        self._follow_timer = None
        self._shown_at = time.monotonic()
        if self._wanted is not None and self._wanted is not self.current_event:
            self._show_event(self._wanted)

    @on(DataTable.RowSelected, "#events-grid")
    def _row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.query_one("#events-passages", OptionList).focus()

    @on(OptionList.OptionSelected, "#events-passages")
    def _passage_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self._open(event.option.id)

    # --------------------------------------------------------------- actions
    def selected_passage(self) -> dict[str, Any] | None:
        passages = self.query_one("#events-passages", OptionList)
        if passages.highlighted is None:
            return None
        return self._passages.get(passages.get_option_at_index(passages.highlighted).id or "")

    def _open(self, key: str | None) -> None:
        passage = self._passages.get(key or "")
        if passage is None:
            return
        block = self.loaded.blocks.get(passage["passage_id"]) if self.loaded else None
        self.dismiss(Target(passage["article_id"], passage["passage_id"], block))

    def action_open(self) -> None:
        passages = self.query_one("#events-passages", OptionList)
        if passages.has_focus and passages.highlighted is not None:
            self._open(passages.get_option_at_index(passages.highlighted).id)
        elif self.loaded and self.loaded.events:
            passages.focus()

    def action_back(self) -> None:
        if self.query_one("#events-passages", OptionList).has_focus:
            self.query_one("#events-grid", DataTable).focus()
        else:
            self.dismiss(None)

    def action_toggle_focus(self) -> None:
        if not (self.loaded and self.loaded.events):
            return
        if self.query_one("#events-grid", DataTable).has_focus:
            self.query_one("#events-passages", OptionList).focus()
        else:
            self.query_one("#events-grid", DataTable).focus()

    def action_down(self) -> None:
        focused = self.focused
        if isinstance(focused, DataTable | OptionList):
            focused.action_cursor_down()

    def action_up(self) -> None:
        focused = self.focused
        if isinstance(focused, DataTable | OptionList):
            focused.action_cursor_up()
