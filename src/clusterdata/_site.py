"""The data dictionary: a static HTML site made from datapackage.json and the tables (no server, no scripts).

An index of the tables and sources, and one page per table: its description, source, location
and citation, the notes printed with it, its columns with types, units and constraints, its
annotations, a preview of its rows, and a chart where its definition declares one ([chart] in
schemas/NAME.toml), drawn as inline SVG.
"""

from __future__ import annotations

import re
from html import escape

PALETTE = ["#1b6ca8", "#d1495b", "#edae49", "#00798c", "#66a182", "#8d6a9f", "#2e4057", "#b5651d"]
PREVIEW_ROWS = 25
STYLE = """
body { font-family: system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; padding: 0 1rem; color: #222; line-height: 1.45; }
table { border-collapse: collapse; margin: 1rem 0; font-size: 0.9rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f2f2f2; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
.empty { color: #999; }
.kind { font-weight: 600; }
figure { margin: 1rem 0; }
nav { margin-bottom: 1rem; }
"""


def prose(text: str) -> str:
    """Escaped text with `code` spans and web addresses made into HTML."""
    html = re.sub(r"`([^`]+)`", r"<code>\1</code>", escape(text))
    return re.sub(r"(https?://[^\s<)\]]+)", r'<a href="\1">\1</a>', html)


def link(url: str, text: str) -> str:
    """An HTML link to `url` if it is an http(s) address; anything else (javascript:, data:, a path) as plain text."""
    if re.fullmatch(r"https?://[^\s\"'<>]+", url or ""):
        return f'<a href="{escape(url)}">{escape(text)}</a>'
    return escape(text)


def constraint_text(value) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return ", ".join(map(str, value)) if isinstance(value, list) else str(value)


def page(title: str, body: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<title>{escape(title)}</title>\n'
            f'<link rel="stylesheet" href="style.css">\n</head>\n<body>\n{body}\n</body>\n</html>\n')


def cell(value) -> str:
    import pandas as pd

    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return '<td class="empty">empty</td>'
    if isinstance(value, float):
        return f'<td class="num">{value:g}</td>'
    if isinstance(value, (int,)) and not isinstance(value, bool):
        return f'<td class="num">{value}</td>'
    return f"<td>{escape(str(value))}</td>"


def html_table(frame, rows: int | None = None) -> str:
    shown = frame if rows is None else frame.head(rows)
    head = "".join(f"<th>{escape(str(c))}</th>" for c in shown.columns)
    body = "".join("<tr>" + "".join(cell(v) for v in row) + "</tr>\n" for row in shown.astype(object).itertuples(index=False))
    return f"<table>\n<tr>{head}</tr>\n{body}</table>"


