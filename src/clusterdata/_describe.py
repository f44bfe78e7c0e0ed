"""describe(): a table's metadata with its annotations, read from datapackage.json and the annotations table."""

from __future__ import annotations

from ._catalog import table
from ._load import arrow_table, unit_labels
from ._model import Field


def describe(name: str) -> dict:
    """The metadata of a table: title, description, source and citation, columns with units, annotations."""
    described = table(name)
    labels = unit_labels()
    return {
        "name": name,
        "title": described.title,
        "description": described.description,
        "source": [source.to_descriptor() for source in described.sources],
        "location": described.location,
        "source_notes": list(described.source_notes),
        "primary_key": list(described.primary_key),
        "columns": [column(field) | ({"unit_label": labels[field.unit]} if field.unit is not None else {})
                    for field in described.fields],
        "annotations": annotations_of(name),
        "path": described.path,
        "sha256": described.sha256,
    }


def column(field: Field) -> dict:
    """A column as describe() shows it: name, type, unit, description and constraints, those it has."""
    found = field.to_descriptor()
    return {key: found[key] for key in ("name", "type", "unit", "description", "constraints") if key in found}


def annotations_of(name: str) -> list[dict]:
    """The annotations rows of one table, read with pyarrow alone."""
    rows = arrow_table("annotations").to_pylist()
    return [{k: v for k, v in row.items() if k != "table_name"} for row in rows if row["table_name"] == name]
