"""Validation of the raw CSVs: every problem at once, each naming the file, line, column, value and rule.

Three layers, all run by `clusterdata validate` and by every build:
1. each CSV against its definition (encoding, header, cell syntax, then the pandera schema);
2. the cross-checks declared in the definition, matched against `source_inconsistency` annotations;
3. integrity across the package (foreign keys, annotations and source_contents pointing at real things).
"""

from __future__ import annotations

import csv
import json
from contextlib import contextmanager
import functools
import itertools
import os
import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from .._types import FIELD_TYPES
from .._safety import FORMULA_START, character_name, is_formula, printable
from .checks import View, cells_at, identity, run_checks, unmatched_selectors
from .definitions import TableDef, read_definitions_reporting

MISSING_MARKERS = {"na", "n/a", "nan", "null", "none", "nil", "missing", "-", "--", "\u2014", "\u2013", "?", ".."}
LONGEST_MARKER = max(map(len, MISSING_MARKERS))
SMALL = 32  # rows: a column this short is judged cell by cell by parse_cell, without the vectorised fast test
SMALL_TABLE = 1000  # rows: a table this short is read as Python lists where a pandas selection would cost more
INTEGER = re.compile(FIELD_TYPES["integer"].syntax)
NUMBER = re.compile(FIELD_TYPES["number"].syntax)  # as printed: no exponent, no infinity
SCIENTIFIC = re.compile(r"[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)[eE][-+]?[0-9]+")
GROUPED = re.compile(r"-?[0-9]{1,3}([, ][0-9]{3})+(\.[0-9]+)?")
INTEGER_DIGITS, NUMBER_DIGITS = 18, 15  # what int64 and float64 hold exactly, as printed
TEXT_LIMIT = 10_000  # characters in a text cell, unless the definition declares maxLength
# Control characters (a line break is allowed outside keys), format characters (zero-width, bidi overrides,
# soft hyphen, BOM), line/paragraph separators and spaces other than the plain one.
INVISIBLE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\u00a0\u00ad\u0600-\u0605\u061c\u06dd\u070f\u1680\u180e"
                       "\u2000-\u200f\u2028-\u202f\u205f-\u2064\u2066-\u206f\u3000\ufeff\ufff9-\ufffb\U000e0001-\U000e007f]")
# A UTF-8 lead byte read as cp1252/latin-1 followed by continuation bytes read the same way (â€™ for ’, Ã© for é).
MOJIBAKE = re.compile("[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
                      "\u2013\u2014\u2018-\u201a\u201c-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]+")

SUSPECT = re.compile(f"{INVISIBLE.pattern}|{MOJIBAKE.pattern}")  # one pass of the fast test for both


def mojibake(text: str) -> str | None:
    """The first run of `text` that is UTF-8 bytes decoded as cp1252 (an Excel round trip), or None."""
    for match in MOJIBAKE.finditer(text):
        try:
            b"".join(bytes([ord(c)]) if ord(c) < 256 else c.encode("cp1252") for c in match.group()).decode("utf-8")
            return match.group()
        except (UnicodeEncodeError, UnicodeDecodeError):
            continue
    return None


def text_rule(text: str, key: bool = False, enum: bool = False, limit: int | None = TEXT_LIMIT) -> str | None:
    """Why a text cell cannot be stored (None if it can): invisible characters, a line break in a key,
    formula-looking text (not in an enum column, whose values the definition fixes), garbled encoding, length."""
    if key and "\n" in text:
        return "contains a line break (U+000A): a key column holds one line"
    found = INVISIBLE.search(text)
    if found:
        return f"contains {character_name(found.group())}, an invisible or control character: delete it"
    if not enum and is_formula(text):
        return (f'begins with "{printable(text[0])}": a spreadsheet would run it as a formula; '
                "start the text with a letter, digit or quotation mark")
    garbled = mojibake(text)
    if garbled:
        return (f'contains "{garbled}", text garbled by a wrong encoding (mojibake, as Excel makes of \u2019 or \u00e9): '
                "retype it and save the file as UTF-8")
    if limit is not None and len(text) > limit:
        return f"is {len(text)} characters long: a text cell holds at most {limit} (a definition may declare maxLength)"
    return None


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | str | None
    column: str | None
    value: str | None
    rule: str
    layer: str = "schema"  # "schema", "cross-check" or "integrity": which kind of check found it

    def __str__(self) -> str:
        file = printable(self.file, 200)  # a file name from a pull request may hold terminal escapes
        where = file if self.line is None else f"{file}:{self.line}"
        parts = [where]
        if self.column is not None:
            parts.append(f'column "{self.column}"')
        parts.append(self.rule if self.value is None else f'value "{printable(self.value)}" {self.rule}')
        return ": ".join(parts)


@dataclass
class ParsedTable:
    table: TableDef
    file: str  # as shown in messages
    frame: object  # pandas.DataFrame of typed values, RangeIndex (cells that did not parse are empty)
    lines: Sequence[int]  # CSV line of each frame row
    raw: object  # pandas.DataFrame of the cells as written (strings), aligned with `frame`

    def cell(self, position: int, column: str) -> str:
        return self.raw[column].iat[position]

    def records(self) -> list[dict[str, str]]:
        """The rows as written, as dicts (for the small metadata tables)."""
        columns = list(self.raw.columns)
        return [dict(zip(columns, row)) for row in zip(*(self.raw[c].tolist() for c in columns))]


