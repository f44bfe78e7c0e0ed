"""Validation of the raw CSVs: every problem at once, each naming the file, line, column, value and rule.

Three layers, all run by `clusterdata validate` and by every build:
1. each CSV against its definition (encoding, header, cell syntax, then the pandera schema);
2. the cross-checks declared in the definition, matched against `source_inconsistency` annotations;
3. integrity across the package (foreign keys, annotations and source_contents pointing at real things).
"""

from __future__ import annotations

import csv
import io
import os
import re
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path

from .checks import run_checks
from .definitions import STORAGE_DTYPES, TableDef, read_definitions

MISSING_MARKERS = {"na", "n/a", "nan", "null", "none", "nil", "missing", "-", "--", "\u2014", "\u2013", "?", ".."}
INTEGER = re.compile(r"-?[0-9]+")
NUMBER = re.compile(r"-?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?")
GROUPED = re.compile(r"-?[0-9]{1,3}([, ][0-9]{3})+(\.[0-9]+)?")


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | str | None
    column: str | None
    value: str | None
    rule: str
    layer: str = "schema"  # "schema", "cross-check" or "integrity": which kind of check found it

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        parts = [where]
        if self.column is not None:
            parts.append(f'column "{self.column}"')
        parts.append(self.rule if self.value is None else f'value "{self.value}" {self.rule}')
        return ": ".join(parts)


@dataclass
class ParsedTable:
    table: TableDef
    file: str  # as shown in messages
    frame: object  # pandas.DataFrame, RangeIndex
    lines: list[int]  # CSV line of each frame row
    raw: list[dict[str, str]]  # the cells as written


def parse_cell(text: str, kind: str):
    """(value, None) or (None, rule broken). An empty cell is a missing value."""
    if text == "":
        return None, None
    if text != text.strip():
        return None, "has spaces before or after it; remove them"
    if text.lower() in MISSING_MARKERS:
        return None, "looks like a missing-value marker; leave the cell empty for a missing value"
    if kind == "string":
        return text, None
    if kind == "boolean":
        if text in ("true", "false"):
            return text == "true", None
        return None, "is not a boolean: write true or false"
    if kind == "integer" and INTEGER.fullmatch(text):
        return int(text), None
    if kind == "number" and NUMBER.fullmatch(text):
        return float(text), None
    what = "an integer" if kind == "integer" else "a number"
    if GROUPED.fullmatch(text):
        return None, f"is not {what}: write it without thousands separators"
    if re.fullmatch(r"-?[0-9]+,[0-9]+", text):
        return None, f"is not {what}: use a point, not a comma, for decimals"
    if text.endswith("%"):
        return None, f"is not {what}: leave out the % sign (the column name gives the unit)"
    if re.search(r"[0-9]\s+[0-9]", text):
        return None, f"is not {what}: remove the spaces inside it"
    if kind == "integer" and NUMBER.fullmatch(text):
        return None, "is not an integer: the column holds whole numbers"
    return None, f"is not {what}"


