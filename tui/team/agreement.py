"""`parallax agreement`: how far annotators agree, per label and overall.

For each pair of annotators, on the articles both annotated (both have live
spans there):

* **span F1, exact**: spans are ``(block, start, end, label)``; F1 =
  2·|A∩B| / (|A| + |B|) (symmetric: precision of one is recall of the other).
* **span F1, overlap**: spans of the same label in the same block that share
  at least one character are matched one to one (greedily, largest overlap
  first); F1 = 2·matches / (|A| + |B|).
* **Cohen's kappa over tokens**: every token (``\\w+`` or one punctuation
  character) of the blocks involved gets each annotator's label; tokens under
  no span are ``O``; a token under spans of several labels gets their sorted
  combination (``ACTOR+PLACE``). Per label the value is binary (the label or
  ``O``). kappa = (p_o − p_e) / (1 − p_e); undefined (null) when p_e = 1.
* **confirmed links F1**: each annotator's set of links whose latest status
  *by that annotator* is ``confirmed`` (from ``links.status_by`` and the
  ``link-status`` entries of the audit log, which keep every annotator's
  decision after a merge), on links touching an article both annotated
  (spans or link decisions); F1 as for exact spans.

Over all annotators: **Krippendorff's alpha** (nominal) on the same token
units: a token of an article annotated by m ≥ 2 annotators is a unit with m
values; alpha = 1 − (n − 1)·D_o / D_e with the coincidence-matrix
formulation (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability").

The blocks involved are the article's visible blocks plus any hidden block
carrying a span. F1 is null when neither side has anything to compare.

A label filter only chooses which rows are reported. "Both annotated" is
decided on all labels, and so are the token units and the overall row: a
figure for PLACE is the same in ``--label PLACE`` as in the full table.
(It used to be computed after the filter, so an article where one annotator
tagged only other labels dropped out, and ``--label EVENT`` could disagree
with, or null out, the EVENT row of the full table.)
"""

from __future__ import annotations

import bisect
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from tui.errors import UserError
from tui.store import Store

EMPTY: frozenset[str] = frozenset()
TOKEN = re.compile(r"\w+|[^\w\s]")
OUTSIDE = "O"
OVERALL = "overall"


@dataclass(frozen=True, slots=True)
class Span:
    article_id: str
    block_id: str
    start: int
    end: int
    label: str


def f1(n_both: int, n_a: int, n_b: int) -> float | None:
    return None if n_a + n_b == 0 else 2 * n_both / (n_a + n_b)


def overlap_matches(a: Iterable[Span], b: Iterable[Span]) -> int:
    """One-to-one matches of same-label spans sharing a character, largest overlap first."""
    return len(overlap_labels(list(a), list(b)))


def overlap_labels(a: list[Span], b: list[Span]) -> list[str]:
    """The label of each one-to-one overlap match (see :func:`overlap_matches`)."""
    groups: dict[tuple[str, str], list[tuple[int, Span]]] = defaultdict(list)
    for j, y in enumerate(b):
        groups[(y.block_id, y.label)].append((j, y))
    candidates = []
    for i, x in enumerate(a):
        for j, y in groups.get((x.block_id, x.label), ()):
            shared = min(x.end, y.end) - max(x.start, y.start)
            if shared > 0:
                candidates.append((-shared, i, j))
    used_a: set[int] = set()
    used_b: set[int] = set()
    labels = []
    for _, i, j in sorted(candidates):
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            labels.append(a[i].label)
    return labels


def cohen_kappa(pairs: Counter) -> float | None:
    """Cohen's kappa from a Counter of (value_a, value_b) -> count."""
    n = sum(pairs.values())
    if n == 0:
        return None
    agree = sum(c for (x, y), c in pairs.items() if x == y)
    ma: Counter = Counter()
    mb: Counter = Counter()
    for (x, y), c in pairs.items():
        ma[x] += c
        mb[y] += c
    p_o = agree / n
    p_e = sum(ma[v] * mb[v] for v in ma) / (n * n)
    if p_e >= 1:
        return None
    return (p_o - p_e) / (1 - p_e)


def krippendorff_alpha(units: Counter) -> float | None:
    """Nominal alpha from a Counter of units, each a sorted tuple of its values -> how many such units.

    Units with fewer than two values are not pairable and are ignored.
    """
    o: Counter = Counter()  # coincidences o[(c, k)]
    for values, count in units.items():
        m = len(values)
        if m < 2:
            continue
        per = Counter(values)
        for c, nc in per.items():
            for k, nk in per.items():
                pairs = nc * (nc - 1) if c == k else nc * nk
                if pairs:
                    o[(c, k)] += count * pairs / (m - 1)
    n_c: Counter = Counter()
    for (c, _), v in o.items():
        n_c[c] += v
    n = sum(n_c.values())
    if n <= 1:
        return None
    d_o = sum(v for (c, k), v in o.items() if c != k)
    expected = sum(n_c[c] * n_c[k] for c in n_c for k in n_c if c != k)
    if expected == 0:
        return None
    return 1 - (n - 1) * d_o / expected


