"""The rules that keep a contribution from attacking a reader: table names, formula-looking text, cells shown in messages.

Light on purpose (standard library only): both the reading side (load, export) and the contributor
side (validate, build) use these, so each rule lives in one place.
"""

from __future__ import annotations

import re

# Names become file names (NAME.parquet, NAME.csv, NAME.html), xlsx sheet names (at most 31 characters)
# and SQL identifiers: a lowercase ASCII identifier that no output uses for something else.
TABLE_NAME = re.compile(r"[a-z][a-z0-9_]{0,30}")
RESERVED_NAMES = frozenset({
    "index", "style", "datapackage", "metadata", "clusterdata", "readme",  # files and sheets the outputs write
    "con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10)),  # Windows devices
})


def table_name_problem(name: object) -> str | None:
    """Why `name` cannot be a table name, or None when it can."""
    if not isinstance(name, str) or not TABLE_NAME.fullmatch(name):
        return ("is not a table name: a table name is a lowercase ASCII identifier (a-z, 0-9, _, starting with a letter) "
                "of at most 31 characters")
    if name in RESERVED_NAMES or name.startswith("sqlite_"):
        return "is not a table name: it is reserved for a file, sheet or database table the outputs write"
    return None


# OWASP's list of characters that make a spreadsheet cell a formula (CSV injection), with their full-width forms.
FORMULA_START = "=+-@\t\r\uff1d\uff0b\uff0d\uff20"
PLAIN_NUMBER = re.compile(r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)")


def is_formula(text: str) -> bool:
    """True when a spreadsheet would evaluate `text` as a formula: it starts with one of FORMULA_START and is
    more than that one character and not a plain number (-1.6 and a lone = are harmless)."""
    return len(text) > 1 and text[0] in FORMULA_START and not PLAIN_NUMBER.fullmatch(text)


def neutralised(text: str) -> str:
    """`text` as a spreadsheet shows it without evaluating it: a formula gets a leading apostrophe (OWASP)."""
    return "'" + text if is_formula(text) else text


def character_name(char: str) -> str:
    """U+200B (ZERO WIDTH SPACE): how messages name a character."""
    import unicodedata  # here, not at the top: only messages need it

    return f"U+{ord(char):04X} ({unicodedata.name(char, 'unnamed')})"


def visible(char: str) -> bool:
    return char == " " or char.isprintable()


def printable(text: str, limit: int = 80) -> str:
    """A cell as a message shows it: invisible and control characters as \\uXXXX, at most `limit` characters,
    so that a message never carries more of a file than the one cell, nor anything a terminal would obey."""
    if len(text) <= limit and text.isprintable():  # every character visible (the space is printable): as it is
        return text
    shown = "".join(c if visible(c) else f"\\u{ord(c):04x}" for c in text[:limit])
    return shown if len(text) <= limit else f"{shown}... ({len(text)} characters)"
