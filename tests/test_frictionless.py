"""datapackage.json as other tools read it."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

import clusterdata
from clusterdata._export import FORMATS

from conftest import REPO


def frictionless_validate(folder: Path, monkeypatch=None) -> None:
    """`frictionless validate datapackage.json` in `folder`, with no flags, as the README tells a user to run it:
    every resource valid. Given `monkeypatch`, the same command runs in this process (its console entry point,
    through Typer's test runner: the same output, without starting Python and importing frictionless again)."""
    if monkeypatch is None:
        result = subprocess.run([str(Path(sys.executable).with_name("frictionless")), "validate", "datapackage.json"],
                                cwd=folder, capture_output=True, text=True)
        code, stdout, other = result.returncode, result.stdout, result.stderr
    else:
        from frictionless.console import console
        from typer.testing import CliRunner

        monkeypatch.chdir(folder)
        ran = CliRunner().invoke(console, ["validate", "datapackage.json"])
        code, stdout, other = ran.exit_code, ran.stdout, f"{ran.stderr}{ran.exception!r}"
    assert code == 0, stdout[-3000:] + other[-2000:]
    resources = json.loads((folder / "datapackage.json").read_text())["resources"]
    assert stdout.count(" VALID ") == len(resources) and "INVALID" not in stdout


def test_frictionless_validates_the_package():
    frictionless_validate(REPO)  # the command itself, in a process of its own


@pytest.mark.parametrize("fmt", FORMATS)
def test_frictionless_validates_every_export(exported, fmt, monkeypatch):
    if fmt == "xlsx":
        pytest.importorskip("openpyxl", reason="xlsx export needs the `export` extra")
    frictionless_validate(exported(fmt), monkeypatch)


def test_frictionless_reads_each_xlsx_sheet_as_its_table(exported):
    import frictionless

    package = frictionless.Package(str(exported("xlsx") / "datapackage.json"))
    for name in clusterdata.tables():
        rows = package.get_resource(name).read_rows()
        assert len(rows) == len(clusterdata.load(name))
        assert list(rows[0].keys()) == list(clusterdata.load(name).columns)
