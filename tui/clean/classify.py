"""The block classifier: decide kind, keep and reason for every block of a page.

There is no DOM in a text dump, so the decision uses what the text itself
gives (see docs/cleaning.md for the reasoning and the figures):

1. phrase lexicons for furniture that is worded the same on every site
   (calls to action, share bars, photo credits, "Advertisement");
2. jusText-style prose classes from length, stopword density and link density,
   smoothed over neighbours;
3. the densest run of prose on the page (a maximum-sum window over block
   scores), which is where the article is: prose outside it is a comment,
   a teaser or a footer;
4. page structure: the title is the headline-like line just before that run,
   a line repeated from earlier is a duplicate, everything after a reporting
   credit ("X contributed to this report") is past the end of the article,
   short headline-like lines inside the text are headings when short and
   links to other stories when long.
"""

from __future__ import annotations

import json
import math
import re
from bisect import bisect_right
from collections import Counter
from itertools import accumulate, chain, compress, repeat
from operator import mul, or_
from pathlib import Path

from tui.clean import lexicon as lx
from tui.model import Block, Meta

#: jusText's published defaults, which also suit text dumps.
LENGTH_LOW = 70
LENGTH_HIGH = 200
STOP_LOW = 0.30
STOP_HIGH = 0.32
MAX_LINK_DENSITY = 0.2
#: Longest line taken for a heading inside the text; longer headline-like
#: lines there are links to other stories.
HEADING_MAX_WORDS = 8
#: How many blocks before the article text the headline is looked for.
TITLE_REACH = 25
#: Most non-prose blocks between two paragraphs of the same article.
MAX_GAP = 3
#: Fewest rows of the same shape, mostly figures, that make a table (see ``_table_end``).
TABLE_MIN = 5
#: Most lines a "read more"-style header lists (its list also ends at a sentence or heading).
PROMO_LIST = 8
#: Gap across which the article's run takes in a neighbouring run, when
#: nothing in the gap ends an article (see ``_densest_window``).
JOIN_GAP = MAX_GAP + 1
_END_PUNCT = frozenset(".!?…:;\"”’)»")
_SENTENCE_END = frozenset(".!?…\"”’)")
#: Furniture found inside article bodies: it does not break a run of prose.
_IN_ARTICLE = frozenset(("caption", "credit", "advert", "widget", "newsletter", "meta", "byline"))


class W:
    """A block while it is being classified (mutable, cheap).

    ``sentence_like`` is computed once here (and again by
    ``_adapt_to_language`` when it changes ``stop``), since every rule asks.
    """

    __slots__ = ("text", "start", "end", "src", "level", "links", "chars", "nw", "stop",
                 "cls", "kind", "keep", "reason", "key", "brk", "sentence_like")

    def __init__(self, seg: tuple, lower: str, nw: int, stops: int) -> None:
        """``nw`` and ``stops`` are the \\w+ words and function words of ``lower``
        (``_word_counts``), used for blocks of ``COUNT_FROM`` characters or more."""
        self.text, self.start, self.end, self.src, self.level, links = seg
        text = self.text
        self.links = links
        self.chars = n = len(text)
        self.kind = ""
        self.keep = False
        self.reason = ""
        self.key = lower
        self.brk = 0  # 1: counts as a gap between paragraphs, 2: comments start here
        if n < COUNT_FROM:  # menus and buttons: no need to count function words
            self.nw = lower.count(" ") + 1
            self.stop = 0.0
            self.sentence_like = False  # stop 0.0 is below the 0.15 a sentence needs
            # _prose_class of a block under LENGTH_LOW characters with stop 0.0
            self.cls = "bad" if links else "short"
        else:
            self.nw = nw
            self.stop = stop = (stops / nw) if nw else 0.0
            self.sentence_like = nw >= 4 and text[-1] in _SENTENCE_END and stop >= 0.15
            self.cls = _prose_class(self)

    def set(self, kind: str, keep: bool, reason: str) -> None:
        self.kind, self.keep, self.reason = kind, keep, reason


#: Blocks this long or longer get their words and function words counted.
COUNT_FROM = 12
_WORDS = lx.WORD.findall
#: ``\w+`` on lower-cased ASCII text: the same words (no A-Z is left).
_ASCII_WORDS = re.compile(r"[a-z0-9_]+").findall
_IS_STOP = lx.STOPWORDS.__contains__


def _word_counts_py(lowers: list[str], min_chars: int) -> tuple[list[int], list[int]]:
    """How many \\w+ words, and how many function words, each lower-cased line of
    ``min_chars`` or more characters has (0 and 0 for shorter ones).

    The reference for the compiled ``_speedups.word_counts``, which is used
    when it was built: the same counts without a list and a set look-up per
    word (this loop is about a fifth of a text page's cleaning time).
    """
    nws: list[int] = []
    stops: list[int] = []
    for low in lowers:
        if len(low) < min_chars:
            nws.append(0)
            stops.append(0)
            continue
        words = (_ASCII_WORDS if low.isascii() else _WORDS)(low)
        nws.append(len(words))
        stops.append(sum(map(_IS_STOP, words)))
    return nws, stops


def _split_date_prefix(segs: list[tuple]) -> tuple[list[tuple], str | None]:
    """Cut a leading "date 2023-06-02" off a block so the body starts with the text.

    The prefix becomes metadata only (no block of its own): it is a label the
    page put in front of the lead, not part of what the reader reads.
    """
    out: list[tuple] | None = None
    found: str | None = None
    for i, seg in enumerate(segs[:12]):
        text, start, end, src, level, links = seg
        m = lx.DATE_PREFIX.match(text) if text[:1].isalpha() else None
        if m and len(text) > m.end():
            head = m.group(1)
            rest_off = m.end()
            if found is None:
                found = parse_date(head)
            if out is None:
                out = list(segs)
            out[i] = (text[rest_off:], start + rest_off, end, src, level, links)
    return (segs if out is None else out), found


