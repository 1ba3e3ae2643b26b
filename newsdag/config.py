"""Where newsdag reads and writes, resolved once and the same way everywhere.

Precedence: an explicit argument (CLI flag or Dagster resource config), then the
environment variables ``NEWSDAG_RAW_DIR`` / ``NEWSDAG_WAREHOUSE_DIR`` /
``DAGSTER_HOME``, then the defaults below. Relative paths from the environment
or the defaults are anchored to the project root, never to the process's
working directory (``dagster dev`` and pytest start in different folders).
CLI flags are resolved against the shell's working directory before they get
here, as a shell user expects.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[1]

DEFAULT_RAW_DIR = "data/raw"
DEFAULT_WAREHOUSE_DIR = "data/warehouse"
DEFAULT_DAGSTER_HOME = ".dagster_home"

# Safety caps on input size (bytes for a file, characters for one article's
# text, bytes for one web page: an HTML file or a WARC record; lxml and
# trafilatura hold several copies of a page while they work).
DEFAULT_MAX_FILE_BYTES = 256 * 1024 * 1024
DEFAULT_MAX_RECORD_CHARS = 1_000_000
DEFAULT_MAX_PAGE_BYTES = 16 * 1024 * 1024

# Daily partitions: the first publication day the warehouse holds
# (``$NEWSDAG_FIRST_DAY``); articles published earlier are quarantined with a
# reason naming this setting. The trailing window (``$NEWSDAG_TRAILING_DAYS``)
# bounds what a run recomputes and how far apart in time two articles compared
# with each other may be.
DEFAULT_FIRST_DAY = "2000-01-01"
DEFAULT_TRAILING_DAYS = 14.0

# Where the heavy stages run (``$NEWSDAG_COMPUTE``): ``local`` or ``spark``
# (newsdag.backend), and for Spark the master URL (``$NEWSDAG_SPARK_MASTER``)
# and the driver's memory (``$NEWSDAG_SPARK_DRIVER_MEMORY``).
DEFAULT_COMPUTE = "local"
DEFAULT_SPARK_MASTER = "local[*]"
DEFAULT_SPARK_DRIVER_MEMORY = "4g"

DAGSTER_YAML = """\
# Written by newsdag (newsdag.config.ensure_dagster_home). The embedded default:
# with no storage section Dagster keeps runs, events and schedules in SQLite
# files inside this folder, so history survives restarts.
telemetry:
  enabled: false
