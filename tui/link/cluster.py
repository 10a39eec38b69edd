"""Group linked passages into events: average linkage on a sparse graph.

Connected components over links chain: A~B and B~C put A and C together
even when A and C have nothing in common, and one generic sentence can glue
two look-alike events into one. Average linkage merges two groups only when
the *mean* similarity over all their cross pairs stays above a threshold,
and a pair the candidate index never proposed counts as 0. A single bridge
between two groups of ten therefore weighs 1/100 of a full match.

The implementation keeps, for every group, the summed similarity to each
neighbouring group, and a heap of candidate merges; entries that mention a
group that has since been merged are skipped (group ids are never reused).
Cost is about O(E log E) for E edges. Ties are broken by group ids, so the
result is deterministic.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(slots=True)
class Dendrogram:
    """Merges in the order they happened: (left, right, level, new_id)."""

    n: int
    merges: list[tuple[int, int, float, int]]
    members: dict[int, list[int]]  # final groups with 2+ members: id -> sorted member indices


def average_linkage(n: int, edges: Iterable[tuple[int, int, float]], threshold: float) -> Dendrogram:
    """Cluster ``n`` items given sparse similarities ``(a, b, s)`` with ``a != b``.

    Each group has one heap entry whose key is an *upper bound* of its best
    average similarity (exact when it was computed, possibly stale after
    other merges). A popped entry is checked: if its bound is no longer the
    exact value it is recomputed and pushed again, so the pair merged is
    always the globally most similar one, as in textbook average linkage.
    A merge keeps the id of the side with more neighbours and only touches
    the neighbours of the other side, so a "hub" passage linked to
    thousands of others does not make the run quadratic.
    """
    adj: list[dict[int, float] | None] = [None] * n
    for a, b, s in edges:
        if s <= 0 or a == b:
            continue
        da = adj[a]
        if da is None:
            da = adj[a] = {}
        db = adj[b]
        if db is None:
            db = adj[b] = {}
        total = da.get(b, 0.0) + s
        da[b] = total
        db[a] = total
    size = [1] * n
    alive = [True] * n
    version = [0] * n
    key = [-1.0] * n  # upper bound of each group's best average similarity
    heap: list[tuple[float, int, int, int]] = []
    push, pop = heapq.heappush, heapq.heappop

    def exact_best(c: int) -> tuple[float, int]:
        nc = adj[c]
        sc = size[c]
        top_avg, top_d = -1.0, -1
        if nc:
            for d, s in nc.items():
                avg = s / (sc * size[d])
                if avg > top_avg or (avg == top_avg and d < top_d):
                    top_avg, top_d = avg, d
        return top_avg, top_d

    def queue(c: int, value: float, d: int) -> None:
        """Make (value, d) c's heap entry; d = -1 means "a bound, verify when popped"."""
        version[c] += 1
        key[c] = value
        if value >= threshold:
            push(heap, (-value, c, d, version[c]))

    for c in range(n):
        if adj[c]:
            value, d = exact_best(c)
            version[c] += 1
            key[c] = value
            if value >= threshold:
                heap.append((-value, c, d, version[c]))
    heapq.heapify(heap)
    members: dict[int, list[int]] = {}
    merges: list[tuple[int, int, float, int]] = []
    while heap:
        neg, c, d, ver = pop(heap)
        if not alive[c] or ver != version[c]:
            continue
        value = -neg
        if value < threshold:
            break
        nc = adj[c] or {}
        if d < 0 or not alive[d] or d not in nc or nc[d] / (size[c] * size[d]) < value - 1e-12:
            best_value, best_d = exact_best(c)  # the bound was stale: replace it by the truth
            queue(c, best_value, best_d)
            continue
        big, small = (c, d) if len(nc) >= len(adj[d] or ()) else (d, c)
        nbig, nsmall = adj[big], adj[small] or {}
        nbig.pop(small, None)
        nsmall.pop(big, None)
        adj[small] = None
        alive[small] = False
        bound = max(key[big], key[small])
        size[big] += size[small]
        sb = size[big]
        for e, s in nsmall.items():
            ne = adj[e]
            ne.pop(small, None)
            total = nbig.get(e, 0.0) + s
            nbig[e] = total
            ne[big] = total
            avg = total / (sb * size[e])
            if avg > bound:
                bound = avg
            if avg > key[e]:
                queue(e, avg, big)
        members[big] = members.pop(c, [c]) + members.pop(d, [d])
        merges.append((c, d, value, big))
        queue(big, bound, -1)
    return Dendrogram(n, merges, {k: sorted(v) for k, v in members.items()})


def cophenetic_pairs(d: Dendrogram) -> dict[tuple[int, int], float]:
    """For every pair inside a final group, the level at which it was joined.

    Quadratic in group size: meant for file mode and small corpora.
    """
    out: dict[tuple[int, int], float] = {}
    groups: dict[int, list[int]] = {}
    for a, b, level, new in d.merges:
        ga, gb = groups.pop(a, [a]), groups.pop(b, [b])
        for x in ga:
            for y in gb:
                out[(x, y) if x < y else (y, x)] = level
        groups[new] = ga + gb
    return out