def parse_date(text: str) -> str | None:
    """ISO date from the first date written in ``text``; None when there is none or it is invalid."""
    m = lx.DATE_ISO.search(text)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
    else:
        m = lx.DATE_MDY.search(text)
        if m:
            mo, d, y = lx.MONTHS.get(m.group(1).lower().rstrip("."), 0), int(m.group(2)), int(m.group(3))
        else:
            m = lx.DATE_DMY.search(text)
            if not m:
                return None
            d, mo, y = int(m.group(1)), lx.MONTHS.get(m.group(2).lower().rstrip("."), 0), int(m.group(3))
    if not (1 <= mo <= 12 and 1 <= d <= 31 and 1900 <= y <= 2100):
        return None
    return f"{y:04d}-{mo:02d}-{d:02d}"


def _adapt_to_language(ws: list[W]) -> None:
    """Pages in a language the stopword lists do not cover get a punctuation-based density.

    When the long blocks of a page have almost no known function words
    (Korean, Russian, Indonesian...), stopword density says nothing; sentence
    punctuation is then the best language-independent sign of prose.
    """
    words = stops = 0.0
    for b in ws:
        if b.chars >= 150:
            words += b.nw
            stops += b.stop * b.nw
    if not words or stops / words >= 0.10:
        return
    for b in ws:
        t = b.text
        s = 0.25 if t[-1] in _SENTENCE_END else 0.0
        if ". " in t or ", " in t or "。" in t or "、" in t:
            s += 0.1
        b.stop = max(b.stop, s)
        b.sentence_like = b.nw >= 4 and t[-1] in _SENTENCE_END and b.stop >= 0.15
        b.cls = _prose_class(b)


def _prose_class(b: W) -> str:
    """jusText's context-free class: good, neargood, short or bad."""
    if b.chars and b.links / b.chars > MAX_LINK_DENSITY:
        return "bad"
    if b.chars < LENGTH_LOW:
        return "bad" if b.links else "short"
    if b.stop >= STOP_HIGH:
        return "good" if b.chars > LENGTH_HIGH else "neargood"
    if b.stop >= STOP_LOW or (b.stop >= 0.2 and b.sentence_like):
        return "neargood"
    return "bad"


_G = lx.GATE_BITS


def _gate_flags(lowers: list[str]) -> list[int]:
    """Which lexicon patterns may match each block: blocks holding one of their stems.

    Only blocks of up to 200 characters are searched for every stem (most
    patterns apply to short blocks only); the few longer ones are tested for
    the two patterns that also apply to them (caption credits, author bios).
    """
    flags = _stem_flags(lowers, 200)
    longs = [i for i, low in enumerate(lowers) if 200 < len(low) <= 600]
    if longs:
        # a credit closes a caption (its stems in the last 80 characters); a bio may say
        # anywhere who the writer is: the same search, on those parts, for those two gates
        tails = _stem_flags([lowers[i][-80:] for i in longs], 80)
        wholes = _stem_flags([lowers[i] for i in longs], 600)
        for i, tail, whole in zip(longs, tails, wholes, strict=True):
            flags[i] |= (tail & _G_CREDIT_TAIL) | (whole & _G_BIO)
    return flags


def _stem_flags_py(lowers: list[str], max_chars: int) -> list[int]:
    """For each line of at most ``max_chars`` characters, the bits of every stem it holds.

    The reference for the compiled ``_speedups.stem_flags``, used when it was
    not built: the short lines are searched as one text, by one
    Aho-Corasick pass over all stems when pyahocorasick is installed, else by
    one ``str.find`` sweep per stem (the same flags).
    """
    short = [low if len(low) <= max_chars else "" for low in lowers]
    flags = [0] * len(lowers)
    joined = "\n".join(short)
    # where each block starts in ``joined`` (one more entry past the end)
    starts = list(accumulate(map(int.__add__, map(len, short), repeat(1)), initial=0))
    if _STEMS is not None:
        for end, bits in _STEMS.iter(joined):
            flags[bisect_right(starts, end) - 1] |= bits
        return flags
    return _sweep(joined, starts, flags)


def _sweep(joined: str, starts: list[int], flags: list[int]) -> list[int]:
    """``_stem_flags_py``'s search without pyahocorasick: one ``str.find`` sweep per stem."""
    find = joined.find
    for stem, bits in lx.STEM_BITS.items():
        hit = find(stem)
        while hit >= 0:
            i = bisect_right(starts, hit) - 1
            flags[i] |= bits
            # skip to the next block: one hit per block is enough
            nxt = starts[i + 1] if i + 1 < len(starts) else len(joined)
            hit = find(stem, nxt)
    return flags


def _plain_flags_py(lowers: list[str], words: frozenset[str], trailing: str,
                    prefixes: tuple[str, ...], suffix: str) -> list[bool]:
    """Which lines may match a pattern of ``_lexicon_plain``: the only way into it.

    A line qualifies when it has an ASCII digit, starts with one of
    ``prefixes``, ends with ``suffix`` or, stripped of ``trailing``, is one
    of ``words``; ``_lexicon_plain`` returns None for every other line. The
    reference for the compiled ``_speedups.plain_flags``: 85 % of the short
    lines without a gate stem (menus, links) skip the Python call.
    """
    return [bool(_HAS_DIGIT(low)) or low.startswith(prefixes) or low.endswith(suffix)
            or low.strip(trailing) in words for low in lowers]


def _stem_automaton():
    """All gate stems in one Aho-Corasick automaton, or None without pyahocorasick."""
    try:
        import ahocorasick
    except ImportError:
        return None
    automaton = ahocorasick.Automaton()
    for stem, bits in lx.STEM_BITS.items():
        automaton.add_word(stem, bits)
    automaton.make_automaton()
    return automaton


_STEMS = _stem_automaton()


def _load_speedups():
    """The compiled scans, set up with the lexicon's stopwords and stems; None when not built."""
    try:
        from tui.clean import _speedups
    except ImportError:
        return None
    _speedups.set_stopwords(lx.STOPWORDS)
    _speedups.set_stems(lx.STEM_BITS)
    return _speedups


