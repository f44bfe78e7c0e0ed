"""clusterdata: validated, citable tables on China's technology clusters, ICT industry and value chains.

    >>> import clusterdata
    >>> clusterdata.tables()                     # the table names
    >>> clusterdata.describe("pinghu_output")    # title, source, columns with units, annotations
    >>> clusterdata.load("pinghu_output")        # a pandas DataFrame
    >>> clusterdata.search("FDI", source="ning_2009_ict")   # numbers stated in the text, with quotes

Importing this module is cheap: pandas is imported by the first `load`, and pandera and
frictionless only by `clusterdata validate` and `clusterdata build`.
"""

__version__ = "0.1.0"

from ._catalog import IntegrityError, UnknownTableError, describe, tables
from ._load import load
from ._statistics import search

__all__ = ["IntegrityError", "UnknownTableError", "__version__", "describe", "load", "search", "tables"]
