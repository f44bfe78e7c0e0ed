"""The release: bundle (checked by sha256sum and unzip), release metadata from one place, workflows that pass zizmor."""

import json
import re
import shutil
import subprocess
import sys
import tomllib
import zipfile

import pytest
import yaml

import clusterdata
from clusterdata.contrib import release
from clusterdata.contrib.definitions import read_package_metadata

from conftest import REPO, made_once


@pytest.fixture(scope="module")
def bundled(tmp_path_factory):
    """The bundle of the current version, from a copy of the checkout in which that version is recorded
    (as a maintainer records it before tagging), so that a pull request that bumps the version tests it too."""
    def make(folder):
        root = folder / "checkout" / "clusterdata"
        shutil.copytree(REPO, root, ignore=shutil.ignore_patterns(".venv", ".git", "tests", "build", "dist", "__pycache__"))
        release.record(root)
        release.bundle(root, folder / "dist")

    dist = made_once(tmp_path_factory, "release", make) / "dist"  # made once per run, shared by the workers
    (folder,) = [p for p in dist.iterdir() if p.is_dir()]
    (archive,) = dist.glob("*.zip")
    return folder, archive


def test_the_bundle_checks_with_sha256sum_and_unzip(bundled):
    folder, archive = bundled
    assert folder.name == archive.stem == f"clusterdata-{clusterdata.__version__}"
    result = subprocess.run(["sha256sum", "--check", "--strict", "SHA256SUMS"], cwd=folder, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    listed = {line.split("  ", 1)[1] for line in (folder / "SHA256SUMS").read_text().splitlines()}
    on_disk = {p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()} - {"SHA256SUMS"}
    assert listed == on_disk
    for expected in ("datapackage.json", "CITATION.cff", "CHANGELOG.md", "LICENSE", "datacite.json",
                     "data/parquet/pinghu_output.parquet", "csv/pinghu_output.csv", "json/pinghu_output.json",
                     "xlsx/datapackage.json", "sqlite/datapackage.json"):
        assert expected in listed, expected
    assert subprocess.run(["unzip", "-tq", str(archive)], capture_output=True).returncode == 0
    names = zipfile.ZipFile(archive).namelist()
    assert sorted(names) == sorted(f"{folder.name}/{p}" for p in [*listed, "SHA256SUMS"])


def test_the_bundle_is_the_release_as_recorded(bundled):
    folder, _ = bundled
    assert (folder / "datapackage.json").read_bytes() == (REPO / "datapackage.json").read_bytes()
    assert clusterdata.diff(str(REPO), str(folder))["tables"] == {}  # every Parquet file checked by its sha256


def test_the_bundles_datacite_metadata_is_valid(bundled):
    from datacite import schema45

    record = json.loads((bundled[0] / "datacite.json").read_text())
    errors = [e.message for e in schema45.validator.iter_errors(record)]
    assert errors == []
    assert record["version"] == clusterdata.__version__
    assert "<version>" + clusterdata.__version__ + "</version>" in schema45.tostring(record)


def test_a_bundle_needs_the_version_recorded(tmp_path):
    root = tmp_path / "checkout"
    shutil.copytree(REPO, root, ignore=shutil.ignore_patterns(".venv", ".git", "docs", "tests", "releases"))
    with pytest.raises(ValueError, match=rf"^version {re.escape(clusterdata.__version__)} is not recorded as released \(or its data changed since\): "
                                         r"run `clusterdata release check`, then `clusterdata release record` and commit releases/$"):
        release.bundle(root, tmp_path / "dist")
    assert not (tmp_path / "dist").exists()


def test_zenodo_and_citation_metadata_come_from_the_package_metadata():
    package = read_package_metadata(REPO / "schemas")
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text())
    zenodo = json.loads((REPO / ".zenodo.json").read_text())
    assert cff["version"] == zenodo["version"] == clusterdata.__version__
    assert cff["title"] == zenodo["title"] == package["title"]
    assert str(cff["date-released"]) == zenodo["publication_date"] == package["created"][:10]
    assert zenodo["upload_type"] == "dataset" and zenodo["license"] == "cc-by-4.0"


def test_one_place_declares_where_the_dataset_lives():
    """schemas/_package.toml's homepage and repository, or everywhere a plain statement that there is none."""
    package = read_package_metadata(REPO / "schemas")
    declared = {k: package[k] for k in ("homepage", "repository") if package.get(k)}
    urls = tomllib.loads((REPO / "pyproject.toml").read_text())["project"].get("urls", {})
    assert urls == {k.capitalize(): v for k, v in declared.items()}
    descriptor = json.loads((REPO / "datapackage.json").read_text())
    assert {k: descriptor[k] for k in ("homepage", "repository") if k in descriptor} == declared
    cff = yaml.safe_load((REPO / "CITATION.cff").read_text())
    readme = (REPO / "README.md").read_text()
    bibtex = clusterdata.cite("pinghu_output").bibtex
    if declared:
        assert cff.get("url") == declared.get("homepage") and cff.get("repository-code") == declared.get("repository")
        assert all(url in readme for url in declared.values())
        assert f"url = {{{declared.get('homepage') or declared['repository']}}}" in bibtex
    else:
        assert "url" not in cff and "repository-code" not in cff
        for text in (cff["message"], json.loads((REPO / ".zenodo.json").read_text())["notes"], readme, bibtex):
            assert "no published location yet" in text.lower()
        assert "url =" not in bibtex and "http" not in "".join(cff["message"])