_SPEEDUPS = _load_speedups()
#: Word counts, stem flags and plain flags: compiled when built, else the Python references.
_word_counts = _SPEEDUPS.word_counts if _SPEEDUPS else _word_counts_py
_stem_flags = _SPEEDUPS.stem_flags if _SPEEDUPS else _stem_flags_py
_plain_flags = _SPEEDUPS.plain_flags if _SPEEDUPS else _plain_flags_py


# gate bits as plain ints (a global name is cheaper than a dict look-up per block)
_G_COMMENTS_HEADER = _G["comments_header"]
_G_COMMENT_META = _G["comment_meta"]
_G_CREDIT_LINE = _G["credit_line"]
_G_CREDIT_TAIL = _G["credit_tail"]
_G_WIDGET_PHRASE = _G["widget_phrase"]
_G_PROMO_HEADER = _G["promo_header"]
_G_BIO_HEADER = _G["bio_header"]
_G_END_CREDIT = _G["end_credit"]
_G_NEWSLETTER = _G["newsletter"]
_G_PROMO = _G["promo"]
_G_FOOTER = _G["footer"]
_G_BIO = _G["bio"]
_G_AFFILIATE = _G["affiliate"]
_G_FILED = _G["filed"]
_G_HANDLE = _G["handle"]
_TRAILING = lx.TRAILING
_ADVERT_WORDS = lx.ADVERT_WORDS
_WIDGET_WORDS = lx.WIDGET_WORDS
_HAS_DIGIT = lx.HAS_DIGIT
_BYLINE_STARTS = ("by ", "von ", "par ", "por ", "di ", "door ")
#: The short lines ``_lexicon_plain`` looks up (after stripping ``_TRAILING``).
_PLAIN_WORDS = _ADVERT_WORDS | _WIDGET_WORDS


def _lexicon_plain(b: W) -> tuple[str, str] | None:
    """``_lexicon_kind`` for a block of at most 70 characters holding no gate stem.

    Only the patterns that need no stem can match: advert and button words,
    logo lines, bylines and date lines. It repeats those tests in the same
    order, and no more; only lines that ``_plain_flags`` lets through get
    here (each test below needs a digit, a byline start, a "logo" ending or
    a listed word: keep the two in step).
    """
    n = b.chars
    low = b.key
    digit = _HAS_DIGIT(low)  # the stripped trailing characters are no digits
    if n <= 60:
        short = low.strip(_TRAILING)
        if short in _ADVERT_WORDS:
            return "advert", "advert marker"
        if short in _WIDGET_WORDS or (digit and lx.WIDGET_NUM.match(short)):
            return "widget", "interface text (button, share bar, player)"
        if low.endswith("logo") and lx.LOGO.match(b.text):
            return "logo", "logo text"
    if b.nw <= 12 and low.startswith(_BYLINE_STARTS) and lx.BYLINE.match(b.text):
        return "byline", "byline"
    if digit and lx.DATE_LINE.match(b.text) and (parse_date(b.text) or lx.DATED_LABEL.match(b.text)):
        return "meta", "date line"
    return None


def _lexicon_kind(b: W, f: int) -> tuple[str, str] | None:
    """Kind and reason when the block is worded like known page furniture.

    ``f`` holds the gate bits of the block: a pattern is tried only when one
    of its stems occurs in the block, which keeps this cheap on long pages.
    """
    t = b.text
    n = b.chars
    low = b.key
    if n <= 60:
        short = lx.norm_short(low)
        if short in lx.ADVERT_WORDS:
            return "advert", "advert marker"
        if f & _G_COMMENTS_HEADER and lx.COMMENTS_HEADER.match(t):
            b.brk = 2
            return "widget", "comments section header: the article ends before it"
        if f & _G_COMMENT_META and lx.COMMENT_META.match(t):
            b.brk = 1
            return "widget", "comment furniture (timestamp, votes, reply button)"
        if short in lx.WIDGET_WORDS or (lx.HAS_DIGIT(short) and lx.WIDGET_NUM.match(short)):
            return "widget", "interface text (button, share bar, player)"
    if n <= 160 and f & _G_CREDIT_LINE and lx.CREDIT_LINE.match(t):
        return "credit", "photo credit line"
    if f & _G_CREDIT_TAIL and b.nw >= 3 and n <= 600 and lx.credit_tail(t, low):
        return "caption", "photo caption: ends in a photo credit"
    if n <= 200:
        if f & _G_WIDGET_PHRASE and lx.WIDGET_PHRASE.search(low):
            return "widget", "interface text (button, share bar, player)"
        if f & _G_PROMO_HEADER and n <= 80 and lx.PROMO_HEADER.match(t):
            return "promo", "promo header: introduces links to other stories"
        if f & _G_BIO_HEADER and n <= 40 and lx.BIO_HEADER.match(t):
            return "bio", "author bio header"
        if n <= 60 and low.endswith("logo") and lx.LOGO.match(t):
            return "logo", "logo text"
        if f & _G_END_CREDIT and lx.END_CREDIT.search(t):
            return "credit", "reporting credit: the article ends here"
        if f & _G_NEWSLETTER and lx.NEWSLETTER.search(t):
            return "newsletter", "newsletter call to action"
        if f & _G_HANDLE and n <= 80 and lx.HANDLE_BYLINE.match(t):
            return "byline", "byline: a name and a social handle"
        if f & _G_FILED and n <= 160 and lx.FILED.match(t):
            return "navigation", "tags or categories: links to topic pages"
        if f & _G_AFFILIATE and lx.AFFILIATE.search(t):
            return "advert", "affiliate disclosure: the page earns from its links"
        if f & _G_PROMO and (lx.PROMO_START.match(t) or lx.promo_phrase(low)):
            return "promo", "promo: call to read, follow or download something else"
        if b.nw <= 12 and low.startswith(_BYLINE_STARTS) \
                and lx.BYLINE.match(t):
            return "byline", "byline"
        if f & _G_FOOTER and lx.FOOTER.search(t):
            return "footer", "footer: copyright, legal or site links"
        if n <= 70 and lx.HAS_DIGIT(low) and lx.DATE_LINE.match(t) \
                and (parse_date(t) or lx.DATED_LABEL.match(t)):
            return "meta", "date line"
    if n <= 500 and f & _G_BIO:
        if lx.BIO.match(t):
            return "bio", "author bio: describes the writer"
        if lx.CONTACT.search(t):
            return "bio", "author contact: how to reach the writer"
    return None


