"""Versions: every release loads as released, diff reports each change of data and metadata, changes --since."""

import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import clusterdata
from clusterdata import _diff, _releases
from clusterdata.cli import main

from conftest import REPO

# The version of this checkout (a recorded release: main is always one) and the bumps over it.
CUR = clusterdata.__version__


def copy_version(dest):
    """The repository's current data (datapackage.json and data/parquet) copied to a folder."""
    (dest / "data").mkdir(parents=True)
    shutil.copytree(REPO / "data" / "parquet", dest / "data" / "parquet")
    shutil.copy(REPO / "datapackage.json", dest / "datapackage.json")
    return dest


def rewrite(folder, name, table, edit_resource=lambda r: None):
    """Replace a table's Parquet file in a version folder and record its new size and sha256."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    data = sink.getvalue().to_pybytes()
    (folder / "data" / "parquet" / f"{name}.parquet").write_bytes(data)
    descriptor = json.loads((folder / "datapackage.json").read_text())
    resource = next(r for r in descriptor["resources"] if r["name"] == name)
    resource.update(bytes=len(data), hash="sha256:" + hashlib.sha256(data).hexdigest())
    edit_resource(resource)
    (folder / "datapackage.json").write_text(json.dumps(descriptor))


@pytest.fixture
def two_versions(tmp_path):
    """An old folder (the current data) and a new one whose pinghu_output differs in known ways."""
    old, new = copy_version(tmp_path / "old"), copy_version(tmp_path / "new")
    rows = pq.read_table(old / "data" / "parquet" / "pinghu_output.parquet").to_pylist()
    rows = [r for r in rows if r["year"] != 2004]  # a row removed
    rows[1]["output_100m_yuan"] = 40.3  # 2003: 40.2 -> 40.3
    rows.append({**rows[0], "year": 2008, "growth_rate_pct": None})  # a row added
    table = pa.Table.from_pylist([{**r, "note": "x"} for r in rows])  # a column added

    def edit(resource):
        resource["schema"]["fields"][1]["description"] = "Enterprises."
        resource["schema"]["fields"].append({"name": "note", "type": "string"})
        resource["chart"] = {"mark": "bar"}  # seen by no data user: not reported

    rewrite(new, "pinghu_output", table, edit)
    return old, new


def test_diff_reports_rows_cells_columns_and_metadata(two_versions):
    old, new = two_versions
    result = clusterdata.diff(str(old), str(new))
    assert result["tables_added"] == [] and result["tables_removed"] == [] and result["package"] == []
    assert list(result["tables"]) == ["pinghu_output"]
    assert result["tables"]["pinghu_output"] == {
        "columns_added": ["note"],
        "columns_removed": [],
        "columns_retyped": [],
        "metadata": [{"field": "column enterprises: description", "old": "Number of Enterprises, as printed.", "new": "Enterprises."}],
        "rows_added": [{"year": 2008}],
        "rows_removed": [{"year": 2004}],
        "cells": [{"key": {"year": 2003}, "column": "output_100m_yuan", "old": 40.2, "new": 40.3}],
    }


def test_diff_text_and_markdown_are_whole(two_versions, capsys):
    old, new = two_versions
    assert main(["diff", str(old), str(new)]) == 0
    assert capsys.readouterr().out == (
        f"{old} (version {CUR}) -> {new} (version {CUR})\n"
        "pinghu_output:\n"
        "  column added: note\n"
        '  metadata: column enterprises: description: "Number of Enterprises, as printed." -> "Enterprises."\n'
        "  row added: year=2008\n"
        "  row removed: year=2004\n"
        "  cell year=2003, output_100m_yuan: 40.2 -> 40.3\n"
    )
    assert main(["diff", str(old), str(new), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["tables"]["pinghu_output"]["cells"][0]["new"] == 40.3
    assert main(["diff", str(old), str(new), "--format", "markdown"]) == 0
    markdown = capsys.readouterr().out
    assert "#### pinghu\\_output\n\n| change |\n|---|\n| column added: note |\n" in markdown
    assert "| cell year=2003, output\\_100m\\_yuan: 40.2 -&gt; 40.3 |\n" in markdown


def test_markdown_cannot_carry_links_or_html(two_versions):
    """A hostile cell renders, through a CommonMark renderer, as its text: no link, no HTML, no broken table."""
    from markdown_it import MarkdownIt

    old, new = two_versions
    hostile = '[x](javascript:alert(1)) <img src=x onerror=alert(1)> | **b** https://evil.example'
    table = pq.read_table(new / "data/parquet/pinghu_output.parquet")
    rewrite(new, "pinghu_output", table.set_column(5, "note", pa.array([hostile] * len(table))))
    result = clusterdata.diff(str(old), str(new))
    result["tables"]["pinghu_output"]["cells"].append({"key": {"year": 2003}, "column": "note", "old": None, "new": hostile})
    html = MarkdownIt("commonmark").enable("table").render(_diff.render_markdown(result))
    assert "<a " not in html and "<img" not in html and "<strong>" not in html
    assert html.count("<tr>") == 1 + 6  # the header and six changes: no row split by a "|"
    assert "[x](javascript:alert(1)) &lt;img src=x onerror=alert(1)&gt; | **b**" in html.replace("&quot;", '"')


def test_diff_of_a_table_removed_and_retyped(tmp_path):
    old, new = copy_version(tmp_path / "old"), copy_version(tmp_path / "new")
    descriptor = json.loads((new / "datapackage.json").read_text())
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] != "ipad_suppliers"]
    (new / "datapackage.json").write_text(json.dumps(descriptor))
    table = pq.read_table(old / "data" / "parquet" / "ict_fdi.parquet")
    retyped = table.set_column(1, "fdi_m_usd", pa.array([str(v) for v in table.column(1).to_pylist()]))

    def edit(resource):
        resource["schema"]["fields"][1]["type"] = "string"

    rewrite(new, "ict_fdi", retyped, edit)
    result = clusterdata.diff(str(old), str(new))
    assert result["tables_removed"] == ["ipad_suppliers"]
    assert result["tables"]["ict_fdi"]["columns_retyped"] == [{"column": "fdi_m_usd", "old": "number", "new": "string"}]


def test_a_file_that_is_not_the_one_described_is_refused(two_versions):
    old, new = two_versions
    (new / "data" / "parquet" / "pinghu_output.parquet").write_bytes(b"not parquet")
    with pytest.raises(clusterdata.IntegrityError, match="pinghu_output.parquet: the file of table 'pinghu_output' is not the one"):
        clusterdata.diff(str(old), str(new))


def test_a_path_leading_out_of_the_version_is_refused(two_versions, capsys):
    old, new = two_versions
    descriptor = json.loads((new / "datapackage.json").read_text())
    descriptor["resources"][0]["path"] = "../old/datapackage.json"
    (new / "datapackage.json").write_text(json.dumps(descriptor))
    assert main(["diff", str(old), str(new)]) == 2
    assert capsys.readouterr().err == (
        f"clusterdata: {new}: datapackage.json: resource path '../old/datapackage.json' is not a plain relative "
        "path inside the version; refused\n")


def git(*args, cwd):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=cwd, check=True, capture_output=True)


def test_diff_reads_git_commits_without_checking_out(two_versions, monkeypatch):
    old, new = two_versions
    repo = old.parent / "repo"
    shutil.copytree(old, repo)
    git("init", "-q", cwd=repo)
    git("add", ".", cwd=repo)
    git("commit", "-qm", "old", cwd=repo)
    shutil.copytree(new / "data", repo / "data", dirs_exist_ok=True)
    shutil.copy(new / "datapackage.json", repo / "datapackage.json")
    git("commit", "-qam", "new", cwd=repo)
    git("tag", "v-new", cwd=repo)
    monkeypatch.chdir(repo)
    result = clusterdata.diff("HEAD~1", "v-new")
    assert result["tables"]["pinghu_output"]["cells"] == [{"key": {"year": 2003}, "column": "output_100m_yuan", "old": 40.2, "new": 40.3}]
    assert (repo / "datapackage.json").read_bytes() == (new / "datapackage.json").read_bytes()  # nothing checked out
    with pytest.raises(ValueError, match="^OLD '--output=x' is neither"):
        clusterdata.diff("--output=x")
    with pytest.raises(ValueError, match="^OLD .-p. is neither"):
        clusterdata.diff("-p")


@pytest.mark.parametrize("version", _releases.versions())
def test_every_release_loads_byte_for_byte_as_released(version):
    descriptor = json.loads((REPO / "releases" / version / "datapackage.json").read_text())
    assert descriptor["version"] == version
    for resource in descriptor["resources"]:
        data = _releases.released_bytes(version, resource["name"])
        assert "sha256:" + hashlib.sha256(data).hexdigest() == resource["hash"]
        assert len(data) == resource.get("bytes", len(data))  # 0.1.0 gave sizes; from 0.1.1 the sha256 alone (frictionless)
        arrow = clusterdata.load(resource["name"], backend="arrow", version=version)
        assert arrow.equals(pq.ParquetFile(pa.BufferReader(data)).read())
        assert [f.name for f in arrow.schema] == [f["name"] for f in resource["schema"]["fields"]]


def test_the_first_release_is_recorded_and_the_current_version_is_released_or_newer():
    assert _releases.versions()[0] == "0.1.0"
    assert _releases.version_key(clusterdata.__version__) >= _releases.version_key(_releases.versions()[-1])


def test_a_release_load_keeps_dtypes_and_says_its_version():
    frame = clusterdata.load("pinghu_output", version="0.1.0")
    assert frame.attrs["version"] == "0.1.0"
    assert str(frame["year"].dtype) == "Int64"
    assert frame.loc[frame["year"] == 2003, "output_100m_yuan"].item() == 40.2  # as printed in the source


def test_an_unknown_version_is_one_message(capsys):
    with pytest.raises(ValueError, match=r"^clusterdata has no released version '9\.9\.9'; the released versions are: 0\.1\.0"):
        clusterdata.load("pinghu_output", version="9.9.9")
    with pytest.raises(ValueError, match="no released version '../x'"):
        clusterdata.load("pinghu_output", version="../x")
    assert main(["changes", "--since", "0.0.1"]) == 2
    assert capsys.readouterr().err.startswith("clusterdata: clusterdata has no released version '0.0.1'")


def test_changes_since_a_release(monkeypatch, two_versions, capsys):
    old, new = two_versions
    monkeypatch.setattr(_diff, "installed", lambda: _diff.from_folder(str(new)))
    result = clusterdata.changes("0.1.0", "pinghu_output")
    assert result["tables"]["pinghu_output"]["cells"] == [{"key": {"year": 2003}, "column": "output_100m_yuan", "old": 40.2, "new": 40.3}]
    assert clusterdata.changes(CUR, "ipad_suppliers")["tables"] == {}  # a table unchanged since the checkout's release
    assert main(["changes", "--since", "0.1.0", "pinghu_output"]) == 0
    assert "  cell year=2003, output_100m_yuan: 40.2 -> 40.3\n" in capsys.readouterr().out


def test_versioned_loading_keeps_import_light():
    code = ("import sys, clusterdata; clusterdata.load('ict_fdi', backend='arrow', version='0.1.0'); "
            "clusterdata.diff('0.1.0'); print(sorted(m for m in ('pandas', 'pandera', 'frictionless') if m in sys.modules))")
    out = subprocess.run([__import__("sys").executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out == "[]\n"


# The semantic-version check (`clusterdata release check`) -------------------------------------------------

from clusterdata.contrib import release  # noqa: E402

PATCH, MINOR, MAJOR = (release.next_version(CUR, level) for level in ("patch", "minor", "major"))


def checkout_copy(tmp_path):
    """The files the version check reads: datapackage.json, data/parquet and every file stating the version."""
    root = copy_version(tmp_path / "checkout")
    for relative in ("src/clusterdata/__init__.py", "CITATION.cff", "CHANGELOG.md"):
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(REPO / relative, root / relative)
    return root


def set_version(root, version, changelog):
    init = root / "src/clusterdata/__init__.py"
    init.write_text(init.read_text().replace(f'__version__ = "{CUR}"', f'__version__ = "{version}"'))
    cff = root / "CITATION.cff"
    cff.write_text(cff.read_text().replace(f"version: {CUR}", f"version: {version}"))
    descriptor = json.loads((root / "datapackage.json").read_text())
    (root / "datapackage.json").write_text(json.dumps({**descriptor, "version": version}))
    log = root / "CHANGELOG.md"
    log.write_text(log.read_text().replace(f"## {CUR}", f"## {version} (2026-12-02)\n\n{changelog}\n\n## {CUR}", 1))


def change_a_cell(root):
    rows = pq.read_table(root / "data/parquet/pinghu_output.parquet")
    rewrite(root, "pinghu_output", rows.set_column(2, "output_100m_yuan", pa.array([21.1, 40.3, 65.9, 78.6, 101.5, 124.57])))


def test_release_check_passes_on_the_recorded_release():
    assert release.check(REPO) == (True, f"release check: version {CUR}, stated alike in 5 files; "
                                         f"the data did not change since the latest release, {CUR}")


def test_a_changed_value_without_a_bump_gets_one_message(tmp_path):
    root = checkout_copy(tmp_path)
    change_a_cell(root)
    assert release.check(root) == (False, (
        f"the data changed since the latest release, {CUR} and needs a patch version (pinghu_output: 1 cell(s) changed): "
        f"version {CUR} is not enough; set {PATCH} in src/clusterdata/__init__.py, CITATION.cff, CHANGELOG.md, "
        f"write a '## {PATCH}' entry in CHANGELOG.md naming pinghu_output, then run `clusterdata build`"))


def test_a_patch_bump_must_name_the_table_in_the_changelog(tmp_path):
    root = checkout_copy(tmp_path)
    change_a_cell(root)
    set_version(root, PATCH, "- A value corrected.")
    assert release.check(root) == (False, f"CHANGELOG.md: the entry '## {PATCH}' must name every table that changed "
                                          f"since the latest release, {CUR}; it does not name pinghu_output")
    shutil.copy(REPO / "CHANGELOG.md", root / "CHANGELOG.md")
    set_version(root, PATCH, "- `pinghu_output`: 2003's output is 40.3.")
    ok, message = release.check(root)
    assert ok, message
    assert message == (f"release check: version {PATCH} (patch over {CUR}) covers what changed since the latest release, {CUR} "
                       "(pinghu_output: 1 cell(s) changed)")


def test_a_new_column_needs_a_minor_and_a_removed_table_a_major(two_versions, tmp_path):
    _, new = two_versions
    root = checkout_copy(tmp_path)
    shutil.copy(new / "datapackage.json", root / "datapackage.json")
    shutil.copy(new / "data/parquet/pinghu_output.parquet", root / "data/parquet/pinghu_output.parquet")
    set_version(root, PATCH, "- `pinghu_output`: a note.")
    ok, message = release.check(root)
    assert not ok and message.startswith(f"the data changed since the latest release, {CUR} and needs a minor version "
                                         f"(column pinghu_output.note added): version {PATCH} is not enough; set {MINOR} in")
    descriptor = json.loads((root / "datapackage.json").read_text())
    descriptor["resources"] = [r for r in descriptor["resources"] if r["name"] != "ipad_suppliers"]
    (root / "datapackage.json").write_text(json.dumps(descriptor, indent=2))
    ok, message = release.check(root)
    assert not ok and "needs a major version (table ipad_suppliers removed)" in message and f"set {MAJOR} in" in message


def test_chart_specs_need_no_bump(tmp_path):
    root = checkout_copy(tmp_path)
    descriptor = json.loads((root / "datapackage.json").read_text())
    descriptor["resources"][0]["chart"] = {"mark": "point"}
    (root / "datapackage.json").write_text(json.dumps(descriptor, indent=2))
    assert release.check(root)[0]


def test_every_place_stating_the_version_must_agree(tmp_path):
    root = checkout_copy(tmp_path)
    cff = root / "CITATION.cff"
    cff.write_text(cff.read_text().replace(f"version: {CUR}", f"version: {PATCH}"))
    assert release.check(root) == (False, f"the version is stated differently: src/clusterdata/__init__.py says {CUR}, "
                                          f"CITATION.cff says {PATCH}; make them all {CUR} (datapackage.json: run `clusterdata build`)")


def test_the_cli_check_exits_1_with_the_message_on_stderr(tmp_path, monkeypatch, capsys):
    root = checkout_copy(tmp_path)
    change_a_cell(root)
    monkeypatch.setattr("clusterdata.contrib.build.find_root", lambda: root)
    assert main(["release", "check"]) == 1
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith(f"the data changed since the latest release, {CUR} and needs a patch version")


def test_a_build_keeps_a_released_file_it_replaces(tmp_path):
    root = checkout_copy(tmp_path)
    shutil.copytree(REPO / "releases", root / "releases", ignore=shutil.ignore_patterns("objects"))
    old = (root / "data/parquet/pinghu_output.parquet").read_bytes()
    kept = release.keep_released(root, [Path("data/parquet/pinghu_output.parquet"), Path("datapackage.json")])
    digest = hashlib.sha256(old).hexdigest()
    assert kept == [Path(f"releases/objects/{digest}.parquet")]
    assert (root / kept[0]).read_bytes() == old
    assert release.keep_released(root, [Path("data/parquet/pinghu_output.parquet")]) == []  # stored once


def test_an_old_release_still_loads_after_its_table_changed(tmp_path, monkeypatch):
    """A later version replaced pinghu_output: the released file comes from releases/objects, checked by its sha256."""
    from clusterdata import _catalog, _load

    install = copy_version(tmp_path / "install")
    shutil.copytree(REPO / "releases", install / "releases")
    released = (install / "data/parquet/pinghu_output.parquet").read_bytes()
    kept = release.keep_released(install, [Path("data/parquet/pinghu_output.parquet")])
    change_a_cell(install)
    monkeypatch.setattr(_catalog, "data_root", lambda: str(install))
    _catalog.descriptor.cache_clear()  # cleared again at the end, for the real installation
    _releases.descriptor.cache_clear()
    monkeypatch.setattr(_load, "_arrow", {})
    monkeypatch.setattr(_load, "_pandas", {})
    try:
        assert kept == [Path(f"releases/objects/{hashlib.sha256(released).hexdigest()}.parquet")]
        assert _releases.released_bytes(CUR, "pinghu_output") == released
        assert clusterdata.load("pinghu_output", version=CUR)["output_100m_yuan"].tolist()[1] == 40.2
        assert clusterdata.load("pinghu_output")["output_100m_yuan"].tolist()[1] == 40.3
        (install / kept[0]).write_bytes(released[:-1] + b"\0")  # an altered copy is refused, not read
        with pytest.raises(clusterdata.IntegrityError, match=f"table 'pinghu_output' of version {re.escape(CUR)} .* is missing or altered"):
            _releases.released_bytes(CUR, "pinghu_output")
    finally:
        _catalog.descriptor.cache_clear()
        _releases.descriptor.cache_clear()


def test_release_check_against_a_pull_requests_base(tmp_path, monkeypatch):
    root = checkout_copy(tmp_path)
    git("init", "-q", cwd=root)
    git("add", ".", cwd=root)
    git("commit", "-qm", "base", cwd=root)
    monkeypatch.chdir(tmp_path)  # the base is read from the checkout's repository, wherever the command runs
    change_a_cell(root)
    assert release.check(root, "HEAD") == (False, (
        f"the data changed since HEAD (version {CUR}) and needs a patch version (pinghu_output: 1 cell(s) changed): "
        f"version {CUR} is not enough; set {PATCH} in src/clusterdata/__init__.py, CITATION.cff, CHANGELOG.md, "
        f"write a '## {PATCH}' entry in CHANGELOG.md naming pinghu_output, then run `clusterdata build`"))
    set_version(root, PATCH, "- `pinghu_output`: a value corrected.")
    git("commit", "-qam", f"{PATCH}, not released yet", cwd=root)
    rows = pq.read_table(root / "data/parquet/ict_fdi.parquet")
    rewrite(root, "ict_fdi", rows.set_column(1, "fdi_m_usd", pa.array([v + 1 for v in rows.column(1).to_pylist()])))
    # The base already carries the unreleased bump: a further correction may join it, named in its entry.
    assert release.check(root, "HEAD") == (False, f"CHANGELOG.md: the entry '## {PATCH}' must name every table that changed "
                                                  f"since HEAD (version {PATCH}); it does not name ict_fdi")


def test_the_shipped_data_is_the_latest_release_or_says_what_changed(capsys):
    """With no argument, diff compares the latest release with this installation: here nothing has changed."""
    assert main(["diff"]) == 0
    assert capsys.readouterr().out == (f"{CUR} (version {CUR}) -> the working tree (version {CUR})\n"
                                       "no differences in the data or its metadata\n")


def test_package_metadata_changes_are_reported(two_versions, capsys):
    old, new = two_versions
    descriptor = json.loads((new / "datapackage.json").read_text())
    (new / "datapackage.json").write_text(json.dumps({**descriptor, "title": "Another title", "version": "0.2.0"}))
    assert main(["diff", str(old), str(new)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:3] == [f"{old} (version {CUR}) -> {new} (version 0.2.0)", "package:",
                       f'  metadata: title: {json.dumps(descriptor["title"])} -> "Another title"']


def test_changes_of_a_table_bring_the_changed_notes_on_it():
    """0.1.1 reworded the unit note on pinghu_output (it cited an unpublished 'catalog rule 3'); ict_fdi's notes did not change."""
    found = clusterdata.changes("0.1.0", "pinghu_output")["tables"]
    assert set(found) <= {"pinghu_output", "annotations"}
    notes = [c for c in found["annotations"]["cells"] if c["column"] == "note"]
    assert [c["key"] for c in notes] == [{"table_name": "pinghu_output", "row_key": "", "column_name": "output_100m_yuan", "kind": "unit_note"}]
    assert notes[0]["old"].endswith("(catalog rule 3).") and "catalog rule" not in notes[0]["new"]
    assert all(c["key"]["table_name"] == "pinghu_output" for c in found["annotations"]["cells"])
    assert "annotations" not in clusterdata.changes("0.1.0", "ict_fdi")["tables"]
