"""The layout's rules: the library stands alone, and configuration is explicit."""

import re
import subprocess
import sys

from tests.conftest import PROJECT_ROOT


def test_the_library_imports_nothing_from_dagster_or_the_code_location():
    modules = sorted(p.stem for p in (PROJECT_ROOT / "newsdag").glob("*.py") if p.stem not in ("__init__", "spark"))
    code = ("import sys\n" + "".join(f"import newsdag.{m}\n" for m in modules) +
            "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('dagster', 'assets', 'dagster_pyspark'))\n"
            "print(bad)\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_no_import_circle_between_the_backends_and_the_stages():
    # newsdag.backend runs the stages; the stages take a backend as an argument.
    for module in ("overlap", "stories", "features", "neighbours"):
        source = (PROJECT_ROOT / "newsdag" / f"{module}.py").read_text()
        assert not re.search(r"^\s*(from|import) newsdag\.(backend|spark)\b", source, re.M), module


def test_a_process_holding_the_warehouse_lock_enters_it_again(tmp_path):
    from newsdag.storage import WarehouseBusy, warehouse_lock

    with warehouse_lock(tmp_path, "outer", wait_seconds=0):
        with warehouse_lock(tmp_path, "inner", wait_seconds=0):
            pass
        # Another process still cannot take it.
        code = ("import sys; from newsdag.storage import warehouse_lock, WarehouseBusy\n"
                f"try:\n    warehouse_lock({str(tmp_path)!r}, 'other', wait_seconds=0).__enter__()\n"
                "except WarehouseBusy as e:\n    print('busy:', e)\n")
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=PROJECT_ROOT, timeout=60)
        assert done.stdout.startswith("busy:") and "run outer" in done.stdout
    assert issubclass(WarehouseBusy, RuntimeError)


def test_basis_nests_json_parts_instead_of_quoting_them():
    import json

    from assets.incremental import basis_json

    basis = json.loads(basis_json(code_version="3", settings=json.dumps({"k": 20}), tfidf=['{"min_df": 2}', "1"]))
    assert basis == {"code_version": "3", "settings": {"k": 20}, "tfidf": [{"min_df": 2}, "1"]}
