"""Releases, contributor side: the semantic-version check, recording a release, and the release bundle.

What needs which version bump (the rule CI enforces, in one place, `BUMP_RULES`):
- major: a table or column removed (a rename is a removal and an addition), a column retyped, a key changed;
- minor: a table or column added;
- patch: any changed, added or removed row or cell, any annotation, any metadata a data user reads
  (titles, descriptions, units, constraints, sources, locations, licences: see `_diff.UNSEEN_*` for the
  few keys no user sees, such as the data dictionary's charts, which need no bump).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from .. import _diff, _releases
from .._model import Package

LEVELS = ("none", "patch", "minor", "major")
VERSION_FILES = {  # every place that states the version, with the pattern that finds it
    "src/clusterdata/__init__.py": r'^__version__ = "([^"]+)"',
    "CITATION.cff": r"^version: ?\"?([0-9][^\s\"]*)",
    "CHANGELOG.md": r"^## ([0-9]+\.[0-9]+\.[0-9]+)",
    "datapackage.json": "version",  # JSON files: the top-level key
    ".zenodo.json": "version",
}


def bump_reasons(result: dict) -> dict[str, list[str]]:
    """What in a diff needs which level of bump: level -> the changes that need it."""
    reasons = {level: [] for level in LEVELS[1:]}
    reasons["major"] += [f"table {n} removed" for n in result["tables_removed"]]
    reasons["minor"] += [f"table {n} added" for n in result["tables_added"]]
    reasons["patch"] += [f"package metadata {c['field']} changed" for c in result["package"]]
    for name, t in result["tables"].items():
        reasons["major"] += [f"column {name}.{c} removed" for c in t["columns_removed"]]
        reasons["major"] += [f"column {name}.{c['column']} retyped" for c in t["columns_retyped"]]
        reasons["major"] += [f"key of {name} changed" for c in t["metadata"] if c["field"] == "schema.primaryKey"]
        reasons["minor"] += [f"column {name}.{c} added" for c in t["columns_added"]]
        patch = [f"{len(t[k])} {what}" for k, what in (("cells", "cell(s) changed"), ("rows_added", "row(s) added"),
                                                        ("rows_removed", "row(s) removed"), ("metadata", "metadata change(s)")) if t[k]]
        if patch:
            reasons["patch"].append(f"{name}: {', '.join(patch)}")
    return reasons


def required_level(reasons: dict[str, list[str]]) -> str:
    return next((level for level in reversed(LEVELS[1:]) if reasons[level]), "none")


def bump_level(old: str, new: str) -> str:
    """The level of the step from version `old` to `new` ('lower' if it goes back)."""
    a, b = _releases.version_key(old), _releases.version_key(new)
    if b < a:
        return "lower"
    return "none" if a == b else "major" if b[0] > a[0] else "minor" if b[1] > a[1] else "patch"


def next_version(old: str, level: str) -> str:
    major, minor, patch = _releases.version_key(old)
    return {"major": f"{major + 1}.0.0", "minor": f"{major}.{minor + 1}.0", "patch": f"{major}.{minor}.{patch + 1}"}[level]


def stated_versions(root: Path) -> dict[str, str | None]:
    """The version each file states (None where a file that must state it does not)."""
    found = {}
    for relative, pattern in VERSION_FILES.items():
        path = root / relative
        if path.is_file() and relative.endswith(".json"):
            found[relative] = json.loads(path.read_text(encoding="utf-8")).get(pattern)
        elif path.is_file():
            match = re.search(pattern, path.read_text(encoding="utf-8"), re.MULTILINE)
            found[relative] = match.group(1) if match else None
    return found


def changelog_entry(root: Path, version: str) -> str | None:
    """The text of CHANGELOG.md's section for `version`, or None."""
    text = (root / "CHANGELOG.md").read_text(encoding="utf-8")
    match = re.search(rf"^## {re.escape(version)}\b.*?(?=^## |\Z)", text, re.MULTILINE | re.DOTALL)
    return match.group(0) if match else None