def _score(b: W) -> float:
    """Contribution of a block to the main-text window (positive for prose)."""
    if b.kind:
        return -15.0
    c = b.cls
    if c == "good":
        return float(min(b.chars, 800))
    if c == "neargood":
        return 0.5 * b.chars
    if c == "short":
        if b.sentence_like:
            return 5.0
        return -25.0 if b.src == "list_item" else -12.0
    return -30.0 if b.links else -25.0


#: One match per whitespace-separated cell that holds a figure.
_FIGURE_CELLS = re.compile(r"(?:^|\s)\S*?\d").findall


def _row_cells(b: W) -> int:
    """How many cells the block has when it reads like a row of a table, else 0.

    A row is a short line, no sentence, furniture or list item, of at least
    three whitespace-separated cells of which at least two in five hold a
    figure: "3  Kevin Harvick  5033  4  6  15  26".
    """
    if b.nw < 3 or b.kind or b.sentence_like or b.chars > 200 or b.src == "list_item" \
            or not _HAS_DIGIT(b.key):
        return 0
    n = len(b.text.split())
    return n if n >= 3 and 5 * len(_FIGURE_CELLS(b.text)) >= 2 * n else 0


def _table_end(ws: list[W], i: int) -> int:
    """Where the table starting at block ``i`` ends (exclusive); ``i`` when none starts there.

    A table is ``TABLE_MIN`` or more rows in a row whose cell counts are
    within two of the first row's.
    """
    width = _row_cells(ws[i])
    if not width:
        return i
    j = i + 1
    while j < len(ws) and abs(_row_cells(ws[j]) - width) <= 2:
        j += 1
    return j if j - i >= TABLE_MIN else i


def _densest_window(ws: list[W], taken: dict[int, str]) -> tuple[int, int, list[tuple[float, int, int]]]:
    """The main run of prose: the article's body.

    Prose blocks (long, sentence-like) are chained into runs; a run breaks
    where more than ``MAX_GAP`` other blocks separate two prose blocks
    (furniture the lexicons recognised, like captions or adverts, does not
    count, since articles are interrupted by it). The run holding the most
    prose is the article; teasers and comments form smaller runs of their
    own, separated from it by navigation, timestamps and user names.

    The article's run then takes in a neighbouring run across a gap of one
    block more (``JOIN_GAP``) when nothing in that gap ends an article (a
    footer, a promo or related-links header, a comments header...): an
    interview's "name / photo / account" lines or a deal list's "also at"
    lines split an article, but are no sign that it stopped. A run is never
    joined across a longer gap, so a teaser list cannot become the article.

    A table right after prose (``_table_end``: standings under their
    introduction) continues its run, its rows counting as text; a table with
    no prose before it starts nothing. Tables are only looked for there, so
    a page pays for the test a few times, not once a block. So does a list
    that the run's last paragraph introduces ("...the best offers:").
    ``taken`` is filled with the table rows ("table") and list items
    ("list") the article's run took in, which ``_decide`` keeps.
    """
    runs: list[tuple[float, int, int]] = []
    absorbed: list[tuple[int, int, str]] = []  # (run number, block, "table"/"list") taken into a run
    # joins[k]: run k may be joined to run k + 1 (short gap, nothing ending the article)
    joins: list[bool] = []
    score = 0.0
    first = last = -1
    gap = 0
    hard = False
    intro = False
    weight = 1.0
    table_end = 0  # blocks before this index belong to a table the current run took in
    for i, b in enumerate(ws):
        if b.brk == 2 and first >= 0:
            gap = MAX_GAP + 1
            hard = True
            weight = 0.25  # prose after a comments header is most likely comments
            continue
        kind = b.kind
        if kind in _IN_ARTICLE and not b.brk:
            continue
        if not kind and (b.cls in ("good", "neargood") or b.sentence_like):
            if first >= 0 and gap > MAX_GAP:
                runs.append((score, first, last))
                joins.append(gap <= JOIN_GAP and not hard)
                first, score = -1, 0.0
                intro = False
            if first < 0:
                first = i
            last = i
            score += weight * (min(b.chars, 800) if b.cls != "short" else 20)
            gap = 0
            hard = False
            if intro and b.src == "list_item":  # an item written like prose: still the list
                absorbed.append((len(runs), i, "list"))
            else:
                intro = b.text[-1] == ":"
        elif first >= 0 and gap <= MAX_GAP and not kind and (
                i < table_end or (table_end := _table_end(ws, i)) > i):
            # a table right after prose holds the article's figures (standings, results):
            # its rows continue the run and count as text; a table alone starts nothing
            absorbed.append((len(runs), i, "table"))
            last = i
            score += weight * min(b.chars, 800)
            gap = 0
            hard = False
        elif intro and not kind and b.src == "list_item" and gap <= MAX_GAP:
            # a list the run's last paragraph introduces ("...the best deals:") continues it
            absorbed.append((len(runs), i, "list"))
            last = i
            score += weight * 20
            gap = 0
            hard = False
        else:
            gap += 1
            if kind and kind != "duplicate":
                hard = True
    if first >= 0:
        runs.append((score, first, last))
    if not runs:
        return 0, -1, []
    k = runs.index(max(runs))
    j = k
    while j < len(joins) and joins[j]:
        j += 1
    while k > 0 and joins[k - 1]:
        k -= 1
    # only what the article's run took in is article text: a table or list elsewhere is not
    taken.update((i, what) for r, i, what in absorbed if k <= r <= j)
    return runs[k][1], runs[j][2], runs


