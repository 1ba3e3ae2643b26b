"""The day partitions of the per-article assets.

A day is a publication day in UTC (undated articles: the day their file was
first seen). The partitions are the days that hold input, and only those:
a dynamic partitions definition whose keys the ``raw_files`` scan (and
``newsdag materialize``) adds as it finds days, so the UI lists the days of
the data, not every day since 2000. Keys are kept in calendar order, since a
range of partitions (a single-run backfill from the UI, or
``newsdag materialize --from --to``) is the keys between its ends in that
order. Partitioned assets use a single-run backfill policy: a range is one
run that parses each file once, not one run per day.

Dates are accepted from ``$NEWSDAG_FIRST_DAY`` (2000-01-01) to today, UTC;
articles dated outside are quarantined (newsdag.ingest).
"""

from __future__ import annotations

import datetime as dt

from dagster import BackfillPolicy, DagsterInstance, DynamicPartitionsDefinition

from newsdag import config

DAYS = DynamicPartitionsDefinition(name="days")
SINGLE_RUN = BackfillPolicy.single_run()


def first_and_last_day(first_day: str | None = None) -> tuple[str, str]:
    """The first (``first_day``, the settings' ``first_day``; by default
    ``$NEWSDAG_FIRST_DAY``) and the last day (today, UTC) an article may be dated."""
    return config.first_day(first_day or None), dt.datetime.now(dt.timezone.utc).date().isoformat()


def known_days(instance: DagsterInstance) -> list[str]:
    """The day partitions ``instance`` knows, in calendar order."""
    return list(instance.get_dynamic_partitions(DAYS.name))


def register_days(instance: DagsterInstance, days) -> list[str]:
    """Add ``days`` (``YYYY-MM-DD``) that ``instance`` does not know yet as day
    partitions, keeping the keys in calendar order: a day earlier than a
    known one is added by taking the later keys out and adding them back
    after it (their materialisations are kept; they are recorded by key).
    Returns the days added."""
    known = known_days(instance)
    new = sorted(set(days) - set(known))
    if not new:
        return []
    later = [k for k in known if k > new[0]]
    for key in later:
        instance.delete_dynamic_partition(DAYS.name, key)
    instance.add_dynamic_partitions(DAYS.name, sorted(set(later) | set(new)))
    return new


def days_between(instance: DagsterInstance, first: str, last: str) -> list[str]:
    """The known days from ``first`` to ``last`` (inclusive), in order."""
    return [d for d in known_days(instance) if first <= d <= last]
