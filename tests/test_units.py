"""The units table: one vocabulary of units for statistics and every column, and values on one scale."""

import json
import math

import pytest

import clusterdata

from conftest import REPO
from test_validate import messages, rewrite

UNITS = clusterdata.load("units").set_index("unit")
STATS = clusterdata.load("statistics")


def test_every_column_unit_and_statistics_unit_is_a_units_row():
    resources = json.loads((REPO / "datapackage.json").read_text())["resources"]
    column_units = {f["unit"] for r in resources for f in r["schema"]["fields"] if "unit" in f}
    assert column_units and column_units <= set(UNITS.index)
    assert set(STATS["unit"]) <= set(UNITS.index)
    assert set(UNITS["base_unit"]) <= set(UNITS.index)  # a base unit is itself a unit, its own base
    bases = UNITS.loc[UNITS["base_unit"].unique()]
    assert (bases.index == bases["base_unit"]).all() and (bases["factor"] == 1).all()


def test_no_unit_without_meaning_is_left():
    # The vague names of 0.1.1: a count that did not say what it counts, ratio for shares and multiples alike.
    assert not {"count", "ratio", "m_units", "percent"} & set(UNITS.index)
    assert not {"count", "ratio", "m_units"} & set(STATS["unit"])


def test_value_base_is_value_times_the_factor_of_its_unit():
    factor = STATS["unit"].astype(str).map(UNITS["factor"])
    for row, expected in zip(STATS.itertuples(), STATS["value"] * factor):
        if math.isnan(row.value):
            assert math.isnan(row.value_base), row.stat_id
        else:
            assert math.isclose(row.value_base, expected, rel_tol=1e-12), row.stat_id


@pytest.mark.parametrize("stat_id,value,unit,value_base", [
    ("saxenian_2010_smes-002", 0.25, "fraction", 25),  # "one-quarter": a share, on the percent scale
    ("economist_2023_hefei-012", 0.5, "fraction", 50),  # "more than half"
    ("ning_2009_ict-042", 27.5, "m_laptops", 27_500_000),  # "27.5 million laptops"
    ("economist_2023_hefei-002", 9_600_000, "persons", 9_600_000),  # "about 9.6m people", stored as printed
    ("ross_capacity_cooperation-007", 4.6, "tn_usd", 4.6e12),  # "US $4.6 trillion"
    ("ning_2009_ict-001", 3, "decades", 30),  # "three decades": a duration, in years
    ("economist_2023_hefei-021", 5.5, "times", 5.5),  # "up to 5.5 times": a multiple, not a share
])
def test_printed_values_and_their_base_values(stat_id, value, unit, value_base):
    row = STATS.set_index("stat_id").loc[stat_id]
    assert (row["value"], row["unit"], row["value_base"]) == (value, unit, value_base)


def test_shares_are_on_one_scale_and_dates_apart_from_durations():
    kinds = STATS["unit"].astype(str).map(UNITS["kind"])
    shares = STATS[kinds == "share"]
    assert set(shares["unit"].astype(str).map(UNITS["base_unit"])) == {"pct"}
    assert shares["value_base"].dropna().between(0, 100).all()
    assert set(STATS.loc[kinds == "date", "unit"]) == {"year", "calendar_decade"}
    assert set(STATS.loc[kinds == "date", "unit"].astype(str).map(UNITS["base_unit"])) == {"year"}
    assert set(STATS.loc[kinds == "duration", "unit"].astype(str).map(UNITS["base_unit"])) == {"years"}


def test_a_column_unit_that_is_not_a_units_row_is_refused(repo_copy):
    rewrite(repo_copy, "schemas/ict_fdi.toml", 'unit = "m_usd"', 'unit = "million US dollars"')
    assert messages(repo_copy) == [
        'schemas/ict_fdi.toml: column "fdi_m_usd": value "million US dollars" is not a unit of units.csv (the field\'s unit)']


def test_a_statistics_unit_that_is_not_a_units_row_is_refused(live_copy):
    repo_copy = live_copy
    rewrite(repo_copy, "data/raw/statistics.csv", ",27.5,m_laptops,27500000,", ",27.5,m_units,27500000,")
    line = next(i for i, text in enumerate((repo_copy / "data/raw/statistics.csv").read_text().splitlines(), 1)
                if text.startswith("ning_2009_ict-042,"))
    assert messages(repo_copy) == [
        f'data/raw/statistics.csv:{line}: column "unit": value "m_units" is not a unit of units']


def test_a_value_base_that_is_not_value_times_factor_is_refused(live_copy):
    repo_copy = live_copy
    rewrite(repo_copy, "data/raw/statistics.csv", ",27.5,m_laptops,27500000,", ",27.5,m_laptops,27.5,")
    line = next(i for i, text in enumerate((repo_copy / "data/raw/statistics.csv").read_text().splitlines(), 1)
                if text.startswith("ning_2009_ict-042,"))
    assert messages(repo_copy) == [
        f'data/raw/statistics.csv:{line}: column "value_base": value "27.5" is not value x factor of m_laptops (expected 27500000)']


def test_describe_and_attrs_give_the_label_of_the_units_table():
    frame = clusterdata.load("ict_fdi")
    assert frame.attrs["unit_names"] == {"fdi_m_usd": "m_usd"}
    assert frame.attrs["units"] == {"fdi_m_usd": "million US dollars"}
    column = next(c for c in clusterdata.describe("ict_fdi")["columns"] if c["name"] == "fdi_m_usd")
    assert (column["unit"], column["unit_label"]) == ("m_usd", "million US dollars")


def test_aggregate_rows_of_the_ownership_table_are_marked():
    table = clusterdata.load("ict_ownership_structure")
    marked = table[table["is_aggregate"]]
    assert set(marked["ownership"]) == {"industry_total", "state_controlled"}
    assert len(marked) == 2 * table["year"].nunique()
    ownership = next(c for c in clusterdata.describe("ict_ownership_structure")["columns"] if c["name"] == "ownership")
    # the printed labels of the two marked rows are totals: "Total SCEs in the industry", "Total of the industry"
    assert "Total SCEs in the industry (state_controlled)" in ownership["description"]
    assert "Total of the industry" in ownership["description"]
    parts = table[~table["is_aggregate"]].groupby("year")["firms"].sum()
    totals = marked[marked["ownership"] == "industry_total"].set_index("year")["firms"]
    assert (parts.loc[[1999, 2001, 2003, 2005]] <= totals.loc[[1999, 2001, 2003, 2005]]).all()  # 1997: annotated
