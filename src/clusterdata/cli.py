"""The clusterdata command: list, show, describe, search, annotations, cite, export, verify, docs, diff, changes, release,
build and validate."""

from __future__ import annotations

import argparse
import os
import sys
import textwrap
from pathlib import Path


def cmd_list(args) -> int:
    from ._catalog import table, tables

    names = tables()
    width = max(map(len, names))
    for name in names:
        print(f"{name:<{width}}  {table(name).title}")
    return 0


def number_text(value) -> str:
    """A number as stored: 21.1, 45, 9600000, 0.111111 (no padding to common decimals, no exponents)."""
    return f"{value:.15g}" if abs(value) < 1e15 else f"{value:g}"


def cmd_show(args) -> int:
    from ._load import load

    frame = load(args.name, version=args.version)
    shown = frame.head(args.rows)
    floats = {c: number_text for c in frame.columns if str(frame[c].dtype) == "float64"}
    print(shown.to_string(index=False, max_colwidth=60, formatters=floats, na_rep=""))
    if len(frame) > args.rows:
        print(f"... {len(frame) - args.rows} more rows (--rows N to show more; clusterdata.load({args.name!r}) for all)")
    return 0


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def cmd_describe(args) -> int:
    from ._describe import describe

    info = describe(args.name)
    wrap = lambda text, indent="  ": textwrap.fill(" ".join(str(text).split()), 100, initial_indent=indent, subsequent_indent=indent)
    print(f"{info['name']}: {info['title']}")
    print(wrap(info["description"]))
    for source in info["source"]:
        print(f"\nSource: {source['title']}")
    if info["location"]:
        print(f"Location: {info['location']}")
    for note in info["source_notes"]:
        print(wrap(f"Note in the source: {note}"))
    print(f"\nKey: {', '.join(info['primary_key'])}\nColumns:")
    for column in info["columns"]:
        unit = f" [{column['unit_label']}]" if "unit" in column else ""
        print(f"  {column['name']} ({column['type']}){unit}: {column.get('description', '')}")
    if info["annotations"]:
        print(f"\nAnnotations ({len(info['annotations'])}):")
        for note in info["annotations"]:
            where = ", ".join(x for x in (note["row_key"], note["column_name"]) if x) or "whole table"
            if note.get("check"):  # the cross-check the erratum answers, and the discrepancy it expects
                where += f" ({note['check']}: {note['expected']})"
            print(wrap(f"- [{note['kind']}] {where}: {note['note']}", "  "))
    return 0


def period_text(start, end) -> str:
    """' 2004', ' 2003-2005', ' -2000' (up to), ' 2002-' (from), or '' where no year is given."""
    import pandas as pd

    start, end = (None if pd.isna(x) else int(x) for x in (start, end))
    if start is None and end is None:
        return ""
    if start == end:
        return f" {start}"
    return f" {start or ''}-{end or ''}"


def cmd_search(args) -> int:
    from ._statistics import search

    found = search(" ".join(args.text), source=args.source, subject=args.subject, indicator=args.indicator, year=args.year)
    for row in found.itertuples():
        period = period_text(row.period_start, row.period_end)
        value = "(illegible)" if row.value != row.value else number_text(row.value)
        print(f"{row.stat_id}  {row.subject}: {row.indicator}{period} {row.comparator} {value} {row.unit}")
        print(f'    "{" ".join(row.quote.split())}" ({row.location})')
    for table in found.attrs["tables"]:
        columns = f" (columns: {', '.join(table['columns'])})" if table["columns"] else ""
        print(f"also in table {table['table']}{columns}: {table['title']}")
    print(f"{len(found)} statistic{'s' if len(found) != 1 else ''}")
    return 0


def cmd_annotations(args) -> int:
    from ._annotations import annotations

    row = {}
    for pair in args.row:
        column, sep, value = pair.partition("=")
        if not sep:
            raise ValueError(f"--row takes COLUMN=VALUE, such as --row year=2004, not {pair!r}")
        row[column] = value
    notes = annotations(args.name, row or None, args.column)
    for note in notes.itertuples():
        target = "; ".join(filter(None, [note.row_key or "every row", note.column_name or "every column"]))
        print(f"{note.kind} [{target}]")
        print(textwrap.fill(" ".join(note.note.split()), width=100, initial_indent="    ", subsequent_indent="    "))
    print(f"{len(notes)} note{'s' if len(notes) != 1 else ''}")
    return 0


