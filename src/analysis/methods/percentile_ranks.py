"""Percentile ranks within year, exactly and fast: the ranking step of :mod:`analysis.methods.months`.

Per year, one ``np.sort`` of packed 64-bit keys (the score's order-preserving bits with the row number in the
low bits), an exact re-sort of the few runs whose leading bits tie although the scores differ, then mid-ranks
by position: 6M pupils in about half a second (``benchmarks/months_6m.py``), the same ranks as pandas'
``groupby().rank()`` (``tests/unit/test_months_fast.py``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _rank_one_year(s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(order, pct): the permutation sorting one year's scores (no NaN) and, in that order, their percentile ranks.

    One ``np.sort`` of 64-bit keys: the score's bits made order-preserving (IEEE 754: flip all bits of a negative,
    the sign bit of the rest), low bits replaced by the position. Dropping bits only merges neighbours, so runs of
    equal keys with different scores are re-sorted on the scores: order, ties and ranks are exactly the scores'.
    """
    u, n, n_bits = np.uint64, s.size, max(s.size - 1, 1).bit_length()
    key = (s + 0.0).view(u)  # -0.0 -> 0.0: equal scores, equal keys
    key ^= (key.view(np.int64) >> 63).view(u) | u(1 << 63)  # negatives: flip every bit, others the sign bit
    key &= ~u((1 << n_bits) - 1)
    key |= np.arange(n, dtype=u)
    key.sort()
    order = (key & u((1 << n_bits) - 1)).view(np.intp)
    key >>= u(n_bits)
    same = np.flatnonzero(key[1:] == key[:-1])  # pupils same, same + 1: the same leading bits
    if (differ := s[order[same]] != s[order[same + 1]]).any():  # re-sort those runs on (key, score)
        p = np.flatnonzero(np.bincount(np.concatenate((same, same + 1)), minlength=n))  # union1d hashes: slow
        p = p[np.isin(key[p], key[same[differ]])]
        order[p] = order[p[np.lexsort((s[order[p]], key[p]))]]
    v = s[order]  # the sorted scores
    start = np.flatnonzero(np.concatenate(([True], v[1:] != v[:-1])))  # the first pupil of each distinct score
    size = np.diff(np.append(start, n))
    return order, np.repeat(((2 * start + size - 1) / 2.0 + 0.5) / max(n, 1), size)  # (mid-rank - 0.5) / n


def sorted_ranks(scores: np.ndarray, year_codes: np.ndarray, n_years: int) -> tuple[np.ndarray, np.ndarray]:
    """(rows, pct): the rows with a score and a year, in (year, score) order, and their percentile ranks."""
    rows = None if (valid := ~np.isnan(scores) & (year_codes >= 0)).all() else np.flatnonzero(valid)
    codes = year_codes if rows is None else year_codes[rows]
    if (codes[1:] < codes[:-1]).any():  # not grouped by year: a stable radix sort of the small year codes
        by_year = np.argsort(codes.astype(np.min_scalar_type(n_years)), kind="stable")
        rows, codes = (by_year if rows is None else rows[by_year]), codes[by_year]
    s, year_end = (scores if rows is None else scores[rows]), np.cumsum(np.bincount(codes, minlength=n_years))
    order, pct = np.empty(s.size, dtype=np.intp), np.empty(s.size)
    for first, end in zip(np.append(0, year_end[:-1]), year_end):  # a year at a time: more key bits for the score
        order[first:end], pct[first:end] = _rank_one_year(s[first:end])
        order[first:end] += first
    return (order if rows is None else rows[order]), pct


def percentile_ranks(scores: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Percentile rank ``(mid-rank - 0.5) / n`` of each score within its year; NaN scores get NaN.

    Ties share the mean of their ranks. Hand example: scores 10, 20, 20, 40 -> ranks 1, 2.5, 2.5, 4 ->
    (0.5, 2, 2, 3.5) / 4.

    >>> percentile_ranks(np.array([10., 20, 20, 40]), np.array([1, 1, 1, 1])).tolist()
    [0.125, 0.5, 0.5, 0.875]
    """
    scores = np.asarray(scores, dtype=float)
    codes, uniques = pd.factorize(np.asarray(years), sort=True)
    out = np.full(len(scores), np.nan)
    rows, pct = sorted_ranks(scores, codes, len(uniques))
    out[rows] = pct
    return out
