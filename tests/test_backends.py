"""load(name, backend=...): the same values and types from pandas, Arrow and polars; frames that belong to the caller."""

import subprocess
import sys

import pandas as pd
import pyarrow as pa
import pytest

import clusterdata

NAMES = clusterdata.tables()


def run_python(code):
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd="/")
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_the_arrow_backend_imports_no_pandas():
    loaded = run_python("import sys, clusterdata; t = clusterdata.load('pinghu_survey_profile', backend='arrow'); "
                        "clusterdata.describe('pinghu_output'); print(t.num_rows, 'pandas' in sys.modules)")
    assert loaded == ["19", "False"]


@pytest.mark.parametrize("name", NAMES)
def test_arrow_gives_the_pandas_values_and_types(name):
    table = clusterdata.load(name, backend="arrow")
    frame = clusterdata.load(name)
    assert table.column_names == list(frame.columns)
    fields = {f["name"]: f for f in clusterdata.describe(name)["columns"]}
    for column in table.column_names:
        kind = table.schema.field(column).type
        if "enum" in fields[column].get("constraints", {}):
            assert pa.types.is_dictionary(kind), column
        else:
            assert kind == {"integer": pa.int64(), "number": pa.float64(), "string": pa.string(), "boolean": pa.bool_()}[fields[column]["type"]]
        assert table.column(column).to_pylist() == [None if pd.isna(v) else v for v in frame[column].astype(object)], column


@pytest.mark.parametrize("name", NAMES)
def test_polars_gives_the_same_values(name):
    pl = pytest.importorskip("polars", reason="polars is the optional `polars` extra")
    frame = clusterdata.load(name, backend="polars")
    assert isinstance(frame, pl.DataFrame)
    assert frame.to_dicts() == clusterdata.load(name, backend="arrow").to_pylist()
    kinds = {f["name"]: f for f in clusterdata.describe(name)["columns"]}
    for column, dtype in frame.schema.items():
        if "enum" in kinds[column].get("constraints", {}):
            assert dtype == pl.Enum(kinds[column]["constraints"]["enum"]), column
        elif kinds[column]["type"] == "integer":
            assert dtype == pl.Int64, column


def test_the_polars_backend_imports_neither_pandas_nor_pyarrow():
    pytest.importorskip("polars", reason="polars is the optional `polars` extra")
    loaded = run_python("import sys, clusterdata; f = clusterdata.load('pinghu_output', backend='polars'); "
                        "print(f.height, 'pandas' in sys.modules, 'pyarrow' in sys.modules)")
    assert loaded == ["6", "False", "False"]


def test_a_returned_frame_belongs_to_the_caller():
    first = clusterdata.load("pinghu_output")
    first.loc[0, "output_100m_yuan"] = -1.0
    first.attrs["title"] = "changed"
    first["extra"] = 1
    second = clusterdata.load("pinghu_output")
    assert second.loc[0, "output_100m_yuan"] == 21.1
    assert second.attrs["title"] != "changed"
    assert "extra" not in second.columns
    assert second is not clusterdata.load("pinghu_output")


def test_an_unknown_backend_is_refused():
    with pytest.raises(ValueError) as error:
        clusterdata.load("pinghu_output", backend="spark")
    assert str(error.value) == "backend must be one of pandas, arrow, polars, not 'spark'"


def test_an_unknown_name_is_refused_before_the_backend_is_read():
    with pytest.raises(clusterdata.UnknownTableError):
        clusterdata.load("pinghu_outptu", backend="arrow")


@pytest.mark.parametrize("name", NAMES)
def test_the_direct_reader_reads_what_pyarrow_parquet_reads(name):
    import pyarrow.parquet as pq

    from clusterdata import _catalog
    from clusterdata._load import read_parquet

    data = _catalog.verified_bytes(name)
    assert read_parquet(data).equals(pq.ParquetFile(pa.BufferReader(data)).read(), check_metadata=True)
