"""diff(): the cell-level difference between two versions of the data, as a JSON-ready dict, text or Markdown.

A version is a released one ("0.1.0", from the releases stored with the package), a folder holding a
datapackage.json, or a git commit of the checkout (read with `git cat-file`, nothing checked out; the
argument is never given to a shell). Every Parquet file is checked against the sha256 its descriptor
records before it is read, and a path from a descriptor is used only if it stays inside its version.
Reading side: pyarrow only, no pandas, no pandera.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import re
import subprocess
from dataclasses import dataclass
from typing import Callable

from . import _catalog, _releases
from ._errors import IntegrityError
from ._model import Package, Table

# Metadata that no user of the data sees, so that a change to it is no change of the data (and needs no
# new version): the Parquet files' size and checksum (their values are compared instead), the data
# dictionary's chart specifications, and the version and release date themselves. Everything else in
# datapackage.json (titles, descriptions, units, constraints, keys, sources, locations, licences) is metadata
# a user reads, and is reported.
UNSEEN_RESOURCE_KEYS = {"bytes", "hash", "chart"}
UNSEEN_PACKAGE_KEYS = {"version", "created"}


@dataclass
class Version:
    """One version of the data: a label, its package, and a reader of a table's verified Parquet bytes."""

    label: str
    package: Package
    read: Callable[[Table], bytes]

    def __post_init__(self):
        for table in self.package.tables:  # every path checked before any is compared
            safe_relative(table.path, self.label)

    @property
    def version(self) -> str | None:
        return self.package.version

    def tables(self) -> dict[str, Table]:
        return {t.name: t for t in self.package.tables}

    def rows(self, table: Table) -> list[dict]:
        from ._load import read_parquet

        return read_parquet(self.read(table)).to_pylist()


def checked(data: bytes, table: Table, where: str) -> bytes:
    """`data` if its sha256 is the one the table records; an IntegrityError naming `where` otherwise."""
    expected = table.sha256
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise IntegrityError(f"{where}: the file of table {table.name!r} is not the one its datapackage.json "
                             f"describes (sha256 {actual}, expected {expected or 'none recorded'})")
    return data


def safe_relative(path: object, where: str) -> str:
    """A resource path that stays inside its version: relative, forward slashes, no '..'; else ValueError."""
    parts = str(path).split("/")
    if not isinstance(path, str) or path.startswith("/") or "\\" in path or ":" in path or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"{where}: datapackage.json: resource path {str(path)!r} is not a plain relative path inside the version; refused")
    return path


def from_folder(folder: str) -> Version:
    """The version held in a folder with a datapackage.json and the files it names (symbolic links refused)."""
    root = os.path.realpath(folder)
    with open(os.path.join(root, "datapackage.json"), encoding="utf-8") as f:
        package = Package.from_descriptor(json.load(f), os.path.join(folder, "datapackage.json"))

    def read(table: Table) -> bytes:
        relative = safe_relative(table.path, folder)
        path = os.path.join(root, *relative.split("/"))
        if os.path.realpath(path) != path:
            raise ValueError(f"{folder}: {relative} is a symbolic link or leads outside the folder; refused")
        with open(path, "rb") as f:
            return checked(f.read(), table, os.path.join(folder, relative))

    return Version(folder, package, read)


def from_release(version: str) -> Version:
    return Version(version, _releases.package(version), lambda t: _releases.released_bytes(version, t.name))


def git(*args: str, cwd: str) -> bytes:
    """The output of one git command, run without a shell; a CalledProcessError if git refuses."""
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=True).stdout


def from_git(ref: str, cwd: str) -> Version:
    """The version committed at `ref` of the repository around `cwd`, read blob by blob (nothing checked out)."""
    commit = git("rev-parse", "--verify", "--quiet", "--end-of-options", f"{ref}^{{commit}}", cwd=cwd).decode().strip()
    package = Package.from_descriptor(json.loads(git("cat-file", "blob", f"{commit}:datapackage.json", cwd=cwd)),
                                      f"{ref}:datapackage.json")

    def read(table: Table) -> bytes:
        relative = safe_relative(table.path, ref)
        return checked(git("cat-file", "blob", f"{commit}:{relative}", cwd=cwd), table, f"{ref}:{relative}")

    return Version(ref, package, read)


def installed() -> Version:
    """This installation's data (in a checkout, the working tree's datapackage.json and data/parquet)."""
    version = from_folder(_catalog.data_root())
    version.label = f"{version.version} (this installation)" if "_data" in _catalog.data_root() else "the working tree"
    return version