def _plain_sentences(ws: list[W]) -> bool:
    """On a page with no paragraph of prose, take plainly punctuated sentences as prose.

    A short note of a few sentences in news style ("Heavy rain hit Oslo on
    Monday, flooding streets.") has too few function words to pass as prose,
    and the page came out empty, title and all. Only on a page without one
    long paragraph rich in function words (jusText's "good": every article
    page has some, so none of the dev pages, seeds or ECB+ articles changes):
    a block of four words or more, ending as a sentence ends, not mostly link
    text and not named by a lexicon, counts as a sentence. Returns whether any did.
    """
    found = False
    for b in ws:
        if not b.kind and not b.sentence_like and b.nw >= 4 and b.text[-1] in _SENTENCE_END \
                and not (b.chars and b.links / b.chars > MAX_LINK_DENSITY):
            b.sentence_like = True
            found = True
    return found


def _title_like(b: W) -> bool:
    return not b.kind and _headline_shape(b)


def _headline_shape(b: W) -> bool:
    """Shaped like a headline: a few words, no closing full stop, not a list item or URL."""
    if b.src == "list_item" or not (2 <= b.nw <= 30) or b.chars > 250:
        return False
    last = b.text[-1]
    return last not in ".;,:" and not b.text.startswith(("http://", "https://"))


#: Words whose full stop ends no sentence: titles and ranks before a name,
#: company forms, "No.", "vs." (lower-case, without the stop).
_ABBREVIATIONS = frozenset((
    "gov", "sen", "rep", "dr", "mr", "mrs", "ms", "st", "gen", "lt", "col", "sgt", "capt", "cmdr",
    "adm", "prof", "rev", "hon", "pres", "supt", "insp", "inc", "corp", "co", "ltd", "jr", "sr",
    "no", "vs", "mt", "ft"))


def _first_sentence_end(text: str) -> int:
    """Where the first sentence of ``text`` ends: after ". ", "? " or "! ", except
    the stop of an abbreviation or an initial ("Gov. Kristi Noem", "J. K. Rowling")."""
    end = len(text)
    for mark in ("? ", "! "):
        k = text.find(mark)
        if 0 < k < end:
            end = k + 1
    k = text.find(". ")
    while 0 < k < end:
        word = text[text.rfind(" ", 0, k) + 1:k]
        if not (word.lower() in _ABBREVIATIONS or (len(word) == 1 and word.isupper())):
            return k + 1
        k = text.find(". ", k + 2)
    return end


def _derive_title(text: str) -> str:
    """A short title from the lead: its first sentence, cut to at most 12 words."""
    sentence = text[:_first_sentence_end(text)].strip()
    words = sentence.split()
    if len(words) > 12:
        words = words[:12]
        while words and words[-1].lower().strip(",;:") in lx.STOPWORDS:
            words.pop()
        sentence = " ".join(words).rstrip(",;:")
    return sentence.rstrip(".")


def classify(segs: list[tuple], fmt: str, hints: dict[str, str] | None = None,
             extracted: bool = False, known_title: str | None = None) -> tuple[list[Block], Meta]:
    """Classify segments into blocks with decisions, and read the metadata the text states.

    ``extracted`` is True for HTML, where trafilatura already chose the main
    text: then every block is in the article window and only furniture it
    left in (captions, promos, newsletter boxes) is removed.
    """
    hints = hints or {}
    meta = Meta()
    segs, prefix_date = _split_date_prefix(segs)
    if not segs:
        return [], meta
    lowers = [s[0].lower() for s in segs]
    ws = list(map(W, segs, lowers, *_word_counts(lowers, COUNT_FROM)))
    _adapt_to_language(ws)
    # 1. lexicon kinds: a block holding a gate stem tries the patterns of its
    # stems; a short one without tries the few patterns that need no stem
    flags = _gate_flags(lowers)
    plain = _plain_flags(lowers, _PLAIN_WORDS, _TRAILING, _BYLINE_STARTS, "logo")
    for i in compress(range(len(ws)), map(or_, flags, plain)):
        b = ws[i]
        f = flags[i]
        if f:
            found = _lexicon_kind(b, f)
        elif b.chars <= 70:
            found = _lexicon_plain(b)
        else:
            continue
        if found:
            b.kind, b.reason = found
    # 2. lines repeated from earlier on the page: the first index of every
    # line and how often it occurs, counted in C (most lines occur once)
    first_at = dict(zip(reversed(lowers), range(len(lowers) - 1, -1, -1), strict=True))
    repeats = Counter(lowers)
    if len(first_at) < len(lowers):
        for i, key in enumerate(lowers):
            first = first_at[key]
            if first == i:
                continue
            b = ws[i]
            if b.nw and (i - first <= 3 or not (b.sentence_like or b.cls == "good")):
                # a sentence repeated far away is content (interview questions,
                # pull quotes); nearby repeats and repeated menus are not
                b.set("duplicate", False, _REPEATED)
    if prefix_date:
        meta.date = prefix_date
    # 3. the article window
    runs: list[tuple[float, int, int]] = []
    taken: dict[int, str] = {}  # table rows and introduced list items of the article's run
    if extracted:
        lo, hi = 0, len(ws) - 1
    else:
        if not any(b.cls == "good" for b in ws):
            _plain_sentences(ws)
        lo, hi, runs = _densest_window(ws, taken)
        if hi < lo:
            lo, hi = 0, len(ws) - 1
    text_lo = lo  # where the article's text starts (the title may move lo up to itself)
    # 4. title
    title_i = _find_title(ws, lo, hi, fmt, hints.get("title") or known_title, guess=not extracted,
                          repeats=repeats)
    if title_i is not None:
        t = ws[title_i]
        stated = hints.get("title") or known_title
        if stated and t.key == " ".join(stated.lower().split()):
            t.set("title", True, "headline: the title the page states")
        elif t.src == "heading" and t.level == 1:
            t.set("title", True, "headline: the page's top-level heading")
        else:
            t.set("title", True, "headline: title-like line just before the article text")
        meta.title = t.text
        for b in ws[title_i + 1:]:
            if b.key == t.key:
                b.set("duplicate", False, "repeats the title")
        lo = min(lo, title_i + 1)
    elif known_title:
        meta.title = known_title
        key = " ".join(known_title.lower().split())
        for b in ws:
            if b.key == key:
                b.set("duplicate", False, "repeats the title")
    # 5. decisions inside and outside the window
    generic = _decide(ws, lo, hi, title_i, extracted, taken)
    if generic and (MODEL is not None or COLLECT is not None):
        _learned_pass(ws, generic, lo, hi, runs)
    # 6. metadata
    _read_meta(ws, meta, title_i, lo, text_lo)
    if meta.title is None:
        lead = next((b for b in ws if b.keep and b.kind in ("body", "dek")), None)
        if lead is not None:
            meta.title = _derive_title(lead.text)
            meta.title_derived = True
    return [Block(b.text, b.start, b.end,
                  "quote" if b.kind == "body" and b.src == "blockquote" else (b.kind or "body"),
                  b.keep, b.reason, b.src, b.level)
            for b in ws], meta


