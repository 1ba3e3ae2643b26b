"""Ingest group: raw_files -> articles + rejected_inputs -> sentences (daily partitions)."""

import json

import numpy as np
import pandas as pd
from dagster import AssetExecutionContext, AssetOut, MetadataValue, asset, multi_asset

from assets.io_manager import SCAN_STARTED_KEY, SETTINGS_KEY
from assets.outputs import OWNERS, table_output
from assets.partitions import DAYS, SINGLE_RUN, first_and_last_day, register_days
from assets.resources import NewsdagSettings
from newsdag.ingest import file_days, parse_raw_files, scan_raw_files, split_sentences
from newsdag.parsed_files import ParsedFiles, parsed_dir
from newsdag.schemas import TABLES
from newsdag.storage import read_kv_metadata, table_file

GROUP = "ingest"


def changed_days(files: pd.DataFrame, previous: pd.DataFrame | None) -> list[str]:
    """Days touched by files that are new, changed or gone since ``previous``."""
    before = {} if previous is None else {r.raw_path: (r.sha256, r.first_seen, tuple(r.days)) for r in previous.itertuples()}
    now = {r.raw_path: (r.sha256, r.first_seen, tuple(r.days)) for r in files.itertuples()}
    days: set[str] = set()
    for path in set(before) | set(now):
        if before.get(path) != now.get(path):
            days.update(before.get(path, (None, None, ()))[2])
            days.update(now.get(path, (None, None, ()))[2])
    return sorted(days)


def parse_settings_json(settings: NewsdagSettings) -> str:
    """The settings that change what parsing gives, as canonical JSON: written
    into each articles and rejected_inputs partition's footer, so that a run
    rebuilds the days parsed with other settings. (Not the number of workers:
    the tables are the same for any.)"""
    options = settings.parse_options
    return json.dumps({"max_file_bytes": options.max_file_bytes, "max_record_chars": options.max_record_chars,
                       "max_page_bytes": options.max_page_bytes, "host_outlets": sorted(options.host_outlets),
                       "first_day": first_and_last_day(settings.first_day)[0]}, sort_keys=True)


def parsed_files(settings: NewsdagSettings) -> ParsedFiles:
    """Where the day index keeps the files it parsed, for the day runs (:mod:`newsdag.parsed_files`)."""
    return ParsedFiles(parsed_dir(settings.published_warehouse), settings.parse_options)


def file_keys(files: pd.DataFrame) -> list[tuple[str, str, str]]:
    """``(raw_path, sha256, format)`` of each row of a ``raw_files`` frame: what names its kept parse."""
    return list(zip(files["raw_path"], files["sha256"], files["format"]))


def index_raw_folder(settings: NewsdagSettings) -> tuple[pd.DataFrame, pd.DataFrame | None, pd.Timestamp]:
    """The raw folder's index now (``raw_files`` rows with ``days``), the stored
    one it started from (None when there is none) and when this scan began
    (UTC). Files already indexed with the same hash are not parsed again, and
    files unchanged since the stored scan are not hashed again
    (:func:`newsdag.ingest.scan_raw_files`). The files it parses are kept
    whole for the day runs (:func:`parsed_files`)."""
    path = table_file(settings.warehouse, "raw_files")
    previous = pd.read_parquet(path) if path.exists() else None
    previous_started = read_kv_metadata(path).get("scan_started") if path.exists() else None
    first_day, last_day = first_and_last_day(settings.first_day)
    started = pd.Timestamp.now(tz="UTC")
    df = scan_raw_files(settings.raw_root, previous, pd.Timestamp(previous_started) if previous_started else None)
    df["days"] = file_days(settings.raw_root, df, settings.parse_options, first_day, last_day, previous,
                           keep=parsed_files(settings))
    return df, previous, started