def cmd_export(args) -> int:
    from ._export import export

    written = export(args.dest, args.format, bom=args.bom)
    print(f"exported {len(written) - 1} file(s) and datapackage.json to {args.dest}" + "".join(f"\n  {w}" for w in written))
    return 0


def cmd_docs(args) -> int:
    from . import _catalog
    from ._load import load
    from .contrib.dictionary import render_site

    if os.path.isdir(args.dest) and os.listdir(args.dest):
        raise FileExistsError(f"{args.dest} is not empty: docs would overwrite what is there; name a new or empty folder")
    package = _catalog.package()
    pages = render_site(package, {name: load(name) for name in package.names})
    try:
        os.makedirs(args.dest, exist_ok=True)
    except OSError as error:
        raise FileExistsError(f"{args.dest}: cannot create the folder ({error.strerror}): name a folder that can be created") from None
    for relative, data in pages.items():
        with open(os.path.join(args.dest, relative), "wb") as f:
            f.write(data)
    print(f"wrote the data dictionary ({len(pages)} pages) to {os.path.join(args.dest, 'index.html')}")
    return 0


def cmd_diff(args) -> int:
    from ._diff import diff, render

    sys.stdout.write(render(diff(args.old, args.new), args.format))
    return 0


def cmd_changes(args) -> int:
    from ._diff import changes, render

    sys.stdout.write(render(changes(args.since, args.name), args.format))
    return 0


def cmd_release(args) -> int:
    from .contrib.build import find_root

    root = find_root()
    if args.action == "check":
        from .contrib.release import check

        ok, message = check(root, args.base)
        print(message, file=sys.stdout if ok else sys.stderr)
        return 0 if ok else 1
    if args.action == "record":
        from .contrib.release import record

        print(f"recorded {record(root).as_posix()}")
        return 0
    from .contrib.release import bundle

    folder, archive = bundle(root, Path(args.dest))
    print(f"wrote {folder} and {archive}")
    return 0


def cmd_cite(args) -> int:
    from ._cite import cite

    citation = cite(*args.names)
    text = citation.as_format("bibtex" if args.bibtex else args.format)
    print(text, end="" if text.endswith("\n") else "\n")
    return 0


def cmd_verify(args) -> int:
    from ._catalog import data_root
    from ._verify import verify

    folder = args.folder or data_root()
    checked, problems = verify(folder)
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {folder}", file=sys.stderr)
        return 1
    print(f"verified: {checked} file{'s' if checked != 1 else ''} listed in {os.path.join(folder, 'datapackage.json')}, sizes and sha256 as listed")
    return 0


def settled_imports() -> None:
    """Import the libraries validation reads tables with, then leave every object made so far out of the garbage
    collector's passes (gc.freeze): modules are never garbage, and with 1,000 tables a full pass walked them each time."""
    import gc

    import pandas  # noqa: F401
    import pyarrow  # noqa: F401

    gc.freeze()


def cmd_build(args) -> int:
    from .contrib.build import BuildError, BuildFailed, build, find_root
    from .contrib.validate import report

    from .contrib.validate import sources_dir_from_environment

    root = Path(args.root) if args.root else find_root()
    settled_imports()
    try:
        changed = build(root, check=args.check, sources_dir=sources_dir_from_environment())
    except BuildFailed as failure:
        print(report(failure.problems), file=sys.stderr)
        print("build failed: nothing was written", file=sys.stderr)
        return 1
    except BuildError as error:
        print(f"clusterdata: {error}", file=sys.stderr)
        return 1
    if args.check:
        if changed:
            print("out of date (run `clusterdata build` and commit the result):", file=sys.stderr)
            for path in changed:
                print(f"  {path.as_posix()}", file=sys.stderr)
            return 1
        print("data/parquet, datapackage.json, docs/dictionary, the README catalog, CITATION.cff and .zenodo.json are up to date")
        return 0
    print(f"built: {len(changed)} file(s) written" + "".join(f"\n  {p.as_posix()}" for p in changed))
    return 0


