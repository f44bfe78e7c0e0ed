"""Cross-row checks declared in a table's definition ([[checks]] in schemas/NAME.toml).

Each check reports every row or group it could evaluate, as a Finding that agrees (`ok`) or not.
A disagreement that the source itself prints is recorded in annotations.csv as a
`source_inconsistency` on the same row key and column, and is then expected; an annotation on a
finding that agrees is stale (validate.py matches the two). Rows with an empty cell in a checked
column are not evaluated: an unread value cannot be checked, nor its erratum called stale.
"""

from __future__ import annotations

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


def groups(frame, group_by: list[str]):
    """(positions, group key text) for each group, in the order the groups first appear."""
    if not group_by:
        yield list(range(len(frame))), ""
        return
    seen: dict[tuple, list[int]] = {}
    for position in range(len(frame)):
        seen.setdefault(tuple(frame[c].iloc[position] for c in group_by), []).append(position)
    for positions in seen.values():
        yield positions, row_key(frame, positions[0], group_by)


def present(frame, column: str, positions: list[int]) -> bool:
    return not frame[column].iloc[positions].isna().any()


def sums_to(frame, table, column, group_by=(), total=None, total_column=None, tolerance=0.0, **_):
    """The values of `column` in each group add up to `total`, or to the group's `total_column`."""
    name = f"sums_to({column})"
    for positions, key in groups(frame, list(group_by)):
        if not present(frame, column, positions):
            continue
        got = float(frame[column].iloc[positions].sum())
        if total_column is not None:
            totals = frame[total_column].iloc[positions].dropna().unique()
            if len(totals) != 1:
                continue
            want, what = float(totals[0]), f"{total_column} {fmt(float(totals[0]))}"
        else:
            want, what = float(total), fmt(float(total))
        ok = abs(got - want) <= tolerance + EPSILON
        yield Finding(ok, name, key, column, tuple(positions), fmt(got),
                              f"the {column} of {key or 'the table'} add up to {fmt(got)}, not {what} (tolerance {tolerance})")


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


def _missing(value) -> bool:
    import pandas as pd

    return bool(pd.isna(value))


KINDS = {f.__name__: f for f in (sums_to, share_of_count, growth_matches_levels)}
def run_checks(frame, table) -> list[Finding]:
    """Everything the table's declared checks evaluate, agreeing or not."""
    found = []
    for declared in table.checks:
        found.extend(KINDS[declared["kind"]](frame, table, **{k: v for k, v in declared.items() if k not in ("kind", "why")}))
    return found