"""


def _anchor(path: str | os.PathLike) -> Path:
    p = Path(path).expanduser()
    return p if p.is_absolute() else (PROJECT_ROOT / p)


def raw_dir(explicit: str | os.PathLike | None = None) -> Path:
    """The raw input folder: ``explicit``, else ``$NEWSDAG_RAW_DIR``, else ``data/raw``."""
    if explicit:
        return Path(explicit).expanduser().resolve()
    return _anchor(os.environ.get("NEWSDAG_RAW_DIR") or DEFAULT_RAW_DIR).resolve()


def warehouse_dir(explicit: str | os.PathLike | None = None) -> Path:
    """The Parquet warehouse: ``explicit``, else ``$NEWSDAG_WAREHOUSE_DIR``, else ``data/warehouse``."""
    path = Path(explicit).expanduser() if explicit else _anchor(os.environ.get("NEWSDAG_WAREHOUSE_DIR") or DEFAULT_WAREHOUSE_DIR)
    # The warehouse itself is a link to its current version (newsdag.storage):
    # resolve the folders above it, never the link.
    path = Path(os.path.abspath(path))
    return path.parent.resolve() / path.name


def host_outlets_file(explicit: str | os.PathLike | None = None) -> Path | None:
    """The CSV (columns ``host``, ``outlet``) naming web pages' outlets:
    ``explicit``, else ``$NEWSDAG_HOST_OUTLETS``, else None (no mapping)."""
    value = explicit or os.environ.get("NEWSDAG_HOST_OUTLETS")
    return _anchor(value).resolve() if value else None


def workers(explicit: int | None = None) -> int:
    """Worker processes for the stages that run side by side (parsing, pair comparisons):
    ``explicit``, else ``$NEWSDAG_WORKERS``, else every core."""
    value = explicit or os.environ.get("NEWSDAG_WORKERS") or os.cpu_count() or 1
    try:
        n = int(value)
    except ValueError:
        raise ValueError(f"NEWSDAG_WORKERS must be a whole number of processes, not {value!r}") from None
    if n < 1:
        raise ValueError(f"NEWSDAG_WORKERS must be at least 1, not {n}")
    return n


def first_day(explicit: str | None = None) -> str:
    """The first partition day, ``YYYY-MM-DD``: ``explicit``, else ``$NEWSDAG_FIRST_DAY``, else 2000-01-01."""
    value = explicit or os.environ.get("NEWSDAG_FIRST_DAY") or DEFAULT_FIRST_DAY
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise ValueError(f"NEWSDAG_FIRST_DAY must be a date as YYYY-MM-DD, not {value!r}") from None


def trailing_days(explicit: float | None = None) -> float:
    """The trailing window in days: ``explicit``, else ``$NEWSDAG_TRAILING_DAYS``, else 14."""
    value = explicit if explicit is not None else os.environ.get("NEWSDAG_TRAILING_DAYS") or DEFAULT_TRAILING_DAYS
    days = float(value)
    if not days > 0:
        raise ValueError(f"the trailing window must be a positive number of days, not {value!r}")
    return days


def compute_backend(explicit: str | None = None) -> str:
    """``local`` or ``spark``: ``explicit``, else ``$NEWSDAG_COMPUTE``, else local."""
    from newsdag.backend import BACKENDS

    value = (explicit or os.environ.get("NEWSDAG_COMPUTE") or DEFAULT_COMPUTE).strip().lower()
    if value not in BACKENDS:
        raise ValueError(f"NEWSDAG_COMPUTE must be one of {', '.join(BACKENDS)}, not {value!r}")
    return value


def spark_master(explicit: str | None = None) -> str:
    """The Spark master URL: ``explicit``, else ``$NEWSDAG_SPARK_MASTER``, else ``local[*]``."""
    return explicit or os.environ.get("NEWSDAG_SPARK_MASTER") or DEFAULT_SPARK_MASTER


def spark_remote(explicit: str | None = None) -> str | None:
    """A Spark Connect address (``sc://host:15002``, or ``local[N]`` for a
    Connect server this process starts): ``explicit``, else
    ``$NEWSDAG_SPARK_REMOTE``, else None (no Connect: the master URL is used)."""
    return explicit or os.environ.get("NEWSDAG_SPARK_REMOTE") or None


def spark_driver_memory(explicit: str | None = None) -> str:
    """The Spark driver's memory: ``explicit``, else ``$NEWSDAG_SPARK_DRIVER_MEMORY``, else 4g."""
    return explicit or os.environ.get("NEWSDAG_SPARK_DRIVER_MEMORY") or DEFAULT_SPARK_DRIVER_MEMORY


def spark_scratch(explicit: str | None = None) -> str | None:
    """Where Spark's executors write the large results this process reads back
    (newsdag.spark.SparkBackend): ``explicit``, else ``$NEWSDAG_SPARK_SCRATCH``,
    else None (the system's temporary folder: right for ``local[N]`` and for a
    Connect server on this machine; on a cluster, a folder both can reach)."""
    return explicit or os.environ.get("NEWSDAG_SPARK_SCRATCH") or None


def ensure_dagster_home() -> Path:
    """Point ``DAGSTER_HOME`` at a persistent folder holding a ``dagster.yaml``.

    Uses ``$DAGSTER_HOME`` when set (anchored to the project root when
    relative), else ``<project>/.dagster_home``. Creates the folder and a
    ``dagster.yaml`` (telemetry off, SQLite storage) when missing; an existing
    ``dagster.yaml`` is left as the user wrote it. Returns the folder.
    """
    home = _anchor(os.environ.get("DAGSTER_HOME") or DEFAULT_DAGSTER_HOME).resolve()
    home.mkdir(parents=True, exist_ok=True)
    yaml_path = home / "dagster.yaml"
    if not yaml_path.exists():
        tmp = yaml_path.with_name(".dagster.yaml.tmp")
        tmp.write_text(DAGSTER_YAML)
        os.replace(tmp, yaml_path)
    os.environ["DAGSTER_HOME"] = str(home)
    return home
