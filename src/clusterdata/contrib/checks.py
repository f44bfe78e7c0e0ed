"""Cross-row checks declared in a table's definition ([[checks]] in schemas/NAME.toml).

Each check reports the rows or groups it evaluates, as Findings that agree (`ok`) or not. A
disagreement that the source itself prints is recorded in annotations.csv as a
`source_inconsistency` on the same row key and column, and is then expected; an annotation on a
finding that agrees is stale (validate.py matches the two). Agreeing findings are only made for
the columns such annotations name, which keeps checks over large tables cheap. Rows with an empty
cell in a checked column are not evaluated: an unread value cannot be checked, nor its erratum
called stale.

Each kind is one frozen dataclass: its fields are its parameters with their types, its `evaluate` is the
check. They are registered in KINDS, which the definition reader (definitions.check_declaration), the
contract tests and CONTRIBUTING's list of kinds all read: a new kind is a class here and an entry there.
"""

from __future__ import annotations

import functools
import re
import types
import typing
from collections.abc import Iterator
from dataclasses import MISSING, dataclass, field, fields, replace
from typing import Any, ClassVar, Literal

from .._annotations import key_text  # the one way a key value is written, shared with annotations()

EPSILON = 1e-9  # floating-point slack on top of each declared tolerance

# What a parameter names, for the definition reader: one column, columns (a list, or a table's keys), a template's columns.
COLUMN, COLUMNS, TEMPLATE = {"names": "column"}, {"names": "columns"}, {"names": "template"}
NUMBER = {"names": "column", "numeric": True}  # a column the check computes with: a field of a numeric type


@dataclass(frozen=True)
class Finding:
    ok: bool
    check: str
    row_key: str  # of the row, or of the group (a leading part of the key)
    column: str
    rows: tuple[int, ...]  # positions in the frame
    value: str
    message: str
    discrepancy: str = ""  # what the check finds against what it wants ("99.5 vs 100"): what an erratum expects


class View:
    """A parsed frame as plain Python lists (None where empty), read once per column."""

    def __init__(self, frame, table, wanted_columns=()):
        self.frame, self.table, self.n = frame, table, len(frame)
        self.wanted_columns = set(wanted_columns)  # columns whose agreeing findings are needed
        self._columns: dict[str, list] = {}

    def col(self, name: str) -> list:
        if name not in self._columns:  # NA and NaN (a missing cell of each dtype) become None
            from pandas import NA

            self._columns[name] = [None if v is NA or v != v else v for v in self.frame[name].tolist()]
        return self._columns[name]

    def key(self, position: int, columns=None) -> str:
        """The key of one row (or of its group, for `columns`) as col=value;col=value."""
        return ";".join(f"{c}={key_text(self.col(c)[position])}" for c in (columns or self.table.primary_key))

    def keys(self, positions) -> list[str]:
        """The keys of the rows at `positions` (ascending), as key() writes them, read from those rows alone
        (key() reads every row of the key columns once: a large table's few rows need not)."""
        columns, parts = self.table.primary_key, []
        for name in columns:
            if name in self._columns:
                parts.append([self._columns[name][p] for p in positions])
            else:
                series = cells_at(self.frame[name], positions)
                parts.append(series.astype(object).where(series.notna(), None).tolist())
        return [";".join(f"{c}={key_text(v)}" for c, v in zip(columns, row)) for row in zip(*parts)]

    def report(self, ok: bool, column: str) -> bool:
        """Whether a finding is worth making: every disagreement, and agreements an annotation may need."""
        return not ok or column in self.wanted_columns