def read_table_csv(path: Path, table: TableDef, shown: str) -> tuple[ParsedTable | None, list[Problem]]:
    """Parse one raw CSV against its definition; the frame holds the cells that parsed (bad ones empty)."""
    import pandas as pd

    problems: list[Problem] = []
    data = path.read_bytes()
    header_text = ",".join(table.columns)
    if not data.strip():
        return None, [Problem(shown, None, None, None, f"is empty: its first line must be the header {header_text}")]
    if data.startswith(b"\xef\xbb\xbf"):
        problems.append(Problem(shown, 1, None, None, "starts with a byte-order mark (BOM): save it as UTF-8 without BOM"))
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        byte = data[error.start : error.start + 1].hex()
        return None, problems + [Problem(shown, line, None, None, f"is not UTF-8 (byte 0x{byte}): save the file as UTF-8")]
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    if header != table.columns:
        missing = [c for c in table.columns if c not in header]
        extra = [c for c in header if c not in table.columns]
        if missing:
            problems.append(Problem(shown, 1, None, None, f"the header lacks the column(s) {', '.join(missing)}"))
        if extra:
            problems.append(Problem(shown, 1, None, None, f"the header has unknown column(s) {', '.join(extra)}"))
        if not missing and not extra:
            problems.append(Problem(shown, 1, None, None, f"the columns are out of order: the header must be {header_text}"))
        return None, problems
    values: dict[str, list] = {c: [] for c in table.columns}
    lines, raw = [], []
    for row in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in row):
            problems.append(Problem(shown, line, None, None, "is an empty line: remove it"))
            continue
        if len(row) != len(table.columns):
            problems.append(Problem(shown, line, None, None, f"has {len(row)} cells, the header has {len(table.columns)}"))
            continue
        for column, cell in zip(table.columns, row):
            field = table.field(column)
            if cell == "" and "" not in field.get("missingValues", [""]):
                value, rule = "", None  # a field whose empty text is a value, not a missing one
            else:
                value, rule = parse_cell(cell, field["type"])
            if rule:
                problems.append(Problem(shown, line, column, cell, rule))
            values[column].append(value)
        lines.append(line)
        raw.append(dict(zip(table.columns, row)))
    if not lines and not problems:
        problems.append(Problem(shown, None, None, None, "has a header but no rows"))
    frame = pd.DataFrame({c: pd.array(values[c], dtype=STORAGE_DTYPES[table.field(c)["type"]]) for c in table.columns})
    parsed = ParsedTable(table, shown, frame, lines, raw)
    problems += schema_problems(parsed, {(p.line, p.column) for p in problems})
    return parsed, problems


def schema_problems(parsed: ParsedTable, reported: set) -> list[Problem]:
    """The pandera schema's failures as Problems (cells already reported as unparsable are left out)."""
    import pandera.pandas as pa

    if parsed.frame.empty:
        return []
    try:
        parsed.table.pandera_schema().validate(parsed.frame, lazy=True)
        return []
    except pa.errors.SchemaErrors as error:
        cases = error.failure_cases
    problems, duplicates = [], set()
    for case in cases.itertuples(index=False):
        if case.index is None or case.index != case.index:
            problems.append(Problem(parsed.file, None, case.column, None, f"fails {case.check}"))
            continue
        position = int(case.index)
        line = parsed.lines[position]
        if case.check == "multiple_fields_uniqueness":
            duplicates.add(position)
            continue
        if (line, case.column) in reported:
            continue
        cell = parsed.raw[position][case.column]
        rule = {"not_nullable": "is missing: the column is required", "field_uniqueness": "appears twice: the column must be unique"}.get(case.check, case.check)
        problems.append(Problem(parsed.file, line, case.column, cell, rule))
    key = parsed.table.primary_key
    for position in sorted(duplicates):
        text = ";".join(f"{c}={parsed.raw[position][c]}" for c in key)
        others = [parsed.lines[p] for p in sorted(duplicates) if p != position and all(parsed.raw[p][c] == parsed.raw[position][c] for c in key)]
        problems.append(Problem(parsed.file, parsed.lines[position], None, None,
                                f"duplicate key {text}: the key ({', '.join(key)}) must be unique (also on line {', '.join(map(str, others))})"))
    return problems


def line_span(parsed: ParsedTable, positions) -> str | int:
    lines = sorted(parsed.lines[p] for p in positions)
    if len(lines) == 1:
        return lines[0]
    if lines == list(range(lines[0], lines[-1] + 1)):
        return f"{lines[0]}-{lines[-1]}"
    return ",".join(map(str, lines))


