"""The one table of field types (clusterdata._types) agrees with what the outputs hold."""

import re

import pandas as pd
import pyarrow as pa
import pytest

import clusterdata
from clusterdata import _catalog
from clusterdata._types import FIELD_TYPES

SAMPLES = {"integer": ["2004", "-3"], "number": ["12.457", ".5", "-1"], "string": ["Hefei", ""], "boolean": ["true", "false"]}


def test_every_type_has_a_sample():
    assert sorted(SAMPLES) == sorted(FIELD_TYPES)


@pytest.mark.parametrize("name", sorted(FIELD_TYPES))
def test_a_type_parses_its_syntax_into_its_pandas_dtype(name):
    kind = FIELD_TYPES[name]
    assert all(re.fullmatch(kind.syntax, cell) for cell in SAMPLES[name])
    converted = kind.convert(pd.Series(SAMPLES[name], dtype=object))
    assert converted.dtype == pd.api.types.pandas_dtype(kind.pandas)


@pytest.mark.parametrize("name", sorted(FIELD_TYPES))
def test_a_type_rejects_the_other_types_cells(name):
    others = {"integer": ["1.5", "true"], "number": ["1e3", "x"], "boolean": ["True", "1"], "string": []}[name]
    assert not any(re.fullmatch(FIELD_TYPES[name].syntax, cell) for cell in others)


def test_every_parquet_column_has_the_arrow_type_of_its_field():
    for name in clusterdata.tables():
        schema = clusterdata.load(name, backend="arrow").schema
        for field in _catalog.table(name).fields:
            want = getattr(pa, FIELD_TYPES[field.type].arrow)()
            got = schema.field(field.name).type
            if field.enum is not None:
                assert got == pa.dictionary(pa.int32(), pa.string()), (name, field.name)
            else:
                assert got == want, (name, field.name)
