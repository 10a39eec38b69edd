"""Search passages across outlets, fast enough to run on every keystroke.

Recall comes from the FTS5 index ``passages_fts`` (kept in sync by triggers),
ranking from rapidfuzz. Four things make it work while a person types:

* **Misspellings.** A query word that is not in the index vocabulary
  (read once through ``fts5vocab`` and cached until the database changes) is
  replaced by its closest vocabulary words by rapidfuzz's ``ratio``, looked
  for only among words of similar length. "stoltenbreg" finds
  "Stoltenberg".
* **The word being typed.** The last word is also completed from the
  vocabulary (its most frequent completions), so "accel" finds
  "accelerated" before the word is finished. Completion uses a sorted word
  list and a bisection, never a bare FTS prefix query, whose cost grows with
  the number of matching rows.
* **Other forms of a word.** Outlets word one event differently ("an
  investigation", "is investigating", "was investigated"): each query word
  also matches the index words with its Snowball (English) stem, found by
  the same bisection on the stem and counted a little less than the typed
  form, like a correction.
* **Safety.** The query is reduced to words and each is quoted before it
  reaches ``MATCH``, so quotes, ``*``, ``-``, ``NEAR`` or parentheses typed
  by a person are just text, never FTS syntax errors.

Hits are passages of visible blocks (hidden boilerplate is not searched),
ranked by how much of the query they contain (rare words weigh more) plus
rapidfuzz's ``partial_ratio``; every hit carries the character ranges to
highlight.
"""

from __future__ import annotations

import bisect
import math
import re
import sqlite3
import threading
import unicodedata
from dataclasses import dataclass, field

import Stemmer
from rapidfuzz import fuzz, process

from tui.store import Store

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
RECALL = 120  # rows fetched from FTS before ranking
COMPLETIONS = 6  # vocabulary completions of the word being typed
CORRECTIONS = 3  # closest vocabulary words for an unknown word
VARIANTS = 8  # most frequent index words sharing a query word's stem
MIN_STEM = 4  # shorter stems ("us", "new") would gather unrelated words
PREFIX_SPAN = 2000  # most words starting with one prefix that completion and word forms look at
CORRECTION_CUTOFF = 70  # rapidfuzz ratio needed to accept a correction
MIN_PREFIX = 2  # shortest typed word that is completed
#: words in more than this share of passages ("the", "said") do not drive recall
COMMON_SHARE = 0.05


@dataclass(slots=True)
class Hit:
    article_id: str
    outlet: str | None
    title: str | None
    passage_id: str
    block_id: str
    text: str
    score: float
    highlights: list[tuple[int, int]] = field(default_factory=list)


