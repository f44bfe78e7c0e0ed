"""clusterdata build: raw CSVs -> data/parquet/*.parquet + datapackage.json (and the dictionary, README catalog, CITATION.cff, .zenodo.json), only if everything validates.

Nothing is written until every table has validated and every output has been rendered in memory;
then, under a lock, the changed files are staged together and switched into place all or none
(write_atomically). A Parquet file whose
content (data, types, column metadata) is unchanged keeps its bytes, so a build with another
pyarrow version does not rewrite the data, and `--check` compares content, not writer versions.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
from pathlib import Path

from .. import __version__
from .._model import Contributor, License, Package, Source
from .dictionary import drawn_charts, render_site
from .definitions import TableDef, read_package_metadata
from .validate import ParsedTable, Problem, validate_package

PARQUET_DIR = Path("data") / "parquet"
DESCRIPTOR = Path("datapackage.json")
README = Path("README.md")
NAMES = Path("src") / "clusterdata" / "_names.py"  # the table names as a typing.Literal
SITE = Path("docs") / "dictionary"
CATALOG_START, CATALOG_END = "<!-- catalog:start (made by clusterdata build) -->", "<!-- catalog:end -->"


class BuildFailed(Exception):
    def __init__(self, problems: list[Problem]):
        super().__init__(f"{len(problems)} problem(s)")
        self.problems = problems


def find_root(start: Path | None = None) -> Path:
    """The repository checkout around `start` (default: the current directory)."""
    start = (start or Path.cwd()).resolve()
    for folder in [start, *start.parents]:
        if (folder / "schemas" / "_package.toml").is_file() and (folder / "data" / "raw").is_dir():
            return folder
    raise FileNotFoundError(
        f"no clusterdata repository at or above {start}: build and validate run inside a checkout "
        "(with schemas/ and data/raw/); pass --root to name one"
    )


def render_parquet(parsed: ParsedTable, table: TableDef, provenance: dict) -> bytes:
    """The Parquet bytes of one table: typed columns, enums dictionary-encoded, zstd, no timestamps."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from .._load import pandas_dtype

    # only the columns whose type differs are converted (astype copies every column it is given, even to its own type)
    wanted = {f.name: resolved_dtype(pandas_dtype(f)) for f in table.described().fields}
    changed = {name: wanted[name] for name, kind in zip(parsed.frame.columns, parsed.frame.dtypes) if kind != wanted[name]}
    frame = parsed.frame.astype(changed) if changed else parsed.frame
    arrow = pa.Table.from_pandas(frame, schema=table.arrow_schema(), preserve_index=False)
    metadata = dict(arrow.schema.metadata or {})
    metadata[b"clusterdata"] = json.dumps(provenance, ensure_ascii=False, sort_keys=True).encode()
    sink = pa.BufferOutputStream()
    pq.write_table(arrow.replace_schema_metadata(metadata), sink, compression="zstd")
    return sink.getvalue().to_pybytes()


@functools.cache
def resolved_dtype(name):
    """The pandas dtype object of a dtype or its name ("Int64"), looked up once per name."""
    from pandas.api.types import pandas_dtype

    return pandas_dtype(name)


