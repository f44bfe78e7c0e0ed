"""clusterdata export: every table, plus a datapackage.json with the sizes and hashes of the files written.

parquet: the package's own files (the way to download them with their checksums); csv and json:
one file per table; xlsx: one workbook, a metadata sheet first, then a sheet per table (needs
openpyxl); sqlite: one database with primary and foreign keys, each column's description and unit
kept as a comment in its CREATE TABLE (SQLite stores the statement as written), and a Datasette
metadata.json beside it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from dataclasses import replace

from . import _catalog
from ._describe import annotations_of
from ._load import load, read_parquet, unit_labels
from ._model import Field, Table

FORMATS = ("parquet", "csv", "xlsx", "sqlite", "json", "dta")
# frictionless 5 reads Parquet and JSON without measuring their bytes, and fails any `bytes` it is given
# for them; their size is checked through the sha256 in `hash` by `clusterdata verify` instead.
UNSIZED = ("parquet", "json")
NEEDS = {"xlsx": ("openpyxl", "export"), "dta": ("pyreadstat", "stata")}  # format -> (module, extra)


def export(dest: str, fmt: str, bom: bool = False) -> list[str]:
    """Write every table to folder `dest` in format `fmt`; returns the files written.

    bom: CSV only, start each file with a UTF-8 byte-order mark, so that Excel (which reads a CSV
    without one in the computer's legacy code page) shows 亿 and every other non-ASCII character.
    """
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if bom and fmt != "csv":
        raise ValueError(f"--bom is for --format csv (a byte-order mark for Excel), not {fmt}")
    if fmt in NEEDS:  # refused before anything is written
        import importlib.util

        module, extra = NEEDS[fmt]
        if importlib.util.find_spec(module) is None:
            raise ModuleNotFoundError(f"--format {fmt} needs {module}: pip install 'clusterdata[{extra}]'", name=module)
    if os.path.isdir(dest) and os.listdir(dest):
        raise FileExistsError(f"{dest} is not empty: export writes a complete package (its files and a datapackage.json); "
                              "name a new or empty folder")
    try:
        os.makedirs(dest, exist_ok=True)
    except OSError as error:  # beneath a regular file, or no permission: one line, not a traceback
        raise FileExistsError(f"{dest}: cannot create the folder ({error.strerror}): name a folder that can be created") from None
    package = _catalog.package()
    tables = list(package.tables)
    entries = write_csv(dest, tables, bom=True) if bom else WRITERS[fmt](dest, tables)
    for entry in entries:  # the export's own descriptor: each file's checksum (and size) as written
        with open(os.path.join(dest, entry["path"]), "rb") as f:
            data = f.read()
        entry["hash"] = "sha256:" + hashlib.sha256(data).hexdigest()
        entry.pop("bytes", None)
        if fmt not in UNSIZED:
            entry["bytes"] = len(data)
    with open(os.path.join(dest, "datapackage.json"), "w", encoding="utf-8") as f:
        json.dump({**package.metadata(), "resources": entries}, f, indent=2, ensure_ascii=False)
        f.write("\n")
    return sorted({entry["path"] for entry in entries}) + ["datapackage.json"]


def write_parquet(dest: str, tables: list[Table]) -> list[dict]:
    """The package's own Parquet files, each verified (hash and embedded name) before it is copied, and written
    under a path made from its checked table name, never from a path in datapackage.json.

    Like every writer, returns the resources of the export's datapackage.json (their checksums added by export)."""
    os.makedirs(os.path.join(dest, "data", "parquet"), exist_ok=True)
    for table in tables:
        data = _catalog.verified_bytes(table.name)
        _catalog.check_embedded_name(table.name, (read_parquet(data).schema.metadata or {}).get(b"clusterdata"))
        with open(os.path.join(dest, "data", "parquet", f"{table.name}.parquet"), "wb") as f:
            f.write(data)
    return [{**t.to_descriptor(), "path": f"data/parquet/{t.name}.parquet"} for t in tables]


def text_frame(name: str):
    """A table with booleans as true/false and every other value as load() gives it (missing as empty)."""
    frame = load(name)
    for column in frame.columns:
        if str(frame[column].dtype) == "boolean":
            frame[column] = frame[column].map({True: "true", False: "false"}).astype("string")
    return frame


def csv_safe(frame):
    """Text cells a spreadsheet would run as a formula get a leading apostrophe (OWASP's advice for CSV).
    Validation refuses such cells, so a package built here holds none; this guards what was built elsewhere."""
    from ._safety import neutralised

    for column in frame.columns:
        if str(frame[column].dtype) in ("string", "category", "object", "str"):
            frame[column] = frame[column].map(lambda v: neutralised(v) if isinstance(v, str) else v, na_action="ignore")
    return frame


def write_csv(dest: str, tables: list[Table], bom: bool = False) -> list[dict]:
    encoding = "utf-8-sig" if bom else "utf-8"
    for table in tables:
        csv_safe(text_frame(table.name)).to_csv(os.path.join(dest, f"{table.name}.csv"), index=False, lineterminator="\n",
                                                float_format="%.15g", encoding=encoding)
    return [{**t.to_descriptor(), "path": f"{t.name}.csv", "format": "csv", "mediatype": "text/csv", "encoding": encoding}
            for t in tables]


def write_json(dest: str, tables: list[Table]) -> list[dict]:
    for name in [t.name for t in tables]:
        records = [{k: int(v) if isinstance(v, float) and v.is_integer() else v for k, v in row.items()}
                   for row in load(name, backend="arrow").to_pylist()]  # 45, not 45.0, as the sources print it
        with open(os.path.join(dest, f"{name}.json"), "w", encoding="utf-8") as f:
            json.dump(records, f, ensure_ascii=False, indent=1, allow_nan=False)  # never Infinity or NaN, which are not JSON
            f.write("\n")
    return [{**t.to_descriptor(), "path": f"{t.name}.json", "format": "json", "mediatype": "application/json"} for t in tables]


def sheet_names(names: list[str]) -> dict[str, str]:
    """Each table's sheet name within Excel's 31 characters, unique (a cut name ends in ~1, ~2, ...)."""
    sheets: dict[str, str] = {}
    for name in names:
        sheet, n = name[:31], 0
        while sheet.lower() in {s.lower() for s in sheets.values()} | {"metadata"}:
            n += 1
            sheet = f"{name[:31 - len(str(n)) - 1]}~{n}"
        sheets[name] = sheet
    return sheets


def annotated_cells(name: str, frame) -> list[tuple[list[int], str | None, dict]]:
    """Each annotation of table `name` with the positions of the rows it concerns (all rows where it has no
    row key) and its column (None for a whole row or table)."""
    import pandas as pd

    text = lambda v: "" if pd.isna(v) else str(v)
    found = []
    for note in annotations_of(name):
        match = pd.Series(True, index=frame.index)
        for part in filter(None, note["row_key"].split(";")):
            field, value = part.split("=", 1)
            match &= frame[field].map(text) == value
        found.append(([int(i) for i in match.to_numpy().nonzero()[0]], note["column_name"] or None, note))
    return found


def cell_notes(name: str, frame) -> dict[tuple[int, int], list[str]]:
    """The annotations of table `name` as notes by (row, column) of its sheet (1-based, header row 1).

    A note on a cell goes on that cell; on a whole row, on the row's first cell; on a whole column,
    on its header; on the whole table, on the first header cell.
    """
    columns = list(frame.columns)
    notes: dict[tuple[int, int], list[str]] = {}
    for rows, column, note in annotated_cells(name, frame):
        where = [r + 2 for r in rows] if note["row_key"] else [1]
        for row in where:
            notes.setdefault((row, columns.index(column) + 1 if column else 1), []).append(f"[{note['kind']}] {note['note']}")
    return notes


def fill_sheet(sheet, header: list[str], rows: list[list], notes: dict | None = None) -> None:
    """Header and rows, every string stored as text (never a formula), frozen header, filter, widths, notes."""
    from openpyxl.comments import Comment
    from openpyxl.utils import get_column_letter

    widths = [len(h) for h in header]
    for r, values in enumerate([header] + rows, start=1):
        for c, value in enumerate(values, start=1):
            cell = sheet.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # openpyxl would store "=..." as a formula
                widths[c - 1] = max(widths[c - 1], max(map(len, value.splitlines() or [""])))
            elif value is not None:
                widths[c - 1] = max(widths[c - 1], len(str(value)))
    for (r, c), texts in (notes or {}).items():
        comment = Comment("\n\n".join(texts), "clusterdata annotations")
        comment.width, comment.height = 400, 30 + 15 * sum(len(t) // 60 + 1 for t in texts)
        sheet.cell(row=r, column=c).comment = comment
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(header))}{len(rows) + 1}"
    for c, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(c)].width = min(width + 2, 60)


