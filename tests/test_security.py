"""A stranger's pull request: files outside the checkout, names used as file names, integrity of every read,
and exports that could attack their reader. Each refusal is one line naming the file, and changes nothing."""

import json
import os
import shutil

import pytest

import clusterdata
from clusterdata import _catalog
from clusterdata._export import export
from clusterdata._safety import is_formula, neutralised, printable, table_name_problem
from clusterdata.contrib.build import BuildFailed, build
from clusterdata.cli import main

from conftest import REPO, snapshot

SECRET = "CLUSTERDATA_TEST_SECRET_TOKEN"


# Files outside the checkout


@pytest.mark.parametrize("folder, name", [("data/raw", "ict_fdi.csv"), ("schemas", "ict_fdi.toml")])
def test_a_symbolic_link_is_refused_by_name_and_its_target_never_read(folder, name, repo_copy, tmp_path, capsys, monkeypatch):
    secret = tmp_path / "environ"
    secret.write_text(f"country,year\n{SECRET}=abc,1\n")
    (repo_copy / folder / name).unlink()
    (repo_copy / folder / name).symlink_to(secret)
    before = snapshot(repo_copy)
    monkeypatch.chdir(repo_copy)
    assert main(["build"]) == 1
    assert main(["validate"]) == 1
    out = capsys.readouterr()
    expected = f"{folder}/{name}: is a symbolic link: commit the file itself (nothing outside the checkout is read)"
    assert out.err.splitlines() == [f"{folder}/{name}: 1 problem", f"  {expected}", "1 problem in 1 file",
                                    "build failed: nothing was written",
                                    f"{folder}/{name}: 1 problem", f"  {expected}", "1 problem in 1 file"]
    assert SECRET not in out.out + out.err
    assert snapshot(repo_copy) == before


def test_a_folder_in_data_raw_is_refused(repo_copy):
    (repo_copy / "data/raw/extra").mkdir()
    with pytest.raises(BuildFailed) as failure:
        build(repo_copy)
    assert [str(p) for p in failure.value.problems] == ["data/raw/extra: is not a regular file: data/raw holds only files"]


@pytest.mark.parametrize("file", ["../secret.txt", "/etc/passwd"])
def test_a_source_file_outside_the_source_folder_is_refused(file, repo_copy, tmp_path):
    from clusterdata.contrib.validate import validate_package

    texts = tmp_path / "texts"
    texts.mkdir()
    (tmp_path / "secret.txt").write_text("anything")
    definition = repo_copy / "schemas/sources.toml"  # its file pattern refuses folders first: test the code's own guard
    definition.write_text(definition.read_text(encoding="utf-8").replace(', pattern = "[A-Za-z0-9][A-Za-z0-9_.-]*"', ""), encoding="utf-8")
    path = repo_copy / "data/raw/sources.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[2] = lines[2].replace("001_b6aa23bf5b927913.txt", file)
    path.write_text("".join(lines), encoding="utf-8")
    _, problems = validate_package(repo_copy, sources_dir=texts)
    bad = [str(p) for p in problems if "without folders" in p.rule or p.column == "file"]
    assert bad == [f'data/raw/sources.csv:3: column "file": value "{file}" is not a file inside the folder of the '
                   "source texts: name the file alone, without folders"]


def test_a_missing_sources_folder_is_one_line(repo_copy, tmp_path):
    from clusterdata.contrib.validate import validate_package

    _, problems = validate_package(repo_copy, sources_dir=tmp_path / "nowhere")
    assert [str(p) for p in problems] == [f"CLUSTERDATA_SOURCES={tmp_path / 'nowhere'}: is not a folder: set it to the "
                                          "folder of the source texts, or unset it to skip the quote check"]


def test_validate_on_an_empty_folder_is_not_valid(tmp_path, capsys):
    assert main(["validate", "--root", str(tmp_path)]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "schemas: 1 problem", "  schemas: holds no table definitions (NAME.toml): is this a clusterdata checkout?", "1 problem in 1 file"]


