"""HTML input: trafilatura finds the main text and metadata, the classifier tidies it.

trafilatura (no network: it only ever sees the string given) returns the
article as Markdown, which keeps headings, paragraphs and list items apart,
and reads title, date, author and site name from the page's markup. The
block classifier then removes what trafilatura leaves in: captions, promo
lines, newsletter boxes, repeated title lines.
"""

from __future__ import annotations

import logging

from tui.clean.classify import classify
from tui.clean.segment import md_segments
from tui.model import CleanResult, Meta

logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
logging.getLogger("htmldate").setLevel(logging.CRITICAL)


def extract(html: str) -> tuple[str, Meta]:
    """Main text as Markdown and the metadata the page's markup states."""
    import trafilatura
    from trafilatura.core import determine_returnstring
    from trafilatura.settings import Extractor

    options = Extractor(output_format="markdown", precision=True, formatting=True,
                        with_metadata=True, comments=False, tables=True)
    try:
        doc = trafilatura.bare_extraction(html, options=options)
    except Exception:  # trafilatura/lxml can fail on broken markup: treat as no text
        return "", Meta()
    if doc is None or getattr(doc, "body", None) is None:
        return "", Meta()
    options.with_metadata = False
    try:
        text = determine_returnstring(doc, options) or ""
    except Exception:
        text = ""
    if "<u>" in text:
        # Markdown has no underline, so trafilatura writes <u>...</u> as raw HTML;
        # readers and exports want the words, not the tags
        text = text.replace("<u>", "").replace("</u>", "")
    date = doc.date[:10] if isinstance(doc.date, str) and len(doc.date) >= 10 else None
    meta = Meta(title=doc.title or None, outlet=doc.sitename or None, date=date,
                byline=doc.author or None, url=doc.url or None)
    return text, meta


def clean_html(html: str, hints: dict[str, str] | None = None) -> CleanResult:
    text, found = extract(html)
    if not text.strip():
        return CleanResult(meta=found, blocks=[], working_text=text)
    blocks, meta = classify(md_segments(text), "md", hints, extracted=True, known_title=found.title)
    meta.outlet = found.outlet or meta.outlet  # the page's own site name beats a footer guess
    meta.date = found.date or meta.date
    meta.byline = found.byline or meta.byline
    meta.url = found.url or meta.url
    if found.title:
        meta.title, meta.title_derived = found.title, False
    return CleanResult(meta=meta, blocks=blocks, working_text=text)
