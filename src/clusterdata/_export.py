"""clusterdata export: every table, plus a datapackage.json with the sizes and hashes of the files written.

parquet: the package's own files (the way to download them with their checksums); csv and json:
one file per table; xlsx: one workbook, a metadata sheet first, then a sheet per table (needs
openpyxl); sqlite: one database with primary and foreign keys, each column's description and unit
kept as a comment in its CREATE TABLE (SQLite stores the statement as written), and a Datasette
metadata.json beside it.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os

from . import _catalog
from ._load import load, read_parquet

FORMATS = ("parquet", "csv", "xlsx", "sqlite", "json")
SQL_TYPES = {"integer": "INTEGER", "number": "REAL", "string": "TEXT", "boolean": "INTEGER"}


def export(dest: str, fmt: str) -> list[str]:
    """Write every table to folder `dest` in format `fmt`; returns the files written."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    if os.path.isdir(dest) and os.listdir(dest):
        raise FileExistsError(f"{dest} is not empty: export writes a complete package (its files and a datapackage.json); "
                              "name a new or empty folder")
    try:
        os.makedirs(dest, exist_ok=True)
    except OSError as error:  # beneath a regular file, or no permission: one line, not a traceback
        raise FileExistsError(f"{dest}: cannot create the folder ({error.strerror}): name a folder that can be created") from None
    descriptor = copy.deepcopy(_catalog.descriptor())
    written = WRITERS[fmt](dest, descriptor["resources"])
    for resource in descriptor["resources"]:
        path = os.path.join(dest, resource["path"])
        with open(path, "rb") as f:
            data = f.read()
        resource["bytes"], resource["hash"] = len(data), "sha256:" + hashlib.sha256(data).hexdigest()
    with open(os.path.join(dest, "datapackage.json"), "w", encoding="utf-8") as f:
        json.dump(descriptor, f, indent=2, ensure_ascii=False)
        f.write("\n")
    return sorted(set(written)) + ["datapackage.json"]


def write_parquet(dest: str, resources: list[dict]) -> list[str]:
    """The package's own Parquet files, each verified (hash and embedded name) before it is copied, and written
    under a path made from its checked table name, never from a path in datapackage.json."""
    os.makedirs(os.path.join(dest, "data", "parquet"), exist_ok=True)
    for resource in resources:
        name = resource["name"]
        data = _catalog.verified_bytes(name)
        _catalog.check_embedded_name(name, (read_parquet(data).schema.metadata or {}).get(b"clusterdata"))
        resource["path"] = f"data/parquet/{name}.parquet"
        with open(os.path.join(dest, "data", "parquet", f"{name}.parquet"), "wb") as f:
            f.write(data)
    return [r["path"] for r in resources]


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


def write_csv(dest: str, resources: list[dict]) -> list[str]:
    for resource in resources:
        name = resource["name"]
        csv_safe(text_frame(name)).to_csv(os.path.join(dest, f"{name}.csv"), index=False, lineterminator="\n", float_format="%.15g")
        resource.update(path=f"{name}.csv", format="csv", mediatype="text/csv", encoding="utf-8")
    return [r["path"] for r in resources]


def write_json(dest: str, resources: list[dict]) -> list[str]:
    for resource in resources:
        name = resource["name"]
        records = [{k: int(v) if isinstance(v, float) and v.is_integer() else v for k, v in row.items()}
                   for row in load(name, backend="arrow").to_pylist()]  # 45, not 45.0, as the sources print it
        with open(os.path.join(dest, f"{name}.json"), "w", encoding="utf-8") as f:
            json.dump(records, f, ensure_ascii=False, indent=1, allow_nan=False)  # never Infinity or NaN, which are not JSON
            f.write("\n")
        resource.update(path=f"{name}.json", format="json", mediatype="application/json")
    return [r["path"] for r in resources]