def cells_at(series, positions):
    """The cells of a pandas Series at `positions` (ascending), as a Series (a RangeIndex). A str column read
    block by block is an Arrow chunked array, which a take or mask would first join into one copy of the whole
    column: its cells are taken chunk by chunk instead."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa

    positions = np.asarray(positions, dtype=np.int64)
    arrow = series.array.__arrow_array__() if getattr(series.dtype, "storage", None) == "pyarrow" else None  # str, string
    if not isinstance(arrow, pa.ChunkedArray) or arrow.num_chunks < 2:
        return series.iloc[positions].reset_index(drop=True)
    bounds = np.cumsum([0] + [len(chunk) for chunk in arrow.chunks])
    cuts = np.searchsorted(positions, bounds)
    parts = [chunk.take(positions[cuts[i]:cuts[i + 1]] - bounds[i]) for i, chunk in enumerate(arrow.chunks) if cuts[i + 1] > cuts[i]]
    taken = pa.chunked_array(parts, type=arrow.type)
    return pd.Series(pa.table({"cells": taken}).to_pandas(types_mapper={arrow.type: series.dtype}.get)["cells"])


def fmt(x: float) -> str:
    return f"{x:.6g}"


def text(value) -> str:
    """A cell as text for comparing with a declared value: 2003, 2003.0 and "2003" are alike; empty is "<NA>"."""
    if value is None:
        return "<NA>"
    return key_text(float(value)) if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)


def groups(view: View, group_by, where: dict | None = None):
    """(positions, group key text) for each group of the rows that `where` selects, in order of appearance."""
    allowed = {c: {text(v) for v in values} for c, values in (where or {}).items()}
    selected = [p for p in range(view.n) if all(text(view.col(c)[p]) in vs for c, vs in allowed.items())]
    group_by = list(group_by)
    if not group_by:
        if selected:
            yield selected, ""
        return
    seen: dict[tuple, list[int]] = {}
    for position in selected:
        seen.setdefault(tuple(text(view.col(c)[position]) for c in group_by), []).append(position)
    for positions in seen.values():
        yield positions, view.key(positions[0], group_by)


def rows_matching(view: View, positions, match: dict) -> list[int]:
    """The rows among `positions` whose cells equal `match`."""
    return [p for p in positions if all(text(view.col(c)[p]) == text(v) for c, v in match.items())]


def present(view: View, column: str, positions) -> bool:
    values = view.col(column)
    return all(values[p] is not None for p in positions)


@dataclass(frozen=True, kw_only=True)
class Check:
    """A declared [[checks]] entry: a kind's typed parameters and its evaluation. Every kind also takes
    `name` (what it reports under, for a check that is one of several on a column) and `why`."""

    kind: ClassVar[str]
    checked: ClassVar[str]  # the parameter naming the column the check reports on
    name: str | None = None
    why: str | None = None

    @property
    def identity(self) -> str:
        """The name a check reports under and an erratum names: its `name`, else kind(checked column)."""
        return self.name or f"{self.kind}({getattr(self, self.checked)})"

    def evaluate(self, view: View) -> Iterator[Finding]:
        raise NotImplementedError

    def selectors(self) -> dict[str, dict]:
        """The parameters that pick one row by its cells (`row`, `total_row`): each must match a row of the
        table, or the check checks nothing and no one notices."""
        return {}


@dataclass(frozen=True, kw_only=True)
class SumsTo(Check):
    """The values of `column` in each group (of the rows `where` selects) add up to a total.

    The total is `total`, the group's `total_column`, or `column` in the group's row that `total_row`
    names; `comparison = "<="` asks for at most the total (parts that need not cover it all), and
    `aggregate = "mean"` compares the mean instead of the sum (for the text's "an average of ...").
    """
    kind: ClassVar[str] = "sums_to"
    checked: ClassVar[str] = "column"
    column: str = field(metadata=NUMBER)
    group_by: tuple[str, ...] = field(default=(), metadata=COLUMNS)
    total: float | None = None
    total_column: str | None = field(default=None, metadata=NUMBER)
    total_row: dict[str, Any] | None = field(default=None, metadata=COLUMNS)
    where: dict[str, list] | None = field(default=None, metadata=COLUMNS)
    comparison: Literal["=", "<="] = "="
    aggregate: Literal["sum", "mean"] = "sum"
    tolerance: float = 0.0

    def selectors(self) -> dict[str, dict]:
        return {"total_row": self.total_row} if self.total_row is not None else {}

    def evaluate(self, view: View) -> Iterator[Finding]:
        column, group_by, where, tolerance = self.column, self.group_by, self.where, self.tolerance
        total, total_column, total_row, comparison, aggregate = (
            self.total, self.total_column, self.total_row, self.comparison, self.aggregate)
        name = f"sums_to({column})"
        values = view.col(column)
        for positions, key in groups(view, group_by, where):
            if not present(view, column, positions):
                continue
            got = sum(float(values[p]) for p in positions)
            if aggregate == "mean":
                got /= len(positions)
            if total_column is not None:
                totals = {view.col(total_column)[p] for p in positions} - {None}
                if len(totals) != 1:
                    continue
                want = float(totals.pop())
                what = f"{total_column} {fmt(want)}"
            elif total_row is not None:
                group = [p for p in range(view.n) if all(text(view.col(c)[p]) == text(view.col(c)[positions[0]]) for c in group_by)]
                rows = rows_matching(view, group, total_row)
                if len(rows) != 1 or values[rows[0]] is None:
                    continue
                want = float(values[rows[0]])
                what = f"{fmt(want)}, the {column} of {view.key(rows[0])}"
            else:
                want, what = float(total), fmt(float(total))
            ok = got <= want + tolerance + EPSILON if comparison == "<=" else abs(got - want) <= tolerance + EPSILON
            if view.report(ok, column):
                relation = "at most" if comparison == "<=" else "not"
                yield Finding(ok, name, key, column, tuple(positions), fmt(got),
                              f"the {aggregate} of {column} over {key or 'the selected rows'} is {fmt(got)}, {relation} {what} (tolerance {tolerance})",
                              f"{fmt(got)} vs {fmt(want)}")


@dataclass(frozen=True, kw_only=True)
class ShareOfCount(Check):
    """Each share is 100 x count / denominator: the group's `denominator_column`, or the sum of `count` in the group."""
    kind: ClassVar[str] = "share_of_count"
    checked: ClassVar[str] = "share"
    share: str = field(metadata=NUMBER)
    count: str = field(metadata=NUMBER)
    group_by: tuple[str, ...] = field(default=(), metadata=COLUMNS)
    denominator_column: str | None = field(default=None, metadata=NUMBER)
    tolerance: float = 0.0

    def evaluate(self, view: View) -> Iterator[Finding]:
        (share, count, group_by, denominator_column, tolerance) = (
            self.share, self.count, self.group_by, self.denominator_column, self.tolerance)
        name = f"share_of_count({share})"
        shares, counts = view.col(share), view.col(count)
        for positions, _key in groups(view, group_by):
            if denominator_column is None:
                if not present(view, count, positions):
                    continue
                denominator = float(sum(counts[p] for p in positions))
            for p in positions:
                s, n = shares[p], counts[p]
                d = denominator if denominator_column is None else view.col(denominator_column)[p]
                if s is None or n is None or d is None or float(d) == 0:
                    continue
                want = 100 * float(n) / float(d)
                ok = abs(float(s) - want) <= tolerance + EPSILON
                if view.report(ok, share):
                    yield Finding(ok, name, view.key(p), share, (p,), fmt(float(s)),
                                  f"should be 100 x {count} / total = 100 x {fmt(float(n))} / {fmt(float(d))} = {want:.4f} (tolerance {tolerance})",
                                  f"{fmt(float(s))} vs {fmt(want)}")


@dataclass(frozen=True, kw_only=True)
class GrowthMatchesLevels(Check):
    """Each growth rate is 100 x (level / previous level - 1), where the previous row is `step` earlier in `order_by`."""
    kind: ClassVar[str] = "growth_matches_levels"
    checked: ClassVar[str] = "growth"
    level: str = field(metadata=NUMBER)
    growth: str = field(metadata=NUMBER)
    order_by: str = field(metadata=NUMBER)
    step: float = 1
    tolerance: float = 0.0

    def evaluate(self, view: View) -> Iterator[Finding]:
        level, growth, order_by, step, tolerance = self.level, self.growth, self.order_by, self.step, self.tolerance
        name = f"growth_matches_levels({growth})"
        order, levels, growths = view.col(order_by), view.col(level), view.col(growth)
        by_order = {order[p]: p for p in range(view.n) if order[p] is not None}
        for when, p in sorted(by_order.items()):
            q = by_order.get(when - step)
            if q is None:
                continue
            g, now, before = growths[p], levels[p], levels[q]
            if g is None or now is None or before is None or float(before) == 0:
                continue
            want = 100 * (float(now) / float(before) - 1)
            ok = abs(float(g) - want) <= tolerance + EPSILON
            if view.report(ok, growth):
                yield Finding(ok, name, view.key(p), growth, (q, p), fmt(float(g)),
                              f"should be 100 x ({level} {fmt(float(now))} / {fmt(float(before))} - 1) = {want:.2f} (tolerance {tolerance})",
                              f"{fmt(float(g))} vs {fmt(want)}")


def half_unit(value: float) -> float:
    """Half a unit of the last printed digit: 0.5 for 34, 0.05 for 15.6."""
    decimals = 0 if float(value).is_integer() else len(repr(float(value)).split(".")[1])
    return 0.5 * 10 ** -decimals


@dataclass(frozen=True, kw_only=True)
class ShareOfRemainder(Check):
    """Each `share` is 100 x part / (100 - the part of the group's `excluded` row), within the printed rounding.

    Every printed number may be off by half a unit of its last digit; the check fails only where
    no values within those bounds satisfy the relation.
    """
    kind: ClassVar[str] = "share_of_remainder"
    checked: ClassVar[str] = "share"
    share: str = field(metadata=NUMBER)
    part: str = field(metadata=NUMBER)
    excluded: dict[str, Any] = field(metadata=COLUMNS)
    group_by: tuple[str, ...] = field(default=(), metadata=COLUMNS)

    def evaluate(self, view: View) -> Iterator[Finding]:
        share, part, excluded, group_by = self.share, self.part, self.excluded, self.group_by
        name = f"share_of_remainder({share})"
        shares, parts = view.col(share), view.col(part)
        for positions, _key in groups(view, group_by):
            rows = rows_matching(view, positions, excluded)
            if len(rows) != 1 or parts[rows[0]] is None:
                continue
            f = float(parts[rows[0]])
            for p in positions:
                if p == rows[0] or shares[p] is None or parts[p] is None:
                    continue
                s, t = float(shares[p]), float(parts[p])
                low = 100 * (t - half_unit(t)) / (100 - f + half_unit(f))
                high = 100 * (t + half_unit(t)) / (100 - f - half_unit(f))
                ok = s + half_unit(s) >= low - EPSILON and s - half_unit(s) <= high + EPSILON
                if view.report(ok, share):
                    yield Finding(ok, name, view.key(p), share, (rows[0], p), fmt(s),
                                  f"should be 100 x {part} {fmt(t)} / (100 - {fmt(f)}) = {100 * t / (100 - f):.2f}, "
                                  f"between {low:.2f} and {high:.2f} allowing for the printed rounding",
                                  f"{fmt(s)} vs {fmt(100 * t / (100 - f))}")


@dataclass(frozen=True, kw_only=True)
class FormattedFrom(Check):
    """`column` is `template` filled with the row's own cells (a period label made of its two years)."""
    kind: ClassVar[str] = "formatted_from"
    checked: ClassVar[str] = "column"
    column: str = field(metadata=COLUMN)
    template: str = field(metadata=TEMPLATE)

    def evaluate(self, view: View) -> Iterator[Finding]:
        column, template = self.column, self.template
        name = f"formatted_from({column})"
        parts = re.findall(r"{(\w+)}", template)
        values = view.col(column)
        for p in range(view.n):
            cells = {c: view.col(c)[p] for c in parts}
            if values[p] is None or any(v is None for v in cells.values()):
                continue
            want = template.format(**{c: key_text(v) for c, v in cells.items()})
            ok = str(values[p]) == want
            if view.report(ok, column):
                yield Finding(ok, name, view.key(p), column, (p,), str(values[p]),
                              f"should be {want!r}, made from {template} (one of these cells is wrong)",
                              f"{values[p]} vs {want}")


@dataclass(frozen=True, kw_only=True)
class NumberedInOrder(Check):
    """`column` numbers the rows of each group 1, 2, 3, ... in the order of the file."""
    kind: ClassVar[str] = "numbered_in_order"
    checked: ClassVar[str] = "column"
    column: str = field(metadata=NUMBER)
    group_by: tuple[str, ...] = field(default=(), metadata=COLUMNS)

    def evaluate(self, view: View) -> Iterator[Finding]:
        column, group_by = self.column, self.group_by
        name = f"numbered_in_order({column})"
        values = view.col(column)
        for positions, key in groups(view, group_by):
            if not present(view, column, positions):
                continue
            got = [int(values[p]) for p in positions]
            want = list(range(1, len(positions) + 1))
            ok = got == want
            if view.report(ok, column):
                yield Finding(ok, name, key, column, tuple(positions), ",".join(map(str, got)),
                              f"should number the rows of {key or 'the table'} {','.join(map(str, want))} in file order",
                              f"{','.join(map(str, got))} vs {','.join(map(str, want))}")


@dataclass(frozen=True, kw_only=True)
class InOrder(Check):
    """`first` is at most `second` in every row (a period's start and end)."""
    kind: ClassVar[str] = "in_order"
    checked: ClassVar[str] = "second"
    first: str = field(metadata=NUMBER)
    second: str = field(metadata=NUMBER)

    def evaluate(self, view: View) -> Iterator[Finding]:
        first, second = self.first, self.second
        name = f"in_order({second})"
        import numpy as np

        a, b = (view.frame[c].to_numpy(dtype="float64", na_value=np.nan) for c in (first, second))
        with np.errstate(invalid="ignore"):
            both, before = ~np.isnan(a) & ~np.isnan(b), a <= b
        worth = np.flatnonzero(both if second in view.wanted_columns else both & ~before)  # the rows worth a finding
        for p, key in zip(worth.tolist(), view.keys(worth)):
            ok = bool(before[p])
            if view.report(ok, second):
                yield Finding(ok, name, key, second, (p,), key_text(float(b[p])), f"is less than {first} {key_text(float(a[p]))}",
                              f"{key_text(float(b[p]))} vs {key_text(float(a[p]))}")


@dataclass(frozen=True, kw_only=True)
class RanksFirst(Check):
    """In each group, the row that `row` selects has the largest `column` (`order = "smallest"`: the
    smallest): what a text's superlative states ("China's largest ICT exporter", "a record in 2004")."""
    kind: ClassVar[str] = "ranks_first"
    checked: ClassVar[str] = "column"
    column: str = field(metadata=NUMBER)
    row: dict[str, Any] = field(metadata=COLUMNS)
    group_by: tuple[str, ...] = field(default=(), metadata=COLUMNS)
    order: Literal["largest", "smallest"] = "largest"

    def selectors(self) -> dict[str, dict]:
        return {"row": self.row}

    def evaluate(self, view: View) -> Iterator[Finding]:
        column, row, order = self.column, self.row, self.order
        name = f"ranks_first({column})"
        values = view.col(column)
        for positions, key in groups(view, self.group_by):
            firsts = rows_matching(view, positions, row)
            if len(firsts) != 1 or values[firsts[0]] is None:
                continue
            first = float(values[firsts[0]])
            others = [p for p in positions if p != firsts[0] and values[p] is not None]
            beaten = [p for p in others if (float(values[p]) > first if order == "largest" else float(values[p]) < first)]
            ok = not beaten
            if view.report(ok, column):
                worst = max(beaten, key=lambda p: float(values[p])) if order == "largest" and beaten else \
                    min(beaten, key=lambda p: float(values[p])) if beaten else firsts[0]
                yield Finding(ok, name, view.key(firsts[0]), column, (firsts[0], *beaten), fmt(first),
                              f"should be the {order} {column} of {key or 'the table'}, but {view.key(worst)} has "
                              f"{fmt(float(values[worst]))}", f"{fmt(first)} vs {fmt(float(values[worst]))}")


# How a text states a number in words: cardinals, multiples, fractions and ordinals (ranks).
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "twenty": 20, "hundred": 100, "a decade": 1, "a century": 1,
    "twice": 2, "double": 2, "doubled": 2, "tripled": 3, "quadrupled": 4,
    "half": 0.5, "one-half": 0.5, "a third": 1 / 3, "one-third": 1 / 3, "a quarter": 0.25, "one-quarter": 0.25,
    "one-fifth": 0.2, "one-sixth": 1 / 6, "one-seventh": 1 / 7, "one-eighth": 0.125, "one-ninth": 1 / 9, "one-tenth": 0.1,
    "first": 1, "firsl": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10,
}
SCALES = (1, 1e3, 1e6, 1e9, 1e12, 1e-3, 1e-6, 1e-9, 1e-12, 100, 0.01)  # "m", "bn", "trillion", percent as a fraction


