"""Sentence segmentation with exact character offsets.

syntok (segtok v2) handles abbreviations ("Sept. 30", "U.S.", "Dr."),
initials, decimals, quotes and ellipses well and is ~3x faster than pysbd on
news text, which matters when a 10,000-article import segments every block.
We only add what it lacks for our use: offsets relative to the block, leading
and trailing whitespace trimmed, and a guarantee that the spans tile the
non-blank text (so every character of a block belongs to one passage).

syntok is pure Python and was half of an import's time, so blocks whose
sentences are plain to see are split here without it, always where syntok
would split them (tests compare the two): blocks without a split character,
blocks whose only split characters end them, and plain prose whose stops
follow ordinary words (of any script). The rest goes to syntok: on the dev
pages 1,531 of the 3,500 blocks it used to get (brackets, URLs,
abbreviations, initials), 39 % of its former time there
(`bench/sentences.py`).
"""

from __future__ import annotations

import re

from syntok import segmenter
from syntok._segmentation_states import State

#: Characters at which syntok may end a sentence or skip bracketed text (its
#: own terminal and bracket sets), line breaks (paragraphs) and the ellipsis.
#: A block holding none of them is one sentence, found without syntok: most
#: blocks of a page (menus, links, headlines) are like that, and syntok's
#: tokenizer was most of an import's time.
_MAY_SPLIT = re.compile(
    "["
    + re.escape("".join(sorted({c for t in State.terminals for c in t}
                               | State.opening_brackets | State.closing_brackets)))
    + "\n\r\u2026\u2028\u2029\x0b\x0c\x1c-\x1e\x85]"
)


#: The run of sentence-final characters a text may end in: syntok's terminals
#: and closing brackets, the ellipsis and quotation marks (".”", "?)", "!'").
#: A block whose only split characters are in that run is one sentence (a
#: property test compares with syntok); a third of the paragraphs syntok got
#: are like that, a quarter of its time.
_CLOSING_RUN = re.compile(
    "["
    + re.escape("".join(sorted({c for t in State.terminals for c in t} | State.closing_brackets
                               | set("\u2026\"'\u201d\u2019\u00bb\u203a"))))
    + "]+$"
)