# ------------------------------------------------------------------ data
def _spans(store: Store) -> dict[str, dict[str, list[Span]]]:
    """annotator -> article -> live spans."""
    out: dict[str, dict[str, list[Span]]] = defaultdict(lambda: defaultdict(list))
    for r in store.db.execute(
        "select annotator, article_id, block_id, start, end, label from annotations "
        "where deleted_at is null order by article_id, block_id, start, end"
    ):
        out[r[0]][r[1]].append(Span(r[1], r[2], r[3], r[4], r[5]))
    return out


def link_decisions(store: Store) -> dict[str, dict[str, str]]:
    """annotator -> link id -> that annotator's latest status (audit log + links table)."""
    latest: dict[tuple[str, str], tuple[str, str]] = {}
    for at, who, target, after in store.db.execute(
        "select at, annotator, target, after from audit where action = 'link-status' order by at, id"
    ):
        try:
            status = json.loads(after or "{}").get("status")
        except (ValueError, AttributeError):
            continue
        if status:
            latest[(who, target)] = (at or "", status)
    for lid, status, who, at in store.db.execute(
        "select id, status, status_by, status_at from links where status_by is not null"
    ):
        prior = latest.get((who, lid))
        if prior is None or (at or "") >= prior[0]:
            latest[(who, lid)] = (at or "", status)
    out: dict[str, dict[str, str]] = defaultdict(dict)
    for (who, lid), (_, status) in latest.items():
        out[who][lid] = status
    return out


class _Tokens:
    """Token units of the articles being compared, and each annotator's labels on them.

    Labels are kept sparse (token index -> set of labels): most tokens carry
    none, and every figure only needs the tokens someone labelled plus how
    many tokens there are in all.
    """

    def __init__(self, store: Store, by_annotator: dict[str, dict[str, list[Span]]]) -> None:
        articles = {a for arts in by_annotator.values() for a in arts}
        spanned = {s.block_id for arts in by_annotator.values() for ss in arts.values() for s in ss}
        self.count: dict[str, int] = defaultdict(int)
        self.blocks: dict[str, tuple[int, list[int], list[int]]] = {}  # block -> (base, starts, ends)
        for art, bid, text, visible in store.db.execute(
            "select article_id, id, text, coalesce(override, keep) from blocks order by article_id, seq"
        ):
            if art in articles and (visible or bid in spanned):
                spans = [(m.start(), m.end()) for m in TOKEN.finditer(text)]
                self.blocks[bid] = (self.count[art], [x for x, _ in spans], [y for _, y in spans])
                self.count[art] += len(spans)
        self.labels: dict[tuple[str, str], dict[int, frozenset[str]]] = {}
        for who, arts in by_annotator.items():
            for art, spans in arts.items():
                sparse: dict[int, set[str]] = defaultdict(set)
                for sp in spans:
                    base, starts, ends = self.blocks[sp.block_id]
                    i = bisect.bisect_right(ends, sp.start)  # first token ending after the span starts
                    while i < len(starts) and starts[i] < sp.end:
                        sparse[base + i].add(sp.label)
                        i += 1
                self.labels[(who, art)] = {k: frozenset(v) for k, v in sparse.items()}

    @staticmethod
    def value(labels: frozenset[str], only: str | None) -> str:
        if not labels:
            return OUTSIDE
        if only is not None:
            return only if only in labels else OUTSIDE
        return "+".join(sorted(labels))

    def pair_sets(self, art: str, a: str, b: str) -> Counter:
        """(labels of a, labels of b) per token, counted; unlabelled tokens are (EMPTY, EMPTY)."""
        da, db = self.labels.get((a, art), {}), self.labels.get((b, art), {})
        keys = da.keys() | db.keys()
        counts = Counter((da.get(k, EMPTY), db.get(k, EMPTY)) for k in keys)
        counts[(EMPTY, EMPTY)] += self.count[art] - len(keys)
        return counts

    def unit_sets(self, art: str, coders: list[str]) -> Counter:
        """Each token's labels by every coder of the article, counted."""
        ds = [self.labels.get((w, art), {}) for w in coders]
        keys = set().union(*(d.keys() for d in ds))
        units = Counter(tuple(d.get(k, EMPTY) for d in ds) for k in keys)
        units[(EMPTY,) * len(coders)] += self.count[art] - len(keys)
        return units