def fold(word: str) -> str:
    """The form the FTS tokenizer indexes: lower case, diacritics removed."""
    if word.isascii():
        return word.lower()
    decomposed = unicodedata.normalize("NFKD", word.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class Vocabulary:
    """The index's words with their document counts, for completion and correction."""

    def __init__(self, rows: list[tuple[str, int]], total: int) -> None:
        rows.sort()
        self.words = [w for w, _ in rows]
        self.docs = {w: d for w, d in rows}
        self.total = max(total, 1)
        self.by_length: dict[int, list[str]] = {}
        for w in self.words:
            self.by_length.setdefault(len(w), []).append(w)
        self._corrections: dict[str, list[str]] = {}
        self._variants: dict[str, list[str]] = {}

    def idf(self, word: str) -> float:
        return math.log((self.total + 1) / (self.docs.get(word, 0) + 0.5))

    def completions(self, prefix: str) -> list[str]:
        """Most frequent words starting with ``prefix`` (the word itself first if known)."""
        return self._most_frequent(self._starting_with(prefix), COMPLETIONS)

    def corrections(self, word: str) -> list[str]:
        cached = self._corrections.get(word)
        if cached is not None:
            return cached
        pool: list[str] = []
        for n in range(max(1, len(word) - 2), len(word) + 3):
            pool.extend(self.by_length.get(n, ()))
        found = process.extract(word, pool, scorer=fuzz.ratio, score_cutoff=CORRECTION_CUTOFF,
                                limit=CORRECTIONS * 3)
        found.sort(key=lambda x: (-x[1], -self.docs[x[0]], x[0]))
        return _remember(self._corrections, word, [w for w, _score, _i in found[:CORRECTIONS]])

    def variants(self, word: str) -> list[str]:
        """Index words with ``word``'s stem, most frequent first: "investigating",
        "investigated" for "investigation" (not "investor": another stem)."""
        cached = self._variants.get(word)
        if cached is not None:
            return cached
        stem = _stem_word(word)
        result: list[str] = []
        if len(stem) >= MIN_STEM:
            span = self._starting_with(stem)  # a stem is no short prefix: few words
            result = self._most_frequent(
                [w for w, s in zip(span, _stem_words(span), strict=True) if s == stem and w != word],
                VARIANTS)
        return _remember(self._variants, word, result)

    def _starting_with(self, prefix: str) -> list[str]:
        """The index words starting with ``prefix``, in order; the first ``PREFIX_SPAN``
        of them only (a one- or two-letter prefix starts thousands)."""
        lo = bisect.bisect_left(self.words, prefix)
        hi = bisect.bisect_left(self.words, prefix + "\U0010ffff")
        return self.words[lo:min(hi, lo + PREFIX_SPAN)]

    def _most_frequent(self, words: list[str], n: int) -> list[str]:
        return sorted(words, key=lambda w: (-self.docs[w], w))[:n]


def _remember(cache: dict[str, list[str]], key: str, value: list[str]) -> list[str]:
    """Store ``value`` in a per-vocabulary cache, emptied when it grows past 5,000 words."""
    if len(cache) > 5000:
        cache.clear()
    cache[key] = value
    return value


_LOCK = threading.Lock()
#: Snowball's English stemmer (PyStemmer, C): a fraction of a microsecond a word.
#: Not thread-safe, so every use holds this lock (searches run in worker threads).
_STEMMER = Stemmer.Stemmer("english")
_STEM_LOCK = threading.Lock()


def _stem_word(word: str) -> str:
    with _STEM_LOCK:
        return _STEMMER.stemWord(word)


def _stem_words(words: list[str]) -> list[str]:
    with _STEM_LOCK:
        return _STEMMER.stemWords(words)


def vocabulary(store: Store) -> Vocabulary:
    """The FTS vocabulary, cached on the store object until the database changes.

    ``PRAGMA data_version`` moves when another connection commits; the
    connection's own ``total_changes`` moves when this one writes.
    """
    conn = store.db.conn
    version = (conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes)
    with _LOCK:
        hit = getattr(store, "_search_vocabulary", None)
        if hit is not None and hit[0] == version:
            return hit[1]
    conn.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.parallax_fts_vocab "
                 "USING fts5vocab(main, 'passages_fts', 'row')")
    rows = [(w, d) for w, d in conn.execute("select term, doc from temp.parallax_fts_vocab")]
    total = conn.execute("select count(*) from passages").fetchone()[0]
    vocab = Vocabulary(rows, total)
    version = (conn.execute("PRAGMA data_version").fetchone()[0], conn.total_changes)
    with _LOCK:
        store._search_vocabulary = (version, vocab)  # type: ignore[attr-defined]
    return vocab


@dataclass(slots=True)
class _Term:
    typed: str
    forms: list[str]  # index words that count as this query word
    prefix: bool  # the word being typed: any word starting with it highlights


def _plan(query: str, vocab: Vocabulary) -> list[_Term]:
    words = [fold(w) for w in _WORD.findall(query)]
    words = [w for w in words if w]
    terms: list[_Term] = []
    ends_open = bool(query) and not query[-1].isspace() and query[-1] not in "\"'"
    for i, w in enumerate(words):
        last = i == len(words) - 1 and ends_open
        forms: list[str] = []
        if w in vocab.docs:
            forms.append(w)
        if last and len(w) >= MIN_PREFIX:
            forms += [c for c in vocab.completions(w) if c not in forms]
        forms += [v for v in vocab.variants(w) if v not in forms]
        if not forms and len(w) >= 3:
            forms = vocab.corrections(w)
        if not forms and last and len(w) >= 3:
            forms = [c for c in vocab.completions(w[:-1]) if fuzz.ratio(w, c[: len(w)]) >= 75]
        terms.append(_Term(w, forms, last))
    return terms


def _match_expr(groups: list[list[str]], op: str) -> str:
    return f" {op} ".join("(" + " OR ".join(f'"{f}"' for f in forms) + ")" for forms in groups)


