"""Annotations agree with the cells they describe."""

import pandas as pd
import pytest

import clusterdata

NOTES = clusterdata.load("annotations")


def rows_of(name, row_key):
    """The rows of table `name` that a row_key (or a leading part of it) names."""
    frame = clusterdata.load(name)
    mask = pd.Series(True, index=frame.index)
    for part in filter(None, row_key.split(";")):
        column, value = part.split("=", 1)
        mask &= frame[column].astype(str) == value
    return frame[mask]


@pytest.mark.parametrize("note", list(NOTES[(NOTES.kind == "illegible") & (NOTES.column_name != "")].itertuples()), ids=lambda n: f"{n.table_name}:{n.row_key}:{n.column_name}")
def test_an_illegible_cell_is_empty(note):
    rows = rows_of(note.table_name, note.row_key)
    assert len(rows) > 0
    assert rows[note.column_name].isna().all()


@pytest.mark.parametrize("note", list(NOTES[(NOTES.kind == "uncertain_reading") & (NOTES.column_name != "") & (NOTES.row_key != "")].itertuples()), ids=lambda n: f"{n.table_name}:{n.row_key}:{n.column_name}")
def test_an_uncertain_reading_is_stored(note):
    rows = rows_of(note.table_name, note.row_key)
    assert len(rows) > 0
    assert rows[note.column_name].notna().all()


def test_every_empty_cell_of_the_garbled_table_3_is_explained():
    """ict_market_performance prints every cell: each empty one has an illegible annotation."""
    frame = clusterdata.load("ict_market_performance")
    illegible = NOTES[(NOTES.table_name == "ict_market_performance") & (NOTES.kind == "illegible")]
    explained = set()
    for note in illegible.itertuples():
        for row in rows_of("ict_market_performance", note.row_key).itertuples():
            explained.add((row.year, row.ownership, note.column_name))
    empty = {(r.year, r.ownership, c) for c in ("domestic_market_share_pct", "profit_to_sales_pct", "value_added_to_sales_pct")
             for r in frame[frame[c].isna()].itertuples()}
    assert empty == explained
    assert len(empty) == 11  # 1 market share, 4 profit ratios, the 6 value-added cells of 2002


def test_the_total_sces_rows_are_placed_in_2003_and_2005():
    sces = clusterdata.load("ict_ownership_structure").query("ownership == 'state_controlled'").set_index("year")
    assert sces["firms"].dropna().to_dict() == {2003: 1546, 2005: 1435}
    assert sces.loc[[1997, 1999, 2001]].drop(columns=["ownership", "is_aggregate"]).isna().all().all()
