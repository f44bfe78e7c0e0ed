"""export --format dta: Stata 118 files read back by pyreadstat (ReadStat, as Stata's format) and by R's haven."""

import math
import shutil
import subprocess

import pandas as pd
import pytest

import clusterdata
from clusterdata._export import STATA_MISSING, stata_label

pyreadstat = pytest.importorskip("pyreadstat", reason="the dta export needs pyreadstat (the `stata` extra)")
NAMES = clusterdata.tables()


@pytest.fixture(scope="module")
def dta(exported):
    return exported("dta")


def expected_missing(name: str, frame) -> dict[tuple[int, str], str]:
    """Why each empty number is empty: 'a' where an `illegible` annotation covers the cell, else 'b'."""
    notes = clusterdata.load("annotations")
    notes = notes[(notes["table_name"] == name) & (notes["kind"] == "illegible")]
    why = {}
    for column in frame.columns:
        for row in frame.index[frame[column].isna()]:
            covered = False
            for note in notes.itertuples():
                keys = dict(p.split("=", 1) for p in note.row_key.split(";")) if note.row_key else {}
                if note.column_name in ("", column) and all(str(frame.at[row, k]) == v for k, v in keys.items()):
                    covered = True
            why[(row, column)] = "a" if covered else "b"
    return why


@pytest.mark.parametrize("name", NAMES)
def test_pyreadstat_reads_every_table_as_loaded(dta, name):
    path = dta / f"{name}.dta"
    assert path.read_bytes().startswith(b"<stata_dta><header><release>118</release>")
    back, meta = pyreadstat.read_dta(str(path), user_missing=True)
    frame = clusterdata.load(name)
    info = clusterdata.describe(name)
    assert list(back.columns) == list(frame.columns) and len(back) == len(frame)
    assert meta.file_label == stata_label(info["title"]) and len(meta.file_label) <= 80
    missing = expected_missing(name, frame)
    for column in info["columns"]:
        label = meta.column_names_to_labels[column["name"]]
        assert len(label) <= 80
        if "unit" in column:
            assert label.endswith(f" [{column['unit_label']}]")
        enum = column.get("constraints", {}).get("enum")
        labels = meta.variable_value_labels.get(column["name"], {})
        for row, (value, got) in enumerate(zip(frame[column["name"]], back[column["name"]])):
            if pd.isna(value):
                if column["type"] == "string" and enum is None:
                    assert got == ""  # Stata has no missing text
                else:
                    assert got == missing[(row, column["name"])], (row, column["name"])
                    assert labels[got] == STATA_MISSING[got]
            elif enum is not None:
                assert labels[got] == value and got == enum.index(value) + 1
            elif column["type"] == "boolean":
                assert labels == {0: "false", 1: "true"} and got == int(value)
            elif column["type"] == "string":
                assert got == value
            else:
                assert got == value and not isinstance(got, str)


def test_illegible_and_not_printed_cells_are_told_apart(dta):
    back, _ = pyreadstat.read_dta(str(dta / "ict_market_performance.dta"), user_missing=True)
    assert (back["value_added_to_sales_pct"] == "a").sum() == 6  # 2002: the scan cannot be read
    stats, _ = pyreadstat.read_dta(str(dta / "statistics.dta"), user_missing=True)
    assert (stats["period_start"] == "b").sum() > 0 and (stats["period_start"] == "a").sum() == 4


def test_labels_are_fitted_to_80_characters_keeping_the_unit():
    assert stata_label("Short. [percent]") == "Short. [percent]"
    long = "The printed column, left to right, with a great deal more said about it than Stata keeps in a label"
    assert stata_label(long + " [100 million yuan]") == "The printed column, left to right, with a great deal more... [100 million yuan]"
    assert stata_label(long + long) == "The printed column, left to right, with a great deal more said about it than..."


R_CHECK = r"""
library(haven)
for (f in list.files(".", pattern = "\\.dta$")) {
  d <- read_dta(f)
  out <- data.frame(row.names = seq_len(nrow(d)))
  for (col in names(d)) {
    x <- d[[col]]
    if (is.labelled(x)) {
      text <- as.character(as_factor(x, levels = "labels"))
      plain <- is.na(text) & !is.na(x)  # a number without a label of its own (labels on its missing values only)
      text[plain] <- format(unclass(x)[plain], digits = 15, trim = TRUE, scientific = FALSE)
      text[is.na(x) & !is.na(na_tag(x))] <- paste0(".", na_tag(x)[is.na(x) & !is.na(na_tag(x))])
    } else if (is.numeric(x)) {
      text <- ifelse(is.na(x), paste0(".", na_tag(x)), format(x, digits = 15, trim = TRUE, scientific = FALSE))
    } else {
      text <- x
    }
    out[[col]] <- text
  }
  write.csv(out, sub("\\.dta$", ".csv", f), row.names = FALSE, na = "NA", fileEncoding = "UTF-8")
  writeLines(attr(d, "label"), sub("\\.dta$", ".label", f), useBytes = TRUE)
}
"""


def test_r_haven_reads_every_table_as_loaded(dta, tmp_path):
    if shutil.which("Rscript") is None:
        pytest.skip("R is not installed (.ci/run installs r-base-core and r-cran-haven)")
    for name in NAMES:
        shutil.copy(dta / f"{name}.dta", tmp_path)
    result = subprocess.run(["Rscript", "-e", R_CHECK], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    for name in NAMES:
        frame = clusterdata.load(name)
        info = {c["name"]: c for c in clusterdata.describe(name)["columns"]}
        back = pd.read_csv(tmp_path / f"{name}.csv", dtype=str, keep_default_na=False, encoding="utf-8")
        assert (tmp_path / f"{name}.label").read_text(encoding="utf-8").strip() == stata_label(clusterdata.describe(name)["title"])
        missing = expected_missing(name, frame)
        for column in frame.columns:
            for row, (value, got) in enumerate(zip(frame[column], back[column])):
                if pd.isna(value):
                    expected = "" if info[column]["type"] == "string" and "enum" not in info[column].get("constraints", {}) \
                        else "." + missing[(row, column)]
                elif isinstance(value, (bool,)) or info[column]["type"] == "boolean":
                    expected = "true" if value else "false"
                elif info[column]["type"] in ("integer", "number"):
                    assert math.isclose(float(got), float(value), rel_tol=1e-14), (name, column, row)
                    continue
                else:
                    expected = str(value)
                assert got == expected, (name, column, row)


@pytest.mark.parametrize("name", NAMES)
def test_whole_numbers_stay_whole_in_stata(dta, name):
    """An integer, enum or boolean column with no empty cell is a Stata long (a column with missing cells is double)."""
    _, meta = pyreadstat.read_dta(str(dta / f"{name}.dta"))
    frame = clusterdata.load(name)
    for field in clusterdata.describe(name)["columns"]:
        whole = field["type"] in ("integer", "boolean") or "enum" in field.get("constraints", {})
        if whole and frame[field["name"]].notna().all():
            assert meta.readstat_variable_types[field["name"]] == "int32", field["name"]
        elif field["type"] == "number":
            assert meta.readstat_variable_types[field["name"]] == "double", field["name"]