def nice_step(raw: float) -> float:
    """The smallest of 1, 2 or 5 times a power of ten that is at least `raw` (axis ticks at round numbers)."""
    import math

    power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def chart_svg(frame, spec: dict, units: dict) -> str:
    """A line or bar chart of `y` against `x`, one colour per `series`, as inline SVG."""
    data = frame
    for column, allowed in spec.get("where", {}).items():
        data = data[data[column].astype(str).isin([str(v) for v in allowed])]
    data = data[data[spec["y"]].notna()]
    xs = list(dict.fromkeys(str(v) for v in data[spec["x"]]))
    series = list(dict.fromkeys(str(v) for v in data[spec["series"]])) if spec.get("series") else [spec["y"]]
    values = {}
    for row in data.itertuples(index=False):
        row = row._asdict()
        values[(str(row[spec["series"]]) if spec.get("series") else spec["y"], str(row[spec["x"]]))] = float(row[spec["y"]])
    width, height, left, right, top, bottom = 760, 360, 60, 190, 20, 50
    plot_w, plot_h = width - left - right, height - top - bottom
    low_value = min(0.0, min(values.values())) if values else 0.0
    tick = nice_step(((max(values.values()) if values else 1.0) - low_value) / 5)
    top_value = tick * (int(max(values.values()) / tick) + 1) if values else 1.0
    low_value = -tick * (int(-low_value / tick) + (1 if low_value < 0 else 0))
    y_of = lambda v: top + plot_h * (1 - (v - low_value) / (top_value - low_value))
    step = plot_w / max(len(xs), 1)
    x_of = lambda i: left + step * (i + 0.5)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" width="{width}" height="{height}" role="img" '
             f'aria-label="{escape(spec.get("title", ""))}">',
             f'<rect x="0" y="0" width="{width}" height="{height}" fill="white"/>']
    for k in range(round((top_value - low_value) / tick) + 1):
        v = low_value + tick * k
        y = y_of(v)
        parts.append(f'<line x1="{left}" x2="{left + plot_w}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e5e5e5"/>'
                     f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end">{v:g}</text>')
    for i, x in enumerate(xs):
        parts.append(f'<text x="{x_of(i):.1f}" y="{top + plot_h + 18}" font-size="11" text-anchor="middle">{escape(x)}</text>')
    bar_w = step * 0.8 / max(len(series), 1)
    for s_index, name in enumerate(series):
        colour = PALETTE[s_index % len(PALETTE)]
        points = [(x_of(i), y_of(values[(name, x)])) for i, x in enumerate(xs) if (name, x) in values]
        if spec["kind"] == "line":
            if len(points) > 1:
                path = " ".join(f"{px:.1f},{py:.1f}" for px, py in points)
                parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="3"/>')
            parts += [f'<circle cx="{px:.1f}" cy="{py:.1f}" r="4.5" fill="{colour}"/>' for px, py in points]
        else:
            for i, x in enumerate(xs):
                if (name, x) in values:
                    bx = x_of(i) - step * 0.4 + s_index * bar_w
                    y, base = y_of(values[(name, x)]), y_of(0.0)
                    parts.append(f'<rect x="{bx:.1f}" y="{min(y, base):.1f}" width="{bar_w * 0.92:.1f}" '
                                 f'height="{abs(base - y):.1f}" fill="{colour}"/>')
        ly = top + 16 * s_index
        parts.append(f'<rect x="{left + plot_w + 14}" y="{ly}" width="12" height="12" fill="{colour}"/>'
                     f'<text x="{left + plot_w + 32}" y="{ly + 10}" font-size="11">{escape(name)}</text>')
    unit = units.get(spec["y"], "")
    parts.append(f'<text x="{left}" y="{height - 8}" font-size="12">{escape(spec["y"])}{" (" + escape(unit) + ")" if unit else ""} by {escape(spec["x"])}</text>')
    parts.append("</svg>")
    return f'<figure>\n{"".join(parts)}\n<figcaption>{escape(spec.get("title", ""))}</figcaption>\n</figure>'


def table_page(resource: dict, frame, notes) -> str:
    name = resource["name"]
    fields = resource["schema"]["fields"]
    units = {f["name"]: f["unit"] for f in fields if "unit" in f}
    out = ['<nav><a href="index.html">All tables and sources</a></nav>',
           f"<h1>{escape(resource.get('title', name))}</h1>",
           f"<p><code>clusterdata.load(\"{escape(name)}\")</code> &middot; {len(frame)} rows &middot; key: "
           f"{escape(', '.join(resource['schema'].get('primaryKey', [])))}</p>",
           f"<p>{prose(resource.get('description', ''))}</p>"]
    for source in resource.get("sources", []):
        address = f' ({link(source["path"], source["path"])})' if source.get("path") else ""
        out.append(f"<p><strong>Source:</strong> {escape(source['title'])}{address}</p>")
    if resource.get("location"):
        out.append(f"<p><strong>Location in the source:</strong> {escape(resource['location'])}</p>")
    if resource.get("sourceNotes"):
        out.append("<p><strong>Printed with the table:</strong></p><ul>" + "".join(f"<li>{escape(n)}</li>" for n in resource["sourceNotes"]) + "</ul>")
    if resource.get("chart"):
        out.append("<h2>Chart</h2>")
        out.append(chart_svg(frame, resource["chart"], units))
    out.append("<h2>Columns</h2>\n<table>\n<tr><th>column</th><th>type</th><th>unit</th><th>description</th><th>constraints</th></tr>")
    for f in fields:
        constraints = "; ".join(f"{k}: {constraint_text(v)}" for k, v in f.get("constraints", {}).items())
        out.append(f"<tr><td><code>{escape(f['name'])}</code></td><td>{escape(f['type'])}</td><td>{escape(f.get('unit', ''))}</td>"
                   f"<td>{prose(f.get('description', ''))}</td><td>{escape(constraints)}</td></tr>")
    out.append("</table>")
    mine = notes[notes["table_name"] == name]
    out.append(f"<h2>Annotations ({len(mine)})</h2>")
    if len(mine):
        out.append("<table>\n<tr><th>kind</th><th>row</th><th>column</th><th>note</th></tr>")
        for note in mine.itertuples(index=False):
            row = note.row_key or ("all rows" if note.column_name else "whole table")
            out.append(f'<tr><td class="kind">{escape(note.kind)}</td><td>{escape(row)}</td>'
                       f"<td>{escape(note.column_name or '')}</td><td>{prose(note.note)}</td></tr>")
        out.append("</table>")
    else:
        out.append("<p>None.</p>")
    out.append(f"<h2>Rows{' (the first ' + str(PREVIEW_ROWS) + ')' if len(frame) > PREVIEW_ROWS else ''}</h2>")
    out.append(html_table(frame, PREVIEW_ROWS))
    return page(f"{resource.get('title', name)} - clusterdata", "\n".join(out))


def index_page(descriptor: dict, frames: dict, sources) -> str:
    licences = ", ".join(link(l.get("path", ""), l.get("title", l.get("name", ""))) for l in descriptor.get("licenses", []))
    out = [f"<h1>{escape(descriptor['title'])}</h1>", f"<p>{prose(descriptor.get('description', ''))}</p>",
           f"<p>Version {escape(descriptor.get('version', ''))}. Data: {licences}.</p>",
           "<h2>Tables</h2>\n<table>\n<tr><th>table</th><th>what it holds</th><th>rows</th><th>source</th></tr>"]
    for resource in descriptor["resources"]:
        name = resource["name"]
        source = "; ".join(s["title"] for s in resource.get("sources", [])) or "(package metadata)"
        out.append(f'<tr><td><a href="{escape(name)}.html">{escape(name)}</a></td><td>{escape(resource.get("title", ""))}</td>'
                   f'<td class="num">{len(frames[name])}</td><td>{escape(source)}</td></tr>')
    out.append("</table>\n<h2>Sources</h2>\n<table>\n<tr><th>source_id</th><th>citation</th><th>rights</th></tr>")
    for row in sources.itertuples(index=False):
        out.append(f"<tr><td>{escape(row.source_id)}</td><td>{escape(row.citation)}</td><td>{prose(row.rights)}</td></tr>")
    out.append("</table>")
    return page(descriptor["title"], "\n".join(out))


def render_site(descriptor: dict, frames: dict) -> dict[str, bytes]:
    """Every page of the site, relative path -> bytes; `frames` maps each table name to a pandas DataFrame."""
    pages = {"index.html": index_page(descriptor, frames, frames["sources"])}
    for resource in descriptor["resources"]:
        pages[f"{resource['name']}.html"] = table_page(resource, frames[resource["name"]], frames["annotations"])
    pages["style.css"] = STYLE.lstrip()
    return {path: text.encode("utf-8") for path, text in pages.items()}
