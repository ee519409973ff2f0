"""Nearest neighbours on a weighted standardised distance, exactly, with missing factors allowed.

Brute force over every pair of schools within a group: a local authority has at most a few hundred primary
schools, where this is as fast as a k-d tree (the benchmark measured 1.19 s brute force against 1.26 s with
k-d trees for every LA's families in England) and far simpler.

distance(i, j) = sqrt( sum_f w_f (z_if - z_jf)^2 / sum_f w_f ), over the factors both schools have (a school
sharing no factor with another never has it as a neighbour). Distances are compared to 12 decimal places and
ties go to the lower URN, so the answer does not depend on floating-point noise or row order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import ParameterError


def _weighted_matrix(scores: pd.DataFrame, weights: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The z-scores of the factors with a positive weight, and those weights."""
    w = weights.set_index("factor")["weight_used"]
    cols = [c for c in scores.columns if c.startswith("z_") and w.get(c[2:], 0) > 0]
    return scores[cols].to_numpy(dtype=float), np.array([w[c[2:]] for c in cols], dtype=float)


def _knn(z: np.ndarray, wv: np.ndarray, k: int, block: int = 256) -> tuple[np.ndarray, np.ndarray]:
    """Row indices and distances of each row's k nearest other rows (rows in URN order)."""
    n = len(z)
    kk = min(int(k), n - 1)
    idx_out = np.empty((n, kk), dtype=int)
    d_out = np.empty((n, kk))
    for start in range(0, n, block):  # a block of rows at a time keeps the n x n x factors array small
        rows = np.arange(start, min(start + block, n))
        squared = (z[rows, None, :] - z[None, :, :]) ** 2
        shared_weight = (~np.isnan(squared) * wv).sum(axis=2)
        with np.errstate(invalid="ignore", divide="ignore"):
            d = np.round(np.sqrt(np.nansum(squared * wv, axis=2) / shared_weight), 12)
        d[(shared_weight == 0) | (np.arange(n)[None, :] == rows[:, None])] = np.inf  # no shared factor; oneself
        order = np.argsort(d, axis=1, kind="stable")[:, :kk]  # stable: equal distances keep URN order
        idx_out[rows] = order
        d_out[rows] = np.take_along_axis(d, order, axis=1)
    return idx_out, d_out


def nearest_neighbours(schools: pd.DataFrame, scores: pd.DataFrame, weights: pd.DataFrame, k: int, *,
                       by: str | None = None) -> pd.DataFrame:
    """Each school's k nearest schools (within its ``by`` group): one row per (urn, rank) with
    ``neighbour_urn`` and ``distance``.

    >>> schools = pd.DataFrame({"urn": ["a", "b", "c"]})
    >>> scores = pd.DataFrame({"z_x": [0.0, 1.0, 3.0]})
    >>> weights = pd.DataFrame({"factor": ["x"], "weight_used": [1.0]})
    >>> nearest_neighbours(schools, scores, weights, 1)[["urn", "neighbour_urn", "distance"]].values.tolist()
    [['a', 'b', 1.0], ['b', 'a', 1.0], ['c', 'b', 2.0]]
    """
    if int(k) < 1:
        raise ParameterError(f"k_neighbours: must be at least 1, got {k}")
    frames = []
    groups = schools.groupby(by, sort=True).groups if by else {None: schools.index}
    for _, index in groups.items():
        part = schools.loc[index].sort_values("urn", kind="stable")
        if len(part) < 2:
            continue
        z, wv = _weighted_matrix(scores.loc[part.index], weights)
        idx, dist = _knn(z, wv, int(k))
        urns = part["urn"].to_numpy()
        kk = idx.shape[1]
        found = np.isfinite(dist.ravel())
        frames.append(pd.DataFrame({
            "urn": np.repeat(urns, kk)[found],
            "rank": np.tile(np.arange(1, kk + 1), len(urns))[found],
            "neighbour_urn": urns[idx.ravel()[found]],
            "distance": dist.ravel()[found],
        }))
    cols = ["urn", "rank", "neighbour_urn", "distance"]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=cols)