def parse_cell(text: str, kind: str, key: bool = False, enum: bool = False, limit: int | None = TEXT_LIMIT):
    """(value, None) or (None, rule broken). An empty cell is a missing value. `key`, `enum` and `limit`
    are what the text rules need to know of the column (see text_rule)."""
    if text == "":
        return None, None
    if text != text.strip():
        return None, "has spaces before or after it; remove them"
    if text.lower() in MISSING_MARKERS:
        return None, "looks like a missing-value marker; leave the cell empty for a missing value"
    if kind == "string":
        rule = text_rule(text, key, enum, limit)
        return (None, rule) if rule else (text, None)
    if kind == "boolean":
        if text in ("true", "false"):
            return text == "true", None
        return None, "is not a boolean: write true or false"
    what = FIELD_TYPES[kind].noun
    if kind == "integer" and INTEGER.fullmatch(text):
        if len(text.lstrip("-")) > INTEGER_DIGITS:
            return None, f"is out of range: an integer here has at most {INTEGER_DIGITS} digits (stored in 64 bits)"
        return int(text), None
    if kind == "number" and NUMBER.fullmatch(text):
        if len(text.lstrip("-").replace(".", "").lstrip("0")) > NUMBER_DIGITS:
            return None, f"has more than {NUMBER_DIGITS} significant digits: a 64-bit float cannot store it as printed"
        return float(text), None
    if SCIENTIFIC.fullmatch(text):
        return None, (f"is not {what} as printed: scientific notation is refused because spreadsheets round what they show "
                      "(1.34E+03 for 1343); write every digit the source prints")
    if text.lower().lstrip("+-") in ("inf", "infinity", "nan"):
        return None, f"is not {what}: infinities and NaN are not values a source prints"
    if text[0] in "\u2212\u2012\u2013\u2014\ufe63\uff0d" and NUMBER.fullmatch("-" + text[1:]):
        return None, f"is not {what}: it begins with {character_name(text[0])}; write the minus as - (U+002D)"
    if GROUPED.fullmatch(text):
        return None, f"is not {what}: write it without thousands separators"
    if re.fullmatch(r"-?[0-9]+,[0-9]+", text):
        return None, f"is not {what}: use a point, not a comma, for decimals"
    if text.endswith("%"):
        return None, f"is not {what}: leave out the % sign (the column name gives the unit)"
    if re.search(r"[0-9]\s+[0-9]", text):
        return None, f"is not {what}: remove the spaces inside it"
    if kind == "integer" and NUMBER.fullmatch(text):
        return None, "is not an integer: the column holds whole numbers"
    found = INVISIBLE.search(text)
    if found:
        return None, f"is not {what}: it contains {character_name(found.group())}, an invisible or control character"
    return None, f"is not {what}"


def read_table_csv(path: Path, table: TableDef, shown: str) -> tuple[ParsedTable | None, list[Problem]]:
    """Parse one raw CSV against its definition; the frame holds the cells that parsed (bad ones empty).

    Well-formed files (UTF-8 without BOM, the header, every row as many cells as the header, no line
    breaks inside cells) are read once, by Arrow's CSV reader, and checked column by column; anything
    else by the csv module, line by line, which names each malformed line exactly.
    """
    raw, problems = fast_read(path, table), []
    if raw is not None:
        lines: Sequence[int] = range(2, len(raw) + 2)
    else:
        problems, header = file_problems(path, table, shown)
        if header is None:
            return None, problems
        raw, lines, more = exact_read(path, table, shown, skip_bom=bool(problems))
        problems += more
    blank = blank_rows(raw)
    if blank.any():
        problems += [Problem(shown, lines[p], None, None, "is an empty line: remove it") for p in blank.nonzero()[0]]
        lines = [line for line, is_blank in zip(lines, blank) if not is_blank]
        raw = raw[~blank].reset_index(drop=True)
    if not len(raw) and not problems:
        problems.append(Problem(shown, None, None, None, "has a header but no rows"))
    frame, cell_problems = typed_frame(raw, lines, table, shown)
    problems += cell_problems
    parsed = ParsedTable(table, shown, frame, lines, raw)
    problems += schema_problems(parsed, {(p.line, p.column) for p in problems})
    return parsed, problems


def file_problems(path: Path, table: TableDef, shown: str) -> tuple[list[Problem], list[str] | None]:
    """Empty file, byte-order mark, bytes that are not UTF-8, and the header; returns (problems, header or None)."""
    import codecs

    header_text = ",".join(table.columns)
    problems = []
    with open(path, "rb") as f:
        start = f.read(3)
        if not (start + f.read(1 << 16)).strip():
            return [Problem(shown, None, None, None, f"is empty: its first line must be the header {header_text}")], None
        if start == b"\xef\xbb\xbf":
            problems.append(Problem(shown, 1, None, None, "starts with a byte-order mark (BOM): save it as UTF-8 without BOM"))
            f.seek(3)
        else:
            f.seek(0)
        decoder, line = codecs.getincrementaldecoder("utf-8")(), 1
        for chunk in iter(lambda: f.read(1 << 22), b""):
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as error:
                line += chunk[: error.start].count(b"\n")
                byte = chunk[error.start : error.start + 1].hex()
                return problems + [Problem(shown, line, None, None, f"is not UTF-8 (byte 0x{byte}): save the file as UTF-8")], None
            line += chunk.count(b"\n")
    with any_cell_size(path), open(path, encoding="utf-8-sig", newline="") as f:
        header = next(csv.reader(f), [])
    if header != table.columns:
        kept = len(header)
        while kept and not header[kept - 1]:
            kept -= 1
        if kept < len(header):  # a spreadsheet saved empty columns: say so, rather than list empty names as unknown
            problems.append(Problem(shown, 1, None, None, f"the header ends with {len(header) - kept} empty column name(s): "
                                    "remove the trailing commas from every line"))
            header = header[:kept]
        counts = Counter(header)
        twice = [c for c in table.columns if counts[c] > 1]
        missing = [c for c in table.columns if c not in header]
        extra = [c for c in header if c not in table.columns]
        if twice:
            problems.append(Problem(shown, 1, None, None, f"the header names the column(s) {', '.join(twice)} more than once"))
        if missing:
            problems.append(Problem(shown, 1, None, None, f"the header lacks the column(s) {', '.join(missing)}"))
        if extra:
            problems.append(Problem(shown, 1, None, None, f"the header has unknown column(s) {quoted_names(extra)}"))
        if not missing and not extra and not twice and header != table.columns:
            problems.append(Problem(shown, 1, None, None, f"the columns are out of order: the header must be {header_text}"))
        return problems, None
    return problems, header


def quoted_names(columns: list[str]) -> str:
    """Header names as a message shows them: quoted (a trailing or non-breaking space shows), escaped, at most ten."""
    return ", ".join(f'"{printable(c, 40)}"' for c in columns[:10]) + (f" and {len(columns) - 10} more" if len(columns) > 10 else "")


BLOCK = 1 << 22  # bytes of a file that fast_read parses at once: the whole file is never held twice
REPEATED = 8  # a column whose first block has at most 1/8 as many distinct cells as rows is held dictionary-encoded
ENCODED_ROWS = 1000  # ... when that block has at least this many rows (small tables stay plain text)
LARGE = 100_000  # rows: a table this long has Arrow's freed memory given back after each column is typed


