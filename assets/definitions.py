"""The one ``Definitions`` of the newsdag code location."""

from __future__ import annotations

import os

from dagster import Definitions

from assets.checks import ALL_CHECKS
from assets.features import tfidf
from assets.ingest import parse_articles, raw_files, sentences
from assets.overlap import outlet_tables, overlap
from assets.stories import stories, story_clusters
from assets.io_manager import WarehouseIOManager
from assets.resources import NewsdagSettings
from newsdag import config

ALL_ASSETS = [raw_files, parse_articles, sentences, tfidf, story_clusters, stories, overlap, outlet_tables]


def build_resources(raw_dir: str | os.PathLike | None = None, warehouse_dir: str | os.PathLike | None = None) -> dict:
    """Resources for a raw folder and a warehouse (defaults: environment, then data/raw and data/warehouse)."""
    return {
        "settings": NewsdagSettings(raw_dir=str(config.raw_dir(raw_dir))),
        "io_manager": WarehouseIOManager(warehouse_dir=str(config.warehouse_dir(warehouse_dir))),
    }


def build_definitions(raw_dir=None, warehouse_dir=None) -> Definitions:
    return Definitions(assets=ALL_ASSETS, asset_checks=ALL_CHECKS, resources=build_resources(raw_dir, warehouse_dir))


defs = build_definitions()
