"""The article's clean text: the one string every export and every offset refers to.

DESIGN.md fixes it as a contract: the title, a blank line, then the visible
(kept, or forced shown) blocks separated by blank lines. Annotations are
anchored to blocks, so this module also says where each visible block starts
inside that text; an export turns ``(block_id, start, end)`` into
``block_offset + start`` without ever searching the text.

Decisions (documented in docs/dataset.md):

* A visible block of kind ``title`` whose text equals the article title
  exactly is not repeated: it *is* the header, so its offset is 0 and spans on
  it land on the title. A title block whose text differs in anything, even
  only in whitespace (the title was edited by hand, or a feed stated it with
  a double space or an NBSP), stays an ordinary block, so no annotated text
  is dropped (:func:`is_header`).
* A *hidden* title block whose text equals the title is still the header's
  source: spans on it land on the header (its words are in the text), not
  counted as left out.
* An article without a title starts directly with its first visible block.
* A *derived* title (``title_derived``: the cleaner made it from the lead's
  first words because the page stated none) is written as the header too, as
  the contract says, and ``meta.title_derived`` tells it apart. It repeats the
  lead's first words on a line no block holds, so a span put on it in another
  tool is read as the same words of the lead (``ArticleText.header_alias``).
* Hidden blocks have no offset: spans on them cannot be placed in the text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from tui.store import Store

SEPARATOR = "\n\n"


@dataclass(slots=True)
class ArticleText:
    """The clean text of one article and where each visible block starts in it."""

    article_id: str
    text: str
    block_offsets: dict[str, int] = field(default_factory=dict)
    block_lengths: dict[str, int] = field(default_factory=dict)
    #: A derived title's header and the block whose first words it repeats:
    #: ``(block id, header length)``; spans on the header land on that block.
    header_alias: tuple[str, int] | None = None

    def locate(self, offset_start: int, offset_end: int) -> tuple[str, int, int] | None:
        """Map clean-text offsets back to ``(block_id, start, end)``.

        None when the range is not inside one visible block (it crosses a
        block boundary, or lies on the title separator).
        """
        if self.header_alias is not None and offset_end <= self.header_alias[1]:
            return self.header_alias[0], offset_start, offset_end
        for block_id, base in self.block_offsets.items():
            length = self.block_lengths[block_id]
            if base <= offset_start and offset_end <= base + length:
                return block_id, offset_start - base, offset_end - base
        return None


def compose(article_id: str, title: str | None, blocks: list[dict], *,
            title_derived: bool = False) -> ArticleText:
    """Build the clean text from a title and block rows (``id, text, kind, visible``).

    Kept separate from :func:`article_text` so bulk exports can feed rows they
    fetched in one query. A derived title (``title_derived``) is written like
    any title, and aliased to the block it was made from (see the module doc).
    """
    parts: list[str] = []
    offsets: dict[str, int] = {}
    lengths: dict[str, int] = {}
    pos = 0
    header = title.strip() if title else ""
    if header:
        parts.append(header)
        pos = len(header)
    title_used = False
    for block in blocks:
        if not block["visible"]:
            if is_header(block, header):
                # a hidden title block whose words are the header anyway: its spans
                # land on the header, not "left out" while their words are there
                offsets[block["id"]] = 0
                lengths[block["id"]] = len(block["text"])
            continue
        text = block["text"]
        if not title_used and is_header(block, header):
            title_used = True
            offsets[block["id"]] = 0
            lengths[block["id"]] = len(text)
            continue
        if parts:
            parts.append(SEPARATOR)
            pos += len(SEPARATOR)
        offsets[block["id"]] = pos
        lengths[block["id"]] = len(text)
        parts.append(text)
        pos += len(text)
    return ArticleText(article_id, "".join(parts), offsets, lengths,
                       derived_alias(header, title_derived, blocks, offsets))


def is_header(block: dict, header: str) -> bool:
    """Whether a visible block *is* the header, so it is not written twice.

    Only a title block whose text equals the header character for character:
    its offset is 0, so every span on it lands on the header. A title that
    differs in anything, whitespace included (a double space, an NBSP from a
    feed), leaves the block an ordinary block after the header. Treating a
    whitespace variant as the header used to drop the block from the text,
    and every span on it (a document-level label too) from every export.
    """
    return bool(header) and block["kind"] == "title" and block["text"] == header


def derived_alias(header: str, title_derived: bool, blocks: list[dict],
                  offsets: dict[str, int]) -> tuple[str, int] | None:
    """The block a derived title repeats the first words of, when it does exactly."""
    if not header or not title_derived:
        return None
    placed = [b for b in blocks if b["id"] in offsets and offsets[b["id"]] > 0]
    first = min(placed, key=lambda b: offsets[b["id"]], default=None)
    if first is None or not first["text"].startswith(header):
        return None
    return first["id"], len(header)


def article_text(store: Store, article_id: str) -> ArticleText:
    """The clean text of a stored article, as every export writes it."""
    article = store.get_article(article_id)
    rows = store.db.execute(
        "select id, text, kind, coalesce(override, keep) from blocks where article_id = ? order by seq",
        [article["id"]],
    ).fetchall()
    blocks = [{"id": r[0], "text": r[1], "kind": r[2], "visible": bool(r[3])} for r in rows]
    return compose(article["id"], article["title"], blocks,
                   title_derived=bool(article["title_derived"]))
