"""Group linked passages into events: average linkage on a sparse graph.

Connected components over links chain: A~B and B~C put A and C together
even when A and C have nothing in common, and one generic sentence can glue
two look-alike events into one. Average linkage merges two groups only when
the *mean* similarity over all their cross pairs stays above a threshold,
and a pair the candidate index never proposed counts as 0. A single bridge
between two groups of ten therefore weighs 1/100 of a full match.

The implementation keeps, for every group, the summed similarity to each
neighbouring group, and a heap of candidate merges; stale heap entries are
skipped (lazy deletion). Cost is about O(E log E) for E candidate edges.
Ties are broken by group ids, so the result is deterministic.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass


@dataclass(slots=True)
class Dendrogram:
    """Merges in the order they happened: (left, right, level, new_id)."""

    n: int
    merges: list[tuple[int, int, float, int]]
    members: dict[int, list[int]]  # final groups: id -> sorted member indices


def average_linkage(n: int, edges: list[tuple[int, int, float]], threshold: float) -> Dendrogram:
    """Cluster ``n`` items given sparse similarities ``(a, b, s)``."""
    adj: dict[int, dict[int, float]] = {}
    for a, b, s in edges:
        if s <= 0 or a == b:
            continue
        adj.setdefault(a, {})
        adj.setdefault(b, {})
        adj[a][b] = adj[a].get(b, 0.0) + s
        adj[b][a] = adj[b].get(a, 0.0) + s
    size: dict[int, int] = dict.fromkeys(range(n), 1)
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    version: dict[int, int] = dict.fromkeys(range(n), 0)
    heap: list[tuple[float, int, int, int, int]] = []
    for a in sorted(adj):
        for b, s in sorted(adj[a].items()):
            if a < b and s >= threshold:
                heap.append((-s, a, b, 0, 0))
    heapq.heapify(heap)
    merges: list[tuple[int, int, float, int]] = []
    next_id = n
    while heap:
        neg, a, b, va, vb = heapq.heappop(heap)
        if version.get(a) != va or version.get(b) != vb:
            continue
        level = -neg
        if level < threshold:
            break
        new = next_id
        next_id += 1
        na, nb = adj.pop(a, {}), adj.pop(b, {})
        na.pop(b, None)
        nb.pop(a, None)
        if len(na) < len(nb):
            na, nb = nb, na
        for c, s in nb.items():
            na[c] = na.get(c, 0.0) + s
        adj[new] = na
        size[new] = size.pop(a) + size.pop(b)
        members[new] = sorted(members.pop(a) + members.pop(b))
        del version[a], version[b]
        version[new] = 0
        merges.append((a, b, level, new))
        for c in sorted(na):
            nc = adj[c]
            s = nc.pop(a, 0.0) + nc.pop(b, 0.0)
            nc[new] = s
            avg = s / (size[new] * size[c])
            if avg >= threshold:
                heapq.heappush(heap, (-avg, c, new, version[c], 0))
    return Dendrogram(n, merges, members)


def cophenetic_pairs(d: Dendrogram) -> dict[tuple[int, int], float]:
    """For every pair inside a final group, the level at which it was joined.

    Quadratic in group size: meant for file mode and small corpora.
    """
    out: dict[tuple[int, int], float] = {}
    groups: dict[int, list[int]] = {i: [i] for i in range(d.n)}
    for a, b, level, new in d.merges:
        ga, gb = groups.pop(a), groups.pop(b)
        for x in ga:
            for y in gb:
                out[(x, y) if x < y else (y, x)] = level
        groups[new] = ga + gb
    return out
