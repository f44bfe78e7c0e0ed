"""The package as typed objects: what datapackage.json holds, read once and checked, then used by attribute.

`Package.from_descriptor(dict)` reads a parsed datapackage.json (a Frictionless Data Package v2 as
`clusterdata build` writes it) and checks what the reading side needs, raising one DescriptorError that
names the place (`resources[3].schema.fields[2].type`) and the rule; `to_descriptor()` writes the same dict
back, key for key and in the same order, so the build emits datapackage.json from these objects and the two
round-trip. Every other module reads tables, fields and keys from here, never from the descriptor's dicts.
What a field type means lives in _types.py. Standard library only: `import clusterdata` stays light.
"""

from __future__ import annotations

import copy
import functools
from dataclasses import dataclass, field as dataclass_field, fields

from ._types import FIELD_TYPES, FieldType

PROFILE = "https://datapackage.org/profiles/2.0/datapackage.json"
PARQUET = "application/vnd.apache.parquet"
# An empty CSV cell is missing; "nan" and "<NA>" are how a null Parquet cell reaches Frictionless through pandas.
MISSING_VALUES = ("", "nan", "<NA>")


class DescriptorError(ValueError):
    """A datapackage.json that lacks what clusterdata reads, or holds it in the wrong form."""


def _get(d: dict, key: str, kind, where: str, required: bool = False, default=None):
    """d[key] checked to be of `kind` (None when absent, unless required)."""
    if key not in d:
        if required:
            raise DescriptorError(f"{where}: the key {key!r} is missing")
        return default
    value = d[key]
    if kind is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    elif kind is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:
        ok = isinstance(value, kind)
    if not ok:
        raise DescriptorError(f"{where}: {key} = {value!r} is not {_KIND_NOUNS[kind]}")
    return value


def _texts(d: dict, key: str, where: str, required: bool = False) -> tuple[str, ...] | None:
    """d[key] checked to be a list of strings, as a tuple (None when absent, unless required)."""
    value = _get(d, key, list, where, required)
    if value is None:
        return None
    for i, item in enumerate(value):
        if not isinstance(item, str):
            raise DescriptorError(f"{where}: {key}[{i}] = {item!r} is not text")
    return tuple(value)


def _objects(d: dict, key: str, where: str, required: bool = False) -> list[tuple[dict, str]]:
    """d[key] checked to be a list of objects, each with its place for messages."""
    value = _get(d, key, list, where, required, default=[])
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            raise DescriptorError(f"{where}: {key}[{i}] = {item!r} is not an object")
    return [(item, f"{where}.{key}[{i}]") for i, item in enumerate(value)]


_KIND_NOUNS = {str: "text", bool: "true or false", int: "a whole number", float: "a number", list: "a list", dict: "an object"}