def write_xlsx(dest: str, resources: list[dict]) -> list[str]:
    import pandas as pd

    try:
        import openpyxl  # noqa: F401
    except ModuleNotFoundError:
        raise ModuleNotFoundError("--format xlsx needs openpyxl: pip install 'clusterdata[export]'", name="openpyxl") from None
    path = os.path.join(dest, "clusterdata.xlsx")
    rows = []
    for resource in resources:
        for field in resource["schema"]["fields"]:
            rows.append({"table": resource["name"], "table title": resource.get("title", ""),
                         "source": "; ".join(s["title"] for s in resource.get("sources", [])),
                         "location": resource.get("location", ""), "column": field["name"], "type": field["type"],
                         "unit": field.get("unit", ""), "description": field.get("description", "")})
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame(rows).to_excel(writer, sheet_name="metadata", index=False)
        for resource in resources:
            load(resource["name"]).to_excel(writer, sheet_name=resource["name"], index=False)
        for sheet in writer.book.worksheets:  # openpyxl takes a string starting with = for a formula: keep it text
            for row in sheet.iter_rows():
                for cell in row:
                    if cell.data_type == "f":
                        cell.data_type = "s"
    for resource in resources:
        resource.update(path="clusterdata.xlsx", format="xlsx",
                        mediatype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                        dialect={"sheetName": resource["name"]})
    return ["clusterdata.xlsx"]


def create_table_sql(resource: dict) -> str:
    """CREATE TABLE with types, NOT NULL, primary and foreign keys, and each column's description as a comment."""
    schema, lines = resource["schema"], []
    for field in schema["fields"]:
        required = " NOT NULL" if field.get("constraints", {}).get("required") else ""
        comment = " ".join(f"{field.get('description', '')}{' [' + field['unit'] + ']' if 'unit' in field else ''}".split())
        lines.append((f'  "{field["name"]}" {SQL_TYPES[field["type"]]}{required}', comment))
    if schema.get("primaryKey"):
        lines.append(("  PRIMARY KEY (" + ", ".join(f'"{c}"' for c in schema["primaryKey"]) + ")", ""))
    for fk in schema.get("foreignKeys", []):
        lines.append((f'  FOREIGN KEY ({", ".join(chr(34) + c + chr(34) for c in fk["fields"])}) REFERENCES "{fk["reference"]["resource"]}" '
                      f'({", ".join(chr(34) + c + chr(34) for c in fk["reference"]["fields"])})', ""))
    body = []
    for i, (sql, comment) in enumerate(lines):
        comma = "," if i < len(lines) - 1 else ""
        body.append(f"{sql}{comma}" + (f"  -- {comment}" if comment else ""))
    title = " ".join(resource.get("title", "").split())
    return f'CREATE TABLE "{resource["name"]}" (  -- {title}\n' + "\n".join(body) + "\n)"


def write_sqlite(dest: str, resources: list[dict]) -> list[str]:
    import sqlite3

    path = os.path.join(dest, "clusterdata.sqlite")
    if os.path.exists(path):
        os.remove(path)
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA foreign_keys = ON")
        order = sorted(resources, key=lambda r: bool(r["schema"].get("foreignKeys")))  # referenced tables first
        for resource in order:
            connection.execute(create_table_sql(resource))
            rows = load(resource["name"], backend="arrow").to_pylist()
            columns = [f["name"] for f in resource["schema"]["fields"]]
            marks = ", ".join("?" for _ in columns)
            connection.executemany(f'INSERT INTO "{resource["name"]}" VALUES ({marks})', [[row[c] for c in columns] for row in rows])
        connection.commit()
    finally:
        connection.close()
    metadata = {"title": _catalog.descriptor()["title"], "license": "CC-BY-4.0", "databases": {"clusterdata": {"tables": {
        r["name"]: {"title": r.get("title"), "description": r.get("description"),
                    "source": "; ".join(s["title"] for s in r.get("sources", [])) or None,
                    "columns": {f["name"]: f.get("description", "") for f in r["schema"]["fields"]},
                    "units": {f["name"]: f["unit"] for f in r["schema"]["fields"] if "unit" in f}}
        for r in resources}}}}
    with open(os.path.join(dest, "metadata.json"), "w", encoding="utf-8") as f:
        json.dump(metadata, f, indent=2, ensure_ascii=False)
        f.write("\n")
    for resource in resources:
        resource.update(path="clusterdata.sqlite", format="sqlite", mediatype="application/vnd.sqlite3", dialect={"table": resource["name"]})
    return ["clusterdata.sqlite", "metadata.json"]


WRITERS = {"parquet": write_parquet, "csv": write_csv, "json": write_json, "xlsx": write_xlsx, "sqlite": write_sqlite}
