"""The build: deterministic, atomic, and `--check` catches every stale output."""

import hashlib
import json
import shutil

import pyarrow.parquet as pq

from clusterdata.contrib.build import build
from clusterdata.cli import main
from clusterdata.contrib.definitions import read_definitions

from conftest import REPO, snapshot


def test_committed_outputs_are_up_to_date():
    assert build(REPO, check=True) == []


def test_two_builds_from_scratch_give_identical_files(repo_copy):
    def fresh():
        shutil.rmtree(repo_copy / "data" / "parquet")
        (repo_copy / "datapackage.json").unlink()
        build(repo_copy)
        return {k: v[0] for k, v in snapshot(repo_copy).items()}

    first = fresh()
    assert first == fresh()
    assert len(first) == len(read_definitions(REPO / "schemas")) + 1


def test_a_build_with_nothing_new_writes_nothing(repo_copy):
    before = snapshot(repo_copy)
    assert build(repo_copy) == []
    assert snapshot(repo_copy) == before


def test_check_names_what_a_raw_change_makes_stale(repo_copy, capsys, monkeypatch):
    path = repo_copy / "data/raw/pinghu_output.csv"
    path.write_text(path.read_text().replace("2002,22,21.1,13.8,45", "2002,22,21.1,13.9,45"))
    monkeypatch.chdir(repo_copy)
    assert main(["build", "--check"]) == 1
    assert capsys.readouterr().err.splitlines() == [
        "out of date (run `clusterdata build` and commit the result):",
        "  data/parquet/pinghu_output.parquet",
        "  datapackage.json",
        "  docs/dictionary/pinghu_output.html",
        "  docs/dictionary/croissant.json",  # it carries each Parquet file's sha256
    ]
    assert main(["build"]) == 0
    assert main(["build", "--check"]) == 0


def test_check_catches_edited_descriptor_missing_and_orphan_files(repo_copy):
    descriptor = repo_copy / "datapackage.json"
    descriptor.write_text(descriptor.read_text().replace('"version": "', '"version": "9'))
    (repo_copy / "data/parquet/sources.parquet").unlink()
    (repo_copy / "data/parquet/old_table.parquet").write_bytes(b"PAR1")
    stale = {p.as_posix() for p in build(repo_copy, check=True)}
    assert stale == {"datapackage.json", "data/parquet/sources.parquet", "data/parquet/old_table.parquet"}
    build(repo_copy)
    assert not (repo_copy / "data/parquet/old_table.parquet").exists()
    assert build(repo_copy, check=True) == []


def test_descriptor_hashes_match_the_files():
    descriptor = json.loads((REPO / "datapackage.json").read_text())
    assert descriptor["$schema"] == "https://datapackage.org/profiles/2.0/datapackage.json"
    for resource in descriptor["resources"]:
        data = (REPO / resource["path"]).read_bytes()
        assert "bytes" not in resource  # frictionless cannot size a Parquet file and would fail it; the sha256 covers it
        assert resource["hash"] == "sha256:" + hashlib.sha256(data).hexdigest()


def test_descriptor_and_parquet_come_from_the_definitions():
    descriptor = {r["name"]: r for r in json.loads((REPO / "datapackage.json").read_text())["resources"]}
    for name, table in read_definitions(REPO / "schemas").items():
        assert descriptor[name]["schema"] == json.loads(json.dumps(table.table_schema())), name
        schema = pq.read_schema(REPO / descriptor[name]["path"])
        assert schema.remove_metadata().equals(table.arrow_schema().remove_metadata()), name
        for field in table.fields:
            meta = schema.field(field["name"]).metadata or {}
            assert meta.get(b"unit", b"").decode() == field.get("unit", ""), (name, field["name"])
        provenance = json.loads(schema.metadata[b"clusterdata"])
        assert provenance["table"] == name


def test_a_table_keeps_its_bytes_when_only_the_version_changes(repo_copy, monkeypatch):
    """No Parquet file records the dataset version, so a release stores only the tables it changed (releases/objects)."""
    import clusterdata.contrib.build

    before = {p.name: p.read_bytes() for p in (repo_copy / "data" / "parquet").glob("*.parquet")}
    monkeypatch.setattr(clusterdata.contrib.build, "__version__", "9.9.9")
    changed = build(repo_copy)
    assert (repo_copy / "datapackage.json").read_text().count('"version": "9.9.9"') == 1
    assert not [p for p in changed if p.suffix == ".parquet"]
    assert {p.name: p.read_bytes() for p in (repo_copy / "data" / "parquet").glob("*.parquet")} == before
    for path in (repo_copy / "data" / "parquet").glob("*.parquet"):
        provenance = json.loads(pq.ParquetFile(path).schema_arrow.metadata[b"clusterdata"])
        assert sorted(provenance) == ["location", "source", "table", "title"]


def test_a_chart_is_drawn_again_only_when_its_input_changes(repo_copy, monkeypatch):
    import vl_convert

    drawn = []
    draw = vl_convert.vegalite_to_svg
    monkeypatch.setattr(vl_convert, "vegalite_to_svg", lambda spec: drawn.append(spec["title"]) or draw(spec))
    assert build(repo_copy, check=True) == [] and drawn == []  # every chart of the built copy is reused
    path = repo_copy / "data/raw/pinghu_output.csv"
    path.write_text(path.read_text().replace("2002,22,21.1,13.8,45", "2002,22,21.1,13.9,45"))
    assert "docs/dictionary/pinghu_output.html" in {p.as_posix() for p in build(repo_copy)}
    assert len(drawn) == 1 and "Pinghu" in str(drawn[0])  # the one chart whose data changed, and only it


def test_check_catches_a_chart_edited_by_hand(repo_copy):
    page = repo_copy / "docs/dictionary/pinghu_output.html"
    text = page.read_text(encoding="utf-8")
    start = text.index("<svg ")
    edited = text[:start] + text[start:].replace("<path ", '<path stroke="red" ', 1)
    assert edited != text
    page.write_text(edited, encoding="utf-8")
    assert [p.as_posix() for p in build(repo_copy, check=True)] == ["docs/dictionary/pinghu_output.html"]
    build(repo_copy)
    assert page.read_text(encoding="utf-8") == text