def cross_check_problems(parsed: ParsedTable, annotations: ParsedTable | None) -> list[Problem]:
    """Discrepancies no annotation expects, and source_inconsistency annotations no check finds (stale)."""
    table = parsed.table
    found = run_checks(parsed.frame, table)
    expected = {}
    if annotations is not None:
        for row, line in zip(annotations.raw, annotations.lines):
            if row["table_name"] == table.name and row["kind"] == "source_inconsistency":
                expected[(row["row_key"], row["column_name"])] = line
    problems = []
    for d in found:
        if d.ok or (d.row_key, d.column) in expected:
            continue
        problems.append(Problem(parsed.file, line_span(parsed, d.rows), d.column, d.value,
                                f"fails the cross-check {d.check}: {d.message}. If the source prints it so, record it in "
                                f'annotations.csv as {table.name},"{d.row_key}",{d.column},source_inconsistency,<what and why>',
                                "cross-check"))
    disagreeing = {(d.row_key, d.column) for d in found if not d.ok}
    agreeing = {(d.row_key, d.column): d.check for d in found if d.ok}
    for (key, column), line in expected.items():
        if (key, column) in agreeing and (key, column) not in disagreeing:
            problems.append(Problem(annotations.file, line, "row_key", key,
                                    f"is a source_inconsistency on {table.name}.{column} that the cross-check "
                                    f"{agreeing[(key, column)]} no longer finds: the erratum is stale; remove the annotation or restore the value",
                                    "cross-check"))
    return problems


def integrity_problems(parsed: dict[str, ParsedTable], definitions: dict[str, TableDef], root: Path) -> list[Problem]:
    """Foreign keys, table sources, and annotations/source_contents pointing at existing tables, rows and columns."""
    problems = []
    for table in definitions.values():
        if table.name not in parsed:
            continue
        child = parsed[table.name]
        for fk in table.foreign_keys:
            target = parsed.get(fk["reference"]["resource"])
            if target is None:
                continue
            known = {tuple(r[c] for c in fk["reference"]["fields"]) for r in target.raw}
            for row, line in zip(child.raw, child.lines):
                value = tuple(row[c] for c in fk["fields"])
                if all(value) and value not in known:
                    problems.append(Problem(child.file, line, fk["fields"][0], ";".join(value),
                                            f"is not a {'/'.join(fk['reference']['fields'])} of {fk['reference']['resource']}"))
    sources = {row["source_id"] for row in parsed["sources"].raw} if "sources" in parsed else set()
    for table in definitions.values():
        if table.source is not None and "sources" in parsed and table.source not in sources:
            problems.append(Problem(str(table.path.relative_to(root)), None, "source", table.source, "is not a source_id of sources.csv"))
    if "source_contents" in parsed:
        contents = parsed["source_contents"]
        for row, line in zip(contents.raw, contents.lines):
            if row["dataset_table"] and row["dataset_table"] not in definitions:
                problems.append(Problem(contents.file, line, "dataset_table", row["dataset_table"], "is not a table of the catalog"))
    if "annotations" in parsed:
        problems += annotation_target_problems(parsed["annotations"], parsed, definitions)
    return [replace(p, layer="integrity") for p in problems]


def annotation_target_problems(annotations: ParsedTable, parsed: dict[str, ParsedTable], definitions) -> list[Problem]:
    problems = []
    for row, line in zip(annotations.raw, annotations.lines):
        name, key, column = row["table_name"], row["row_key"], row["column_name"]
        if name not in definitions:
            problems.append(Problem(annotations.file, line, "table_name", name, "is not a table of the catalog"))
            continue
        table = definitions[name]
        if column and column not in table.columns:
            problems.append(Problem(annotations.file, line, "column_name", column, f"is not a column of {name}"))
        if not key:
            continue
        pairs = [part.split("=", 1) for part in key.split(";")]
        names = [p[0] for p in pairs]
        if any(len(p) != 2 for p in pairs) or names != table.primary_key[: len(names)]:
            problems.append(Problem(annotations.file, line, "row_key", key,
                                    f"is not a row key of {name}: write {';'.join(c + '=...' for c in table.primary_key)} (or a leading part of it)"))
            continue
        target = parsed.get(name)
        if target is not None and not any(all(r[c] == v for c, v in pairs) for r in target.raw):
            problems.append(Problem(annotations.file, line, "row_key", key, f"matches no row of {name}"))
    return problems


