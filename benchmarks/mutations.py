"""How much of a typing mistake does validation catch? (A script, not a test.)

Applies random single-cell corruptions to the raw CSVs of the data tables, one at a time, in a
scratch copy of the repository: a digit changed, a decimal point moved, two cells of a row swapped,
a cell emptied. Each is validated as a contribution would be, and counted as caught by the schema
(types, ranges, enums, keys), by the cross-checks, by the integrity checks, or not at all.

    python benchmarks/mutations.py [--count 600] [--seed 1] [--write docs/mutations.md]
"""

from __future__ import annotations

import argparse
import csv
import io
import random
import shutil
import tempfile
from collections import Counter, defaultdict
from pathlib import Path

from clusterdata.contrib.definitions import read_definitions
from clusterdata.contrib.validate import validate_package

REPO = Path(__file__).resolve().parents[1]
KINDS = ("digit", "decimal_point", "swap", "empty")


def mutate(rows: list[list[str]], kind: str, rng: random.Random):
    """A corrupted copy of the rows and a description, or None where this kind does not apply."""
    body = rows[1:]
    r = rng.randrange(len(body))
    row = list(body[r])
    if kind == "swap":
        pairs = [(i, j) for i in range(len(row)) for j in range(i + 1, len(row)) if row[i] != row[j]]
        if not pairs:
            return None
        i, j = rng.choice(pairs)
        row[i], row[j] = row[j], row[i]
        what = f"{rows[0][i]} <-> {rows[0][j]}"
    else:
        cells = [i for i, v in enumerate(row) if (kind == "empty" and v) or (kind != "empty" and any(ch.isdigit() for ch in v))]
        if not cells:
            return None
        i = rng.choice(cells)
        old = row[i]
        if kind == "empty":
            row[i] = ""
        elif kind == "digit":
            positions = [k for k, ch in enumerate(old) if ch.isdigit()]
            k = rng.choice(positions)
            row[i] = old[:k] + rng.choice([d for d in "0123456789" if d != old[k]]) + old[k + 1:]
        else:
            digits = old.replace(".", "")
            point = old.index(".") if "." in old else len(old)
            moves = [p for p in (point - 1, point + 1) if 0 < p < len(digits) and p != point]
            if not digits.lstrip("-").isdigit() or not moves:
                return None
            p = rng.choice(moves)
            row[i] = digits[:p] + "." + digits[p:]
        what = f"{rows[0][i]}: {old!r} -> {row[i]!r}"
    out = [rows[0]] + body[:r] + [row] + body[r + 1:]
    return out, what


def run(count: int, seed: int):
    rng = random.Random(seed)
    # Every data table (statistics too: its rows carry their own source), not the package's metadata tables
    tables = [name for name in read_definitions(REPO / "schemas") if name not in ("sources", "source_contents", "annotations")]
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        for part in ("schemas", "data/raw"):
            shutil.copytree(REPO / part, root / part)
        originals = {name: (root / f"data/raw/{name}.csv").read_text(encoding="utf-8") for name in tables}
        results = defaultdict(Counter)
        missed = defaultdict(list)
        by_table = defaultdict(Counter)
        done = 0
        while done < count:
            name, kind = rng.choice(tables), rng.choice(KINDS)
            rows = list(csv.reader(io.StringIO(originals[name])))
            mutated = mutate(rows, kind, rng)
            if mutated is None:
                continue
            new_rows, what = mutated
            buffer = io.StringIO()
            csv.writer(buffer, lineterminator="\n").writerows(new_rows)
            path = root / f"data/raw/{name}.csv"
            path.write_text(buffer.getvalue(), encoding="utf-8")
            _, problems = validate_package(root)
            path.write_text(originals[name], encoding="utf-8")
            layers = {p.layer for p in problems}
            results[kind]["mutations"] += 1
            for found in ("schema", "cross-check", "integrity"):
                results[kind][found] += found in layers
            caught = bool(layers)
            results[kind]["caught"] += caught
            results[kind]["only by cross-checks"] += layers == {"cross-check"}
            by_table[name]["mutations"] += 1
            by_table[name]["caught"] += caught
            if not caught:
                missed[kind].append(f"{name} {what}")
                by_table[name][what.split(":")[0]] += 1  # the column, or the swapped pair
            done += 1
    cells = {name: sum(len(row) for row in list(csv.reader(io.StringIO(text)))[1:]) for name, text in originals.items()}
    return results, missed, by_table, cells


def by_cell(by_table, cells) -> float:
    """The catch rate weighted by cell: each table's rate counts in proportion to its cells, as if every
    cell of the data were equally likely to be mistyped (the run itself picks each table equally often)."""
    weight = sum(cells[name] for name in by_table)
    return 100 * sum(cells[name] * counts["caught"] / counts["mutations"] for name, counts in by_table.items()) / weight


def report(results, missed, by_table, cells, count, seed) -> str:
    columns = ["mutations", "caught", "schema", "cross-check", "only by cross-checks", "integrity"]
    total = Counter()
    for counts in results.values():
        total.update(counts)
    lines = [f"# What validation catches: {count} random single-cell corruptions (seed {seed})", "",
             "Made by `python benchmarks/mutations.py`. Each corruption is one cell of a data table's raw CSV;",
             "a layer catches it when `clusterdata validate` reports a problem of that layer.", "",
             "| corruption | " + " | ".join(columns) + " |", "|---" * (len(columns) + 1) + "|"]
    for kind in KINDS + ("all",):
        counts = total if kind == "all" else results[kind]
        n = counts["mutations"] or 1
        row = [str(counts["mutations"])] + [f"{100 * counts[c] / n:.0f}%" for c in columns[1:]]
        lines.append(f"| {kind} | " + " | ".join(row) + " |")
    lines += ["", f"Weighted by cell instead (each table's rate in proportion to its {sum(cells.values())} cells, as if every "
              f"cell were equally likely to be mistyped): {by_cell(by_table, cells):.0f}% caught.", "",
              "By table (each table is picked equally often), with the columns of the corruptions missed:", "",
              "| table | cells | mutations | caught | missed, by column |", "|---|---|---|---|---|"]
    for name, counts in sorted(by_table.items(), key=lambda item: item[1]["caught"] / item[1]["mutations"]):
        misses = ", ".join(f"{column} {n}" for column, n in sorted(counts.items(), key=lambda c: (-c[1], c[0]))
                           if column not in ("mutations", "caught"))
        lines.append(f"| {name} | {cells[name]} | {counts['mutations']} | {100 * counts['caught'] / counts['mutations']:.0f}% | {misses} |")
    lines += ["", "Not caught (a sample): what no check can see, because the corrupted value is still of the right",
              "type, in range, and in no cross-check (or in one whose tolerance it stays within). Only the second",
              "keying against the source catches these.", ""]
    for kind in KINDS:
        for example in missed[kind][:6]:
            lines.append(f"- {kind}: {example}")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=600)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--write", help="also write the report to this file (e.g. docs/mutations.md)")
    args = parser.parse_args()
    results, missed, by_table, cells = run(args.count, args.seed)
    text = report(results, missed, by_table, cells, args.count, args.seed)
    print(text)
    if args.write:
        Path(args.write).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