SPLIT_DIGIT, READ_AS_ONE = re.compile(r"(?<=\d) (?=[\dIl]\b)"), re.compile(r"(?<=\d)[Il]\b")
DIGITS = re.compile(r"\d+(?:,\d{3})*(?:\.\d+)?|\.\d+")
WORDS = [(word, float(v), re.compile(rf"(?<![a-z-]){re.escape(word)}(?![a-z])")) for word, v in NUMBER_WORDS.items()]


def digit_numbers(quote: str) -> set[float]:
    """The numbers a quote writes in digits (thousands separators, the scan's "200 1" or "200 I" joined), unscaled."""
    text = SPLIT_DIGIT.sub("", quote)  # the scan's "200 1" / "200 I" for 2001
    text = READ_AS_ONE.sub("1", text)
    return {float(n.replace(",", "")) for n in DIGITS.findall(text)}


def word_numbers(quote: str) -> set[float]:
    """The numbers a quote writes in words ("three", "one-quarter", "second"), unscaled."""
    lower = READ_AS_ONE.sub("1", SPLIT_DIGIT.sub("", quote)).lower()
    return {v for word, v, pattern in WORDS if word in lower and pattern.search(lower)}  # the substring test is the cheap filter


def numbers_in(quote: str) -> set[float]:
    """Every number a quote states: digits (with thousands separators, an OCR-split "200 1" or "200 I"
    joined), and number words ("three", "one-quarter", "second"), each also at the scales a text writes."""
    return {n * scale for n in digit_numbers(quote) | word_numbers(quote) for scale in SCALES}