def check(root: Path, base: str | None = None) -> tuple[bool, str]:
    """Whether the checkout's version is right for what changed since `base` (a git commit; default: the
    latest recorded release), and the one message that says so or says what to bump and why."""
    stated = stated_versions(root)
    version = stated.get("src/clusterdata/__init__.py")
    disagree = [f"{file} says {v or 'nothing'}" for file, v in stated.items() if v != version]
    if disagree:
        return False, (f"the version is stated differently: src/clusterdata/__init__.py says {version}, "
                       f"{', '.join(disagree)}; make them all {version} (datapackage.json: run `clusterdata build`)")
    released = _releases.versions()
    if base is None:
        if not released:
            return False, "no release is recorded in releases/: run `clusterdata release record` for the first one"
        old = _diff.from_release(released[-1])
        where = f"the latest release, {released[-1]}"
    else:
        old = _diff.resolve(base, "--base", str(root))
        where = f"{base} (version {old.version})"
    result = _diff.compare(old, _diff.from_folder(str(root)))
    reasons = bump_reasons(result)
    level = required_level(reasons)
    if level == "none":
        return True, f"release check: version {version}, stated alike in {len(stated)} files; the data did not change since {where}"
    reference = old.version if old.version in released or not released else released[-1]
    why = "; ".join(reasons[level][:5]) + (f"; and {len(reasons[level]) - 5} more" if len(reasons[level]) > 5 else "")
    step = bump_level(reference, version)
    if step == "lower" or LEVELS.index(step) < LEVELS.index(level):
        wanted = next_version(reference, level)
        return False, (f"the data changed since {where} and needs a {level} version ({why}): version {version} is not "
                       f"enough; set {wanted} in {', '.join(f for f in stated if f != 'datapackage.json')}, "
                       f"write a '## {wanted}' entry in CHANGELOG.md naming {', '.join(_diff.changed_tables(result)) or 'the change'}, "
                       "then run `clusterdata build`")
    entry = changelog_entry(root, version) or ""
    missing = [n for n in _diff.changed_tables(result) if not re.search(rf"(?<![\w]){re.escape(n)}(?![\w])", entry)]
    if missing:
        return False, (f"CHANGELOG.md: the entry '## {version}' must name every table that changed since {where}; "
                       f"it does not name {', '.join(missing)}")
    return True, f"release check: version {version} ({step} over {reference}) covers what changed since {where} ({why})"


def keep_released(root: Path, changed: list[Path]) -> list[Path]:
    """Before a build replaces Parquet files, store in releases/objects each one a recorded release published."""
    releases = root / "releases"
    published = {t.sha256 for d in sorted(releases.glob("*/datapackage.json"))
                 for t in Package.from_descriptor(json.loads(d.read_text(encoding="utf-8")), str(d)).tables}
    kept = []
    for relative in changed:
        path = root / relative
        if relative.suffix == ".parquet" and path.is_file():
            data = path.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            target = releases / "objects" / f"{digest}.parquet"
            if digest in published and not target.is_file():
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(data)
                kept.append(target.relative_to(root))
    return kept


def record(root: Path) -> Path:
    """Record the checkout's current version as released: its datapackage.json into releases/<version>/."""
    descriptor = (root / "datapackage.json").read_bytes()
    version = json.loads(descriptor)["version"]
    target = root / "releases" / version / "datapackage.json"
    if target.is_file():
        if target.read_bytes() == descriptor:
            return target.relative_to(root)
        raise FileExistsError(f"{target.relative_to(root)}: version {version} is already recorded with other data; "
                              "a release never changes: bump the version")
    target.parent.mkdir(parents=True)
    target.write_bytes(descriptor)
    return target.relative_to(root)


# Release metadata, made by `clusterdata build` from schemas/_package.toml (the one place of the package's
# homepage and repository) -----------------------------------------------------------------------------

NO_LOCATION = "The dataset has no published location yet (no homepage or repository is declared in schemas/_package.toml)."
GENERATED = "# Made by `clusterdata build` from schemas/_package.toml and the version: edit those, not this file.\n"


def locations(package: dict) -> dict[str, str]:
    """The declared homepage and repository (only those set, and only http(s) addresses)."""
    found = {key: package[key] for key in ("homepage", "repository") if package.get(key)}
    for key, url in found.items():
        if not re.fullmatch(r"https?://[^\s\"'<>]+", url):
            raise ValueError(f"schemas/_package.toml: {key} = {url!r} is not an http(s) address")
    return found


def authors(package: dict) -> list[str]:
    return [c["title"] for c in package.get("contributors", []) if "creator" in c.get("roles", ["creator"])]


def citation_cff(package: dict, version: str) -> str:
    """CITATION.cff: title, authors, version, release date, licence, keywords, and where the dataset lives."""
    q = lambda text: json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar
    where = locations(package)
    message = ("If you use clusterdata, cite the dataset and, for each table, its source: clusterdata.cite(NAME) "
               "or `clusterdata cite NAME` gives both.") + ("" if where else " " + NO_LOCATION)
    lines = [GENERATED.rstrip(), "cff-version: 1.2.0", f"message: {q(message)}", f"title: {q(package['title'])}",
             "type: dataset", "authors:", *[f"  - name: {q(name)}" for name in authors(package)],
             f"version: {version}", f"date-released: {package['created'][:10]}",
             f"license: {package['licenses'][0]['name']}"]
    lines += [f"url: {q(where['homepage'])}"] if "homepage" in where else []
    lines += [f"repository-code: {q(where['repository'])}"] if "repository" in where else []
    lines += ["keywords:", *[f"  - {q(k)}" for k in package.get("keywords", [])]]
    return "\n".join(lines) + "\n"


