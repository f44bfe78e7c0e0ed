"""The numbers in the prose: their contract, search() and `clusterdata search`, and the quote check."""

import pandas as pd
import pytest

import clusterdata
from clusterdata.cli import main
from clusterdata.contrib.validate import validate_package

STATS = clusterdata.load("statistics")


def test_stat_ids_name_their_source_and_count_up():
    """Numbered in text order as first transcribed; rows added later continue the numbering (ids never change)."""
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
    start, end = found["period_start"], found["period_end"]
    assert len(found) > 0
    assert ((start.isna() | (start <= 2004)) & (end.isna() | (end >= 2004)) & (start.notna() | end.notna())).all()


@pytest.mark.parametrize("year,found,missed", [
    (2005, ["ning_2009_ict-038"], ["ning_2009_ict-094", "ning_2009_ict-097"]),  # "since 2002"; the "?-2004" period
    (2004, ["ning_2009_ict-038", "ning_2009_ict-094", "ning_2009_ict-097"], []),
    (2001, ["ning_2009_ict-094"], ["ning_2009_ict-038"]),  # a first year the scan cannot read covers the earlier side
    (1999, ["ning_2009_ict-011", "ning_2009_ict-083", "ning_2009_ict-108"], ["ning_2009_ict-007", "ning_2009_ict-008"]),  # "before 2000"
    (2000, [], ["ning_2009_ict-011", "ning_2009_ict-083", "ning_2009_ict-108"]),  # "before 2000" ends with 1999
    (1990, ["ning_2009_ict-007", "ning_2009_ict-008", "ning_2009_ict-011", "ning_2009_ict-083"], []),
    (1997, [], ["ning_2009_ict-007", "ning_2009_ict-008"]),  # "before 1997"
])
def test_search_by_year_on_periods_open_at_one_end(year, found, missed):
    ids = set(clusterdata.search(year=year)["stat_id"])
    assert set(found) <= ids
    assert not set(missed) & ids


@pytest.mark.parametrize("status,start,end,count", [
    ("stated", True, True, 129), ("open_start", False, True, 5), ("illegible_start", False, True, 4),
    ("open_end", True, False, 2), ("undated", False, False, 41)])
def test_period_status_says_which_ends_the_text_gives(status, start, end, count):
    rows = STATS[STATS["period_status"] == status]
    assert len(rows) == count
    assert (rows["period_start"].notna() == start).all() and (rows["period_end"].notna() == end).all()


@pytest.mark.parametrize("stat_id,words,period_end", [
    ("ning_2009_ict-008", "before 1997", 1996),
    ("ning_2009_ict-011", "~fore 2000", 1999),  # the scan's "before"
    ("ning_2009_ict-083", "before 2000", 1999),
    ("ning_2009_ict-108", "prior to 2000", 1999),
])
def test_a_before_row_ends_the_year_before(stat_id, words, period_end):
    row = STATS.set_index("stat_id").loc[stat_id]
    assert words in row["quote"]
    assert (row["period_status"], pd.isna(row["period_start"]), row["period_end"]) == ("open_start", True, period_end)


def test_a_period_status_that_disagrees_with_the_years_is_refused(live_copy):
    from test_validate import messages

    path = live_copy / "data/raw/statistics.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    line = next(i for i, text in enumerate(lines, 1) if text.startswith("ning_2009_ict-083,"))
    assert ",,1999,open_start," in lines[line - 1]
    lines[line - 1] = lines[line - 1].replace(",,1999,open_start,", ",,1999,stated,")
    path.write_text("".join(lines), encoding="utf-8")
    assert messages(live_copy) == [
        f'data/raw/statistics.csv:{line}: column "period_status": value "stated" needs both years; the row gives period_end alone']


def test_a_number_without_a_period_matches_no_year():
    undated = set(STATS.loc[STATS["period_status"] == "undated", "stat_id"])
    assert undated == set(STATS.loc[STATS["period_start"].isna() & STATS["period_end"].isna(), "stat_id"])
    assert len(undated) == 41
    for year in range(1800, 2031, 7):
        assert not undated & set(clusterdata.search(year=year)["stat_id"])


def test_search_by_subject_ignores_case():
    assert len(clusterdata.search(subject="hefei")) == len(clusterdata.search(subject="HEFEI")) > 0


