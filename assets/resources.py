"""Settings injected into assets: where the raw files and the warehouse are,
the input limits and the trailing window of incremental runs."""

from __future__ import annotations

from pathlib import Path

from dagster import ConfigurableResource
from dagster_pyspark import LazyPySparkResource

from newsdag import config
from newsdag.ingest import ParseOptions, read_host_outlets
from newsdag.storage import staged_dir


class NewsdagSettings(ConfigurableResource):
    """Where raw inputs live, how large an input may be, and which days are kept.

    The one settings object of a run: assets.definitions.build_resources
    builds it once from the CLI's flags, the environment and the defaults
    (newsdag.config), and the IO manager and every asset take it from there.
    (The algorithm settings, TF-IDF, stories and overlap, are run config:
    ``newsdag materialize --config FILE.yaml`` or the launchpad.)

    ``raw_dir`` defaults to ``$NEWSDAG_RAW_DIR`` or ``<project>/data/raw``,
    ``warehouse_dir`` to ``$NEWSDAG_WAREHOUSE_DIR`` or ``<project>/data/warehouse``
    (the cross-day assets read their own previous output there, to recompute
    only what changed); ``trailing_days`` (``$NEWSDAG_TRAILING_DAYS``, 14)
    is how far before the earliest changed day a run recomputes stories and
    overlap.
    """

    raw_dir: str
    warehouse_dir: str = ""
    trailing_days: float = config.DEFAULT_TRAILING_DAYS
    max_file_bytes: int = config.DEFAULT_MAX_FILE_BYTES
    max_record_chars: int = config.DEFAULT_MAX_RECORD_CHARS
    max_page_bytes: int = config.DEFAULT_MAX_PAGE_BYTES
    # A CSV of host,outlet naming web pages' outlets ($NEWSDAG_HOST_OUTLETS).
    host_outlets_file: str = ""
    # Processes parsing files, searching neighbours and comparing pairs side by side
    # ($NEWSDAG_WORKERS; 0: every core). Tables are the same for any number.
    workers: int = 0
    # The earliest publication day kept ($NEWSDAG_FIRST_DAY; YYYY-MM-DD).
    first_day: str = config.DEFAULT_FIRST_DAY

    @property
    def raw_root(self) -> Path:
        return config.raw_dir(self.raw_dir)

    @property
    def published_warehouse(self) -> Path:
        """The warehouse readers use (a link to its current version)."""
        return config.warehouse_dir(self.warehouse_dir or None)

    @property
    def warehouse(self) -> Path:
        """Where a run reads and writes the warehouse: during a run, the
        staged copy it publishes at the end (newsdag.storage.staged_dir);
        outside one, the published warehouse."""
        return staged_dir(self.published_warehouse)

    @property
    def parse_options(self) -> ParseOptions:
        return ParseOptions(max_file_bytes=self.max_file_bytes, max_record_chars=self.max_record_chars,
                            max_page_bytes=self.max_page_bytes,
                            host_outlets=read_host_outlets(config.host_outlets_file(self.host_outlets_file or None)),
                            workers=self.n_workers)

    @property
    def n_workers(self) -> int:
        """The worker processes of this run (:func:`newsdag.config.workers`)."""
        return config.workers(self.workers or None)


class ComputeResource(ConfigurableResource):
    """Where TF-IDF, the neighbour graph and the pair comparisons run.

    ``backend`` is ``local`` (this process: scikit-learn, scipy) or ``spark``
    (newsdag.spark.SparkBackend on ``pyspark``'s session, created only when a
    Spark step first asks for it). Defaults: ``$NEWSDAG_COMPUTE``, and
    ``$NEWSDAG_SPARK_MASTER`` for the master URL, or ``$NEWSDAG_SPARK_REMOTE``
    for a Spark Connect address instead.
    """

    backend: str = config.DEFAULT_COMPUTE
    pyspark: LazyPySparkResource

    def get_backend(self, workers: int = 1):
        """The newsdag backend object for this run; the local one searches
        neighbours and compares pairs in ``workers`` processes
        (NewsdagSettings.n_workers)."""
        from newsdag.backend import LocalBackend

        backend = config.compute_backend(self.backend)
        if backend == "local":
            return LocalBackend(workers)
        from newsdag.spark import SparkBackend, quiet, use_this_python

        use_this_python()
        session = self.pyspark.spark_session
        quiet(session)
        return SparkBackend(session, config.spark_scratch())
