"""Dagster run config for the library's settings dataclasses, defined once.

``settings_config(TfidfSettings)`` is a Dagster ``Config`` class with one field
per dataclass field (same name, type and default), so the launchpad shows and
validates every setting, and ``.settings()`` turns it back into the dataclass.
"""

import dataclasses
import typing

from dagster import Config
from pydantic import create_model


def settings_config(settings_cls: type, name: str) -> type:
    hints = typing.get_type_hints(settings_cls)
    fields = {f.name: (hints[f.name], f.default) for f in dataclasses.fields(settings_cls)}

    def settings(self):
        return settings_cls(**self.model_dump())

    model = create_model(name, __base__=Config, __doc__=f"Run config for {settings_cls.__module__}.{settings_cls.__name__}.",
                         **fields)
    model.settings = settings
    return model


# The ops whose run config holds algorithm settings (assets.features.tfidf,
# assets.stories.story_clusters and story_threads, assets.overlap.overlap):
# what `newsdag materialize --config FILE.yaml` may name.
CONFIGURABLE_OPS = ("tfidf", "story_clusters", "story_threads", "overlap")