def cmd_validate(args) -> int:
    from ._catalog import unknown_table_message
    from .contrib.build import find_root
    from .contrib.validate import report, validate_package

    from .contrib.validate import filesystem_problems

    root = Path(args.root) if args.root else find_root()
    refused = filesystem_problems(root)  # links and special files, before any definition is read
    if refused:
        print(report(refused), file=sys.stderr)
        return 1
    names = sorted(p.stem for p in (root / "schemas").glob("*.toml") if not p.name.startswith("_"))  # read in validate_package
    overrides = {}
    for file in args.files:
        path = Path(file)
        if file in names and not path.exists():  # a table's name: its file in data/raw
            path = root / "data" / "raw" / f"{file}.csv"
        if path.stem not in names:
            print(f"{file}: the file name must be a table's name: {unknown_table_message(path.stem, names)}", file=sys.stderr)
            return 1
        if not path.is_file():
            print(f"{file}: no such file", file=sys.stderr)
            return 1
        overrides[path.stem] = path
    from .contrib.validate import sources_dir_from_environment

    sources_dir = sources_dir_from_environment()
    settled_imports()
    _, problems = validate_package(root, overrides, sources_dir)
    if problems:
        print(report(problems), file=sys.stderr)
        return 1
    checked = "quotes checked against the source texts" if sources_dir else "quotes not checked: set CLUSTERDATA_SOURCES to the folder of the source texts"
    what = f"{', '.join(map(str, args.files))}, checked with the rest of the package" if args.files else "data/raw"
    print(f"valid: {what}: {len(names)} tables, no problems ({checked})")
    return 0


