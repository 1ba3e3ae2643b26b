"""The ``newsdag`` command line.

``newsdag materialize`` runs the code location's job in this process (the job
the UI launches, on the instance in ``$DAGSTER_HOME``) and prints a progress
line per step and a per-asset summary. It runs Dagster, so it lives beside the
code location, not in the ``newsdag`` library.

Every failure it can meet ends in one line on standard error and a non-zero
exit: 2 for a bad argument or configuration, 1 for a run that failed, 75 for
a warehouse another process holds (``EX_TEMPFAIL``: try again later).
``NEWSDAG_DEBUG=1`` adds the traceback.
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
import traceback
from importlib.metadata import version
from pathlib import Path

from newsdag import config

EXIT_RUN_FAILED = 1
EXIT_USAGE = 2
EXIT_BUSY = 75


class CliError(Exception):
    """A failure the CLI reports in one line, with its exit code."""

    def __init__(self, message: str, code: int = EXIT_USAGE):
        super().__init__(message)
        self.code = code


def read_run_config(path: str | None) -> dict:
    """The algorithm settings of a YAML file, as Dagster run config.

    The file holds Dagster run config (``ops: {tfidf: {config: {...}}}``, what
    the launchpad shows), or the short form ``{tfidf: {...}, overlap: {...}}``.
    Raises :class:`CliError` for a missing or malformed file, or an op that
    takes no settings.
    """
    if not path:
        return {}
    import yaml

    from assets.settings import CONFIGURABLE_OPS

    try:
        data = yaml.safe_load(Path(path).expanduser().read_text()) or {}
    except OSError as e:
        raise CliError(f"cannot read the settings file {path}: {e.strerror}") from None
    except yaml.YAMLError as e:
        raise CliError(f"the settings file {path} is not valid YAML: {str(e).splitlines()[0]}") from None
    if not isinstance(data, dict):
        raise CliError(f"the settings file {path} must map op names to their settings")
    ops = data.get("ops", None)
    if ops is None:
        ops = {name: {"config": settings} for name, settings in data.items()}
    unknown = sorted(set(ops) - set(CONFIGURABLE_OPS))
    if unknown:
        raise CliError(f"the settings file {path} names {', '.join(unknown)}; the ops with settings are "
                       f"{', '.join(CONFIGURABLE_OPS)}")
    for name, body in ops.items():
        if not isinstance(body, dict) or not isinstance(body.get("config", {}), dict):
            raise CliError(f"the settings file {path}: {name} must hold a mapping of settings")
    return {"ops": ops}


def _summary_lines(summary, warehouse: Path) -> list[str]:
    lines = [f"{'asset':<22} {'rows':>10} {'seconds':>8}  path"]
    for a in summary.assets:
        rows = f"{a.rows:,}" if a.rows is not None else "-"
        secs = f"{a.seconds:.2f}" if a.seconds is not None else "-"
        lines.append(f"{a.asset:<22} {rows:>10} {secs:>8}  {a.path or '-'}")
    failed = [c for c in summary.checks if not c[1]]
    lines.append(f"\nchecks: {len(summary.checks) - len(failed)} passed, {len(failed)} failed")
    for name, _, severity in failed:
        lines.append(f"  FAILED ({severity}): {name}")
    for f in summary.failures:
        lines.append(f"failed: {f}")
    if summary.days:
        lines.append(f"\ndays {summary.days[0]} to {summary.days[1]}")
    lines.append(f"\nruns {', '.join(summary.run_ids) or '(none)'} {'succeeded' if summary.success else 'FAILED'}")
    if summary.published is not None:
        lines.append(f"published {warehouse} -> {summary.published}")
    else:
        lines.append(f"nothing published: {warehouse} is as it was before this call")
        return lines
    python = Path(sys.executable)
    lines.append("Next:")
    lines.append(f"  {python} -c \"import pandas as pd; print(pd.read_parquet('{warehouse}/articles'))\"")
    lines.append("  make ui   # the asset graph, this run and its metadata at http://127.0.0.1:3000")
    return lines


def cmd_materialize(args: argparse.Namespace) -> int:
    compute = config.compute_backend()
    run_config = read_run_config(args.config)
    raw = config.raw_dir(args.raw)
    warehouse = config.warehouse_dir(args.warehouse)
    if not raw.is_dir():
        raise CliError(f"the raw folder {raw} does not exist (set --raw or NEWSDAG_RAW_DIR)")
    from assets.run import materialize_assets  # Dagster is imported here only

    where = ""
    if compute == "spark":
        remote = config.spark_remote()
        where = f" (Spark Connect {remote})" if remote else f" (master {config.spark_master()})"
    print(f"newsdag: raw {raw}\n         warehouse {warehouse}\n         dagster home {config.ensure_dagster_home()}"
          f"\n         compute {compute}{where}", flush=True)
    summary = materialize_assets(raw, warehouse, args.select, args.lock_wait, args.from_day, args.to_day,
                                 run_config=run_config, progress=True)
    print("\n".join(_summary_lines(summary, warehouse)))
    return 0 if summary.success else EXIT_RUN_FAILED


def cmd_home(args: argparse.Namespace) -> int:
    print(config.ensure_dagster_home())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsdag", description="Which news articles tell the same story, and who reused whom.")
    parser.add_argument("--version", action="version",
                        version=f"newsdag {version('newsdag')} (dagster {version('dagster')})")
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("materialize", help="run the asset graph over a raw folder into a Parquet warehouse")
    m.add_argument("--raw", help="raw input folder (default: $NEWSDAG_RAW_DIR or data/raw)")
    m.add_argument("--warehouse", help="Parquet output folder (default: $NEWSDAG_WAREHOUSE_DIR or data/warehouse)")
    m.add_argument("--select", help="assets to run: names separated by commas, or Dagster selection syntax such as 'key:articles+' (default: all)")
    m.add_argument("--from", dest="from_day", metavar="DATE",
                   help="first day (YYYY-MM-DD, UTC) of the daily partitions to run (default: the first day found in the raw folder)")
    m.add_argument("--to", dest="to_day", metavar="DATE",
                   help="last day to run (default: the last day found); the cross-day assets run once, in the same run")
    m.add_argument("--config", metavar="FILE.yaml",
                   help="algorithm settings: Dagster run config (ops: {tfidf: {config: {...}}}) or {tfidf: {...}, story_clusters: {...}, overlap: {...}}")
    m.add_argument("--lock-wait", type=float, metavar="SECONDS",
                   help="when another run is writing the warehouse, wait this long for it (default 3600), then fail")
    m.set_defaults(func=cmd_materialize)
    h = sub.add_parser("home", help="create the Dagster home (dagster.yaml, telemetry off) and print its path")
    h.set_defaults(func=cmd_home)
    return parser


def _one_line(e: BaseException) -> tuple[str, int]:
    """What to print for an error, and the exit code."""
    from newsdag.storage import WarehouseBusy

    if isinstance(e, CliError):
        return str(e), e.code
    if isinstance(e, WarehouseBusy):
        return f"{e} (--lock-wait sets how long to wait)", EXIT_BUSY
    if isinstance(e, ValueError):
        return str(e), EXIT_USAGE
    if isinstance(e, OSError) and e.errno == errno.ENOSPC:
        if e.strerror and e.strerror != os.strerror(errno.ENOSPC):
            return f"no space left: {e.strerror}", EXIT_RUN_FAILED  # newsdag's own check says what it needs
        return f"no space left on the device writing {e.filename or 'the warehouse or the Dagster home'}", EXIT_RUN_FAILED
    if type(e).__name__ == "OperationalError" and "full" in str(e):  # sqlite3: the Dagster home's database
        return f"the Dagster home {os.environ.get('DAGSTER_HOME', '')} is full ({e}); nothing was published", \
            EXIT_RUN_FAILED
    if isinstance(e, OSError):
        return f"{e.strerror or e}{f': {e.filename}' if e.filename else ''}", EXIT_RUN_FAILED
    message = str(e).strip().splitlines()[0] if str(e).strip() else ""
    return f"{type(e).__name__}: {message}", EXIT_RUN_FAILED


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("newsdag: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # one line for every failure; the traceback on request
        if os.environ.get("NEWSDAG_DEBUG"):
            traceback.print_exc()
        message, code = _one_line(e)
        print(f"newsdag: {message}", file=sys.stderr)
        return code


if __name__ == "__main__":
    sys.exit(main())
