"""The one ``Definitions`` of the newsdag code location."""

from __future__ import annotations

import os

from dagster import Definitions, colored_console_logger, in_process_executor
from dagster_pyspark import LazyPySparkResource

from assets.automation import daily_refresh, new_days_sensor, raw_folder_sensor, refresh_job, scan_job
from assets.checks import ALL_CHECKS
from assets.features import tfidf
from assets.ingest import parse_articles, raw_files, sentences
from assets.overlap import article_origins, outlet_tables, overlap
from assets.progress import progress_logger
from assets.stories import stories, story_clusters, story_threads
from assets.io_manager import WarehouseIOManager
from assets.resources import ComputeResource, NewsdagSettings
from newsdag import config

ALL_ASSETS = [raw_files, parse_articles, sentences, tfidf, story_clusters, story_threads, stories, overlap, outlet_tables,
              article_origins]


def build_resources(raw_dir: str | os.PathLike | None = None, warehouse_dir: str | os.PathLike | None = None,
                    lock_wait_seconds: float | None = None, compute: str | None = None) -> dict:
    """Resources for a raw folder, a warehouse and a compute backend (defaults:
    environment, then data/raw, data/warehouse and local)."""
    from newsdag.spark import spark_config

    io = {"lock_wait_seconds": lock_wait_seconds} if lock_wait_seconds is not None else {}
    settings = NewsdagSettings(raw_dir=str(config.raw_dir(raw_dir)), warehouse_dir=str(config.warehouse_dir(warehouse_dir)),
                               trailing_days=config.trailing_days(), first_day=config.first_day())
    return {
        "settings": settings,
        # The IO manager reads the warehouse from the settings: it is given once.
        "io_manager": WarehouseIOManager(settings=settings, **io),
        "compute": ComputeResource(backend=config.compute_backend(compute), pyspark=LazyPySparkResource(
            spark_config=spark_config(config.spark_master(), config.spark_driver_memory(),
                                      remote=config.spark_remote()))),
    }


def build_definitions(raw_dir=None, warehouse_dir=None, lock_wait_seconds=None, compute=None) -> Definitions:
    # In-process: one run is one process, so the warehouse lock held by the IO
    # manager spans the whole run, and tables are not copied between processes.
    return Definitions(assets=ALL_ASSETS, asset_checks=ALL_CHECKS, jobs=[scan_job, refresh_job], schedules=[daily_refresh],
                       sensors=[raw_folder_sensor, new_days_sensor], resources=build_resources(raw_dir, warehouse_dir, lock_wait_seconds, compute),
                       executor=in_process_executor,
                       # Runs that configure no logger get Dagster's console
                       # logger; the CLI configures "progress" (assets.progress).
                       loggers={"console": colored_console_logger, "progress": progress_logger})


defs = build_definitions()