def test_search_by_subject_finds_the_subjects_that_contain_its_words():
    found = clusterdata.search(subject="Hefei", year=2020)
    assert set(found["stat_id"]) == {"economist_2023_hefei-003", "economist_2023_hefei-015", "economist_2023_hefei-022"}
    subjects = set(clusterdata.search(subject="hefei")["subject"])
    assert subjects == {"Hefei", "Hefei Jiantou", "Hefei (NIO investment)", "Hefei Quantum Boulevard district"}
    assert set(clusterdata.search(subject="IBM")["subject"]) == {"IBM", "Lenovo vs IBM"}


def test_a_subject_no_row_has_is_refused_with_the_closest_ones():
    with pytest.raises(ValueError) as error:
        clusterdata.search(subject="Hefie")
    assert str(error.value) == "no subject named 'Hefie' in statistics; did you mean 'Hefei'?"


def test_a_long_form_finds_the_rows_of_its_abbreviation():
    fdi = clusterdata.search("FDI")
    text = STATS["quote"] + " " + STATS["indicator"].str.replace("_", " ")
    mentions = STATS[text.str.contains(r"\bFDI|foreign direct investment", case=False)]
    assert sorted(fdi["stat_id"]) == sorted(mentions["stat_id"]) and len(fdi) == 5
    assert list(clusterdata.search("foreign direct investment")["stat_id"]) == list(fdi["stat_id"])
    assert list(clusterdata.search("research and development")["stat_id"]) == list(clusterdata.search("R&D")["stat_id"])


def test_words_match_at_the_start_of_words():
    assert "economist_2023_hefei-001" not in set(clusterdata.search("ict")["stat_id"])  # "district"
    assert "economist_2023_hefei-001" in set(clusterdata.search("distr")["stat_id"])


@pytest.mark.parametrize("words,table,columns", [
    ("FDI", "ict_fdi", ["fdi_m_usd"]),
    ("foreign direct investment", "ict_fdi", ["fdi_m_usd"]),
    ("Hefei", "hefei_state_investments", []),
    ("R&D", "ict_rd_intensity", ["rd_to_value_added_pct"]),
])
def test_search_points_to_the_tables_that_hold_the_words(words, table, columns):
    tables = {t["table"]: t for t in clusterdata.search(words).attrs["tables"]}
    assert tables[table]["columns"] == columns
    assert tables[table]["title"] == clusterdata.describe(table)["title"]
    assert "statistics" not in tables and "annotations" not in tables


