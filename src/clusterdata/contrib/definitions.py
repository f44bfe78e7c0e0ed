"""Table definitions: one TOML file per table in schemas/, the single place a table is defined.

A checked definition becomes the reading side's typed model (`TableDef.described()`, a _model.Table):
the build writes datapackage.json from it, and the pandera schema that validates the raw CSV and the
Arrow schema of the Parquet file are made from the same fields, so they cannot drift.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from .._model import MISSING_VALUES, Constraints, DescriptorError, Field, ForeignKey, Source, Table
from .._types import FIELD_TYPES as TYPES
from .dictionary import chart_fields
from .._safety import printable, table_name_problem

FIELD_TYPES = tuple(TYPES)  # the names of the field types (_types.py has what each means)
FIELD_KEYS = ("name", "type", "description", "unit", "constraints", "missingValues")
CONSTRAINTS = ("required", "unique", "minimum", "maximum", "enum", "pattern", "minLength", "maxLength")


@dataclass
class TableDef:
    name: str
    title: str
    description: str
    fields: list[dict]
    primary_key: list[str]
    source: str | None = None
    location: str | None = None
    source_notes: list[str] = field(default_factory=list)
    foreign_keys: list[dict] = field(default_factory=list)
    checks: list[dict] = field(default_factory=list)
    quotes: dict | None = None  # {quote = column, source = column}: quotes checked against the source texts
    chart: dict | None = None  # a Vega-Lite spec without data (the table's rows are its data): drawn in the data dictionary
    path: Path | None = None

    @property
    def columns(self) -> list[str]:
        return [f.get("name") for f in self.fields]

    def field(self, name: str) -> dict:
        return next(f for f in self.fields if f["name"] == name)

    def described(self, sources: tuple[Source, ...] = (), hash: str | None = None) -> Table:
        """The table as datapackage.json describes it: the reading side's model, built from this (checked) definition
        once (a definition is not changed once read), then given its sources and file hash."""
        table = self.__dict__.get("_described")
        if table is None:
            table = self.__dict__["_described"] = Table(
                name=self.name, title=self.title, description=self.description, path=f"data/parquet/{self.name}.parquet",
                fields=tuple(Field.from_descriptor(f, f"field {f.get('name')!r}") for f in self.fields),
                primary_key=tuple(self.primary_key),
                foreign_keys=tuple(ForeignKey.from_descriptor(fk, f"[[foreign_keys]] {n}") for n, fk in enumerate(self.foreign_keys, 1)),
                missing_values=MISSING_VALUES, location=self.location or None,
                source_notes=tuple(self.source_notes), chart=self.chart or None)
        return table if not sources and hash is None else replace(table, sources=tuple(sources), hash=hash)

    def table_schema(self) -> dict:
        """The Frictionless Table Schema (v2) of the table."""
        return self.described().schema_descriptor()

    def pandera_schema(self, check_types: bool = True):
        """The pandera schema that checks a parsed frame: types, constraints, nullability, key uniqueness.
        `check_types=False` leaves the column types unchecked, for a frame whose types validate made itself."""
        import pandera.pandas as pa

        columns = {}
        for f in self.described().fields:
            c = f.constraints or Constraints()
            checks = []
            if c.minimum is not None:
                checks.append(pa.Check.ge(c.minimum, error=f"is below the minimum {c.minimum}"))
            if c.maximum is not None:
                checks.append(pa.Check.le(c.maximum, error=f"is above the maximum {c.maximum}"))
            if c.enum is not None:
                checks.append(pa.Check.isin(list(c.enum), error=f"is not one of {', '.join(c.enum)}"))
            if c.pattern is not None:
                checks.append(pa.Check.str_matches(f"(?:{c.pattern})\\Z", error=f"does not match the pattern {c.pattern}"))
            if c.min_length is not None or c.max_length is not None:
                lo, hi = c.min_length, c.max_length
                checks.append(pa.Check.str_length(lo, hi, error=f"has a length outside {lo or 0}..{hi or 'any'}"))
            columns[f.name] = pa.Column(
                f.kind.pandas if check_types else None,  # as parsed from CSV: enums are still text here
                checks,
                nullable=not f.required,
                unique=bool(c.unique),
                title=f.name,
                description=f.description,
            )
        return pa.DataFrameSchema(
            columns, unique=self.primary_key or None, strict=True, ordered=True, name=self.name
        )

    def constraints_hold(self, frame) -> bool:
        """True only if pandera_schema(check_types=False) finds nothing in `frame` (the table's columns, typed):
        a vectorised test, stricter than the schema (a missing value in a required column fails it whatever
        else holds), so that validation runs pandera, whose failures make the messages, only on a frame it may fail."""
        if list(frame.columns) != self.columns:
            return False
        for f in self.fields:
            c = f.get("constraints", {})
            if not c:
                continue
            if f["type"] != "string" and {"pattern", "minLength", "maxLength"} & c.keys():
                return False  # text constraints on another type: pandera judges them
            column = frame[f["name"]]
            present = column.count()  # the values given (a reduction: cheaper than a mask on a short column)
            if ((c.get("required") and present != len(column))
                    or (c.get("unique") and not column.is_unique)
                    or ("minimum" in c and present and not column.min() >= c["minimum"])  # min and max skip missing values
                    or ("maximum" in c and present and not column.max() <= c["maximum"])):
                return False
            if not {"enum", "pattern", "minLength", "maxLength"} & c.keys():
                continue
            given = column.dropna() if present != len(column) else column  # dropna copies even a column with nothing to drop
            lengths = given.str.len() if "minLength" in c or "maxLength" in c else None
            # a repeated value is matched once (a pattern may be a slow regex); a unique column's values are distinct
            distinct = given if "pattern" not in c or c.get("unique") or self.primary_key == [f["name"]] else given.drop_duplicates()
            if (("enum" in c and not given.isin(c["enum"]).all())
                    or ("pattern" in c and not distinct.str.match(f"(?:{c['pattern']})\\Z").all())
                    or ("minLength" in c and not (lengths >= c["minLength"]).all())
                    or ("maxLength" in c and not (lengths <= c["maxLength"]).all())):
                return False
        return not (self.primary_key and repeated_rows(frame, self.primary_key))

    def arrow_schema(self):
        """The Arrow schema of the Parquet file: enums dictionary-encoded, units and descriptions as field metadata."""
        import pyarrow as pa

        out = []
        for f in self.described().fields:
            kind = pa.dictionary(pa.int32(), pa.string()) if f.enum is not None else getattr(pa, f.kind.arrow)()
            meta = {k: v for k, v in (("description", f.description), ("unit", f.unit)) if v is not None}
            out.append(pa.field(f.name, kind, nullable=not f.required, metadata=meta))
        return pa.schema(out)



def repeated_rows(frame, columns: list[str]) -> bool:
    """Whether two rows of `frame` have the same `columns`. A key of one text column (Arrow's) is sorted and its
    neighbours compared a slice at a time: frame.duplicated would hash a copy of every value and number every row."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if len(columns) != 1:
        return bool(frame.duplicated(columns).any())
    column = frame[columns[0]]
    if len(column) <= 1 << 16 or getattr(column.dtype, "storage", None) != "pyarrow" or column.hasnans:
        return not column.is_unique  # is_unique counts repeated missing values, as duplicated does
    cells = column.array.__arrow_array__()
    cells = cells.combine_chunks() if isinstance(cells, pa.ChunkedArray) else cells
    order = pc.sort_indices(cells)
    for start in range(0, len(cells) - 1, 1 << 16):
        piece = cells.take(order.slice(start, (1 << 16) + 1))  # each slice overlaps the next by one value
        if pc.any(pc.equal(piece.slice(1), piece.slice(0, len(piece) - 1))).as_py():
            return True
    return False


class DefinitionError(ValueError):
    """A schemas/*.toml file that is not a valid table definition."""


def read_definition(path: Path) -> TableDef:
    """Read and check one schemas/NAME.toml (a regular file, named after a valid table name).

    Raises DefinitionError naming every problem of the file, one line each.
    """
    table, problems = definition_problems(path)
    if problems:
        raise DefinitionError("\n".join(f"{path}: {p}" for p in problems))
    return table


def definition_problems(path: Path) -> tuple[TableDef | None, list[str]]:
    """The table that schemas/NAME.toml defines (None if it cannot be read as one) and all its problems at once."""
    if path.is_symlink() or not path.is_file():
        return None, ["is a symbolic link or not a regular file: commit the file itself"]
    rule = table_name_problem(path.stem)
    if rule:
        return None, [f'the table name "{printable(path.stem)}" {rule}']
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as error:
        return None, [f"not valid TOML: {error}"]
    problems = []
    known = {"title", "description", "fields", "primary_key", "source", "location", "source_notes", "foreign_keys", "checks", "quotes", "chart"}
    for key in raw:
        if key not in known:
            problems.append(f"unknown key {key!r} (known: {', '.join(sorted(known))})")
    for key in ("title", "description", "fields", "primary_key"):
        if key not in raw:
            problems.append(f"the key {key!r} is missing")
    for key in ("fields", "checks", "foreign_keys"):
        if key in raw and not (isinstance(raw[key], list) and all(isinstance(x, dict) for x in raw[key])):
            problems.append(f"{key} must be a list of tables: write [[{key}]] before each entry, not [{key}]")
    if "primary_key" in raw and not (isinstance(raw["primary_key"], list) and all(isinstance(k, str) for k in raw["primary_key"])):
        problems.append(f"primary_key = {raw['primary_key']!r} must be a list of field names, such as [\"year\"]")
    if problems:
        return None, problems
    table = TableDef(name=path.stem, path=path, **{k: v for k, v in raw.items() if k in known})
    for number, f in enumerate(table.fields, 1):
        problems += field_problems(f, number)
    names = [f.get("name") for f in table.fields]
    if len(set(names)) != len(names):
        problems.append("a field name appears twice")
    for key in table.primary_key:
        if key not in names:
            problems.append(f"primary_key names {key!r}, which is not a field")
    for fk in table.foreign_keys:
        for key in fk.get("fields", []):
            if key not in names:
                problems.append(f"a foreign key names {key!r}, which is not a field")
    for number, declared in enumerate(table.checks, 1):
        try:
            check_declaration(path, table, declared, number)
        except DefinitionError as error:
            problems.append(str(error).removeprefix(f"{path}: "))
    if not problems:
        try:
            table.described()  # what the build will write into datapackage.json, read as the reading side reads it
        except DescriptorError as error:
            problems.append(str(error))
    if not problems:
        from .checks import identity

        identities = [identity(declared) for declared in table.checks]
        for twice in sorted({i for i in identities if identities.count(i) > 1}):
            problems.append(f"two checks report as {twice}: give each a distinct `name` "
                            "(the name a source_inconsistency annotation gives in its `check` column)")
    if table.chart is not None:
        if "title" not in table.chart or not ("mark" in table.chart or "layer" in table.chart):
            problems.append("[chart] is a Vega-Lite specification: give it a title and a mark or [[chart.layer]]s")
        else:
            for name in chart_fields(table.chart):
                if name not in names and name != "annotated":
                    problems.append(f"chart field {name!r} is not a field (nor `annotated`, true on rows with a note)")
            types = {f.get("name"): f.get("type") for f in table.fields}
            for name in quantitative_fields(table.chart):
                if name in types and not (types[name] in TYPES and TYPES[types[name]].numeric):
                    problems.append(f"chart field {name!r} is drawn as quantitative but is a {types[name]} field: "
                                    "chart a number or integer field, or give the encoding type nominal")
    return (None if problems else table), problems


FIELD_NAME = re.compile(r"[a-z][a-z0-9_]{0,31}")


def field_problems(f: dict, number: int) -> list[str]:
    """The problems of one [[fields]] entry: its keys, its type, and constraints that fit the type."""
    if not isinstance(f.get("name"), str) or not f["name"]:
        return [f"[[fields]] {number}: the key 'name' is missing or not text"]
    where = f"field {printable(f['name'])!r}"
    problems = [f"{where}: unknown key {key!r} (known: {', '.join(FIELD_KEYS)})" for key in f if key not in FIELD_KEYS]
    if not FIELD_NAME.fullmatch(f["name"]):  # a column of every output: SQL, Stata (32 characters), R, Excel
        problems.append(f"{where}: a column name is a lowercase ASCII identifier of at most 32 characters "
                        "(a-z, 0-9, _, starting with a letter), as SQL, Stata and R take it")
    if f.get("type") not in FIELD_TYPES:
        return problems + [f"{where}: type must be one of {', '.join(FIELD_TYPES)}"]
    constraints = f.get("constraints", {})
    if not isinstance(constraints, dict):
        return problems + [f"{where}: constraints must be a table, such as {{ required = true }}"]
    numeric = TYPES[f["type"]].numeric
    for key, value in constraints.items():
        if key not in CONSTRAINTS:
            problems.append(f"{where}: unknown constraint {key!r}")
        elif key in ("required", "unique") and not isinstance(value, bool):
            problems.append(f"{where}: {key} = {value!r} must be true or false")
        elif key in ("minimum", "maximum") and (not numeric or isinstance(value, bool) or not isinstance(value, (int, float))):
            problems.append(f"{where}: {key} = {value!r} must be a number, on an integer or number field")
        elif key in ("minLength", "maxLength") and (numeric or isinstance(value, bool) or not isinstance(value, int)):
            problems.append(f"{where}: {key} = {value!r} must be a whole number, on a string field")
        elif key == "enum" and (f["type"] != "string" or not isinstance(value, list) or not all(isinstance(v, str) for v in value)):
            problems.append(f"{where}: enum must be a list of text values, on a string field")
        elif key == "pattern":
            try:
                re.compile(value)
            except (re.error, TypeError) as error:
                problems.append(f"{where}: pattern {value!r} is not a regular expression ({error})")
    return problems


def check_declaration(path: Path, table: TableDef, declared: dict, number: int = 1) -> None:
    """A [[checks]] entry names a kind of the registry (checks.KINDS), gives that kind's required parameters,
    no unknown one, each of its declared type, and existing columns."""
    from .checks import COMMON, KINDS, parameters, required, type_problem

    kind = declared.get("kind")
    if kind not in KINDS:
        raise DefinitionError(f"{path}: [[checks]] {number}: kind {kind!r} is not one of {', '.join(KINDS)}")
    own = parameters(KINDS[kind])
    known = [p.name for p in own]
    for key in declared:
        if key not in known and key not in ("kind", *COMMON):
            raise DefinitionError(f'{path}: [[checks]] {number} ({kind}): unknown parameter "{key}" '
                                  f"(known: {', '.join([*known, *COMMON])})")
    for p in own:
        if required(p) and p.name not in declared:
            raise DefinitionError(f'{path}: [[checks]] {number} ({kind}): the required parameter "{p.name}" is missing')
    for p in own:
        problem = type_problem(KINDS[kind], p.name, declared[p.name]) if p.name in declared else None
        if problem:
            raise DefinitionError(f"{path}: [[checks]] {number} ({kind}): {p.name} = {declared[p.name]!r} {problem}")
    if kind == "sums_to" and sum(k in declared for k in ("total", "total_column", "total_row")) != 1:
        raise DefinitionError(f"{path}: [[checks]] {number} (sums_to): give exactly one of total, total_column and total_row")
    if "name" in declared and not (isinstance(declared["name"], str) and re.fullmatch(r"[a-z][a-z0-9_]*", declared["name"])):
        raise DefinitionError(f"{path}: [[checks]] {number} ({kind}): name = {declared['name']!r} is not a lower-case name (a-z, 0-9, _)")
    named = {p.name: p.metadata.get("names") for p in own if p.name in declared}
    for key, names in named.items():
        if names == "column" and declared[key] not in table.columns:
            raise DefinitionError(f"{path}: [[checks]] {number} ({kind}): {key} = {declared[key]!r} is not a field")
    for p in own:
        if p.metadata.get("numeric") and p.name in declared:
            kind_of = table.field(declared[p.name]).get("type")
            if not (kind_of in TYPES and TYPES[kind_of].numeric):
                raise DefinitionError(f"{path}: [[checks]] {number} ({kind}): {p.name} = {declared[p.name]!r} is a {kind_of} "
                                      "field: the check computes with it, so it must be a number or an integer")
    for key, names in named.items():
        for column in re.findall(r"{(\w+)}", declared[key]) if names == "template" else ():
            if column not in table.columns:
                raise DefinitionError(f"{path}: [[checks]] {number} ({kind}): the template names {column!r}, which is not a field")
    for key, names in named.items():
        for column in declared[key] if names == "columns" else ():
            if column not in table.columns:
                raise DefinitionError(f"{path}: [[checks]] {number} ({kind}) names {column!r}, which is not a field")


def quantitative_fields(spec: dict) -> list[str]:
    """The fields a chart's encodings (and its layers without data of their own) draw on a quantitative scale."""
    found = [enc["field"] for enc in spec.get("encoding", {}).values()
             if isinstance(enc, dict) and "field" in enc and enc.get("type") == "quantitative"]
    for layer in spec.get("layer", []):
        if "data" not in layer:
            found += quantitative_fields(layer)
    return found


def read_definitions(schemas_dir: Path) -> dict[str, TableDef]:
    """All table definitions, in the catalog's order; raises DefinitionError naming every problem of every file."""
    definitions, problems = read_definitions_reporting(schemas_dir)
    if problems:
        raise DefinitionError("\n".join(f"{path}: {p}" for path, p in problems))
    return definitions


def read_definitions_reporting(schemas_dir: Path) -> tuple[dict[str, TableDef], list[tuple[Path, str]]]:
    """The definitions that are valid, in the catalog's order (tables first, then the package's own
    metadata tables), and every problem of every file as (path, problem)."""
    paths = sorted(p for p in schemas_dir.glob("*.toml") if not p.name.startswith("_"))
    found, problems = {}, []
    for path in paths:
        table, table_problems = definition_problems(path)
        problems += [(path, p) for p in table_problems]
        if table is not None:
            found[path.stem] = table
    names = {p.stem for p in paths}
    for table in found.values():
        for fk in table.foreign_keys:
            target = fk.get("reference", {}).get("resource")
            if target not in names:
                problems.append((table.path, f"a foreign key refers to the table {target!r}, which has no definition"))
    metadata_tables = [n for n in ("sources", "source_contents", "units", "annotations") if n in found]
    return {n: found[n] for n in [n for n in found if n not in metadata_tables] + metadata_tables}, problems


def read_package_metadata(schemas_dir: Path) -> dict:
    return tomllib.loads((schemas_dir / "_package.toml").read_text(encoding="utf-8"))