def test_a_declared_homepage_flows_into_the_metadata():
    package = {**read_package_metadata(REPO / "schemas"), "homepage": "https://example.org/clusterdata"}
    cff = yaml.safe_load(release.citation_cff(package, "9.9.9"))
    assert cff["url"] == "https://example.org/clusterdata" and "no published location" not in cff["message"]
    zenodo = json.loads(release.zenodo_json(package, "9.9.9"))
    assert zenodo["related_identifiers"] == [{"identifier": "https://example.org/clusterdata", "relation": "isSupplementTo", "scheme": "url"}]
    assert "notes" not in zenodo
    with pytest.raises(ValueError, match=r"^schemas/_package.toml: homepage = 'javascript:alert\(1\)' is not an http\(s\) address$"):
        release.citation_cff({**package, "homepage": "javascript:alert(1)"}, "9.9.9")


def test_workflows_pass_zizmor_offline():
    zizmor = shutil.which("zizmor", path=str(__import__("pathlib").Path(sys.executable).parent)) or shutil.which("zizmor")
    assert zizmor, "zizmor is in the test extra"
    result = subprocess.run([zizmor, "--offline", "--persona=pedantic", str(REPO / ".github" / "workflows")],
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout


def test_every_action_is_pinned_to_a_commit():
    uses = re.findall(r"uses:\s*(\S+)", "".join(p.read_text() for p in (REPO / ".github" / "workflows").glob("*.yml")))
    assert uses and all(re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", u) for u in uses), uses


def test_the_ci_workflow_checks_the_version_against_the_pull_requests_base():
    ci = yaml.safe_load((REPO / ".github" / "workflows" / "ci.yml").read_text())
    step = next(s for s in ci["jobs"]["test"]["steps"] if s.get("run") == "bash .ci/run")
    assert step["env"] == {"CLUSTERDATA_BASE_REF": "${{ github.event.pull_request.base.sha }}"}
    run = (REPO / ".ci" / "run").read_text()
    assert 'clusterdata release check --base "$CLUSTERDATA_BASE_REF"' in run and "\n  clusterdata release check\n" in run


def test_record_keeps_a_release_unchanged(tmp_path, monkeypatch, capsys):
    from clusterdata.cli import main

    root = tmp_path / "checkout"
    (root / "releases" / "0.1.0").mkdir(parents=True)
    shutil.copy(REPO / "releases" / "0.1.0" / "datapackage.json", root / "releases" / "0.1.0" / "datapackage.json")
    descriptor = json.loads((REPO / "datapackage.json").read_text())
    (root / "datapackage.json").write_text(json.dumps({**descriptor, "title": "changed", "version": "0.1.0"}))
    monkeypatch.setattr("clusterdata.contrib.build.find_root", lambda: root)
    assert main(["release", "record"]) == 2
    assert capsys.readouterr().err == ("clusterdata: releases/0.1.0/datapackage.json: version 0.1.0 is already recorded "
                                       "with other data; a release never changes: bump the version\n")
    assert (root / "releases/0.1.0/datapackage.json").read_bytes() == (REPO / "releases/0.1.0/datapackage.json").read_bytes()
    (root / "datapackage.json").write_text(json.dumps({**descriptor, "version": "0.1.1"}))
    assert main(["release", "record"]) == 0
    assert capsys.readouterr().out == "recorded releases/0.1.1/datapackage.json\n"
    assert json.loads((root / "releases/0.1.1/datapackage.json").read_text())["version"] == "0.1.1"


def test_release_outside_a_checkout_says_so_in_one_line(tmp_path, monkeypatch, capsys):
    from clusterdata.cli import main

    monkeypatch.chdir(tmp_path)
    assert main(["release", "check"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith(f"clusterdata: no clusterdata repository at or above {tmp_path}")


def test_show_a_released_version(capsys):
    from clusterdata.cli import main

    assert main(["show", "pinghu_output", "--rows", "1", "--version", "0.1.0"]) == 0
    assert capsys.readouterr().out.splitlines()[1].split() == ["2002", "22", "21.1", "13.8", "45"]
    assert main(["show", "pinghu_output", "--version", "0.0.9"]) == 2
    released = ", ".join(clusterdata.versions())
    assert released.startswith("0.1.0, ")
    assert capsys.readouterr().err == f"clusterdata: clusterdata has no released version '0.0.9'; the released versions are: {released}\n"
