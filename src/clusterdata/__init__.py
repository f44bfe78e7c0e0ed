"""clusterdata: validated, citable tables on China's technology clusters, ICT industry and value chains.

    >>> import clusterdata
    >>> clusterdata.tables()                     # the table names
    >>> clusterdata.describe("pinghu_output")    # title, source, columns with units, annotations
    >>> clusterdata.load("pinghu_output")        # a pandas DataFrame (backend="arrow" or "polars" too)
    >>> clusterdata.search("FDI", source="ning_2009_ict")   # numbers stated in the text, with quotes
    >>> clusterdata.annotations("ict_fdi", row={"year": 2004})  # every note on a cell, row or table
    >>> print(clusterdata.cite("pinghu_output"))        # its source and this dataset (.bibtex too)

Importing this module costs almost nothing: each function imports what it needs when first
called (pandas for a pandas DataFrame, pyarrow alone for an Arrow table), and pandera and
frictionless are imported only by `clusterdata validate` and `clusterdata build`.
"""

__version__ = "0.2.0"

from ._errors import IntegrityError, UnknownTableError

__all__ = ["IntegrityError", "UnknownTableError", "__version__", "annotations", "changes", "cite", "describe", "diff", "load", "search",
           "tables", "versions"]


def tables() -> list:
    """The names of all tables, in catalog order."""
    from ._catalog import tables

    return tables()


def describe(name: str) -> dict:
    """The metadata of a table: title, description, source and citation, columns with units, annotations."""
    from ._catalog import describe

    return describe(name)


def load(name: str, backend: str = "pandas", version: str | None = None):
    """Table `name` as a pandas DataFrame (default), a pyarrow Table (backend="arrow", no pandas
    imported) or a polars DataFrame (backend="polars", the `polars` extra). Dtypes come from
    datapackage.json: enums are categoricals (dictionary-encoded), integers nullable. A pandas
    DataFrame's `attrs` carry the title, source citation and units; every call returns a new frame.
    `version="0.1.0"` gives the table exactly as that release published it (offline, checked by sha256);
    `clusterdata.versions()` lists the releases."""
    from ._load import load

    return load(name, backend, version)


def versions() -> list:
    """The released versions that `load(..., version=)` can load, oldest first."""
    from ._releases import versions

    return versions()


def diff(old: str | None = None, new: str | None = None) -> dict:
    """The cell-level difference between two versions of the data.

    Parameters: `old`, `new`: a released version ("0.1.0"), a folder holding a datapackage.json, or a
    git commit/tag/branch of a checkout; `old` defaults to the latest release, `new` to this installation
    (the working tree in a checkout).
    Returns: a dict (JSON-ready) of tables and columns added, removed and retyped, rows added and removed
    by key, changed cells with their old and new values, and metadata changes."""
    from ._diff import diff

    return diff(old, new)


def changes(since: str, name: str | None = None) -> dict:
    """What changed since released version `since` (in table `name`, or in all): `diff(since)`, restricted to it."""
    from ._diff import changes

    return changes(since, name)


def search(text=None, *, source=None, subject=None, indicator=None, year=None):
    """Numbers stated in the sources' text (rows of `statistics`, with their quotes) matching every filter.

    Parameters
    ----------
    text : str, optional
        Words found at the start of words of the subject, indicator, location or quote, case ignored;
        common abbreviations and their long forms match each other ("FDI", "foreign direct investment").
    source : str, optional
        A source_id, such as "ning_2009_ict".
    subject : str, optional
        Words of the subject: "Hefei" finds "Hefei", "Hefei Jiantou" and "Hefei (NIO investment)".
    indicator : str, optional
        Words of the indicator name.
    year : int, optional
        A year the number's period covers; a period open or unreadable at one end covers every year on
        that side, and a number without a period matches no year.

    Returns
    -------
    pandas.DataFrame
        The matching rows. With `text`, ``attrs["tables"]`` lists the other tables whose metadata or
        cells hold the words (``{"table", "title", "columns"}``), such as ict_fdi for "FDI".

    Raises
    ------
    ValueError
        An unknown source or a subject no row has (with the closest names), or a year that is not one.
    TypeError
        A filter of the wrong kind, such as ``search(2004)`` for ``search(year=2004)``.
    """
    from ._statistics import search

    return search(text, source=source, subject=subject, indicator=indicator, year=year)


def annotations(name, row=None, column=None):
    """Every note that applies to the cells asked for: notes on the cell, its row, its group of rows, its
    column and the whole table.

    Parameters
    ----------
    name : str
        A table name.
    row : mapping, optional
        Column values that select rows, such as ``{"year": 2004, "ownership": "joint_stock"}``
        (any columns; every row when omitted).
    column : str, optional
        A column; every column when omitted.

    Returns
    -------
    pandas.DataFrame
        Rows of the `annotations` table (table_name, row_key, column_name, kind, note).

    Raises
    ------
    UnknownTableError, ValueError
        An unknown table or column, or a row selection that matches no row.
    """
    from ._annotations import annotations

    return annotations(name, row, column)


def cite(name: str, *more: str):
    """How to cite one or more tables: each source and this dataset once.

    Parameters
    ----------
    name, *more : table names.

    Returns
    -------
    A Citation: text (str(), `.text`), `.bibtex`, `.ris` and `.csl_json` (a JSON string).
    """
    from ._cite import cite

    return cite(name, *more)