def parser() -> argparse.ArgumentParser:
    from . import __version__

    p = argparse.ArgumentParser(prog="clusterdata", description="Tables on China's technology clusters, ICT industry and value chains.")
    p.add_argument("--version", action="version", version=f"clusterdata {__version__}")
    verbs = p.add_subparsers(dest="verb", required=True, metavar="VERB")
    verbs.add_parser("list", help="list the tables").set_defaults(run=cmd_list)
    show = verbs.add_parser("show", help="print a table")
    show.add_argument("name")
    show.add_argument("--rows", type=positive, default=60, help="at most this many rows (default 60)")
    show.add_argument("--version", help="the table as released in this version, e.g. 0.1.0 (default: this installation's)")
    show.set_defaults(run=cmd_show)
    describe = verbs.add_parser("describe", help="print a table's metadata: source, columns, units, annotations")
    describe.add_argument("name")
    describe.set_defaults(run=cmd_describe)
    search = verbs.add_parser("search", help="find numbers stated in the sources' text, with their quotes")
    search.add_argument("text", nargs="*", help="words to find in the subject, indicator, location or quote (case ignored; all must match)")
    search.add_argument("--source", help="a source_id, e.g. ning_2009_ict")
    search.add_argument("--subject", help="words of the subject, e.g. Hefei (case ignored)")
    search.add_argument("--indicator", help="words of the indicator name")
    search.add_argument("--year", type=int, help="only numbers whose period covers this year (a period open at one end covers that side)")
    search.set_defaults(run=cmd_search)
    notes = verbs.add_parser("annotations", help="every note on a table's cells, rows, groups of rows, columns and the table")
    notes.add_argument("name")
    notes.add_argument("--row", action="append", default=[], metavar="COLUMN=VALUE", help="select rows (repeat for several columns)")
    notes.add_argument("--column", help="only the notes that apply to this column")
    notes.set_defaults(run=cmd_annotations)
    export = verbs.add_parser("export", help="write every table, with a datapackage.json of their checksums, to a folder")
    export.add_argument("dest", help="the folder to write to (created if missing)")
    export.add_argument("--format", required=True, choices=["parquet", "csv", "xlsx", "sqlite", "json", "dta"])
    export.add_argument("--bom", action="store_true",
                        help="with --format csv: start each file with a UTF-8 byte-order mark, for Excel")
    export.set_defaults(run=cmd_export)
    docs = verbs.add_parser("docs", help="write the data dictionary (static HTML) to a folder")
    docs.add_argument("dest", help="the folder to write to (created if missing)")
    docs.set_defaults(run=cmd_docs)
    formats = ["text", "json", "markdown"]
    diff = verbs.add_parser("diff", help="what changed between two versions of the data, cell by cell")
    diff.add_argument("old", nargs="?", help="a released version, a folder holding datapackage.json, or a git commit (default: the latest release)")
    diff.add_argument("new", nargs="?", help="the same kinds (default: this installation, in a checkout the working tree)")
    diff.add_argument("--format", choices=formats, default="text", help="text for people, json for programs, markdown for a pull request")
    diff.set_defaults(run=cmd_diff)
    changes = verbs.add_parser("changes", help="the cells that changed since a released version (the one a paper used)")
    changes.add_argument("name", nargs="?", help="only this table")
    changes.add_argument("--since", required=True, metavar="VERSION", help="a released version, e.g. 0.1.0")
    changes.add_argument("--format", choices=formats, default="text")
    changes.set_defaults(run=cmd_changes)
    release = verbs.add_parser("release", help="versions (repository checkout): check the version bump, record a release, build its bundle")
    release.add_argument("action", choices=["check", "record", "bundle"],
                         help="check: does the version match what changed (CI); record: add this version to releases/; "
                              "bundle: write the release folder and zip")
    release.add_argument("dest", nargs="?", default="dist", help="bundle: the folder to write into (default: dist)")
    release.add_argument("--base", help="check: compare with this git commit (a pull request's base; default: the latest release)")
    release.set_defaults(run=cmd_release)
    cite = verbs.add_parser("cite", help="how to cite tables: their sources and this dataset")
    cite.add_argument("names", nargs="+", metavar="NAME", help="one or more tables (each source and the dataset cited once)")
    cite.add_argument("--format", choices=["text", "bibtex", "ris", "csl-json"], default="text",
                      help="text (default), bibtex, ris (reference managers) or csl-json (Zotero, pandoc)")
    cite.add_argument("--bibtex", action="store_true", help="as BibTeX (the same as --format bibtex)")
    cite.set_defaults(run=cmd_cite)
    verify = verbs.add_parser("verify", help="check the size and sha256 of every file a datapackage.json lists")
    verify.add_argument("folder", nargs="?", help="a folder with a datapackage.json, e.g. an export or a download (default: the installed package)")
    verify.set_defaults(run=cmd_verify)
    build = verbs.add_parser("build", help="validate data/raw and write data/parquet and datapackage.json (repository checkout)")
    build.add_argument("--check", action="store_true", help="write nothing; exit 1 if the committed outputs differ from a fresh build")
    build.add_argument("--root", help="the repository checkout (default: found from the current directory)")
    build.set_defaults(run=cmd_build)
    validate = verbs.add_parser("validate", help="check raw CSVs against their definitions (repository checkout)")
    validate.add_argument("files", nargs="*", metavar="CSV", help="files named after their table (default: all of data/raw)")
    validate.add_argument("--root", help="the repository checkout (default: found from the current directory)")
    validate.set_defaults(run=cmd_validate)
    return p


def main(argv: list[str] | None = None) -> int:
    from ._errors import IntegrityError, UnknownTableError

    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except BrokenPipeError:  # e.g. `clusterdata show statistics | head`: the reader has gone, nothing is wrong
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (UnknownTableError, IntegrityError, FileNotFoundError, FileExistsError, ValueError) as error:
        print(f"clusterdata: {error}", file=sys.stderr)
        return 2
    except ModuleNotFoundError as error:
        if error.name in ("openpyxl", "polars", "pyreadstat"):
            print(f"clusterdata: {error}", file=sys.stderr)
            return 2
        if error.name in ("pandera", "frictionless", "vl_convert"):  # the contributor side: validate, build, docs
            print(f"clusterdata: {args.verb} needs {error.name}: pip install 'clusterdata[validate]'", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