def resolve(spec: str | None, role: str = "version", repository: str | None = None) -> Version:
    """A version from what a user typed: a folder with datapackage.json, a released version, or a git commit
    (of the repository around `repository`, default the current directory)."""
    if spec is None:
        return installed()
    if os.path.isdir(spec):
        if not os.path.isfile(os.path.join(spec, "datapackage.json")):
            raise ValueError(f"{role} {spec!r}: the folder holds no datapackage.json")
        return from_folder(spec)
    if spec in _releases.versions():
        return from_release(spec)
    try:
        if not spec.startswith("-"):  # git would read it as an option (--end-of-options guards as well)
            return from_git(spec, repository or os.getcwd())
    except (subprocess.CalledProcessError, FileNotFoundError, json.JSONDecodeError):
        pass
    released = ", ".join(_releases.versions()) or "none"
    raise ValueError(f"{role} {spec!r} is neither a folder holding a datapackage.json, a released version "
                     f"({released}) nor a git commit with a datapackage.json in the repository here")


def same(a, b) -> bool:
    """Two cells are equal: NaN equals NaN, and otherwise ==."""
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, bool) or isinstance(b, bool):  # True == 1 in Python; not in the data
        return a is b
    return a == b


def plain(value):
    """A cell for JSON: NaN (an empty number) as None."""
    return None if isinstance(value, float) and math.isnan(value) else value


def metadata_changes(old: dict, new: dict, unseen: set, prefix: str = "") -> list[dict]:
    """Each key whose value differs, with both values (None where absent), keys in `unseen` left out."""
    keys = [k for k in dict.fromkeys([*old, *new]) if k not in unseen]
    return [{"field": prefix + k, "old": old.get(k), "new": new.get(k)} for k in keys if old.get(k) != new.get(k)]


def table_diff(name: str, old: Version, new: Version, old_table: Table, new_table: Table) -> dict:
    """The changes of one table present in both versions."""
    old_fields = {f.name: f for f in old_table.fields}
    new_fields = {f.name: f for f in new_table.fields}
    out = {
        "columns_added": [c for c in new_fields if c not in old_fields],
        "columns_removed": [c for c in old_fields if c not in new_fields],
        "columns_retyped": [{"column": c, "old": old_fields[c].type, "new": new_fields[c].type}
                            for c in old_fields if c in new_fields and old_fields[c].type != new_fields[c].type],
        "metadata": metadata_changes(old_table.metadata(), new_table.metadata(), UNSEEN_RESOURCE_KEYS),
    }
    out["metadata"] += metadata_changes(old_table.schema_metadata(), new_table.schema_metadata(), set(), "schema.")
    for c in old_fields:
        if c in new_fields:
            out["metadata"] += metadata_changes(old_fields[c].metadata(), new_fields[c].metadata(), set(), f"column {c}: ")
    out.update(rows_added=[], rows_removed=[], cells=[])
    if old_table.hash == new_table.hash and old_table.hash:
        return out  # the same file: the same values
    key = [k for k in new_table.primary_key if k in old_fields]
    old_rows, new_rows = old.rows(old_table), new.rows(new_table)

    def keyed(rows):
        return {tuple(row[k] for k in key) if key else (i,): row for i, row in enumerate(rows)}

    before, after = keyed(old_rows), keyed(new_rows)
    label = lambda k: dict(zip(key, k)) if key else {"row": k[0] + 1}
    out["rows_added"] = [label(k) for k in after if k not in before]
    out["rows_removed"] = [label(k) for k in before if k not in after]
    common = [c for c in new_fields if c in old_fields]
    for k, row in after.items():
        if k in before:
            out["cells"] += [{"key": label(k), "column": c, "old": plain(before[k][c]), "new": plain(row[c])}
                             for c in common if not same(before[k][c], row[c])]
    return out


def compare(old: Version, new: Version) -> dict:
    """The difference between two versions as a JSON-ready dict."""
    old_res, new_res = old.tables(), new.tables()
    tables = {}
    for name in new_res:
        if name in old_res:
            change = table_diff(name, old, new, old_res[name], new_res[name])
            if any(change.values()):
                tables[name] = change
    return {
        "old": {"label": old.label, "version": old.version},
        "new": {"label": new.label, "version": new.version},
        "package": metadata_changes(old.package.metadata(), new.package.metadata(), UNSEEN_PACKAGE_KEYS),
        "tables_added": [n for n in new_res if n not in old_res],
        "tables_removed": [n for n in old_res if n not in new_res],
        "tables": tables,
    }


def diff(old: str | None = None, new: str | None = None) -> dict:
    """The difference between version `old` (default: the latest release) and `new` (default: this installation)."""
    if old is None:
        released = _releases.versions()
        if not released:
            raise ValueError("no release is recorded yet: name the OLD version (a folder or a git commit)")
        old = released[-1]
    return compare(resolve(old, "OLD"), resolve(new, "NEW"))


