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


@dataclass(slots=True)
class Tokens:
    """Raw tokens of one passage: (lower-case form, capitalised?, sentence-initial?)."""

    items: list[tuple[str, bool, bool]]


def tokenize(text: str) -> Tokens:
    out: list[tuple[str, bool, bool]] = []
    initial = True
    for m in _TOKEN.finditer(text):
        raw = m.group(0).replace("’", "'")
        low = raw.lower()
        if low.endswith("'s"):
            low = low[:-2]
            raw = raw[:-2]
        if not low:
            continue
        out.append((low, raw[:1].isupper(), initial))
        # a new sentence starts after . ! ? or a colon/quote at the start of a passage
        end = m.end()
        nxt = text[end : end + 2]
        initial = bool(nxt[:1] in (".", "!", "?", ":") and nxt[:1] != "")
    return Tokens(out)


class CaseModel:
    """Which words the corpus writes capitalised when not starting a sentence."""

    def __init__(self) -> None:
        self.upper: Counter[str] = Counter()
        self.seen: Counter[str] = Counter()

    def add(self, tokens: Tokens) -> None:
        # Title Case lines (headlines) say nothing about case: skip them.
        mid = [(low, cap) for low, cap, initial in tokens.items if not initial and low.isalpha()]
        if mid and sum(cap for _, cap in mid) > 0.6 * len(mid) and len(mid) >= 3:
            return
        for low, cap in mid:
            self.seen[low] += 1
            if cap:
                self.upper[low] += 1

    def is_name(self, low: str, cap: bool) -> bool:
        seen = self.seen.get(low, 0)
        if seen == 0:
            # never seen mid-sentence outside headlines: trust the token itself
            return cap and low not in STOPWORDS
        return self.upper.get(low, 0) >= 0.6 * seen


@dataclass(slots=True)
class Features:
    """Sets the scorer compares. Lists are sorted, so everything is deterministic."""

    terms: tuple[str, ...]
    names: tuple[str, ...]
    numbers: tuple[str, ...]
    text: str  # the normalised content string rapidfuzz compares


def features(tokens: Tokens, case: CaseModel) -> Features:
    terms: set[str] = set()
    names: set[str] = set()
    numbers: set[str] = set()
    content: list[str] = []
    for low, cap, _initial in tokens.items:
        if _HAS_DIGIT.search(low):
            num = normalise_number(low)
            numbers.add(num)
            terms.add("#" + num)
            content.append(num)
            continue
        if low in STOPWORDS or len(low) < 2:
            continue
        if cap and case.is_name(low, cap):
            names.add(low)
            terms.add(low)
            content.append(low)
            continue
        s = stem(low)
        terms.add(s)
        content.append(s)
    return Features(tuple(sorted(terms)), tuple(sorted(names)), tuple(sorted(numbers)),
                    " ".join(content))


def extract_all(texts: Iterable[str]) -> list[Features]:
    """Features of many passages, with the case model learnt from all of them."""
    toks = [tokenize(t) for t in texts]
    case = CaseModel()
    for t in toks:
        case.add(t)
    return [features(t, case) for t in toks]
