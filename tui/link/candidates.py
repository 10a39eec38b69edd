"""Candidate pairs from inverted indexes, never from all pairs (vectorised with numpy).

A posting is (row, term, weight). For every term whose document frequency
lies between 2 and a cap, each pair of rows in its postings list gets the
product of their weights (summed: the dot product restricted to informative
terms) and the other per-pair statistics the scorer needs. Terms above the
cap (the "said"/"Ukraine" of a corpus) generate no pairs. The cap is the
largest value that keeps the number of generated pairs under a budget
proportional to the number of rows, so the cost grows near-linearly with
the corpus whatever its vocabulary. Postings lists of equal length are
expanded together (one numpy operation per distinct length), so there is no
Python loop over terms.
"""

from __future__ import annotations

import numpy as np

#: generated postings pairs allowed per row (the near-linear budget)
PAIR_BUDGET_PER_ROW = 50
#: small corpora get every informative pair (ECB+-sized collections are exact)
MIN_BUDGET = 1_000_000
MIN_CAP = 8


def choose_cap(df: np.ndarray, n: int) -> int:
    """Largest document-frequency cap whose postings pairs fit the budget."""
    budget = max(PAIR_BUDGET_PER_ROW * max(n, 1), MIN_BUDGET)
    values = np.sort(df[df >= 2]).astype(np.int64)
    if values.size == 0:
        return MIN_CAP
    uniq, counts = np.unique(values, return_counts=True)
    cost = np.cumsum(counts * uniq * (uniq - 1) // 2)
    fits = uniq[cost <= budget]
    if fits.size == 0:
        return 2
    return int(fits[-1]) if fits[-1] < uniq[-1] else max(int(uniq[-1]), MIN_CAP)


def pair_sums(
    rows: np.ndarray,
    terms: np.ndarray,
    values: list[np.ndarray],
    n_rows: int,
    df: np.ndarray,
    group: np.ndarray,
) -> tuple[np.ndarray, list[np.ndarray]]:
    """For every pair of rows sharing an informative term: sums of value products.

    ``rows``/``terms`` are postings (one per distinct row-term), ``values`` a
    list of per-posting weight arrays; the result has, for each output array,
    the sum over shared terms of ``value[a] * value[b]``. Pairs of rows with
    the same ``group`` (source) are skipped. Returns sorted unique pair keys
    ``a * n_rows + b`` (a < b) and the sums.
    """
    cap = choose_cap(df, n_rows)
    keep = (df[terms] >= 2) & (df[terms] <= cap)
    r, t = rows[keep], terms[keep]
    vals = [v[keep] for v in values]
    order = np.lexsort((r, t))
    r, t = r[order], t[order]
    vals = [v[order] for v in vals]
    if r.size == 0:
        return np.empty(0, np.int64), [np.empty(0) for _ in values]
    starts = np.flatnonzero(np.concatenate(([True], t[1:] != t[:-1])))
    lengths = np.diff(np.concatenate((starts, [t.size])))
    keys_parts: list[np.ndarray] = []
    sums_parts: list[list[np.ndarray]] = [[] for _ in values]
    for d in np.unique(lengths).tolist():
        if d < 2:
            continue
        sel = starts[lengths == d]
        block = sel[:, None] + np.arange(d)[None, :]  # (terms with df d) x d posting indices
        ia, ib = np.triu_indices(d, 1)
        pa, pb = block[:, ia].ravel(), block[:, ib].ravel()
        a, b = r[pa], r[pb]
        ok = group[a] != group[b]
        pa, pb, a, b = pa[ok], pb[ok], a[ok], b[ok]
        keys_parts.append(a.astype(np.int64) * n_rows + b)
        for k, v in enumerate(vals):
            sums_parts[k].append((v[pa] * v[pb]).astype(np.float32))
    if not keys_parts:
        return np.empty(0, np.int64), [np.empty(0) for _ in values]
    keys = np.concatenate(keys_parts)
    del keys_parts  # the pairs are the linker's largest arrays: each copy goes once done
    if keys.size == 0:
        return keys, [np.empty(0) for _ in values]
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    first = np.flatnonzero(np.concatenate(([True], keys[1:] != keys[:-1])))
    keys = keys[first]
    sums = []
    for parts in sums_parts:
        products = np.concatenate(parts)
        parts.clear()
        sums.append(np.add.reduceat(products[order].astype(np.float64), first))
        del products
    return keys, sums


def top_k(keys: np.ndarray, score: np.ndarray, n_rows: int, k: int) -> np.ndarray:
    """Keys of the pairs that are among the ``k`` best of either end (sorted).

    Every pair is ranked at both of its ends. The arrays are built without
    copies of ``keys`` and ``score`` per end and in 32-bit integers where
    they fit: on the 160,000-passage corpus this function was the linker's
    peak memory (about 180 bytes per pair, now about 50).
    """
    m = keys.size
    if m == 0:
        return keys
    small = 2 * m < 2**31 and n_rows < 2**31
    node = np.empty(2 * m, dtype=np.int32 if small else np.int64)
    node[:m] = keys // n_rows
    node[m:] = keys % n_rows
    # one float sort key: node first, then higher score first (scores lie in [0, 2))
    span = 2.0 + float(max(score.max(initial=0.0), 0.0))
    sort_key = node * span
    tail = span - 1.0 - np.clip(score, 0.0, None)
    sort_key[:m] += tail
    sort_key[m:] += tail
    del tail
    order = np.argsort(sort_key, kind="stable")
    del sort_key
    node = node[order]
    first = np.flatnonzero(np.concatenate(([True], node[1:] != node[:-1])))
    sizes = np.diff(np.concatenate((first, [node.size])))
    del node
    rank = np.arange(2 * m, dtype=np.int32 if small else np.int64)
    rank -= np.repeat(first.astype(rank.dtype), sizes)
    best = order[rank < k]
    del rank, order
    return unique_sorted(keys[best % m])


def unique_sorted(x: np.ndarray) -> np.ndarray:
    """Sorted unique values (sort-based; faster than np.unique's hashing for int64 keys)."""
    if x.size == 0:
        return x
    x = np.sort(x)
    return x[np.concatenate(([True], x[1:] != x[:-1]))]