def states(quote: str, value: float) -> bool:
    """Whether `quote` states `value` (one of numbers_in, within 1e-6 relative): the digits are tried
    before the number words, which cost more and are rarely needed."""
    close = lambda found: any(abs(n * scale - value) <= 1e-6 * max(1.0, abs(value)) for n in found for scale in SCALES)  # noqa: E731
    return close(digit_numbers(quote)) or close(word_numbers(quote))


# `states` in Arrow's regular expressions (RE2), exact only on quotes where they read as Python's do: quotes whose
# characters beyond ASCII are punctuation, symbols or spaces (not word characters, digits or letters in either engine,
# so \d, \b, [a-z] and lower() agree), without what SPLIT_DIGIT or READ_AS_ONE would rewrite, without NUL (the
# marker of a number).
REWRITTEN = r"[0-9] [0-9Il]\b|[0-9][Il]\b|\x00"
UNREADABLE = r"[^\x00-\x7f\pP\pS\pZ]|" + REWRITTEN
ASCII_DIGITS = DIGITS.pattern.replace(r"\d", "[0-9]")
STATED_CHUNK = 1 << 16  # quotes judged at once by surely_stated


def surely_stated(quotes, values):
    """For each quote (an Arrow string array, or chunked array) and value (a float array), True where `states` is
    surely True, judged column-wise, a slice of quotes at a time (the copies stay small): the numbers in digits
    pulled out of every quote, then the number words of the quotes the digits did not settle; False where undecided
    (a quote this cannot read exactly, or a value it does not find): the rule then judges."""
    import numpy as np
    import pyarrow as pa

    sure, at = np.zeros(len(values), dtype=bool), 0
    for chunk in quotes.chunks if isinstance(quotes, pa.ChunkedArray) else [quotes]:
        chunk = chunk.cast(pa.large_string())  # no copy for large_string (a Categorical's quotes are decoded)
        for start in range(at, at + len(chunk), STATED_CHUNK):
            stop = min(start + STATED_CHUNK, at + len(chunk))
            part, part_values, part_sure = chunk.slice(start - at, stop - start), values[start:stop], sure[start:stop]
            rows = stated_in_digits(part, part_values, part_sure)
            if len(rows):
                stated_in_words(part.take(rows), part_values, rows, part_sure)
        at += len(chunk)
    return sure


