"""Settings injected into assets: where the raw files are and the input limits."""

from __future__ import annotations

from pathlib import Path

from dagster import ConfigurableResource

from newsdag import config
from newsdag.ingest import Limits


class NewsdagSettings(ConfigurableResource):
    """Where raw inputs live and how large an input may be.

    ``raw_dir`` defaults to ``$NEWSDAG_RAW_DIR`` or ``<project>/data/raw``.
    """

    raw_dir: str
    max_file_bytes: int = config.DEFAULT_MAX_FILE_BYTES
    max_record_chars: int = config.DEFAULT_MAX_RECORD_CHARS

    @property
    def raw_root(self) -> Path:
        return config.raw_dir(self.raw_dir)

    @property
    def limits(self) -> Limits:
        return Limits(max_file_bytes=self.max_file_bytes, max_record_chars=self.max_record_chars)
