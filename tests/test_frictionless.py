"""datapackage.json as other tools read it."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

import clusterdata
from clusterdata._export import FORMATS

from conftest import REPO


def frictionless_validate(folder: Path) -> None:
    """`frictionless validate datapackage.json` in `folder`, with no flags, as the README tells a user to run it."""
    result = subprocess.run([str(Path(sys.executable).with_name("frictionless")), "validate", "datapackage.json"],
                            cwd=folder, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    resources = json.loads((folder / "datapackage.json").read_text())["resources"]
    assert result.stdout.count(" VALID ") == len(resources) and "INVALID" not in result.stdout


def test_frictionless_validates_the_package():
    frictionless_validate(REPO)


@pytest.mark.parametrize("fmt", FORMATS)
def test_frictionless_validates_every_export(exported, fmt):
    if fmt == "xlsx":
        pytest.importorskip("openpyxl", reason="xlsx export needs the `export` extra")
    frictionless_validate(exported(fmt))


def test_frictionless_reads_each_xlsx_sheet_as_its_table(exported):
    import frictionless

    package = frictionless.Package(str(exported("xlsx") / "datapackage.json"))
    for name in clusterdata.tables():
        rows = package.get_resource(name).read_rows()
        assert len(rows) == len(clusterdata.load(name))
        assert list(rows[0].keys()) == list(clusterdata.load(name).columns)