def fast_read(path: Path, table: TableDef):
    """The cells as strings, read once by Arrow's streaming CSV reader, block by block; None where the file is not
    regular enough for it (then exact_read names what is wrong). A column of repeated cells (a unit, a status) is
    a pandas Categorical (each distinct cell held once, judged once by typed_frame), the others pandas' str over
    Arrow's buffers (not copied): a large file is held in memory once, in about its size."""
    import numpy as np
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc
    from pyarrow import csv as arrow_csv

    with open(path, "rb") as f:
        if f.read(3) == b"\xef\xbb\xbf":
            return None  # Arrow would skip the byte-order mark silently
    plain, codes, keys = {c: [] for c in table.columns}, {}, {}
    encoded = pa.dictionary(pa.int32(), pa.large_string())

    def reader(types):
        return arrow_csv.open_csv(
            path,
            read_options=arrow_csv.ReadOptions(block_size=BLOCK),
            parse_options=arrow_csv.ParseOptions(newlines_in_values=False, ignore_empty_lines=False),
            convert_options=arrow_csv.ConvertOptions(column_types=dict(zip(table.columns, types)),
                                                     strings_can_be_null=False, quoted_strings_can_be_null=False))

    try:
        first = reader([pa.large_string()] * len(table.columns))
        if first.schema.names != table.columns or any(not pa.types.is_large_string(t) for t in first.schema.types):
            return None
        sample = next(iter(first), None)  # the first block says which columns repeat their cells
        types = [encoded if sample is not None and len(sample) >= ENCODED_ROWS and pc.count_distinct(column).as_py() * REPEATED <= len(sample)
                 else pa.large_string() for column in (sample.columns if sample is not None else table.columns)]
        # read again with those columns dictionary-encoded by the reader (the first reader, and the blocks it read
        # ahead, let go); a file without such columns is read on
        if encoded in types:
            del first, sample
            batches = reader(types)
        else:
            batches = itertools.chain([sample] if sample is not None else [], first)
        for batch in batches:
            if any(line_break_inside(column.dictionary if pa.types.is_dictionary(column.type) else column)
                   for column in batch.columns):  # then the lines are not the rows
                return None
            for name, column in zip(table.columns, batch.columns):
                if pa.types.is_dictionary(column.type):  # each block has its own dictionary: made one below
                    keys.setdefault(name, []).append(column.dictionary)
                    codes.setdefault(name, []).append(column.indices)
                else:
                    plain[name].append(column)
            del batch
            if codes:
                give_back()  # a large file: the reader's blocks, given back as they are read
    except (pa.ArrowInvalid, OSError):  # bytes that are not UTF-8, a row of another length, an empty file
        return None
    text = pd.StringDtype("pyarrow", na_value=float("nan"))  # pandas' str, which holds large_string: no cast
    cells = pa.table({name: pa.chunked_array(plain[name], type=pa.large_string()) for name in table.columns if name not in codes})
    columns = dict(cells.to_pandas(types_mapper={pa.large_string(): text}.get).items())
    for name in list(codes):
        # every block's distinct cells numbered at once (in order of appearance), then each row by its block's numbers
        dictionaries, blocks = keys.pop(name), codes.pop(name)
        whole = pc.dictionary_encode(pa.concat_arrays(dictionaries))
        kind = code_type(len(whole.dictionary))
        numbers = whole.indices.to_numpy(zero_copy_only=False).astype(kind)
        starts = np.cumsum([0] + [len(d) for d in dictionaries])
        rows = [numbers[start:][block.to_numpy(zero_copy_only=False)] for start, block in zip(starts, blocks)]
        categories = pd.Index(whole.dictionary.to_pandas(types_mapper={pa.large_string(): text}.get))
        columns[name] = pd.Categorical.from_codes(np.concatenate(rows, dtype=kind), dtype=pd.CategoricalDtype(categories))
        give_back()
    return pd.DataFrame({name: columns[name] for name in table.columns})


def code_type(categories: int):
    """The smallest integer type pandas numbers this many categories with."""
    import numpy as np

    return np.int8 if categories < 2**7 else np.int16 if categories < 2**15 else np.int32


def give_back() -> None:
    """Return the memory Arrow's allocator holds for reuse to the system: the temporaries of a large table's
    column-wise steps would otherwise add up in the process's peak, as if all were alive at once."""
    import pyarrow as pa

    pa.default_memory_pool().release_unused()


@functools.cache
def byte_tables():
    """256-entry boolean tables, indexed by a cell's first or last byte: printable ASCII other than the space;
    the first bytes of the characters whose lower case begins a missing-value marker (N, n, M, m, -, ?, ., and
    the dashes: checked against Arrow's lower case of every character); the first bytes of FORMULA_START."""
    import numpy as np

    def table(characters):
        found = np.zeros(256, dtype=bool)
        found[[c.encode("utf-8")[0] for c in characters]] = True
        return found

    return table(map(chr, range(0x21, 0x7F))), table("NnMm-?.\u2014\u2013"), table(FORMULA_START)


def cell_bytes(cells):
    """Of each cell of an Arrow large_string column, read from its buffers: its size in bytes, its first and last
    byte (0 when empty), and the positions of the cells holding a byte that is neither printable ASCII nor a line
    feed (only those can hold an invisible character or mojibake). Cheap tests that let the exact ones run on few cells."""
    import numpy as np

    sizes, firsts, lasts, unusual, base = [], [], [], [], 0
    for chunk in cells.chunks:
        _, offsets, data = chunk.buffers()
        ends = np.frombuffer(offsets, dtype=np.int64)[chunk.offset : chunk.offset + len(chunk) + 1] if len(chunk) else np.zeros(1, np.int64)
        start, stop = ends[:-1], ends[1:]
        data = np.frombuffer(data, dtype=np.uint8) if data is not None and len(data) else np.zeros(1, np.uint8)
        filled = stop > start
        sizes.append(stop - start)
        firsts.append(np.where(filled, data[np.where(filled, start, 0)], 0))
        lasts.append(np.where(filled, data[np.where(filled, stop - 1, 0)], 0))
        used = data[ends[0] : ends[-1]]
        odd = np.flatnonzero(((used < 0x20) & (used != 0x0A)) | (used > 0x7E)) + ends[0]
        unusual.append(np.unique(np.searchsorted(stop, odd, side="right")) + base)
        base += len(chunk)
    join = lambda parts, kind: np.concatenate(parts) if parts else np.zeros(0, kind)  # noqa: E731
    return join(sizes, np.int64), join(firsts, np.uint8), join(lasts, np.uint8), join(unusual, np.int64)


