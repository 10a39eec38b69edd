"""HTML input: trafilatura finds the main text and metadata, the classifier tidies it.

trafilatura (no network: it only ever sees the string given) returns the
article as Markdown, which keeps headings, paragraphs and list items apart,
and reads title, date, author and site name from the page's markup. The
block classifier then removes what trafilatura leaves in: captions, promo
lines, newsletter boxes, repeated title lines.
"""

from __future__ import annotations

import logging
import re

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


#: What sites put between a headline and their own name in the page title.
_SITE_SEPARATORS = (" | ", " - ", " – ", " — ", " · ", " :: ", ": ")
_LETTERS = re.compile(r"[^\W_]+")


def _site_key(name: str) -> str:
    """A name's letters and digits, lower-cased: "The Anti-June Cleaver" -> "theantijunecleaver"."""
    return "".join(_LETTERS.findall(name.lower()))


def _names_site(part: str, outlet: str, site: str) -> bool:
    """Whether ``part`` of a page title, after the headline, is the site's name
    (``site`` is the outlet's ``_site_key``): the outlet, or the first words of it
    ("Inexhibit" for "Inexhibit magazine")."""
    key = _site_key(part)
    if len(key) < 3 or not site:
        return False
    return key == site or (site.startswith(key) and outlet.lower().startswith(part.lower().strip() + " "))


def without_site_name(title: str | None, outlet: str | None) -> str | None:
    """The headline of an HTML page title, without the site's name around it.

    A page's <title> (which trafilatura reports as the title) usually adds
    the site: "Simple Hiking Survival Kit - The Anti-June Cleaver",
    "LinkNaija | Nigeria's popular news platform: Nollywood Actress ...". The
    reader's pane header, the library and the exports want the headline.
    Only a part naming the outlet the page states is taken off, and only when
    at least two words are left: "Opinion | ..." and "... - Auto News" stay.
    """
    if not title or not outlet:
        return title
    lowered, site, key = title.lower(), outlet.lower(), _site_key(outlet)
    heads = []
    for sep in _SITE_SEPARATORS:  # the outlet's own name first, before a name's first words
        if lowered.endswith(sep + site):
            heads.append(title[:len(title) - len(sep) - len(outlet)])
        if lowered.startswith(site + sep):
            heads.append(title[len(outlet) + len(sep):])
    for sep in _SITE_SEPARATORS:
        head, _, tail = title.rpartition(sep)
        if head and _names_site(tail, outlet, key):
            heads.append(head)
        first, _, rest = title.partition(sep)
        if rest and len(key) >= 3 and _site_key(first) == key:
            heads.append(rest)  # in front, only the whole name: "Analysis - ..." is a section
    for head in heads:
        if len(head.split()) >= 2:
            return head.strip()
    return title


def clean_html(html: str, hints: dict[str, str] | None = None) -> CleanResult:
    text, found = extract(html)
    found.title = without_site_name(found.title, found.outlet)
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