def changes(since: str, name: str | None = None) -> dict:
    """What changed since released version `since` in this installation's data, for one table or all;
    for one table, the changed notes on it (rows of `annotations` naming it) come with it."""
    if since not in _releases.versions():
        raise ValueError(_releases.unknown_version_message(since))
    result = compare(from_release(since), installed())
    if name is not None:
        _catalog.table(name)  # an unknown table is an error, not an empty answer
        notes = result["tables"].get("annotations")
        result["tables"] = {n: c for n, c in result["tables"].items() if n == name}
        result["tables_added"] = [n for n in result["tables_added"] if n == name]
        result["package"] = []
        if notes and name != "annotations":
            on_it = {"rows_added": [k for k in notes["rows_added"] if k.get("table_name") == name],
                     "rows_removed": [k for k in notes["rows_removed"] if k.get("table_name") == name],
                     "cells": [c for c in notes["cells"] if c["key"].get("table_name") == name]}
            if any(on_it.values()):
                result["tables"]["annotations"] = {**notes, **on_it}
    return result


def changed_tables(result: dict) -> list[str]:
    """The names of the tables a diff adds, removes or changes."""
    return [*result["tables_added"], *result["tables_removed"], *result["tables"]]


# Rendering -----------------------------------------------------------------------------------------------

def value_text(value) -> str:
    """A cell as text: numbers as stored (21.1, 45), strings quoted, an empty cell as (empty)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "(empty)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.15g}"
    if isinstance(value, (int,)):
        return str(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def key_text(key: dict) -> str:
    """A row's key as text: year=2003, or firm=BOE, year=2008 (key values are printed bare)."""
    return ", ".join(f"{k}={v if isinstance(v, str) else value_text(v)}" for k, v in key.items())


def lines(result: dict) -> list[tuple[str, str]]:
    """The diff as (table or '', line) pairs in reading order: what both text and Markdown print."""
    out = [("", f"metadata: {c['field']}: {value_text(c['old'])} -> {value_text(c['new'])}") for c in result["package"]]
    out += [(n, "table added") for n in result["tables_added"]]
    out += [(n, "table removed") for n in result["tables_removed"]]
    for name, t in result["tables"].items():
        out += [(name, f"column added: {c}") for c in t["columns_added"]]
        out += [(name, f"column removed: {c}") for c in t["columns_removed"]]
        out += [(name, f"column retyped: {c['column']}: {c['old']} -> {c['new']}") for c in t["columns_retyped"]]
        out += [(name, f"metadata: {c['field']}: {value_text(c['old'])} -> {value_text(c['new'])}") for c in t["metadata"]]
        out += [(name, f"row added: {key_text(k)}") for k in t["rows_added"]]
        out += [(name, f"row removed: {key_text(k)}") for k in t["rows_removed"]]
        out += [(name, f"cell {key_text(c['key'])}, {c['column']}: {value_text(c['old'])} -> {value_text(c['new'])}") for c in t["cells"]]
    return out


def summary(result: dict) -> str:
    old, new = result["old"], result["new"]
    return f"{old['label']} (version {old['version']}) -> {new['label']} (version {new['version']})"


def render_text(result: dict) -> str:
    """The diff for people: one line per change, grouped by table."""
    body, current = [], None
    for table, line in lines(result):
        if table != current:
            body.append(f"{table}:" if table else "package:")
            current = table
        body.append(f"  {line}")
    return "\n".join([summary(result), *(body or ["no differences in the data or its metadata"])]) + "\n"


def markdown_escape(text: str) -> str:
    """Text safe in a Markdown table cell: no HTML, links, emphasis or cell breaks can come from the data."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", " ")
    return re.sub(r"([\\`*_\[\]()!#|~])", r"\\\1", text)


def render_markdown(result: dict) -> str:
    """The diff as Markdown for a pull-request comment: a heading and a table of changes per table."""
    out = [f"### clusterdata diff: {markdown_escape(summary(result))}", ""]
    body, current = lines(result), None
    if not body:
        out.append("No differences in the data or its metadata.")
    for table, line in body:
        if table != current:
            out += ["", f"#### {markdown_escape(table) if table else 'package'}", "", "| change |", "|---|"]
            current = table
        out.append(f"| {markdown_escape(line)} |")
    return "\n".join(out).replace("\n\n\n", "\n\n") + "\n"


def render(result: dict, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n"
    return render_markdown(result) if fmt == "markdown" else render_text(result)
