"""newsdag: which news articles tell the same story, and who reused or rewrote whom.

The domain library: plain functions over pandas, pyarrow, numpy and scipy.
Nothing here imports Dagster; the Dagster code location in ``assets/`` wraps it.
"""

__version__ = "0.1.0"
