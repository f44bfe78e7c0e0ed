"""clusterdata: validated, citable tables on China's technology clusters, ICT industry and value chains.

    >>> import clusterdata
    >>> "pinghu_output" in clusterdata.tables()              # the table names
    True
    >>> clusterdata.describe("pinghu_output")["primary_key"]  # title, source, columns with units, annotations
    ['year']
    >>> frame = clusterdata.load("pinghu_output")             # a pandas DataFrame (backend="arrow" or "polars" too)
    >>> frame.loc[frame.year == 2007, "output_100m_yuan"].item()
    124.57
    >>> type(clusterdata.load("pinghu_output", backend="arrow")).__name__
    'Table'
    >>> notes = clusterdata.annotations("pinghu_output", row={"year": 2003})  # every note on a cell, row or table
    >>> notes.loc[notes.kind == "source_inconsistency", ["check", "expected"]].values.tolist()
    [['growth_matches_levels(growth_rate_pct)', '85.2 vs 90.5213']]
    >>> len(clusterdata.search("FDI", source="ning_2009_ict")) > 0  # numbers stated in the text, with quotes
    True
    >>> print(clusterdata.cite("pinghu_output"))  # doctest: +ELLIPSIS
    Source: Huang Xianhai and Yang Gaoju (2009). ...
    >>> clusterdata.load("pinghu_outpt")
    Traceback (most recent call last):
    ...
    clusterdata._errors.UnknownTableError: no table named 'pinghu_outpt' in clusterdata; did you mean 'pinghu_output'?

Importing this module costs almost nothing: each function imports what it needs when first
called (pandas for a pandas DataFrame, pyarrow alone for an Arrow table), and pandera and
frictionless are imported only by `clusterdata validate` and `clusterdata build`.
"""

from __future__ import annotations

__version__ = "0.2.2"

from ._errors import IntegrityError, UnknownTableError

__all__ = ["IntegrityError", "UnknownTableError", "__version__", "annotations", "changes", "cite", "describe", "diff", "load", "search",
           "tables", "versions"]


TYPE_CHECKING = False  # typing is not imported at run time: `import clusterdata` stays light
if TYPE_CHECKING:
    from typing import Literal, overload

    import pandas
    import polars
    import pyarrow

    from ._names import TableName
else:
    def overload(function):
        return function


def tables() -> list[str]:
    """The names of all tables, in catalog order.

    Returns
    -------
    list of str
        The names `load`, `describe`, `cite` and `annotations` accept (`clusterdata._names.TableName`).
    """
    from ._catalog import tables

    return tables()


def describe(name: TableName) -> dict:
    """The metadata of a table, as datapackage.json states it.

    Parameters
    ----------
    name : str
        A table name (`tables()`).

    Returns
    -------
    dict
        name, title, description, source (with its citation), location, source_notes, primary_key,
        columns (name, type, unit, description, constraints), annotations (with the check and expected
        discrepancy of each source_inconsistency a cross-check finds), path and sha256.

    Raises
    ------
    UnknownTableError
        No table has that name (the message names the closest ones).
    """
    from ._describe import describe

    return describe(name)


@overload
def load(name: TableName, backend: Literal["pandas"] = "pandas", version: str | None = None) -> pandas.DataFrame: ...
@overload
def load(name: TableName, backend: Literal["arrow"], version: str | None = None) -> pyarrow.Table: ...
@overload
def load(name: TableName, backend: Literal["polars"], version: str | None = None) -> polars.DataFrame: ...


def load(name: TableName, backend: str = "pandas", version: str | None = None):
    """One table of the catalog, checked against its sha256 before it is read.

    Parameters
    ----------
    name : a table name (`clusterdata.tables()`; `clusterdata._names.TableName` for type checkers).
    backend : "pandas" (default), "arrow" (a pyarrow Table; pandas is not imported) or "polars"
        (the `polars` extra).
    version : a released version such as "0.1.0" (`clusterdata.versions()`): the table exactly as that
        release published it, offline, checked by sha256; None for this installed version.

    Returns
    -------
    A pandas DataFrame, a pyarrow Table or a polars DataFrame. Dtypes come from datapackage.json:
    enums are categoricals (dictionary-encoded), integers nullable. A pandas DataFrame's `attrs` carry
    the title, source citation and units; every call returns a new frame.

    Raises
    ------
    UnknownTableError : no table has that name (the message names the closest ones).
    IntegrityError : a file's bytes are not what datapackage.json says.
    ValueError : an unknown backend or version.
    """
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
        Rows of the `annotations` table (table_name, row_key, column_name, kind, note, check, expected).

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
