"""The catalog as shipped: datapackage.json and the Parquet files beside it (no pandas here)."""

from __future__ import annotations

import functools
import os

from ._errors import IntegrityError, UnknownTableError
from ._model import DescriptorError, Package, Table
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
    """The parsed datapackage.json, as JSON (package() is what the rest of the package reads)."""
    import json

    path = os.path.join(data_root(), "datapackage.json")
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise IntegrityError(f"{path}: is not valid JSON ({error}): reinstall clusterdata, or in a checkout run `clusterdata build`") from None


_checked: list = [None, None]  # the descriptor last checked (descriptor() caches it) and its Package


def package() -> Package:
    """datapackage.json as typed objects, checked once: what it must hold, and its table names (they become file names)."""
    parsed = descriptor()
    if _checked[0] is not parsed:
        _checked[:] = [parsed, checked_package(parsed)]
    return _checked[1]


def checked_package(parsed) -> Package:
    path = os.path.join(data_root(), "datapackage.json")
    try:
        found = Package.from_descriptor(parsed, path)
    except DescriptorError as error:
        raise IntegrityError(f"{error}: reinstall clusterdata, or in a checkout run `clusterdata build`") from None
    for number, table in enumerate(found.tables, 1):
        rule = table_name_problem(table.name)
        if rule:
            raise IntegrityError(f'{path}: resource {number}: name "{printable(table.name)}" {rule}')
    return found


def sha256_hex(data: bytes) -> str:
    """The sha256 of `data` in hex, by CPython's own sha256 module where it is found: hashlib loads OpenSSL first
    (about 3 ms, more than the first load's files take to hash); hashlib is the fallback should a Python lack it."""
    try:
        from _sha2 import sha256  # Python 3.12 and later
    except ImportError:
        try:
            from _sha256 import sha256  # Python 3.11
        except ImportError:
            from hashlib import sha256
    return sha256(data).hexdigest()


def verified_bytes(name: str) -> bytes:
    """The bytes of a table's Parquet file, their sha256 checked against datapackage.json at every read."""
    path = parquet_path(name)
    with open(path, "rb") as f:
        data = f.read()
    expected = table(name).sha256
    actual = sha256_hex(data)
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
    return package().names


def table(name: str) -> Table:
    """The typed description of a table (datapackage.json's resource); the name is looked up, never used as a path."""
    found = package().table(name)
    if found is None:
        raise UnknownTableError(unknown_table_message(name, tables()))
    return found


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
    path = os.path.realpath(os.path.join(root, table(name).path))
    if os.path.commonpath([root, path]) != root:
        raise ValueError(f"datapackage.json points table {name!r} outside the package: {path}")
    return path
