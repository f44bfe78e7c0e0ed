"""Released versions, offline: each release's datapackage.json and the Parquet files it names, by sha256.

`releases/<version>/datapackage.json` is the descriptor exactly as released. A Parquet file is found by
the sha256 that descriptor records: in data/parquet when the current file is that one (no copy is
stored), else in `releases/objects/<sha256>.parquet`, where a file is stored once however many
releases share it. Every file is checked against its sha256 before it is read, so a release loads
byte for byte as it was published or not at all. Reading side: no pandera, no TOML.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import re

from . import _catalog
from ._errors import IntegrityError, UnknownTableError
from ._model import DescriptorError, Package, Table

VERSION = re.compile(r"\d+\.\d+\.\d+")


def releases_root() -> str:
    """The folder of recorded releases, beside datapackage.json (in the wheel or the checkout)."""
    return os.path.join(_catalog.data_root(), "releases")


def version_key(version: str) -> tuple[int, ...]:
    """'0.10.1' -> (0, 10, 1), for ordering versions numerically."""
    return tuple(int(part) for part in version.split("."))


def versions() -> list[str]:
    """The recorded released versions, oldest first."""
    root = releases_root()
    found = [v for v in (os.listdir(root) if os.path.isdir(root) else [])
             if VERSION.fullmatch(v) and os.path.isfile(os.path.join(root, v, "datapackage.json"))]
    return sorted(found, key=version_key)


def unknown_version_message(version: object) -> str:
    known = versions()
    return f"clusterdata has no released version {version!r}; the released versions are: {', '.join(known) or 'none yet'}"


@functools.lru_cache(maxsize=None)
def descriptor(version: str) -> dict:
    """The datapackage.json of a released version, as released."""
    if not isinstance(version, str) or version not in versions():  # a version is looked up, never used as a path
        raise ValueError(unknown_version_message(version))
    with open(os.path.join(releases_root(), version, "datapackage.json"), encoding="utf-8") as f:
        return json.load(f)


_checked: dict[str, tuple[dict, Package]] = {}  # version -> the descriptor last checked (descriptor() caches it), its Package


def package(version: str) -> Package:
    """The datapackage.json of a released version as typed objects, checked once."""
    parsed = descriptor(version)
    if version not in _checked or _checked[version][0] is not parsed:
        try:
            _checked[version] = (parsed, Package.from_descriptor(parsed, os.path.join(releases_root(), version, "datapackage.json")))
        except DescriptorError as error:
            raise IntegrityError(f"{error}: reinstall clusterdata") from None
    return _checked[version][1]


def table(version: str, name: str) -> Table:
    """Table `name` as a released version describes it."""
    found = package(version).table(name)
    if found is None:
        raise UnknownTableError(f"version {version} has no table {name!r}; its tables are: {', '.join(package(version).names)}")
    return found


def object_path(sha256: str) -> str:
    """Where a stored Parquet file of that sha256 lies (the name is checked to be a hex digest)."""
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise IntegrityError(f"not a sha256: {sha256!r}")
    return os.path.join(releases_root(), "objects", f"{sha256}.parquet")


def released_bytes(version: str, name: str) -> bytes:
    """The Parquet bytes of table `name` as released in `version`, checked against the sha256 it was released with."""
    expected = table(version, name).sha256
    candidates = [object_path(expected)]
    try:
        if _catalog.table(name).sha256 == expected:
            candidates.insert(0, _catalog.parquet_path(name))
    except UnknownTableError:
        pass
    for path in candidates:
        if os.path.isfile(path):
            with open(path, "rb") as f:
                data = f.read()
            if hashlib.sha256(data).hexdigest() == expected:
                return data
    raise IntegrityError(
        f"table {name!r} of version {version} (sha256 {expected}) is missing or altered in this installation: "
        f"looked in {', '.join(candidates)}; reinstall clusterdata"
    )