def write_xlsx(dest: str, tables: list[Table]) -> list[dict]:
    """One workbook: a metadata sheet, then a sheet per table, each annotation a note on its cell."""
    import pandas as pd

    from openpyxl import Workbook
    path = os.path.join(dest, "clusterdata.xlsx")
    sheets = sheet_names([t.name for t in tables])
    labels = unit_labels()
    header = ["table", "sheet", "table title", "source", "location", "column", "type", "unit", "description", "unit name"]
    rows = [[t.name, sheets[t.name], t.title, "; ".join(s.title for s in t.sources), t.location or "", f.name, f.type,
             labels[f.unit] if f.unit is not None else "", f.description or "", f.unit or ""]
            for t in tables for f in t.fields]
    book = Workbook()
    fill_sheet(book.active, header, rows)
    book.active.title = "metadata"
    described = []
    for table in tables:
        frame = load(table.name)
        values = [[None if pd.isna(v) else v.item() if hasattr(v, "item") else v for v in row]
                  for row in frame.astype(object).itertuples(index=False)]
        notes = cell_notes(table.name, frame)
        fill_sheet(book.create_sheet(sheets[table.name]), list(frame.columns), values, notes)
        # an empty text is an empty cell in Excel: not "required" there
        fields = [replace(f, constraints=replace(f.constraints, required=None))
                  if f.type == "string" and f.constraints is not None and (frame[f.name].astype("string") == "").any() else f
                  for f in table.fields]
        described.append(replace(table, fields=tuple(fields)))
    book.save(path)
    # sheetName is Data Package v2's; `excel.sheet` is the control frictionless 5 reads.
    return [{**t.to_descriptor(), "path": "clusterdata.xlsx", "format": "xlsx",
             "mediatype": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "dialect": {"sheetName": sheets[t.name], "excel": {"sheet": sheets[t.name]}}} for t in described]