@asset(
    group_name=GROUP,
    description=TABLES["raw_files"].description,
    owners=OWNERS,
    kinds={"python", "parquet"},
    code_version="3",
)
def raw_files(context: AssetExecutionContext, settings: NewsdagSettings):
    """Scan the raw folder and index which days each file holds. A file already
    indexed (same path, hash and first-seen time) is not parsed again."""
    df, previous, started = index_raw_folder(settings)
    changed = changed_days(df, previous)
    # Kept parses of files changed or gone, or parsed with other options or code, go.
    parsed_files(settings).keep_only(file_keys(df))
    # The days found become day partitions (and days whose files went, so
    # that running them empties them).
    added = register_days(context.instance, {d for ds in df["days"] for d in ds} | set(changed))
    if added:
        context.log.info(f"new day partitions: {', '.join(added[:10])}{' ...' if len(added) > 10 else ''}")
    context.log.info(f"{len(df)} files under {settings.raw_root}; {len(changed)} day(s) with new or changed input")
    return table_output(df, metadata={
        SCAN_STARTED_KEY: started.isoformat(),
        "raw_root": MetadataValue.path(str(settings.raw_root)),
        "total_bytes": MetadataValue.int(int(df["size_bytes"].sum())),
        "files_by_format": MetadataValue.json(df["format"].value_counts().sort_index().to_dict()),
        "n_days": MetadataValue.int(len({d for ds in df["days"] for d in ds})),
        # Read by the new_days sensor, which materialises exactly these days.
        "changed_days": MetadataValue.json(changed),
    })


@multi_asset(
    outs={
        "articles": AssetOut(
            group_name=GROUP, description=TABLES["articles"].description, owners=OWNERS,
            # 5: published_precision. 6: language only from 100 letters.
            kinds={"python", "pandas", "parquet"}, code_version="6",
        ),
        "rejected_inputs": AssetOut(
            group_name=GROUP, description=TABLES["rejected_inputs"].description, owners=OWNERS,
            kinds={"python", "pandas", "parquet"}, code_version="3",
        ),
    },
    partitions_def=DAYS,
    backfill_policy=SINGLE_RUN,
)
def parse_articles(context: AssetExecutionContext, settings: NewsdagSettings):
    """Parse the files holding the run's days: good records become articles, the rest rejected_inputs.

    It indexes the raw folder itself (as raw_files does, reusing the stored
    index) rather than taking raw_files as an input: raw_files covers every
    day, so as an input a new file would mark every earlier day stale."""
    days = set(context.partition_keys)
    index, _, _ = index_raw_folder(settings)
    files = index[index["days"].map(lambda ds: any(d in days for d in ds))]
    first_day, last_day = first_and_last_day(settings.first_day)
    kept = parsed_files(settings)
    articles, rejected = parse_raw_files(settings.raw_root, files, settings.parse_options, days, first_day, last_day,
                                         keep=kept)
    # A kept parse is needed until every day of its file has been parsed: one
    # this run covers whole goes now (a retry of the run parses it again).
    done = np.array([set(ds) <= days for ds in files["days"]], dtype=bool)
    n_done = kept.discard(file_keys(files[done]))
    by_reason = rejected["reason"].value_counts().sort_index().to_dict()
    if by_reason:
        context.log.warning(f"{len(rejected)} inputs rejected: {by_reason}")
    context.log.info(f"{len(articles)} articles from {len(files)} files for {len(days)} day(s); "
                     f"{kept.hits} read from the parse the day index kept, {len(files) - kept.hits} parsed; "
                     f"{n_done} kept parse(s) done with")
    parse_settings = parse_settings_json(settings)
    yield table_output(articles, "articles", metadata={
        SETTINGS_KEY: parse_settings,
        "n_sources": MetadataValue.int(int(articles["source"].nunique())),
        "n_duplicates": MetadataValue.int(int(articles["duplicate_of"].notna().sum())),
        "n_undated": MetadataValue.int(int(articles["published"].isna().sum())),
        "n_days_with_articles": MetadataValue.int(int(articles["day"].nunique())),
        "articles_by_language": MetadataValue.json(articles["language"].value_counts().sort_index().to_dict()),
        # Files the day index had parsed already (newsdag.parsed_files) and files parsed here.
        "n_files_from_kept_parse": MetadataValue.int(kept.hits),
        "n_files_parsed": MetadataValue.int(len(files) - kept.hits),
    })
    yield table_output(rejected, "rejected_inputs", metadata={
        SETTINGS_KEY: parse_settings,
        "rejections_by_reason": MetadataValue.json(by_reason),
        "n_files_rejected_whole": MetadataValue.int(int(rejected["line"].isna().sum())),
    })


@asset(
    group_name=GROUP,
    description=TABLES["sentences"].description,
    owners=OWNERS,
    kinds={"python", "pandas", "parquet"},
    code_version="2",
    partitions_def=DAYS,
    backfill_policy=SINGLE_RUN,
)
def sentences(articles: pd.DataFrame):
    df = split_sentences(articles)
    per_article = df.groupby("article_id").size()
    return table_output(df, metadata={
        "mean_sentences_per_article": MetadataValue.float(float(per_article.mean()) if len(per_article) else 0.0),
    })
