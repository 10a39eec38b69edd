"""Link passages that report the same event, across sources, without all pairs.

The pipeline (pure, in memory, deterministic):

1. **Features** (:mod:`tui.link.features`): content terms, names, numbers.
2. **Weights**: each term weighs its IDF, so rare words count and "said" or
   "president" do not. A passage's vector is its own terms plus, at a lower
   weight, the *names and numbers of its article* (the context: a sentence
   like "She will host for the second time" is about the event its article
   names).
3. **Candidates** (:mod:`tui.link.candidates`): an inverted index over terms
   that are informative (document frequency between 2 and a cap that grows
   with the square root of the corpus). Each shared term adds its weight to
   the pair; only the best ``k`` partners of each passage are kept. Cost grows
   with the number of postings pairs under the cap, not with all pairs.
4. **Score**: cosine of the weighted vectors, blended with rapidfuzz's
   ``token_set_ratio`` on the content words (robust to word order and small
   spelling differences), then multiplied by a **cue agreement** factor:
   when both sides name people/places or give numbers and *none* of them
   agree, the pair is most likely a look-alike event and its score is cut.
5. **Events** (:mod:`tui.link.cluster`): average-linkage clustering on the
   sparse candidate graph (missing pairs count as 0), which does not chain
   the way connected components do.

Two passages of the same source are never paired.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz

from tui.link.candidates import candidate_pairs
from tui.link.cluster import average_linkage, cophenetic_pairs
from tui.link.features import Features, extract_all

METHOD = "idf-cue-v1"

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


Progress = Callable[[int, int], None]


def link_passages(
    passages: Sequence[Passage],
    params: Params | None = None,
    *,
    progress: Progress | None = None,
    with_pairs: bool = False,
    overrides: dict[tuple[str, str], float] | None = None,
) -> LinkResult:
    """Link ``passages`` (any order; output does not depend on it).

    ``overrides`` maps passage-id pairs to a fixed score (a person's
    decision: 1.0 confirmed, 0.0 rejected); ``with_pairs`` also lists every
    cross-source pair inside an event (file mode).
    """
    p = params or Params()
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    order = sorted(range(len(passages)), key=lambda i: passages[i].id)
    ps = [passages[i] for i in order]
    n = len(ps)
    if progress:
        progress(0, 100)
    feats = extract_all(x.text for x in ps)
    timings["features"] = time.perf_counter() - t0

    vocab: dict[str, int] = {}
    rows: list[list[int]] = []
    for f in feats:
        ids = []
        for t in f.terms:
            j = vocab.get(t)
            if j is None:
                j = vocab[t] = len(vocab)
            ids.append(j)
        rows.append(ids)
    df = np.zeros(len(vocab), dtype=np.int64)
    for ids in rows:
        df[ids] += 1
    idf = np.log((n + 1) / (df + 0.5)).astype(np.float64)

    # article context: names and numbers of every passage of the same doc
    doc_cues: dict[str, set[int]] = {}
    for f, x in zip(feats, ps, strict=True):
        cues = doc_cues.setdefault(x.doc, set())
        for t in (*f.names, *("#" + num for num in f.numbers)):
            cues.add(vocab[t])
    # article vectors: every term of the article, IDF over articles
    doc_terms: dict[str, set[int]] = {}
    for ids, x in zip(rows, ps, strict=True):
        doc_terms.setdefault(x.doc, set()).update(ids)
    n_docs = len(doc_terms)
    ddf = np.zeros(len(vocab), dtype=np.int64)
    for terms in doc_terms.values():
        ddf[list(terms)] += 1
    didf = np.log((n_docs + 1) / (ddf + 0.5))
    doc_vec: dict[str, dict[int, float]] = {}
    w_doc = math.sqrt(p.context_weight)
    w_own = math.sqrt(1.0 - p.context_weight)
    V = len(vocab)
    for d in sorted(doc_terms):
        terms = sorted(doc_terms[d])
        norm = math.sqrt(sum(float(didf[j]) ** 2 for j in terms)) or 1.0
        doc_vec[d] = {V + j: w_doc * float(didf[j]) / norm for j in terms}
    vectors: list[dict[int, float]] = []
    for ids, x in zip(rows, ps, strict=True):
        norm = math.sqrt(sum(float(idf[j]) ** 2 for j in ids)) or 1.0
        v = {j: w_own * float(idf[j]) / norm for j in ids}
        v.update(doc_vec[x.doc])
        vectors.append(v)
    df = np.concatenate((df, ddf))
    timings["vectors"] = time.perf_counter() - t0
    if progress:
        progress(20, 100)

    sources = [x.source for x in ps]
    src_ids = {s: i for i, s in enumerate(sorted(set(sources)))}
    src = np.array([src_ids[s] for s in sources], dtype=np.int64)
    cand = candidate_pairs(vectors, src, 2 * V, df, k=p.k)
    timings["candidates"] = time.perf_counter() - t0
    if progress:
        progress(50, 100)

    cues = [frozenset(vocab[t] for t in (*f.names, *("#" + m for m in f.numbers))) for f in feats]
    ctx = [frozenset(doc_cues[x.doc]) for x in ps]
    scored: list[tuple[int, int, float]] = []
    own_scores: dict[tuple[int, int], float] = {}
    own_share = 1.0 - p.context_weight or 1.0
    idf_list = idf.tolist()
    mass = [sum(idf_list[j] for j in ids) for ids in rows]
    max_idf = math.log((n + 1) / 1.5)
    for a, b in cand:
        va, vb = vectors[a], vectors[b]
        if len(va) > len(vb):
            va, vb = vb, va
        own = ctx_part = shared = 0.0
        for j, w in va.items():
            x = vb.get(j)
            if x is not None:
                if j < V:
                    own += w * x
                    shared += idf_list[j]
                else:
                    ctx_part += w * x
        fz = fuzz.token_set_ratio(feats[a].text, feats[b].text) / 100.0
        cue = cue_factor(cues[a], cues[b], ctx[a], ctx[b], idf, p.conflict_factor)
        scored.append((a, b, cue * ((1 - p.fuzz_weight) * (own + ctx_part) + p.fuzz_weight * fz)))
        # the passage alone (no article context): what a reader sees side by side
        overlap = shared / (min(mass[a], mass[b]) or 1.0)
        anchor = max((idf_list[j] for j in cues[a] & cues[b]), default=0.0) / max_idf
        own_scores[(a, b)] = min(1.0, cue * (0.5 * own / own_share + 0.5 * overlap)
                                 + ANCHOR_BONUS * anchor)
    if overrides:
        scored = _apply_overrides(ps, scored, own_scores, overrides)
    timings["score"] = time.perf_counter() - t0
    if progress:
        progress(80, 100)

    dendro = average_linkage(n, scored, p.threshold)
    event_of: dict[int, int] = {}
    events: list[Event] = []
    groups = sorted((sorted(m) for m in dendro.members.values() if len(m) > 1), key=lambda m: m[0])
    direct = {(a, b): s for a, b, s in scored}
    for members in groups:
        if len({sources[i] for i in members}) < 2:
            continue
        central = max(members, key=lambda i: (sum(direct.get((min(i, j), max(i, j)), 0.0)
                                                  for j in members if j != i), -i))
        for i in members:
            event_of[i] = len(events)
        events.append(Event([ps[i].id for i in members], ps[central].id))
    same_event = {k: v for k, v in own_scores.items()
                  if event_of.get(k[0]) is not None and event_of.get(k[0]) == event_of.get(k[1])}
    links = _direct_links(ps, same_event, [len(f.terms) for f in feats], p.link_min)
    pairs: list[Link] = []
    if with_pairs:
        for (a, b), level in cophenetic_pairs(dendro).items():
            if sources[a] == sources[b]:
                continue
            d = direct.get((a, b), 0.0)
            pairs.append(Link(ps[a].id, ps[b].id, round(max(d, level), 4)))
        pairs.sort(key=lambda lk: (lk.a, lk.b))
    timings["cluster"] = time.perf_counter() - t0
    if progress:
        progress(100, 100)
    return LinkResult(links, events, pairs, len(cand), time.perf_counter() - t0, timings)


def _apply_overrides(ps: Sequence[Passage], scored: list[tuple[int, int, float]],
                     own_scores: dict[tuple[int, int], float],
                     overrides: dict[tuple[str, str], float]) -> list[tuple[int, int, float]]:
    """A person's decision beats the model: 1.0 for confirmed pairs, gone for rejected."""
    index = {x.id: i for i, x in enumerate(ps)}
    fixed: dict[tuple[int, int], float] = {}
    for (x, y), value in overrides.items():
        i, j = index.get(x), index.get(y)
        if i is None or j is None or ps[i].source == ps[j].source:
            continue
        fixed[(min(i, j), max(i, j))] = value
    for key, value in fixed.items():
        if value > 0.0:
            own_scores[key] = value
        else:
            own_scores.pop(key, None)
    out = [(a, b, fixed.pop((a, b), s)) for a, b, s in scored]
    out.extend((a, b, v) for (a, b), v in sorted(fixed.items()))
    return [e for e in out if e[2] > 0.0]


