"""Every export read back by the real program its user opens it with: Datasette, Chromium, frictionless."""

import json
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pandas as pd
import pytest

import clusterdata
from clusterdata._export import PINT_UNITS
from clusterdata.cli import main

from conftest import REPO

NAMES = clusterdata.tables()


@pytest.fixture(scope="module")
def sqlite_export(exported):
    return exported("sqlite")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture(scope="module")
def datasette(sqlite_export):
    """`datasette serve clusterdata.sqlite -m metadata.json` on a free 127.0.0.1 port; yields its base URL."""
    pytest.importorskip("datasette", reason="the Datasette test needs datasette (the `test` extra)")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "datasette", "serve", "clusterdata.sqlite", "-m", "metadata.json",
         "-h", "127.0.0.1", "-p", str(port)],
        cwd=sqlite_export, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if get(base + "/-/versions.json")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("datasette did not start: " + server.stderr.read1().decode(errors="replace"))
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_pint_units_are_exactly_those_datasette_knows():
    from datasette.views.base import ureg  # the unit registry Datasette's table pages use

    units = {f["unit"] for r in json.loads((REPO / "datapackage.json").read_text())["resources"]
             for f in r["schema"]["fields"] if "unit" in f}
    labels = dict(clusterdata.load("units")[["unit", "label"]].itertuples(index=False))
    assert set(PINT_UNITS) <= units
    for unit in units:
        if unit in PINT_UNITS:  # the name given to Pint means what our label says ("pct" alone is Pint's picocarat)
            assert ureg(PINT_UNITS[unit]) == ureg(labels[unit]) != ureg(unit)
        else:  # a unit Pint does not know, by name or label: left out of `units`, given in the description
            for name in (unit, labels[unit]):
                with pytest.raises(Exception):
                    ureg(name)


@pytest.mark.parametrize("name", NAMES)
def test_datasette_serves_every_table_page(datasette, name):
    status, html = get(f"{datasette}/clusterdata/{name}")
    assert status == 200, html[:2000].decode(errors="replace")
    status, body = get(f"{datasette}/clusterdata/{name}.json?_shape=array&_size=max")
    assert status == 200
    assert len(json.loads(body)) == len(clusterdata.load(name))


def test_datasette_shows_units_and_descriptions(datasette):
    status, html = get(f"{datasette}/clusterdata/pinghu_output")
    text = html.decode()
    assert status == 200 and "Total output of the optical-mechatronics industry in Pinghu" in text
    assert "[unit: 100 million yuan (亿元)]" in text  # a unit Pint does not know: in the column's description
    status, html = get(f"{datasette}/clusterdata/ict_market_performance")
    first = clusterdata.load("ict_market_performance")["domestic_market_share_pct"].iloc[0]
    assert status == 200 and f'type-Quantity">{first:g}&nbsp;%<' in html.decode()  # a Pint unit beside the value


def test_a_datasette_page_opens_in_headless_chromium(datasette, browser):
    page = browser.new_page()
    response = page.goto(f"{datasette}/clusterdata/ict_fdi")
    dom = page.content()  # the document as Chromium built it
    page.close()
    assert response is not None and response.status == 200
    assert "<table" in dom and "official_estimate" in dom
    assert dom.count('<tr') == len(clusterdata.load("ict_fdi")) + 1


# Excel (openpyxl reads the workbook as Excel writes it: freeze panes, filters, widths, notes, cell types)

@pytest.fixture(scope="module")
def workbook(exported):
    openpyxl = pytest.importorskip("openpyxl", reason="xlsx export needs the `export` extra")
    return openpyxl.load_workbook(exported("xlsx") / "clusterdata.xlsx")


def test_every_sheet_has_a_frozen_header_a_filter_and_widths(workbook):
    assert workbook.sheetnames == ["metadata"] + NAMES
    for sheet in workbook.worksheets:
        assert sheet.freeze_panes == "A2"
        assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, sheet.max_column).column_letter}{sheet.max_row}"
        for column in range(1, sheet.max_column + 1):  # at least the header, at most 60 characters wide
            header = sheet.cell(1, column)
            assert min(len(header.value) + 2, 60) <= sheet.column_dimensions[header.column_letter].width <= 60
        assert len(sheet.title) <= 31
    widths = workbook["annotations"].column_dimensions
    assert widths["E"].width == 60 and widths["D"].width == len("source_inconsistency") + 2  # notes, kinds


