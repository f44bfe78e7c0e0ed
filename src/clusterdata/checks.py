"""Cross-row checks declared in a table's definition ([[checks]] in schemas/NAME.toml).

Each check reports every row or group it could evaluate, as a Finding that agrees (`ok`) or not.
A disagreement that the source itself prints is recorded in annotations.csv as a
`source_inconsistency` on the same row key and column, and is then expected; an annotation on a
finding that agrees is stale (validate.py matches the two). Rows with an empty cell in a checked
column are not evaluated: an unread value cannot be checked, nor its erratum called stale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

EPSILON = 1e-9  # floating-point slack on top of each declared tolerance


@dataclass(frozen=True)
class Finding:
    ok: bool
    check: str
    row_key: str  # of the row, or of the group (a leading part of the key)
    column: str
    rows: tuple[int, ...]  # positions in the frame
    value: str
    message: str


def fmt(x: float) -> str:
    return f"{x:.6g}"


def row_key(frame, position: int, columns: list[str]) -> str:
    """The key of one row as col=value;col=value."""
    return ";".join(f"{c}={key_text(frame[c].iloc[position])}" for c in columns)


def key_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def groups(frame, group_by: list[str], where: dict | None = None):
    """(positions, group key text) for each group of the rows that `where` selects, in order of appearance."""
    selected = [p for p in range(len(frame))
                if all(_text(frame[c].iloc[p]) in {_text(v) for v in allowed} for c, allowed in (where or {}).items())]
    if not group_by:
        if selected:
            yield selected, ""
        return
    seen: dict[tuple, list[int]] = {}
    for position in selected:
        seen.setdefault(tuple(frame[c].iloc[position] for c in group_by), []).append(position)
    for positions in seen.values():
        yield positions, row_key(frame, positions[0], group_by)


def _text(value) -> str:
    """A cell as text for comparing with a declared value: 2003, 2003.0 and "2003" are alike; empty is "<NA>"."""
    if _missing(value):
        return "<NA>"
    return key_text(float(value)) if isinstance(value, (int, float)) and not isinstance(value, bool) else str(value)


def present(frame, column: str, positions: list[int]) -> bool:
    return not frame[column].iloc[positions].isna().any()


def sums_to(frame, table, column, group_by=(), total=None, total_column=None, total_row=None, where=None,
            comparison="=", aggregate="sum", tolerance=0.0, **_):
    """The values of `column` in each group (of the rows `where` selects) add up to a total.

    The total is `total`, the group's `total_column`, or `column` in the group's row that `total_row`
    names; `comparison = "<="` asks for at most the total (parts that need not cover it all), and
    `aggregate = "mean"` compares the mean instead of the sum (for the text's "an average of ...").
    """
    name = f"sums_to({column})"
    for positions, key in groups(frame, list(group_by), where):
        if not present(frame, column, positions):
            continue
        values = frame[column].iloc[positions]
        got = float(values.mean() if aggregate == "mean" else values.sum())
        if total_column is not None:
            totals = frame[total_column].iloc[positions].dropna().unique()
            if len(totals) != 1:
                continue
            want, what = float(totals[0]), f"{total_column} {fmt(float(totals[0]))}"
        elif total_row is not None:
            rows = list(_rows_in_group(frame, group_by, positions[0], total_row))
            if len(rows) != 1 or _missing(frame[column].iloc[rows[0]]):
                continue
            want = float(frame[column].iloc[rows[0]])
            what = f"{fmt(want)}, the {column} of {row_key(frame, rows[0], table.primary_key)}"
        else:
            want, what = float(total), fmt(float(total))
        ok = got <= want + tolerance + EPSILON if comparison == "<=" else abs(got - want) <= tolerance + EPSILON
        relation = "at most" if comparison == "<=" else "not"
        yield Finding(ok, name, key, column, tuple(positions), fmt(got),
                      f"the {aggregate} of {column} over {key or 'the selected rows'} is {fmt(got)}, {relation} {what} (tolerance {tolerance})")


def _rows_in_group(frame, group_by, position, match: dict):
    """The rows of `position`'s group whose cells equal `match`."""
    for p in range(len(frame)):
        if all(_text(frame[c].iloc[p]) == _text(frame[c].iloc[position]) for c in group_by) and \
                all(_text(frame[c].iloc[p]) == _text(v) for c, v in match.items()):
            yield p


def half_unit(value: float) -> float:
    """Half a unit of the last printed digit: 0.5 for 34, 0.05 for 15.6."""
    text = repr(float(value))
    decimals = 0 if float(value).is_integer() else len(text.split(".")[1])
    return 0.5 * 10 ** -decimals


def share_of_remainder(frame, table, share, part, excluded, group_by=(), **_):
    """Each `share` is 100 x part / (100 - the part of the group's `excluded` row), within the printed rounding.

    Every printed number may be off by half a unit of its last digit; the check fails only where
    no values within those bounds satisfy the relation.
    """
    name = f"share_of_remainder({share})"
    for positions, _key in groups(frame, list(group_by)):
        rows = list(_rows_in_group(frame, group_by, positions[0], excluded))
        if len(rows) != 1 or _missing(frame[part].iloc[rows[0]]):
            continue
        f = float(frame[part].iloc[rows[0]])
        for p in positions:
            s, t = frame[share].iloc[p], frame[part].iloc[p]
            if p == rows[0] or _missing(s) or _missing(t):
                continue
            s, t = float(s), float(t)
            low = 100 * (t - half_unit(t)) / (100 - f + half_unit(f))
            high = 100 * (t + half_unit(t)) / (100 - f - half_unit(f))
            ok = s + half_unit(s) >= low - EPSILON and s - half_unit(s) <= high + EPSILON
            yield Finding(ok, name, row_key(frame, p, table.primary_key), share, (rows[0], p), fmt(s),
                          f"should be 100 x {part} {fmt(t)} / (100 - {fmt(f)}) = {100 * t / (100 - f):.2f}, "
                          f"between {low:.2f} and {high:.2f} allowing for the printed rounding")


def share_of_count(frame, table, share, count, group_by=(), denominator_column=None, tolerance=0.0, **_):
    """Each share is 100 x count / denominator: the group's `denominator_column`, or the sum of `count` in the group."""
    name = f"share_of_count({share})"
    for positions, _key in groups(frame, list(group_by)):
        if denominator_column is None:
            if not present(frame, count, positions):
                continue
            denominator = float(frame[count].iloc[positions].sum())
        for p in positions:
            s, n = frame[share].iloc[p], frame[count].iloc[p]
            d = denominator if denominator_column is None else frame[denominator_column].iloc[p]
            if _missing(s) or _missing(n) or _missing(d) or float(d) == 0:
                continue
            want = 100 * float(n) / float(d)
            ok = abs(float(s) - want) <= tolerance + EPSILON
            yield Finding(ok, name, row_key(frame, p, table.primary_key), share, (p,), fmt(float(s)),
                                  f"should be 100 x {count} / total = 100 x {fmt(float(n))} / {fmt(float(d))} = {want:.4f} (tolerance {tolerance})")


def growth_matches_levels(frame, table, level, growth, order_by, step=1, tolerance=0.0, **_):
    """Each growth rate is 100 x (level / previous level - 1), where the previous row is `step` earlier in `order_by`."""
    name = f"growth_matches_levels({growth})"
    by_order = {frame[order_by].iloc[p]: p for p in range(len(frame)) if not _missing(frame[order_by].iloc[p])}
    for when, p in sorted(by_order.items()):
        q = by_order.get(when - step)
        if q is None:
            continue
        g, now, before = frame[growth].iloc[p], frame[level].iloc[p], frame[level].iloc[q]
        if _missing(g) or _missing(now) or _missing(before) or float(before) == 0:
            continue
        want = 100 * (float(now) / float(before) - 1)
        ok = abs(float(g) - want) <= tolerance + EPSILON
        yield Finding(ok, name, row_key(frame, p, table.primary_key), growth, (q, p), fmt(float(g)),
                              f"should be 100 x ({level} {fmt(float(now))} / {fmt(float(before))} - 1) = {want:.2f} (tolerance {tolerance})")


def formatted_from(frame, table, column, template, **_):
    """`column` is `template` filled with the row's own cells (a period label made of its two years)."""
    name = f"formatted_from({column})"
    parts = re.findall(r"{(\w+)}", template)
    for p in range(len(frame)):
        cells = {c: frame[c].iloc[p] for c in parts}
        if _missing(frame[column].iloc[p]) or any(_missing(v) for v in cells.values()):
            continue
        want = template.format(**{c: key_text(v) for c, v in cells.items()})
        got = str(frame[column].iloc[p])
        yield Finding(got == want, name, row_key(frame, p, table.primary_key), column, (p,), got,
                      f"should be {want!r}, made from {template} (one of these cells is wrong)")


def numbered_in_order(frame, table, column, group_by=(), **_):
    """`column` numbers the rows of each group 1, 2, 3, ... in the order of the file."""
    name = f"numbered_in_order({column})"
    for positions, key in groups(frame, list(group_by)):
        if not present(frame, column, positions):
            continue
        got = [int(v) for v in frame[column].iloc[positions]]
        want = list(range(1, len(positions) + 1))
        yield Finding(got == want, name, key, column, tuple(positions), ",".join(map(str, got)),
                      f"should number the rows of {key or 'the table'} {','.join(map(str, want))} in file order")


def in_order(frame, table, first, second, **_):
    """`first` is at most `second` in every row (a period's start and end)."""
    name = f"in_order({second})"
    for p in range(len(frame)):
        a, b = frame[first].iloc[p], frame[second].iloc[p]
        if _missing(a) or _missing(b):
            continue
        yield Finding(float(a) <= float(b), name, row_key(frame, p, table.primary_key), second, (p,), key_text(float(b)),
                      f"is before {first} {key_text(float(a))}")


def _missing(value) -> bool:
    import pandas as pd

    return bool(pd.isna(value))



KINDS = {f.__name__: f for f in (sums_to, share_of_count, growth_matches_levels, share_of_remainder, formatted_from, numbered_in_order, in_order)}


def run_checks(frame, table) -> list[Finding]:
    """Everything the table's declared checks evaluate, agreeing or not."""
    found = []
    for declared in table.checks:
        found.extend(KINDS[declared["kind"]](frame, table, **{k: v for k, v in declared.items() if k not in ("kind", "why")}))
    return found

