"""The live search screen (`/`): find a passage across every outlet as you type.

Each keystroke restarts a short debounce timer; when it fires, the query runs
in a thread worker on a read connection of its own (never the app's: a search
must never stall typing, and cursors must not interleave across threads). Only the
answer to the text still in the box is shown, so a slow, stale query can never
overwrite a newer one. Results are grouped by outlet, best outlet first, with
the matched characters highlighted. Article text is untrusted: it is shown as
plain rich ``Text`` (never parsed as markup) after control characters are
stripped.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
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
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import Worker, WorkerState, get_current_worker

from tui.app import keys
from tui.app.targets import Target
from tui.errors import UserError
from tui.store import BUSY_TIMEOUT_MS, Store
from tui.textsafe import safe

#: How long typing must pause before a query runs (seconds).
DEBOUNCE = 0.07
#: How many hits one query asks for.
LIMIT = 50
HIGHLIGHT_STYLE = "bold reverse"
_TITLE_WIDTH = 100


_SEARCH_READERS: dict[str, tuple[Store, threading.Lock]] = {}
_READERS_LOCK = threading.Lock()


@contextmanager
def search_store(path: str) -> Iterator[Store]:
    """The long-lived read connection searches of one database share.

    The search core caches the index vocabulary per connection (rebuilding it
    costs more than a query on a large database), so every query of every
    search screen on this database reuses one connection. Worker threads take
    turns on it through a lock: a cancelled query still running in its thread
    finishes before the next one starts, and cursors never interleave.
    """
    with _READERS_LOCK:
        entry = _SEARCH_READERS.get(path)
        if entry is None:
            conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
            conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            entry = _SEARCH_READERS[path] = (Store.on_connection(conn, path),
                                             threading.Lock())
    store, lock = entry
    with lock:
        yield store


@contextmanager
def read_store(path: str) -> Iterator[Store]:
    """A private connection to the database for one worker thread.

    The app's own connection lives in the UI thread; sharing it with a worker
    would interleave cursors. Opening a connection costs well under a
    millisecond, and WAL mode lets it read while the app writes.
    """
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        yield Store.on_connection(conn, path)
    finally:
        conn.close()


def styled(text: str, spans: Sequence[tuple[int, int, str]], *, flat: bool = False,
           base: str = "") -> Text:
    """``text`` as rich Text with ``(start, end, style)`` spans, safe for the terminal.

    The text is cut at every span boundary and each piece is cleaned on its
    own, so removing a control sequence can never shift a style onto the
    wrong letters. Never parsed as markup. ``flat`` turns newlines and tabs
    into spaces (a hit is shown as one flowing line).
    """
    clean = _flat if flat else safe
    cuts = sorted({0, len(text)} | {min(max(0, p), len(text)) for s, e, _ in spans for p in (s, e)})
    out = Text(style=base)
    where: dict[int, int] = {}
    for lo, hi in zip(cuts, cuts[1:], strict=False):
        where[lo] = len(out)
        out.append(clean(text[lo:hi]))
    where[len(text)] = len(out)
    for start, end, style in spans:
        lo, hi = where.get(min(max(0, start), len(text))), where.get(min(max(0, end), len(text)))
        if lo is not None and hi is not None and hi > lo:
            out.stylize(style, lo, hi)
    return out


def highlighted(text: str, spans: Sequence[tuple[int, int]], style: str = HIGHLIGHT_STYLE) -> Text:
    """A search hit: the matched character ranges styled, on one line."""
    return styled(text, [(s, e, style) for s, e in spans], flat=True)


def _flat(text: str) -> str:
    return safe(text).replace("\n", " ").replace("\t", " ")


@dataclass(slots=True)
class _Answer:
    """What one worker run found, tagged with the query it answers."""

    query: str
    hits: list[Any]
    error: str | None = None


class HitList(OptionList):
    """The result list; vi keys only here, where they cannot eat typed letters."""

    #: Keys that only work while the result list has focus (typing owns them otherwise).
    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("search_list")  # declared in tui/app/keys.py

    def action_focus_query(self) -> None:
        self.screen.query_one("#search-input", Input).focus()


class SearchScreen(Screen[Target | None]):
    """Search passages across outlets; dismisses with a Target or None."""

    BINDINGS: ClassVar[list[BindingType]] = keys.bindings("search")  # declared in tui/app/keys.py
    AUTO_FOCUS = "#search-input"

    DEFAULT_CSS = """
    SearchScreen { layout: vertical; }
    SearchScreen #search-box { height: 1fr; padding: 0 1; }
    SearchScreen #search-title { text-style: bold; padding: 0 1; height: 1; }
    SearchScreen #search-input { margin: 0 0 0 0; }
    SearchScreen #search-status { color: $text-muted; padding: 0 1; height: 1; }
    SearchScreen #search-results { height: 1fr; border: round $panel; }
    SearchScreen #search-results:focus { border: round $accent; }
    /* group headers (outlets) are disabled options: keep them readable */
    SearchScreen #search-results > .option-list--option-disabled { color: $text-accent; }
    """

    def __init__(self, store: Store, query: str = "") -> None:
        super().__init__()
        self.store = store
        self.initial_query = query
        self._timer: Timer | None = None
        self._hits: dict[str, Any] = {}
        self.hits: list[Any] = []
        self.shown_query: str | None = None
        self._asked: str | None = None
        self._open_when_ready = False

    # ---------------------------------------------------------------- layout
    def compose(self) -> ComposeResult:
        with Vertical(id="search-box"):
            yield Static(Text("Search passages across outlets"), id="search-title")
            yield Input(
                value=self.initial_query,
                placeholder="words from a passage (typos are fine)",
                id="search-input",
            )
            yield Static(id="search-status")
            yield HitList(id="search-results")
        yield Footer()

    def on_mount(self) -> None:
        self._show_status(Text("Type to search."))
        if self.initial_query.strip():
            self._run(self.initial_query)
        else:
            self._warm_up()

    @work(thread=True, group="search-warm", exit_on_error=False)
    def _warm_up(self) -> None:
        """Run a throwaway query while the user starts typing.

        The first query on a connection reads the index vocabulary (0.4 s on
        50,000 passages); doing it now makes the first real keystrokes answer
        at the speed of the later ones. The shared connection's lock makes a
        real query wait for this one rather than race it.
        """
        from tui.search import search

        try:
            with search_store(self.store.path) as store:
                search(store, "news", limit=1)
        except (UserError, sqlite3.Error):
            pass  # the real query will report it

    # --------------------------------------------------------------- queries
    @on(Input.Changed, "#search-input")
    def _changed(self, event: Input.Changed) -> None:
        if self._timer is not None:
            self._timer.stop()
        self._timer = self.set_timer(DEBOUNCE, lambda: self._run(event.value))

    def _run(self, query: str) -> None:
        if query != self.query_one("#search-input", Input).value:
            return  # the user typed on; a newer timer is coming
        if query == self._asked:
            return  # e.g. the Changed event an initial value posts on mount
        self._asked = query
        if not query.strip():
            self.workers.cancel_group(self, "search")
            self._render_hits(_Answer(query, []))
            return
        self._show_status(Text("searching…"))
        self._search(query)

    @work(exclusive=True, thread=True, group="search", exit_on_error=False)
    def _search(self, query: str) -> _Answer:
        """Run one query off the UI thread on a private connection."""
        from tui.search import search

        worker = get_current_worker()
        try:
            with search_store(self.store.path) as store:
                if worker.is_cancelled:  # a newer query is waiting: do not run this one
                    return _Answer(query, [], None)
                hits = search(store, query, limit=LIMIT)
        except UserError as exc:
            return _Answer(query, [], exc.message)
        except sqlite3.Error as exc:
            return _Answer(query, [], f"search failed: {exc}")
        if worker.is_cancelled:
            return _Answer(query, [], None)
        return _Answer(query, hits)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        worker = event.worker
        if worker.group != "search" or event.state != WorkerState.SUCCESS:
            if worker.group == "search" and event.state == WorkerState.ERROR:
                self._show_status(Text(f"search failed: {safe(worker.error)}", style="bold red"))
            return
        answer = worker.result
        if isinstance(answer, _Answer) and answer.query == self.query_one("#search-input", Input).value:
            self._render_hits(answer)

    # -------------------------------------------------------------- display
    def _render_hits(self, answer: _Answer) -> None:
        if answer.query != self.query_one("#search-input", Input).value or not answer.hits:
            self._open_when_ready = False  # nothing (current) to open: stay
        results = self.query_one("#search-results", HitList)
        results.clear_options()
        self._hits = {}
        self.hits = list(answer.hits)
        self.shown_query = answer.query
        if answer.error:
            self._show_status(Text(answer.error, style="bold red"))
            return
        if not answer.query.strip():
            self._show_status(Text("Type to search."))
            return
        if not answer.hits:
            self._show_status(Text(f"No passage matches {safe(answer.query)!r}."))
            return
        # An article without a known outlet is its own source (as the linker
        # counts it): lumping unknown outlets together would fake a consensus.
        groups: dict[str, list[Any]] = {}
        for hit in answer.hits:  # ranked: the first hit of an outlet is its best
            outlet = safe(hit.outlet).strip()
            groups.setdefault(outlet or f"({hit.article_id})", []).append(hit)
        options: list[Option | None] = []
        for source, hits in groups.items():
            if options:
                options.append(None)
            known = not source.startswith("(")
            head = Text()
            if known:
                head.append(source, style="bold")
            else:
                head.append("unknown outlet: ", style="bold")
                title = _flat(hits[0].title) or source
                head.append(title[:_TITLE_WIDTH], style="bold italic")
            head.append(f"  {len(hits)} passage{'s' if len(hits) != 1 else ''}", style="dim")
            options.append(Option(head, disabled=True))
            for hit in hits:
                key = f"hit-{len(self._hits)}"
                self._hits[key] = hit
                options.append(Option(self._prompt(hit, with_title=known), id=key))
        results.add_options(options)
        first = next(i for i, o in enumerate(options) if o is not None and not o.disabled)
        results.highlighted = first
        n = len(answer.hits)
        self._show_status(
            Text(f"{n} passage{'s' if n != 1 else ''} from {len(groups)} "
                 f"source{'s' if len(groups) != 1 else ''} · ↑↓ move, enter opens, esc closes")
        )
        if self._open_when_ready:
            self.action_open()

    @staticmethod
    def _prompt(hit: Any, *, with_title: bool = True) -> Padding:
        """The passage with its matches marked, then its article's title, indented."""
        passage = highlighted(hit.text, hit.highlights)
        title = Text(_flat(hit.title) or "(untitled)", style="dim italic")
        if not with_title or title.plain.strip() == passage.plain.strip():
            return Padding(passage, (0, 0, 0, 2))
        title.truncate(_TITLE_WIDTH, overflow="ellipsis")
        return Padding(Group(passage, Padding(title, (0, 0, 0, 2))), (0, 0, 0, 2))

    def _show_status(self, text: Text) -> None:
        self.query_one("#search-status", Static).update(text)

    # --------------------------------------------------------------- actions
    def _selected_hit(self) -> Any | None:
        results = self.query_one("#search-results", HitList)
        if results.highlighted is None:
            return None
        option = results.get_option_at_index(results.highlighted)
        return self._hits.get(option.id or "")

    def action_next(self) -> None:
        self.query_one("#search-results", HitList).action_cursor_down()

    def action_previous(self) -> None:
        self.query_one("#search-results", HitList).action_cursor_up()

    def action_page(self, direction: int) -> None:
        results = self.query_one("#search-results", HitList)
        if direction > 0:
            results.action_page_down()
        else:
            results.action_page_up()

    def action_toggle_focus(self) -> None:
        query = self.query_one("#search-input", Input)
        if query.has_focus:
            self.query_one("#search-results", HitList).focus()
        else:
            query.focus()

    def action_open(self) -> None:
        query = self.query_one("#search-input", Input).value
        if query != self.shown_query:
            # Enter right after typing: the list still answers an older query.
            # Open the best hit of what is in the box once it arrives, now.
            self._open_when_ready = True
            if self._timer is not None:
                self._timer.stop()
            self._run(query)
            return
        hit = self._selected_hit()
        if hit is not None:
            self.dismiss(Target(hit.article_id, hit.passage_id, hit.block_id))

    def action_close(self) -> None:
        self.dismiss(None)

    @on(Input.Submitted, "#search-input")
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.action_open()

    @on(OptionList.OptionSelected, "#search-results")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_open()
