"""The ``newsdag`` command line.

``newsdag materialize`` runs the Dagster asset graph in process (the same job
the UI launches) and prints a per-asset summary. The Dagster code location is
imported only inside the command, so ``newsdag`` the library stays free of
Dagster.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from newsdag import config


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
    lines.append("Next:")
    lines.append(f"  python -c \"import pandas as pd; print(pd.read_parquet('{warehouse}/articles'))\"")
    lines.append("  make ui   # the asset graph, this run and its metadata at http://127.0.0.1:3000")
    return lines


def cmd_materialize(args: argparse.Namespace) -> int:
    try:
        compute = config.compute_backend()
    except ValueError as e:
        print(f"newsdag: {e}", file=sys.stderr)
        return 2
    from assets.run import materialize_assets  # Dagster is imported here only

    raw = config.raw_dir(args.raw)
    warehouse = config.warehouse_dir(args.warehouse)
    if not raw.is_dir():
        print(f"newsdag: the raw folder {raw} does not exist (set --raw or NEWSDAG_RAW_DIR)", file=sys.stderr)
        return 2
    where = ""
    if compute == "spark":
        remote = config.spark_remote()
        where = f" (Spark Connect {remote})" if remote else f" (master {config.spark_master()})"
    print(f"newsdag: raw {raw}\n         warehouse {warehouse}\n         dagster home {config.ensure_dagster_home()}"
          f"\n         compute {compute}{where}")
    try:
        summary = materialize_assets(raw, warehouse, args.select, args.lock_wait, args.from_day, args.to_day)
    except ValueError as e:
        print(f"newsdag: {e}", file=sys.stderr)
        return 2
    print("\n".join(_summary_lines(summary, warehouse)))
    return 0 if summary.success else 1


def cmd_home(args: argparse.Namespace) -> int:
    print(config.ensure_dagster_home())
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="newsdag", description="Which news articles tell the same story, and who reused whom.")
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("materialize", help="run the asset graph over a raw folder into a Parquet warehouse")
    m.add_argument("--raw", help="raw input folder (default: $NEWSDAG_RAW_DIR or data/raw)")
    m.add_argument("--warehouse", help="Parquet output folder (default: $NEWSDAG_WAREHOUSE_DIR or data/warehouse)")
    m.add_argument("--select", help="assets to run: names separated by commas, or Dagster selection syntax such as 'key:articles+' (default: all)")
    m.add_argument("--from", dest="from_day", metavar="DATE",
                   help="first day (YYYY-MM-DD, UTC) of the daily partitions to run (default: the first day found in the raw folder)")
    m.add_argument("--to", dest="to_day", metavar="DATE",
                   help="last day to run (default: the last day found); the cross-day assets run once, in the same run")
    m.add_argument("--lock-wait", type=float, metavar="SECONDS",
                   help="when another run is writing the warehouse, wait this long for it (default 3600), then fail")
    m.set_defaults(func=cmd_materialize)
    h = sub.add_parser("home", help="create the Dagster home (dagster.yaml, telemetry off) and print its path")
    h.set_defaults(func=cmd_home)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
