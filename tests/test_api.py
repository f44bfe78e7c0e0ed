"""The Python API: names, dtypes, metadata, errors, and what importing costs."""

import subprocess
import sys

import pandas as pd
import pytest

import clusterdata
from clusterdata.contrib.definitions import read_definitions

from conftest import REPO

DEFINITIONS = read_definitions(REPO / "schemas")
EXPECTED_DTYPE = {"integer": "Int64", "number": "float64", "string": "string", "boolean": "boolean"}


def test_tables_are_the_definitions():
    assert clusterdata.tables() == list(DEFINITIONS)
    assert {"pinghu_output", "pinghu_survey_profile", "pinghu_investment_reasons",
            "sources", "source_contents", "annotations"} <= set(clusterdata.tables())


@pytest.mark.parametrize("name", list(DEFINITIONS))
def test_load_gives_the_defined_columns_and_dtypes(name):
    frame = clusterdata.load(name)
    table = DEFINITIONS[name]
    assert list(frame.columns) == table.columns
    assert len(frame) > 0
    for field in table.fields:
        dtype = frame[field["name"]].dtype
        enum = field.get("constraints", {}).get("enum")
        if enum:
            assert isinstance(dtype, pd.CategoricalDtype), field["name"]
            assert list(dtype.categories) == enum
        else:
            assert str(dtype) == EXPECTED_DTYPE[field["type"]], field["name"]
    assert not frame.duplicated(table.primary_key).any()
    assert frame.attrs["name"] == name


def test_load_returns_values_as_printed():
    output = clusterdata.load("pinghu_output").set_index("year")
    assert output.loc[2007, "output_100m_yuan"] == 124.57
    assert output.loc[2006, "growth_rate_pct"] == 22.68
    assert output.loc[2002, "enterprises"] == 22


def test_unknown_name_names_the_closest():
    with pytest.raises(clusterdata.UnknownTableError) as error:
        clusterdata.load("pinghu_outptu")
    assert str(error.value) == "no table named 'pinghu_outptu' in clusterdata; did you mean 'pinghu_output'?"


def test_unknown_name_without_a_close_one_lists_the_tables():
    with pytest.raises(clusterdata.UnknownTableError) as error:
        clusterdata.describe("zzz")
    assert str(error.value).startswith("no table named 'zzz' in clusterdata; the tables are: ")
    assert "pinghu_output" in str(error.value)


@pytest.mark.parametrize("name", ["../datapackage", "data/parquet/pinghu_output", "/etc/passwd", "pinghu_output.parquet"])
def test_a_name_is_never_a_path(name):
    with pytest.raises(clusterdata.UnknownTableError):
        clusterdata.load(name)


def test_describe_carries_source_units_and_annotations():
    info = clusterdata.describe("pinghu_output")
    assert info["source"][0]["title"].startswith("Huang Xianhai and Yang Gaoju (2009)")
    units = {c["name"]: (c.get("unit"), c.get("unit_label")) for c in info["columns"]}
    assert units["output_100m_yuan"] == ("100m_yuan", "100 million yuan (亿元)")
    assert units["year"] == (None, None)
    kinds = {(a["row_key"], a["column_name"], a["kind"]) for a in info["annotations"]}
    assert ("", "output_100m_yuan", "unit_note") in kinds
    assert ("year=2003", "growth_rate_pct", "source_inconsistency") in kinds
    assert info["primary_key"] == ["year"]


def run_python(code):
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd="/")
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_import_is_light():
    loaded = run_python("import sys, clusterdata; print(*[m for m in ('pandas', 'pyarrow', 'pandera', 'frictionless', 'vl_convert') if m in sys.modules])")
    assert loaded == []


def test_load_imports_neither_pandera_nor_frictionless():
    loaded = run_python("import sys, clusterdata; clusterdata.load('pinghu_output'); print(*[m for m in ('pandas', 'pandera', 'frictionless', 'vl_convert') if m in sys.modules])")
    assert loaded == ["pandas"]


@pytest.mark.parametrize("data, digest", [  # the test vectors of FIPS 180-2, and a file's bytes against hashlib's OpenSSL
    (b"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    (b"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
    ((REPO / "data/parquet/statistics.parquet").read_bytes(), None),
])
def test_the_sha256_load_checks_is_sha256(data, digest):
    import hashlib

    from clusterdata._catalog import sha256_hex

    assert sha256_hex(data) == (digest or hashlib.sha256(data).hexdigest())


def test_load_leaves_openssl_unloaded():
    """The first load hashes its files without hashlib's OpenSSL module (about 3 ms to load on this kind of machine)."""
    loaded = run_python("import sys, clusterdata; clusterdata.load('pinghu_output', backend='arrow'); print(*[m for m in ('_hashlib', 'unicodedata') if m in sys.modules])")
    assert loaded == []


def test_a_corrupted_file_is_refused(tmp_path, monkeypatch):
    """load() checks each file's sha256 against datapackage.json and names the file when they differ."""
    import shutil

    from clusterdata import _catalog

    root = tmp_path / "copy"
    shutil.copytree(REPO / "data", root / "data")
    shutil.copy(REPO / "datapackage.json", root / "datapackage.json")
    path = root / "data/parquet/pinghu_output.parquet"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    monkeypatch.setattr(_catalog, "data_root", lambda: root)
    with pytest.raises(clusterdata.IntegrityError) as error:
        clusterdata.load("pinghu_output")
    message = str(error.value)
    assert message.startswith(f"{path}: the file of table 'pinghu_output' is not the one datapackage.json describes (sha256 ")
    assert message.endswith("it was corrupted or replaced; reinstall clusterdata, or in a checkout run `clusterdata build`")
    assert len(clusterdata.load("pinghu_survey_profile")) == 19  # the intact files still load
