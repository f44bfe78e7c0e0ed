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