def line_break_inside(column) -> bool:
    """Whether a cell of an Arrow text column (or array) holds a line break (\\n or \\r): a scan of its bytes, chunk by chunk."""
    import numpy as np

    for chunk in getattr(column, "chunks", [column]):
        _, offsets, data = chunk.buffers()
        if data is not None and len(chunk):
            ends = np.frombuffer(offsets, dtype=np.int64)[chunk.offset : chunk.offset + len(chunk) + 1]  # large_string
            piece = memoryview(data)[int(ends[0]) : int(ends[-1])].tobytes()
            if b"\n" in piece or b"\r" in piece:
                return True
    return False


def blank_rows(raw):
    """A boolean array: the rows whose every cell is empty or spaces (an empty line, or one of commas alone).
    Each column is stripped only on the rows still blank in the columns before it."""
    import numpy as np

    if len(raw) <= SMALL and len(raw.columns) and all("!" <= cell[:1] <= "~" for cell in raw[raw.columns[0]].tolist()):
        return np.zeros(len(raw), dtype=bool)  # a few rows, each beginning with a visible ASCII character: none is blank
    blank = np.ones(len(raw), dtype=bool)
    for column in raw.columns:
        candidates = blank.nonzero()[0]
        if not len(candidates):
            break
        cells = raw[column] if len(candidates) == len(raw) else cells_at(raw[column], candidates)
        blank[candidates] = (cells.str.strip() == "").to_numpy()
    return blank


@contextmanager
def any_cell_size(path: Path):
    """The csv module reads a cell as long as the file (its default stops at 131,072 characters with an error):
    a cell too long for its column is then reported by the rule on text length, as one message."""
    previous = csv.field_size_limit(max(path.stat().st_size + 1, 131072))
    try:
        yield
    finally:
        csv.field_size_limit(previous)


def exact_read(path: Path, table: TableDef, shown: str, skip_bom: bool):
    """The cells as strings through the csv module, with each malformed line reported."""
    import pandas as pd

    problems, rows, lines = [], [], []
    with any_cell_size(path), open(path, encoding="utf-8-sig" if skip_bom else "utf-8", newline="") as f:
        reader = csv.reader(f)
        next(reader)
        end = reader.line_num
        for row in reader:
            start, line, end = end + 1, reader.line_num, reader.line_num
            if len(row) != len(table.columns) and line > start and any("\n" in cell for cell in row):
                problems.append(Problem(shown, start, None, None, f"has a quotation mark that opens a cell and is not "
                                        f"closed before line {line}: close it, or write a quotation mark in a cell as \"\""))
                continue
            if len(row) != len(table.columns) and any(cell.strip() for cell in row):
                problems.append(Problem(shown, line, None, None, f"has {len(row)} cells, the header has {len(table.columns)}"))
                continue
            rows.append(row if len(row) == len(table.columns) else [""] * len(table.columns))
            lines.append(start)  # a row whose cell spans lines is named by its first line
    raw = pd.DataFrame(rows, columns=table.columns, dtype=object).astype(str) if rows else pd.DataFrame({c: pd.Series([], dtype=str) for c in table.columns})
    return raw, lines, problems


def typed_frame(raw, lines, table: TableDef, shown: str):
    """The typed frame and the cells that break their column's syntax (reported in line, then column order).

    A column of repeated cells (a Categorical, from fast_read) is judged and converted once per distinct cell,
    then spread over its rows by their codes; a text column stays a Categorical (not a copy per row).
    """
    import numpy as np
    import pandas as pd

    found, columns = [], {}
    for order, name in enumerate(table.columns):
        field = table.field(name)
        convert, text = FIELD_TYPES[field["type"]].convert, raw[name]
        if isinstance(text.dtype, pd.CategoricalDtype):
            cells, codes = pd.Series(text.cat.categories), text.cat.codes.to_numpy()
            broken, keep = judged_cells(cells, field, name in table.primary_key)
            for position in np.flatnonzero(np.isin(codes, list(broken))) if broken else ():
                cell = codes[position]
                found.append((lines[position], order, Problem(shown, lines[position], name, cells.iat[cell], broken[cell])))
            if field["type"] == "string":
                categories = pd.CategoricalDtype(pd.Index(convert(cells)))
                kept = codes if keep.all() else np.where(keep[codes], codes, np.array(-1, dtype=codes.dtype))  # -1: empty
                columns[name] = pd.Categorical.from_codes(kept, dtype=categories)
            else:
                columns[name] = pd.Series(convert(cells.where(keep))).array.take(codes)
            continue
        broken, keep = judged_cells(text, field, name in table.primary_key)
        found += [(lines[position], order, Problem(shown, lines[position], name, text.iat[position], rule))
                  for position, rule in broken.items()]
        values = text if keep.all() else text.where(keep)  # all kept: no copy of the column
        columns[name] = convert(values)
        if len(text) >= LARGE:
            give_back()
    found.sort(key=lambda item: item[:2])
    # from the arrays, not the Series: no index to align, and no copy of a column
    frame = pd.DataFrame({name: getattr(values, "array", values) for name, values in columns.items()}, copy=False)
    return frame, [problem for _, _, problem in found]


