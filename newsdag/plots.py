"""Pictures for people: PNG bytes from the tables (matplotlib, no display needed)."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

DPI = 100


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    return buf.getvalue()


def story_size_histogram(sizes: pd.Series) -> bytes:
    """Histogram of story sizes (articles per story), log-scaled counts."""
    fig, ax = plt.subplots(figsize=(6, 3.2))
    if len(sizes):
        top = int(sizes.max())
        bins = np.unique(np.geomspace(1, max(top, 2) + 1, num=min(30, top + 1)).astype(int))
        ax.hist(sizes, bins=bins, color="#4C72B0", edgecolor="white")
        ax.set_xscale("log")
        ax.set_yscale("log")
    ax.set_xlabel("articles in the story")
    ax.set_ylabel("stories")
    ax.set_title(f"{len(sizes):,} stories")
    return _png(fig)


def story_timeline(stories: pd.DataFrame, n: int = 15) -> bytes:
    """The ``n`` largest dated stories as bars from first to last publication."""
    top = stories.dropna(subset=["first_published"]).sort_values(["n_articles", "story_id"], ascending=[False, True]).head(n)
    fig, ax = plt.subplots(figsize=(8, 0.35 * max(len(top), 3) + 1))
    for y, r in enumerate(top.itertuples()):
        start, end = r.first_published, r.last_published
        width = max((end - start).total_seconds() / 86400, 0.15)
        ax.barh(y, width, left=matplotlib.dates.date2num(start.tz_convert(None)), color="#DD8452", height=0.6)
        label = (r.headline[:60] + "…") if len(r.headline) > 60 else r.headline
        ax.text(matplotlib.dates.date2num(start.tz_convert(None)), y, f" {label} ({r.n_articles})", va="center", fontsize=7)
    ax.xaxis_date()
    ax.set_yticks([])
    ax.invert_yaxis()
    ax.set_title("largest stories over time")
    fig.autofmt_xdate()
    return _png(fig)


def reuse_heatmap(source_overlap: pd.DataFrame, n: int = 15) -> bytes:
    """Outlet-by-outlet heatmap of derived pairs: rows take (b) from columns (a).
    The diagonal is an outlet reusing its own earlier text."""
    cross = source_overlap
    fig, ax = plt.subplots(figsize=(7, 6))
    if cross.empty:
        ax.text(0.5, 0.5, "no article pairs compared yet", ha="center", va="center")
        ax.set_axis_off()
        return _png(fig)
    weight = pd.concat([cross.groupby("source_a")["n_derived"].sum(), cross.groupby("source_b")["n_derived"].sum()])
    outlets = weight.groupby(level=0).sum().sort_values(ascending=False).head(n).index.tolist()
    m = cross.pivot_table(index="source_b", columns="source_a", values="n_derived", aggfunc="sum").reindex(
        index=outlets, columns=outlets).fillna(0)
    im = ax.imshow(m.to_numpy(), cmap="Reds")
    ax.set_xticks(range(len(outlets)), [o[:18] for o in outlets], rotation=60, ha="right", fontsize=7)
    ax.set_yticks(range(len(outlets)), [o[:18] for o in outlets], fontsize=7)
    ax.set_xlabel("origin outlet (a)")
    ax.set_ylabel("derived outlet (b)")
    ax.set_title("articles of b derived from a")
    fig.colorbar(im, ax=ax, shrink=0.7)
    return _png(fig)
