import os

import pandas as pd
import pyarrow.parquet as pq
import pytest

from newsdag import storage
from newsdag.storage import content_hash, read_kv_metadata, read_table, table_file, write_table


def rejects(n):
    return pd.DataFrame({"raw_path": [f"f{i}.txt" for i in range(n)], "line": pd.array([None] * n, dtype="Int64"),
                         "offset": pd.array([None] * n, dtype="Int64"),
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
    assert schema.names == ["raw_path", "line", "offset", "day", "reason", "detail"]
    assert str(schema.field("line").type) == "int64"
    assert read_table(tmp_path, "rejected_inputs").empty


def test_missing_column_is_an_error(tmp_path):
    with pytest.raises(KeyError, match="detail"):
        write_table(rejects(1).drop(columns="detail"), tmp_path, "rejected_inputs")


def test_failure_mid_write_leaves_previous_version_intact(tmp_path, monkeypatch):
    write_table(rejects(2), tmp_path, "rejected_inputs", {"run_id": "old"})

    class CrashHalfWay:  # a Parquet writer whose disk fills up half way
        def __init__(self, sink, schema):
            self.sink = sink

        def write_table(self, table):
            self.sink.write(b"PAR1 half a file")
            raise OSError("disk full")

    monkeypatch.setattr(storage, "_parquet_writer", CrashHalfWay)
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


def test_table_writer_writes_pieces_atomically_with_its_footer(tmp_path):
    whole = rejects(7)
    directory = tmp_path / "rejected_inputs"
    with storage.TableWriter("rejected_inputs", directory) as writer:
        for a, b in ((0, 3), (3, 3), (3, 5), (5, 7)):  # one piece is empty
            writer.append(whole.iloc[a:b])
        assert visible_files(tmp_path) == []  # nothing visible before the commit
        path = writer.commit(table_file(tmp_path, "rejected_inputs"), {"run_id": "r1"})
    back = pd.read_parquet(path)
    pd.testing.assert_frame_equal(back, whole)
    assert read_kv_metadata(path) == {"run_id": "r1"}
    assert writer.rows == 7 and len(writer.head) == 5
    assert os.listdir(directory) == ["part-0.parquet"]
    # The content hash does not depend on how the rows were cut.
    assert writer.content_hash == storage.arrow_content_hash([storage.to_arrow(whole, "rejected_inputs")])
    assert writer.content_hash != storage.arrow_content_hash([storage.to_arrow(whole.iloc[:6], "rejected_inputs")])


def test_table_writer_left_by_an_error_leaves_nothing(tmp_path):
    directory = tmp_path / "rejected_inputs"
    with pytest.raises(RuntimeError):
        with storage.TableWriter("rejected_inputs", directory) as writer:
            writer.append(rejects(2))
            raise RuntimeError("the step failed")
    assert list(directory.iterdir()) == []


def test_table_writer_without_rows_writes_the_schema(tmp_path):
    path = storage.TableWriter("rejected_inputs", tmp_path / "rejected_inputs").commit(table_file(tmp_path, "rejected_inputs"))
    assert pq.read_schema(path).names == ["raw_path", "line", "offset", "day", "reason", "detail"]
    assert pd.read_parquet(path).empty
