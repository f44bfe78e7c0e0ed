"""The clusterdata command: list, show, describe, build and validate."""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path


def cmd_list(args) -> int:
    from ._catalog import resource, tables

    names = tables()
    width = max(map(len, names))
    for name in names:
        print(f"{name:<{width}}  {resource(name).get('title', '')}")
    return 0


def cmd_show(args) -> int:
    import pandas as pd

    from ._load import load

    frame = load(args.name)
    with pd.option_context("display.max_rows", args.rows, "display.max_columns", None, "display.width", 200,
                           "display.max_colwidth", 60):
        print(frame.to_string(max_rows=args.rows, index=False))
    return 0


def cmd_describe(args) -> int:
    from ._catalog import describe

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
        unit = f" [{column['unit']}]" if "unit" in column else ""
        print(f"  {column['name']} ({column['type']}){unit}: {column.get('description', '')}")
    if info["annotations"]:
        print(f"\nAnnotations ({len(info['annotations'])}):")
        for note in info["annotations"]:
            where = ", ".join(x for x in (note["row_key"], note["column_name"]) if x) or "whole table"
            print(wrap(f"- [{note['kind']}] {where}: {note['note']}", "  "))
    return 0


def cmd_build(args) -> int:
    from .build import BuildFailed, build, find_root
    from .validate import report

    root = Path(args.root) if args.root else find_root()
    try:
        changed = build(root, check=args.check)
    except BuildFailed as failure:
        print(report(failure.problems), file=sys.stderr)
        print("build failed: nothing was written", file=sys.stderr)
        return 1
    if args.check:
        if changed:
            print("out of date (run `clusterdata build` and commit the result):", file=sys.stderr)
            for path in changed:
                print(f"  {path.as_posix()}", file=sys.stderr)
            return 1
        print("data/parquet and datapackage.json are up to date")
        return 0
    print(f"built: {len(changed)} file(s) written" + "".join(f"\n  {p.as_posix()}" for p in changed))
    return 0


def cmd_validate(args) -> int:
    from ._catalog import unknown_table_message
    from .build import find_root
    from .definitions import read_definitions
    from .validate import report, validate_package

    root = Path(args.root) if args.root else find_root()
    names = list(read_definitions(root / "schemas"))
    overrides = {}
    for file in args.files:
        path = Path(file)
        if path.stem not in names:
            print(f"{file}: the file name must be a table's name: {unknown_table_message(path.stem, names)}", file=sys.stderr)
            return 1
        if not path.is_file():
            print(f"{file}: no such file", file=sys.stderr)
            return 1
        overrides[path.stem] = path
    _, problems = validate_package(root, overrides)
    if problems:
        print(report(problems), file=sys.stderr)
        return 1
    print(f"valid: {len(names)} tables, no problems")
    return 0


def parser() -> argparse.ArgumentParser:
    from . import __version__

    p = argparse.ArgumentParser(prog="clusterdata", description="Tables on China's technology clusters, ICT industry and value chains.")
    p.add_argument("--version", action="version", version=f"clusterdata {__version__}")
    verbs = p.add_subparsers(dest="verb", required=True, metavar="VERB")
    verbs.add_parser("list", help="list the tables").set_defaults(run=cmd_list)
    show = verbs.add_parser("show", help="print a table")
    show.add_argument("name")
    show.add_argument("--rows", type=int, default=60, help="at most this many rows (default 60)")
    show.set_defaults(run=cmd_show)
    describe = verbs.add_parser("describe", help="print a table's metadata: source, columns, units, annotations")
    describe.add_argument("name")
    describe.set_defaults(run=cmd_describe)
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
    from ._catalog import UnknownTableError

    args = parser().parse_args(argv)
    try:
        return args.run(args)
    except UnknownTableError as error:
        print(f"clusterdata: {error}", file=sys.stderr)
        return 2
    except ModuleNotFoundError as error:
        if error.name in ("pandera", "frictionless"):
            print(f"clusterdata: {args.verb} needs {error.name}: pip install 'clusterdata[validate]'", file=sys.stderr)
            return 2
        raise


if __name__ == "__main__":
    sys.exit(main())
