import os

import pandas as pd
import pyarrow.parquet as pq
import pytest

from newsdag import storage
from newsdag.storage import content_hash, read_kv_metadata, read_table, table_file, write_table


def rejects(n):
    return pd.DataFrame({"raw_path": [f"f{i}.txt" for i in range(n)], "line": pd.array([None] * n, dtype="Int64"),
                         "day": ["2025-01-01"] * n, "reason": ["empty"] * n, "detail": ["x"] * n})


def visible_files(directory):
    return sorted(p.name for p in directory.rglob("*") if p.is_file() and not p.name.startswith("."))


def test_write_and_read_round_trip_with_metadata(tmp_path):
    write_table(rejects(3), tmp_path, "rejected_inputs", {"run_id": "r1", "data_version": "abc"})
    back = read_table(tmp_path, "rejected_inputs")
    assert list(back.raw_path) == ["f0.txt", "f1.txt", "f2.txt"]
    meta = read_kv_metadata(table_file(tmp_path, "rejected_inputs"))
    assert meta == {"run_id": "r1", "data_version": "abc"}


def test_empty_table_keeps_its_schema(tmp_path):
    write_table(rejects(0), tmp_path, "rejected_inputs")
    schema = pq.read_schema(table_file(tmp_path, "rejected_inputs"))
    assert schema.names == ["raw_path", "line", "day", "reason", "detail"]
    assert str(schema.field("line").type) == "int64"
    assert read_table(tmp_path, "rejected_inputs").empty


def test_missing_column_is_an_error(tmp_path):
    with pytest.raises(KeyError, match="detail"):
        write_table(rejects(1).drop(columns="detail"), tmp_path, "rejected_inputs")


def test_failure_mid_write_leaves_previous_version_intact(tmp_path, monkeypatch):
    write_table(rejects(2), tmp_path, "rejected_inputs", {"run_id": "old"})

    def crash_half_way(table, where, **kwargs):
        where.write(b"PAR1 half a file")
        raise OSError("disk full")

    monkeypatch.setattr(storage.pq, "write_table", crash_half_way)
    with pytest.raises(OSError, match="disk full"):
        write_table(rejects(5), tmp_path, "rejected_inputs", {"run_id": "new"})
    monkeypatch.undo()

    assert len(read_table(tmp_path, "rejected_inputs")) == 2
    assert read_kv_metadata(table_file(tmp_path, "rejected_inputs"))["run_id"] == "old"
    # No temporary file is left behind, hidden or not.
    assert os.listdir(tmp_path / "rejected_inputs") == ["part-0.parquet"]


def test_temporary_files_are_invisible_to_readers(tmp_path):
    write_table(rejects(2), tmp_path, "rejected_inputs")
    # A crash between write and rename leaves a hidden temporary file; readers skip it.
    (tmp_path / "rejected_inputs" / ".part-0.parquet.dead.tmp").write_bytes(b"garbage")
    assert len(pd.read_parquet(tmp_path / "rejected_inputs")) == 2
    assert visible_files(tmp_path / "rejected_inputs") == ["part-0.parquet"]


def test_partitioned_table_reads_as_one(tmp_path):
    write_table(rejects(2), tmp_path, "rejected_inputs", partition="2025-01-01")
    write_table(rejects(3), tmp_path, "rejected_inputs", partition="2025-01-02")
    assert len(read_table(tmp_path, "rejected_inputs")) == 5


def test_content_hash_is_about_content_not_index():
    a = rejects(3)
    b = rejects(3)
    b.index = [10, 11, 12]
    assert content_hash(a) == content_hash(b)
    b.loc[11, "reason"] = "binary"
    assert content_hash(a) != content_hash(b)
    lists = pd.DataFrame({"x": [["a", "b"], ["c"]]})
    assert content_hash(lists) == content_hash(pd.DataFrame({"x": [["a", "b"], ["c"]]}))


def test_content_hash_ignores_the_timestamp_unit():
    ts = pd.Series(pd.to_datetime(["2025-01-01T10:00:00Z", None], utc=True))
    ns = pd.DataFrame({"t": ts.astype("datetime64[ns, UTC]")})
    us = pd.DataFrame({"t": ts.astype("datetime64[us, UTC]")})
    assert content_hash(ns) == content_hash(us)
    assert content_hash(ns) != content_hash(pd.DataFrame({"t": ts + pd.Timedelta(seconds=1)}))
