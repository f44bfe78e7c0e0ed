"""The pandera schema and the Frictionless Table Schema, both made from one definition, agree:
each accepts the real data, and each rejects a row that breaks any one declared constraint."""

import warnings

import frictionless
import pandas as pd
import pytest

from clusterdata.contrib.definitions import read_definitions
from clusterdata.contrib.validate import validate_package

from conftest import REPO

PARSED, PROBLEMS = validate_package(REPO)


def violations(table):
    """(description, column, bad value) for every constraint of every field."""
    for field in table.fields:
        c, name = field.get("constraints", {}), field["name"]
        if c.get("required"):
            yield f"{name} required", name, None
        if "minimum" in c:
            yield f"{name} minimum", name, c["minimum"] - 1
        if "maximum" in c:
            yield f"{name} maximum", name, c["maximum"] + 1
        if "enum" in c:
            yield f"{name} enum", name, "not_a_value"
        if "pattern" in c:
            yield f"{name} pattern", name, "!!"
        if c.get("minLength"):
            yield f"{name} minLength", name, ""


CASES = [(name, *v) for name, table in read_definitions(REPO / "schemas").items() for v in violations(table)]


def without_foreign_keys(schema):
    """A lone resource cannot resolve references to others (test_validate covers foreign keys)."""
    return {k: v for k, v in schema.items() if k != "foreignKeys"}


def frictionless_errors(table, frame):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rows = [[None if pd.isna(v) else v for v in row] for row in frame.astype(object).itertuples(index=False)]
        resource = frictionless.Resource(data=[table.columns] + rows,
                                         schema=frictionless.Schema.from_descriptor(without_foreign_keys(table.table_schema())))
        report = resource.validate()
    return [kind for (kind,) in report.flatten(["type"])]


def pandera_fails(table, frame):
    import pandera.pandas as pa

    try:
        table.pandera_schema().validate(frame, lazy=True)
        return False
    except pa.errors.SchemaErrors:
        return True


def test_the_repository_validates():
    assert [str(p) for p in PROBLEMS] == []


@pytest.mark.parametrize("name", list(PARSED))
def test_both_accept_the_real_data(name):
    table, frame = PARSED[name].table, PARSED[name].frame
    assert not pandera_fails(table, frame)
    assert frictionless_errors(table, frame) == []


@pytest.mark.parametrize("name,what,column,value", CASES, ids=[f"{c[0]}: {c[1]}" for c in CASES])
def test_both_reject_a_broken_constraint(name, what, column, value):
    table = PARSED[name].table
    frame = PARSED[name].frame.copy()
    frame.loc[0, column] = value
    assert pandera_fails(table, frame), f"pandera accepts {what}"
    assert frictionless_errors(table, frame), f"frictionless accepts {what}"


def test_both_reject_a_duplicate_key():
    parsed = PARSED["pinghu_survey_profile"]
    frame = parsed.frame.copy()
    frame.loc[1, "category"] = frame.loc[0, "category"]
    assert pandera_fails(parsed.table, frame)
    assert "primary-key" in frictionless_errors(parsed.table, frame)