def same_content(a: bytes, b: bytes) -> bool:
    """Two Parquet files hold the same table: data, types, field metadata and our provenance (not writer versions)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    def read(data: bytes):
        table = pq.ParquetFile(pa.BufferReader(data)).read()
        meta = {k: v for k, v in (table.schema.metadata or {}).items() if k == b"clusterdata"}
        return table.replace_schema_metadata(meta)

    try:
        return read(a).equals(read(b), check_metadata=True)
    except (pa.ArrowInvalid, OSError):
        return False


def sources_by_id(parsed: dict[str, ParsedTable]) -> dict[str, dict]:
    return {row["source_id"]: row for row in parsed["sources"].records()} if "sources" in parsed else {}


def source_entry(source: dict) -> Source:
    """A row of the `sources` table as the descriptor cites it: citation, web address (if any), reuse terms."""
    return Source(title=source["citation"], path=source.get("url") or None, rights=source["rights"])


def render(root: Path, parsed: dict[str, ParsedTable], definitions: dict[str, TableDef]) -> dict[Path, bytes]:
    """Every output file (relative path -> bytes). Parquet content that has not changed keeps the bytes on disk."""
    package = read_package_metadata(root / "schemas")
    sources = sources_by_id(parsed)
    outputs: dict[Path, bytes] = {}
    tables = []
    for name, table in definitions.items():
        source = sources.get(table.source) if table.source else None
        # No dataset version here (datapackage.json states it): a table that did not change keeps its bytes
        # across releases, so releases/objects stores only the tables a release changed.
        provenance = {"table": name, "title": table.title,
                      "source": source["citation"] if source else None, "location": table.location}
        relative = Path(table.described().path)  # data/parquet/NAME.parquet
        data = render_parquet(parsed[name], table, provenance)
        on_disk = root / relative
        if on_disk.is_file():
            old = on_disk.read_bytes()
            if old != data and same_content(old, data):
                data = old
        outputs[relative] = data
        described = table.described(sources=(source_entry(source),) if source else (),
                                     hash="sha256:" + hashlib.sha256(data).hexdigest())
        tables.append(described)
    catalog = Package(name=package["name"], title=package["title"], description=package["description"], version=__version__,
                        created=package.get("created"), homepage=package.get("homepage"), repository=package.get("repository"),
                        keywords=tuple(package.get("keywords", [])),
                        licenses=tuple(License.from_descriptor(x, "schemas/_package.toml: licenses") for x in package["licenses"]),
                        contributors=tuple(Contributor.from_descriptor(x, "schemas/_package.toml: contributors")
                                           for x in package.get("contributors", [])),
                        sources=tuple(source_entry(s) for s in sources.values()), tables=tuple(tables))
    outputs[DESCRIPTOR] = (json.dumps(catalog.to_descriptor(), indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    frames = {name: parsed[name].frame for name in definitions}
    pages = [root / SITE / f"{name}.html" for name, table in definitions.items() if table.chart]
    drawn = drawn_charts(path.read_bytes() for path in pages if path.is_file())  # reused where their input is unchanged
    for relative, page in render_site(catalog, frames, drawn).items():
        outputs[SITE / relative] = page
    from .release import release_files

    outputs.update(release_files(package, __version__))  # CITATION.cff and .zenodo.json
    if (root / NAMES).parent.is_dir():
        outputs[NAMES] = names_module(definitions).encode("utf-8")
    if (root / README).is_file():
        outputs[README] = readme_with_catalog((root / README).read_text(encoding="utf-8"), parsed, definitions, sources).encode("utf-8")
    return outputs


def names_module(definitions) -> str:
    """src/clusterdata/_names.py: the table names as a Literal, so a type checker or an editor knows them."""
    names = "".join(f'    "{name}",\n' for name in definitions)
    return ('"""The table names, for type checkers and editors. Made by `clusterdata build`; do not edit."""\n\n'
            "from typing import Literal\n\n"
            f"TableName = Literal[\n{names}]\n")


def readme_with_catalog(readme: str, parsed, definitions, sources) -> str:
    """README.md with its catalog table remade from the definitions, between the two markers."""
    if CATALOG_START not in readme or CATALOG_END not in readme:
        return readme
    lines = ["| table | what it holds | source | key | rows |", "|---|---|---|---|---|"]
    for name, table in definitions.items():
        source = (f"`{table.source}`, {markdown_cell(table.location)}" if table.source else "each row's `source_id`"
                  if "source_id" in table.columns else "(package metadata)")
        lines.append(f"| `{name}` | {markdown_cell(table.title)} | {source} | {', '.join(table.primary_key)} | {len(parsed[name].lines)} |")
    lines += ["", "| source_id | source | rights |", "|---|---|---|"]
    lines += [f"| `{source_id}` | {markdown_cell(row['citation'])} | {markdown_cell(row['rights'])} |" for source_id, row in sources.items()]
    head, rest = readme.split(CATALOG_START, 1)
    _, tail = rest.split(CATALOG_END, 1)
    return f"{head}{CATALOG_START}\n" + "\n".join(lines) + f"\n{CATALOG_END}{tail}"


def markdown_cell(text: str | None) -> str:
    """Text as one Markdown table cell: one line, | escaped, and < as &lt; so that no text can open an HTML
    comment or close the catalog's markers (which would make every build grow the README)."""
    return " ".join(str(text or "").split()).replace("|", "\\|").replace("<", "&lt;")


def stale_files(root: Path, outputs: dict[Path, bytes]) -> list[Path]:
    """Outputs that differ from disk, and Parquet files on disk that no table produces any more."""
    differ = [p for p, data in outputs.items() if not (root / p).is_file() or (root / p).read_bytes() != data]
    orphans = [p.relative_to(root) for p in sorted([*(root / PARQUET_DIR).glob("*.parquet"), *(root / SITE).glob("*.html"), *(root / SITE).glob("*.css")])
               if p.relative_to(root) not in outputs]
    return differ + orphans


