"""Progress lines for runs started from the command line.

``newsdag materialize`` turns Dagster's console logger down to warnings and
configures this logger instead: one line when a step starts, one per table it
writes (with its row count), and one when it ends, each with the time since
the CLI started. Runs launched from the UI do not configure it and are not
affected.
"""

from __future__ import annotations

import logging
import sys
import time

from dagster import DagsterEventType, logger

# When the command started: the elapsed times span all of a call's runs.
_STARTED = time.monotonic()


def _elapsed() -> str:
    seconds = int(time.monotonic() - _STARTED)
    return f"{seconds // 3600:d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


class ProgressHandler(logging.Handler):
    """Writes one short line per step event to ``stream``."""

    def __init__(self, stream=None):
        super().__init__(logging.DEBUG)
        self.stream = stream or sys.stderr
        self.step_started: dict[str, float] = {}
        self.written: set[tuple[str, str]] = set()

    def emit(self, record: logging.LogRecord) -> None:
        meta = getattr(record, "dagster_meta", None) or {}
        event = meta.get("dagster_event") if isinstance(meta, dict) else getattr(meta, "dagster_event", None)
        if event is None:
            return
        step = event.step_key or ""
        kind = event.event_type
        line = None
        if kind == DagsterEventType.STEP_START:
            self.step_started[step] = time.monotonic()
            line = f"{step} started"
        elif kind == DagsterEventType.ASSET_MATERIALIZATION:
            mat = event.event_specific_data.materialization
            name = mat.asset_key.to_user_string()
            if (step, name) in self.written:
                return  # a range run records every day with the same metadata
            self.written.add((step, name))
            rows = mat.metadata.get("dagster/row_count")
            line = f"{step}: {name} written" + (f", {rows.value:,} rows" if rows is not None else "")
        elif kind == DagsterEventType.STEP_SUCCESS:
            took = time.monotonic() - self.step_started.pop(step, time.monotonic())
            line = f"{step} done in {took:.1f} s"
        elif kind == DagsterEventType.STEP_FAILURE:
            line = f"{step} FAILED"
        if line:
            self.stream.write(f"  [{_elapsed()}] {line}\n")
            self.stream.flush()


@logger(description="One line per step: started, tables written with their row counts, done (newsdag materialize).")
def progress_logger(init_context) -> logging.Logger:
    log = logging.Logger("newsdag.progress", level=logging.DEBUG)
    log.addHandler(ProgressHandler())
    return log