class _Shown:
    """The one __repr__ of the model's classes, as dataclasses would write it: the decorator then compiles one method
    fewer per class (compiling them is most of the cost of importing this module, which every load pays)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"{type(self).__qualname__}({', '.join(f'{f.name}={getattr(self, f.name)!r}' for f in fields(self))})"


def _drop_none(d: dict) -> dict:
    return {k: v for k, v in d.items() if v is not None}


@dataclass(frozen=True, repr=False)
class Source(_Shown):
    """A work the data is transcribed from: its citation, web address and reuse terms."""

    title: str
    path: str | None = None
    rights: str | None = None

    @classmethod
    def from_descriptor(cls, d: dict, where: str = "source") -> Source:
        return cls(_get(d, "title", str, where, required=True), _get(d, "path", str, where), _get(d, "rights", str, where))

    def to_descriptor(self) -> dict:
        return _drop_none({"title": self.title, "path": self.path, "rights": self.rights})


@dataclass(frozen=True, repr=False)
class License(_Shown):
    """A licence of the package: its SPDX name, title and web address."""

    name: str | None = None
    title: str | None = None
    path: str | None = None

    @classmethod
    def from_descriptor(cls, d: dict, where: str = "license") -> License:
        return cls(_get(d, "name", str, where), _get(d, "title", str, where), _get(d, "path", str, where))

    def to_descriptor(self) -> dict:
        return _drop_none({"name": self.name, "title": self.title, "path": self.path})


@dataclass(frozen=True, repr=False)
class Contributor(_Shown):
    """Who made the package, and their roles."""

    title: str
    roles: tuple[str, ...] | None = None

    @classmethod
    def from_descriptor(cls, d: dict, where: str = "contributor") -> Contributor:
        return cls(_get(d, "title", str, where, required=True), _texts(d, "roles", where))

    def to_descriptor(self) -> dict:
        return _drop_none({"title": self.title, "roles": None if self.roles is None else list(self.roles)})


# Constraint -> (its Python attribute, the kind of value it takes), in the order a descriptor writes them.
CONSTRAINTS = {"required": ("required", bool), "unique": ("unique", bool), "minimum": ("minimum", float),
               "maximum": ("maximum", float), "enum": ("enum", list), "pattern": ("pattern", str),
               "minLength": ("min_length", int), "maxLength": ("max_length", int)}


@dataclass(frozen=True, repr=False)
class Constraints(_Shown):
    """A field's Table Schema constraints; None where the descriptor gives none (absent from to_descriptor)."""

    required: bool | None = None
    unique: bool | None = None
    minimum: int | float | None = None
    maximum: int | float | None = None
    enum: tuple[str, ...] | None = None
    pattern: str | None = None
    min_length: int | None = None
    max_length: int | None = None

    @classmethod
    def from_descriptor(cls, d: dict, where: str = "constraints") -> Constraints:
        values = {}
        for key, value in d.items():
            if key not in CONSTRAINTS:
                raise DescriptorError(f"{where}: unknown constraint {key!r} (known: {', '.join(CONSTRAINTS)})")
            attribute, needs = CONSTRAINTS[key]
            if key == "enum":
                values[attribute] = _texts(d, key, where)
            else:
                values[attribute] = _get(d, key, needs, where)
        return cls(**values)

    def to_descriptor(self) -> dict:
        out = {}
        for key, (attribute, _) in CONSTRAINTS.items():
            value = getattr(self, attribute)
            if value is not None:
                out[key] = list(value) if key == "enum" else value
        return out


@dataclass(frozen=True, repr=False)
class Field(_Shown):
    """One column: name, type (a key of _types.FIELD_TYPES), description, unit (a row of `units`), constraints."""

    name: str
    type: str
    description: str | None = None
    unit: str | None = None
    missing_values: tuple[str, ...] | None = None  # the field's own, where they differ from the table's
    constraints: Constraints | None = None

    @property
    def kind(self) -> FieldType:
        """What the type means: syntax, converter, pandas, Arrow, SQL, Croissant names (_types.py)."""
        return FIELD_TYPES[self.type]

    @property
    def enum(self) -> tuple[str, ...] | None:
        return self.constraints.enum if self.constraints else None

    @property
    def required(self) -> bool:
        return bool(self.constraints and self.constraints.required)

    @classmethod
    def from_descriptor(cls, d: dict, where: str = "field") -> Field:
        name = _get(d, "name", str, where, required=True)
        kind = _get(d, "type", str, where, required=True)
        if kind not in FIELD_TYPES:
            raise DescriptorError(f"{where}: type = {kind!r} is not one of {', '.join(FIELD_TYPES)}")
        known = ("name", "type", "description", "unit", "missingValues", "constraints")
        for key in d:
            if key not in known:
                raise DescriptorError(f"{where}: unknown key {key!r} (known: {', '.join(known)})")
        constraints = _get(d, "constraints", dict, where)
        return cls(name, kind, _get(d, "description", str, where), _get(d, "unit", str, where),
                   _texts(d, "missingValues", where),
                   None if constraints is None else Constraints.from_descriptor(constraints, f"{where}.constraints"))

    def to_descriptor(self) -> dict:
        return _drop_none({"name": self.name, "type": self.type, "description": self.description, "unit": self.unit,
                           "missingValues": None if self.missing_values is None else list(self.missing_values),
                           "constraints": None if self.constraints is None else self.constraints.to_descriptor()})

    def metadata(self) -> dict:
        """What a reader is told about the column besides its name and type (the descriptor's other keys)."""
        return {k: v for k, v in self.to_descriptor().items() if k not in ("name", "type")}