def test_no_cell_is_a_formula_and_text_stays_text(workbook):
    kinds = {cell.data_type for sheet in workbook.worksheets for row in sheet.iter_rows() for cell in row}
    assert "f" not in kinds and kinds <= {"s", "inlineStr", "n", "b"}  # openpyxl writes text inline
    fdi = workbook["ict_fdi"]
    assert [c.value for c in fdi[1]] == list(clusterdata.load("ict_fdi").columns)
    flags = [c for c in fdi[1] if c.value == "official_estimate"][0].column_letter
    assert [(c.value, c.data_type) for c in fdi[flags][1:]] == [(False, "b")] * 4 + [(True, "b")] * 2


def test_a_formula_looking_string_is_written_as_text(tmp_path):
    openpyxl = pytest.importorskip("openpyxl")
    from clusterdata._export import fill_sheet

    book = openpyxl.Workbook()
    fill_sheet(book.active, ["a"], [["=1+1"], ["@SUM(A1)"]])
    book.save(tmp_path / "t.xlsx")
    sheet = openpyxl.load_workbook(tmp_path / "t.xlsx").active
    assert [(c.value, c.data_type) for c in sheet["A"]] == [("a", "s"), ("=1+1", "s"), ("@SUM(A1)", "s")]


def test_long_table_names_get_unique_sheet_names_within_31_characters():
    from clusterdata._export import sheet_names

    long = "a_table_name_longer_than_excel_allows"
    assert sheet_names([long, long + "_too", "metadata", "pinghu_output"]) == {
        long: "a_table_name_longer_than_excel_", long + "_too": "a_table_name_longer_than_exce~1",
        "metadata": "metadata~1", "pinghu_output": "pinghu_output"}


def test_every_annotation_is_a_note_on_the_cells_it_concerns(workbook):
    notes = {}
    for sheet in workbook.worksheets[1:]:
        for row in sheet.iter_rows():
            for cell in row:
                if cell.comment:
                    notes[(sheet.title, cell.row, cell.column)] = cell.comment.text
    placed = 0
    for note in clusterdata.load("annotations").itertuples():
        sheet = workbook[note.table_name]
        header = [c.value for c in sheet[1]]
        column = header.index(note.column_name) + 1 if note.column_name else 1
        rows = [1]
        if note.row_key:
            wanted = dict(part.split("=", 1) for part in note.row_key.split(";"))
            rows = [r for r in range(2, sheet.max_row + 1)
                    if all(str(sheet.cell(r, header.index(k) + 1).value) == v for k, v in wanted.items())]
        assert rows, note
        for r in rows:
            assert f"[{note.kind}] {note.note}" in notes[(note.table_name, r, column)]
            placed += 1
    assert sum(text.count("\n\n") + 1 for text in notes.values()) == placed
    assert notes[("pinghu_output", 7, 5)].startswith("[source_inconsistency] Printed 21.9;")


def test_csv_for_excel_starts_with_a_byte_order_mark_and_validates(tmp_path, capsys, monkeypatch):
    from test_frictionless import frictionless_validate

    assert main(["export", str(tmp_path / "excel"), "--format", "csv", "--bom"]) == 0
    for name in NAMES:
        data = (tmp_path / "excel" / f"{name}.csv").read_bytes()
        assert data.startswith(b"\xef\xbb\xbf" + clusterdata.load(name).columns[0].encode())
    notes = pd.read_csv(tmp_path / "excel" / "annotations.csv", encoding="utf-8-sig", keep_default_na=False)
    assert notes["note"].tolist() == clusterdata.load("annotations")["note"].tolist()
    assert notes["note"].str.contains("亿").any()
    frictionless_validate(tmp_path / "excel", monkeypatch)
    capsys.readouterr()
    assert main(["export", str(tmp_path / "other"), "--format", "xlsx", "--bom"]) == 2
    assert capsys.readouterr().err == "clusterdata: --bom is for --format csv (a byte-order mark for Excel), not xlsx\n"
    assert not (tmp_path / "other").exists()
