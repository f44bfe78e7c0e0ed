"""datapackage.json as other tools read it."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

import clusterdata
from clusterdata._export import FORMATS

from conftest import REPO


def frictionless_validate(folder: Path, code: int, stdout: str, other: str) -> None:
    """What `frictionless validate datapackage.json` in `folder` gave (exit code, standard output, anything else):
    every resource valid."""
    assert code == 0, stdout[-3000:] + other[-2000:]
    resources = json.loads((folder / "datapackage.json").read_text())["resources"]
    assert stdout.count(" VALID ") == len(resources) and "INVALID" not in stdout


def test_frictionless_validates_the_package():
    # `frictionless validate datapackage.json`, with no flags, as the README tells a user to run it: the command itself
    result = subprocess.run([str(Path(sys.executable).with_name("frictionless")), "validate", "datapackage.json"],
                            cwd=REPO, capture_output=True, text=True)
    frictionless_validate(REPO, result.returncode, result.stdout, result.stderr)


@pytest.mark.parametrize("fmt", FORMATS)
def test_frictionless_validates_every_export(exported, fmt, monkeypatch):
    # The same command run in this process (its console entry point, through Typer's test runner): the same
    # output, without importing frictionless again for each format
    from frictionless.console import console
    from typer.testing import CliRunner

    if fmt == "xlsx":
        pytest.importorskip("openpyxl", reason="xlsx export needs the `export` extra")
    monkeypatch.chdir(exported(fmt))
    result = CliRunner().invoke(console, ["validate", "datapackage.json"])
    frictionless_validate(exported(fmt), result.exit_code, result.stdout, f"{result.stderr}{result.exception!r}")


def test_frictionless_reads_each_xlsx_sheet_as_its_table(exported):
    import frictionless

    package = frictionless.Package(str(exported("xlsx") / "datapackage.json"))
    for name in clusterdata.tables():
        rows = package.get_resource(name).read_rows()
        assert len(rows) == len(clusterdata.load(name))
        assert list(rows[0].keys()) == list(clusterdata.load(name).columns)
