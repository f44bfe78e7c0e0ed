"""The data dictionary: a static HTML site made from datapackage.json and the tables (no server needed).

An index of the tables and sources (with schema.org Dataset JSON-LD), one page per table: its
description, source, location and citation, the notes printed with it, a chart where its definition
declares one (a Vega-Lite spec in [chart] of schemas/NAME.toml, drawn to SVG at build time by
vl-convert), its columns, its annotations and all its rows, the annotated cells marked and linked to
their notes; and croissant.json, a Croissant description of the package.
"""

from __future__ import annotations

import json
import re
from html import escape

from .._model import Package, Table

STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; padding: 0 1rem; color: #222; line-height: 1.45; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; overflow-wrap: break-word; }
th { background: #f2f2f2; }
td.num { text-align: right; font-variant-numeric: tabular-nums; overflow-wrap: normal; }
td.quote { min-width: 8rem; }
table.rows { font-size: 0.8rem; }
table.rows th, table.rows td { padding: 0.2rem 0.3rem; }
table.rows th, table.rows td { overflow-wrap: anywhere; }
table.rows td.num { overflow-wrap: normal; }
.empty { color: #999; }
.kind { font-weight: 600; }
.noted { background: #fff3c4; }
a.ref { font-size: 0.75em; vertical-align: super; margin-left: 0.15em; text-decoration: none; }
tr:target, td:target, th:target { outline: 2px solid #d08700; }
figure { margin: 1rem 0; }
figure.chart svg { max-width: 100%; height: auto; }
figcaption { color: #444; font-size: 0.9rem; }
nav { margin-bottom: 1rem; }
form.filters label { margin-right: 1rem; }
form.filters select { max-width: 16rem; }
"""
# Tables whose rows a reader filters in the page (a few lines of JavaScript; without it every row shows).
FILTERS = {"statistics": ("source_id", "subject", "unit")}
FILTER_SCRIPT = """
const form = document.querySelector("form.filters"), rows = [...document.querySelectorAll("table.rows tr[data-row]")];
form.hidden = false;
form.addEventListener("change", () => {
  const chosen = [...form.querySelectorAll("select")].filter(s => s.value !== "").map(s => [s.name, s.value]);
  let shown = 0;
  for (const row of rows) {
    row.hidden = !chosen.every(([k, v]) => row.dataset[k] === v);
    shown += row.hidden ? 0 : 1;
  }
  form.querySelector("output").value = `${shown} of ${rows.length} rows`;
});
"""
LINK = re.compile(r"https?://[^\s\"'<>()\[\]]+")


def link(url: str, text: str | None = None) -> str:
    """An <a> only for a well-formed http(s) address (anything else, such as an address garbled by a
    scan, is plain text), escaped for the attribute."""
    shown = escape(text if text is not None else url)
    valid = url.isascii() and re.fullmatch(r"https?://[^\s\"'<>]+", url)
    return f'<a href="{escape(url, quote=True)}">{shown}</a>' if valid else shown


def prose(text: str) -> str:
    """Escaped text with `code` spans and http(s) addresses made into HTML."""
    out, last = [], 0
    for match in LINK.finditer(text):
        url = match.group().rstrip(".,;:")
        out.append(re.sub(r"`([^`]+)`", r"<code>\1</code>", escape(text[last:match.start()])) + link(url))
        last = match.start() + len(url)
    out.append(re.sub(r"`([^`]+)`", r"<code>\1</code>", escape(text[last:])))
    return "".join(out)


def constraint_text(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def page(title: str, body: str, head: str = "") -> str:
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n<title>{escape(title)}</title>\n'
            f'<link rel="stylesheet" href="style.css">\n{head}</head>\n<body>\n{body}\n</body>\n</html>\n')


def cell_text(value) -> tuple[str, str]:
    """(class, HTML) of one value: numbers as stored, right-aligned; a missing value says so."""
    import pandas as pd

    if isinstance(value, str):  # most cells: text is never missing here
        return "", breakable(escape(str(value)))
    if value is None or pd.isna(value):
        return "empty", "empty"
    if isinstance(value, float):  # the shortest exact digits, never an exponent (9600000, not 9.6e+06)
        import numpy

        return "num", numpy.format_float_positional(value, trim="-")
    if isinstance(value, int) and not isinstance(value, bool):
        return "num", str(value)
    return "", breakable(escape(str(value)))


def breakable(html: str) -> str:
    """Long identifiers and addresses may wrap after an underscore or a slash (no page wider than the window)."""
    return html.replace("_", "_<wbr>").replace("/", "/<wbr>")


def numbered_notes(frame, notes) -> list[dict]:
    """The table's annotations (rows of annotations, as named tuples) numbered from 1, each with the rows its
    row_key names (None: all rows) and its column."""
    out, texts = [], {}  # texts: a key column's cells as text, made once for all the notes
    for number, note in enumerate(notes, start=1):
        rows = None
        if note.row_key:
            match = [True] * len(frame)
            for pair in note.row_key.split(";"):
                column, value = pair.split("=", 1)
                if column not in texts:
                    texts[column] = [str(v) for v in frame[column].tolist()]
                match = [m and v == value for m, v in zip(match, texts[column])]
            rows = [i for i, m in enumerate(match) if m]
        out.append({"number": number, "note": note, "rows": rows, "column": note.column_name or None})
    return out


def ref(number: int, first: set) -> str:
    """A superscript link to note `number`; the first one carries the id the note links back to."""
    anchor = "" if number in first else f' id="ref-{number}"'
    first.add(number)
    return f'<a class="ref" href="#note-{number}"{anchor} title="note {number}">[{number}]</a>'


def rows_table(frame, marks: list[dict], filters: tuple = ()) -> str:
    """All rows; a cell (or row, or column) that a note names is marked and links to the note."""
    first: set[int] = set()
    columns = list(frame.columns)  # once: each pass over a pandas Index of text goes through Arrow
    column_refs = {c: [m["number"] for m in marks if m["rows"] is None and m["column"] == c] for c in columns}
    head = "".join(f'<th{" class=noted" if column_refs[c] else ""}>{breakable(escape(str(c)))}'
                   f'{"".join(ref(n, first) for n in column_refs[c])}</th>' for c in columns)
    cell_refs, row_refs = {}, {}
    for m in marks:
        for i in m["rows"] or []:
            if m["column"]:
                cell_refs.setdefault((i, m["column"]), []).append(m["number"])
            else:
                row_refs.setdefault(i, []).append(m["number"])
    body, at = [], {c: columns.index(c) for c in filters}
    for i, row in enumerate(zip(*(frame[c].tolist() for c in columns))):  # the cells as Python objects (as astype(object))
        data = "".join(f' data-{c}="{escape(str(row[at[c]]), quote=True)}"' for c in filters)
        cells = []
        for k, (column, value) in enumerate(zip(columns, row)):
            kind, html = cell_text(value)
            numbers = cell_refs.get((i, column), []) + (row_refs.get(i, []) if k == 0 else [])
            classes = " ".join(x for x in (kind, "noted" if cell_refs.get((i, column)) else "", "quote" if column == "quote" else "") if x)
            cells.append(f'<td{f" class={chr(34)}{classes}{chr(34)}" if classes else ""}>{html}{"".join(ref(n, first) for n in numbers)}</td>')
        noted_row = ' class="noted"' if i in row_refs else ""
        body.append(f'<tr data-row{data}{noted_row}>{"".join(cells)}</tr>\n')
    return f'<table class="rows">\n<tr>{head}</tr>\n{"".join(body)}</table>'


def filter_form(frame, columns: tuple) -> str:
    """Drop-down filters, hidden until FILTER_SCRIPT (after the rows) shows them: without JavaScript every row reads."""
    selects = []
    for column in columns:
        options = "".join(f'<option value="{escape(str(v), quote=True)}">{escape(str(v))}</option>'
                          for v in sorted(set(frame[column].dropna().astype(str))))
        selects.append(f'<label>{escape(column)} <select name="{escape(column)}"><option value="">(all)</option>{options}</select></label>')
    return f'<form class="filters" hidden>Show only: {"".join(selects)} <output>{len(frame)} of {len(frame)} rows</output></form>'


# One colour per category on every page (Tableau 10): a category keeps its colour from chart to chart.
CATEGORY_COLOURS = {
    # ownership (ict_ownership_structure, ict_market_performance)
    "foreign_funded": "#4e79a7", "state_owned": "#e15759", "collective": "#59a14f", "joint_stock": "#f28e2b",
    "private": "#b07aa1", "joint_stock_collective_owned": "#9c755f", "state_controlled": "#ff9da7",
    # sector (ict_rd_intensity)
    "electronic_telecom_equipment": "#4e79a7", "computers_office_equipment": "#f28e2b",
    # trade activity (ict_export_activities)
    "processing_imported_materials": "#4e79a7", "processing_customer_materials": "#76b7b2",
    "ordinary_trade": "#f28e2b", "other": "#bab0ac",
    # period of foundation (pinghu_investment_reasons): light to dark as time passes
    "1999-2001": "#9ecae1", "2001-2004": "#6baed6", "2004-2007": "#3182bd", "2007-2008": "#08519c",
}
SINGLE_COLOUR = "#4e79a7"
CHART_CONFIG = {
    "font": "DejaVu Sans", "background": "white", "padding": 8,
    "mark": {"color": SINGLE_COLOUR}, "bar": {"color": SINGLE_COLOUR}, "line": {"color": SINGLE_COLOUR},
    "axis": {"labelFontSize": 11, "titleFontSize": 12, "labelLimit": 220, "titleFontWeight": "normal"},
    "legend": {"labelFontSize": 11, "titleFontSize": 12, "labelLimit": 300, "orient": "bottom", "direction": "vertical"},
    "title": {"fontSize": 14, "subtitleFontSize": 12, "anchor": "start", "subtitleColor": "#444"},
    "view": {"stroke": None},
}


def json_value(value):
    """A cell as JSON (missing -> None; numpy scalars -> Python)."""
    import pandas as pd

    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    return value.item() if hasattr(value, "item") else value


def vega_lite_spec(frame, spec: dict, units: dict, noted: list[bool]) -> dict:
    """The chart's Vega-Lite spec (from the table definition) with the table's rows as its data,
    `annotated` marking rows that carry a note, axis titles with units and the package's colours."""
    import copy

    full = copy.deepcopy(spec)
    rows = [{c: json_value(v) for c, v in zip(frame.columns, row)} | {"annotated": flag}
            for row, flag in zip(frame.itertuples(index=False), noted)]
    # one title per axis, whichever layer gives it, with the field's unit (layers with different titles would join them)
    titles = {(channel, enc["field"]): enc["title"] for encoding in encodings(full) for channel, enc in encoding.items()
              if isinstance(enc, dict) and "field" in enc and enc.get("title")}
    for encoding in encodings(full):
        for channel, enc in encoding.items():
            field = enc.get("field") if isinstance(enc, dict) else None
            if field is None:
                continue
            if channel in ("x", "y") and enc.get("type") == "quantitative" and field in units:
                enc["title"] = f"{titles.get((channel, field)) or field.replace('_', ' ')} ({units[field]})"
            if channel == "color" and enc.get("type") == "nominal":
                # the categories the spec lists in `sort` (those it shows), else every one in the rows
                domain = enc["sort"] if isinstance(enc.get("sort"), list) else list(dict.fromkeys(str(r[field]) for r in rows if r.get(field) is not None))
                missing = [v for v in domain if v not in CATEGORY_COLOURS]
                if missing:
                    raise ValueError(f"chart of {field}: no colour for {', '.join(missing)} (add it to CATEGORY_COLOURS in contrib/dictionary.py)")
                enc.setdefault("scale", {}).update(domain=domain, range=[CATEGORY_COLOURS[v] for v in domain])
    return {"$schema": "https://vega.github.io/schema/vega-lite/v5.json", "data": {"values": rows}, **full,
            "config": CHART_CONFIG}


def encodings(spec: dict):
    """Every `encoding` of a spec and of its layers."""
    if "encoding" in spec:
        yield spec["encoding"]
    for layer in spec.get("layer", []):
        yield from encodings(layer)


# Before each chart's SVG: the sha256 of what drew it (the Vega-Lite spec with its data, the label, the vl-convert
# version) and of the SVG itself, so that a build reuses a drawing whose input is unchanged (drawing takes ~75 ms).
CHART_MARK = re.compile(r"<!-- chart: input sha256 ([0-9a-f]{64}), svg sha256 ([0-9a-f]{64}) -->\n(<svg .*?</svg>)", re.S)


def drawn_charts(pages) -> dict[str, str]:
    """The charts of pages made before (bytes), by the sha256 of their input; a chart whose SVG is no longer
    the one recorded (edited by hand) is left out, so that it is drawn again and `build --check` sees the change."""
    import hashlib

    found = {}
    for data in pages:
        for match in CHART_MARK.finditer(data.decode("utf-8", "replace")):
            if hashlib.sha256(match[3].encode("utf-8")).hexdigest() == match[2]:
                found[match[1]] = match[3]
    return found


def chart_svg(frame, spec: dict, units: dict, noted: list[bool], drawn: dict[str, str] | None = None) -> str:
    """The chart drawn by Vega-Lite (vl-convert, at build time) as inline SVG in a figure; the SVG in `drawn`
    (drawn_charts of the pages on disk) is reused when its input is the same."""
    import hashlib

    import vl_convert

    full = vega_lite_spec(frame, spec, units, noted)
    title = spec.get("title", "")
    label = title.get("text", "") if isinstance(title, dict) else title
    drawing = json.dumps([full, label, vl_convert.__version__], ensure_ascii=False)
    key = hashlib.sha256(drawing.encode("utf-8")).hexdigest()
    svg = (drawn or {}).get(key)
    if svg is None:
        svg = vl_convert.vegalite_to_svg(full).replace("<svg ", f'<svg role="img" aria-label="{escape(label)}" ', 1)
    mark = f"<!-- chart: input sha256 {key}, svg sha256 {hashlib.sha256(svg.encode('utf-8')).hexdigest()} -->"
    caption = f"\n<figcaption>{prose(spec['description'])}</figcaption>" if spec.get("description") else ""
    return f'<figure class="chart">\n{mark}\n{svg}{caption}\n</figure>'


def chart_fields(spec: dict) -> list[str]:
    """The fields a chart's encodings name from the table's rows (a layer with data of its own excluded)."""
    found = [enc["field"] for enc in spec.get("encoding", {}).values() if isinstance(enc, dict) and "field" in enc]
    for layer in spec.get("layer", []):
        if "data" not in layer:
            found += chart_fields(layer)
    return found


def table_page(table: Table, frame, notes, unit_labels: dict, drawn: dict[str, str] | None = None) -> str:
    """One table's page; `notes` are the table's own rows of annotations (named tuples, in their order)."""
    name = table.name
    units = {column: unit_labels[unit] for column, unit in table.units.items()}
    marks = numbered_notes(frame, notes)
    out = ['<nav><a href="index.html">All tables and sources</a></nav>',
           f"<h1>{escape(table.title)}</h1>",
           f"<p><code>clusterdata.load(\"{escape(name)}\")</code> &middot; {len(frame)} rows &middot; key: "
           f"{escape(', '.join(table.primary_key))}</p>",
           f"<p>{prose(table.description)}</p>"]
    for source in table.sources:
        where = f" ({link(source.path)})" if source.path else ""
        out.append(f"<p><strong>Source:</strong> {escape(source.title)}{where}</p>")
    if table.location:
        out.append(f"<p><strong>Location in the source:</strong> {escape(table.location)}</p>")
    if table.source_notes:
        out.append("<p><strong>Printed with the table:</strong></p><ul>" + "".join(f"<li>{escape(n)}</li>" for n in table.source_notes) + "</ul>")
    if table.chart:
        charted = set(chart_fields(table.chart))
        # a point is marked when a note names its row alone (a note on a group of rows is about the group)
        noted = [any(m["rows"] == [i] and (m["column"] is None or m["column"] in charted) for m in marks)
                 for i in range(len(frame))]
        out.append("<h2>Chart</h2>")
        out.append(chart_svg(frame, table.chart, units, noted, drawn))
    out.append("<h2>Columns</h2>\n<table>\n<tr><th>column</th><th>type</th><th>unit</th><th>description</th><th>constraints</th></tr>")
    for f in table.fields:
        constraints = "; ".join(f"{k}: {constraint_text(v)}" for k, v in (f.constraints.to_descriptor() if f.constraints else {}).items())
        out.append(f"<tr><td><code>{escape(f.name)}</code></td><td>{escape(f.type)}</td><td>{escape(units.get(f.name, ''))}</td>"
                   f"<td>{prose(f.description or '')}</td><td>{escape(constraints)}</td></tr>")
    out.append("</table>")
    out.append(f"<h2>Annotations ({len(marks)})</h2>")
    if marks:
        out.append("<p>Marked in the rows below: a highlighted cell or row, or a column heading, with the note's number.</p>")
        out.append("<table>\n<tr><th>note</th><th>kind</th><th>row</th><th>column</th><th>text</th></tr>")
        for m in marks:
            note = m["note"]
            row = note.row_key or ("all rows" if note.column_name else "whole table")
            marked = m["column"] is not None or m["rows"] is not None
            back = f' <a href="#ref-{m["number"]}" title="back to the marked cell">&#8617;</a>' if marked else ""
            out.append(f'<tr id="note-{m["number"]}"><td>{m["number"]}{back}</td><td class="kind">{escape(note.kind)}</td><td>{escape(row)}</td>'
                       f"<td>{escape(note.column_name or '')}</td><td>{prose(note.note)}</td></tr>")
        out.append("</table>")
    else:
        out.append("<p>None.</p>")
    out.append(f"<h2>Rows ({len(frame)})</h2>")
    filters = FILTERS.get(name, ())
    if filters:
        out.append(filter_form(frame, filters))
    out.append(rows_table(frame, marks, filters))
    if filters:
        out.append(f"<script>{FILTER_SCRIPT}</script>")
    return page(f"{table.title} - clusterdata", "\n".join(out))


def table_sources(table: Table, frame) -> str:
    """Where a table's rows come from: its source, or the sources its rows name, or the package itself."""
    if table.sources:
        return "; ".join(s.title for s in table.sources)
    if "source_id" in frame.columns:
        named = sorted(set(frame["source_id"].dropna()))
        return f"{len(named)} sources, named in each row (source_id): {', '.join(named)}"
    return "this package (its notes on the other tables)"


def dataset_citation_text(package: Package) -> str:
    """The dataset's citation in words, from the package being built (not the one on disk)."""
    from .._cite import dataset_text

    return dataset_text(package, package.version or "")


def licence_address(package: Package) -> str | None:
    """The web address of the package's first licence that has one."""
    return next((l.path for l in package.licenses if l.path), None)


def json_ld(package: Package) -> dict:
    """schema.org Dataset: what a search engine reads from the index page."""
    return {
        "@context": "https://schema.org/", "@type": "Dataset",
        "name": package.title, "description": package.description or "",
        "version": package.version, "license": licence_address(package), "keywords": list(package.keywords),
        "creator": [{"@type": "Organization", "name": c.title} for c in package.contributors],
        "citation": [s.title for s in package.sources],  # the works it transcribes
        "creditText": dataset_citation_text(package),  # how to cite it
        "isAccessibleForFree": True,
        **({"url": package.homepage} if package.homepage else {}),
        "distribution": [{"@type": "DataDownload", "name": t.name, "description": t.title,
                          "encodingFormat": t.mediatype, "contentUrl": f"../../{t.path}"} for t in package.tables],
    }


def script_json(data: dict) -> str:
    """JSON safe inside a <script> element (no '</' can close it)."""
    return json.dumps(data, indent=1, ensure_ascii=False).replace("</", "<\\/")


# The one way each kind of user opens the data: the README's tested recipes (a test checks each line is in README.md).
OPENERS = (
    ("Python", ["pip install .", 'clusterdata.load("pinghu_output")']),  # from a checkout: no published location yet
    ("R", ["clusterdata export csv --format csv",
           'fdi <- read.csv("csv/ict_fdi.csv", encoding = "UTF-8", na.strings = "")']),
    ("Stata", ["clusterdata export dta --format dta", 'use "dta/ict_market_performance.dta", clear']),
    ("Excel", ["clusterdata export xlsx --format xlsx", "clusterdata export csv-excel --format csv --bom"]),
    ("SQL and Datasette", ["clusterdata export sqlite --format sqlite",
                           "datasette serve sqlite/clusterdata.sqlite -m sqlite/metadata.json"]),
    ("LaTeX", ["clusterdata cite pinghu_output ict_fdi --bibtex > clusterdata.bib"]),
)


def openers_section() -> str:
    rows = "".join(f"<tr><td>{escape(tool)}</td><td>{'<br>'.join(f'<code>{escape(c)}</code>' for c in commands)}</td></tr>\n"
                   for tool, commands in OPENERS)
    return ('<h2>Open it in your tool</h2>\n<p>Each way is tested with the program it names (for Stata, with ReadStat '
            "and R's haven); the package's README gives the details.</p>\n"
            f"<table>\n<tr><th>you work in</th><th>commands</th></tr>\n{rows}</table>")


def index_page(package: Package, frames: dict, sources) -> str:
    licences = ", ".join(link(l.path, l.title if l.title is not None else l.name) if l.path
                         else escape(l.title if l.title is not None else (l.name or "")) for l in package.licenses)
    out = [f"<h1>{escape(package.title)}</h1>", f"<p>{prose(package.description or '')}</p>",
           f"<p>Version {escape(package.version or '')}. Data: {licences}.</p>",
           f"<p><strong>Cite as:</strong> {escape(dataset_citation_text(package))} "
           'Described for machines in <a href="croissant.json">croissant.json</a> (Croissant) and in this page (schema.org).</p>',
           "<h2>Tables</h2>\n<table>\n<tr><th>table</th><th>what it holds</th><th>rows</th><th>source</th></tr>"]
    for table in package.tables:
        name = table.name
        out.append(f'<tr><td><a href="{escape(name)}.html">{escape(name)}</a></td><td>{escape(table.title)}</td>'
                   f'<td class="num">{len(frames[name])}</td><td>{escape(table_sources(table, frames[name]))}</td></tr>')
    out.append("</table>\n<h2>Sources</h2>\n<table>\n<tr><th>source_id</th><th>citation</th><th>rights</th></tr>")
    for row in sources.itertuples(index=False):
        out.append(f"<tr><td>{escape(row.source_id)}</td><td>{escape(row.citation)}</td><td>{prose(row.rights)}</td></tr>")
    out.append("</table>")
    out.append(openers_section())
    head = f'<script type="application/ld+json">\n{script_json(json_ld(package))}\n</script>\n'
    return page(package.title, "\n".join(out), head)


CROISSANT_CONTEXT = {
    "@language": "en", "@vocab": "https://schema.org/", "citeAs": "cr:citeAs", "column": "cr:column",
    "conformsTo": "dct:conformsTo", "cr": "http://mlcommons.org/croissant/", "rai": "http://mlcommons.org/croissant/RAI/",
    "data": {"@id": "cr:data", "@type": "@json"}, "dataType": {"@id": "cr:dataType", "@type": "@vocab"},
    "dct": "http://purl.org/dc/terms/", "examples": {"@id": "cr:examples", "@type": "@json"}, "extract": "cr:extract",
    "field": "cr:field", "fileProperty": "cr:fileProperty", "fileObject": "cr:fileObject", "fileSet": "cr:fileSet",
    "format": "cr:format", "includes": "cr:includes", "isLiveDataset": "cr:isLiveDataset", "jsonPath": "cr:jsonPath",
    "key": "cr:key", "md5": "cr:md5", "parentField": "cr:parentField", "path": "cr:path", "recordSet": "cr:recordSet",
    "references": "cr:references", "regex": "cr:regex", "repeated": "cr:repeated", "replace": "cr:replace",
    "sc": "https://schema.org/", "separator": "cr:separator", "source": "cr:source", "subField": "cr:subField",
    "transform": "cr:transform", "samplingRate": "cr:samplingRate", "equivalentProperty": "cr:equivalentProperty",
}
def croissant(package: Package, unit_labels: dict) -> dict:
    """A Croissant 1.0 description (mlcommons.org/croissant): each table a Parquet file (path relative to
    docs/dictionary/) and a record set with one field per column."""
    files, record_sets = [], []
    for t in package.tables:
        file_id = f"{t.name}.parquet"
        files.append({"@type": "cr:FileObject", "@id": file_id, "name": file_id, "description": t.title,
                      "contentUrl": f"../../{t.path}", "encodingFormat": "application/x-parquet", "sha256": t.sha256})
        record_sets.append({
            "@type": "cr:RecordSet", "@id": t.name, "name": t.name, "description": t.description,
            "key": [{"@id": f"{t.name}/{k}"} for k in t.primary_key],
            "field": [{"@type": "cr:Field", "@id": f"{t.name}/{f.name}", "name": f.name,
                       "description": (f.description or "") + (f" Unit: {unit_labels[f.unit]}." if f.unit else ""),
                       "dataType": f.kind.croissant,
                       "source": {"fileObject": {"@id": file_id}, "extract": {"column": f.name}}}
                      for f in t.fields]})
    found = {"@context": CROISSANT_CONTEXT, "@type": "sc:Dataset", "conformsTo": "http://mlcommons.org/croissant/1.0",
            "name": package.name, "description": package.description or "", "version": package.version,
            "license": licence_address(package), "url": package.homepage,
            "datePublished": (package.created or "")[:10] or None, "keywords": list(package.keywords),
            "creator": [{"@type": "sc:Organization", "name": c.title} for c in package.contributors],
            "citeAs": dataset_citation_text(package), "distribution": files, "recordSet": record_sets}
    return {k: v for k, v in found.items() if v is not None}


def render_site(package: Package, frames: dict, drawn: dict[str, str] | None = None) -> dict[str, bytes]:
    """Every page of the site, relative path -> bytes; `frames` maps each table name to a pandas DataFrame,
    `drawn` holds the charts already drawn (drawn_charts), reused where their input is unchanged."""
    pages = {"index.html": index_page(package, frames, frames["sources"])}
    unit_labels = dict(zip(frames["units"]["unit"], frames["units"]["label"]))
    by_table: dict[str, list] = {}  # each table's notes, from one pass over all of them (not a frame per table)
    for note in frames["annotations"].itertuples(index=False):
        by_table.setdefault(note.table_name, []).append(note)
    for table in package.tables:
        pages[f"{table.name}.html"] = table_page(table, frames[table.name], by_table.get(table.name, []), unit_labels, drawn)
    pages["style.css"] = STYLE.lstrip()
    pages["croissant.json"] = json.dumps(croissant(package, unit_labels), indent=1, ensure_ascii=False) + "\n"
    return {path: text.encode("utf-8") for path, text in pages.items()}
