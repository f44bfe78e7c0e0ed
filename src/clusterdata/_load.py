"""load(): a table as a pandas DataFrame with the dtypes its datapackage.json field types give."""

from __future__ import annotations

from . import _catalog


def pandas_dtype(field: dict):
    """The pandas dtype of a Table Schema field: enums are categoricals, integers and booleans nullable."""
    import pandas as pd

    enum = field.get("constraints", {}).get("enum")
    if enum is not None:
        return pd.CategoricalDtype(categories=enum, ordered=False)
    return {
        "integer": pd.Int64Dtype(),
        "number": "float64",
        "boolean": pd.BooleanDtype(),
        "string": pd.StringDtype(),
    }[field["type"]]


def load(name: str):
    """Return table `name` as a pandas DataFrame; `df.attrs` carries its title, source citation and units."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    resource = _catalog.resource(name)
    fields = resource["schema"]["fields"]
    data = _catalog.verified_bytes(name)
    frame = pq.ParquetFile(pa.BufferReader(data)).read().to_pandas(ignore_metadata=True)
    frame = frame.astype({field["name"]: pandas_dtype(field) for field in fields})
    frame.attrs = {
        "name": name,
        "title": resource.get("title"),
        "source": [source.get("title") for source in resource.get("sources", [])],
        "units": {field["name"]: field["unit"] for field in fields if "unit" in field},
    }
    return frame