def judged_cells(text, field: dict, key: bool):
    """The cells of one column (a str Series) that break its syntax, {position: rule}, and which cells hold a value.

    A vectorised test passes most cells; each cell it does not pass is judged by parse_cell, the one
    place of the rules (the fast test may only be stricter, never more lenient).
    """
    import numpy as np

    constraints = field.get("constraints", {})
    rules = {"key": key, "enum": "enum" in constraints, "limit": None if "maxLength" in constraints else TEXT_LIMIT}
    cells = text.tolist() if len(text) <= SMALL else None  # a few cells: judged as Python strings
    empty = (text == "").to_numpy(dtype=bool) if cells is None else np.array([cell == "" for cell in cells], dtype=bool)
    empty_is_value = "" not in field.get("missingValues", [""])
    if cells is not None:  # the rule itself is cheaper than the vectorised tests' fixed costs
        ok = np.array([parse_cell(cell, field["type"], **rules)[1] is None for cell in cells], dtype=bool)
    elif field["type"] == "string":  # the syntax of text is any text: the rules are the text rules
        size, first, last, unusual = cell_bytes(text.array.__arrow_array__())
        PRINTABLE, MARKER_START, FORMULA_BYTE = byte_tables()
        ok = size <= TEXT_LIMIT  # bytes are at least the characters: a longer cell is judged by its characters, below
        ok[unusual] &= ~cells_at(text, unusual).str.contains(SUSPECT).to_numpy(dtype=bool)  # only these can hold one
        ends = np.flatnonzero(~(PRINTABLE[first] & PRINTABLE[last]) & ~empty)  # only these can have spaces to strip
        cells = cells_at(text, ends)
        ok[ends] &= (cells == cells.str.strip()).to_numpy(dtype=bool)
        short = np.flatnonzero((size <= 4 * LONGEST_MARKER) & MARKER_START[first])  # only these can be a missing-value marker
        ok[short] &= ~cells_at(text, short).str.lower().isin(MISSING_MARKERS).to_numpy(dtype=bool)
        if rules["key"]:
            ok &= ~text.str.contains("\n", regex=False).to_numpy(dtype=bool)
        if not rules["enum"]:  # is_formula, the rule, judges only the cells whose first byte may begin FORMULA_START
            ok[[p for p in np.flatnonzero(FORMULA_BYTE[first]) if is_formula(text.iat[p])]] = False
    else:
        ok = empty | text.str.fullmatch(FIELD_TYPES[field["type"]].syntax).to_numpy(dtype=bool)
        if field["type"] == "integer":
            ok &= (text.str.lstrip("-").str.len() <= INTEGER_DIGITS).to_numpy(dtype=bool)
        elif field["type"] == "number":
            ok &= (text.str.lstrip("-").str.replace(".", "", regex=False).str.lstrip("0").str.len() <= NUMBER_DIGITS).to_numpy(dtype=bool)
    broken = {}
    for position in np.flatnonzero(~ok):
        _, rule = parse_cell(text.iat[position], field["type"], **rules)
        if rule is None:  # a candidate the fast test could not clear (e.g. a mojibake look-alike) that is fine
            ok[position] = True
        else:
            broken[int(position)] = rule
    return broken, (ok & ~empty) | (empty_is_value & empty)


def schema_problems(parsed: ParsedTable, reported: set) -> list[Problem]:
    """The pandera schema's failures as Problems (cells already reported as unparsable are left out).
    pandera (0.4 s to import) is imported only for a frame the quick test does not pass."""
    if parsed.frame.empty or parsed.table.constraints_hold(parsed.frame):  # then pandera would find nothing
        return []
    import pandera.pandas as pa

    try:
        parsed.table.pandera_schema(check_types=False).validate(parsed.frame, lazy=True)  # typed_frame made the types
        return []
    except pa.errors.SchemaErrors as error:
        cases = error.failure_cases
    problems, duplicates = [], set()
    for case in cases.itertuples(index=False):
        if case.index is None or case.index != case.index:
            problems.append(Problem(parsed.file, None, case.column, None, f"fails {case.check}"))
            continue
        position = int(case.index)
        line = parsed.lines[position]
        if case.check == "multiple_fields_uniqueness":
            duplicates.add(position)
            continue
        if (line, case.column) in reported:
            continue
        cell = parsed.cell(position, case.column)
        rule = {"not_nullable": "is missing: the column is required", "field_uniqueness": "appears twice: the column must be unique"}.get(case.check, case.check)
        problems.append(Problem(parsed.file, line, case.column, cell, rule))
    key = parsed.table.primary_key
    groups = defaultdict(list)  # the rows of each duplicated key, found in one pass (5,000 pasted rows must not hang)
    for position in sorted(duplicates):
        groups[tuple(parsed.cell(position, c) for c in key)].append(position)
    for position in sorted(duplicates):
        values = tuple(parsed.cell(position, c) for c in key)
        text = ";".join(f"{c}={printable(v)}" for c, v in zip(key, values))
        group = groups[values]  # the first ten other lines and a count: one group of 5,000 stays linear
        others = [parsed.lines[p] for p in group[:11] if p != position][:10]
        more = len(group) - 1 - len(others)
        also = ", ".join(map(str, others)) + (f" and {more} more" if more else "")
        problems.append(Problem(parsed.file, parsed.lines[position], None, None,
                                f"duplicate key {text}: the key ({', '.join(key)}) must be unique (also on line {also})"))
    return problems


def line_span(parsed: ParsedTable, positions) -> str | int:
    lines = sorted(parsed.lines[p] for p in positions)
    if len(lines) == 1:
        return lines[0]
    if lines == list(range(lines[0], lines[-1] + 1)):
        return f"{lines[0]}-{lines[-1]}"
    return ",".join(map(str, lines))


def errata_by_table(annotations: ParsedTable | None) -> dict[str, dict[tuple[str, str, str], tuple[int, str]]]:
    """The source_inconsistency annotations of each table, read once for all tables:
    {table: {(row key, column, check): (line, expected)}}; check is empty on a note no check finds."""
    errata: dict = defaultdict(dict)
    if annotations is not None:
        for row, line in zip(annotations.records(), annotations.lines):
            if row["kind"] == "source_inconsistency":
                errata[row["table_name"]][(row["row_key"], row["column_name"], row.get("check") or "")] = (line, row.get("expected") or "")
    return errata


