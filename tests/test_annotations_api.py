"""clusterdata.annotations(): every note that applies to a cell, a row, a group of rows, a column or the table."""

import pytest

import clusterdata
from clusterdata._annotations import applies
from clusterdata.cli import main

NOTES = clusterdata.load("annotations")


def targets(frame):
    return sorted(zip(frame["row_key"], frame["column_name"], frame["kind"]))


def test_a_cell_gets_its_group_and_table_notes():
    found = clusterdata.annotations("ict_market_performance", row={"year": 2004, "ownership": "joint_stock"},
                                    column="domestic_market_share_pct")
    assert targets(found) == [("", "", "note"), ("year=2004", "domestic_market_share_pct", "source_inconsistency")]


def test_a_row_gets_the_notes_on_each_of_its_cells_and_columns():
    found = clusterdata.annotations("ict_market_performance", row={"year": 2004, "ownership": "joint_stock"})
    assert targets(found) == [
        ("", "", "note"), ("", "ownership", "uncertain_reading"), ("", "profit_to_sales_pct", "source_inconsistency"),
        ("", "value_added_to_sales_pct", "note"), ("year=2004", "domestic_market_share_pct", "source_inconsistency"),
        ("year=2004;ownership=joint_stock", "profit_to_sales_pct", "illegible")]


def test_a_group_note_is_found_from_a_row_of_the_group():
    found = clusterdata.annotations("pinghu_survey_profile", row={"dimension": "registered_capital", "category": "1 to 5 million"},
                                    column="share_pct")
    assert ("dimension=registered_capital", "share_pct", "source_inconsistency") in targets(found)
    assert ("dimension=registered_capital;category=1 to 5 million", "share_pct", "source_inconsistency") in targets(found)


def test_rows_can_be_selected_by_any_column():
    by_ownership = clusterdata.annotations("ict_market_performance", row={"ownership": "collective"}, column="profit_to_sales_pct")
    assert ("year=2004;ownership=collective", "profit_to_sales_pct", "illegible") in targets(by_ownership)
    assert not any(k.endswith("ownership=joint_stock") for k in by_ownership["row_key"])


def test_without_a_selection_every_note_of_the_table_is_returned():
    assert len(clusterdata.annotations("ict_fdi")) == (NOTES["table_name"] == "ict_fdi").sum() == 2


@pytest.mark.parametrize("note", list(NOTES.itertuples()), ids=lambda n: f"{n.table_name}:{n.row_key}:{n.column_name}:{n.kind}")
def test_every_note_is_found_from_a_cell_it_describes(note):
    """Select one row the note names by its full key (read from the table itself) and the note's column."""
    frame = clusterdata.load(note.table_name)
    key = clusterdata.describe(note.table_name)["primary_key"]
    named = dict(part.split("=", 1) for part in note.row_key.split(";")) if note.row_key else {}
    rows = frame[(frame[list(named)].astype(str) == list(named.values())).all(axis=1)] if named else frame
    row = {c: rows.iloc[0][c] for c in key}
    found = clusterdata.annotations(note.table_name, row=row, column=note.column_name or None)
    assert (note.row_key, note.column_name, note.kind) in targets(found)


def test_a_key_part_is_not_matched_by_a_prefix_of_its_value():
    assert applies("year=2004", {"year=2004;ownership=collective"})
    assert not applies("year=200", {"year=2004;ownership=collective"})
    assert not applies("year=2004;ownership=col", {"year=2004;ownership=collective"})


def test_mistakes_are_refused_in_one_line():
    with pytest.raises(clusterdata.UnknownTableError):
        clusterdata.annotations("ict_fdis")
    with pytest.raises(ValueError) as error:
        clusterdata.annotations("ict_fdi", column="fdi_musd")
    assert str(error.value) == "no column named 'fdi_musd' of table 'ict_fdi'; did you mean 'fdi_m_usd'?"
    with pytest.raises(ValueError) as error:
        clusterdata.annotations("ict_fdi", row={"fdi": 1})
    assert str(error.value) == "no column named 'fdi' of table 'ict_fdi'; the columns are: year, fdi_m_usd, official_estimate"
    with pytest.raises(ValueError) as error:
        clusterdata.annotations("ict_fdi", row={"year": 2050})
    assert str(error.value) == "no row of table 'ict_fdi' has year=2050: annotations() looks for notes on existing rows"
    with pytest.raises(TypeError) as error:
        clusterdata.annotations("ict_fdi", row="year=2004")
    assert str(error.value) == "row must be a mapping of column to value, such as {'year': 2004}, not 'year=2004'"


def test_cli_annotations_prints_each_note_and_a_count(capsys):
    assert main(["annotations", "ict_market_performance", "--row", "year=2004", "--row", "ownership=joint_stock",
                 "--column", "domestic_market_share_pct"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "note [every row; every column]"
    assert "source_inconsistency [year=2004; domestic_market_share_pct]" in out
    assert out[-1] == "2 notes"


def test_cli_annotations_refuses_a_row_without_a_value(capsys):
    assert main(["annotations", "ict_fdi", "--row", "2004"]) == 2
    assert capsys.readouterr().err == "clusterdata: --row takes COLUMN=VALUE, such as --row year=2004, not '2004'\n"
