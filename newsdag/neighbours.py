"""Candidate neighbours: sparse top-k cosine similarity within a time window.

Never all pairs: a dated article is compared only with articles published
within ``window_days`` of it (and with undated ones); the work grows with the
number of articles times the articles per window, not with the square of the
corpus. Rows are processed in chunks sized so that one chunk's candidate block
stays within a fixed budget of cells.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp

def days_since_epoch(published: pd.Series) -> np.ndarray:
    """Publication times as float days since 1970 (NaN for undated), shape (n,)."""
    ts = pd.Series(pd.to_datetime(published, utc=True))
    # Subtracting the epoch, not casting to int64: a cast counts in the
    # series' own unit (Parquet gives microseconds, pandas nanoseconds).
    return ((ts - pd.Timestamp(0, tz="UTC")) / pd.Timedelta(days=1)).to_numpy(dtype=np.float64, na_value=np.nan)


# Below this many rows the search runs in the caller's process: starting
# processes costs more than it saves.
MIN_ROWS_FOR_WORKERS = 5_000
# Chunks of home rows per worker: enough that a chunk of busy days does not
# leave the other workers idle at the end.
CHUNKS_PER_WORKER = 4


def topk_neighbours(
    X: sp.csr_matrix,
    days: np.ndarray,
    k: int = 10,
    min_similarity: float = 0.1,
    window_days: float = 2.0,
    cell_budget: int = 20_000_000,
    half_life_hours: float | None = None,
    workers: int = 1,
) -> pd.DataFrame:
    """For each row of ``X`` (L2-normalised), its ``k`` most similar other rows.

    Only pairs within ``window_days`` of each other (by ``days``, float days,
    NaN = undated) are compared; an undated row is compared with every row.
    With ``half_life_hours``, a pair's similarity is its cosine times
    :func:`time_weight` of the gap between the two times, so that the top k
    and ``min_similarity`` prefer articles close in time; None: the cosine.
    Pairs below ``min_similarity`` are dropped.

    Returns an undirected edge list with columns ``i`` < ``j`` (int64 row
    numbers) and ``similarity`` (float32 cosine), each pair once, sorted by
    (i, j). Deterministic, and the same edges, to the bit, for any number of
    ``workers``.

    With ``workers`` > 1, at least :data:`MIN_ROWS_FOR_WORKERS` rows and a
    positive window, the rows' lists are made in spawned processes
    (:func:`newsdag.workers.in_workers`). Dated rows, in publication order,
    are cut into chunks; a chunk's task holds its rows and every row within
    ``window_days`` of them (found with the same comparisons
    :func:`topk_directed` makes) plus the undated rows, in row order, so that
    ties between equal similarities break by row as in one process. Undated
    rows, compared with every row, are one task of the whole matrix
    (:func:`neighbour_tasks`).
    """
    if workers <= 1 or X.shape[0] < MIN_ROWS_FOR_WORKERS or not window_days > 0:
        return symmetric_edges(*topk_directed(X, days, k, min_similarity, window_days, cell_budget,
                                              half_life_hours=half_life_hours))
    from newsdag.workers import in_workers

    X = sp.csr_matrix(X, dtype=np.float32)
    days = np.asarray(days, dtype=np.float64)
    params = (k, min_similarity, window_days, cell_budget, half_life_hours)
    parts = list(in_workers(_topk_task, neighbour_tasks(X, days, window_days, workers * CHUNKS_PER_WORKER),
                            workers, "searching neighbours", initializer=_start_neighbour_worker,
                            initargs=(params,)))
    if not parts:
        return symmetric_edges(np.array([], np.int64), np.array([], np.int64), np.array([], np.float32))
    return symmetric_edges(*(np.concatenate(column) for column in zip(*parts)))


def neighbour_tasks(X: sp.csr_matrix, days: np.ndarray, window_days: float, n_chunks: int):
    """The tasks of :func:`topk_neighbours` in workers: ``(members, X[members],
    days[members], home)`` with ``members`` (int64 row numbers, ascending) and
    ``home`` (bool per member, the rows whose lists the task makes). Yielded
    one at a time, so only the tasks in flight hold their slices of ``X``."""
    n = X.shape[0]
    undated = np.flatnonzero(np.isnan(days))
    dated = np.flatnonzero(~np.isnan(days))
    dated = dated[np.argsort(days[dated], kind="stable")]
    dated_days = days[dated]
    # A hair wider than the window, so that rounding in ``day - window``
    # never drops a row the task's own test (|gap| <= window) would keep;
    # the task drops the extra rows by that test.
    reach = window_days * (1 + 1e-9) + 1e-9
    for chunk in np.array_split(np.arange(len(dated)), min(n_chunks, max(len(dated), 1))):
        if len(chunk) == 0:
            continue
        lo = np.searchsorted(dated_days, dated_days[chunk[0]] - reach, side="left")
        hi = np.searchsorted(dated_days, dated_days[chunk[-1]] + reach, side="right")
        members = np.sort(np.concatenate([dated[lo:hi], undated]))
        home = np.isin(members, dated[chunk])
        yield members, X[members], days[members], home
    if len(undated):
        members = np.arange(n)
        home = np.zeros(n, dtype=bool)
        home[undated] = True
        yield members, X, days, home


_NEIGHBOUR_PARAMS: list = []


def _start_neighbour_worker(params: tuple) -> None:
    _NEIGHBOUR_PARAMS[:] = [params]


def _topk_task(task: tuple) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    members, X, days, home = task
    k, min_similarity, window_days, cell_budget, half_life_hours = _NEIGHBOUR_PARAMS[0]
    r, c, s = topk_directed(X, days, k, min_similarity, window_days, cell_budget, home=home,
                            half_life_hours=half_life_hours)
    return members[r], members[c], s


def time_weight(gap_days: np.ndarray, half_life_hours: float) -> np.ndarray:
    """``2 ** -(gap in hours / half_life_hours)``, float32, shape of ``gap_days``
    (float days; NaN, an undated side, weighs 1)."""
    gap = np.asarray(gap_days, dtype=np.float64)
    return np.exp2(-np.nan_to_num(np.abs(gap), nan=0.0) * 24.0 / half_life_hours).astype(np.float32)


def topk_directed(
    X: sp.csr_matrix,
    days: np.ndarray,
    k: int = 10,
    min_similarity: float = 0.1,
    window_days: float = 2.0,
    cell_budget: int = 20_000_000,
    home: np.ndarray | None = None,
    half_life_hours: float | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The directed top-k lists behind :func:`topk_neighbours`.

    ``home`` (bool, shape (n,); default all) picks the rows whose lists are
    computed; every row is a candidate. A row's list depends only on the rows
    within its window, so a time block of rows with its neighbouring blocks
    gives the same lists as the whole corpus (the Spark backend relies on it).
    Returns ``(row, col, similarity)``: int64, int64, float32 arrays.
    """
    X = sp.csr_matrix(X, dtype=np.float32)
    n = X.shape[0]
    days = np.asarray(days, dtype=np.float64)
    home = np.ones(n, dtype=bool) if home is None else np.asarray(home, dtype=bool)
    undated = np.flatnonzero(np.isnan(days))
    dated = np.flatnonzero(~np.isnan(days))
    dated = dated[np.argsort(days[dated], kind="stable")]
    dated_days = days[dated]
    home_dated = dated[home[dated]]
    home_days = days[home_dated]

    parts_i, parts_j, parts_s = [], [], []

    def run(rows: np.ndarray, cands: np.ndarray) -> None:
        if len(rows) == 0 or len(cands) == 0:
            return
        S = (X[rows] @ X[cands].T).tocsr()
        # Most products are below min_similarity (two texts sharing a few
        # common words): drop them first, so the rest of the work is on the few
        # kept. The lexsort below orders fully, so S's index order is irrelevant.
        at = np.flatnonzero(S.data >= min_similarity)
        rr = np.searchsorted(S.indptr, at, side="right") - 1
        ri, cj, val = rows[rr], cands[S.indices[at]], S.data[at]
        keep = ri != cj
        di, dj = days[ri], days[cj]
        close = np.isnan(di) | np.isnan(dj) | (np.abs(di - dj) <= window_days)
        keep &= close
        ri, cj, val = ri[keep], cj[keep], val[keep]
        if half_life_hours is not None:
            val = val * time_weight(days[ri] - days[cj], half_life_hours)
            kept = val >= min_similarity
            ri, cj, val = ri[kept], cj[kept], val[kept]
        if len(ri) == 0:
            return
        # k best per row: sort by row, then similarity descending, then column.
        order = np.lexsort((cj, -val, ri))
        ri, cj, val = ri[order], cj[order], val[order]
        starts = np.r_[0, np.flatnonzero(np.diff(ri)) + 1]
        rank = np.arange(len(ri)) - np.repeat(starts, np.diff(np.r_[starts, len(ri)]))
        top = rank < k
        parts_i.append(ri[top]); parts_j.append(cj[top]); parts_s.append(val[top])

    # Dated home rows in chunks of consecutive publication time.
    start = 0
    while start < len(home_dated):
        lo = np.searchsorted(dated_days, home_days[start] - window_days, side="left")
        # Grow the chunk while its candidate block fits the budget.
        stop = start + 1
        step = 64
        while stop < len(home_dated):
            nxt = min(len(home_dated), stop + step)
            hi = np.searchsorted(dated_days, home_days[nxt - 1] + window_days, side="right")
            if (nxt - start) * (hi - lo + len(undated)) > cell_budget:
                break
            stop = nxt
        hi = np.searchsorted(dated_days, home_days[stop - 1] + window_days, side="right")
        cands = np.concatenate([dated[lo:hi], undated])
        run(home_dated[start:stop], cands)
        start = stop

    # Undated home rows against everything.
    home_undated = undated[home[undated]]
    if len(home_undated):
        everyone = np.arange(n)
        chunk = max(1, cell_budget // max(n, 1))
        for s in range(0, len(home_undated), chunk):
            run(home_undated[s : s + chunk], everyone)

    if not parts_i:
        return np.array([], np.int64), np.array([], np.int64), np.array([], np.float32)
    return (np.concatenate(parts_i).astype(np.int64), np.concatenate(parts_j).astype(np.int64),
            np.concatenate(parts_s).astype(np.float32))


def symmetric_edges(i: np.ndarray, j: np.ndarray, similarity: np.ndarray) -> pd.DataFrame:
    """Directed top-k lists as an undirected edge list: ``i`` < ``j`` (int64),
    ``similarity`` (float32, the larger of the two directions), sorted by (i, j)."""
    a, b = np.minimum(i, j), np.maximum(i, j)
    edges = pd.DataFrame({"i": a.astype(np.int64), "j": b.astype(np.int64),
                          "similarity": np.asarray(similarity, dtype=np.float32)})
    return edges.groupby(["i", "j"], sort=True, as_index=False)["similarity"].max()
