"""search(): the numbers stated in the sources' prose, filtered, and the tables that hold the words.

Words match at the start of a word, case ignored ("invest" finds "investment", "ict" does not find
"district"). A word or phrase of one of the SYNONYMS groups matches any member of its group, so
"foreign direct investment" finds the rows that say "FDI". A year matches the numbers whose period
may cover it, by `period_status`: a stated period from period_start to period_end; a period open at
its start ("before 2000": period_end 1999) or whose first year is illegible, every year up to
period_end; a period open at its end ("since 2002"), every year from period_start; a number with
no period (`undated`) matches no year.
"""

from __future__ import annotations

import re

from . import _catalog
from ._load import load

# Words and phrases that name one thing in the sources; short forms match as whole words (plural s allowed).
SYNONYMS = (
    ("fdi", "foreign direct investment"),
    ("fie", "foreign-invested enterprise", "foreign invested enterprise", "foreign-funded", "foreign funded"),
    ("ict", "information and communication technology", "information and communications technology"),
    ("r&d", "research and development"),
    ("soe", "state-owned enterprise", "state owned enterprise"),
    ("sce", "state-controlled enterprise", "state controlled enterprise"),
    ("gvc", "global value chain"),
    ("us", "u.s.", "united states", "america"),
)
# Tables whose text is not a place a number is held: statistics is searched row by row, notes by annotations().
NOT_POINTED_TO = ("statistics", "annotations")


def terms(text: str) -> list[re.Pattern]:
    """One pattern per word or synonym phrase of `text`; a row matches when every pattern does."""
    text = " ".join(text.lower().split())
    patterns = []
    for group in SYNONYMS:
        for phrase in sorted((g for g in group if " " in g or "-" in g), key=len, reverse=True):
            found = re.search(rf"(?<![\w&.]){re.escape(phrase)}s?(?![\w&])", text)
            if found:
                text = text[: found.start()] + " " + text[found.end():]
                patterns.append(group_pattern(group))
    for word in text.split():
        group = next((g for g in SYNONYMS if word in g or word.rstrip("s") in g), None)
        patterns.append(group_pattern(group) if group else re.compile(rf"(?<![\w&]){re.escape(word)}"))
    return patterns


def group_pattern(group: tuple[str, ...]) -> re.Pattern:
    """Any member of a synonym group, as a whole word or phrase, with an optional plural s."""
    members = "|".join(re.escape(g) for g in sorted(group, key=len, reverse=True))
    return re.compile(rf"(?<![\w&.])(?:{members})s?(?![\w&])")


def matches_all(patterns: list[re.Pattern], text: str) -> bool:
    return all(p.search(text) for p in patterns)


def check_arguments(text, source, subject, indicator, year) -> int | None:
    """One-line errors for arguments of the wrong kind; returns the year as an int."""
    if text is not None and not isinstance(text, str):
        hint = f"; for the numbers of a year use year={text}" if isinstance(text, int) and not isinstance(text, bool) else ""
        raise TypeError(f"text must be words to find, such as 'FDI', not {text!r}{hint}")
    for label, value in (("source", source), ("subject", subject), ("indicator", indicator)):
        if value is not None and not isinstance(value, str):
            raise TypeError(f"{label} must be text, not {value!r}")
    if year is None:
        return None
    if isinstance(year, bool) or not isinstance(year, int) and not (isinstance(year, str) and year.isdigit()):
        raise ValueError(f"year must be a whole year such as 2004, not {year!r}")
    return int(year)


def subject_mask(frame, subject: str):
    """Rows whose entity or partner contains `subject` as whole words ("Hefei" finds Hefei and Hefei Jiantou;
    "IBM" finds IBM's numbers and Lenovo's compared with IBM)."""
    pattern = re.compile(rf"(?<!\w){re.escape(' '.join(subject.lower().split()))}(?!\w)")
    named = lambda column: frame[column].astype(object).fillna("").str.lower().map(lambda s: bool(pattern.search(s))).astype(bool)
    mask = named("entity") | named("partner")
    if not mask.any():
        entities = sorted(set(frame["entity"].astype(str)))
        raise ValueError(_catalog.unknown_name_message("subject", subject, entities, "in statistics"))
    return mask


def search(text: str | None = None, *, source: str | None = None, subject: str | None = None,
           indicator: str | None = None, year: int | None = None):
    """Rows of `statistics` matching every filter given; `attrs["tables"]` names the other tables holding the words.

    text: words found in the subject, indicator, location or quote (see the module docstring);
    source: a source_id; subject: words of the entity or partner (China, Hefei, IBM, ...); indicator: words of the indicator name;
    year: only numbers whose period may cover that year (see the module docstring and period_status).
    """
    import pandas as pd

    year = check_arguments(text, source, subject, indicator, year)
    frame = load("statistics")
    if source is not None and source not in set(frame["source_id"]):
        raise ValueError(_catalog.unknown_name_message("source", source, sorted(set(frame["source_id"])), "in clusterdata"))
    keep = pd.Series(True, index=frame.index)
    patterns = terms(text) if text else []
    if patterns:
        haystack = (frame["subject"] + " " + frame["entity"].astype(str) + " " + frame["indicator"].str.replace("_", " ") + " " + frame["location"] + " " + frame["quote"]).str.lower()
        keep &= haystack.map(lambda h: matches_all(patterns, h)).astype(bool)
    if source:
        keep &= frame["source_id"] == source
    if subject:
        keep &= subject_mask(frame, subject)
    if indicator:
        keep &= frame["indicator"].str.contains(indicator.lower().replace(" ", "_"), regex=False)
    if year is not None:
        status, start, end = frame["period_status"].astype(str), frame["period_start"], frame["period_end"]
        from_start = status.isin(["stated", "open_end"]) & (start <= year).fillna(False)
        to_end = status.isin(["stated", "open_start", "illegible_start"]) & (end >= year).fillna(False)
        keep &= ((status == "stated") & from_start & to_end) | ((status == "open_end") & from_start) \
            | (status.isin(["open_start", "illegible_start"]) & to_end)
    found = frame[keep].reset_index(drop=True)
    found.attrs["tables"] = tables_holding(patterns) if patterns else []
    return found


def tables_holding(patterns: list[re.Pattern]) -> list[dict]:
    """The tables (not statistics or annotations) whose name, title, description, columns or text cells hold every word.

    The source's citation is left out: it would point every table of a source at the words of its title.
    """
    found = []
    for name in _catalog.tables():
        if name in NOT_POINTED_TO:
            continue
        described = _catalog.table(name)
        table = load(name, backend="arrow")
        table_text = " ".join([name.replace("_", " "), described.title, described.description]).lower()
        column_text = {}
        for field in described.fields:
            cells = {v.replace("_", " ") for v in table.column(field.name).to_pylist() if isinstance(v, str)}
            column_text[field.name] = " ".join([field.name.replace("_", " "), field.description or "", *sorted(cells)]).lower()
        if not matches_all(patterns, table_text + " " + " ".join(column_text.values())):
            continue
        columns = [c for c, t in column_text.items() if any(p.search(t) for p in patterns)]
        found.append({"table": name, "title": described.title, "columns": columns})
    return found