def build(root: Path, check: bool = False, sources_dir: Path | None = None) -> list[Path]:
    """Validate, render and (unless `check`) write; returns the files that changed (or would change)."""
    parsed, problems = validate_package(root, sources_dir=sources_dir)
    if problems:
        raise BuildFailed(problems)
    definitions = {name: table.table for name, table in parsed.items()}  # every table parsed, in catalog order
    outputs = render(root, parsed, definitions)
    changed = stale_files(root, outputs)
    if not check:
        from .release import keep_released

        keep_released(root, changed)  # a file a release published stays loadable (releases/objects)
        write_atomically(root, {p: outputs[p] for p in changed if p in outputs}, [p for p in changed if p not in outputs])
    return changed


STAGING = Path(".clusterdata-build-staging")  # every output of one build, before it is switched into place
LOCK = Path(".clusterdata-build.lock")
COMPLETE, REMOVE = ".complete", ".remove"  # markers in STAGING: all outputs staged; the orphans to delete


class BuildError(Exception):
    """A build that could not write (a second build running, a full disk, an unwritable folder): one line."""


def write_atomically(root: Path, files: dict[Path, bytes], remove: list[Path]) -> None:
    """Switch all outputs or none: stage every file in STAGING, mark it complete, then move each into place.

    Under a lock against a second build. Staging fails cleanly (a full disk: the staging is removed and
    nothing else changed). A build killed while switching leaves a complete staging, which the next
    build finishes before anything else (an incomplete one it removes).
    """
    with build_lock(root):
        recover(root)
        if not files and not remove:
            return
        staging = root / STAGING
        try:
            staging.mkdir()
            for relative, data in files.items():
                (staging / relative).parent.mkdir(parents=True, exist_ok=True)
                (staging / relative).write_bytes(data)
            (staging / REMOVE).write_text("".join(f"{p.as_posix()}\n" for p in remove), encoding="utf-8")
            for relative in files:
                unwritable = first_unwritable(root / relative)
                if unwritable is not None:
                    raise PermissionError(13, "Permission denied", str(unwritable))
            (staging / COMPLETE).touch()
        except OSError as error:
            import shutil

            shutil.rmtree(staging, ignore_errors=True)
            raise BuildError(f"{error.filename or staging}: cannot write ({error.strerror or error}): "
                             "the build changed nothing") from None
        switch(root)


def first_unwritable(target: Path) -> Path | None:
    """The folder that stops `target` being replaced (the nearest existing one, if it is not writable), or None."""
    folder = target.parent
    while not folder.exists():
        folder = folder.parent
    if not folder.is_dir() or not os.access(folder, os.W_OK | os.X_OK):
        return folder
    return None


def switch(root: Path) -> None:
    """Move a complete staging into place, delete the orphans it lists, then remove it."""
    import shutil

    staging = root / STAGING
    orphans = (staging / REMOVE).read_text(encoding="utf-8").splitlines()
    try:
        for staged in sorted(p for p in staging.rglob("*") if p.is_file() and p.name not in (COMPLETE, REMOVE)):
            target = root / staged.relative_to(staging)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(staged, target)
        for relative in orphans:
            (root / relative).unlink(missing_ok=True)
    except OSError as error:
        raise BuildError(f"{error.filename or staging}: cannot write ({error.strerror or error}): the outputs are half "
                         "switched; run `clusterdata build` again to finish") from None
    shutil.rmtree(staging)


def recover(root: Path) -> None:
    """Finish a build killed while switching; remove what a build killed earlier left (staging, temporary files)."""
    import shutil

    staging = root / STAGING
    if (staging / COMPLETE).is_file():
        switch(root)
    elif staging.exists():
        shutil.rmtree(staging)
    for folder in (PARQUET_DIR, SITE):  # the temporary files of the per-file writes of earlier versions
        for leftover in (root / folder).glob(".*.tmp-*"):
            leftover.unlink()


class build_lock:
    """An exclusive lock on LOCK for the length of a build; a second build fails at once with one line.
    The operating system releases it when the process ends, however it ends (no stale lock)."""

    def __init__(self, root: Path):
        self.path = root / LOCK

    def __enter__(self):
        self.file = open(self.path, "a+b")
        try:
            import fcntl
        except ImportError:  # Windows: msvcrt locks a byte of the file instead
            import msvcrt

            lock = lambda: msvcrt.locking(self.file.fileno(), msvcrt.LK_NBLCK, 1)  # noqa: E731
        else:
            lock = lambda: fcntl.flock(self.file.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)  # noqa: E731
        try:
            lock()
        except OSError:
            self.file.close()
            raise BuildError(f"{self.path}: another clusterdata build is running in this checkout; wait for it to "
                             "finish (nothing was written)") from None
        return self

    def __exit__(self, *exc):
        self.file.close()  # closing the file releases the lock
        return False
