"""clusterdata verify: sizes and sha256 of the files a datapackage.json lists, where frictionless checks none."""

import json
import os

import pytest

from clusterdata._export import export
from clusterdata.cli import main

from conftest import REPO


@pytest.fixture(scope="module")
def downloaded(tmp_path_factory):
    """A parquet export, as a user who downloaded the files would have them."""
    dest = tmp_path_factory.mktemp("download") / "clusterdata"
    export(str(dest), "parquet")
    return dest


def copy_of(folder, tmp_path):
    import shutil

    shutil.copytree(folder, tmp_path / "copy")
    return tmp_path / "copy"


def test_the_package_and_a_download_verify(downloaded, capsys):
    assert main(["verify"]) == 0
    assert capsys.readouterr().out == f"verified: 17 files listed in {REPO / 'datapackage.json'}, sizes and sha256 as listed\n"
    assert main(["verify", str(downloaded)]) == 0
    assert capsys.readouterr().out == f"verified: 17 files listed in {downloaded / 'datapackage.json'}, sizes and sha256 as listed\n"


@pytest.mark.parametrize("fmt,files", [("csv", 17), ("xlsx", 1), ("sqlite", 2), ("json", 17), ("dta", 17)])
def test_every_export_verifies(tmp_path, capsys, fmt, files):
    if fmt == "xlsx":
        pytest.importorskip("openpyxl", reason="xlsx export needs the `export` extra")
    export(str(tmp_path), fmt)
    assert main(["verify", str(tmp_path)]) == 0
    assert capsys.readouterr().out.startswith(f"verified: {files} file{'s' if files > 1 else ''} listed in ")


def test_a_changed_file_is_named_with_both_hashes(downloaded, tmp_path, capsys):
    folder = copy_of(downloaded, tmp_path)
    target = folder / "data/parquet/ict_fdi.parquet"
    target.write_bytes(target.read_bytes() + b"x")
    import hashlib

    actual = hashlib.sha256(target.read_bytes()).hexdigest()
    expected = json.loads((folder / "datapackage.json").read_text())["resources"][2]["hash"].removeprefix("sha256:")
    before = sorted((p, p.stat().st_mtime_ns) for p in folder.rglob("*"))
    assert main(["verify", str(folder)]) == 1
    assert capsys.readouterr().err == (
        f"{folder / 'datapackage.json'}: resource 'ict_fdi': file 'data/parquet/ict_fdi.parquet' has sha256 {actual}, "
        f"expected {expected}: it was corrupted or replaced\n1 problem in {folder}\n")
    assert sorted((p, p.stat().st_mtime_ns) for p in folder.rglob("*")) == before


def test_paths_out_of_the_folder_are_refused_unopened(downloaded, tmp_path, capsys):
    folder = copy_of(downloaded, tmp_path)
    outside = tmp_path / "secret.parquet"
    outside.write_bytes(b"not yours")
    os.symlink(outside, folder / "link.parquet")
    descriptor = json.loads((folder / "datapackage.json").read_text())
    descriptor["resources"][0]["path"] = "../secret.parquet"
    descriptor["resources"][1]["path"] = str(outside)
    descriptor["resources"][2]["path"] = "link.parquet"
    (folder / "data/parquet/ict_market_performance.parquet").unlink()
    descriptor["resources"][4]["bytes"] = 1
    (folder / "datapackage.json").write_text(json.dumps(descriptor))
    assert main(["verify", str(folder)]) == 1
    where = f"{folder / 'datapackage.json'}: resource"
    size = (folder / "data/parquet/ict_ownership_structure.parquet").stat().st_size
    assert capsys.readouterr().err == (
        f"{where} 'hefei_state_investments': path '../secret.parquet' leads outside {folder}: not checked\n"
        f"{where} 'ict_export_activities': path '{outside}' leads outside {folder}: not checked\n"
        f"{where} 'ict_fdi': path 'link.parquet' leads outside {folder}: not checked\n"
        f"{where} 'ict_market_performance': file 'data/parquet/ict_market_performance.parquet' is missing\n"
        f"{where} 'ict_ownership_structure': file 'data/parquet/ict_ownership_structure.parquet' has {size} bytes, expected 1\n"
        f"5 problems in {folder}\n")


def test_a_folder_without_a_descriptor(tmp_path, capsys):
    assert main(["verify", str(tmp_path)]) == 1
    assert capsys.readouterr().err == (
        f"{tmp_path / 'datapackage.json'}: no such file (name the folder that holds datapackage.json)\n1 problem in {tmp_path}\n")


def test_a_descriptor_linked_from_elsewhere_is_not_read(tmp_path, capsys):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "datapackage.json").write_text('{"resources": []}')
    folder = tmp_path / "download"
    folder.mkdir()
    os.symlink(elsewhere / "datapackage.json", folder / "datapackage.json")
    assert main(["verify", str(folder)]) == 1
    assert capsys.readouterr().err == (
        f"{folder / 'datapackage.json'}: is a link out of {folder}: not read\n1 problem in {folder}\n")