def cross_check_problems(parsed: ParsedTable, annotations: ParsedTable | None, errata_index: dict | None = None) -> list[Problem]:
    """Discrepancies no annotation expects as they are, and source_inconsistency annotations no check finds (stale).

    An erratum names the check it answers (`check`) and the discrepancy it expects (`expected`, as the
    check states it: "99.5 vs 100"), so a second check failing on the same row, or a changed value behind
    an expected discrepancy, fails the build instead of hiding behind the note. `errata_index` is
    errata_by_table(annotations), made once for all tables.
    """
    table = parsed.table
    errata = (errata_index if errata_index is not None else errata_by_table(annotations)).get(table.name, {})
    # Agreeing findings are needed only where an erratum names a check (one that names none is never stale)
    view = View(parsed.frame, table, {column for _, column, check in errata if check})  # each column read once for both
    found = run_checks(parsed.frame, table, view=view)
    problems = [Problem(f"schemas/{table.name}.toml", None, None, None,
                        f"[[checks]] {number} ({kind}): {parameter} = {{{', '.join(f'{c} = {json.dumps(v)}' for c, v in match.items())}}} "
                        f"matches no row of {parsed.file}: the check would check nothing (correct the selector, or the cells of the row it names)", "cross-check")
                for number, kind, parameter, match in unmatched_selectors(parsed.frame, table, view)]
    on_cell: dict[tuple[str, str], tuple[int, str]] = {}  # (row key, column) -> (line, check) of its first erratum
    for (k, col, c), (at, _) in errata.items():
        on_cell.setdefault((k, col), (at, c))
    for d in found:
        if d.ok:
            continue
        line, expected = errata.get((d.row_key, d.column, d.check), (None, None))
        other = on_cell.get((d.row_key, d.column))
        if line is None and other is not None:  # the key of annotations holds one source_inconsistency per cell
            problems.append(Problem(parsed.file, line_span(parsed, d.rows), d.column, d.value,
                                    f"fails the cross-check {d.check}: {d.message}. The source_inconsistency on line {other[0]} "
                                    f"of annotations.csv answers {other[1] or 'no check'}, not this one: correct the value (a cell holds "
                                    "one erratum; if the source prints this too, say so in an issue)",
                                    "cross-check"))
        elif line is None:
            problems.append(Problem(parsed.file, line_span(parsed, d.rows), d.column, d.value,
                                    f"fails the cross-check {d.check}: {d.message}. If the source prints it so, record it in "
                                    f'annotations.csv as {table.name},"{d.row_key}",{d.column},source_inconsistency,<what and why>,'
                                    f'{d.check},"{d.discrepancy}"', "cross-check"))
        elif expected != d.discrepancy:
            problems.append(Problem(parsed.file, line_span(parsed, d.rows), d.column, d.value,
                                    f"fails the cross-check {d.check} with {d.discrepancy}, but the source_inconsistency on line "
                                    f"{line} of annotations.csv expects {expected}: correct the value, or the annotation if the "
                                    "source prints it so", "cross-check"))
    disagreeing = {(d.row_key, d.column, d.check) for d in found if not d.ok}
    agreeing = {(d.row_key, d.column, d.check) for d in found if d.ok}
    known = {identity(declared) for declared in table.checks}
    for (key, column, check), (line, _expected) in errata.items():
        if check and check not in known:
            problems.append(Problem(annotations.file, line, "check", check,
                                    f"is not a cross-check of {table.name} (its checks: {', '.join(sorted(known)) or 'none'})"))
            continue
        if (key, column, check) in disagreeing:
            continue
        if check and (key, column, check) in agreeing:
            problems.append(Problem(annotations.file, line, "row_key", key,
                                    f"is a source_inconsistency on {table.name}.{column} that the cross-check "
                                    f"{check} no longer finds: the erratum is stale; remove the annotation or restore the value",
                                    "cross-check"))
    return problems


def integrity_problems(parsed: dict[str, ParsedTable], definitions: dict[str, TableDef], root: Path,
                       unchecked: frozenset = frozenset()) -> list[Problem]:
    """Foreign keys, table sources, and annotations/source_contents pointing at existing tables, rows and columns.

    References into a table in `unchecked` (one with broken cells) are not followed: a mistyped key is
    reported once, where it is, not again by every row that points at it."""
    problems = []
    for table in definitions.values():
        if table.name not in parsed:
            continue
        child = parsed[table.name]
        for fk in table.foreign_keys:
            target = parsed.get(fk["reference"]["resource"])
            if target is None or fk["reference"]["resource"] in unchecked:
                continue
            mine = child.raw[fk["fields"]]
            for position in unmatched_rows(mine, target.raw[fk["reference"]["fields"]]):
                problems.append(Problem(child.file, child.lines[position], fk["fields"][0], ";".join(mine.iloc[position]),
                                        f"is not a {'/'.join(fk['reference']['fields'])} of {fk['reference']['resource']}"))
    problems += unit_problems(parsed, definitions, root, unchecked) + period_problems(parsed)
    sources = set(parsed["sources"].raw["source_id"]) if "sources" in parsed else set()
    for table in definitions.values():
        if table.source is not None and "sources" in parsed and table.source not in sources:
            problems.append(Problem(str(table.path.relative_to(root)), None, "source", table.source, "is not a source_id of sources.csv"))
    if "source_contents" in parsed:
        contents = parsed["source_contents"]
        for row, line in zip(contents.records(), contents.lines):
            if row["dataset_table"] and row["dataset_table"] not in definitions:
                problems.append(Problem(contents.file, line, "dataset_table", row["dataset_table"], "is not a table of the catalog"))
    if "annotations" in parsed:
        problems += annotation_target_problems(parsed["annotations"], {n: t for n, t in parsed.items() if n not in unchecked}, definitions)
    return [replace(p, layer="integrity") for p in problems]


def unmatched_rows(mine, theirs) -> list[int]:
    """The positions of the rows of `mine` (cells as written) that give every cell and match no row of `theirs`."""
    import numpy as np
    import pandas as pd

    given = (mine != "").all(axis=1).to_numpy()
    if mine.shape[1] == 1:
        found = mine.iloc[:, 0].isin(theirs.iloc[:, 0]).to_numpy()
    else:
        found = pd.MultiIndex.from_frame(mine).isin(pd.MultiIndex.from_frame(theirs))
    return np.flatnonzero(given & ~found).tolist()


def unit_problems(parsed: dict[str, ParsedTable], definitions: dict[str, TableDef], root: Path,
                  unchecked: frozenset = frozenset()) -> list[Problem]:
    """Every column unit of a definition is a row of `units`, and statistics.value_base is value x factor of its unit
    (not judged while statistics or units has broken cells: a value that is not a number is reported once, where it is)."""
    if "units" not in parsed:
        return []
    units = {row["unit"]: row for row in parsed["units"].records()}
    problems = [Problem(str(table.path.relative_to(root)), None, f["name"], f["unit"], "is not a unit of units.csv (the field's unit)")
                for table in definitions.values() for f in table.fields if "unit" in f and f["unit"] not in units]
    if "statistics" in parsed and "value_base" in definitions["statistics"].columns and not {"statistics", "units"} & unchecked:
        stats = parsed["statistics"]
        for position in value_base_suspects(stats, {name: float(row["factor"]) for name, row in units.items()}):
            row, line = {c: stats.cell(position, c) for c in ("unit", "value", "value_base")}, stats.lines[position]
            unit = units.get(row["unit"])
            if unit is None:
                continue  # reported by the foreign key check
            expected = None if row["value"] == "" else float(row["value"]) * float(unit["factor"])
            found = None if row["value_base"] == "" else float(row["value_base"])
            if (expected is None) != (found is None) or (expected is not None and not math.isclose(expected, found, rel_tol=1e-9)):
                problems.append(Problem(stats.file, line, "value_base", row["value_base"],
                                        f"is not value x factor of {row['unit']} (expected {'empty' if expected is None else f'{expected:.15g}'})"))
    return problems