# Names


@pytest.mark.parametrize("name", ["index", "datapackage", "metadata", "sqlite_master", "a" * 32, 'x"y', "../x", "Upper", "1abc", ""])
def test_names_that_are_not_table_names(name):
    assert table_name_problem(name) is not None


@pytest.mark.parametrize("name", ["ict_fdi", "a" * 31, "x1"])
def test_table_names(name):
    assert table_name_problem(name) is None


def test_a_definition_with_a_reserved_name_is_refused(repo_copy, capsys, monkeypatch):
    shutil.copy(repo_copy / "schemas/ict_fdi.toml", repo_copy / "schemas/index.toml")
    shutil.copy(repo_copy / "data/raw/ict_fdi.csv", repo_copy / "data/raw/index.csv")
    before = snapshot(repo_copy)
    monkeypatch.chdir(repo_copy)
    assert main(["build"]) == 1  # reported with every other problem of the run, as a problem of the file
    assert capsys.readouterr().err.splitlines() == [
        "schemas/index.toml: 1 problem",
        '  schemas/index.toml: the table name "index" is not a table name: it is reserved '
        "for a file, sheet or database table the outputs write",
        "1 problem in 1 file",
        "build failed: nothing was written"]
    assert snapshot(repo_copy) == before


# Integrity of the installed data


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """A copy of the package's data that the test may damage; load() and export() read it."""
    root = tmp_path / "installed"
    shutil.copytree(REPO / "data/parquet", root / "data/parquet")
    shutil.copy(REPO / "datapackage.json", root / "datapackage.json")
    monkeypatch.setattr(_catalog, "data_root", lambda: str(root))
    _catalog.descriptor.cache_clear()
    yield root
    _catalog.descriptor.cache_clear()


