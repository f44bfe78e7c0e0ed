"""describe(): a table's metadata with its annotations, read from datapackage.json and the annotations table."""

from __future__ import annotations

from ._catalog import resource
from ._load import arrow_table, unit_labels


def describe(name: str) -> dict:
    """The metadata of a table: title, description, source and citation, columns with units, annotations."""
    res = resource(name)
    labels = unit_labels()
    return {
        "name": name,
        "title": res.get("title"),
        "description": res.get("description"),
        "source": res.get("sources", []),
        "location": res.get("location"),
        "source_notes": res.get("sourceNotes", []),
        "primary_key": res["schema"].get("primaryKey", []),
        "columns": [
            {key: field[key] for key in ("name", "type", "unit", "description", "constraints") if key in field}
            | ({"unit_label": labels[field["unit"]]} if "unit" in field else {})
            for field in res["schema"]["fields"]
        ],
        "annotations": annotations_of(name),
        "path": res["path"],
        "sha256": res.get("hash", "").removeprefix("sha256:"),
    }


def annotations_of(name: str) -> list[dict]:
    """The annotations rows of one table, read with pyarrow alone."""
    rows = arrow_table("annotations").to_pylist()
    return [{k: v for k, v in row.items() if k != "table_name"} for row in rows if row["table_name"] == name]
