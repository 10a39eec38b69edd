"""The boilerplate remover: page text in, blocks with keep decisions and metadata out.

``clean_document`` never raises on any ``str`` and never invents text: every
block's text comes from the input (see docs/cleaning.md for the exact
relation between a block and ``working_text[start:end]`` per format).
"""

from __future__ import annotations

from tui.clean.classify import classify
from tui.clean.segment import md_segments, txt_segments, without_stray_emphasis
from tui.model import CleanResult

#: Bumped whenever decisions change, so stored articles can be re-cleaned.
CLEANER_VERSION = 24

__all__ = ["CLEANER_VERSION", "body_text", "clean_document"]


def clean_document(text: str, fmt: str, hints: dict[str, str] | None = None) -> CleanResult:
    """Split ``text`` (format ``txt``, ``md`` or ``html``) into classified blocks.

    ``hints`` are metadata the container stated (JSONL fields); a ``title``
    hint marks the matching block as the title.
    """
    text = text.replace("\x00", "") if "\x00" in text else text
    if fmt == "html":
        from tui.clean.html import clean_html

        return tidy_markdown(clean_html(text, hints))
    if fmt == "md":
        blocks, meta = classify(md_segments(text), fmt, hints)
        return tidy_markdown(CleanResult(meta=meta, blocks=blocks, working_text=text))
    blocks, meta = classify(txt_segments(text), fmt, hints)
    return CleanResult(meta=meta, blocks=blocks, working_text=text)


def tidy_markdown(result: CleanResult) -> CleanResult:
    """The blocks and title of a Markdown page without stray emphasis markers (decided as parsed)."""
    for b in result.blocks:
        b.text = without_stray_emphasis(b.text)
    if result.meta.title:
        result.meta.title = without_stray_emphasis(result.meta.title)
    return result


def body_text(result: CleanResult) -> str:
    """The kept text without the title, one blank line between blocks."""
    return "\n\n".join(b.text for b in result.blocks if b.keep and b.kind != "title")