def _find_title(ws: list[W], lo: int, hi: int, fmt: str, hint: str | None,
                guess: bool = True, repeats: dict[str, int] | None = None) -> int | None:
    """Index of the headline block: the stated title if given, else the best candidate."""
    if hint:
        key = " ".join(hint.lower().split())
        for i, b in enumerate(ws):
            if b.key == key:
                return i
    if not guess:
        return None
    repeats = repeats or {}
    if fmt == "md":
        best = None
        for i in range(0, min(len(ws), lo + 3)):
            b = ws[i]
            if b.src == "heading" and b.level == 1 and not b.kind and b.nw >= 2:
                best = i
        if best is not None and lo - best <= 25:
            return best
    best_i, best_s = None, float("-inf")
    reach = max(0, lo - TITLE_REACH)
    for i in range(reach, min(len(ws), lo + 1)):
        b = ws[i]
        # a headline printed again right above the text, its first print out of reach
        # (in a page header a gallery away) or not headline-shaped (a menu item), is
        # a candidate there, though it repeats an earlier line; so is one printed
        # right under its first print, a list item (a breadcrumb's last entry)
        after_own_print = i > 0 and ws[i - 1].key == b.key
        reprint = b.kind == "duplicate" and b.reason == _REPEATED and (
            (lo - i <= 3 and not any(o.key == b.key and _title_like(o) for o in ws[reach:i]))
            or (after_own_print and ws[i - 1].src == "list_item"))
        # a question is a sentence, but one printed twice in a row is a headline
        # (page title and heading: "Fact Check: Is An 'Oxygen Bar' ... Rs 300?")
        question = b.text[-1] == "?" and (after_own_print
                                          or (i + 1 < len(ws) and ws[i + 1].key == b.key))
        if not (_title_like(b) or (reprint and _headline_shape(b))) \
                or (b.sentence_like and not question) or _listed_under_promo_header(ws, i):
            continue
        t = b.text
        s = min(b.nw, 16) - 0.3 * (lo - i) + (3 if b.src == "heading" else 0)
        if "|" in t or (lx.ANY_DIGIT(t) and (lx.ANY_DATE.search(t) or lx.CLOCK_TIME.search(t))):
            s -= 8  # a header line with a date, a time or separators, not a headline
        if len(lx.GLUED(t)) >= 2:
            s -= 6  # link texts glued together ("Cloud SecurityCloud StorageEdge Computing")
        if lx.CALL_TO_ACT.match(t):
            s -= 8  # "CLICK FOR FULL RESULTS": a call to act, not a headline
        if b.nw <= 3 and not (i == 0 and lo == 1):
            s -= 4  # a menu item; but a page's first line, right above its text, is its headline
        elif b.nw > 20:
            s -= 2 * (b.nw - 20)  # a lead sentence that lacks its full stop, not a headline
        if t.count(":") >= 2 or lx.LABEL_LINE.match(t) or lx.TWO_SENTENCES.search(t):
            s -= 6  # a label ("Reading time: 1 min") or two sentences (a caption, a lead)
        if t[:1].islower():
            s -= 4
        if repeats.get(b.key, 0) >= 2:
            s += 5  # headlines are often printed twice (page title and heading)
        if s > best_s:
            best_i, best_s = i, s
    if best_i is not None and best_s > 0:
        return best_i
    return None


def _is_promo_header(b: W) -> bool:
    """A "More On:" / "See also" line (the lexicon's promo header), which lists teasers."""
    return b.kind == "promo" and b.reason.startswith("promo header")


def _listed_under_promo_header(ws: list[W], i: int) -> bool:
    """Block ``i`` is in the list a "More On:" / "See also" header introduces.

    About the reach of ``_decide``'s promo lists, looked at from the block
    back: a header at most ``PROMO_LIST`` blocks above, with no sentence or
    heading between. (``_decide`` walks forward and does not count furniture
    lines; the title is chosen before it runs.)
    """
    for j in range(i - 1, max(-1, i - PROMO_LIST - 1), -1):
        o = ws[j]
        if _is_promo_header(o):
            return True
        if o.sentence_like or o.src == "heading":
            return False
    return False


