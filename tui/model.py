"""Plain data passed between the core stages (ingest -> clean -> store).

These are deliberately dumb dataclasses with no behaviour and no I/O, so the
cleaner, the store, the CLI, the tests and the benchmarks can build and read
them without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

Format = Literal["txt", "md", "html"]

#: Every kind a block can be given. Content kinds are kept by default; the
#: others are boilerplate. ``credit`` (a photo credit line) is boilerplate too.
CONTENT_KINDS = ("title", "dek", "heading", "body", "list", "quote", "dateline")
BOILERPLATE_KINDS = (
    "byline",
    "caption",
    "credit",
    "promo",
    "related",
    "advert",
    "newsletter",
    "widget",
    "bio",
    "navigation",
    "masthead",
    "logo",
    "duplicate",
    "meta",
    "footer",
    "boilerplate",
)
BLOCK_KINDS = CONTENT_KINDS + BOILERPLATE_KINDS


@dataclass(slots=True)
class RawDocument:
    """One input article as read from disk, decoded but not yet cleaned.

    ``text`` is the decoded source (raw HTML for ``html``). ``hints`` carries
    metadata that the container stated outright (JSONL fields), which beats
    anything the cleaner infers from the text.
    """

    path: str
    text: str
    format: Format
    encoding: str = "utf-8"
    encoding_note: str = ""  # e.g. "decoded as cp1252 (not valid UTF-8)"
    hints: dict[str, str] = field(default_factory=dict)
    line: int | None = None  # line number inside a .jsonl file


def location(path: str, line: int | None) -> str:
    """Where a document or a problem is: the file, and the line of a JSONL feed ("feed.jsonl:3")."""
    return f"{path}:{line}" if line else path


@dataclass(slots=True)
class Block:
    """A paragraph-level unit of a page with the cleaner's decision.

    ``start``/``end`` are offsets of the block in the cleaner's working text
    (the decoded source for txt/md, the extracted text for html), so a block
    can always be traced back to where it came from. ``text`` is the block as
    shown to the reader (Markdown syntax stripped).
    """

    text: str
    start: int
    end: int
    kind: str = "body"
    keep: bool = True
    reason: str = ""
    source_kind: str = "paragraph"  # paragraph, heading, list_item, blockquote, line
    level: int = 0  # heading level for headings


@dataclass(slots=True)
class Meta:
    """Article metadata. ``None`` means unknown: never guessed."""

    title: str | None = None
    title_derived: bool = False  # True when the title was made from the lead
    outlet: str | None = None
    date: str | None = None  # ISO 8601 date (YYYY-MM-DD) when known
    byline: str | None = None
    url: str | None = None


#: The metadata fields a file may state and a person may edit.
META_FIELDS = ("title", "outlet", "date", "byline", "url")


def stated_meta(found: Meta, stated: dict[str, str]) -> Meta:
    """The metadata an import stores: what the file stated (JSONL fields), else what the cleaner found."""
    meta = Meta(**{f: stated.get(f) or getattr(found, f) for f in META_FIELDS})
    meta.title_derived = bool(found.title_derived and not stated.get("title"))
    return meta


@dataclass(slots=True)
class CleanResult:
    """What the cleaner returns for one document."""

    meta: Meta
    blocks: list[Block]
    working_text: str  # the text block offsets refer to
