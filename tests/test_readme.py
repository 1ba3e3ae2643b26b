import re
import subprocess
import sys

import pytest

from newsdag.data_dictionary import PATH, data_dictionary_document
from newsdag.schemas import TABLES
from tests.conftest import PROJECT_ROOT, materialize_all

README = PROJECT_ROOT / "README.md"


def test_data_dictionary_is_current():
    assert PATH.read_text() == data_dictionary_document(), "regenerate with: .venv/bin/python -m newsdag.data_dictionary"


def test_readme_is_a_front_door():
    readme = README.read_text()
    assert len(readme.splitlines()) <= 250
    assert "make run" in readme and "make test" in readme and "make check" in readme
    for table in TABLES:
        assert f"`{table}`" in readme
    # Commands a fresh shell can run: no bare python or newsdag, which an
    # activated virtualenv would be needed for.
    for block in re.findall(r"```(?:sh|bash)\n(.*?)```", readme, re.S):
        for line in block.splitlines():
            assert not re.match(r"\s*(python|pytest|newsdag)\b", line), line
    # Dagster 1.13's words: numeric metadata is plotted under Metadata, Table | Plots.
    assert "Plots tab" not in readme
    for doc in re.findall(r"\]\(((?:docs|data|bench)/[^)#]+)\)", readme):
        assert (PROJECT_ROOT / doc).exists(), doc


@pytest.mark.e2e
def test_readme_snippets_run_on_the_demo_and_show_cross_outlet_reuse(tmp_path, demo_raw):
    (tmp_path / "data").mkdir()
    assert materialize_all(demo_raw, tmp_path / "data" / "warehouse").success
    code = "\n".join(re.findall(r"```python\n(.*?)```", README.read_text(), re.S))
    done = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    # The cross-outlet snippet lists outlets that took others' text.
    assert "northwire" in done.stdout and "valley-gazette" in done.stdout and "dailybuzz-now.net" in done.stdout
    assert "verbatim" in done.stdout and "paraphrase" in done.stdout


def test_readme_settings_example_names_real_settings(tmp_path):
    from assets.cli import read_run_config
    from assets.features import TfidfConfig
    from assets.overlap import OverlapConfig
    from assets.stories import StoryConfig, ThreadConfig

    (block,) = re.findall(r"```yaml\n(.*?)```", README.read_text(), re.S)
    (tmp_path / "settings.yaml").write_text(block)
    ops = read_run_config(str(tmp_path / "settings.yaml"))["ops"]
    for op, cls in (("tfidf", TfidfConfig), ("story_clusters", StoryConfig), ("story_threads", ThreadConfig),
                    ("overlap", OverlapConfig)):
        settings = ops[op]["config"]
        assert set(settings) <= set(cls.model_fields), op
        assert cls(**settings) == cls(), f"the README's {op} values are not the defaults"