def _decide(ws: list[W], lo: int, hi: int, title_i: int | None, extracted: bool,
            taken: dict[int, str]) -> list[int]:
    """Rule decisions for every block; returns the blocks decided by the generic
    prose/shape rules (not by a lexicon, title, duplicate or end-of-article
    rule), which the learned scorer may revise. ``taken`` holds the table rows
    and introduced list items the article's run took in (``_densest_window``)."""
    n = len(ws)
    generic: list[int] = []
    # captions: a short title-like line right before a caption, and a block
    # repeating part of an adjacent caption, belong to it
    for i, b in enumerate(ws):
        if b.kind != "caption":
            continue
        for j in (i - 1, i + 1, i + 2):
            if 0 <= j < n and j != title_i:
                o = ws[j]
                if not o.kind and o.key and o.key in b.key:
                    o.set("caption", False, "repeats part of the photo caption next to it")
        if i > 0 and not ws[i - 1].kind and i - 1 != title_i and _title_like(ws[i - 1]) \
                and not ws[i - 1].sentence_like and ws[i - 1].nw <= 12:
            ws[i - 1].set("caption", False, "photo caption title: short line above a caption")
    ended = False
    under_promo = 0
    under_bio = 0
    seen_body = False
    for i, b in enumerate(ws):
        if i == title_i:
            under_promo = 0
            continue
        inside = lo <= i <= hi
        if b.kind == "credit" and b.reason.startswith("reporting credit"):
            # kept with the article (it says who reported it); the article ends here
            b.keep = seen_body and not ended
            ended = ended or seen_body
            continue
        if b.brk == 2 and seen_body:
            ended = True
            b.keep = False
            continue
        if b.kind:
            if _is_promo_header(b):
                under_promo = PROMO_LIST
            if b.kind == "bio" and not b.reason.startswith("author contact"):
                under_bio = 3  # a contact line says how to reach the writer, not who they are
            b.keep = False
            continue
        if ended:
            b.set(_outside_kind(b), False, "after the end of the article (a reporting credit "
                  "or comments header above)")
            continue
        prose = b.cls in ("good", "neargood")
        if under_promo:
            # a promo header lists headlines: the list ends at the first
            # sentence, heading or after a handful of lines
            under_promo -= 1
            if b.sentence_like or b.src == "heading" or (prose and b.chars > 150):
                under_promo = 0
            else:
                b.set("promo", False, "listed under a 'read more'-style header")
                continue
        if under_bio:
            under_bio -= 1
            if b.cls != "good" or b.chars < 400:
                b.set("bio", False, "author bio: follows an 'about the author' header")
                continue
        if extracted:
            # trafilatura already chose the main text: keep what no rule flags
            if b.src == "heading":
                b.set("heading", True, "heading kept by the extractor")
            elif b.src == "list_item":
                b.set("list", True, "list item kept by the extractor")
            else:
                b.set("body", True, "text kept by the extractor")
            seen_body = True
            continue
        generic.append(i)
        if not inside:
            if title_i is not None and i == title_i + 1 and i == lo - 1 and b.sentence_like:
                b.set("dek", True, "standfirst: summary right under the title")
                continue
            if prose and b.sentence_like:
                b.set("boilerplate", False, "prose outside the main text (teaser, comment or footer)")
            else:
                b.set(_outside_kind(b), False, "navigation: short or link-like line outside the main text")
            continue
        if prose and (b.sentence_like or b.chars > 150):
            b.set("body", True, "prose: long, sentence-like, many function words")
            seen_body = True
            continue
        if b.links and b.chars and b.links / b.chars > MAX_LINK_DENSITY:
            b.set("navigation", False, "navigation: mostly link text")
            continue
        what = taken.get(i)
        if what == "table":
            generic.pop()  # a structural rule, like headings: not the learned scorer's to revise
            b.set("list", True, "table row: one of a run of lines of the same shape, mostly figures")
            continue
        if b.src == "list_item":
            if b.sentence_like and b.nw >= 6:
                b.set("list", True, "list item written as a sentence")
            elif what == "list":
                generic.pop()  # a structural rule, like headings: not the learned scorer's to revise
                b.set("list", True, "list item under a paragraph that introduces it (ends in ':')")
            else:
                b.set("navigation", False, "navigation: short list item")
            continue
        if b.nw >= 5 and b.text.endswith(("...", "…")):
            b.set("promo", False, "truncated teaser: ends in an ellipsis")
            continue
        if b.sentence_like:
            b.set("body", True, "short sentence inside the article text")
            seen_body = True
            continue
        if _title_like(b) and _next_is_prose(ws, i):
            if b.src == "heading" or b.nw <= HEADING_MAX_WORDS or b.text.endswith("?"):
                b.set("heading", True, "heading: short line introducing the next paragraph")
            else:
                b.set("promo", False, "headline-like line inside the text: a link to another story")
            continue
        b.set("boilerplate", False, "short line that is not a sentence")
    # the first kept block right under the title is the standfirst when short
    if title_i is not None:
        for b in ws[title_i + 1:]:
            if b.keep:
                if b.kind == "body" and b.chars <= 320 and b.sentence_like:
                    b.set("dek", True, "standfirst: summary right under the title")
                break
    return generic


#: Decisions from the heading/standfirst/headline-link shape rules stay with
#: the rules: they are what the seeds gold checks, and too rare to learn.
_RULED_SHAPES = frozenset(("heading", "dek", "promo"))
FEATURES = (
    "bias", "rule_keep", "inside", "log_dist", "good", "neargood", "short", "sentence_like",
    "log_chars", "stop", "link_density", "list_item", "heading", "title_like", "ellipsis",
    "prev_prose", "next_prose", "prev_keep", "next_keep", "digits", "run_share",
)


def _features(ws: list[W], i: int, lo: int, hi: int, run_share: float) -> list[float]:
    """What the learned scorer sees of a block: its shape, its rule decision, its context."""
    b = ws[i]
    n = len(ws)
    prev = ws[i - 1] if i > 0 else None
    nxt = ws[i + 1] if i + 1 < n else None
    dist = 0 if lo <= i <= hi else (lo - i if i < lo else i - hi)
    t = b.text
    return [
        1.0, float(b.keep), float(lo <= i <= hi), math.log1p(dist) / 3,
        float(b.cls == "good"), float(b.cls == "neargood"), float(b.cls == "short"),
        float(b.sentence_like), math.log1p(b.chars) / 7, b.stop,
        b.links / b.chars if b.chars else 0.0,
        float(b.src == "list_item"), float(b.src == "heading"), float(_headline_shape(b)),
        float(t.endswith(("...", "…"))),
        float(prev is not None and prev.cls in ("good", "neargood")),
        float(nxt is not None and nxt.cls in ("good", "neargood")),
        float(prev is not None and prev.keep), float(nxt is not None and nxt.keep),
        sum(map(str.isdigit, t)) / b.chars if b.chars else 0.0, run_share,
    ]


