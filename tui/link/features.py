"""What the linker sees of a passage: content terms, names and numbers.

Two passages about the same event share rare words; two passages about two
*similar* events (two earthquakes, two coaches fired) share the common words
and differ in the cues: who, where, which number, which day. So a passage is
reduced to

* ``terms``: lower-cased content words, lightly stemmed (Porter step 1, so
  "fired"/"fires"/"fire" meet), stop words removed;
* ``names``: terms that the corpus writes capitalised in mid-sentence most of
  the time (people, places, organisations, weekdays, months). Deciding this
  from corpus statistics rather than per token copes with Title Case
  headlines, where every word is capitalised;
* ``numbers``: digit tokens normalised ("81st" -> "81", "9-14" stays whole,
  "7.0" stays whole), which separate "the 81st Oscars" from "the 86th".

Everything here is pure and deterministic; no dictionaries are downloaded.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

_TOKEN = re.compile(r"[^\W_]+(?:[.'’\-][^\W_]+)*", re.UNICODE)
_ORDINAL = re.compile(r"^(\d+)(?:st|nd|rd|th)$")
_HAS_DIGIT = re.compile(r"\d")

_STOP_TEXT = """a about above after again against all also am an and any are aren't as at be because
    been before being below between both but by can cannot could did do does doing down during
    each few for from further had has have having he her here hers herself him himself his how
    i if in into is it its itself just me more most my myself no nor not now of off on once only
    or other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up very
    was we were what when where which while who whom why will with would you your yours yourself
    yourselves said says say told tell according would could may might must shall one two three
    also however since among amid via per new yet still already even many much us mr mrs ms
    dr s t don't didn't won't isn't wasn't it's that's he's she's they're we're i'm you're
    i've we've they've there's what's let's"""
STOPWORDS = frozenset(_STOP_TEXT.split())


def _has_vowel(s: str) -> bool:
    return any(c in "aeiou" for c in s)


def _cvc(s: str) -> bool:
    """Porter's consonant-vowel-consonant ending (hop -> hope rule)."""
    if len(s) < 3:
        return False
    a, b, c = s[-3], s[-2], s[-1]
    return a not in "aeiou" and b in "aeiou" and c not in "aeiouwxy"


def stem(word: str) -> str:
    """Porter step 1a/1b: enough to join plural and past forms, cheap and predictable."""
    w = word
    if len(w) <= 3 or not w.isalpha():
        return w
    if w.endswith("sses"):
        w = w[:-2]
    elif w.endswith("ies"):
        w = w[:-3] + "y"
    elif w.endswith("s") and not w.endswith("ss") and not w.endswith("us") and not w.endswith("is"):
        w = w[:-1]
    if w.endswith("eed"):
        return w[:-1] if len(w) > 4 else w
    for suffix in ("ing", "ed"):
        if w.endswith(suffix) and _has_vowel(w[: -len(suffix)]) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)]
            if w.endswith(("at", "bl", "iz")):
                w += "e"
            elif len(w) > 2 and w[-1] == w[-2] and w[-1] not in "lsz":
                w = w[:-1]
            elif _cvc(w) and len(w) <= 4:
                w += "e"
            break
    return w


def normalise_number(token: str) -> str:
    m = _ORDINAL.match(token)
    if m:
        return m.group(1)
    return token.replace(",", "")


#: Capitalised words that say when, not who or what: cues for one passage
#: against another ("Friday" vs "Saturday"), but no sign that two articles
#: tell the same story (see ``is_name``).
CALENDAR = frozenset((
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
    "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))


def is_name(cue: str) -> bool:
    """A cue naming someone or something (not a number, not a day or month)."""
    return not cue.startswith("#") and cue not in CALENDAR


@dataclass(slots=True)
class Features:
    """What the scorer compares. Tuples are sorted, so everything is deterministic."""

    terms: tuple[str, ...]  # content terms, names and "#"-prefixed numbers
    cues: tuple[str, ...]  # the names and "#"-numbers among the terms
    text: str  # the normalised content string rapidfuzz compares


def extract_all(texts: Iterable[str]) -> list[Features]:
    """Features of many passages, with the name model learnt from all of them.

    A word is a name when the corpus writes it capitalised in at least 60% of
    its mid-sentence uses (the first word of a passage, and every word of a
    Title Case line, say nothing about case). A word never seen mid-sentence
    is a name when it is capitalised where it stands. Work is done once per
    distinct token (memoised), so the cost per passage is a few dictionary
    look-ups per word.
    """
    split = [_TOKEN.findall(t) for t in texts]
    mid_counts: Counter[str] = Counter()
    for toks in split:
        mid = toks[1:]
        if len(mid) >= 3 and sum(1 for t in mid if t[0].isupper()) > 0.6 * len(mid):
            continue  # Title Case headline
        mid_counts.update(mid)
    upper: Counter[str] = Counter()
    seen: Counter[str] = Counter()
    for raw, count in mid_counts.items():
        low = _strip_possessive(raw).lower()
        seen[low] += count
        if raw[0].isupper():
            upper[low] += count

    def classify(raw: str) -> tuple[str, bool] | None:
        """(term, is_cue) for a raw token, None for a stop word."""
        raw = _strip_possessive(raw)
        if not raw:
            return None
        low = raw.lower()
        if _HAS_DIGIT.search(low):
            return "#" + normalise_number(low), True
        if low in STOPWORDS or len(low) < 2:
            return None
        n_seen = seen.get(low, 0)
        cap = raw[0].isupper()
        if cap and ((upper.get(low, 0) >= 0.6 * n_seen) if n_seen else True):
            return low, True
        return stem(low), False

    memo: dict[str, tuple[str, bool] | None] = {}
    for toks in split:
        for raw in toks:
            if raw not in memo:
                memo[raw] = classify(raw)
    out: list[Features] = []
    get = memo.__getitem__
    for toks in split:
        got = [x for x in map(get, toks) if x is not None]
        terms = sorted({t for t, _ in got})
        cues = sorted({t for t, c in got if c})
        out.append(Features(tuple(terms), tuple(cues), " ".join(t.lstrip("#") for t, _ in got)))
    return out


def _strip_possessive(raw: str) -> str:
    if raw.endswith(("'s", "’s", "'S", "’S")):
        return raw[:-2]
    return raw