@dataclass(frozen=True, repr=False)
class ForeignKey(_Shown):
    """Columns of this table whose values are a key of `table` (its columns `reference`)."""

    fields: tuple[str, ...]
    table: str
    reference: tuple[str, ...]

    @classmethod
    def from_descriptor(cls, d: dict, where: str = "foreignKey") -> ForeignKey:
        reference = _get(d, "reference", dict, where, required=True)
        return cls(_texts(d, "fields", where, required=True), _get(reference, "resource", str, f"{where}.reference", required=True),
                   _texts(reference, "fields", f"{where}.reference", required=True))

    def to_descriptor(self) -> dict:
        return {"fields": list(self.fields), "reference": {"resource": self.table, "fields": list(self.reference)}}


@dataclass(frozen=True, repr=False)
class Table(_Shown):
    """One table (a Data Package resource): what it holds, where it comes from, its file and its columns."""

    name: str
    title: str
    description: str
    path: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    missing_values: tuple[str, ...] | None = MISSING_VALUES
    sources: tuple[Source, ...] = ()
    location: str | None = None
    source_notes: tuple[str, ...] = ()
    chart: dict | None = dataclass_field(default=None, hash=False)  # a Vega-Lite spec without data, drawn in the data dictionary
    hash: str | None = None  # "sha256:HEX" of the file
    bytes: int | None = None  # the file's size, where a release recorded it
    type: str = "table"
    scheme: str = "file"
    format: str = "parquet"
    mediatype: str = PARQUET

    @property
    def columns(self) -> list[str]:
        return [f.name for f in self.fields]

    @property
    def sha256(self) -> str:
        """The hex digest the file must have ('' when the descriptor records none)."""
        return (self.hash or "").removeprefix("sha256:")

    @property
    def units(self) -> dict[str, str]:
        """Column -> unit name, for the columns that have a unit."""
        return {f.name: f.unit for f in self.fields if f.unit is not None}

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @classmethod
    def from_descriptor(cls, d: dict, where: str = "resource") -> Table:
        name = _get(d, "name", str, where, required=True)
        where = f"{where} ({name})"
        schema = _get(d, "schema", dict, where, required=True)
        at = f"{where}.schema"
        fields = tuple(Field.from_descriptor(f, w) for f, w in _objects(schema, "fields", at, required=True))
        names = [f.name for f in fields]
        if len(set(names)) != len(names):
            raise DescriptorError(f"{at}.fields: a field name appears twice")
        key = _texts(schema, "primaryKey", at) or ()
        foreign = tuple(ForeignKey.from_descriptor(fk, w) for fk, w in _objects(schema, "foreignKeys", at))
        for column in [*key, *(c for fk in foreign for c in fk.fields)]:
            if column not in names:
                raise DescriptorError(f"{at}: the key column {column!r} is not a field")
        chart = _get(d, "chart", dict, where)
        return cls(name=name, title=_get(d, "title", str, where, required=True),
                   description=_get(d, "description", str, where, required=True),
                   path=_get(d, "path", str, where, required=True), fields=fields, primary_key=key, foreign_keys=foreign,
                   missing_values=_texts(schema, "missingValues", at),
                   sources=tuple(Source.from_descriptor(s, w) for s, w in _objects(d, "sources", where)),
                   location=_get(d, "location", str, where), source_notes=_texts(d, "sourceNotes", where) or (),
                   chart=copy.deepcopy(chart), hash=_get(d, "hash", str, where), bytes=_get(d, "bytes", int, where),
                   type=_get(d, "type", str, where, default="table"), scheme=_get(d, "scheme", str, where, default="file"),
                   format=_get(d, "format", str, where, default="parquet"),
                   mediatype=_get(d, "mediatype", str, where, default=PARQUET))

    def schema_descriptor(self) -> dict:
        """The Frictionless Table Schema (v2) of the table."""
        schema = {"fields": [f.to_descriptor() for f in self.fields]}
        if self.missing_values is not None:
            schema["missingValues"] = list(self.missing_values)
        schema["primaryKey"] = list(self.primary_key)
        if self.foreign_keys:
            schema["foreignKeys"] = [fk.to_descriptor() for fk in self.foreign_keys]
        return schema

    def metadata(self) -> dict:
        """The resource's keys besides its schema, as datapackage.json writes them."""
        return {k: v for k, v in self.to_descriptor().items() if k != "schema"}

    def schema_metadata(self) -> dict:
        """The schema's keys besides its fields (missingValues, primaryKey, foreignKeys)."""
        return {k: v for k, v in self.schema_descriptor().items() if k != "fields"}

    def to_descriptor(self) -> dict:
        out = {"name": self.name, "type": self.type, "path": self.path, "scheme": self.scheme, "format": self.format,
               "mediatype": self.mediatype, "title": self.title, "description": self.description}
        if self.sources:
            out["sources"] = [s.to_descriptor() for s in self.sources]
        if self.location is not None:
            out["location"] = self.location
        if self.source_notes:
            out["sourceNotes"] = list(self.source_notes)
        if self.chart:
            out["chart"] = copy.deepcopy(self.chart)
        if self.bytes is not None:
            out["bytes"] = self.bytes
        if self.hash is not None:
            out["hash"] = self.hash
        out["schema"] = self.schema_descriptor()
        return out


