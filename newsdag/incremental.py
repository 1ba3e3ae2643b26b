"""Incremental runs of the cross-day tables: what a new or changed day can change.

The per-article tables are partitioned by day; the cross-day tables (stories,
overlap, outlets) cover every day. A run compares the data version of each
day's ``articles`` partition with the versions its previous output was made
from (kept in that output's Parquet footer). Nothing changed: the previous
output stands. Otherwise every article from ``trailing_days`` before the
earliest changed day onwards is recomputed, and older articles keep their
stories and pairs as they were. A changed setting or code version, or no
previous output, means a full rebuild.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from dataclasses import dataclass
from typing import Mapping

import numpy as np
import pandas as pd

FULL = "full"
UNCHANGED = "unchanged"
TRAILING = "trailing"


@dataclass(frozen=True)
class RecomputePlan:
    """What a cross-day run recomputes.

    ``mode`` is ``full`` (everything), ``unchanged`` (keep the previous output)
    or ``trailing`` (articles whose day is ``recompute_from`` or later);
    ``changed_days`` lists the days whose articles differ; ``reason`` says why
    in words, for the run's log and metadata.
    """

    mode: str
    recompute_from: str | None
    changed_days: tuple[str, ...]
    reason: str

    def as_metadata(self) -> dict:
        return {"mode": self.mode, "recompute_from": self.recompute_from or "", "reason": self.reason,
                "n_changed_days": len(self.changed_days),
                "changed_days": list(self.changed_days[:20]) + (["…"] if len(self.changed_days) > 20 else [])}


def day_versions_from_footer(upstream_json: str | None, table: str) -> dict[str, str] | None:
    """``{day: data version}`` of ``table`` as recorded in a footer's ``upstream`` JSON, or None."""
    if not upstream_json:
        return None
    files = json.loads(upstream_json).get(table)
    if files is None:
        return None
    return {path.split("/")[0]: version for path, version in files.items() if "/" in path}


def shift_day(day: str, days: float) -> str:
    """``day`` (YYYY-MM-DD) moved by ``days``, rounded outwards to whole days."""
    delta = math.ceil(abs(days)) * (1 if days >= 0 else -1)
    return (dt.date.fromisoformat(day) + dt.timedelta(days=delta)).isoformat()


def in_reach(days, recompute_from: str, window_days: float) -> np.ndarray:
    """Bool mask of the ``days`` (YYYY-MM-DD strings) an article recomputed from
    ``recompute_from`` on can be compared with: that day and ``window_days``
    (plus one, for times within a day) before it."""
    return (pd.Series(days).astype(str) >= shift_day(recompute_from, -(window_days + 1))).to_numpy()


def plan_recompute(current: Mapping[str, str], previous: Mapping[str, str] | None, trailing_days: float,
                   same_settings: bool = True) -> RecomputePlan:
    """Compare day versions now (``current``) with those the previous output was
    made from (``previous``; None when there is no previous output)."""
    if previous is None:
        return RecomputePlan(FULL, None, tuple(sorted(current)), "no previous output")
    if not same_settings:
        return RecomputePlan(FULL, None, tuple(sorted(current)), "settings or code version changed")
    changed = tuple(sorted(d for d in set(current) | set(previous) if current.get(d) != previous.get(d)))
    if not changed:
        return RecomputePlan(UNCHANGED, None, (), "no day changed")
    start = shift_day(changed[0], -trailing_days)
    return RecomputePlan(TRAILING, start, changed,
                         f"{len(changed)} day(s) changed from {changed[0]}; recomputing from {start} "
                         f"({trailing_days:g} days before)")
