"""The daily partitions of the per-article assets.

A day is a publication day in UTC (undated articles: the day their file was
first seen). Partitions run from ``$NEWSDAG_FIRST_DAY`` (2000-01-01) to today,
UTC. Partitioned assets use a single-run backfill policy: a date range, from
the UI or ``newsdag materialize --from --to``, is one run that parses each
file once, not one run per day.
"""

from dagster import BackfillPolicy, DailyPartitionsDefinition

from newsdag import config

DAILY = DailyPartitionsDefinition(start_date=config.first_day(), end_offset=1, timezone="UTC")
SINGLE_RUN = BackfillPolicy.single_run()


def first_and_last_day() -> tuple[str, str]:
    """The first and the last (today, UTC) partition keys."""
    return DAILY.get_first_partition_key(), DAILY.get_last_partition_key()
