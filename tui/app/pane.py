"""One reading pane: header (title, outlet, date), the article view, a status bar."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widget import Widget

from tui.app.article_view import ArticleView
from tui.app.document import Document
from tui.textsafe import safe


def fit_line(text: Text, width: int, tail: Text | None = None) -> Text:
    """``text`` cut with "…" so that it and ``tail`` fill one line of ``width`` cells.

    Textual wraps a ``Text`` to the widget whatever its ``no_wrap`` says, so
    one-line bars cut their text themselves. The tail (the save state) is what
    must stay readable: the main part gives way first, and the tail is cut
    only when it alone is wider than the line.
    """
    width = max(width, 1)
    main = text.copy()
    main.no_wrap, main.overflow, main.end = True, "ellipsis", ""
    if tail is None or not tail.plain:
        main.truncate(width, overflow="ellipsis")
        return main
    end = tail.copy()
    end.truncate(width, overflow="ellipsis")
    room = width - end.cell_len
    if room <= 0:
        return end
    if main.cell_len > room:
        main.truncate(room, overflow="ellipsis")
    return Text.assemble(main, end, no_wrap=True, overflow="ellipsis", end="")


#: A part of the status line: its text, its rank (the lower, the sooner it gives
#: way when the line is too narrow) and whether it may be cut with "…" (else it
#: goes whole).
Part = tuple[Text, int, bool]
#: A part cut with "…" keeps at least this many cells ("  ✎ a…"), or goes whole.
MIN_CUT = 6


def fit_parts(parts: list[Part], width: int) -> Text:
    """The parts, in their order, on one line of ``width`` cells.

    When they do not fit, the lowest-ranked part gives way first (of equal
    ranks, the one further right): cut with "…" when it may be and at least
    :data:`MIN_CUT` cells of it stay, else left out; then the next. The
    highest-ranked part is cut only when it alone is wider than the line.
    Parts left out come back, highest rank first, where the room left allows.
    """
    width = max(width, 1)
    texts = [t.copy() for t, _r, _c in parts]
    excess = sum(t.cell_len for t in texts) - width
    order = sorted(range(len(parts)), key=lambda i: (parts[i][1], -i))
    for n, i in enumerate(order):
        if excess <= 0:
            break
        text, last = texts[i], n == len(order) - 1
        room = text.cell_len - excess
        if (parts[i][2] and room >= MIN_CUT) or (last and room >= 1):
            text.truncate(room, overflow="ellipsis")
            excess = 0
        else:
            excess -= text.cell_len
            texts[i] = Text()
    # a part that went early may fit again in what later ones left free: the
    # highest-ranked first (the id beside a message that lost its "(why)")
    for i in sorted(range(len(parts)), key=lambda i: -parts[i][1]):
        if not texts[i].plain and parts[i][0].cell_len <= -excess:
            texts[i] = parts[i][0].copy()
            excess += texts[i].cell_len
    line = Text.assemble(*texts, no_wrap=True, overflow="ellipsis", end="")
    lead = len(line.plain) - len(line.plain.lstrip(" "))  # a part's separator, now first
    if lead:
        line = line[lead:]
        line.no_wrap, line.overflow, line.end = True, "ellipsis", ""
    return line


class StatusLine(Widget):
    """A one-line bar whose updates repaint it without a layout pass.

    ``Static.update`` asks for a new layout of the screen (its size may
    change); the status bar is always one line high, so a plain refresh is
    enough, and it changes on every keypress. The text is fitted to the width
    at each paint (a resize repaints it): given as ranked parts
    (:func:`fit_parts`), or as a text and a ``tail`` kept whole (:func:`fit_line`).
    ``text`` and ``tail`` hold what the line says before fitting.
    """

    DEFAULT_CSS = "StatusLine { height: 1; width: 1fr; text-wrap: nowrap; text-overflow: ellipsis; }"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.text = Text()
        self.tail = Text()
        self.parts: list[Part] | None = None

    def update(self, text: Text | str, tail: Text | None = None) -> None:
        self.text = text if isinstance(text, Text) else Text(text)
        self.tail = tail if tail is not None else Text()
        self.parts = None
        self.refresh()

    def update_parts(self, parts: list[Part], tail: int = 0) -> None:
        """Show ``parts``; the last ``tail`` of them (the save state) are ``self.tail``."""
        body, end = parts[:len(parts) - tail], parts[len(parts) - tail:]
        self.parts = [p for p in parts if p[0].plain]
        self.text = Text.assemble(*(t for t, _r, _c in body), no_wrap=True, end="")
        self.tail = Text.assemble(*(t for t, _r, _c in end), no_wrap=True, end="")
        self.refresh()

    def render(self) -> Text:
        if self.parts is not None:
            return fit_parts(self.parts, self.size.width)
        return fit_line(self.text, self.size.width, self.tail)


class HeaderLines(Widget):
    """The pane header: title and outlet/date lines, each cut to one line with "…".

    A ``Static`` wraps a long title over the outlet line at 3-4 panes or 80
    columns; here every line is cut to the width at paint time.
    """

    DEFAULT_CSS = "HeaderLines { height: 3; width: 1fr; text-wrap: nowrap; text-overflow: ellipsis; }"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.lines: list[Text] = []

    def update(self, *lines: Text) -> None:
        self.lines = list(lines)
        self.refresh()

    def render(self) -> Text:
        width = self.size.width
        return Text("\n").join(fit_line(line, width) for line in self.lines)


class ArticlePane(Vertical):
    """Header + ArticleView + status line for one article."""

    DEFAULT_CSS = """
    ArticlePane { width: 1fr; border-right: vkey $panel; }
    ArticlePane .pane-header { height: 3; padding: 0 1; background: $panel; }
    ArticlePane .pane-header.-active { background: $primary 40%; }
    ArticlePane .pane-status { height: 1; padding: 0 1; background: $panel; color: $text-muted; }
    ArticlePane .pane-status.-active { color: $text; }
    """
    # Not ":focus-within": that restyles the whole pane (every line) on each
    # tab; toggling a class on the two small bars costs a fraction of it.

    def __init__(self, colors: dict[str, str], annotator: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.label_colors = colors
        self.annotator = annotator
        self.header = HeaderLines(classes="pane-header")
        self.view = ArticleView(colors=colors)
        self.view.on_moved = self.refresh_status
        self.status = StatusLine(classes="pane-status")
        self._save_state = ""
        self._save_moves = 0  # the view's move count when the save state was set
        self.link_state = ""
        self.notice = ""  # what the reader did to this pane (e.g. replaced its article)
        self.closing = False  # being removed: no longer one of the reader's panes

    @property
    def save_state(self) -> str:
        """The last save's message (``saved: QUOTE added``, ``NOT saved``), or ""."""
        return self._save_state

    @save_state.setter
    def save_state(self, message: str) -> None:
        self._save_state = message
        self._save_moves = self.view.moves

    @property
    def save_seen(self) -> bool:
        """The cursor moved since the save state was set: its message was read, and
        the status line shows it as a short ``saved`` mark (``NOT saved`` stays)."""
        return self.view.moves != self._save_moves

    def compose(self) -> ComposeResult:
        yield self.header
        yield self.view
        yield self.status

    def set_active(self, active: bool) -> None:
        self.header.set_class(active, "-active")
        self.status.set_class(active, "-active")
        self.view.set_active(active)

    @property
    def active(self) -> bool:
        return self.view.active

    @property
    def doc(self) -> Document | None:
        return self.view.doc

    def show(self, doc: Document, cursor: int = 0) -> None:
        self.view.set_document(doc, cursor)
        self.link_state = ""
        self.save_state = ""  # "saved: …" spoke of the article shown before
        self.notice = ""
        self.refresh_header()

    def refresh_header(self) -> None:
        doc = self.doc
        if doc is None:
            self.header.update(Text("(no article)", style="dim"))
            return
        a = doc.article
        title = Text(safe(a["title"]) or "(untitled)", style="bold", no_wrap=True,
                     overflow="ellipsis")
        info = Text(no_wrap=True, overflow="ellipsis")
        info.append(safe(a["outlet"]) or "unknown outlet", style="italic")
        info.append("  ·  ")
        info.append(safe(a["date"]) or "no date")
        hidden = doc.hidden_count()
        info.append(f"  ·  {hidden} hidden block{'s' if hidden != 1 else ''}", style="dim")
        if doc.show_hidden:
            info.append(" (shown dimmed)", style="dim yellow")
        self.header.update(title, info)

    def refresh_status(self) -> None:
        """Id, position, labels under the cursor, …, and the save state, fitted to the
        pane: a fresh save message comes first, then the position and the labels;
        once the cursor moves the message is a short ``saved`` mark (see fit_parts)."""
        doc = self.doc
        view = self.view
        if doc is None:
            self.status.update("")
            return
        fresh = self.save_state and not self.save_seen
        parts: list[Part] = [(Text(doc.article_id[:8], style="bold"), 1, False)]
        n = len(doc.units)
        where = Text(f"  {view.cursor + 1 if n else 0}/{n}")
        span = view.target_span()
        if view.visual:
            where.append("  VISUAL", style="bold reverse")
        elif view.selection:
            where.append("  SEL", style="bold")
        parts.append((where, 8, False))
        notes: list[str] = []
        if span:
            found = doc.annotations_in(*span)
            chips = Text()
            for name in sorted({a["label"] for a in found}):
                chips.append("  ")
                chips.append(f" {name} ", style=f"#101010 on {self.label_colors.get(name, '#888888')}")
            # just after a save its message names the change: the chips give way to it
            parts.append((chips, 3 if fresh else 5, True))
            notes = [safe(a["note"]) for a in found if a.get("note")]
        who = Text()
        who.append(f"  {safe(self.annotator)}", style="cyan")
        who.append("  mine" if doc.only_annotator else "  all", style="dim")
        parts.append((who, 0, False))
        if notes:
            parts.append((Text(f"  ✎ {notes[0]}", style="italic"), 4, True))
        if self.link_state:
            parts.append((Text(f"  {self.link_state}", style="#39c5cf"), 2, True))
        if self.notice:
            parts.append((Text(f"  {self.notice}", style="yellow"), 2, True))
        body = len(parts)
        if self.save_state:
            failed = self.save_state.startswith("NOT")
            style = "red bold" if failed else "green"
            if fresh or failed:
                # the message first; its "(why)" gives way before the position does
                said, paren, why = self.save_state.partition(" (")
                parts.append((Text(f"  {said}", style=style), 9, True))
                if paren:
                    parts.append((Text(f"{paren}{why}", style=style), 7, False))
            else:  # seen: a short mark that gives way before the labels and the note
                parts.append((Text("  saved", style=style), 3, False))
        self.status.update_parts(parts, tail=len(parts) - body)
