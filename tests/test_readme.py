
from newsdag.readme import END, START
from newsdag.schemas import TABLES, data_dictionary_markdown
from tests.conftest import PROJECT_ROOT



def test_readme_data_dictionary_is_current():
    readme = (PROJECT_ROOT / "README.md").read_text()
    block = readme[readme.index(START) + len(START) : readme.index(END)].strip()
    assert block == data_dictionary_markdown().strip(), "regenerate with: python -m newsdag.readme"


def test_readme_gives_the_two_commands():
    readme = (PROJECT_ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme
    for table in TABLES:
        assert f"`{table}`" in readme
