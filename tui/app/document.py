"""An article as the reader sees it: blocks, sentences, annotations, wrapped lines.

This is the model behind one pane, kept apart from the widget so the layout
(word wrap with exact character offsets) can be tested and benchmarked alone.
Every screen line remembers which block and which character range it shows,
so the cursor, the selection, annotations and mouse clicks all map between
screen cells and ``(block_id, start, end)`` anchors without re-wrapping.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from typing import Any

from rich.cells import cell_len

from tui.store import Store
from tui.textsafe import safe

_TOKEN = re.compile(r"\S+\s*|\s+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def display_text(text: str) -> str:
    """Article text made inert for the terminal without moving any offset.

    ``tui.textsafe.strip_controls`` deletes characters, which would shift
    annotation anchors; here each control character becomes one visible
    replacement character instead (text is stored clean, so this is defence
    in depth), and tabs become spaces.
    """
    text = text.replace("\t", " ")
    if _CONTROL.search(text):
        text = _CONTROL.sub("\ufffd", text)
    return text


def block_note(block: dict[str, Any]) -> str:
    """The line above a hidden or overridden block: its state, kind and the reason."""
    state = "shown" if block["visible"] else "hidden"
    how = f" by override ({safe(block.get('override_by'))})" if block["override"] is not None else ""
    reason = safe(block["reason"]) or "no reason given"
    return f"[{state}{how}: {block['kind']} — {reason}]"


@dataclass(slots=True)
class Line:
    """One screen line: a slice of a block's text, a note, or a blank gap."""

    kind: str  # text | note | blank
    block: int = -1  # index into Document.blocks
    start: int = 0
    end: int = 0


@dataclass(slots=True)
class Unit:
    """A cursor position: one sentence (passage) of a displayed block."""

    block: int
    passage: dict[str, Any]

    @property
    def start(self) -> int:
        return self.passage["start"]

    @property
    def end(self) -> int:
        return self.passage["end"]


def wrap_offsets(text: str, width: int) -> list[tuple[int, int]]:
    """Greedy word wrap returning ``(start, end)`` offsets of each line.

    Hard line breaks inside a block are kept; a word wider than the line is
    cut by cells; trailing spaces are not part of a line's range.
    """
    width = max(width, 4)
    lines: list[tuple[int, int]] = []
    pos = 0
    for chunk in text.split("\n"):
        chunk_start = pos
        pos += len(chunk) + 1
        if not chunk.strip():
            lines.append((chunk_start, chunk_start))
            continue
        measure = len if chunk.isascii() else cell_len  # one cell per character
        line_start = chunk_start
        line_end = chunk_start  # end of the last word on the line
        used = 0
        for m in _TOKEN.finditer(chunk):
            token = m.group()
            word = token.rstrip()
            w_start = chunk_start + m.start()
            w_len = measure(word)
            if used and used + w_len > width:
                lines.append((line_start, line_end))
                line_start, used = w_start, 0
            while w_len > width:  # a very long token: cut by cells
                cut, cells = 0, 0
                while cut < len(word) and cells + cell_len(word[cut]) <= width:
                    cells += cell_len(word[cut])
                    cut += 1
                cut = max(cut, 1)
                lines.append((w_start, w_start + cut))
                w_start += cut
                word = word[cut:]
                w_len = measure(word)
                line_start, used = w_start, 0
            if word:
                line_end = w_start + len(word)
                used += w_len + len(token) - len(word)  # trailing spaces: one cell each
            else:
                used += len(token)
        lines.append((line_start, line_end))
    return lines


