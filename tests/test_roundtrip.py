"""The round-trip matrix: every export format, read back by its reader, gives load()'s values, types and missing cells.

Readers: pyarrow (Parquet), frictionless with the export's own descriptor (CSV), the json module (JSON),
openpyxl (xlsx), sqlite3 (SQLite), pyreadstat (Stata). What a format cannot hold is stated here once:
JSON, xlsx and CSV have one kind of number (45 comes back as an integer where load gives 45.0);
SQLite stores booleans as 0 and 1; Stata stores every number as a double and booleans and enums as
labelled codes; xlsx, CSV and Stata do not tell an empty text from a missing one.
"""

import json
import sqlite3
import warnings

import pandas as pd
import pytest

import clusterdata
from clusterdata._export import FORMATS

NAMES = clusterdata.tables()
NUMBER = (int, float)
# The Python type each column type arrives as, by format (after the reader's own conversion).
TYPES = {
    "parquet": {"integer": int, "number": float, "string": str, "boolean": bool},
    "csv": {"integer": int, "number": NUMBER, "string": str, "boolean": bool},
    "json": {"integer": int, "number": NUMBER, "string": str, "boolean": bool},
    "xlsx": {"integer": int, "number": NUMBER, "string": str, "boolean": bool},
    "sqlite": {"integer": int, "number": float, "string": str, "boolean": int},
    "dta": {"integer": NUMBER, "number": float, "string": str, "boolean": int},
}
EMPTY_TEXT_IS_MISSING = {"csv", "xlsx", "dta"}


@pytest.fixture(scope="module")
def folders(exported):
    """Every format's export (the session's shared copy)."""
    pytest.importorskip("openpyxl")
    pytest.importorskip("pyreadstat")
    return {fmt: exported(fmt) for fmt in FORMATS}


def read_back(fmt: str, folder, name: str) -> dict[str, list]:
    """Table `name` as the format's reader gives it: column -> values (None where missing)."""
    if fmt == "parquet":
        import pyarrow.parquet as pq

        return pq.read_table(folder / "data" / "parquet" / f"{name}.parquet").to_pydict()
    if fmt == "csv":
        import frictionless

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rows = frictionless.Package(str(folder / "datapackage.json")).get_resource(name).read_rows()
        columns = list(rows[0].keys()) if rows else []
        return {c: [float(r[c]) if type(r[c]).__name__ == "Decimal" else r[c] for r in rows] for c in columns}
    if fmt == "json":
        records = json.loads((folder / f"{name}.json").read_text(encoding="utf-8"))
        return {c: [r[c] for r in records] for c in records[0]}
    if fmt == "xlsx":
        import openpyxl

        sheet = openpyxl.load_workbook(folder / "clusterdata.xlsx", read_only=True)[name]
        rows = list(sheet.iter_rows(values_only=True))
        return {c: [r[i] for r in rows[1:]] for i, c in enumerate(rows[0])}
    if fmt == "sqlite":
        connection = sqlite3.connect(folder / "clusterdata.sqlite")
        cursor = connection.execute(f'SELECT * FROM "{name}"')
        columns = [d[0] for d in cursor.description]
        rows = cursor.fetchall()
        connection.close()
        return {c: [r[i] for r in rows] for i, c in enumerate(columns)}
    if fmt == "dta":
        import pyreadstat

        frame, meta = pyreadstat.read_dta(str(folder / f"{name}.dta"), user_missing=True)
        out = {}
        for column in frame.columns:  # .a and .b come back as the letters, in the columns that have them
            tags = meta.missing_user_values.get(column, [])
            out[column] = [None if (isinstance(v, str) and v in tags) or (isinstance(v, float) and v != v) else v
                           for v in frame[column]]
        return out
    raise AssertionError(fmt)


def loaded(name: str) -> dict[str, list]:
    frame = clusterdata.load(name)
    return {c: [None if pd.isna(v) else v.item() if hasattr(v, "item") else str(v) if not isinstance(v, (str, bool)) else v
                for v in frame[c].astype(object)] for c in frame.columns}


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("name", NAMES)
def test_every_format_reads_back_as_loaded(folders, fmt, name):
    got = read_back(fmt, folders[fmt], name)
    want = loaded(name)
    columns = {c["name"]: c for c in clusterdata.describe(name)["columns"]}
    assert list(got) == list(want)
    dta_labels = {}
    if fmt == "dta":
        import pyreadstat

        dta_labels = pyreadstat.read_dta(str(folders[fmt] / f"{name}.dta"), metadataonly=True)[1].variable_value_labels
    for column, field in columns.items():
        kind, enum = field["type"], field.get("constraints", {}).get("enum")
        assert len(got[column]) == len(want[column]), column
        for row, (value, back) in enumerate(zip(want[column], got[column])):
            where = (fmt, name, column, row)
            if kind == "string" and fmt in EMPTY_TEXT_IS_MISSING:
                value, back = value or None, back or None
            if value is None:
                assert back is None, where
                continue
            if fmt == "dta" and (enum is not None or kind == "boolean"):
                assert isinstance(back, NUMBER) and float(back).is_integer(), where  # a labelled code
                back = dta_labels[column][int(back)]
                assert back == (str(value).lower() if kind == "boolean" else value), where
                continue
            expected_type = str if enum is not None and fmt != "dta" else TYPES[fmt][kind]
            assert isinstance(back, expected_type), (where, type(back))
            if kind == "boolean":
                assert back == value and bool(back) is value, where
            elif kind in ("integer", "number"):
                assert float(back) == float(value), where
            else:
                assert back == value, where
