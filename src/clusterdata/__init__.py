"""clusterdata: validated, citable tables on China's technology clusters, ICT industry and value chains.

    >>> import clusterdata
    >>> clusterdata.tables()                     # the table names
    >>> clusterdata.describe("pinghu_output")    # title, source, columns with units, annotations
    >>> clusterdata.load("pinghu_output")        # a pandas DataFrame (backend="arrow" or "polars" too)
    >>> clusterdata.search("FDI", source="ning_2009_ict")   # numbers stated in the text, with quotes
    >>> print(clusterdata.cite("pinghu_output"))        # its source and this dataset (.bibtex too)

Importing this module costs almost nothing: each function imports what it needs when first
called (pandas for a pandas DataFrame, pyarrow alone for an Arrow table), and pandera and
frictionless are imported only by `clusterdata validate` and `clusterdata build`.
"""

__version__ = "0.1.0"

from ._errors import IntegrityError, UnknownTableError

__all__ = ["IntegrityError", "UnknownTableError", "__version__", "cite", "describe", "load", "search", "tables"]


def tables() -> list:
    """The names of all tables, in catalog order."""
    from ._catalog import tables

    return tables()


def describe(name: str) -> dict:
    """The metadata of a table: title, description, source and citation, columns with units, annotations."""
    from ._catalog import describe

    return describe(name)


def load(name: str, backend: str = "pandas"):
    """Table `name` as a pandas DataFrame (default), a pyarrow Table (backend="arrow", no pandas
    imported) or a polars DataFrame (backend="polars", the `polars` extra). Dtypes come from
    datapackage.json: enums are categoricals (dictionary-encoded), integers nullable. A pandas
    DataFrame's `attrs` carry the title, source citation and units; every call returns a new frame."""
    from ._load import load

    return load(name, backend)


def search(text=None, *, source=None, subject=None, indicator=None, year=None):
    """Rows of `statistics` (numbers stated in the sources' text, with their quotes) matching every filter:
    words in the subject, indicator, location or quote; a source_id; a subject; words of the indicator;
    a year the number's period covers."""
    from ._statistics import search

    return search(text, source=source, subject=subject, indicator=indicator, year=year)


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
