"""search(): the numbers stated in the sources' prose, filtered."""

from __future__ import annotations

from ._load import load


def search(text: str | None = None, *, source: str | None = None, subject: str | None = None,
           indicator: str | None = None, year: int | None = None):
    """Rows of `statistics` matching every filter given.

    text: words found (case ignored) in the subject, indicator, location or quote;
    source: a source_id; subject: the subject (case ignored); indicator: words of the indicator name;
    year: only numbers whose period covers that year.
    """
    import pandas as pd

    frame = load("statistics")
    if source is not None and source not in set(frame["source_id"]):
        from ._catalog import unknown_table_message

        known = sorted(set(frame["source_id"]))
        raise ValueError(unknown_table_message(source, known).replace("no table named", "no source named").replace("the tables are", "the sources are"))
    if year is not None:
        if isinstance(year, bool) or not isinstance(year, int) and not (isinstance(year, str) and year.isdigit()):
            raise ValueError(f"year must be a whole year such as 2004, not {year!r}")
        year = int(year)
    keep = pd.Series(True, index=frame.index)
    if text:
        haystack = (frame["subject"] + " " + frame["indicator"].str.replace("_", " ") + " " + frame["location"] + " " + frame["quote"]).str.lower()
        for word in text.lower().split():
            keep &= haystack.str.contains(word, regex=False)
    if source:
        keep &= frame["source_id"] == source
    if subject:
        keep &= frame["subject"].str.lower() == subject.lower()
    if indicator:
        keep &= frame["indicator"].str.contains(indicator.lower().replace(" ", "_"), regex=False)
    if year is not None:
        keep &= (frame["period_start"] <= year).fillna(False) & (frame["period_end"] >= year).fillna(False)
    return frame[keep].reset_index(drop=True)
