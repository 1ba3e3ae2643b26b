"""The newsdag Dagster code location: thin assets over the ``newsdag`` library."""
