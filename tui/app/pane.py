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


class StatusLine(Widget):
    """A one-line bar whose updates repaint it without a layout pass.

    ``Static.update`` asks for a new layout of the screen (its size may
    change); the status bar is always one line high, so a plain refresh is
    enough, and it changes on every keypress. The text is cut to the width
    at each paint (a resize repaints it), the ``tail`` kept whole.
    """

    DEFAULT_CSS = "StatusLine { height: 1; width: 1fr; text-wrap: nowrap; text-overflow: ellipsis; }"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.text = Text()
        self.tail = Text()

    def update(self, text: Text | str, tail: Text | None = None) -> None:
        self.text = text if isinstance(text, Text) else Text(text)
        self.tail = tail if tail is not None else Text()
        self.refresh()

    def render(self) -> Text:
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
        self.save_state = ""
        self.link_state = ""
        self.notice = ""  # what the reader did to this pane (e.g. replaced its article)
        self.closing = False  # being removed: no longer one of the reader's panes
        self.header = HeaderLines(classes="pane-header")
        self.view = ArticleView(colors=colors)
        self.view.on_moved = self.refresh_status
        self.status = StatusLine(classes="pane-status")

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
        doc = self.doc
        view = self.view
        if doc is None:
            self.status.update("")
            return
        out = Text(no_wrap=True, overflow="ellipsis")
        out.append(doc.article_id[:8], style="bold")
        n = len(doc.units)
        out.append(f"  {view.cursor + 1 if n else 0}/{n}")
        span = view.target_span()
        if view.visual:
            out.append("  VISUAL", style="bold reverse")
        elif view.selection:
            out.append("  SEL", style="bold")
        notes: list[str] = []
        if span:
            found = doc.annotations_in(*span)
            for name in sorted({a["label"] for a in found}):
                out.append("  ")
                out.append(f" {name} ", style=f"#101010 on {self.label_colors.get(name, '#888888')}")
            notes = [safe(a["note"]) for a in found if a.get("note")]
        out.append(f"  {safe(self.annotator)}", style="cyan")
        out.append("  mine" if doc.only_annotator else "  all", style="dim")
        if notes:
            out.append(f"  ✎ {notes[0]}", style="italic")
        if self.link_state:
            out.append(f"  {self.link_state}", style="#39c5cf")
        if self.notice:
            out.append(f"  {self.notice}", style="yellow")
        tail = Text()
        if self.save_state:
            style = "red bold" if self.save_state.startswith("NOT") else "green"
            tail.append(f"  {self.save_state}", style=style)
        self.status.update(out, tail)