def zenodo_json(package: dict, version: str) -> str:
    """.zenodo.json: what Zenodo's GitHub integration reads to describe a release and give it a DOI."""
    where = locations(package)
    record = {
        "title": package["title"], "upload_type": "dataset", "version": version,
        "publication_date": package["created"][:10],
        "description": " ".join(package["description"].split()),
        "creators": [{"name": name} for name in authors(package)],
        "license": package["licenses"][0]["name"].lower(), "keywords": package.get("keywords", []),
    }
    if where:
        record["related_identifiers"] = [{"identifier": url, "relation": "isSupplementTo", "scheme": "url"} for url in where.values()]
    else:
        record["notes"] = NO_LOCATION
    return json.dumps(record, indent=2, ensure_ascii=False) + "\n"


def datacite(package: dict, version: str) -> dict:
    """DataCite (kernel 4.5) metadata of a release, as JSON; the DOI is left to the repository that mints it."""
    where = locations(package)
    record = {
        "types": {"resourceTypeGeneral": "Dataset", "resourceType": "Tables"},
        "creators": [{"name": name, "nameType": "Organizational"} for name in authors(package)],
        "titles": [{"title": package["title"]}],
        "publisher": {"name": authors(package)[0]},
        "publicationYear": package["created"][:4],
        "version": version,
        "dates": [{"date": package["created"][:10], "dateType": "Issued"}],
        "subjects": [{"subject": k} for k in package.get("keywords", [])],
        "rightsList": [{"rights": lic["title"], "rightsUri": lic["path"], "rightsIdentifier": lic["name"].lower(),
                        "rightsIdentifierScheme": "SPDX"} for lic in package["licenses"]],
        "descriptions": [{"description": " ".join(package["description"].split()), "descriptionType": "Abstract"}],
        "formats": ["application/vnd.apache.parquet", "text/csv", "application/json"],
        "schemaVersion": "http://datacite.org/schema/kernel-4",
    }
    if where:
        record["relatedIdentifiers"] = [{"relatedIdentifier": url, "relatedIdentifierType": "URL", "relationType": "IsSupplementTo"}
                                        for url in where.values()]
    return record


def release_files(package: dict, version: str) -> dict[Path, bytes]:
    """The release metadata files `clusterdata build` writes at the root of the checkout."""
    return {Path("CITATION.cff"): citation_cff(package, version).encode("utf-8"),
            Path(".zenodo.json"): zenodo_json(package, version).encode("utf-8")}


# The release bundle ----------------------------------------------------------------------------------------

BUNDLE_FORMATS = ("csv", "json", "xlsx", "sqlite")  # beside the Parquet files and datapackage.json as released
ZIP_DATE = (1980, 1, 1, 0, 0, 0)  # every entry of the zip dated alike, so that the same release zips to the same bytes


def bundle(root: Path, dest: Path) -> tuple[Path, Path]:
    """Write the release of the checkout's version: `dest/clusterdata-V/` (datapackage.json and data/parquet as
    released, csv/, json/, xlsx/ and sqlite/ exports, CITATION.cff, CHANGELOG.md, LICENSE, README.md,
    datacite.json, SHA256SUMS) and `dest/clusterdata-V.zip` of it. Refused unless the version is recorded."""
    import shutil
    import zipfile

    from .. import __version__
    from .._export import export
    from .definitions import read_package_metadata

    recorded = root / "releases" / __version__ / "datapackage.json"
    if not recorded.is_file() or recorded.read_bytes() != (root / "datapackage.json").read_bytes():
        raise ValueError(f"version {__version__} is not recorded as released (or its data changed since): "
                         "run `clusterdata release check`, then `clusterdata release record` and commit releases/")
    folder, archive = dest / f"clusterdata-{__version__}", dest / f"clusterdata-{__version__}.zip"
    for path in (folder, archive):
        if path.exists():
            raise FileExistsError(f"{path} exists: a release bundle is written once; remove it or name another folder")
    for fmt in BUNDLE_FORMATS:
        export(str(folder / fmt), fmt)
    shutil.copytree(root / "data" / "parquet", folder / "data" / "parquet")  # the release's own files: its datapackage.json applies
    for name in ("datapackage.json", "CITATION.cff", "CHANGELOG.md", "LICENSE", "README.md"):
        shutil.copy(root / name, folder / name)
    package = read_package_metadata(root / "schemas")
    (folder / "datacite.json").write_text(json.dumps(datacite(package, __version__), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    sums = "".join(f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(folder).as_posix()}\n" for p in files)
    (folder / "SHA256SUMS").write_text(sums, encoding="utf-8")
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(f"{folder.name}/{path.relative_to(folder).as_posix()}", ZIP_DATE)
            info.compress_type, info.external_attr = zipfile.ZIP_DEFLATED, 0o644 << 16
            z.writestr(info, path.read_bytes())
    return folder, archive