@dataclass
class Document:
    """One article loaded for reading, with the view state that shapes its layout."""

    article: dict[str, Any]
    blocks: list[dict[str, Any]]
    passages_by_block: dict[str, list[dict[str, Any]]]
    annotations: list[dict[str, Any]] = field(default_factory=list)
    linked: set[str] = field(default_factory=set)
    show_hidden: bool = False
    only_annotator: str | None = None
    # derived
    units: list[Unit] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    unit_first_line: list[int] = field(default_factory=list)
    unit_last_line: list[int] = field(default_factory=list)
    by_block: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    width: int = 0

    @classmethod
    def load(cls, store: Store, article_id: str) -> Document:
        article = store.get_article(article_id)
        blocks = store.blocks(article["id"])
        by_block: dict[str, list[dict[str, Any]]] = {b["id"]: [] for b in blocks}
        for p in store.passages(article["id"]):
            by_block.setdefault(p["block_id"], []).append(p)
        for b in blocks:
            b["display"] = display_text(b["text"])
        doc = cls(article=article, blocks=blocks, passages_by_block=by_block)
        doc.reload_annotations(store)
        doc.build_units()
        return doc

    @property
    def article_id(self) -> str:
        return self.article["id"]

    def reload_annotations(self, store: Store) -> None:
        self.annotations = store.annotations(self.article_id)
        self._index_annotations()

    def _index_annotations(self) -> None:
        self.by_block = {}
        for a in self.annotations:
            if self.only_annotator and a["annotator"] != self.only_annotator:
                continue
            self.by_block.setdefault(a["block_id"], []).append(a)

    def set_only_annotator(self, annotator: str | None) -> None:
        self.only_annotator = annotator
        self._index_annotations()

    def displayed(self, index: int) -> bool:
        return self.show_hidden or self.blocks[index]["visible"]

    def build_units(self) -> None:
        self.units = [
            Unit(i, p)
            for i, b in enumerate(self.blocks)
            if self.displayed(i)
            for p in self.passages_by_block.get(b["id"], [])
        ]

    def layout(self, width: int) -> None:
        """Wrap every displayed block to ``width`` cells and index the lines."""
        self.width = width
        lines: list[Line] = []
        block_first: dict[int, int] = {}
        for i, b in enumerate(self.blocks):
            if not self.displayed(i):
                continue
            if lines:
                lines.append(Line("blank"))
            if not b["visible"] or b["override"] is not None:
                b["note"] = block_note(b)
                lines.extend(Line("note", i, s, e) for s, e in wrap_offsets(b["note"], width))
            block_first[i] = len(lines)
            for start, end in wrap_offsets(b["display"], width):
                lines.append(Line("text", i, start, end))
        self.lines = lines
        first: list[int] = []
        last: list[int] = []
        for u in self.units:
            first.append(self._line_of(u.block, u.start, block_first))
            last.append(self._line_of(u.block, max(u.end - 1, u.start), block_first))
        self.unit_first_line, self.unit_last_line = first, last

    def _line_of(self, block: int, offset: int, block_first: dict[int, int]) -> int:
        y = block_first[block]
        while (
            y + 1 < len(self.lines)
            and self.lines[y + 1].kind == "text"
            and self.lines[y + 1].block == block
            and self.lines[y + 1].start <= offset
        ):
            y += 1
        return y

    # --------------------------------------------------------------- lookups
    def unit_at(self, block: int, offset: int) -> int | None:
        """The unit (sentence) holding ``offset`` of ``block``, or the nearest one."""
        best = None
        for i, u in enumerate(self.units):
            if u.block == block:
                best = i if best is None or u.start <= offset else best
                if u.start <= offset < u.end:
                    return i
        return best

    def unit_of_passage(self, passage_id: str) -> int | None:
        for i, u in enumerate(self.units):
            if u.passage["id"] == passage_id:
                return i
        return None

    def unit_for_line(self, y: int) -> int | None:
        """The first unit that starts on or after screen line ``y``."""
        if not self.units:
            return None
        i = bisect_right(self.unit_first_line, y)
        return min(i, len(self.units) - 1) if i < len(self.units) else len(self.units) - 1

    def block_of_unit(self, unit: int) -> dict[str, Any]:
        return self.blocks[self.units[unit].block]

    def annotations_in(self, block_id: str, start: int, end: int) -> list[dict[str, Any]]:
        return [a for a in self.by_block.get(block_id, []) if a["start"] < end and a["end"] > start]

    def hidden_count(self) -> int:
        return sum(1 for b in self.blocks if not b["visible"])


def refresh_blocks(doc: Document, store: Store) -> None:
    """Re-read block decisions (after an override) without re-reading the text."""
    fresh = {b["id"]: b for b in store.blocks(doc.article_id)}
    for b in doc.blocks:
        row = fresh.get(b["id"])
        if row is not None:
            b["override"], b["visible"] = row["override"], row["visible"]
            b["override_by"] = row["override_by"]
    doc.build_units()
