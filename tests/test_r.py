"""The README's R recipes, run by Debian's R on the exports, give the values and types load() gives."""

import math
import re
import shutil
import subprocess

import pandas as pd
import pytest

import clusterdata

from conftest import REPO

# The data frames each recipe makes, and the table each one holds.
OBJECTS = {"fdi": "ict_fdi", "market": "ict_market_performance"}
# R's class for each column type of datapackage.json, once the recipe has run.
R_CLASSES = {"integer": {"integer", "numeric", "double"}, "number": {"numeric", "integer", "double"}, "string": {"character"},
             "boolean": {"logical"}, "enum": {"factor"}}
DUMP = r"""
for (object in ls()) {
  x <- get(object)
  if (is.data.frame(x)) {
    classes <- vapply(x, function(col) class(col)[length(class(col))], "")
    classes[vapply(x, is.factor, TRUE)] <- "factor"
    write.csv(data.frame(column = names(x), class = classes), paste0(object, ".classes.csv"), row.names = FALSE)
    x[] <- lapply(x, function(col) if (is.factor(col)) as.character(col) else as.vector(unclass(col)))
    write.csv(x, paste0(object, ".csv"), row.names = FALSE, na = "NA", fileEncoding = "UTF-8")
  }
}
"""


def recipes() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    return [block for block in re.findall(r"```r\n(.+?)\n```", readme, re.S) if "library(arrow)" not in block]


@pytest.fixture(scope="module")
def exports(tmp_path_factory, exported):
    if shutil.which("Rscript") is None:
        pytest.skip("R is not installed (.ci/run installs r-base-core, r-cran-haven, r-cran-rsqlite, r-cran-dbi, r-cran-readxl)")
    folder = tmp_path_factory.mktemp("r")
    for fmt in ("csv", "sqlite", "xlsx", "dta"):
        (folder / fmt).symlink_to(exported(fmt))
    return folder


def test_the_readme_has_a_recipe_for_each_export_r_reads():
    assert [re.search(r"--format (\w+)", block).group(1) for block in recipes()] == ["csv", "sqlite", "xlsx", "dta"]


@pytest.mark.parametrize("recipe", recipes(), ids=["csv", "sqlite", "xlsx", "dta"])
def test_a_readme_r_recipe_gives_what_load_gives(exports, tmp_path, recipe):
    for item in exports.iterdir():
        (tmp_path / item.name).symlink_to(item)
    result = subprocess.run(["Rscript", "-e", recipe + "\n" + DUMP], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-3000:]
    made = sorted(p.name.removesuffix(".classes.csv") for p in tmp_path.glob("*.classes.csv"))
    assert made and set(made) <= set(OBJECTS)
    for object_name in made:
        name = OBJECTS[object_name]
        frame = clusterdata.load(name)
        columns = {c["name"]: c for c in clusterdata.describe(name)["columns"]}
        classes = pd.read_csv(tmp_path / f"{object_name}.classes.csv").set_index("column")["class"].to_dict()
        back = pd.read_csv(tmp_path / f"{object_name}.csv", dtype=str, keep_default_na=False)
        assert list(back.columns) == list(frame.columns) and len(back) == len(frame)
        for column in frame.columns:
            kind = "enum" if "enum" in columns[column].get("constraints", {}) else columns[column]["type"]
            assert classes[column] in R_CLASSES[kind], (object_name, column, classes[column])
            for row, (value, got) in enumerate(zip(frame[column], back[column])):
                if pd.isna(value):
                    assert got == "NA", (object_name, column, row)
                elif kind == "boolean":
                    assert got == str(bool(value)).upper()
                elif kind in ("integer", "number"):
                    assert math.isclose(float(got), float(value), rel_tol=1e-14), (object_name, column, row)
                else:
                    assert got == str(value)