def create_table_sql(table: Table) -> str:
    """CREATE TABLE with types, NOT NULL, primary and foreign keys, and each column's description as a comment."""
    lines, labels = [], unit_labels()
    for field in table.fields:
        required = " NOT NULL" if field.required else ""
        comment = " ".join(f"{field.description or ''}{' [' + labels[field.unit] + ']' if field.unit is not None else ''}".split())
        lines.append((f'  "{field.name}" {field.kind.sql}{required}', comment))
    if table.primary_key:
        lines.append(("  PRIMARY KEY (" + ", ".join(f'"{c}"' for c in table.primary_key) + ")", ""))
    for fk in table.foreign_keys:
        lines.append((f'  FOREIGN KEY ({", ".join(chr(34) + c + chr(34) for c in fk.fields)}) REFERENCES "{fk.table}" '
                      f'({", ".join(chr(34) + c + chr(34) for c in fk.reference)})', ""))
    body = []
    for i, (sql, comment) in enumerate(lines):
        comma = "," if i < len(lines) - 1 else ""
        body.append(f"{sql}{comma}" + (f"  -- {comment}" if comment else ""))
    title = " ".join(table.title.split())
    return f'CREATE TABLE "{table.name}" (  -- {title}\n' + "\n".join(body) + "\n)"


# Our units that Datasette's unit library (Pint) knows, by the name Pint knows them; a table page with any other
# unit answers HTTP 500, so every other unit goes into the column's description, by its label (tests/test_clients.py).
PINT_UNITS = {"pct": "percent"}


def datasette_metadata(tables: list[Table]) -> dict:
    """Datasette's metadata.json: titles, sources, column descriptions, and `units` only where Pint knows them."""
    labels = unit_labels()

    def column(field: Field) -> str:
        unit, described = field.unit, field.description or ""
        return f"{described} [unit: {labels[unit]}]" if unit and unit not in PINT_UNITS else described

    return {"title": _catalog.package().title, "license": "CC-BY-4.0", "databases": {"clusterdata": {"tables": {
        t.name: {"title": t.title, "description": t.description,
                 "source": "; ".join(s.title for s in t.sources) or None,
                 "columns": {f.name: column(f) for f in t.fields},
                 "units": {f.name: PINT_UNITS[f.unit] for f in t.fields if f.unit in PINT_UNITS}}
        for t in tables}}}}