def _project(counts: Counter, only: str | None, unit: bool = False) -> Counter:
    """Turn counted label sets into counted values for one scope (overall or one label)."""
    out: Counter = Counter()
    for sets, n in counts.items():
        values = tuple(_Tokens.value(x, only) for x in sets)
        out[tuple(sorted(values)) if unit else values] += n
    return out


def agreement(store: Store, labels: Iterable[str] | None = None) -> dict[str, Any]:
    """Every figure described in the module doc, as a JSON-ready dict.

    ``labels`` picks the label rows reported (the overall row is always
    there); it never changes a figure.
    """
    schema_names = [label.name for label in store.labels()]
    wanted = list(dict.fromkeys(labels or ()))
    for name in wanted:
        if name not in schema_names:
            raise UserError(f"unknown label {name!r}: the schema has {', '.join(schema_names)}")
    by_annotator = _spans(store)
    used = {s.label for arts in by_annotator.values() for ss in arts.values() for s in ss}
    report_labels = wanted or [n for n in schema_names if n in used]
    decisions = link_decisions(store)
    link_articles = dict(store.db.execute("select id, coalesce(a_article, '') || '|' || coalesce(b_article, '') from links").fetchall())
    annotators = sorted(set(by_annotator) | set(decisions))

    tokens = _Tokens(store, by_annotator)
    articles = {a for arts in by_annotator.values() for a in arts}

    scopes = [OVERALL, *report_labels]
    pairs_out = []
    for a, b in combinations(annotators, 2):
        arts_a, arts_b = by_annotator.get(a, {}), by_annotator.get(b, {})
        common = sorted(set(arts_a) & set(arts_b))
        entry: dict[str, Any] = {"a": a, "b": b, "articles": len(common), "tokens": 0}
        token_sets: Counter = Counter()
        for art in common:
            token_sets.update(tokens.pair_sets(art, a, b))
        # Matching never pairs two labels, so per-label counts are the overall ones split by label.
        n_a: Counter = Counter()
        n_b: Counter = Counter()
        n_exact: Counter = Counter()
        n_overlap: Counter = Counter()
        for art in common:
            sa, sb = arts_a[art], arts_b[art]
            n_a.update(s.label for s in sa)
            n_b.update(s.label for s in sb)
            n_exact.update(s.label for s in set(sa) & set(sb))
            n_overlap.update(overlap_labels(sa, sb))
        for scope in scopes:
            only = None if scope == OVERALL else scope

            def pick(c: Counter, only: str | None = only) -> int:
                return sum(c.values()) if only is None else c[only]
            count_a, count_b, exact, matched = pick(n_a), pick(n_b), pick(n_exact), pick(n_overlap)
            counts = _project(token_sets, only)
            if scope == OVERALL:
                entry["tokens"] = sum(counts.values())
            entry.setdefault("labels", {})[scope] = {
                "spans_a": count_a, "spans_b": count_b, "exact": exact, "overlap": matched,
                "f1_exact": f1(exact, count_a, count_b), "f1_overlap": f1(matched, count_a, count_b),
                "kappa": cohen_kappa(counts),
            }
        touched_a = {x for lid in decisions.get(a, {}) for x in link_articles.get(lid, "|").split("|")}
        touched_b = {x for lid in decisions.get(b, {}) for x in link_articles.get(lid, "|").split("|")}
        both = (set(arts_a) | touched_a) & (set(arts_b) | touched_b)

        def confirmed(who: str, both: set[str] = both) -> set[str]:
            return {lid for lid, st in decisions.get(who, {}).items() if st == "confirmed"
                    and set(link_articles.get(lid, "|").split("|")) & both}
        la, lb = confirmed(a), confirmed(b)
        entry["links"] = {"confirmed_a": len(la), "confirmed_b": len(lb), "both": len(la & lb),
                          "f1": f1(len(la & lb), len(la), len(lb))}
        pairs_out.append(entry)

    unit_sets: Counter = Counter()
    n_articles = 0
    for art in sorted(articles):
        coders = [w for w in annotators if art in by_annotator.get(w, {})]
        if len(coders) >= 2:
            n_articles += 1
            unit_sets.update(tokens.unit_sets(art, coders))
    alpha: dict[str, Any] = {}
    for scope in scopes:
        units = _project(unit_sets, None if scope == OVERALL else scope, unit=True)
        alpha[scope] = {"alpha": krippendorff_alpha(units), "units": sum(units.values()),
                        "articles": n_articles}
    return {"annotators": annotators, "labels": report_labels, "alpha": alpha, "pairs": pairs_out}