_RECALL_SQL = """
select p.rowid, p.id, p.article_id, p.block_id, p.text, a.outlet, a.title
from passages_fts f
join passages p on p.rowid = f.rowid
join blocks b on b.id = p.block_id
join articles a on a.id = p.article_id
where passages_fts match ? and coalesce(b.override, b.keep) = 1
order by f.rank
limit ?
"""


def search(store: Store, query: str, *, limit: int = 50) -> list[Hit]:
    """Ranked passages for ``query``; ``[]`` for a blank query. Never raises on syntax."""
    if not query or not query.strip() or limit <= 0:
        return []
    vocab = vocabulary(store)
    terms = _plan(query, vocab)
    groups = [t.forms for t in terms if t.forms]
    if not groups:
        return []
    # Very common words cost a ranking pass over most of the index and say
    # little: recall on the informative words; rank on all of them.
    common = vocab.total * COMMON_SHARE
    # A word typed that is itself common ("and", "not", "nato" in a library about
    # NATO) leaves recall whole: its rare completions and corrections ("andrii",
    # "note") must not stand in for it, or "nato and" found only Andrii and Andy.
    informative = [[f for f in t.forms if vocab.docs.get(f, 0) <= common] for t in terms
                   if t.forms and vocab.docs.get(t.typed, 0) <= common]
    informative = [g for g in informative if g]
    sql = _RECALL_SQL
    if informative:
        groups = informative
    else:
        sql = _RECALL_SQL.replace("order by f.rank", "")  # first rows found; ranked below
    rows: list[sqlite3.Row | tuple] = []
    seen: set[int] = set()
    attempts = [_match_expr(groups, "AND")]
    if len(groups) > 1:
        attempts.append(_match_expr(groups, "OR"))
    recall = max(RECALL, limit * 2)
    for expr in attempts:
        try:
            batch = store.db.execute(sql, [expr, recall]).fetchall()
        except sqlite3.OperationalError:  # defensive: the expression is built from words only
            batch = []
        for r in batch:
            if r[0] not in seen:
                seen.add(r[0])
                rows.append(r)
        if len(rows) >= limit:
            break
    q = query.strip().lower()
    weights = [max(vocab.idf(f) for f in t.forms) if t.forms else 0.0 for t in terms]
    scored = sorted((-_score(r[4], terms, weights, q), r[1], r) for r in rows)[:limit]
    hits = []
    for neg, _pid, r in scored:
        _rowid, pid, article_id, block_id, text, outlet, title = r
        hits.append(Hit(article_id, outlet, title, pid, block_id, text, round(-neg, 2),
                        _highlights(text, terms)))
    return hits


def _words(text: str) -> set[str]:
    return {w if w.isascii() else fold(w) for w in _WORD.findall(text.lower())}


def _found(term: _Term, present: set[str]) -> set[str]:
    found = set(term.forms) & present
    if term.prefix:
        found |= {x for x in present if x.startswith(term.typed)}
    return found


def _score(text: str, terms: list[_Term], weights: list[float], query: str) -> float:
    """75% IDF-weighted share of the query words present, 25% rapidfuzz closeness."""
    present = _words(text)
    total = found_weight = 0.0
    for t, w in zip(terms, weights, strict=True):
        if not t.forms:
            continue
        total += w
        found = _found(t, present)
        if found:
            # a corrected or completed word counts a little less than the typed one
            found_weight += w * (1.0 if t.typed in found else 0.85)
    coverage = found_weight / total if total else 0.0
    closeness = fuzz.partial_ratio(query, text.lower()) / 100.0 if len(text) < 1000 else 0.0
    return 100.0 * (0.75 * coverage + 0.25 * closeness)


def _highlights(text: str, terms: list[_Term]) -> list[tuple[int, int]]:
    """Character ranges in ``text`` of the words that matched the query."""
    present = _words(text)
    found: set[str] = set()
    for t in terms:
        if t.forms:
            found |= _found(t, present)
    ranges = []
    for m in _WORD.finditer(text):
        w = m.group(0)
        if (w.lower() if w.isascii() else fold(w)) in found:
            ranges.append((m.start(), m.end()))
    return _merge(ranges)


def _merge(ranges: list[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for s, e in sorted(set(ranges)):
        if out and s <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], e))
        else:
            out.append((s, e))
    return out