def value_base_suspects(stats: ParsedTable, factors: dict[str, float]) -> list[int]:
    """The rows whose value_base may not be value x factor: a vectorised test, stricter than the rule
    (relative 1e-12 against its 1e-9), so that unit_problems judges only these rows, and misses none."""
    import numpy as np

    factor = stats.raw["unit"].map(factors).astype("float64").to_numpy()
    value, base = (stats.frame[c].astype("float64").to_numpy() for c in ("value", "value_base"))
    expected = value * factor
    with np.errstate(invalid="ignore"):
        close = np.abs(expected - base) <= 1e-12 * np.maximum(np.abs(expected), np.abs(base))
    fine = np.isnan(factor) | (np.isnan(value) & np.isnan(base)) | close
    return np.flatnonzero(~fine).tolist()


# Which ends of a statistics period each period_status gives (period_start, period_end).
PERIOD_ENDS = {"stated": (True, True), "open_start": (False, True), "illegible_start": (False, True),
               "open_end": (True, False), "undated": (False, False)}
PERIOD_ENDS_TEXT = {(True, True): "both years", (False, True): "period_end alone", (True, False): "period_start alone",
                    (False, False): "no year"}


def period_problems(parsed: dict[str, ParsedTable]) -> list[Problem]:
    """A statistics row's period_status agrees with the ends of its period that the row gives."""
    stats = parsed.get("statistics")
    if stats is None or "period_status" not in stats.table.columns:
        return []
    import numpy as np

    raw = stats.raw
    start, end, statuses = (raw["period_start"] != "").to_numpy(), (raw["period_end"] != "").to_numpy(), raw["period_status"]
    wrong = np.zeros(len(raw), dtype=bool)
    for status, (needs_start, needs_end) in PERIOD_ENDS.items():
        wrong |= (statuses == status).to_numpy() & ((start != needs_start) | (end != needs_end))
    problems = []
    for position in np.flatnonzero(wrong):
        given, status, line = (bool(start[position]), bool(end[position])), statuses.iat[position], stats.lines[position]
        if status in PERIOD_ENDS and given != PERIOD_ENDS[status]:
            problems.append(Problem(stats.file, line, "period_status", status,
                                    f"needs {PERIOD_ENDS_TEXT[PERIOD_ENDS[status]]}; the row gives {PERIOD_ENDS_TEXT[given]}"))
    return problems


def annotation_target_problems(annotations: ParsedTable, parsed: dict[str, ParsedTable], definitions) -> list[Problem]:
    rows = annotations.records()
    present = existing_keys(rows, parsed, definitions)
    problems = []
    for row, line in zip(rows, annotations.lines):
        name, key, column = row["table_name"], row["row_key"], row["column_name"]
        if name not in definitions:
            problems.append(Problem(annotations.file, line, "table_name", name, "is not a table of the catalog"))
            continue
        table = definitions[name]
        check, expected = row.get("check") or "", row.get("expected") or ""
        if (check or expected) and row["kind"] != "source_inconsistency":
            problems.append(Problem(annotations.file, line, "check" if check else "expected", check or expected,
                                    f"is given on a note of kind {row['kind']}: only a source_inconsistency names a check and its discrepancy"))
        elif bool(check) != bool(expected):
            problems.append(Problem(annotations.file, line, "expected" if check else "check", None,
                                    "must be given with the other of check and expected: an erratum names the check and the discrepancy it expects"))
        if column and column not in table.columns:
            problems.append(Problem(annotations.file, line, "column_name", column, f"is not a column of {name}"))
        if not key:
            continue
        pairs = [part.split("=", 1) for part in key.split(";")]
        names = [p[0] for p in pairs]
        if any(len(p) != 2 for p in pairs) or names != table.primary_key[: len(names)]:
            problems.append(Problem(annotations.file, line, "row_key", key,
                                    f"is not a row key of {name}: write {';'.join(c + '=...' for c in table.primary_key)} (or a leading part of it)"))
            continue
        if name in parsed and tuple(v for _, v in pairs) not in present[(name, len(pairs))]:
            problems.append(Problem(annotations.file, line, "row_key", key, f"matches no row of {name}"))
    return problems


def existing_keys(rows: list[dict], parsed: dict[str, ParsedTable], definitions) -> dict[tuple[str, int], set[tuple]]:
    """Of the row keys (or leading parts) that annotations name, those some row has, by (table, number of key
    columns): one vectorised look-up per table and key length, instead of a pass over the table per annotation."""
    wanted: dict[tuple[str, int], set[tuple]] = defaultdict(set)
    for row in rows:
        if row["row_key"] and row["table_name"] in parsed:
            values = tuple(part.split("=", 1)[-1] for part in row["row_key"].split(";"))
            wanted[(row["table_name"], len(values))].add(values)
    present: dict[tuple[str, int], set[tuple]] = defaultdict(set)
    for (name, length), keys in wanted.items():
        columns = definitions[name].primary_key[:length]
        if len(columns) != length:
            continue  # not a row key of the table: annotation_target_problems says so
        raw = parsed[name].raw
        if len(raw) > SMALL_TABLE:  # the rows whose first key cell is named, found at once, then only those read
            raw = raw.loc[raw[columns[0]].isin({k[0] for k in keys}).to_numpy(), columns]
        present[(name, length)] = set(zip(*(raw[c].tolist() for c in columns))) & keys
    return present


