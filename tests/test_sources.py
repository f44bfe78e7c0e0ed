"""The data against the source texts themselves (skipped, saying why, where CLUSTERDATA_SOURCES is unset)."""

import re

import clusterdata
from clusterdata import _catalog


def text_of(sources_dir, source_id):
    sources = clusterdata.load("sources").set_index("source_id")
    return (sources_dir / sources.loc[source_id, "file"]).read_text(encoding="utf-8")


def collapse(text):
    return " ".join(text.split())


def test_every_source_file_is_there(sources_dir):
    for file in clusterdata.load("sources")["file"]:
        assert (sources_dir / file).is_file(), file


def test_source_contents_titles_are_printed_in_their_source(sources_dir):
    """A numbered item's title follows its number in the source ("Table 1 Total Output ..."); an unnumbered
    item (a slide) and its title each occur in it; a title read from a garbled scan, or not printed at all,
    has an annotation saying so."""
    notes = clusterdata.load("annotations")
    explained = set(notes[(notes.table_name == "source_contents") & notes.column_name.isin(["title", ""])].row_key)
    checked = 0
    for row in clusterdata.load("source_contents").itertuples():
        if f"source_id={row.source_id};item={row.item}" in explained:
            continue
        text = collapse(text_of(sources_dir, row.source_id))
        if re.fullmatch(r"(Table|Figure) \d+", row.item):
            assert collapse(f"{row.item} {row.title}") in text, (row.source_id, row.item)
        else:
            assert collapse(row.item) in text and collapse(row.title) in text, (row.source_id, row.item)
        checked += 1
    assert checked >= 20


def test_every_statistics_quote_is_in_its_source(sources_dir):
    statistics = clusterdata.load("statistics")
    for row in statistics.itertuples():
        assert collapse(row.quote) in collapse(text_of(sources_dir, row.source_id)), row.stat_id
    assert len(statistics) >= 100


def printed_rows(text, title, count):
    """The `count` tab-separated lines that follow the header line under a table's title."""
    lines = text.splitlines()
    start = lines.index(title) + 3  # title, blank line, header
    return [line.split("\t") for line in lines[start:start + count]]


def test_pinghu_output_is_table_1_as_printed(sources_dir):
    text = text_of(sources_dir, "huang_yang_pinghu")
    printed = printed_rows(text, "Table 1 Total Output of Optical-Mechatronics Industry in Pinghu, 2002-2007", 6)
    frame = clusterdata.load("pinghu_output")
    differ = [f"year {int(row[0])}, {column}: stored {stored:g}, the source prints {float(text):g}"
              for row, stored_row in zip(printed, frame.astype(float).values.tolist())
              for column, text, stored in zip(frame.columns, row, stored_row) if float(text) != stored]
    assert len(printed) == len(frame)
    assert differ == []


def cells(row):
    """Table 2/3 cells: 'label count (share%)', tolerating the missing brackets and % signs the source prints."""
    out = []
    for cell in row:
        match = re.fullmatch(r"(.*?)\s*(\d+)\s*\(?([\d.]+)%?\)?", cell.strip())
        if match:
            out.append((match.group(1), int(match.group(2)), float(match.group(3))))
    return out


def test_pinghu_survey_profile_is_table_2_as_printed(sources_dir):
    printed = printed_rows(text_of(sources_dir, "huang_yang_pinghu"), "Table 2 Basic Statistic Information of Investigated Companies", 4)
    dimensions = ["ownership", "industry", "registered_capital", "annual_output", "staff"]
    expected = set()
    for row in printed:
        for dimension, cell in zip(dimensions, row):
            for label, firms, share in cells([cell]):
                expected.add((dimension, label, firms, share))
    frame = clusterdata.load("pinghu_survey_profile")
    stored = {(r.dimension, r.category, r.firms, r.share_pct) for r in frame.itertuples()}
    assert stored == expected


def test_pinghu_investment_reasons_is_table_3_as_printed(sources_dir):
    printed = printed_rows(text_of(sources_dir, "huang_yang_pinghu"), "Table 3 Primary Reasons for Investment in Pinghu, in Separate Times", 4)
    reasons = ["government_support", "preferential_policy", "geographic_location", "following_supply_chain", "market_potential", "supporting_industries"]
    expected = set()
    for row in printed:
        period, period_firms = re.fullmatch(r"(\d{4}-\d{4})\((\d+)\)", row[0]).groups()
        for reason, (_, firms, share) in zip(reasons, cells(row[1:]), strict=True):
            expected.add((period, int(period_firms), reason, firms, share))
    frame = clusterdata.load("pinghu_investment_reasons")
    stored = {(r.period, r.period_firms, r.reason, r.firms, r.share_pct) for r in frame.itertuples()}
    assert stored == expected
    assert all(f"{r.period_start}-{r.period_end}" == r.period for r in frame.itertuples())


def test_annotation_quotes_are_in_the_source(sources_dir):
    """Every passage an annotation quotes from a source (12 characters or more) is in its text: "in double
    quotes", or «in guillemets» where the scan itself prints a double quote."""
    definitions = {r["name"]: r for r in _catalog.descriptor()["resources"]}
    sources = clusterdata.load("sources").set_index("source_id")
    by_citation = {row.citation: source_id for source_id, row in sources.iterrows()}
    checked = 0
    for row in clusterdata.load("annotations").itertuples():
        cited = definitions[row.table_name].get("sources", [])
        source_id = row.row_key.removeprefix("source_id=") if row.table_name == "sources" else None
        if not cited and not source_id:
            continue
        text = collapse(text_of(sources_dir, source_id or by_citation[cited[0]["title"]]))
        for quote in [q for q in re.findall(r'"([^"]*)"', re.sub("«[^»]*»", "", row.note)) + re.findall("«([^»]*)»", row.note) if len(q) >= 12]:
            assert collapse(quote) in text, (row.table_name, row.row_key, quote)
            checked += 1
    assert checked > 0
