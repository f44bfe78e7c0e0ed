"""load(): a table as a pandas DataFrame, a pyarrow Table or a polars DataFrame, with the types of datapackage.json.

Every read of a file checks its sha256 and the table name inside it (_catalog.verified_bytes);
the Arrow table is kept (it is immutable), and a pandas DataFrame is made once and copied for every caller, so that what one
caller changes no later `load` sees.
"""

from __future__ import annotations

from . import _catalog
from ._model import Field, Table

BACKENDS = ("pandas", "arrow", "polars")
_arrow: dict[str, object] = {}  # Parquet path -> pyarrow.Table
_pandas: dict[str, object] = {}  # Parquet path -> pandas.DataFrame, copied out
_polars: dict[str, object] = {}  # Parquet path -> polars.DataFrame, cloned out


def pandas_dtype(field: Field):
    """The pandas dtype of a field: enums are categoricals of all their values, the rest their type's (_types.py)."""
    if field.enum is not None:
        import pandas as pd

        return pd.CategoricalDtype(categories=list(field.enum), ordered=False)
    return field.kind.pandas


def read_parquet(data: bytes):
    """A Parquet file in memory as a pyarrow Table.

    pyarrow.parquet's reader class is used directly where it is found: importing pyarrow.parquet
    also imports pyarrow's filesystems, about 20 ms that reading bytes in memory never needs.
    pq.ParquetFile, which wraps the same reader, is the fallback should a pyarrow release move it.
    """
    import pyarrow as pa

    try:
        from pyarrow._parquet import ParquetReader

        reader = ParquetReader()
        reader.open(pa.BufferReader(data))
        return reader.read_all()
    except (ImportError, AttributeError, TypeError):
        import pyarrow.parquet as pq

        return pq.ParquetFile(pa.BufferReader(data)).read()


def arrow_table(name: str):
    """The table as pyarrow reads it from its (verified) Parquet file: enums dictionary-encoded."""
    path = _catalog.parquet_path(name)
    if path not in _arrow:
        table = read_parquet(_catalog.verified_bytes(name))
        _catalog.check_embedded_name(name, (table.schema.metadata or {}).get(b"clusterdata"))
        _arrow[path] = table
    return _arrow[path]


def arrow_to_pandas(table, described: Table):
    """A pyarrow Table as a pandas DataFrame with the dtypes of its resource: nullable integers, categoricals."""
    import pandas as pd
    import pyarrow as pa

    mapper = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype(), pa.string(): pd.StringDtype()}.get
    frame = table.to_pandas(ignore_metadata=True, types_mapper=mapper)
    enums = {f.name: pandas_dtype(f) for f in described.fields if f.enum is not None}
    return frame.astype(enums) if enums else frame


def pandas_frame(name: str, described: Table):
    path = _catalog.parquet_path(name)
    if path not in _pandas:
        _pandas[path] = arrow_to_pandas(arrow_table(name), described)
    return _pandas[path]


def polars_frame(name: str, described: Table):
    """The table read by polars itself (no pyarrow), enums as polars Enums of all their values."""
    path = _catalog.parquet_path(name)
    if path not in _polars:
        data = _catalog.verified_bytes(name)
        _catalog.check_embedded_name(name, embedded_provenance(data))
        _polars[path] = polars_from_bytes(data, described)
    return _polars[path].clone()


def embedded_provenance(data: bytes):
    """The build's `clusterdata` key-value metadata of Parquet bytes, read without pyarrow where polars can."""
    import io

    try:
        import polars as pl
    except ModuleNotFoundError:
        raise ModuleNotFoundError("backend='polars' needs polars: pip install 'clusterdata[polars]'", name="polars") from None
    if hasattr(pl, "read_parquet_metadata"):  # experimental in polars, absent from its early 1.x releases
        return pl.read_parquet_metadata(io.BytesIO(data)).get("clusterdata")
    return (read_parquet(data).schema.metadata or {}).get(b"clusterdata")


def polars_from_bytes(data: bytes, described: Table):
    """Parquet bytes read by polars itself, enums as polars Enums of all their values."""
    import io

    try:
        import polars as pl
    except ModuleNotFoundError:
        raise ModuleNotFoundError("backend='polars' needs polars: pip install 'clusterdata[polars]'", name="polars") from None
    frame = pl.read_parquet(io.BytesIO(data))
    enums = [pl.col(f.name).cast(pl.String).cast(pl.Enum(list(f.enum))) for f in described.fields if f.enum is not None]
    return frame.with_columns(enums) if enums else frame


def load(name: str, backend: str = "pandas", version: str | None = None):
    """Table `name` for the backend asked for (see clusterdata.load); `version`: as released then."""
    if backend not in BACKENDS:
        raise ValueError(f"backend must be one of {', '.join(BACKENDS)}, not {backend!r}")
    if version is not None:
        return load_released(name, version, backend)
    described = _catalog.table(name)
    if backend == "arrow":
        return arrow_table(name)
    if backend == "polars":
        return polars_frame(name, described)
    frame = pandas_frame(name, described).copy()
    frame.attrs = frame_attrs(name, described)
    return frame


def load_released(name: str, version: str, backend: str):
    """Table `name` exactly as released in `version` (offline, checked by sha256), for the backend asked for."""
    from ._releases import released_bytes, table as released_table

    res = released_table(version, name)
    data = released_bytes(version, name)
    if backend == "polars":
        return polars_from_bytes(data, res)
    arrow = read_parquet(data)
    if backend == "arrow":
        return arrow
    frame = arrow_to_pandas(arrow, res)
    frame.attrs = {**frame_attrs(name, res), "version": version}
    return frame


def unit_labels() -> dict[str, str]:
    """Unit name -> how a reader says it, from the `units` table (the one place a unit's label is kept)."""
    units = arrow_table("units")
    return dict(zip(units.column("unit").to_pylist(), units.column("label").to_pylist()))


def frame_attrs(name: str, described: Table) -> dict:
    """What a pandas DataFrame's `attrs` carry: name, title, source citations, units (labels) and unit names."""
    names = described.units
    labels = unit_labels() if names else {}
    return {
        "name": name,
        "title": described.title,
        "source": [source.title for source in described.sources],
        "units": {column: labels.get(unit, unit) for column, unit in names.items()},  # a release before 0.2.0 stored labels
        "unit_names": names,
    }
