"""Link passages that report the same event, across sources, without all pairs.

The pipeline (pure, in memory, deterministic, vectorised with numpy):

1. **Features** (:mod:`tui.link.features`): content terms (stemmed), names
   and numbers ("cues").
2. **Weights**: every term weighs its IDF, so rare words count and "said" or
   "president" hardly do. Each passage is compared twice: on its own terms,
   and through its article (all terms of the article, IDF over articles), so
   a sentence like "She will host for the second time" is read in the
   context of the article that names who and when.
3. **Candidates** (:mod:`tui.link.candidates`): inverted indexes over the
   informative terms of passages and of articles (document frequency between
   2 and a cap set by a pair budget proportional to the corpus). Passage
   pairs sharing rare terms, and the passages of the most similar article
   pairs, are candidates; each passage keeps its best ``k``. Cost grows with
   the corpus, not with its square.
4. **Score** = cue agreement x ((1 - f) x ((1 - c) x passage cosine + c x
   article cosine) + f x rapidfuzz ``token_set_ratio`` of the content words).
   The cue agreement is the IDF-weighted share of each side's names and
   numbers found on the other side (passage or article): all found keeps the
   score, none found multiplies it by ``conflict_factor`` (Jackson vs
   Williams, 81st vs 86th Oscars, Friday vs Saturday). An article gate
   (``_name_overlap``) then scales it by how many names the two articles
   share, so unrelated stories holding one similar sentence are not linked.
5. **Events** (:mod:`tui.link.cluster`): average-linkage clustering on the
   sparse candidate graph (missing pairs count as 0), which does not chain
   the way connected components do.
6. **Direct links** (what a reader is shown): inside one event, each
   passage's mutual best partner in each other article, scored on the two
   passages alone.

Two passages of the same source are never paired.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz
from rapidfuzz.process import cpdist

from tui.link.candidates import pair_sums, top_k, unique_sorted
from tui.link.cluster import average_linkage, cophenetic_pairs
from tui.link.features import extract_all, is_name

METHOD = "idf-cue-v3"  # v2: the article gate on shared names; v3: events take it twice

#: Default threshold: two groups of passages join one event when the mean
#: similarity over all their cross pairs (unproposed pairs count 0) reaches
#: it. See docs/linking.md for how it was chosen.
DEFAULT_THRESHOLD = 0.10

#: A direct link (what the reader shows) needs this passage-only score.
LINK_MIN = 0.30
#: Passages with fewer content words than this get no direct link.
MIN_TERMS = 4
#: Direct links: bonus for sharing a rare name or number (a year, a tally).
ANCHOR_BONUS = 0.25
#: Each article also proposes the passages of its most similar articles.
DOC_NEIGHBOURS = 3
#: Pairs scoring below EDGE_FLOOR x threshold count as 0 when grouping events.
EDGE_FLOOR = 1.0
#: Article gate (see ``_name_overlap``): two articles that share no names
#: keep this share of their passages' scores; the gate opens fully when
#: their name sets overlap by ``NAME_OPEN`` (binary cosine). Articles with
#: fewer than ``NAME_MIN`` names are not judged.
NAME_FLOOR = 0.3
NAME_OPEN = 0.3
NAME_MIN = 5
#: How many times the gate scales an event edge (a direct link takes it once); see
#: ``link_passages`` and docs/linking.md, "A folder of unrelated stories".
EVENT_GATE_POWER = 2


@dataclass(frozen=True, slots=True)
class Params:
    """The few knobs of the linker. Defaults are the documented ones."""

    threshold: float = DEFAULT_THRESHOLD
    context_weight: float = 0.7  # share of the article vector in a passage's vector
    fuzz_weight: float = 0.25  # share of rapidfuzz token_set_ratio in the score
    conflict_factor: float = 0.5  # score multiplier when no name/number agrees
    k: int = 15  # candidates kept per passage
    link_min: float = LINK_MIN  # direct links: passage-only score needed


@dataclass(slots=True)
class Passage:
    id: str
    source: str
    doc: str
    text: str


@dataclass(slots=True)
class Link:
    a: str
    b: str
    score: float


@dataclass(slots=True)
class Event:
    passages: list[str]  # passage ids, sorted
    central: str  # the passage with the highest summed similarity inside the event


@dataclass(slots=True)
class LinkResult:
    links: list[Link]  # direct links above the threshold, sorted by (a, b)
    events: list[Event]
    pairs: list[Link]  # every cross-source pair inside an event, scored by merge level
    candidates: int
    seconds: float
    timings: dict[str, float] = field(default_factory=dict)
    #: The linker's own (passage-only, direct-link) score of each overridden pair
    #: it scored, keyed by the sorted id pair: a person's decision fixes the pair's
    #: weight in the events, but what the model thinks of it is still its score
    #: (the database stores it for confirmed links; without it they read 1.0).
    model_scores: dict[tuple[str, str], float] = field(default_factory=dict)


Progress = Callable[[int, int], None]


def link_passages(
    passages: Sequence[Passage],
    params: Params | None = None,
    *,
    progress: Progress | None = None,
    with_pairs: bool = False,
    overrides: dict[tuple[str, str], float] | None = None,
) -> LinkResult:
    """Link ``passages`` (any order; the output does not depend on it).

    ``overrides`` maps passage-id pairs to a fixed score (a person's
    decision: 1.0 confirmed, 0.0 rejected); ``with_pairs`` also lists every
    cross-source pair inside an event (file mode).
    """
    p = params or Params()
    t0 = time.perf_counter()
    timings: dict[str, float] = {}

    def tick(stage: str, pct: int) -> None:
        timings[stage] = time.perf_counter() - t0
        if progress:
            progress(pct, 100)

    if progress:
        progress(0, 100)
    ps = sorted(passages, key=lambda x: (x.doc, x.id))
    n = len(ps)
    feats = extract_all(x.text for x in ps)
    tick("features", 25)

    # ---- postings: passage -> term ids (CSR), article -> term ids
    vocab: dict[str, int] = {}
    p_rows: list[int] = []
    p_terms: list[int] = []
    cue_flag: list[bool] = []
    name_flag: list[bool] = []  # cues that name someone or something (``is_name``)
    p_cue_rows: list[int] = []
    p_cue_terms: list[int] = []
    for i, f in enumerate(feats):
        cueset = set(f.cues)
        for term in f.terms:
            j = vocab.get(term)
            if j is None:
                j = vocab[term] = len(vocab)
                cue_flag.append(term in cueset)
                name_flag.append(term in cueset and is_name(term))
            p_rows.append(i)
            p_terms.append(j)
            if term in cueset:
                p_cue_rows.append(i)
                p_cue_terms.append(j)
    V = max(len(vocab), 1)
    rows = np.asarray(p_rows, dtype=np.int64)
    terms = np.asarray(p_terms, dtype=np.int64)
    is_cue = np.asarray(cue_flag, dtype=bool) if cue_flag else np.zeros(1, dtype=bool)
    is_name_term = np.asarray(name_flag, dtype=bool) if name_flag else np.zeros(1, dtype=bool)
    df = np.bincount(terms, minlength=V)
    idf = np.log((n + 1) / (df + 0.5))
    w = idf[terms]
    norm = np.sqrt(np.bincount(rows, weights=w * w, minlength=n))
    norm[norm == 0] = 1.0
    mass = np.bincount(rows, weights=w, minlength=n)
    cue_rows = np.asarray(p_cue_rows, dtype=np.int64)
    cue_terms = np.asarray(p_cue_terms, dtype=np.int64)
    del p_rows, p_terms, p_cue_rows, p_cue_terms  # Python lists: large, no longer needed
    cue_mass = np.bincount(cue_rows, weights=idf[cue_terms], minlength=n)
    n_terms = np.bincount(rows, minlength=n)

    doc_names = sorted({x.doc for x in ps})
    doc_index = {d: k for k, d in enumerate(doc_names)}
    doc_of = np.asarray([doc_index[x.doc] for x in ps], dtype=np.int64)
    nd = len(doc_names)
    dkeys = unique_sorted(doc_of[rows] * V + terms)
    d_rows, d_terms = dkeys // V, dkeys % V
    ddf = np.bincount(d_terms, minlength=V)
    didf = np.log((nd + 1) / (ddf + 0.5))
    dw = didf[d_terms]
    dnorm = np.sqrt(np.bincount(d_rows, weights=dw * dw, minlength=nd))
    dnorm[dnorm == 0] = 1.0
    doc_cue_keys = dkeys[is_cue[d_terms]]  # sorted: article x cue term
    doc_name_keys = dkeys[is_name_term[d_terms]]  # sorted: article x name
    n_names = np.bincount(doc_name_keys // V, minlength=nd)

    sources = sorted({x.source for x in ps})
    src_index = {s_: k for k, s_ in enumerate(sources)}
    src = np.asarray([src_index[x.source] for x in ps], dtype=np.int64)
    doc_src = np.zeros(nd, dtype=np.int64)
    doc_src[doc_of] = src
    tick("vectors", 35)

    # ---- candidates: passages sharing informative terms ...
    keys_p, (dot, shared, shared_cue) = pair_sums(
        rows, terms, [w / norm[rows], np.sqrt(w), np.sqrt(w) * is_cue[terms]], n, df, src)
    # ... and passages of the most similar article pairs
    keys_d, (ddot,) = pair_sums(d_rows, d_terms, [dw / dnorm[d_rows]], nd, ddf, doc_src)
    keep_d = top_k(keys_d, ddot, nd, DOC_NEIGHBOURS)
    doc_sim_keys, doc_sim = keys_d, ddot
    keys_x = _expand_doc_pairs(keep_d, nd, doc_of, n)
    keys = unique_sorted(np.concatenate((keys_p, keys_x)))
    cos_own = _lookup(keys, keys_p, dot)
    shared = _lookup(keys, keys_p, shared)
    shared_cue = _lookup(keys, keys_p, shared_cue)
    del keys_p, keys_x, dot, keep_d  # free the big intermediates before scoring
    a_idx, b_idx = keys // n, keys % n
    cos_doc = _lookup(np.minimum(doc_of[a_idx], doc_of[b_idx]) * nd
                      + np.maximum(doc_of[a_idx], doc_of[b_idx]), doc_sim_keys, doc_sim)
    same_doc = doc_of[a_idx] == doc_of[b_idx]
    cos_doc[same_doc] = 1.0  # cannot happen across sources, kept for safety
    del a_idx, b_idx, same_doc  # every candidate's arrays count at 160,000 passages
    pre = (1 - p.context_weight) * cos_own + p.context_weight * cos_doc
    best = top_k(keys, pre, n, p.k)
    del pre
    kept = np.zeros(keys.size, dtype=bool)
    kept[np.searchsorted(keys, best)] = True
    keys, cos_own, cos_doc, shared, shared_cue = (x[kept] for x in (keys, cos_own, cos_doc, shared,
                                                                      shared_cue))
    a_idx, b_idx = keys // n, keys % n
    tick("candidates", 55)

    # ---- scores
    texts = [f.text for f in feats]
    fz = np.asarray(cpdist([texts[i] for i in a_idx.tolist()], [texts[i] for i in b_idx.tolist()],
                           scorer=fuzz.token_set_ratio, workers=2), dtype=np.float64) / 100.0 \
        if keys.size else np.zeros(0)
    del texts, feats
    # IDF mass of each side's cues that the other side's article holds
    found = (_found(cue_rows, cue_terms, a_idx, doc_of[b_idx], V, doc_cue_keys, idf)
             + _found(cue_rows, cue_terms, b_idx, doc_of[a_idx], V, doc_cue_keys, idf))
    total = cue_mass[a_idx] + cue_mass[b_idx]
    both = (cue_mass[a_idx] > 0) & (cue_mass[b_idx] > 0)
    agreement = np.where(both, found / np.where(total > 0, total, 1.0), 1.0)
    cue = p.conflict_factor + (1 - p.conflict_factor) * np.clip(agreement, 0.0, 1.0)
    da, db = doc_of[a_idx], doc_of[b_idx]
    overlap_d = _name_overlap(np.minimum(da, db) * nd + np.maximum(da, db), nd, V, doc_name_keys,
                              n_names)
    judged = (n_names[da] >= NAME_MIN) & (n_names[db] >= NAME_MIN)
    gate = np.where(judged, NAME_FLOOR + (1 - NAME_FLOOR) * np.minimum(1.0, overlap_d / NAME_OPEN), 1.0)
    del overlap_d, judged, da, db
    cue *= gate
    full = cue * ((1 - p.fuzz_weight) * ((1 - p.context_weight) * cos_own
                                          + p.context_weight * cos_doc) + p.fuzz_weight * fz)
    overlap = shared / np.maximum(np.minimum(mass[a_idx], mass[b_idx]), 1e-9)
    max_idf = math.log((n + 1) / 1.5) or 1.0
    own = np.minimum(1.0, cue * (0.5 * cos_own + 0.5 * overlap)
                     + ANCHOR_BONUS * np.minimum(1.0, shared_cue / max_idf))
    # Events take the gate twice: an event edge is mostly article context (c = 0.7), and
    # two articles that do not share the story's names are just where that context
    # says nothing. One such edge was enough for a two-passage "event" between
    # unrelated stories (101 of 178 events in bench/links_mixed.py's folder; 12 now).
    # Direct links keep the single gate: they are scored on the two passages alone.
    ea, eb, es = a_idx, b_idx, full * gate ** (EVENT_GATE_POWER - 1)
    del gate
    # only pairs that can become direct links are kept as Python objects
    linkable = (own >= p.link_min) & (n_terms[a_idx] >= MIN_TERMS) & (n_terms[b_idx] >= MIN_TERMS)
    own_scores = dict(zip(zip(a_idx[linkable].tolist(), b_idx[linkable].tolist(), strict=True),
                          own[linkable].tolist(), strict=True))
    model_scores: dict[tuple[str, str], float] = {}
    if overrides:
        ea, eb, es, model_scores = _apply_overrides(ps, ea, eb, es, own_scores, overrides, own)
    tick("score", 80)

    # ---- events and direct links
    strong = es >= EDGE_FLOOR * p.threshold
    dendro = average_linkage(n, zip(ea[strong].tolist(), eb[strong].tolist(), es[strong].tolist(), strict=True),
                             p.threshold)
    timings["linkage"] = time.perf_counter() - t0
    groups = sorted((sorted(m) for m in dendro.members.values() if len(m) > 1), key=lambda m: m[0])
    group_of = np.full(n, -1, dtype=np.int64)
    for g, members in enumerate(groups):
        group_of[members] = g
    inside = (group_of[ea] >= 0) & (group_of[ea] == group_of[eb])
    strength = (np.bincount(ea[inside], weights=es[inside], minlength=n)
                + np.bincount(eb[inside], weights=es[inside], minlength=n)).tolist()
    n_terms_list = n_terms.tolist()
    event_of: dict[int, int] = {}
    events: list[Event] = []
    for members in groups:
        if len({ps[i].source for i in members}) < 2:
            continue
        # the label comes from the most central passage that says something on its own
        central = max(members, key=lambda i: (n_terms_list[i] >= MIN_TERMS, strength[i], -i))
        for i in members:
            event_of[i] = len(events)
        events.append(Event(sorted(ps[i].id for i in members), ps[central].id))
    events.sort(key=lambda e: e.passages[0])
    same_event = {k: v for k, v in own_scores.items()
                  if event_of.get(k[0]) is not None and event_of.get(k[0]) == event_of.get(k[1])}
    links = _direct_links(ps, same_event, p.link_min)
    pairs: list[Link] = []
    if with_pairs:
        direct = dict(zip(zip(ea.tolist(), eb.tolist(), strict=True), es.tolist(), strict=True))
        for (a, b), level in cophenetic_pairs(dendro).items():
            if ps[a].source == ps[b].source:
                continue
            x, y = sorted((ps[a].id, ps[b].id))
            pairs.append(Link(x, y, round(max(direct.get((a, b), 0.0), level), 4)))
        pairs.sort(key=lambda lk: (lk.a, lk.b))
    tick("cluster", 100)
    return LinkResult(links, events, pairs, int(keys.size), time.perf_counter() - t0, timings,
                      model_scores)


def _lookup(keys: np.ndarray, table_keys: np.ndarray, table_values: np.ndarray) -> np.ndarray:
    """Values of ``keys`` in a sorted key table (0 where absent)."""
    out = np.zeros(keys.size, dtype=np.float64)
    if table_keys.size == 0 or keys.size == 0:
        return out
    pos = np.searchsorted(table_keys, keys)
    pos[pos >= table_keys.size] = 0
    hit = table_keys[pos] == keys
    out[hit] = table_values[pos[hit]]
    return out


def _expand_doc_pairs(doc_keys: np.ndarray, nd: int, doc_of: np.ndarray, n: int) -> np.ndarray:
    """Every passage pair of the given article pairs (passages are grouped by article)."""
    if doc_keys.size == 0:
        return np.empty(0, dtype=np.int64)
    starts = np.searchsorted(doc_of, np.arange(nd), side="left")
    ends = np.searchsorted(doc_of, np.arange(nd), side="right")
    da, db = doc_keys // nd, doc_keys % nd
    sa, sb = ends[da] - starts[da], ends[db] - starts[db]
    counts = sa * sb
    total = int(counts.sum())
    rep = np.repeat(np.arange(doc_keys.size), counts)
    offset = np.arange(total) - np.repeat(np.cumsum(counts) - counts, counts)
    a = starts[da][rep] + offset // sb[rep]
    b = starts[db][rep] + offset % sb[rep]
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    return unique_sorted(lo * n + hi)


def _name_overlap(pair_doc: np.ndarray, nd: int, V: int, doc_name_keys: np.ndarray,
                  n_names: np.ndarray) -> np.ndarray:
    """For each article pair key: how much the two articles' sets of names overlap.

    Two reports of one story name the same people, places and bodies; two
    unrelated stories that happen to hold a similar sentence ("work my way
    out of it" / "the work found its way") do not. Counted on sets, not
    weighted by the corpus: in a folder about one story the names every
    article shares ("NATO", "Kyiv") weigh nothing by IDF, yet they are just
    what says the articles belong together. Binary cosine (shared over the
    geometric mean of the two set sizes), so a long article with many names
    is not held against a short one on the same story.
    """
    if pair_doc.size == 0:
        return np.zeros(0)
    upair = unique_sorted(pair_doc)
    ua, ub = upair // nd, upair % nd
    smaller = n_names[ua] <= n_names[ub]  # walk the smaller set, look up in the larger
    ua, ub = np.where(smaller, ua, ub), np.where(smaller, ub, ua)
    shared = _found(doc_name_keys // V, doc_name_keys % V, ua, ub, V, doc_name_keys)
    cosine = shared / np.sqrt(np.maximum(n_names[ua] * n_names[ub], 1))
    return cosine[np.searchsorted(upair, pair_doc)]


def _found(post_rows: np.ndarray, post_terms: np.ndarray, a: np.ndarray, b_rows: np.ndarray, V: int,
           table: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """For each query ``k``: the postings of row ``a[k]`` whose term the key table
    holds under row ``b_rows[k]``, counted, or summed by ``weights[term]``.

    ``post_rows``/``post_terms`` are postings sorted by row; ``table`` holds
    sorted keys ``row * V + term``. One vectorised expansion of every
    query's postings, with no loop over pairs.
    """
    if post_rows.size == 0 or a.size == 0 or table.size == 0:
        return np.zeros(a.size)
    starts = np.searchsorted(post_rows, a, side="left")
    counts = np.searchsorted(post_rows, a, side="right") - starts
    pair = np.repeat(np.arange(a.size), counts)
    offset = np.arange(pair.size) - np.repeat(np.cumsum(counts) - counts, counts)
    term = post_terms[starts[pair] + offset]
    key = b_rows[pair] * V + term
    pos = np.searchsorted(table, key)
    pos[pos >= table.size] = 0
    hit = table[pos] == key
    return np.bincount(pair[hit], weights=None if weights is None else weights[term[hit]],
                       minlength=a.size)


def _apply_overrides(ps: Sequence[Passage], ea: np.ndarray, eb: np.ndarray, es: np.ndarray,
                     own_scores: dict[tuple[int, int], float],
                     overrides: dict[tuple[str, str], float], own: np.ndarray,
                     ) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict[tuple[str, str], float]]:
    """A person's decision beats the model: 1.0 for confirmed pairs, gone for rejected.

    Also returns the model's own score (``own``, aligned with ``ea``/``eb``,
    rounded as direct links are) of each overridden pair that is a candidate,
    keyed by the sorted passage ids.
    """
    index = {x.id: i for i, x in enumerate(ps)}
    fixed: dict[tuple[int, int], float] = {}
    for (x, y), value in sorted(overrides.items()):
        i, j = index.get(x), index.get(y)
        if i is None or j is None or ps[i].source == ps[j].source:
            continue
        fixed[(min(i, j), max(i, j))] = value
    for key, value in fixed.items():
        if value > 0.0:
            own_scores[key] = value
        else:
            own_scores.pop(key, None)
    es = es.copy()
    position = {pair: k for k, pair in enumerate(zip(ea.tolist(), eb.tolist(), strict=True))}
    extra = []
    model: dict[tuple[str, str], float] = {}
    for pair, value in fixed.items():
        k = position.get(pair)
        if k is None:
            extra.append((pair[0], pair[1], value))
        else:
            x, y = sorted((ps[pair[0]].id, ps[pair[1]].id))
            model[(x, y)] = round(float(own[k]), 4)
            es[k] = value
    if extra:
        ea = np.concatenate((ea, np.asarray([e[0] for e in extra], dtype=np.int64)))
        eb = np.concatenate((eb, np.asarray([e[1] for e in extra], dtype=np.int64)))
        es = np.concatenate((es, np.asarray([e[2] for e in extra], dtype=np.float64)))
    keep = es > 0.0
    return ea[keep], eb[keep], es[keep], model


def _direct_links(ps: Sequence[Passage], own_scores: dict[tuple[int, int], float],
                  minimum: float) -> list[Link]:
    """The evidence edges worth showing a reader: few, strong, passage to passage.

    Scored on the passages alone (no article context), because a reader
    compares the two sentences side by side. For every pair of articles a
    passage keeps only its best partner in the other article, and a link is
    kept when that choice is mutual and the score reaches ``minimum``. So a
    sentence gets at most one link per other article instead of a flood.
    Passages with fewer than ``MIN_TERMS`` content words ("To victory.")
    carry too little evidence to be linked on their own (they are left out
    of ``own_scores`` by the caller).
    """
    best: dict[tuple[int, str], tuple[float, int]] = {}
    for (a, b), s in own_scores.items():
        if s < minimum:
            continue
        for x, y in ((a, b), (b, a)):
            key = (x, ps[y].doc)
            cur = best.get(key)
            if cur is None or s > cur[0] or (s == cur[0] and y < cur[1]):
                best[key] = (s, y)
    out = []
    for (a, b), s in own_scores.items():
        if best.get((a, ps[b].doc), (0.0, -1))[1] == b and best.get((b, ps[a].doc), (0.0, -1))[1] == a:
            out.append(Link(ps[a].id, ps[b].id, round(s, 4)))
    out.sort(key=lambda lk: (lk.a, lk.b))
    return out