def quote_problems(parsed: dict[str, ParsedTable], definitions, sources_dir: Path) -> list[Problem]:
    """Every quote of a table declaring `quotes` occurs in its source's text (runs of whitespace collapsed)."""
    if "sources" not in parsed:
        return []
    sources, files, problems = parsed["sources"], {}, []
    for row, line in zip(sources.records(), sources.lines):
        if inside(sources_dir / row["file"], sources_dir):
            files[row["source_id"]] = row["file"]
        else:  # an absolute path or ../ would reach any file, and the message would tell whether a quote is in it
            problems.append(Problem(sources.file, line, "file", row["file"],
                                    "is not a file inside the folder of the source texts: name the file alone, without folders"))
    texts: dict[str, str | None] = {}
    for name, table in definitions.items():
        if not table.quotes or name not in parsed:
            continue
        target = parsed[name]
        for source_id, quote, line in zip(target.raw[table.quotes["source"]], target.raw[table.quotes["quote"]], target.lines):
            if source_id not in files or not quote:
                continue  # an unknown source is reported by the foreign key check, a file outside the folder above
            path = sources_dir / files[source_id]
            if source_id not in texts:
                texts[source_id] = " ".join(path.read_text(encoding="utf-8").split()) if path.is_file() else None
            if texts[source_id] is None:
                problems.append(Problem(target.file, line, table.quotes["source"], source_id,
                                        f"has no text at {sources_dir / files[source_id]} to check the quote against"))
            elif " ".join(quote.split()) not in texts[source_id]:
                problems.append(Problem(target.file, line, table.quotes["quote"], quote,
                                        f"is not in the source text {files[source_id]} (runs of whitespace ignored): copy it exactly"))
    return [replace(p, layer="integrity") for p in problems]


def sources_dir_from_environment() -> Path | None:
    """The folder of the source texts, if CLUSTERDATA_SOURCES names one (they are not in the repository)."""
    value = os.environ.get("CLUSTERDATA_SOURCES")
    return Path(value) if value else None


def filesystem_problems(root: Path) -> list[Problem]:
    """Everything in schemas/ and data/raw/ that is not a regular file inside the checkout, by name.

    A contribution may carry a symbolic link to /proc/self/environ or /etc/passwd; such files are
    refused before anything is read, so no message can echo what lies outside the checkout.
    """
    problems = []
    for folder in (root / "schemas", root / "data" / "raw"):
        shown = folder.relative_to(root).as_posix()
        if folder.is_symlink() or (folder.exists() and not inside(folder, root)):
            problems.append(Problem(shown, None, None, None, "is a symbolic link: the folder must be part of the checkout"))
            continue
        if not folder.is_dir():
            continue
        for entry in sorted(folder.iterdir()):
            where = f"{shown}/{printable(entry.name)}"
            if entry.is_symlink():
                problems.append(Problem(where, None, None, None, "is a symbolic link: commit the file itself (nothing outside the checkout is read)"))
            elif not entry.is_file():
                problems.append(Problem(where, None, None, None, f"is not a regular file: {shown} holds only files"))
    return problems


def inside(path: Path, folder: Path) -> bool:
    """True when `path`, with every link resolved, lies strictly inside `folder`."""
    return path.resolve().is_relative_to(folder.resolve()) and path.resolve() != folder.resolve()


def validate_package(root: Path, overrides: dict[str, Path] | None = None, sources_dir: Path | None = None):
    """Parse and check every table of the repository at `root`; `overrides` replaces a table's CSV by another file.

    Quotes are checked against the source texts in `sources_dir` when it is given.
    Returns (parsed tables by name, problems). The build writes only when the problems are none.
    Files that are not regular files of the checkout are refused before anything is read.
    """
    refused = filesystem_problems(root)
    overrides = overrides or {}
    refused += [Problem(str(path), None, None, None, "is a symbolic link or not a regular file: name the file itself")
                for path in overrides.values() if path.is_symlink() or not path.is_file()]
    if sources_dir is not None and not sources_dir.is_dir():
        refused.append(Problem(f"CLUSTERDATA_SOURCES={printable(str(sources_dir))}", None, None, None,
                               "is not a folder: set it to the folder of the source texts, or unset it to skip the quote check"))
    if refused:
        return {}, refused
    definitions, definition_problems = read_definitions_reporting(root / "schemas")
    # Every mistake of every definition, in the same report as the CSVs' (a table with a broken definition is not read)
    problems: list[Problem] = [Problem(shown_path(path, root), None, None, None, rule) for path, rule in definition_problems]
    defined = {p.stem for p in (root / "schemas").glob("*.toml")}
    if not defined:
        return {}, [Problem("schemas", None, None, None, "holds no table definitions (NAME.toml): is this a clusterdata checkout?")]
    raw_dir = root / "data" / "raw"
    for csv_path in sorted(raw_dir.glob("*.csv")):
        if csv_path.stem not in defined:
            problems.append(Problem(shown_path(csv_path, root), None, None, None,
                                    f"has no definition: add schemas/{printable(csv_path.stem)}.toml, or rename the file to its table's name"))
    parsed: dict[str, ParsedTable] = {}
    unchecked: set[str] = set()  # tables whose cells break their rules: cross-checked once those are fixed
    raw_shown = shown_path(raw_dir, root)
    for name, table in definitions.items():
        path = overrides.get(name, raw_dir / f"{name}.csv")
        if not path.is_file():
            problems.append(Problem(shown_path(path, root), None, None, None, f"is missing: schemas/{name}.toml defines table {name}"))
            continue
        # a file of data/raw is no link (refused above): it is named from its folder, resolved once for all tables
        shown = shown_path(path, root) if name in overrides else str(Path(raw_shown) / path.name)
        table_parsed, table_problems = read_table_csv(path, table, shown)
        problems += table_problems
        if table_parsed is not None:
            parsed[name] = table_parsed
        if table_problems:
            unchecked.add(name)
    errata = errata_by_table(parsed.get("annotations"))
    for name, table_parsed in parsed.items():
        if name not in unchecked:  # sums over a table with broken cells would only echo them, misleadingly
            problems += cross_check_problems(table_parsed, parsed.get("annotations"), errata)
    if definition_problems:  # references to a table whose definition is broken cannot be judged until it is fixed
        return parsed, problems
    reported = {(p.file, p.line, p.column) for p in problems}  # a cell already refused is not reported again
    integrity = integrity_problems(parsed, definitions, root, frozenset(unchecked))
    if sources_dir is not None:
        integrity += quote_problems(parsed, definitions, sources_dir)
    problems += [p for p in integrity if (p.file, p.line, p.column) not in reported]
    return parsed, problems


def shown_path(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


def report(problems: list[Problem]) -> str:
    """Problems grouped by file, each group counted, with a total."""
    by_file = defaultdict(list)
    for problem in problems:
        by_file[problem.file].append(problem)
    out = []
    for file, group in by_file.items():
        out.append(f"{file}: {len(group)} problem{'s' if len(group) != 1 else ''}")
        out += [f"  {problem}" for problem in group]
    out.append(f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in {len(by_file)} file{'s' if len(by_file) != 1 else ''}")
    return "\n".join(out)
