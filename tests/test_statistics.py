"""The numbers in the prose: their contract, search() and `clusterdata search`, and the quote check."""

import pandas as pd
import pytest

import clusterdata
from clusterdata.cli import main
from clusterdata.validate import validate_package

STATS = clusterdata.load("statistics")


def test_stat_ids_name_their_source_and_count_up_in_text_order():
    for source_id, group in STATS.groupby("source_id", observed=True):
        assert list(group["stat_id"]) == [f"{source_id}-{n:03d}" for n in range(1, len(group) + 1)]


def test_every_source_has_statistics():
    assert set(STATS["source_id"]) == set(clusterdata.load("sources")["source_id"])


def test_search_by_text_and_source():
    found = clusterdata.search("fdi", source="ning_2009_ict")
    assert len(found) > 0
    assert set(found["source_id"]) == {"ning_2009_ict"}
    text = (found["subject"] + found["indicator"] + found["location"] + found["quote"]).str.lower()
    assert text.str.contains("fdi").all()


def test_search_words_must_all_match():
    assert len(clusterdata.search("lenovo ibm")) < len(clusterdata.search("lenovo"))


def test_search_by_year_keeps_periods_that_cover_it():
    found = clusterdata.search(year=2004)
    assert len(found) > 0
    assert ((found["period_start"] <= 2004) & (found["period_end"] >= 2004)).all()
    assert not found["period_start"].isna().any()


def test_search_by_subject_ignores_case():
    assert len(clusterdata.search(subject="hefei")) == (STATS["subject"].str.lower() == "hefei").sum() > 0


def test_search_returns_the_statistics_columns():
    assert list(clusterdata.search("Pinghu").columns) == list(STATS.columns)
    assert isinstance(clusterdata.search("nothing matches this"), pd.DataFrame)
    assert len(clusterdata.search("nothing matches this")) == 0


def test_cli_search_takes_several_words(capsys):
    assert main(["search", "lenovo", "ibm"]) == 0
    assert capsys.readouterr().out.splitlines()[-1] == f"{len(clusterdata.search('lenovo ibm'))} statistics"


def test_cli_search_prints_quotes(capsys):
    assert main(["search", "Hongfujin", "--source", "ning_2009_ict"]) == 0
    out = capsys.readouterr().out.splitlines()
    expected = clusterdata.search("Hongfujin", source="ning_2009_ict")
    assert out[-1] == f"{len(expected)} statistic{'s' if len(expected) != 1 else ''}"
    for stat_id in expected["stat_id"]:
        assert any(line.startswith(stat_id) for line in out)
    assert any(line.startswith('    "') for line in out)


def test_a_quote_not_in_its_source_is_reported(repo_copy, sources_dir):
    path = repo_copy / "data/raw/statistics.csv"
    text = path.read_text(encoding="utf-8")
    assert "interviewed 108 firms in Danghu town" in text
    path.write_text(text.replace("interviewed 108 firms in Danghu town", "interviewed 180 firms in Danghu town"), encoding="utf-8")
    _, problems = validate_package(repo_copy, sources_dir=sources_dir)
    assert [str(p) for p in problems] == [
        'data/raw/statistics.csv:6: column "quote": value "interviewed 180 firms in Danghu town" is not in the source text '
        "000_000e4cac5c0968cd.txt (runs of whitespace ignored): copy it exactly"]
    _, unchecked = validate_package(repo_copy)
    assert unchecked == []


def test_cli_search_prints_rows_without_a_period(capsys):
    assert main(["search", "--source", "ross_capacity_cooperation"]) == 0
    out = capsys.readouterr().out
    assert "ross_capacity_cooperation-006  China: fixed_investment_excess_over_us = 40 pct" in out


@pytest.mark.parametrize("start,end,text", [(2004, 2004, " 2004"), (2003, 2005, " 2003-2005"), (None, 2000, " -2000"), (2002, None, " 2002-"), (None, None, "")])
def test_period_text(start, end, text):
    from clusterdata.cli import period_text

    assert period_text(pd.NA if start is None else start, pd.NA if end is None else end) == text