def edit_descriptor(root, change):
    descriptor = json.loads((root / "datapackage.json").read_text(encoding="utf-8"))
    change(descriptor)
    (root / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    _catalog.descriptor.cache_clear()


def test_swapped_paths_and_hashes_are_caught_by_the_name_inside_the_file(installed):
    def swap(descriptor):
        a, b = (next(r for r in descriptor["resources"] if r["name"] == n) for n in ("ict_fdi", "pinghu_output"))
        for key in ("path", "hash"):
            a[key], b[key] = b[key], a[key]

    edit_descriptor(installed, swap)
    for backend in ("pandas", "arrow", "polars"):
        with pytest.raises(clusterdata.IntegrityError) as error:
            clusterdata.load("ict_fdi", backend=backend)
        assert str(error.value) == (f'{installed}/data/parquet/pinghu_output.parquet: holds table "pinghu_output", not '
                                    "'ict_fdi': datapackage.json points 'ict_fdi' at another table's file; reinstall "
                                    "clusterdata, or in a checkout run `clusterdata build`")


def test_a_file_replaced_after_a_first_load_is_refused_by_every_later_read(installed):
    clusterdata.load("ict_rd_intensity", backend="polars")
    shutil.copy(installed / "data/parquet/ict_fdi.parquet", installed / "data/parquet/ict_rd_intensity.parquet")
    from clusterdata import _load

    _load._polars.clear()  # a fresh read of the bytes, as a new polars frame would need
    with pytest.raises(clusterdata.IntegrityError, match="is not the one datapackage.json describes"):
        clusterdata.load("ict_rd_intensity", backend="polars")


def test_parquet_export_refuses_a_replaced_file_and_writes_nothing_for_it(installed, tmp_path, capsys):
    shutil.copy(installed / "data/parquet/ict_fdi.parquet", installed / "data/parquet/ict_market_performance.parquet")
    dest = tmp_path / "out"
    assert main(["export", str(dest), "--format", "parquet"]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"clusterdata: {installed}/data/parquet/ict_market_performance.parquet: the file of table "
                          "'ict_market_performance' is not the one datapackage.json describes (sha256 ")
    assert len(err.splitlines()) == 1
    assert not (dest / "datapackage.json").exists()
    assert not (dest / "data/parquet/ict_market_performance.parquet").exists()


@pytest.mark.parametrize("name", ["../../x", "index", "a" * 40])
def test_a_resource_name_that_is_not_a_table_name_is_refused_wherever_datapackage_json_is_read(name, installed, tmp_path, capsys):
    def rename(descriptor):
        descriptor["resources"][0]["name"] = name
        descriptor["resources"][0]["path"] = f"../../{name}.parquet"

    edit_descriptor(installed, rename)
    dest = tmp_path / "deep" / "out"
    assert main(["export", str(dest), "--format", "parquet"]) == 2
    rule = table_name_problem(name)
    assert capsys.readouterr().err == f'clusterdata: {installed}/datapackage.json: resource 1: name "{name}" {rule}\n'
    assert sorted(p.name for p in tmp_path.rglob("*") if "installed" not in p.parts) == ["deep", "out"]


def test_invalid_json_in_datapackage_json_names_the_file(installed, capsys):
    (installed / "datapackage.json").write_text("{", encoding="utf-8")
    _catalog.descriptor.cache_clear()
    assert main(["list"]) == 2
    assert capsys.readouterr().err == (f"clusterdata: {installed}/datapackage.json: is not valid JSON (Expecting property name "
                                       "enclosed in double quotes: line 1 column 2 (char 1)): reinstall clusterdata, or in a "
                                       "checkout run `clusterdata build`\n")


def test_export_beneath_a_regular_file_is_one_line(tmp_path, capsys):
    (tmp_path / "file").write_text("mine")
    assert main(["export", str(tmp_path / "file" / "out"), "--format", "csv"]) == 2
    assert capsys.readouterr().err == (f"clusterdata: {tmp_path}/file/out: cannot create the folder (Not a directory): "
                                       "name a folder that can be created\n")
    assert (tmp_path / "file").read_text() == "mine"


# Exports that could attack their reader


@pytest.mark.parametrize("text, formula", [("=HYPERLINK(\"http://x\",\"y\")", True), ("+cmd", True), ("-2+3+cmd|' /C calc'!A0", True),
                                           ("@SUM(A1)", True), ("\tx", True), ("\uff1d1+1", True), ("=", False), ("-1.6", False),
                                           ("+86", False), ("a=b", False), ("", False)])
def test_formula_looking_text(text, formula):
    assert is_formula(text) is formula
    assert neutralised(text) == ("'" + text if formula else text)


def test_the_csv_export_neutralises_a_formula_that_got_past_validation(tmp_path, monkeypatch):
    import pandas as pd

    from clusterdata import _export

    real = _export.text_frame

    def planted(name):
        frame = real(name)
        if name == "annotations":
            frame["note"] = frame["note"].astype("string")
            frame.loc[0, "note"] = '=HYPERLINK("http://x","y")'
        return frame

    monkeypatch.setattr(_export, "text_frame", planted)
    export(str(tmp_path), "csv")
    note = pd.read_csv(tmp_path / "annotations.csv", dtype=str, keep_default_na=False)["note"]
    assert note.iloc[0] == '\'=HYPERLINK("http://x","y")'
    assert note.iloc[1:].tolist() == real("annotations")["note"].iloc[1:].tolist()


def test_no_exported_workbook_cell_is_a_formula(exported):
    import openpyxl

    workbook = openpyxl.load_workbook(exported("xlsx") / "clusterdata.xlsx")
    formulas = [f"{sheet.title}!{cell.coordinate}" for sheet in workbook for row in sheet.iter_rows() for cell in row
                if cell.data_type == "f"]
    assert formulas == []


def test_the_dictionary_links_only_http_addresses():
    from clusterdata.contrib.dictionary import link

    assert link("javascript:alert(1)", "x") == "x"
    assert link("data:text/html,<b>", "<b>") == "&lt;b&gt;"
    assert link("https://example.org/a?b=1&c=2", "t") == '<a href="https://example.org/a?b=1&amp;c=2">t</a>'


def test_a_title_holding_the_catalog_marker_does_not_grow_the_readme(repo_copy):
    from clusterdata.contrib.build import CATALOG_END, CATALOG_START

    (repo_copy / "README.md").write_text(f"# x\n{CATALOG_START}\n{CATALOG_END}\nend\n", encoding="utf-8")
    path = repo_copy / "schemas/ict_fdi.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('title = "', f'title = "{CATALOG_END} ', 1), encoding="utf-8")
    build(repo_copy)
    first = (repo_copy / "README.md").read_text(encoding="utf-8")
    assert build(repo_copy) == []
    assert first.count(CATALOG_END) == 1
    assert "&lt;!-- catalog:end --> " in first


def test_messages_show_invisible_characters_and_at_most_one_cell():
    assert printable("a\u200bb\x00") == "a\\u200bb\\u0000"
    assert printable("x" * 100) == "x" * 80 + "... (100 characters)"


# The build: all outputs or none, one at a time


def changed_raw(root):
    path = root / "data/raw/pinghu_output.csv"
    path.write_text(path.read_text().replace("2002,22,21.1,13.8,45", "2002,22,21.1,13.9,45"))


def everything(root):
    return {p.relative_to(root): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_a_full_disk_is_one_line_and_changes_nothing(repo_copy, monkeypatch, capsys):
    import errno
    from pathlib import Path

    changed_raw(repo_copy)
    before = everything(repo_copy)
    real = Path.write_bytes

    def full(self, data):
        if self.name == "datapackage.json":
            raise OSError(errno.ENOSPC, "No space left on device", str(self))
        return real(self, data)

    monkeypatch.setattr(Path, "write_bytes", full)
    monkeypatch.chdir(repo_copy)
    assert main(["build"]) == 1
    staged = repo_copy / ".clusterdata-build-staging" / "datapackage.json"
    assert capsys.readouterr().err == f"clusterdata: {staged}: cannot write (No space left on device): the build changed nothing\n"
    assert everything(repo_copy) == before


def test_an_unwritable_output_folder_is_one_line_and_changes_nothing(repo_copy, monkeypatch, capsys):
    from pathlib import Path

    changed_raw(repo_copy)
    before = everything(repo_copy)
    parquet = repo_copy / "data" / "parquet"
    real = os.access
    monkeypatch.setattr(os, "access", lambda path, mode: False if Path(path) == parquet else real(path, mode))
    monkeypatch.chdir(repo_copy)
    assert main(["build"]) == 1
    assert capsys.readouterr().err == f"clusterdata: {parquet}: cannot write (Permission denied): the build changed nothing\n"
    assert everything(repo_copy) == before


def test_a_second_build_at_the_same_time_is_refused(repo_copy, capsys, monkeypatch):
    import fcntl

    changed_raw(repo_copy)
    before = snapshot(repo_copy)
    with open(repo_copy / ".clusterdata-build.lock", "a+b") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        monkeypatch.chdir(repo_copy)
        assert main(["build"]) == 1
    assert capsys.readouterr().err == (f"clusterdata: {repo_copy}/.clusterdata-build.lock: another clusterdata build is "
                                       "running in this checkout; wait for it to finish (nothing was written)\n")
    assert snapshot(repo_copy) == before
    assert main(["build"]) == 0  # the lock is the operating system's: gone with its holder


def test_a_build_killed_while_switching_is_finished_by_the_next(repo_copy, tmp_path):
    import subprocess
    import sys

    changed_raw(repo_copy)
    expected_root = tmp_path / "expected"
    shutil.copytree(repo_copy, expected_root)
    build(expected_root)
    # A build killed after its second switch: a complete staging, two outputs already in place.
    code = ("import os, sys\nfrom pathlib import Path\nfrom clusterdata.contrib import build as b\n"
            "moved = []\nreal = os.replace\n"
            "def replace(a, c):\n    real(a, c); moved.append(c)\n    if len(moved) == 2: os._exit(9)\n"
            "b.os.replace = replace\nb.build(Path(sys.argv[1]))\n")
    assert subprocess.run([sys.executable, "-c", code, str(repo_copy)]).returncode == 9
    assert (repo_copy / ".clusterdata-build-staging" / ".complete").is_file()
    (repo_copy / "data/parquet/.ict_fdi.parquet.tmp-123").write_bytes(b"left by an old build")
    build(repo_copy)
    assert not (repo_copy / ".clusterdata-build-staging").exists()
    assert not (repo_copy / "data/parquet/.ict_fdi.parquet.tmp-123").exists()
    assert snapshot(repo_copy).keys() == snapshot(expected_root).keys()
    assert {k: v[0] for k, v in snapshot(repo_copy).items()} == {k: v[0] for k, v in snapshot(expected_root).items()}
    assert build(repo_copy, check=True) == []


# Scale and other folders


def test_five_thousand_pasted_duplicates_are_reported_in_linear_time(repo_copy):
    import time

    from clusterdata.contrib.validate import validate_package

    path = repo_copy / "data/raw/ict_fdi.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines + [lines[1]] * 5000) + "\n", encoding="utf-8")
    started = time.perf_counter()
    _, problems = validate_package(repo_copy)
    assert time.perf_counter() - started < 60  # pairwise comparison took many minutes
    assert len(problems) == 5001
    assert str(problems[0]) == ("data/raw/ict_fdi.csv:2: duplicate key year=1995: the key (year) must be unique "
                                "(also on line 8, 9, 10, 11, 12, 13, 14, 15, 16, 17 and 4990 more)")


def test_docs_refuses_a_folder_that_holds_the_users_files(tmp_path, capsys):
    (tmp_path / "index.html").write_text("mine")
    assert main(["docs", str(tmp_path)]) == 2
    assert capsys.readouterr().err == (f"clusterdata: {tmp_path} is not empty: docs would overwrite what is there; "
                                       "name a new or empty folder\n")
    assert (tmp_path / "index.html").read_text() == "mine"


def test_a_file_name_with_a_terminal_escape_is_shown_escaped(repo_copy):
    (repo_copy / "data/raw/x\x1b[2Jy.csv").write_text("a\n1\n")
    with pytest.raises(BuildFailed) as failure:
        build(repo_copy)
    assert [str(p) for p in failure.value.problems] == [
        "data/raw/x\\u001b[2Jy.csv: has no definition: add schemas/x\\u001b[2Jy.toml, or rename the file to its table's name"]


def test_validate_refuses_a_named_file_that_is_a_symbolic_link(repo_copy, tmp_path, capsys, monkeypatch):
    secret = tmp_path / "environ"
    secret.write_text(f"year,fdi_m_usd,official_estimate\n{SECRET},1,true\n")
    link = tmp_path / "ict_fdi.csv"
    link.symlink_to(secret)
    monkeypatch.chdir(repo_copy)
    assert main(["validate", str(link)]) == 1
    err = capsys.readouterr().err
    assert err.splitlines() == [f"{link}: 1 problem", f"  {link}: is a symbolic link or not a regular file: name the file itself",
                                "1 problem in 1 file"]


# The same, as LibreOffice opens them


def soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if not found:
        if os.environ.get("CI"):
            pytest.fail("CI must open the exports in LibreOffice: .ci/run installs libreoffice-calc-nogui, but soffice is not on PATH")
        pytest.skip("LibreOffice is not installed (.ci/run installs it: apt-get install libreoffice-calc-nogui)")
    return found


PLANTED = '=HYPERLINK("http://x","y")'


@pytest.fixture(scope="module")
def reopened(exported, tmp_path_factory):
    """The CSV export of annotations with a formula planted in a note (as if it got past validation), and the
    workbook export, each opened by LibreOffice Calc and saved as xlsx (formulas stay formulas), by file stem.
    One LibreOffice run converts both: starting it is most of its time."""
    import subprocess

    import openpyxl

    from clusterdata import _export

    folder = tmp_path_factory.mktemp("libreoffice")
    real = _export.text_frame

    def with_formula(name):
        frame = real(name)
        if name == "annotations":
            frame["note"] = frame["note"].astype("string")
            frame.loc[0, "note"] = PLANTED
        return frame

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_export, "text_frame", with_formula)
        export(str(folder / "csv"), "csv")
    shutil.copy(exported("xlsx") / "clusterdata.xlsx", folder)  # LibreOffice may leave a lock file beside what it opens
    opened = [folder / "csv" / "annotations.csv", folder / "clusterdata.xlsx"]
    out, profile = folder / "reopened", folder / "profile"  # its own profile: no clash with another LibreOffice running
    subprocess.run([soffice(), f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "xlsx",
                    "--outdir", str(out), *map(str, opened)], check=True, capture_output=True, timeout=180)
    return {path.stem: openpyxl.load_workbook(out / (path.stem + ".xlsx")) for path in opened}


def test_libreoffice_runs_no_formula_from_the_csv_export(reopened):
    sheet = reopened["annotations"].active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    assert sheet["E2"].value == "'" + PLANTED


def test_libreoffice_runs_no_formula_from_the_workbook(reopened):
    workbook = reopened["clusterdata"]
    # LibreOffice saves a boolean cell as the formula =TRUE() or =FALSE(): those are its, not ours
    formulas = [f"{s.title}!{c.coordinate}: {c.value}" for s in workbook for row in s.iter_rows() for c in row
                if c.data_type == "f" and c.value not in ("=TRUE()", "=FALSE()")]
    assert formulas == []
    header = next(workbook["metadata"].iter_rows(values_only=True))
    column, description = header.index("column"), header.index("description")
    described = {row[column]: row[description] for row in workbook["metadata"].iter_rows(values_only=True) if row[0] == "statistics"}
    assert described["comparator"].startswith("= as stated;")


@pytest.mark.parametrize("length, bom", [(4_000_000, False), (200_000, True)])
def test_a_cell_longer_than_the_csv_modules_limit_is_one_message(length, bom, repo_copy, capsys, monkeypatch):
    # 4,000,000 characters straddle the Arrow reader's blocks, and a byte-order mark sends the file to the csv
    # module anyway: both reach the csv module, whose default limit (131,072 characters) raised a traceback.
    path = repo_copy / "data/raw/ict_top_exporters.csv"
    text = path.read_text(encoding="utf-8").replace("Hongfujin Precision,", "A" * length + ",", 1)
    path.write_bytes(b"\xef\xbb\xbf" * bom + text.encode("utf-8"))
    import csv

    before, limit = snapshot(repo_copy), csv.field_size_limit()
    monkeypatch.chdir(repo_copy)
    assert main(["validate"]) == 1
    shown = "A" * 80 + f"... ({length} characters)"
    expected = ["data/raw/ict_top_exporters.csv:1: starts with a byte-order mark (BOM): save it as UTF-8 without BOM"] * bom + [
        f'data/raw/ict_top_exporters.csv:2: column "firm": value "{shown}" is {length} characters long: '
        "a text cell holds at most 10000 (a definition may declare maxLength)"]
    n = len(expected)
    assert capsys.readouterr().err.splitlines() == [f"data/raw/ict_top_exporters.csv: {n} problem{'s' * (n > 1)}",
                                                    *(f"  {e}" for e in expected), f"{n} problem{'s' * (n > 1)} in 1 file"]
    assert snapshot(repo_copy) == before
    assert csv.field_size_limit() == limit  # the process's limit is left as it was