def _direct_links(ps: Sequence[Passage], own_scores: dict[tuple[int, int], float],
                  sizes: list[int], minimum: float) -> list[Link]:
    """The evidence edges worth showing a reader: few, strong, passage to passage.

    Scored on the passages alone (no article context), because a reader
    compares the two sentences side by side. For every pair of articles a
    passage keeps only its best partner in the other article, and a link is
    kept when that choice is mutual and the score reaches ``minimum``. So a
    sentence gets at most one link per other article instead of a flood.
    Passages with fewer than ``MIN_TERMS`` content words ("To victory.")
    carry too little evidence to be linked on their own.
    """
    best: dict[tuple[int, str], tuple[float, int]] = {}
    for (a, b), s in own_scores.items():
        if s < minimum or min(sizes[a], sizes[b]) < MIN_TERMS:
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


def cue_factor(na: frozenset[int], nb: frozenset[int], ca: frozenset[int], cb: frozenset[int],
               idf: np.ndarray, conflict: float) -> float:
    """How far the names and numbers of two passages agree, as a score multiplier.

    Each side's own cues (names and numbers, weighted by IDF) are looked up
    on the other side, in the passage or its article. The agreement is the
    share of cue weight found; a pair whose cues are all found keeps its
    score, a pair whose cues are all foreign (Jackson vs Williams, 81st vs
    86th, Friday vs Saturday) is multiplied by ``conflict``. A passage with
    no cue at all neither helps nor hurts.
    """
    if not na or not nb:
        return 1.0
    oa, ob = na | ca, nb | cb
    found = sum(idf[j] for j in na if j in ob) + sum(idf[j] for j in nb if j in oa)
    total = sum(idf[j] for j in na) + sum(idf[j] for j in nb)
    agreement = found / total if total else 1.0
    return conflict + (1.0 - conflict) * agreement


def features_of(texts: Sequence[str]) -> list[Features]:
    return extract_all(texts)
