"""The catalog as shipped: datapackage.json and the Parquet files beside it (no pandas here)."""

from __future__ import annotations

import functools
import os

from ._errors import IntegrityError, UnknownTableError
from ._safety import printable, table_name_problem

_PACKAGE = os.path.dirname(os.path.abspath(__file__))


def data_root() -> str:
    """Folder holding datapackage.json: inside an installed wheel, else the repository (editable install)."""
    bundled = os.path.join(_PACKAGE, "_data")
    if os.path.isfile(os.path.join(bundled, "datapackage.json")):
        return bundled
    repository = os.path.dirname(os.path.dirname(_PACKAGE))
    if os.path.isfile(os.path.join(repository, "datapackage.json")):
        return repository
    raise FileNotFoundError(
        f"clusterdata's datapackage.json is neither in {bundled} nor in {repository}: "
        "the installation is incomplete; reinstall the package"
    )


@functools.lru_cache(maxsize=None)
def descriptor() -> dict:
    """The parsed datapackage.json, its resource names checked to be table names (they become file names)."""
    import json

    path = os.path.join(data_root(), "datapackage.json")
    try:
        with open(path, encoding="utf-8") as f:
            parsed = json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise IntegrityError(f"{path}: is not valid JSON ({error}): reinstall clusterdata, or in a checkout run `clusterdata build`") from None
    resources = parsed.get("resources") if isinstance(parsed, dict) else None
    if not isinstance(resources, list) or not all(isinstance(r, dict) for r in resources):
        raise IntegrityError(f"{path}: has no list of resources: reinstall clusterdata, or in a checkout run `clusterdata build`")
    for number, res in enumerate(resources, 1):
        rule = table_name_problem(res.get("name"))
        if rule:
            raise IntegrityError(f'{path}: resource {number}: name "{printable(str(res.get("name")))}" {rule}')
    return parsed


def verified_bytes(name: str) -> bytes:
    """The bytes of a table's Parquet file, their sha256 checked against datapackage.json at every read."""
    import hashlib

    path = parquet_path(name)
    with open(path, "rb") as f:
        data = f.read()
    expected = resource(name).get("hash", "").removeprefix("sha256:")
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise IntegrityError(
            f"{path}: the file of table {name!r} is not the one datapackage.json describes "
            f"(sha256 {actual}, expected {expected}): it was corrupted or replaced; "
            "reinstall clusterdata, or in a checkout run `clusterdata build`"
        )
    return data


def check_embedded_name(name: str, provenance) -> None:
    """Refuse a file whose own table name (the build's `clusterdata` key-value metadata, JSON) is not `name`:
    a hash only proves the file is the one datapackage.json lists, not that it is listed under the right name."""
    import json

    try:
        embedded = json.loads(provenance).get("table")
    except (TypeError, ValueError, AttributeError):
        embedded = None
    if embedded != name:
        raise IntegrityError(
            f'{parquet_path(name)}: holds table "{printable(str(embedded))}", not {name!r}: datapackage.json points '
            f"{name!r} at another table's file; reinstall clusterdata, or in a checkout run `clusterdata build`"
        )


def tables() -> list[str]:
    """The names of all tables, in catalog order."""
    return [resource["name"] for resource in descriptor()["resources"]]


def resource(name: str) -> dict:
    """The datapackage resource of a table; the name is looked up, never used as a path."""
    for candidate in descriptor()["resources"]:
        if candidate["name"] == name:
            return candidate
    raise UnknownTableError(unknown_table_message(name, tables()))


def unknown_table_message(name: object, known: list[str]) -> str:
    return unknown_name_message("table", name, known, "in clusterdata")


def unknown_name_message(kind: str, name: object, known: list[str], where: str) -> str:
    """`no KIND named NAME WHERE; did you mean ...?` (or the list of known names when none is close)."""
    import difflib

    close = difflib.get_close_matches(str(name), known, n=3, cutoff=0.6)
    hint = f"did you mean {' or '.join(repr(c) for c in close)}?" if close else f"the {kind}s are: {', '.join(known)}"
    return f"no {kind} named {name!r} {where}; {hint}"


def parquet_path(name: str) -> str:
    """The Parquet file of a table, checked to lie inside the package's data folder."""
    root = os.path.realpath(data_root())
    path = os.path.realpath(os.path.join(root, resource(name)["path"]))
    if os.path.commonpath([root, path]) != root:
        raise ValueError(f"datapackage.json points table {name!r} outside the package: {path}")
    return path