def _learned_pass(ws: list[W], generic: list[int], lo: int, hi: int,
                  runs: list[tuple[float, int, int]]) -> None:
    """Let the learned scorer (bench/train_cleaner.py) revise generic rule decisions.

    Only blocks inside the main run of prose are revised: there it removes
    leftovers (bylines, short promos) and recovers short article lines; in
    cross-validation, revising blocks outside the run made things worse.
    """
    best = max((r[0] for r in runs), default=0.0) or 1.0
    firsts = [r[1] for r in runs]  # runs are in page order
    weights = MODEL["weights"] if MODEL is not None else None
    for i in generic:
        if ws[i].kind in _RULED_SHAPES:
            continue
        if not lo <= i <= hi:
            continue  # outside the main run the rules are better (cross-validated)
        if ws[i].cls in ("good", "neargood") and ws[i].sentence_like:
            continue  # well-formed prose inside the main run is article text
        k = bisect_right(firsts, i) - 1  # the run holding block i, if any
        share = runs[k][0] / best if k >= 0 and i <= runs[k][2] else 0.0
        x = _features(ws, i, lo, hi, share)
        if COLLECT is not None:
            COLLECT.append((x, ws[i].text))
        if weights is None:
            continue
        z = sum(map(mul, weights, x))
        p = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
        keep = p >= MODEL["threshold"]
        b = ws[i]
        if keep == b.keep:
            continue
        if keep:
            kind = "list" if b.src == "list_item" else (
                "heading" if b.src == "heading" or (_headline_shape(b) and not b.sentence_like) else "body")
            b.set(kind, True, f"kept by the learned scorer (p={p:.2f}): reads like the article around it")
        else:
            b.set(_outside_kind(b), False,
                  f"dropped by the learned scorer (p={p:.2f}): unlike the article text around it")


def _load_model() -> dict | None:
    """Weights trained on the dev pages (bench/train_cleaner.py); None means rules only."""
    path = Path(__file__).with_name("weights.json")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if data.get("features") != list(FEATURES):
        return None  # trained for another feature set: rules only until retrained
    return data


#: The learned scorer in use; the training script swaps it.
MODEL: dict | None = _load_model()
#: When a list, feature vectors and block texts are appended to it (training).
COLLECT: list | None = None


def _outside_kind(b: W) -> str:
    if b.src == "list_item" or b.nw <= 4 or (b.chars and b.links / b.chars > MAX_LINK_DENSITY):
        return "navigation"
    return "boilerplate"


def _next_is_prose(ws: list[W], i: int) -> bool:
    for b in ws[i + 1:i + 4]:
        if b.kind in ("advert", "widget", "caption", "credit"):
            continue
        return not b.kind and b.cls in ("good", "neargood")
    return False


#: The reason of a line that repeats an earlier one (the title's repeats have their own).
_REPEATED = "repeats an earlier block"
#: Blocks after the title searched for the dateline.
_DATE_REACH = 8
#: Dropped lines whose dates are not the article's: a caption's photo, a credit, an advert.
_DATED_ELSE = frozenset(("caption", "credit", "advert", "duplicate"))
#: What the generic rules call a dropped line: the only kinds a masthead can hide under.
_GENERIC_DROPS = frozenset(("", "navigation", "boilerplate"))


def _read_meta(ws: list[W], meta: Meta, title_i: int | None, lo: int, text_lo: int) -> None:
    """Outlet, date and byline, only from lines that state them. ``lo`` is where the
    article starts (its title included), ``text_lo`` where its text starts."""
    header_end = max(lo, (title_i or 0) + 1)
    outlet = None
    for i, b in enumerate(ws[:header_end]):
        if title_i is not None and i >= title_i:
            break
        # a line a lexicon named (a promo "Follow VentureBeat on Facebook") is not a masthead
        name = lx.masthead_outlet(b.text) \
            if b.nw <= 12 and not b.keep and b.kind in _GENERIC_DROPS else None
        if name:
            outlet = name
            b.set("masthead", False, "masthead: outlet name and tagline")
            break
    if outlet is None:
        # one pass for the three kinds that may name the outlet (rare lines)
        named: dict[str, list[W]] = {"logo": [], "newsletter": [], "footer": []}
        for b in ws:
            if b.kind in named:
                named[b.kind].append(b)
        for b in named["logo"]:
            m = lx.LOGO.match(b.text)
            if m:
                outlet = m.group(1)
                break
    if outlet is None:
        for b in named["newsletter"]:
            outlet = lx.newsletter_outlet(b.text) if b.chars <= 120 else None
            if outlet:
                break
    if outlet is None:
        for b in reversed(named["footer"]):
            outlet = lx.copyright_owner(b.text)
            if outlet:
                break
    meta.outlet = outlet
    if meta.date is None:
        # the dateline sits by the title, alone ("Nov 18, 2019 at 9:24 pm ET • 2 min read")
        # or with the byline ("Chris Davies - Nov 19, 2019"): a dropped short line there that
        # holds a whole date; article text, captions and credits may date other things.
        # With no title found, or none there, the lines just above the article text
        # are where it sits (a title far above the text: breadcrumbs, headline, share bar).
        regions = [] if title_i is None else [(title_i - 3, max(header_end + 2, title_i + _DATE_REACH))]
        regions.append((text_lo - _DATE_REACH, text_lo + 2))
        for b in chain.from_iterable(ws[max(0, begin):end] for begin, end in regions):
            if b.kind == "meta" or (not b.keep and b.chars <= 120 and b.kind not in _DATED_ELSE
                                    and _HAS_DIGIT(b.key)):
                meta.date = parse_date(b.text)
                if meta.date:
                    break
    for b in ws[max(0, (title_i or 0) - 3):min(len(ws), header_end + 3)]:
        if b.kind == "byline":
            m = lx.BYLINE.match(b.text)
            if m:
                name = m.group(1).strip()
            elif lx.HANDLE_BYLINE.match(b.text):  # "Catherine Shu @catherineshu / 2 days"
                name = b.text.split(" @", 1)[0]
            else:
                continue
            meta.byline = lx.clean_byline(name)
            if meta.byline:
                break