def mark_close(sure, values, found, at_rows) -> None:
    """`states`'s closeness, column-wise: found[i] is a number of the quote at row at_rows[i]; marks those rows sure."""
    import numpy as np

    value = values[at_rows]
    tolerance = 1e-6 * np.maximum(1.0, np.abs(value))
    with np.errstate(all="ignore"):
        hit = np.logical_or.reduce([np.abs(found * scale - value) <= tolerance for scale in SCALES])
    sure[at_rows[hit]] = True


def digit_runs(quotes):
    """The runs of digits, points and commas that hold a digit or are longer than one byte, in a large_string array,
    found in its bytes (a few passes of numpy, not a regular expression per quote): (the runs as a string array,
    the position of each run's quote). A lone point or comma (punctuation) holds no number."""
    import numpy as np
    import pyarrow as pa

    _, offsets, data = quotes.buffers()
    ends = np.frombuffer(offsets, dtype=np.int64)[quotes.offset : quotes.offset + len(quotes) + 1]
    start, stop = int(ends[0]), int(ends[-1])
    if data is None or stop == start:
        return pa.array([], pa.large_string()), np.zeros(0, dtype=np.int64)
    raw = np.frombuffer(data, dtype=np.uint8)[start:stop]
    inside = ((raw >= 0x30) & (raw <= 0x39)) | (raw == 0x2E) | (raw == 0x2C)  # 0-9 . , (comparisons: faster than a look-up)
    step = np.diff(inside.view(np.int8), prepend=np.int8(0), append=np.int8(0))
    firsts, lasts = np.flatnonzero(step == 1), np.flatnonzero(step == -1)
    bounds = ends[1:-1] - start  # a run that goes on into the next quote is two runs
    bounds = bounds[(bounds > 0) & (bounds < len(raw))]
    across = bounds[inside[bounds] & inside[bounds - 1]]
    if len(across):
        firsts, lasts = np.sort(np.concatenate((firsts, across))), np.sort(np.concatenate((lasts, across)))
    wanted = (lasts - firsts > 1) | (raw[firsts] >= 0x30)
    firsts, lasts = firsts[wanted] + start, lasts[wanted] + start
    edges = np.empty(2 * len(firsts), dtype=np.int64)  # runs and the gaps between them tile the bytes: a string array
    edges[0::2], edges[1::2] = firsts, lasts
    if not len(edges):
        return pa.array([], pa.large_string()), np.zeros(0, dtype=np.int64)
    tiles = pa.LargeStringArray.from_buffers(len(edges) - 1, pa.py_buffer(edges), data)
    return tiles.take(np.arange(0, len(edges) - 1, 2)), np.searchsorted(ends, firsts, side="right") - 1


