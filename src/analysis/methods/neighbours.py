"""Nearest neighbours on a weighted standardised distance, exactly, with missing factors allowed.

Candidates from k-d trees (scipy's cKDTree), then the documented distance for those only: every school
within each school's k-th distance, ties included, so the answer is the brute-force one (tested against every
pair in plain Python). A local authority's few hundred schools take milliseconds either way; England as one
group (14,600 schools, 213 million pairs) takes 1.7 s against 12.6 s for every pair
(``benchmarks/families_national.py``).

distance(i, j) = sqrt( sum_f w_f (z_if - z_jf)^2 / sum_f w_f ), over the factors both schools have (a school
sharing no factor with another never has it as a neighbour). Distances are compared to 12 decimal places and
ties go to the lower URN, so the answer does not depend on floating-point noise or row order.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.spatial import cKDTree

from ..errors import ParameterError


def _weighted_matrix(scores: pd.DataFrame, weights: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The z-scores of the factors with a positive weight, and those weights."""
    w = weights.set_index("factor")["weight_used"]
    cols = [c for c in scores.columns if c.startswith("z_") and w.get(c[2:], 0) > 0]
    return scores[cols].to_numpy(dtype=float), np.array([w[c[2:]] for c in cols], dtype=float)


def _distance(zi: np.ndarray, zj: np.ndarray, wv: np.ndarray) -> np.ndarray:
    """The documented distance between the z-score rows ``zi`` and ``zj`` (broadcast; factors on the last axis),
    rounded to 12 places; inf where they share no factor."""
    squared = (zi - zj) ** 2
    shared_weight = (~np.isnan(squared) * wv).sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        d = np.round(np.sqrt(np.nansum(squared * wv, axis=-1) / shared_weight), 12)
    d[shared_weight == 0] = np.inf
    return d


def _ball_pairs(tree: cKDTree, columns: np.ndarray, rows: np.ndarray, x: np.ndarray, radius: np.ndarray):
    """(row, column) pairs of the tree's points within each query point's radius (``columns`` names the tree's
    points, ``rows`` the query points)."""
    balls = tree.query_ball_point(x, radius, return_sorted=False)
    sizes = np.fromiter(map(len, balls), dtype=np.intp, count=len(balls))
    found = np.concatenate(balls).astype(np.intp) if sizes.sum() else np.empty(0, dtype=np.intp)
    return np.repeat(rows, sizes), columns[found]


#: bytes of one brute-force block's (schools x all schools x factors) array: glibc's malloc serves blocks up to its
#: 32 MiB mmap ceiling from memory it keeps and reuses; a larger one is mapped afresh and faulted in page by page
#: each time (for England as one group, 256 schools a block: 120 MB arrays, and 0.3-4.8 s of page faults per call on
#: a busy virtual machine against about 1 s of arithmetic)
BLOCK_BYTES = 8 * 2**20


def _candidate_pairs(z: np.ndarray, wv: np.ndarray, k: int, block: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(row, column) pairs that include every row's k nearest rows and every tie with the k-th.

    The distance over a set of factors is Euclidean on the z-scores scaled by sqrt(weight / the set's total
    weight), so k-d trees (scipy's cKDTree) find the candidates. Schools with every factor: the k-th nearest
    school with every factor sets a radius (an upper bound of the true k-th distance, widened by far more than
    rounding error so that ties at 12 places stay in); the candidates are every school within it, those with
    every factor from one tree and those lacking some from one tree per pattern of missing factors (on the
    factors they have). Schools lacking a factor are compared with every school, a block at a time, keeping
    those at or within their k-th distance.
    """
    n = len(z)
    has = ~np.isnan(z)
    complete = has.all(axis=1)
    full = np.flatnonzero(complete)
    rows, cols = [], []
    brute = np.arange(n)
    if len(full) > k:  # the tree needs k other schools with every factor
        x = z[full] * np.sqrt(wv / wv.sum())
        tree = cKDTree(x)
        radius = tree.query(x, k=k + 1)[0][:, -1] * (1 + 1e-9) + 1e-12  # k + 1: each school finds itself first
        r, c = _ball_pairs(tree, full, full, x, radius)
        rows.append(r)
        cols.append(c)
        patterns, pattern_of = np.unique(has[~complete], axis=0, return_inverse=True)
        partial = np.flatnonzero(~complete)
        for p, present in enumerate(patterns):
            if not present.any():  # no factor at all: never anyone's neighbour
                continue
            members = partial[pattern_of.ravel() == p]
            scale = np.sqrt(wv[present] / wv[present].sum())
            r, c = _ball_pairs(cKDTree(z[np.ix_(members, present)] * scale), members, full,
                               z[np.ix_(full, present)] * scale, radius)
            rows.append(r)
            cols.append(c)
        brute = partial
    block = block or max(1, BLOCK_BYTES // (8 * n * max(1, z.shape[1])))
    for start in range(0, len(brute), block):
        part = brute[start:start + block]
        d = _distance(z[part, None, :], z[None, :, :], wv)
        d[np.arange(len(part)), part] = np.inf  # oneself
        kth = np.partition(d, k - 1, axis=1)[:, k - 1:k]
        r, c = np.nonzero(d <= kth)
        rows.append(part[r])
        cols.append(c)
    return np.concatenate(rows), np.concatenate(cols)


def _knn(z: np.ndarray, wv: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Row indices and distances of each row's k nearest other rows (rows in URN order): the candidates of
    :func:`_candidate_pairs` at the documented distance, sorted by distance, then by row (URN) order."""
    n = len(z)
    kk = min(int(k), n - 1)
    r, c = _candidate_pairs(z, wv, kk)
    d = _distance(z[r], z[c], wv)
    d[r == c] = np.inf  # oneself
    order = np.lexsort((c, d, r))
    r, c, d = r[order], c[order], d[order]
    keep = np.arange(len(r)) - np.searchsorted(r, np.arange(n))[r] < kk  # each row's kk nearest
    return c[keep].reshape(n, kk), d[keep].reshape(n, kk)


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
