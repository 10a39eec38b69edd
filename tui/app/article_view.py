"""The clean view of one article: a virtualised, keyboard-driven text widget.

Built on Textual's Line API (``ScrollView.render_line``): only the lines on
screen are rendered, so a 100 KB article scrolls as fast as a short one. The
widget owns the cursor (a sentence) and the selection (a character range in
one block); the reader screen turns keys into calls on it and writes to the
store. Article text is rendered through ``rich.text.Text`` objects, never as
markup, so brackets or escape codes in an article cannot style or drive the
terminal.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.events import MouseDown, MouseMove, MouseUp
from textual.geometry import Size
from textual.message import Message
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tui.app.document import Document

GUTTER = 3  # cursor bar, link marker, space
SCROLLBAR = 1  # matches scrollbar-size-vertical below
_WORD = re.compile(r"\S+")

KIND_STYLES: dict[str, Style] = {
    "title": Style(bold=True, underline=True),
    "heading": Style(bold=True, color="bright_white"),
    "dek": Style(italic=True),
    "quote": Style(italic=True),
    "dateline": Style(bold=True),
}
HIDDEN = Style(dim=True, italic=True)
NOTE = Style(dim=True, color="yellow", italic=True)
CURSOR_FOCUSED = Style(bgcolor="#2d3b55")
CURSOR_BLURRED = Style(bgcolor="#262a33")
SELECTION = Style(reverse=True, bold=True)
BAR = Style(color="#e5c07b", bold=True)
LINK = Style(color="#39c5cf", bold=True)


class ArticleView(ScrollView, can_focus=False):
    """A scrollable, virtualised view of one Document with a sentence cursor."""

    DEFAULT_CSS = """
    ArticleView { height: 1fr; scrollbar-size-vertical: 1; }
    """

    class Moved(Message):
        """The cursor or selection changed (the pane updates its status bar)."""

        def __init__(self, view: ArticleView) -> None:
            super().__init__()
            self.view = view

    class Activated(Message):
        """The user clicked this view: make its pane the active one."""

        def __init__(self, view: ArticleView) -> None:
            super().__init__()
            self.view = view

    def __init__(self, doc: Document | None = None, colors: dict[str, str] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.doc = doc
        self.label_colors = colors or {}
        self.cursor = 0
        self.moves = 0  # cursor moves so far (``_moved``)
        self.selection: tuple[str, int, int] | None = None  # (block_id, start, end)
        self.anchor: tuple[str, int] | None = None  # selection start for drags / visual mode
        self.visual = False
        self._cache: dict[int, Strip] = {}
        self._layout_width = 0
        self._base_style: Style | None = None
        self._relayout_pending = False
        self.active = False
        self.on_moved: Callable[[], None] | None = None

    @property
    def text_width(self) -> int:
        """Cells for text: the widget's size (known before its screen region) less
        the scrollbar and the gutter."""
        return self.size.width - SCROLLBAR - GUTTER

    # ----------------------------------------------------------------- model
    def set_document(self, doc: Document, cursor: int = 0) -> None:
        self.doc = doc
        self.cursor = min(cursor, max(len(doc.units) - 1, 0))
        self.clear_selection(post=False)
        self._layout_width = 0
        self.relayout()
        self.scroll_to(y=0, animate=False)
        self._moved()

    def relayout(self, keep_cursor: bool = True) -> None:
        """Re-wrap after a width change or when blocks are shown/hidden."""
        if self.doc is None:
            return
        if self.size.width <= SCROLLBAR + GUTTER:
            # Not laid out yet: wrapping now would be thrown away; the first
            # paint at the real size (render_line / on_resize) does it.
            self._layout_width = -1
            self.doc.lines, self.doc.unit_first_line, self.doc.unit_last_line = [], [], []
            self.virtual_size = Size(0, 0)
            return
        width = max(self.text_width, 10)
        self.doc.layout(width)
        self._layout_width = width
        self.virtual_size = Size(width + GUTTER, len(self.doc.lines))
        self.cursor = min(self.cursor, max(len(self.doc.units) - 1, 0))
        self.invalidate()
        if keep_cursor:
            self.call_after_refresh(self.scroll_cursor_visible)

    def invalidate(self) -> None:
        self._cache.clear()
        self.refresh()

    def _deferred_relayout(self) -> None:
        self._relayout_pending = False
        if self.doc is not None and self.text_width != self._layout_width:
            self.relayout()

    def on_resize(self) -> None:
        if self.doc is not None and self.text_width != self._layout_width:
            self.relayout()

    def invalidate_unit(self, unit: int) -> None:
        """Re-render only the lines of one sentence (a cursor move touches two)."""
        doc = self.doc
        if doc is None or not 0 <= unit < len(doc.unit_first_line):
            return
        first, last = doc.unit_first_line[unit], doc.unit_last_line[unit]
        for y in range(first, last + 1):
            self._cache.pop(y, None)
        # ScrollView.refresh_lines takes document lines (it subtracts the scroll
        # offset itself): subtracting it here too repainted the wrong rows once the
        # pane had scrolled, and the old cursor bar stayed on screen
        self.refresh_lines(first, last - first + 1)

    def invalidate_block(self, block_id: str) -> None:
        """Re-render only the lines of one block (a tag or a selection change)."""
        doc = self.doc
        if doc is None:
            return
        rows = [y for y, line in enumerate(doc.lines)
                if line.block >= 0 and doc.blocks[line.block]["id"] == block_id]
        if not rows:
            return
        for y in rows:
            self._cache.pop(y, None)
        self.refresh_lines(rows[0], rows[-1] - rows[0] + 1)  # document lines, as above

    def set_active(self, active: bool) -> None:
        """The pane the keys act on. Not Textual focus: a focus change repaints
        the whole screen (Screen.focused is a repainting reactive), which made
        tab cost a full frame; the reader keeps focus on itself instead."""
        if active != self.active:
            self.active = active
            self.invalidate_unit(self.cursor)

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._base_style = None  # cached strips are unstyled: the new base applies at paint

    def _moved(self) -> None:
        self.moves += 1  # lets the reader tell "o right after o" from "o after moving back"
        if self.on_moved is not None:  # the pane's status bar, repainted in the same frame
            self.on_moved()
        self.post_message(self.Moved(self))

    # ---------------------------------------------------------------- cursor
    @property
    def unit(self) -> Any:
        if self.doc is None or not self.doc.units:
            return None
        return self.doc.units[self.cursor]

    def current_block(self) -> dict[str, Any] | None:
        u = self.unit
        return None if u is None else self.doc.blocks[u.block]

    def current_passage(self) -> dict[str, Any] | None:
        u = self.unit
        return None if u is None else u.passage

    def target_span(self) -> tuple[str, int, int] | None:
        """What a label applies to: the selection, else the sentence under the cursor."""
        if self.selection:
            return self.selection
        u = self.unit
        if u is None:
            return None
        return (self.doc.blocks[u.block]["id"], u.start, u.end)

    def move_to(self, unit: int) -> None:
        if self.doc is None or not self.doc.units:
            return
        unit = max(0, min(unit, len(self.doc.units) - 1))
        if unit != self.cursor:
            old, self.cursor = self.cursor, unit
            self.invalidate_unit(old)
            self.invalidate_unit(unit)
        self.scroll_cursor_visible()
        self._moved()

    def move(self, delta: int) -> None:
        if self.visual and self.selection and self.doc:
            self._extend_sentence(delta)
            return
        self.clear_selection(post=False)
        self.move_to(self.cursor + delta)

    def move_paragraph(self, delta: int) -> None:
        if self.doc is None or not self.doc.units:
            return
        self.clear_selection(post=False)
        units = self.doc.units
        block = units[self.cursor].block
        i = self.cursor
        if delta > 0:
            while i < len(units) - 1 and units[i].block == block:
                i += 1
        else:
            # to the start of this paragraph, or of the previous one if already there
            if i > 0 and units[i - 1].block == block:
                while i > 0 and units[i - 1].block == block:
                    i -= 1
            elif i > 0:
                i -= 1
                block = units[i].block
                while i > 0 and units[i - 1].block == block:
                    i -= 1
        self.move_to(i)

    def page(self, delta: int) -> None:
        if self.doc is None or not self.doc.units:
            return
        self.clear_selection(post=False)
        height = max(self.size.height - 2, 1)
        y = self.doc.unit_first_line[self.cursor] + delta * height
        self.scroll_to(y=max(self.scroll_y + delta * height, 0), animate=False)
        target = self.doc.unit_for_line(max(y, 0))
        if target is not None:
            if delta < 0 and self.doc.unit_first_line[target] > y and target > 0:
                target -= 1
            self.move_to(target if target != self.cursor else self.cursor + delta)

    def cursor_row(self) -> int:
        """Screen row of the cursor sentence's first line (for aligning panes)."""
        if self.doc is None or not self.doc.unit_first_line:
            return 0
        return self.doc.unit_first_line[self.cursor] - int(self.scroll_y)

    def align_cursor(self, row: int) -> None:
        """Scroll so the cursor sentence starts on screen row ``row`` (when possible)."""
        if self.doc is None or not self.doc.unit_first_line:
            return
        self.scroll_to(y=max(self.doc.unit_first_line[self.cursor] - row, 0), animate=False)

    def scroll_cursor_visible(self) -> None:
        if self.doc is None or not self.doc.units or not self.doc.unit_first_line:
            return
        top = self.doc.unit_first_line[self.cursor]
        bottom = self.doc.unit_last_line[self.cursor]
        height = self.size.height
        if height <= 0:
            return
        if top < self.scroll_y + 1:
            self.scroll_to(y=max(top - 1, 0), animate=False)
        elif bottom >= self.scroll_y + height - 1:
            self.scroll_to(y=min(bottom - height + 2, top - 1), animate=False)

    # ------------------------------------------------------------- selection
    def clear_selection(self, post: bool = True) -> None:
        changed = self.selection is not None or self.visual
        old = self.selection
        self.selection = None
        self.anchor = None
        self.visual = False
        if changed:
            if old is not None:
                self.invalidate_block(old[0])
            else:
                self.invalidate()
            if post:
                self._moved()

    def _words(self, block: dict[str, Any]) -> list[tuple[int, int]]:
        return [(m.start(), m.end()) for m in _WORD.finditer(block["text"])]

    def extend_word(self, delta: int) -> None:
        """Grow (delta > 0) or shrink the selection by one word inside the block."""
        u = self.unit
        if u is None:
            return
        block = self.doc.blocks[u.block]
        words = self._words(block)
        if not words:
            return
        if self.selection is None or self.selection[0] != block["id"]:
            first = next((w for w in words if w[0] >= u.start), words[0])
            self.selection = (block["id"], first[0], first[1])
        else:
            _, start, end = self.selection
            if delta > 0:
                nxt = next((w for w in words if w[0] >= end), None)
                if nxt is not None:
                    end = nxt[1]
            else:
                # the words the selection holds (its last one ends at ``end``): the
                # new end is the end of the one before the last; one word stays
                held = [w for w in words if w[0] < end and w[1] > start]
                if len(held) > 1:
                    end = held[-2][1]
            self.selection = (block["id"], start, end)
        self._follow_selection()

    def _extend_sentence(self, delta: int) -> None:
        """Visual mode: j/k grow or shrink the selection by a sentence in the block."""
        block_id, start, end = self.selection
        units = [u for u in self.doc.units if self.doc.blocks[u.block]["id"] == block_id]
        if delta > 0:
            nxt = next((u for u in units if u.start >= end), None)
            if nxt is not None:
                end = nxt.end
        else:
            ends = [u.end for u in units if start < u.end < end]
            if ends:
                end = ends[-1]
        self.selection = (block_id, start, end)
        self._follow_selection()

    def start_visual(self) -> None:
        if self.visual:
            self.clear_selection()
            return
        u = self.unit
        if u is None:
            return
        self.visual = True
        self.selection = (self.doc.blocks[u.block]["id"], u.start, u.end)
        self._follow_selection()

    def _follow_selection(self) -> None:
        block_id, start, end = self.selection
        index = next(i for i, b in enumerate(self.doc.blocks) if b["id"] == block_id)
        unit = self.doc.unit_at(index, max(end - 1, start))
        old = self.cursor
        if unit is not None:
            self.cursor = unit
        self.invalidate_unit(old)
        self.invalidate_block(block_id)
        self.scroll_cursor_visible()
        self._moved()

    # ----------------------------------------------------------------- mouse
    def _offset_at(self, x: int, y: int) -> tuple[int, int] | None:
        """(block index, char offset) under a widget-relative cell, if text is there."""
        if self.doc is None:
            return None
        line_no = y + int(self.scroll_y)
        if not 0 <= line_no < len(self.doc.lines):
            return None
        line = self.doc.lines[line_no]
        if line.kind != "text":
            return None
        text = self.doc.blocks[line.block]["display"]
        cells, offset = 0, line.start
        target = max(x - GUTTER, 0)
        while offset < line.end and cells + cell_len(text[offset]) <= target:
            cells += cell_len(text[offset])
            offset += 1
        return line.block, min(offset, max(line.end - 1, line.start))

    def on_mouse_down(self, event: MouseDown) -> None:
        hit = self._offset_at(event.x, event.y)
        self.post_message(self.Activated(self))
        if hit is None:
            return
        block, offset = hit
        self.clear_selection(post=False)
        unit = self.doc.unit_at(block, offset)
        if unit is not None:
            self.cursor = unit
        self.anchor = (self.doc.blocks[block]["id"], offset)
        self.capture_mouse()
        self.invalidate()
        self._moved()

    def on_mouse_move(self, event: MouseMove) -> None:
        if self.anchor is None:  # set by mouse down, cleared by mouse up: a drag
            return
        hit = self._offset_at(event.x, event.y)
        if hit is None:
            return
        block, offset = hit
        block_id, anchor = self.anchor
        if self.doc.blocks[block]["id"] != block_id:
            return  # a span lives inside one block
        text = self.doc.blocks[block]["text"]
        lo, hi = sorted((anchor, offset))
        while lo > 0 and not text[lo - 1].isspace():
            lo -= 1
        while hi < len(text) and not text[hi].isspace():
            hi += 1
        if hi > lo:
            self.selection = (block_id, lo, hi)
            self.invalidate()
            self._moved()

    def on_mouse_up(self, event: MouseUp) -> None:
        self.release_mouse()
        self.anchor = None

    # ------------------------------------------------------------- rendering
    def render_line(self, y: int) -> Strip:
        if self.doc is not None and self.text_width != self._layout_width \
                and not self._relayout_pending:
            # A pane mounted and filled in the same refresh may never get a
            # Resize event; the first paint at the real width re-wraps.
            self._relayout_pending = True
            self.call_later(self._deferred_relayout)
        line_no = y + int(self.scroll_y)
        strip = self._cache.get(line_no)
        if strip is None:
            strip = self._render(line_no)
            self._cache[line_no] = strip
        base = self._base_style  # the widget's colours under every segment, not the terminal's
        if base is None:
            base = self._base_style = self.rich_style
        return strip.apply_style(base).crop_extend(0, self.size.width - SCROLLBAR, base)

    def _render(self, line_no: int) -> Strip:
        doc = self.doc
        if doc is None or line_no >= len(doc.lines):
            return Strip.blank(0)
        line = doc.lines[line_no]
        if line.kind == "blank":
            return Strip.blank(0)
        block = doc.blocks[line.block]
        if line.kind == "note":
            note = Text(" " * GUTTER + block["note"][line.start:line.end], style=NOTE)
            return Strip(note.render(self.app.console))
        text = Text(block["display"][line.start:line.end], style=KIND_STYLES.get(block["kind"], Style()))
        if not block["visible"]:
            text.stylize(HIDDEN)
        focused = self.active
        u = self.unit
        in_cursor = False
        if u is not None and u.block == line.block and u.start < max(line.end, line.start + 1) \
                and u.end > line.start:
            in_cursor = True
            text.stylize(CURSOR_FOCUSED if focused else CURSOR_BLURRED,
                         max(u.start - line.start, 0), u.end - line.start)
        for a in doc.by_block.get(block["id"], ()):
            if a["start"] < line.end and a["end"] > line.start:
                color = self.label_colors.get(a["label"], "#888888")
                text.stylize(Style(bgcolor=color, color="#101010"),
                             max(a["start"] - line.start, 0), a["end"] - line.start)
        if self.selection and self.selection[0] == block["id"]:
            _, s, e = self.selection
            if s < line.end and e > line.start:
                text.stylize(SELECTION, max(s - line.start, 0), e - line.start)
        bar = Segment("▌" if in_cursor and focused else ("▏" if in_cursor else " "), BAR)
        linked = doc.linked and any(  # marker on the line where a linked sentence starts
            p["id"] in doc.linked and line.start <= p["start"] < max(line.end, line.start + 1)
            for p in doc.passages_by_block.get(block["id"], ())
        )
        mark = Segment("◆" if linked else " ", LINK)
        return Strip([bar, mark, Segment(" "), *text.render(self.app.console)])

