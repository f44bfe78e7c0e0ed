"""Every number stated in the prose of the sources is stored: in `statistics` (a quote that states it), in a cell
of the source's other tables, or in the documented exclusion list tests/prose_numbers_excluded.csv."""

import csv
import re
import tomllib
from pathlib import Path

import pandas as pd
import pytest

import clusterdata
from clusterdata.contrib.checks import NUMBER_WORDS, SCALES, numbers_in

ROOT = Path(__file__).parent.parent
EXCLUDED = Path(__file__).parent / "prose_numbers_excluded.csv"
SOURCES = ["huang_yang_pinghu", "ning_2009_ict", "ross_capacity_cooperation", "economist_2023_hefei", "saxenian_2010_smes"]
TOKEN = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?|(?<![a-z-])(?:" + "|".join(
    re.escape(w) for w in sorted(NUMBER_WORDS, key=len, reverse=True)) + r")(?![a-z])", re.IGNORECASE)


def numbers_by_line(text: str) -> list[tuple[int, str]]:
    """(line, token) for every number a line states, as digits or in words (the number words of the quote check)."""
    return [(n, m.group()) for n, line in enumerate(text.splitlines(), 1) for m in TOKEN.finditer(line)]


def value_of(token: str) -> float:
    words = {w.lower(): v for w, v in NUMBER_WORDS.items()}
    return float(words[token.lower()]) if token.lower() in words else float(token.replace(",", ""))


def quoted_lines(text: str, quote: str) -> range:
    """The lines of `text` a quote spans (runs of whitespace ignored), found as the validation finds it."""
    words = quote.split()
    flat, starts = [], []
    for n, line in enumerate(text.splitlines(), 1):
        for word in line.split():
            flat.append(word)
            starts.append(n)
    for i in range(len(flat) - len(words) + 1):
        if flat[i:i + len(words)] == words:
            return range(starts[i], starts[i + len(words) - 1] + 1)
    # a quote beginning or ending inside a word ("look the lead" of "took the lead")
    joined = " ".join(flat)
    at = joined.find(" ".join(words))
    assert at >= 0, quote
    first = joined[:at].count(" ")
    return range(starts[first], starts[min(first + len(words) - 1, len(starts) - 1)] + 1)


def stored_numbers(source_id: str, text: str, stats: pd.DataFrame) -> tuple[set[tuple[int, float]], set[float]]:
    """(line, value) pairs the statistics quotes state, and the numeric cells of the source's other tables."""
    quoted = set()
    rows = stats[stats["source_id"] == source_id]
    for quote, start, end in zip(rows["quote"], rows["period_start"], rows["period_end"]):
        years = {float(y) for y in (start, end) if pd.notna(y)}  # "In 2007, ... reached": the year is the period
        quoted |= {(n, v) for n in quoted_lines(text, quote) for v in numbers_in(quote) | years}
    cells = set()
    for definition in sorted((ROOT / "schemas").glob("[a-z]*.toml")):
        name = definition.stem
        if name != "statistics" and tomllib.loads(definition.read_text(encoding="utf-8")).get("source") == source_id:
            frame = clusterdata.load(name)
            for column in frame.columns:
                values = frame[column].dropna()
                if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
                    cells |= {round(float(v), 9) for v in values}
                else:  # labels such as "1999-2001" or "Over 10 million" state numbers too
                    cells |= {round(value_of(t), 9) for v in values.astype(str) for t in TOKEN.findall(v)}
    contents = clusterdata.load("source_contents")  # figure and table titles ("Figure 1 ... 1985-2005")
    for label in contents.loc[contents["source_id"] == source_id, ["item", "title"]].stack().dropna().astype(str):
        cells |= {value_of(t) for t in TOKEN.findall(label)}
    return quoted, cells


def exclusions() -> dict[tuple[str, int, str], str]:
    with EXCLUDED.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert all(row["reason"].strip() for row in rows), "every exclusion gives its reason"
    return {(row["source_id"], int(row["line"]), row["number"]): row["reason"] for row in rows}


def unstored(source_id: str, sources_dir: Path, stats: pd.DataFrame) -> list[str]:
    """file:line: number for every number of the source's text that is neither stored nor excluded."""
    file = clusterdata.load("sources").set_index("source_id").loc[source_id, "file"]
    text = (sources_dir / file).read_text(encoding="utf-8")
    quoted, cells = stored_numbers(source_id, text, stats)
    excluded = exclusions()
    return [f"{file}:{line}: {token}" for line, token in numbers_by_line(text)
               if (line, value_of(token)) not in quoted
               and not any(round(value_of(token) * s, 9) in cells for s in SCALES) and (source_id, line, token) not in excluded]


@pytest.mark.parametrize("source_id", SOURCES)
def test_every_number_in_the_prose_is_stored_or_excluded(source_id, sources_dir):
    assert unstored(source_id, sources_dir, clusterdata.load("statistics")) == []


def test_a_number_whose_row_is_missing_is_reported(sources_dir):
    stats = clusterdata.load("statistics")
    without = stats[~stats["stat_id"].isin(["economist_2023_hefei-008", "economist_2023_hefei-023"])]
    assert unstored("economist_2023_hefei", sources_dir, without) == [
        "003_6afc0fc801680d9d.txt:22: 470", "003_6afc0fc801680d9d.txt:22: 1990"]


def test_every_exclusion_names_a_number_on_its_line(sources_dir):
    files = clusterdata.load("sources").set_index("source_id")["file"]
    for (source_id, line, token) in exclusions():
        lines = (sources_dir / files[source_id]).read_text(encoding="utf-8").splitlines()
        assert token in [t for n, t in numbers_by_line(lines[line - 1]) ], (source_id, line, token)
