"""How an asset hands a table to the IO manager: one helper for every asset."""

from __future__ import annotations

import base64
import warnings
from typing import Any

import pandas as pd
from dagster import BetaWarning, DataVersion, MetadataValue, Output

from assets.io_manager import CONTENT_HASH_KEY, SETTINGS_KEY
from newsdag.storage import TableWriter, content_hash

OWNERS = ["team:newsdag"]
# SETTINGS_KEY: output metadata holding the JSON settings an asset was computed
# with; the IO manager copies it into the Parquet footer as "newsdag.settings".
__all__ = ["OWNERS", "SETTINGS_KEY", "image_markdown", "table_output"]


def table_output(df: pd.DataFrame | TableWriter, output_name: str = "result", metadata: dict[str, Any] | None = None,
                 ) -> Output:
    """Wrap a table (a frame, or a newsdag.storage.TableWriter holding one
    written as it was made) as a Dagster ``Output`` whose data version is its
    content hash.

    Deriving the data version from content (not from the run) means a re-run
    over unchanged inputs leaves every downstream asset up to date in the UI.
    """
    digest = df.content_hash if isinstance(df, TableWriter) else content_hash(df)
    with warnings.catch_warnings():
        # data_version on Output is marked beta in Dagster 1.13; it is the
        # documented way to give a content-based data version.
        warnings.simplefilter("ignore", category=BetaWarning)
        return Output(
        df,
            output_name=output_name,
            data_version=DataVersion(digest),
            metadata={CONTENT_HASH_KEY: digest, **(metadata or {})},
        )


def image_markdown(png: bytes, alt: str) -> MetadataValue:
    """A PNG shown inline on the asset's page (markdown with a data URI)."""
    return MetadataValue.md(f"![{alt}](data:image/png;base64,{base64.b64encode(png).decode()})")
