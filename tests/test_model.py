"""The typed model (_model.py): every table round-trips through its descriptor, the definitions and
datapackage.json describe the same tables, a malformed descriptor is one message, and no module but
_model.py reads the descriptor's dicts."""

import ast
import json
import shutil
from pathlib import Path

import pytest

import clusterdata
from clusterdata import _catalog
from clusterdata._model import DescriptorError, Package, Table
from clusterdata.contrib.build import source_entry
from clusterdata.cli import main
from clusterdata.contrib.definitions import read_definitions

REPO = Path(__file__).resolve().parents[1]
PACKAGE = Path(clusterdata.__file__).parent
DEFINITIONS = read_definitions(REPO / "schemas")
DESCRIPTOR = json.loads((REPO / "datapackage.json").read_text(encoding="utf-8"))
RESOURCES = {r["name"]: r for r in DESCRIPTOR["resources"]}
SOURCES = {s["title"]: s for s in DESCRIPTOR["sources"]}


@pytest.mark.parametrize("name", sorted(DEFINITIONS))
def test_every_table_round_trips_through_its_descriptor(name):
    table = DEFINITIONS[name].described()
    assert Table.from_descriptor(table.to_descriptor()) == table
    assert Table.from_descriptor(RESOURCES[name]).to_descriptor() == RESOURCES[name]


@pytest.mark.parametrize("name", sorted(DEFINITIONS))
def test_the_definition_and_datapackage_json_describe_the_same_table(name):
    resource = RESOURCES[name]
    sources = tuple(source_entry({"citation": s["title"], "url": s.get("path"), "rights": s["rights"]})
                    for s in resource.get("sources", []))
    assert DEFINITIONS[name].described(sources=sources, hash=resource["hash"]) == _catalog.table(name)


@pytest.mark.parametrize("path", ["datapackage.json", *sorted(str(p.relative_to(REPO)) for p in REPO.glob("releases/*/datapackage.json"))])
def test_a_descriptor_is_written_back_byte_for_byte(path):
    text = (REPO / path).read_text(encoding="utf-8")
    package = Package.from_descriptor(json.loads(text))
    assert json.dumps(package.to_descriptor(), indent=2, ensure_ascii=False) + "\n" == text
    assert Package.from_descriptor(package.to_descriptor()) == package


def damaged(change) -> dict:
    descriptor = json.loads(json.dumps(DESCRIPTOR))
    change(descriptor)
    return descriptor


def fields_of(descriptor, number):
    return descriptor["resources"][number]["schema"]["fields"]


MALFORMED = [
    (lambda d: d.pop("resources"), "datapackage.json: the key 'resources' is missing"),
    (lambda d: d["resources"].append("x"), "datapackage.json: resources[17] = 'x' is not an object"),
    (lambda d: d["resources"][0].pop("schema"), "datapackage.json: resources[0] (hefei_state_investments): the key 'schema' is missing"),
    (lambda d: fields_of(d, 1)[0].pop("type"),
     "datapackage.json: resources[1] (ict_export_activities).schema.fields[0]: the key 'type' is missing"),
    (lambda d: fields_of(d, 1)[0].update(type="date"),
     "datapackage.json: resources[1] (ict_export_activities).schema.fields[0]: type = 'date' is not one of integer, number, string, boolean"),
    (lambda d: fields_of(d, 1)[0]["constraints"].update(minimum="0"),
     "datapackage.json: resources[1] (ict_export_activities).schema.fields[0].constraints: minimum = '0' is not a number"),
    (lambda d: fields_of(d, 1)[1]["constraints"].update(enum=[1, 2]),
     "datapackage.json: resources[1] (ict_export_activities).schema.fields[1].constraints: enum[0] = 1 is not text"),
    (lambda d: d["resources"][1]["schema"].update(primaryKey=["yeer"]),
     "datapackage.json: resources[1] (ict_export_activities).schema: the key column 'yeer' is not a field"),
    (lambda d: d["resources"][2].update(hash=None), "datapackage.json: resources[2] (ict_fdi): hash = None is not text"),
]