def stated_in_digits(quotes, values, sure):
    """Marks in `sure` the rows whose quote states the value in digits; returns the readable rows left undecided.

    A number in digits lies within a run of digits, points and commas; a run that is one number followed by points
    or commas alone ("2004.", "1,234") is that number (DIGITS finds it and nothing else in the run); the quotes with
    other runs ("1,234,56", "1.2.3") have each number marked by NULs and split out."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if len(values) == 0:
        return np.zeros(0, dtype=np.int64)
    quotes = quotes.cast(pa.large_string())
    readable = pc.invert(pc.match_substring_regex(quotes, UNREADABLE)).fill_null(False)
    rows = np.flatnonzero(readable.to_numpy(zero_copy_only=False))
    flat, parent = digit_runs(quotes if len(rows) == len(quotes) else quotes.take(rows))
    simple = pc.ascii_is_decimal(flat).to_numpy(zero_copy_only=False)  # digits alone (most runs), else the pattern
    rest = np.flatnonzero(~simple)
    simple[rest] = pc.match_substring_regex(flat.take(rest), f"^(?:{ASCII_DIGITS})[.,]*$").to_numpy(zero_copy_only=False)
    found = pc.cast(pc.replace_substring(pc.utf8_rtrim(flat.filter(simple), ".,"), ",", ""), pa.float64())
    mark_close(sure, values, found.to_numpy(zero_copy_only=False), rows[parent[simple]])
    other = np.flatnonzero(~simple)  # "1,234,56", "1.2.3" (or "...", which holds no number)
    if len(other):
        odd = rows[np.unique(parent[other])]
        parts = pc.split_pattern(pc.replace_substring_regex(quotes.take(odd), ASCII_DIGITS, "\x00\\0\x00"), "\x00")
        flat, parent = pc.list_flatten(parts), pc.list_parent_indices(parts).to_numpy()
        place = np.arange(len(flat)) - parts.offsets.to_numpy()[parent]  # the parts at odd places are the numbers
        numbers = np.flatnonzero(place % 2 == 1)
        found = pc.cast(pc.replace_substring(flat.take(numbers), ",", ""), pa.float64())
        mark_close(sure, values, found.to_numpy(zero_copy_only=False), odd[parent[numbers]])
    return rows[~sure[rows]]


def stated_in_words(quotes, values, rows, sure) -> None:
    """Marks in `sure` the `rows` whose quote (in `quotes`, one a row) states the value in number words (readable quotes).

    A word of one token matches where the lower-cased quote has a run of letters and hyphens that is the word, or
    begins with it and a hyphen (no letter or hyphen before it, no letter after it: the rule's pattern); the runs
    of every quote are looked up in the words at once. The words of two tokens ("a decade") are searched for."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    lower = pc.utf8_lower(quotes)
    runs = pc.split_pattern_regex(lower, "[^a-z-]+")
    flat, parent = pc.list_flatten(runs), pc.list_parent_indices(runs).to_numpy()
    single = [(word, value) for word, value, _ in WORDS if " " not in word]
    lookup = pa.array([word for word, _ in single], pa.large_string())
    numbers = np.array([value for _, value in single])
    hyphened = np.flatnonzero(pc.match_substring(flat, "-").to_numpy(zero_copy_only=False))
    hyphened_runs = flat.take(hyphened)
    for candidates, at in ((flat, parent),  # the run itself, then the run cut before its first and its second hyphen
                           (pc.replace_substring_regex(hyphened_runs, "-.*", ""), parent[hyphened]),
                           (pc.replace_substring_regex(hyphened_runs, "^([^-]*-[^-]*)-.*", "\\1"), parent[hyphened])):
        found = pc.index_in(candidates, value_set=lookup).to_numpy(zero_copy_only=False)
        hit = np.flatnonzero(~np.isnan(found))  # index_in gives null (NaN here) where the run is no word
        mark_close(sure, values, numbers[found[hit].astype(np.int64)], rows[at[hit]])
    for word, value, _ in WORDS:
        if " " in word:
            has = np.flatnonzero(pc.match_substring(lower, word).to_numpy(zero_copy_only=False))
            if len(has):
                pattern = rf"(?:^|[^a-z-]){re.escape(word)}(?:[^a-z]|$)"
                has = has[pc.match_substring_regex(lower.take(has), pattern).to_numpy(zero_copy_only=False)]
                mark_close(sure, values, np.full(len(has), value), rows[has])


@dataclass(frozen=True, kw_only=True)
class StatedByQuote(Check):
    """Each `column` value is a number its row's `quote` states (digits, decimal forms, scale words, number
    words, OCR digit readings); `allow` lists the keys reviewed as stated otherwise (say why in `why`)."""
    kind: ClassVar[str] = "stated_by_quote"
    checked: ClassVar[str] = "column"
    column: str = field(metadata=NUMBER)
    quote: str = field(metadata=COLUMN)
    allow: tuple[str, ...] = ()

    def evaluate(self, view: View) -> Iterator[Finding]:
        column, quote, allow = self.column, self.quote, self.allow
        name = f"stated_by_quote({column})"
        import numpy as np
        import pyarrow as pa

        allowed, series = set(allow), view.frame[quote]
        present = (view.frame[column].notna() & series.notna()).to_numpy(dtype=bool)
        values = view.frame[column].to_numpy(dtype="float64", na_value=np.nan)
        rows = np.flatnonzero(present)
        sure = surely_stated(pa.Array.from_pandas(series), values) & present  # the rule judges the rest (no value: never sure)
        judged = rows if column in view.wanted_columns else np.flatnonzero(present & ~sure)
        # the quotes and keys of the rows judged, at once (not a look-up each, nor a list of every row's key)
        for p, quoted, key in zip(judged, cells_at(series, judged).tolist(), view.keys(judged)):
            value = float(values[p])
            ok = bool(sure[p]) or states(quoted, value) or (bool(allowed) and key in allowed)
            if view.report(ok, column):
                yield Finding(ok, name, key, column, (int(p),), fmt(value),
                              f"is not a number its {quote} states (as digits, at a scale, or in words): "
                              f"write the value the {quote} gives", f"{fmt(value)} vs not stated")


KINDS: dict[str, type[Check]] = {kind.kind: kind for kind in (
    SumsTo, ShareOfCount, GrowthMatchesLevels, ShareOfRemainder, FormattedFrom, NumberedInOrder, InOrder, RanksFirst, StatedByQuote)}
COMMON = ("why", "name")  # the parameters of every kind, after its own


def parameters(kind: type[Check]) -> list:
    """The kind's own parameters (dataclass fields), in declaration order."""
    return [f for f in fields(kind) if f.name not in COMMON]


def required(parameter) -> bool:
    return parameter.default is MISSING and parameter.default_factory is MISSING


@functools.cache
def type_hints(kind: type[Check]) -> dict:
    """The declared types of a kind's parameters, resolved once per run (not once per parameter of every check)."""
    return typing.get_type_hints(kind)


def type_problem(kind: type[Check], name: str, value) -> str | None:
    """Why `value` does not fit the declared type of parameter `name` (None when it fits)."""
    wanted = type_hints(kind)[name]
    options = [a for a in typing.get_args(wanted) if a is not type(None)] if typing.get_origin(wanted) in (typing.Union, types.UnionType) else [wanted]
    for option in options:
        origin = typing.get_origin(option) or option
        if origin is Literal and value in typing.get_args(option):
            return None
        if origin is float and isinstance(value, (int, float)) and not isinstance(value, bool):
            return None
        if origin is str and isinstance(value, str):
            return None
        if origin is tuple and isinstance(value, list) and all(isinstance(v, str) for v in value):
            return None
        if origin is dict and isinstance(value, dict):
            return None
    nouns = {float: "a number", str: "text", tuple: "a list of text", dict: "a table, such as { column = value }"}
    option = options[0]
    if typing.get_origin(option) is Literal:
        return f"is not one of {', '.join(map(repr, typing.get_args(option)))}"
    return f"is not {nouns[typing.get_origin(option) or option]}"


def make_check(declared: dict) -> Check:
    """The typed check of a [[checks]] entry that the definition reader accepted (lists become tuples)."""
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in declared.items() if k != "kind"}
    return KINDS[declared["kind"]](**values)


def run_checks(frame, table, wanted_columns=None, view: View | None = None) -> list[Finding]:
    """The disagreements the table's declared checks find, and the agreements on `wanted_columns`
    (all columns when None: the columns that annotations say hold a source inconsistency).
    `view`, if given, is the frame's View (with its wanted columns), shared with unmatched_selectors."""
    view = view or View(frame, table, wanted_columns if wanted_columns is not None else table.columns)
    found = []
    for declared in table.checks:
        check = make_check(declared)
        found.extend(replace(f, check=check.name) if check.name else f for f in check.evaluate(view))
    return found


def unmatched_selectors(frame, table, view: View | None = None) -> list[tuple[int, str, str, dict]]:
    """(number of the [[checks]] entry, its kind, parameter, selector) for each row selector that matches no row
    (`view`: the frame's View, if one was made already)."""
    view = view or View(frame, table, ())
    found = []
    for number, declared in enumerate(table.checks, 1):
        check = make_check(declared)
        for parameter, match in check.selectors().items():
            if not rows_matching(view, range(view.n), match):
                found.append((number, check.kind, parameter, match))
    return found


def identity(declared: dict) -> str:
    """The name a check reports under and an erratum names: its `name`, else kind(checked column)."""
    return make_check(declared).identity