def quote_problems(parsed: dict[str, ParsedTable], definitions, sources_dir: Path) -> list[Problem]:
    """Every quote of a table declaring `quotes` occurs in its source's text (runs of whitespace collapsed)."""
    if "sources" not in parsed:
        return []
    files = {row["source_id"]: row["file"] for row in parsed["sources"].raw}
    texts: dict[str, str | None] = {}
    problems = []
    for name, table in definitions.items():
        if not table.quotes or name not in parsed:
            continue
        target = parsed[name]
        for row, line in zip(target.raw, target.lines):
            source_id, quote = row[table.quotes["source"]], row[table.quotes["quote"]]
            if source_id not in files or not quote:
                continue  # an unknown source is reported by the foreign key check
            if source_id not in texts:
                path = sources_dir / files[source_id]
                texts[source_id] = " ".join(path.read_text(encoding="utf-8").split()) if path.is_file() else None
            if texts[source_id] is None:
                problems.append(Problem(target.file, line, table.quotes["source"], source_id,
                                        f"has no text at {sources_dir / files[source_id]} to check the quote against"))
            elif " ".join(quote.split()) not in texts[source_id]:
                problems.append(Problem(target.file, line, table.quotes["quote"], quote,
                                        f"is not in the source text {files[source_id]} (runs of whitespace ignored): copy it exactly"))
    return [replace(p, layer="integrity") for p in problems]


def sources_dir_from_environment() -> Path | None:
    """The folder of the source texts, if CLUSTERDATA_SOURCES names one (they are not in the repository)."""
    value = os.environ.get("CLUSTERDATA_SOURCES")
    return Path(value) if value else None


def validate_package(root: Path, overrides: dict[str, Path] | None = None, sources_dir: Path | None = None):
    """Parse and check every table of the repository at `root`; `overrides` replaces a table's CSV by another file.

    Quotes are checked against the source texts in `sources_dir` when it is given.
    Returns (parsed tables by name, problems). The build writes only when the problems are none.
    """
    definitions = read_definitions(root / "schemas")
    overrides = overrides or {}
    raw_dir = root / "data" / "raw"
    problems: list[Problem] = []
    for csv_path in sorted(raw_dir.glob("*.csv")):
        if csv_path.stem not in definitions:
            problems.append(Problem(shown_path(csv_path, root), None, None, None,
                                    f"has no definition: add schemas/{csv_path.stem}.toml, or rename the file to its table's name"))
    parsed: dict[str, ParsedTable] = {}
    for name, table in definitions.items():
        path = overrides.get(name, raw_dir / f"{name}.csv")
        if not path.is_file():
            problems.append(Problem(shown_path(path, root), None, None, None, f"is missing: schemas/{name}.toml defines table {name}"))
            continue
        table_parsed, table_problems = read_table_csv(path, table, shown_path(path, root))
        problems += table_problems
        if table_parsed is not None:
            parsed[name] = table_parsed
    for name, table_parsed in parsed.items():
        problems += cross_check_problems(table_parsed, parsed.get("annotations"))
    problems += integrity_problems(parsed, definitions, root)
    if sources_dir is not None:
        problems += quote_problems(parsed, definitions, sources_dir)
    return parsed, problems


def shown_path(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def report(problems: list[Problem]) -> str:
    """Problems grouped by file, each group counted, with a total."""
    by_file = defaultdict(list)
    for problem in problems:
        by_file[problem.file].append(problem)
    out = []
    for file, group in by_file.items():
        out.append(f"{file}: {len(group)} problem{'s' if len(group) != 1 else ''}")
        out += [f"  {problem}" for problem in group]
    out.append(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {len(by_file)} file{'s' if len(by_file) != 1 else ''}")
    return "\n".join(out)
