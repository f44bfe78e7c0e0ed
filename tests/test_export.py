"""clusterdata export and cite: what other tools and reference managers get."""

import hashlib
import json
import re
import sqlite3
import warnings

import pandas as pd
import pytest

import clusterdata
from clusterdata._export import export
from clusterdata.cli import main

from conftest import REPO

NAMES = clusterdata.tables()


def check_hashes(dest, names=NAMES):
    descriptor = json.loads((dest / "datapackage.json").read_text())
    assert [r["name"] for r in descriptor["resources"]] == names
    for resource in descriptor["resources"]:
        data = (dest / resource["path"]).read_bytes()
        if resource["format"] in ("parquet", "json") and "schema" in resource:  # frictionless measures no bytes of these, and fails any given
            assert "bytes" not in resource
        else:
            assert resource["bytes"] == len(data)
        assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()
    return descriptor


def test_parquet_export_is_the_package_files_with_their_checksums(tmp_path):
    export(str(tmp_path), "parquet")
    descriptor = check_hashes(tmp_path)
    committed = json.loads((REPO / "datapackage.json").read_text())
    assert [r["hash"] for r in descriptor["resources"]] == [r["hash"] for r in committed["resources"]]


def test_csv_export_validates_and_round_trips(tmp_path):
    import frictionless

    export(str(tmp_path), "csv")
    check_hashes(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["type", "note"])[:5]
    for name in NAMES:
        original = clusterdata.load(name)
        back = pd.read_csv(tmp_path / f"{name}.csv", keep_default_na=False, dtype=str)
        assert list(back.columns) == list(original.columns)
        assert len(back) == len(original)
    fdi = pd.read_csv(tmp_path / "ict_fdi.csv")
    assert fdi["official_estimate"].tolist() == [False, False, False, False, True, True]


def test_json_export_holds_the_records(tmp_path):
    export(str(tmp_path), "json")
    check_hashes(tmp_path)
    for name in NAMES:
        records = json.loads((tmp_path / f"{name}.json").read_text())
        assert records == clusterdata.load(name, backend="arrow").to_pylist()


def test_xlsx_export_has_a_metadata_sheet_then_one_sheet_per_table(tmp_path):
    pytest.importorskip("openpyxl", reason="xlsx export needs the `export` extra")
    export(str(tmp_path), "xlsx")
    check_hashes(tmp_path)
    sheets = pd.read_excel(tmp_path / "clusterdata.xlsx", sheet_name=None)
    assert list(sheets) == ["metadata"] + NAMES
    assert set(sheets["metadata"]["table"]) == set(NAMES)
    assert sheets["pinghu_output"]["output_100m_yuan"].tolist() == clusterdata.load("pinghu_output")["output_100m_yuan"].tolist()


def test_sqlite_export_keeps_keys_and_column_comments(tmp_path):
    export(str(tmp_path), "sqlite")
    check_hashes(tmp_path, ["clusterdata-sqlite", "datasette-metadata"])
    connection = sqlite3.connect(tmp_path / "clusterdata.sqlite")
    for name in NAMES:
        assert connection.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] == len(clusterdata.load(name))
        pk = [row[1] for row in sorted(connection.execute(f'PRAGMA table_info("{name}")'), key=lambda r: r[5]) if row[5]]
        assert pk == clusterdata.describe(name)["primary_key"]
    assert {row[2] for row in connection.execute('PRAGMA foreign_key_list("statistics")')} == {"sources", "units"}
    assert {row[2] for row in connection.execute('PRAGMA foreign_key_list("units")')} == {"units"}
    assert connection.execute("PRAGMA foreign_key_check").fetchall() == []
    sql = connection.execute("SELECT sql FROM sqlite_master WHERE name = 'pinghu_output'").fetchone()[0]
    assert '"output_100m_yuan" REAL NOT NULL,  -- Total Output, as printed;' in sql and "[100 million yuan (亿元)]" in sql
    metadata = json.loads((tmp_path / "metadata.json").read_text())
    pinghu = metadata["databases"]["clusterdata"]["tables"]["pinghu_output"]
    assert "output_100m_yuan" not in pinghu["units"]  # Pint does not know it: in the description instead
    assert pinghu["columns"]["output_100m_yuan"].endswith(" [unit: 100 million yuan (亿元)]")
    assert metadata["databases"]["clusterdata"]["tables"]["ict_market_performance"]["units"] == {
        "domestic_market_share_pct": "percent", "profit_to_sales_pct": "percent", "value_added_to_sales_pct": "percent"}


def test_an_unknown_format_is_refused(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["export", str(tmp_path), "--format", "dbf"])
    assert "invalid choice: 'dbf'" in capsys.readouterr().err


def test_the_documented_duckdb_query_runs():
    duckdb = pytest.importorskip("duckdb", reason="the DuckDB example needs the `duckdb` extra")
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    query = re.search(r"```sql\n(.+?)\n```", readme, re.S).group(1)
    rows = duckdb.sql(query.replace("data/parquet/", str(REPO / "data/parquet") + "/")).fetchall()
    expected = clusterdata.load("statistics").groupby("source_id", observed=True).size().sort_values(ascending=False)
    assert rows == [(source, int(n)) for source, n in expected.items()]


@pytest.mark.parametrize("name", NAMES)
def test_cite_gives_the_source_and_the_dataset(name):
    citation = clusterdata.cite(name)
    info = clusterdata.describe(name)
    for source in info["source"]:
        assert f"Source: {source['title']}" in citation.text
    assert f"version {clusterdata.__version__}" in citation.text
    assert str(citation) == citation.text
    entries = re.findall(r"^@(\w+)\{([\w.]+),$", citation.bibtex, re.M)
    frame = clusterdata.load(name)
    expected = frame["source_id"].nunique() if "source_id" in frame.columns and name != "sources" else len(info["source"])
    assert len(entries) == expected + 1
    assert citation.bibtex.count("{") == citation.bibtex.count("}")


def test_bibtex_names_journals_and_uncertain_years():
    assert "author = {Huang, Xianhai and Yang, Gaoju}" in clusterdata.cite("pinghu_output").bibtex
    ning = clusterdata.cite("ict_fdi").bibtex
    assert "journal = {Pacific Affairs}" in ning and "volume = {82}" in ning and "number = {1}" in ning and "pages = {67--91}" in ning
    assert "author = {{The Economist}}" in clusterdata.cite("hefei_state_investments").bibtex
    assert "the year is a probable reading" in clusterdata.cite("us_car_value_added").bibtex


def test_citation_cff_and_changelog_carry_the_version():
    cff = (REPO / "CITATION.cff").read_text(encoding="utf-8")
    assert f"version: {clusterdata.__version__}" in cff
    assert f"## {clusterdata.__version__}" in (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    assert json.loads((REPO / "datapackage.json").read_text())["version"] == clusterdata.__version__


@pytest.mark.parametrize("fmt,module,extra", [("xlsx", "openpyxl", "export"), ("dta", "pyreadstat", "stata")])
def test_a_missing_optional_library_is_named_before_anything_is_written(tmp_path, capsys, monkeypatch, fmt, module, extra):
    import importlib.util

    find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == module else find_spec(name, *a))
    assert main(["export", str(tmp_path / "out"), "--format", fmt]) == 2
    assert capsys.readouterr().err == f"clusterdata: --format {fmt} needs {module}: pip install 'clusterdata[{extra}]'\n"
    assert not (tmp_path / "out").exists()
