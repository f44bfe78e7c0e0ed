"""The field types of a table definition: the one table of what each type means everywhere.

A definition's `type` is one of these. Its syntax is how a raw CSV cell writes it, its converter turns
checked cells into a pandas array, and the rest name it to pandas, Arrow, SQL, Croissant and to a person
reading a message. Validation, the build, load and every export read this table, so adding a type is a
change here. Standard library only: `import clusterdata` stays light (pandas is imported by a converter
only when it runs).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


def _to_integer(values):
    import pandas as pd

    return values.astype("Int64").array if len(values) else pd.array([], dtype="Int64")  # Arrow's cast for Arrow text


def _to_number(values):
    import pandas as pd

    return values.astype("float64") if len(values) else pd.Series([], dtype="float64")  # Arrow's cast (correctly rounded)


def _to_boolean(values):
    import pandas as pd

    return pd.array(values.map({"true": True, "false": False}), dtype="boolean")


def _to_string(values):
    import pandas as pd

    return values.astype(pd.StringDtype())


@dataclass(frozen=True)
class FieldType:
    """One field type: its CSV syntax, converter, and its names in pandas, Arrow, SQL, Croissant and messages."""

    name: str
    syntax: str  # a regular expression a whole cell matches, as printed (no exponent, no infinity)
    convert: Callable  # a pandas Series of checked cells (empty ones NA) -> a pandas array of this type
    pandas: str  # the pandas dtype (nullable integers and booleans)
    arrow: str  # the name of the pyarrow type factory (pyarrow.int64, ...)
    sql: str  # the SQLite column type
    croissant: str  # the schema.org data type of a Croissant field
    noun: str  # how a message names a value of this type ("is not an integer")
    numeric: bool  # minimum and maximum apply


INTEGER = FieldType("integer", r"-?[0-9]+", _to_integer, "Int64", "int64", "INTEGER", "sc:Integer", "an integer", True)
NUMBER = FieldType("number", r"-?([0-9]+(\.[0-9]*)?|\.[0-9]+)", _to_number, "float64", "float64", "REAL", "sc:Float", "a number", True)
STRING = FieldType("string", r"(?s:.*)", _to_string, "string", "string", "TEXT", "sc:Text", "text", False)
BOOLEAN = FieldType("boolean", r"true|false", _to_boolean, "boolean", "bool_", "INTEGER", "sc:Boolean", "a boolean", False)

FIELD_TYPES: dict[str, FieldType] = {t.name: t for t in (INTEGER, NUMBER, STRING, BOOLEAN)}