def test_search_of_a_year_as_text_says_how_to_ask_for_it():
    with pytest.raises(TypeError) as error:
        clusterdata.search(2004)
    assert str(error.value) == "text must be words to find, such as 'FDI', not 2004; for the numbers of a year use year=2004"


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
    # a changed word, not a number (a changed number is also caught without the sources, by stated_by_quote)
    path.write_text(text.replace("interviewed 108 firms in Danghu town", "interviewed 108 firms in Danhu town"), encoding="utf-8")
    _, problems = validate_package(repo_copy, sources_dir=sources_dir)
    assert [str(p) for p in problems] == [
        'data/raw/statistics.csv:6: column "quote": value "interviewed 108 firms in Danhu town" is not in the source text '
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


def test_cli_search_names_the_tables_that_hold_the_words(capsys):
    assert main(["search", "FDI"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert "also in table ict_fdi (columns: fdi_m_usd): China's actual utilized foreign investment in the ICT industry, 1995-2004" in out
    assert out[-1] == "5 statistics"


def test_subjects_split_into_entity_scope_and_partner():
    for row in STATS.itertuples():
        if " vs " in row.subject:  # a comparison: the entity, then its partner
            entity, partner = row.subject.split(" vs ")
            assert (row.entity, row.partner) == (entity, partner), row.stat_id
        else:
            assert row.subject.startswith(str(row.entity)) or row.entity in {"private firms", "Adam Smith", "SCEs", "foreign R&D centres"}, row.stat_id
    china = STATS[STATS["subject"].isin(["China ICT", "China ICT industry"])]
    assert set(china["entity"]) == {"China"} and set(china["scope"]) == {"ict_industry"}


@pytest.mark.parametrize("subject,year,expected", [
    ("China", None, {"ning_2009_ict-014", "ning_2009_ict-016", "ning_2009_ict-017", "ning_2009_ict-018"}),  # FDI rows
    ("Hefei", 2020, {"economist_2023_hefei-015", "economist_2023_hefei-022"}),  # Hefei Jiantou, 2019-2021
    ("Hefei", None, {"economist_2023_hefei-001", "economist_2023_hefei-021", "economist_2023_hefei-022"}),
    ("IBM", None, {"ning_2009_ict-074"}),  # Lenovo compared with IBM
])
def test_search_by_subject_uses_entity_and_partner(subject, year, expected):
    found = set(clusterdata.search(subject=subject, year=year)["stat_id"])
    assert expected <= found


def test_indicators_follow_one_naming_pattern():
    dates = STATS["unit"] == "year"
    assert STATS.loc[dates, "indicator"].str.startswith("year_").all()
    assert not STATS.loc[~dates, "indicator"].str.startswith("year_").any()
    decades = STATS["unit"] == "calendar_decade"
    assert STATS.loc[decades, "indicator"].str.startswith("decade_").all()
    assert not STATS.loc[~decades, "indicator"].str.startswith("decade_").any()
    assert not STATS["indicator"].str.contains(r"_year(?:_|$)|_(?:start|end)$").any()
    assert not {"share_of_domestic_sales", "share_of_domestic_market"} & set(STATS["indicator"])
    assert set(STATS.set_index("stat_id").loc[["economist_2023_hefei-009", "economist_2023_hefei-010"], "indicator"]) == {
        "year_cultural_revolution_began", "year_cultural_revolution_ended"}


@pytest.mark.parametrize("indicator", ["wto_accession_year", "year_x_year_y", "cultural_revolution_start", "tenure_end"])
def test_an_indicator_off_the_pattern_is_refused(live_copy, indicator):
    from test_validate import messages, rewrite

    rewrite(live_copy, "data/raw/statistics.csv", ",year_wto_accession,", f",{indicator},")
    line = next(i for i, text in enumerate((live_copy / "data/raw/statistics.csv").read_text().splitlines(), 1)
                if f",{indicator}," in text)
    pattern = "(?!.*_year(_|$))(?!.*_(start|end)$)[a-z0-9]+(_[a-z0-9]+)*"
    assert messages(live_copy) == [
        f'data/raw/statistics.csv:{line}: column "indicator": value "{indicator}" does not match the pattern {pattern}']


@pytest.mark.parametrize("stat_id,period", [
    ("ning_2009_ict-078", (2003, 2005)),  # "In 2005 ... for the third successive year"
    ("ning_2009_ict-098", (2005, 2005)),  # one sentence, then "It is also ...": one period
    ("ning_2009_ict-100", (2005, 2005)),
    ("ning_2009_ict-101", (2005, 2005)),
    ("ning_2009_ict-109", (2005, 2005)),
    ("ning_2009_ict-103", (1970, 1979)),  # "the late 1970s"
    ("saxenian_2010_smes-010", (1980, 1989)),
    ("saxenian_2010_smes-012", (2000, 2009)),
    ("ning_2009_ict-111", (1980, 1999)),  # "throughout the 1980s and early 1990s": both ends carry the span
    ("ning_2009_ict-112", (1980, 1999)),
])
def test_periods_the_audit_settled(stat_id, period):
    row = STATS.set_index("stat_id").loc[stat_id]
    assert (row["period_status"], row["period_start"], row["period_end"]) == ("stated", *period)


def test_a_decade_is_a_date_found_by_each_of_its_years():
    decades = STATS[(STATS["unit"] == "calendar_decade") & ~STATS["indicator"].str.endswith(("_began", "_ended"))]
    assert (decades["value"] == decades["period_start"]).all()
    assert (decades["period_end"] == decades["period_start"] + 9).all()
    assert {"economist_2023_hefei-024", "saxenian_2010_smes-010"} <= set(clusterdata.search(year=1985)["stat_id"])
    assert not {"economist_2023_hefei-024", "saxenian_2010_smes-010"} & set(clusterdata.search(year=1990)["stat_id"])