@pytest.mark.parametrize("change, message", MALFORMED, ids=[m for _, m in MALFORMED])
def test_a_malformed_descriptor_is_one_message_naming_the_place(change, message):
    with pytest.raises(DescriptorError) as error:
        Package.from_descriptor(damaged(change))
    assert str(error.value) == message


def test_a_malformed_installed_descriptor_is_one_line_from_the_command_line(tmp_path, monkeypatch, capsys):
    shutil.copytree(REPO / "data/parquet", tmp_path / "data/parquet")
    (tmp_path / "datapackage.json").write_text(json.dumps(damaged(lambda d: fields_of(d, 1)[0].pop("type"))), encoding="utf-8")
    monkeypatch.setattr(_catalog, "data_root", lambda: str(tmp_path))
    _catalog.descriptor.cache_clear()
    try:
        assert main(["describe", "ict_fdi"]) == 2
    finally:
        _catalog.descriptor.cache_clear()
    assert capsys.readouterr().err == (
        f"clusterdata: {tmp_path}/datapackage.json: resources[1] (ict_export_activities).schema.fields[0]: the key 'type' "
        "is missing: reinstall clusterdata, or in a checkout run `clusterdata build`\n")


# The keys of a descriptor's resources and schemas: only _model.py reads them. _verify.py is exempt: it checks the
# size and hash of the files of any export's descriptor, whose resources may be plain files (SQLite, Stata) with no
# schema, and reports each malformed entry instead of refusing the whole descriptor.
DESCRIPTOR_KEYS = {"resources", "schema", "fields", "constraints", "primaryKey", "foreignKeys", "missingValues", "sourceNotes",
                   "reference", "enum"}
DESCRIPTOR_NAMES = {"resource", "res", "descriptor"}  # what the code called a descriptor's dicts
EXEMPT = {"_model", "_verify", "definitions", "validate", "checks"}  # the last three read schemas/*.toml, not descriptors


def descriptor_reads(path: Path) -> list[str]:
    """Each `x["schema"]`-like subscript or `x.get("schema")`-like call on a descriptor key, as FILE:LINE: KEY."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        key = None
        if isinstance(node, ast.Subscript) and isinstance(node.slice, ast.Constant):
            key = node.slice.value
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in ("get", "pop", "setdefault")
              and node.args and isinstance(node.args[0], ast.Constant)):
            key = node.args[0].value
        target = node.value if isinstance(node, ast.Subscript) else node.func.value if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) else None
        named = isinstance(target, ast.Name) and target.id in DESCRIPTOR_NAMES  # resource["title"], res.get("path")
        called = isinstance(target, ast.Call) and isinstance(target.func, ast.Name) and target.func.id == "resource"
        if key in DESCRIPTOR_KEYS or (isinstance(key, str) and (named or called)):
            found.append(f"{path.name}:{node.lineno}: {key}")
    return found


def test_no_module_but_the_model_reads_the_descriptors_dicts():
    modules = sorted(p for p in PACKAGE.glob("*.py") if p.stem not in EXEMPT)
    assert len(modules) > 15
    assert [hit for p in modules for hit in descriptor_reads(p)] == []


def test_the_scan_finds_a_descriptor_read(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text('a = resource["schema"]["fields"]\nb = field.get("constraints", {})\nc = d["name"]\n'
                      'e = resource(name).get("title", "")\nf = res["path"]\n', encoding="utf-8")
    assert sorted(descriptor_reads(sample)) == ["sample.py:1: fields", "sample.py:1: schema", "sample.py:2: constraints",
                                                "sample.py:4: title", "sample.py:5: path"]


def test_a_model_object_shows_as_a_dataclass_does():
    """_Shown's one __repr__ writes what dataclasses' generated one would."""
    from clusterdata._model import Contributor, Source

    assert repr(Source("Ning (2009)", path="https://example.org/x")) == "Source(title='Ning (2009)', path='https://example.org/x', rights=None)"
    assert repr(Contributor("clusterdata", ("creator",))) == "Contributor(title='clusterdata', roles=('creator',))"