@dataclass(frozen=True, repr=False)
class Package(_Shown):
    """The whole package: its title, version, licences, sources, and its tables in catalog order."""

    name: str
    title: str
    tables: tuple[Table, ...]
    description: str | None = None
    version: str | None = None
    created: str | None = None
    homepage: str | None = None
    repository: str | None = None
    keywords: tuple[str, ...] = ()
    licenses: tuple[License, ...] = ()
    contributors: tuple[Contributor, ...] = ()
    sources: tuple[Source, ...] = ()
    profile: str | None = PROFILE

    @property
    def names(self) -> list[str]:
        return [t.name for t in self.tables]

    def table(self, name: str) -> Table | None:
        """The table of that name (looked up, never used as a path), None if there is none."""
        return self._by_name.get(name)

    @functools.cached_property
    def _by_name(self) -> dict[str, Table]:
        """The tables by name, made on the first look-up (the first of a name, should one appear twice)."""
        found: dict[str, Table] = {}
        for candidate in self.tables:
            found.setdefault(candidate.name, candidate)
        return found

    @classmethod
    def from_descriptor(cls, d: dict, where: str = "datapackage.json") -> Package:
        """The package a parsed datapackage.json describes; DescriptorError naming the first thing missing or malformed."""
        if not isinstance(d, dict):
            raise DescriptorError(f"{where}: is not a JSON object")
        tables = tuple(Table.from_descriptor(r, f"{where}: resources[{i}]")
                       for i, (r, _) in enumerate(_objects(d, "resources", where, required=True)))
        return cls(name=_get(d, "name", str, where, required=True), title=_get(d, "title", str, where, required=True),
                   tables=tables, description=_get(d, "description", str, where), version=_get(d, "version", str, where),
                   created=_get(d, "created", str, where), homepage=_get(d, "homepage", str, where),
                   repository=_get(d, "repository", str, where), keywords=_texts(d, "keywords", where) or (),
                   licenses=tuple(License.from_descriptor(x, w) for x, w in _objects(d, "licenses", where)),
                   contributors=tuple(Contributor.from_descriptor(x, w) for x, w in _objects(d, "contributors", where)),
                   sources=tuple(Source.from_descriptor(x, w) for x, w in _objects(d, "sources", where)),
                   profile=_get(d, "$schema", str, where))

    def metadata(self) -> dict:
        """The package's keys besides its resources, as datapackage.json writes them."""
        return {k: v for k, v in self.to_descriptor().items() if k != "resources"}

    def to_descriptor(self) -> dict:
        return _drop_none({"$schema": self.profile, "name": self.name, "title": self.title, "description": self.description,
                           "version": self.version, "created": self.created, "homepage": self.homepage,
                           "repository": self.repository, "keywords": list(self.keywords),
                           "licenses": [x.to_descriptor() for x in self.licenses],
                           "contributors": [x.to_descriptor() for x in self.contributors],
                           "sources": [x.to_descriptor() for x in self.sources],
                           "resources": [t.to_descriptor() for t in self.tables]})
