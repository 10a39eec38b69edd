"""Candidate pairs from an inverted index, never from all pairs.

Every term whose document frequency lies between 2 and a cap contributes
the product of its weights to each pair of passages in its postings list;
summed, this is the cosine restricted to informative terms. Terms above the
cap (the "said"/"Ukraine" of a corpus) are left out of candidate generation
only (they still count in the final score). The cap is the largest value
that keeps the number of generated postings pairs under a budget
proportional to the corpus size, so the cost grows near-linearly with the
number of passages, whatever the corpus. Each passage then keeps its best
``k`` partners from other sources.

The heavy lifting is vectorised with numpy (sorting integer pair keys),
which keeps 160,000 passages in seconds and well under a gigabyte.
"""

from __future__ import annotations

import numpy as np

#: generated postings pairs allowed per passage (the near-linear budget)
PAIR_BUDGET_PER_PASSAGE = 150
MIN_CAP = 8
_CHUNK = 4_000_000


def choose_cap(df: np.ndarray, n: int) -> int:
    """Largest df cap whose postings pairs fit the budget."""
    budget = PAIR_BUDGET_PER_PASSAGE * max(n, 1)
    values = np.sort(df[df >= 2])
    if values.size == 0:
        return MIN_CAP
    cost = np.cumsum(values * (values - 1) // 2)
    fits = values[cost <= budget]
    cap = int(fits[-1]) if fits.size else int(values[0])
    # include every term of that df only if the whole group fits
    while cap > MIN_CAP and int(cost[np.searchsorted(values, cap, side="right") - 1]) > budget:
        cap -= 1
    return max(cap, MIN_CAP) if n > MIN_CAP else max(cap, 2)


def candidate_pairs(
    vectors: list[dict[int, float]],
    src: np.ndarray,
    n_terms: int,
    df: np.ndarray,
    *,
    k: int,
) -> list[tuple[int, int]]:
    """Pairs ``(a, b)`` with ``a < b``, from different sources, sorted."""
    n = len(vectors)
    if n < 2:
        return []
    cap = choose_cap(df, n)
    # postings: (term, passage, weight), sorted by term then passage
    terms, pids, weights = [], [], []
    for i, v in enumerate(vectors):
        for j, w in v.items():
            d = df[j]
            if 2 <= d <= cap:
                terms.append(j)
                pids.append(i)
                weights.append(w)
    if not terms:
        return []
    t = np.asarray(terms, dtype=np.int64)
    pid = np.asarray(pids, dtype=np.int64)
    wt = np.asarray(weights, dtype=np.float32)
    order = np.lexsort((pid, t))
    t, pid, wt = t[order], pid[order], wt[order]
    bounds = np.flatnonzero(np.diff(t)) + 1
    starts = np.concatenate(([0], bounds))
    ends = np.concatenate((bounds, [t.size]))
    lengths = ends - starts

    keys_parts: list[np.ndarray] = []
    vals_parts: list[np.ndarray] = []
    acc_keys = np.empty(0, dtype=np.int64)
    acc_vals = np.empty(0, dtype=np.float32)
    pending = 0
    tri_cache: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for s, e, d in zip(starts.tolist(), ends.tolist(), lengths.tolist(), strict=True):
        if d < 2:
            continue
        tri = tri_cache.get(d)
        if tri is None:
            tri = tri_cache[d] = np.triu_indices(d, 1)
        ia, ib = tri
        a = pid[s:e][ia]
        b = pid[s:e][ib]
        keep = src[a] != src[b]
        if not keep.all():
            a, b, ia, ib = a[keep], b[keep], ia[keep], ib[keep]
        keys_parts.append(a * n + b)
        vals_parts.append(wt[s:e][ia] * wt[s:e][ib])
        pending += a.size
        if pending >= _CHUNK:
            acc_keys, acc_vals = _reduce(acc_keys, acc_vals, keys_parts, vals_parts)
            keys_parts, vals_parts, pending = [], [], 0
    acc_keys, acc_vals = _reduce(acc_keys, acc_vals, keys_parts, vals_parts)
    if acc_keys.size == 0:
        return []
    a = acc_keys // n
    b = acc_keys % n
    # best k partners of each passage, ties broken by partner index (= id order)
    node = np.concatenate((a, b))
    other = np.concatenate((b, a))
    score = np.concatenate((acc_vals, acc_vals))
    order = np.lexsort((other, -score, node))
    node, other = node[order], other[order]
    first = np.concatenate(([0], np.flatnonzero(np.diff(node)) + 1))
    group_start = np.repeat(first, np.diff(np.concatenate((first, [node.size]))))
    rank = np.arange(node.size) - group_start
    sel = rank < k
    x, y = node[sel], other[sel]
    lo, hi = np.minimum(x, y), np.maximum(x, y)
    kept = np.unique(lo * n + hi)
    return [(int(key // n), int(key % n)) for key in kept]


def _reduce(acc_keys: np.ndarray, acc_vals: np.ndarray, keys_parts: list[np.ndarray],
            vals_parts: list[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Sum values of equal pair keys (sorted unique keys out)."""
    if not keys_parts:
        return acc_keys, acc_vals
    keys = np.concatenate([acc_keys, *keys_parts])
    vals = np.concatenate([acc_vals, *vals_parts])
    uniq, inverse = np.unique(keys, return_inverse=True)
    sums = np.bincount(inverse, weights=vals, minlength=uniq.size).astype(np.float32)
    return uniq, sums
