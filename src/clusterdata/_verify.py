"""clusterdata verify: the size and sha256 of every file a datapackage.json lists, in the package or a downloaded folder.

frictionless checks neither for Parquet (nor the size of JSON); this check reads the bytes itself.
Paths are confined to the folder: an absolute path, a `..` or a link out of it is a problem, never opened.
"""

from __future__ import annotations

import hashlib
import json
import os


def verify(folder: str) -> tuple[int, list[str]]:
    """Check every file `folder`/datapackage.json lists.

    Parameters
    ----------
    folder : the folder holding datapackage.json.

    Returns
    -------
    The number of files checked, and one line per problem (empty when all is well).
    """
    descriptor_path = os.path.join(folder, "datapackage.json")
    root = os.path.realpath(folder)
    if os.path.islink(descriptor_path) and os.path.dirname(os.path.realpath(descriptor_path)) != root:
        return 0, [f"{descriptor_path}: is a link out of {folder}: not read"]
    try:
        with open(descriptor_path, encoding="utf-8") as f:
            descriptor = json.load(f)
    except FileNotFoundError:
        return 0, [f"{descriptor_path}: no such file (name the folder that holds datapackage.json)"]
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return 0, [f"{descriptor_path}: not a JSON file ({error})"]
    resources = descriptor.get("resources") if isinstance(descriptor, dict) else None
    if not isinstance(resources, list):
        return 0, [f"{descriptor_path}: has no list of resources"]
    problems, checked = [], set()
    for number, resource in enumerate(resources, start=1):
        name = resource.get("name", f"#{number}") if isinstance(resource, dict) else f"#{number}"
        where = f"{descriptor_path}: resource {name!r}"
        path = resource.get("path") if isinstance(resource, dict) else None
        if not isinstance(path, str) or not path:
            problems.append(f"{where}: has no path to a single file")
            continue
        full = os.path.realpath(os.path.join(root, path))
        if os.path.isabs(path) or "\\" in path or os.path.commonpath([root, full]) != root:
            problems.append(f"{where}: path {path!r} leads outside {folder}: not checked")
            continue
        expected_size, expected_hash = resource.get("bytes"), resource.get("hash")
        if (path, expected_size, expected_hash) in checked:
            continue  # several tables in one file (xlsx): one check
        checked.add((path, expected_size, expected_hash))
        if not os.path.isfile(full):
            problems.append(f"{where}: file {path!r} is missing")
            continue
        with open(full, "rb") as f:
            data = f.read()
        if expected_size is not None and expected_size != len(data):
            problems.append(f"{where}: file {path!r} has {len(data)} bytes, expected {expected_size}")
        if expected_hash is None:
            problems.append(f"{where}: file {path!r} has no hash to check")
        elif not str(expected_hash).startswith("sha256:"):
            problems.append(f"{where}: hash {expected_hash!r} is not a sha256 (write sha256:HEX)")
        elif expected_hash != "sha256:" + hashlib.sha256(data).hexdigest():
            problems.append(f"{where}: file {path!r} has sha256 {hashlib.sha256(data).hexdigest()}, "
                            f"expected {expected_hash.removeprefix('sha256:')}: it was corrupted or replaced")
    return len(checked), problems