def write_sqlite(dest: str, tables: list[Table]) -> list[dict]:
    import sqlite3

    path = os.path.join(dest, "clusterdata.sqlite")
    if os.path.exists(path):
        os.remove(path)
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA foreign_keys = ON")
        # referenced tables first (a table referencing only itself, as units, lists the referenced rows first)
        order = sorted(tables, key=lambda t: any(fk.table != t.name for fk in t.foreign_keys))
        for table in order:
            connection.execute(create_table_sql(table))
            rows = load(table.name, backend="arrow").to_pylist()
            columns = table.columns
            marks = ", ".join("?" for _ in columns)
            connection.executemany(f'INSERT INTO "{table.name}" VALUES ({marks})', [[row[c] for c in columns] for row in rows])
        connection.commit()
    finally:
        connection.close()
    with open(os.path.join(dest, "metadata.json"), "w", encoding="utf-8") as f:
        json.dump(datasette_metadata(tables), f, indent=2, ensure_ascii=False)
        f.write("\n")
    # frictionless reads no SQLite file (only a database URL, through SQLAlchemy): the descriptor lists the two
    # files with their checksums, and the tables' schemas live in the database and metadata.json.
    return [
        {"name": "clusterdata-sqlite", "type": "file", "path": "clusterdata.sqlite", "format": "sqlite",
         "mediatype": "application/vnd.sqlite3", "description": "Every table, with its keys and column comments: "
         + ", ".join(t.name for t in tables)},
        {"name": "datasette-metadata", "type": "file", "path": "metadata.json", "format": "json",
         "mediatype": "application/json", "description": "Titles, sources, column descriptions and units for Datasette"},
    ]


# Stata's extended missing values: why a number is empty. Stata has no missing text: an empty text is "".
STATA_MISSING = {"a": "illegible in the source (see annotations)", "b": "not printed in the source"}


def stata_label(text: str, limit: int = 80) -> str:
    """A variable or dataset label within Stata's 80 characters: cut at a word, marked with "...", the unit kept."""
    text = " ".join(text.split())
    unit = re.search(r" \[[^\]]*\]$", text)
    tail = unit.group(0) if unit and len(unit.group(0)) <= limit - 16 else ""  # room for a few words
    head = text[: len(text) - len(tail)]
    if len(text) <= limit:
        return text
    room = limit - len(tail) - 3
    cut = head[:room].rsplit(" ", 1)[0] if " " in head[:room] else head[:room]
    return cut.rstrip(" ,;:") + "..." + tail


def stata_frame(table: Table):
    """A table as Stata holds it: enums and booleans as labelled integer codes, missing numbers as .a or .b.

    Returns the frame, its variable labels, value labels and extended missing values, for pyreadstat.
    """
    import pandas as pd

    frame = load(table.name)
    illegible = {(row, column) for rows, column, note in annotated_cells(table.name, frame)
                 if note["kind"] == "illegible" for row in rows}
    out, labels, value_labels, missing = pd.DataFrame(index=frame.index), {}, {}, {}
    labels_of = unit_labels()
    for field in table.fields:
        name, column = field.name, frame[field.name]
        unit = f" [{labels_of[field.unit]}]" if field.unit else ""
        labels[name] = stata_label(f"{name if field.description is None else field.description}{unit}")
        enum = field.enum
        if field.type == "string" and enum is None:
            out[name] = column.astype(object).where(column.notna(), "")
            continue
        if enum is not None:
            codes = {value: i for i, value in enumerate(enum, start=1)}
            values = column.astype(object).map(lambda v: codes.get(v), na_action="ignore")
            value_labels[name] = {i: str(value) for value, i in codes.items()}
        elif field.type == "boolean":
            values = column.astype(object).map(int, na_action="ignore")
            value_labels[name] = {0: "false", 1: "true"}
        else:
            values = column.astype("float64")
        empty = column.isna().to_numpy()
        if not empty.any() and field.type != "number" and values.abs().max() < 2**31:
            out[name] = values.astype("int32")  # Stata's long: whole numbers stay whole (a column with missing cells is double)
            continue
        values = values.astype(object)
        if empty.any():
            values[empty] = ["a" if (row, name) in illegible else "b" for row in empty.nonzero()[0]]
            missing[name] = sorted(set(values[empty]))
            value_labels.setdefault(name, {}).update({code: STATA_MISSING[code] for code in missing[name]})
        out[name] = values
    return out, labels, value_labels, missing


def write_dta(dest: str, tables: list[Table]) -> list[dict]:
    """A Stata 14+ (format 118, UTF-8) file per table, with dataset, variable and value labels and typed missing values."""
    import pyreadstat
    for table in tables:
        frame, labels, value_labels, missing = stata_frame(table)
        pyreadstat.write_dta(frame, os.path.join(dest, f"{table.name}.dta"), file_label=stata_label(table.title),
                             column_labels=labels, version=14, variable_value_labels=value_labels,
                             missing_user_values=missing)
    # frictionless reads no .dta file: each is listed as a file, with its checksum.
    return [{"name": t.name, "type": "file", "path": f"{t.name}.dta", "format": "dta",
             "mediatype": "application/x-stata-dta", "title": t.title, "description": t.description} for t in tables]


WRITERS = {"parquet": write_parquet, "csv": write_csv, "json": write_json, "xlsx": write_xlsx, "sqlite": write_sqlite,
           "dta": write_dta}
