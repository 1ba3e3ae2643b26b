"""The newsdag Dagster code location: thin assets over the ``newsdag`` library."""

import warnings

from dagster import BetaWarning

# The daily assets use a single-run backfill policy on purpose (a range of
# days is one run that parses each file once); Dagster marks the parameter
# beta and would warn about it at every import, in every run's log.
warnings.filterwarnings("ignore", category=BetaWarning, message=r"Parameter `backfill_policy`")
