"""The catalog as shipped: datapackage.json and the Parquet files beside it (no pandas here)."""

from __future__ import annotations

import difflib
import functools
import hashlib
import json
from importlib.resources import files
from pathlib import Path


class UnknownTableError(LookupError):
    """A table name that is not in the catalog."""


class IntegrityError(OSError):
    """A data file whose bytes are not those datapackage.json records (corrupted or replaced)."""


_verified: set[Path] = set()


def verified_bytes(name: str) -> bytes:
    """The bytes of a table's Parquet file, checked against the sha256 in datapackage.json once per process."""
    path = parquet_path(name)
    data = path.read_bytes()
    if path in _verified:
        return data
    expected = resource(name).get("hash", "").removeprefix("sha256:")
    actual = hashlib.sha256(data).hexdigest()
    if actual != expected:
        raise IntegrityError(
            f"{path}: the file of table {name!r} is not the one datapackage.json describes "
            f"(sha256 {actual}, expected {expected}): it was corrupted or replaced; "
            "reinstall clusterdata, or in a checkout run `clusterdata build`"
        )
    _verified.add(path)
    return data


def data_root() -> Path:
    """Folder holding datapackage.json: inside an installed wheel, else the repository (editable install)."""
    bundled = Path(str(files("clusterdata"))) / "_data"
    if (bundled / "datapackage.json").is_file():
        return bundled
    repository = Path(__file__).resolve().parents[2]
    if (repository / "datapackage.json").is_file():
        return repository
    raise FileNotFoundError(
        f"clusterdata's datapackage.json is neither in {bundled} nor in {repository}: "
        "the installation is incomplete; reinstall the package"
    )


@functools.lru_cache(maxsize=None)
def descriptor() -> dict:
    """The parsed datapackage.json."""
    return json.loads((data_root() / "datapackage.json").read_text(encoding="utf-8"))


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
    close = difflib.get_close_matches(str(name), known, n=3, cutoff=0.6)
    hint = f"did you mean {' or '.join(repr(c) for c in close)}?" if close else f"the tables are: {', '.join(known)}"
    return f"no table named {name!r} in clusterdata; {hint}"


def parquet_path(name: str) -> Path:
    """The Parquet file of a table, checked to lie inside the package's data folder."""
    root = data_root()
    path = (root / resource(name)["path"]).resolve()
    if root.resolve() not in path.parents:
        raise ValueError(f"datapackage.json points table {name!r} outside the package: {path}")
    return path


def describe(name: str) -> dict:
    """The metadata of a table: title, description, source and citation, columns with units, annotations."""
    res = resource(name)
    return {
        "name": name,
        "title": res.get("title"),
        "description": res.get("description"),
        "source": res.get("sources", []),
        "location": res.get("location"),
        "source_notes": res.get("sourceNotes", []),
        "primary_key": res["schema"].get("primaryKey", []),
        "columns": [
            {key: field[key] for key in ("name", "type", "unit", "description", "constraints") if key in field}
            for field in res["schema"]["fields"]
        ],
        "annotations": annotations_of(name),
        "path": res["path"],
        "sha256": res.get("hash", "").removeprefix("sha256:"),
    }


def annotations_of(name: str) -> list[dict]:
    """The annotations rows of one table, read with pyarrow alone."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = pq.ParquetFile(pa.BufferReader(verified_bytes("annotations"))).read().to_pylist()
    return [{k: v for k, v in row.items() if k != "table_name"} for row in rows if row["table_name"] == name]
