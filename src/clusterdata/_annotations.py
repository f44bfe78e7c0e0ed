"""annotations(): every note that applies to the cells a user asks about, group-level notes included.

A note in the `annotations` table names its target by a row key (`col=value;col=value`, in key
order; a leading part of the key names a group of rows; empty for the whole table) and a column
(empty for the whole row). A note applies to a cell when its row key is empty or a leading part
of that cell's row key, and its column is empty or that cell's column. A query selects cells (the
rows whose values equal `row`, the column `column`); the notes returned are those that apply to at
least one selected cell, so a user never needs to match key prefixes by hand.
"""

from __future__ import annotations

from collections.abc import Mapping

from . import _catalog

COLUMNS = ["table_name", "row_key", "column_name", "kind", "note"]


def key_text(value) -> str:
    """A key value as annotations write it: 2004 (not 2004.0), text as it is."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def row_keys(name: str, key: list[str], row: Mapping | None) -> set[str]:
    """The full row keys of the rows of table `name` whose values equal those in `row` (every row if None)."""
    from ._load import arrow_table

    table = arrow_table(name)
    fields = _catalog.table(name).columns
    wanted = dict(row or {})
    for column in wanted:
        if column not in fields:
            raise ValueError(_catalog.unknown_name_message("column", column, fields, f"of table {name!r}"))
    columns = {c: table.column(c).to_pylist() for c in {*key, *wanted}}
    selected = set()
    for i in range(table.num_rows):
        if all(columns[c][i] is not None and key_text(columns[c][i]) == key_text(v) for c, v in wanted.items()):
            selected.add(";".join(f"{c}={key_text(columns[c][i])}" for c in key))
    if wanted and not selected:
        shown = ", ".join(f"{c}={v!r}" for c, v in wanted.items())
        raise ValueError(f"no row of table {name!r} has {shown}: annotations() looks for notes on existing rows")
    return selected


def applies(note_key: str, keys: set[str]) -> bool:
    """Whether a note's row key (empty, a leading part of a key, or a whole key) covers one of `keys`."""
    if not note_key:
        return True
    return any(k == note_key or k.startswith(note_key + ";") for k in keys)


def annotations(name: str, row: Mapping | None = None, column: str | None = None):
    """The notes on table `name` that apply to the selected cells (see the module docstring)."""
    import pandas as pd

    described = _catalog.table(name)  # an unknown table fails here, with close names
    if row is not None and not isinstance(row, Mapping):
        raise TypeError(f"row must be a mapping of column to value, such as {{'year': 2004}}, not {row!r}")
    if column is not None:
        fields = described.columns
        if column not in fields:
            raise ValueError(_catalog.unknown_name_message("column", column, fields, f"of table {name!r}"))
    keys = row_keys(name, list(described.primary_key), row)
    from ._load import load

    notes = load("annotations")
    notes = notes[notes["table_name"] == name]
    keep = [applies(k, keys) and (not c or column is None or c == column)
            for k, c in zip(notes["row_key"], notes["column_name"])]
    return notes[keep].reset_index(drop=True)