#: An ASCII word in one case pattern: syntok's tokenizer cuts "noInc" into "no"
#: and "Inc" at the change from lower to upper case.
_PLAIN_ASCII = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z0-9]+")
#: Spaces, then the next sentence (group 1): perhaps an opening quote, then a
#: word (group 2) that starts with a letter that is not lower case, a capital
#: or a letter of a script without case. Its letters are looked up among
#: syntok's months.
_NEXT_WORD = re.compile(r" +([\u201c\"]?([^\W\d_]+))(?!\w)")
#: Words after which syntok may not split at a full stop (see ``_plain_stops``).
_NOT_AFTER = State.abbreviations | State.months | State.roman_numerals | {"no", "No", "NO"}


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Return ``(start, end)`` spans of the sentences of ``text``.

    Spans are trimmed of surrounding whitespace, in order, non-overlapping,
    and never empty. Text that syntok cannot tokenise (e.g. only symbols)
    becomes a single span, so no content is ever dropped from passages.
    """
    stripped = text.strip()
    if not stripped:
        return []
    start = len(text) - len(text.lstrip())
    first = _MAY_SPLIT.search(stripped)
    if first is None:
        return [(start, start + len(stripped))]
    # split characters only in the closing run ("... he said.”") end the one
    # sentence, and stops between plain words ("... on Friday. The ...") end
    # sentences where syntok would: no need for syntok then either
    closing = _CLOSING_RUN.search(stripped)
    end = closing.start() if closing is not None and closing.start() > 0 else len(stripped)
    if first.start() >= end:
        return [(start, start + len(stripped))]
    stops = _plain_stops(stripped, first.start(), end)
    if stops is None:
        return _with_syntok(text)
    spans = []
    at = 0
    for stop, following in stops:
        spans.append((start + at, start + stop + 1))
        at = following
    spans.append((start + at, start + len(stripped)))
    return spans


def _plain_stops(text: str, first: int, end: int) -> list[tuple[int, int]] | None:
    """Where syntok would end sentences in ``text``, when that is plain to see; else None.

    Each stop comes with where the next sentence starts (after the spaces).

    Every split character before ``end`` (where the closing run starts) must
    be a ".", "!" or "?" after a plain word (``_plain_word``) of two or more
    characters that stands alone, followed by spaces and a word that starts
    with a letter that is not lower case, perhaps after an opening quote:
    "Kyiv said so. The ...", "... he asked? “We ...", "... сказал он. Москва
    ...". There syntok always splits: its rules for not splitting need an
    abbreviation, a month, a roman numeral, "No", a single letter, a
    lower-case or numeric next word, or no space. Anything else ("U.S. The",
    "Mr. Smith", "2008. Jan", brackets, semicolons) goes to syntok. Property
    tests and every block of the dev pages and ECB+ compare the two.
    """
    stops = []
    for m in _MAY_SPLIT.finditer(text, first, end):
        i = m.start()
        if text[i] not in ".!?":
            return None
        word = text[_word_start(text, i):i]
        if len(word) < 2 or not _plain_word(word) or word in _NOT_AFTER:
            return None
        after = _NEXT_WORD.match(text, i + 1)
        if after is None or after.group(2)[0].islower() or after.group(2) in State.months:
            return None
        stops.append((i, after.start(1)))
    return stops


def _word_start(text: str, i: int) -> int:
    """Where the word that ends at ``i`` starts: after the last whitespace before it."""
    j = i
    while j > 0 and not text[j - 1].isspace():
        j -= 1
    return j


def _plain_word(word: str) -> bool:
    """A word syntok's tokenizer keeps whole, in one case pattern: ASCII letters
    and digits ("said", "Kyiv", "NATO", "2008", "F16"), or letters of any
    script ("сказал", "Москва", "北京")."""
    if word.isascii():
        return _PLAIN_ASCII.fullmatch(word) is not None
    return word.isalpha() and (word.islower() or word.isupper() or word.istitle()
                               or not any(c.isupper() or c.islower() for c in word))


def _with_syntok(text: str) -> list[tuple[int, int]]:
    """``split_sentences`` for any non-blank text: syntok, then the tiling guarantee."""
    spans: list[tuple[int, int]] = []
    try:
        for paragraph in segmenter.analyze(text):
            for sentence in paragraph:
                tokens = list(sentence)
                if not tokens:
                    continue
                start = tokens[0].offset
                last = tokens[-1]
                end = last.offset + len(last.value)
                if end > start:
                    spans.append((start, end))
    except Exception:  # syntok is third-party: never let it break an import
        spans = []
    if not spans:
        start = len(text) - len(text.lstrip())
        return [(start, len(text.rstrip()))]
    return _cover(text, spans)


def _cover(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Extend spans so that no non-space text falls between them.

    syntok drops some characters (e.g. stray symbols between sentences); an
    annotator must still be able to select them, so gaps are glued onto the
    preceding sentence (or the first one).
    """
    out: list[tuple[int, int]] = []
    prev_end = 0
    for start, end in sorted(spans):
        start = max(start, prev_end)
        if end <= start:
            continue
        gap = text[prev_end:start]
        if gap.strip():
            if out:
                out[-1] = (out[-1][0], start - (len(gap) - len(gap.rstrip())))
            else:
                start = prev_end + (len(gap) - len(gap.lstrip()))
        out.append((start, end))
        prev_end = end
    tail = text[prev_end:]
    if tail.strip() and out:
        out[-1] = (out[-1][0], len(text.rstrip()))
    return [_trim(text, a, b) for a, b in out if text[a:b].strip()]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    piece = text[start:end]
    return start + (len(piece) - len(piece.lstrip())), end - (len(piece) - len(piece.rstrip()))
