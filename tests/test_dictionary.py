"""The data dictionary (docs/dictionary/): made by the build, the same from `clusterdata docs`, and
read as a reader reads it: every page in one headless Chromium at 1280 px, its charts' text measured."""

import base64
import json
import re
import shutil
from html import escape

import pytest

import clusterdata
from clusterdata import _catalog
from clusterdata.cli import main

from conftest import REPO

SITE = REPO / "docs" / "dictionary"
RESOURCES = {r["name"]: r for r in _catalog.descriptor()["resources"]}
CHARTED = [name for name, r in RESOURCES.items() if r.get("chart")]
PAGES = ["index"] + clusterdata.tables()
# Where the browser test leaves a full-page screenshot of every page, for a person to look at.
SCREENSHOTS = REPO / "build" / "screenshots"

MEASURE = """() => {
  const box = r => ({x0: r.left, y0: r.top, x1: r.right, y1: r.bottom});
  const charts = [...document.querySelectorAll("figure.chart svg")].map(svg => {
    const texts = [...svg.querySelectorAll("text")].filter(t => t.textContent.trim() !== "")
      .map(t => ({text: t.textContent, role: t.closest("g[class*=role-]")?.getAttribute("class") || "", ...box(t.getBoundingClientRect())}));
    const legend = [...svg.querySelectorAll("g.role-legend-label text")].map(t => t.textContent);
    const symbols = [...svg.querySelectorAll("g.role-legend-symbol path")].map(p => p.getAttribute("fill"));
    const bars = [...svg.querySelectorAll("g.role-mark.marks path, g.mark-rect.role-mark path")]
      .map(p => { const r = p.getBoundingClientRect(); return (r.left + r.right) / 2; });
    return {svg: box(svg.getBoundingClientRect()), texts, legend, symbols, bars,
            axisTitles: [...svg.querySelectorAll("g.role-axis-title text")].map(t => t.textContent)};
  });
  const body = document.body.getBoundingClientRect(), padding = parseFloat(getComputedStyle(document.body).paddingRight);
  const tables = [...document.querySelectorAll("table, figure")].map(t => t.getBoundingClientRect().right);
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, charts,
          textRight: body.right - padding, widest: Math.max(...tables)};
}"""


@pytest.fixture(scope="module")
def rendered(browser):
    """Every page opened at 1280 px: its measurements, and a full-page screenshot in build/screenshots/."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page()
    devtools = browser.new_cdp_session(page)
    found = {}
    for name in PAGES:
        page.goto((SITE / f"{name}.html").as_uri())
        page.wait_for_load_state("load")
        found[name] = page.evaluate(MEASURE)
        # The whole page, as Playwright's full_page screenshot takes it, but with Chromium's faster PNG encoder
        # (optimizeForSpeed: a larger file, in about half the time; the statistics page is some 28,000 px tall).
        whole = page.evaluate("() => ({width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight})")
        shot = devtools.send("Page.captureScreenshot", {"format": "png", "optimizeForSpeed": True, "captureBeyondViewport": True,
                                                        "clip": {"x": 0, "y": 0, **whole, "scale": 1}})
        (SCREENSHOTS / f"{name}.png").write_bytes(base64.b64decode(shot["data"]))
    page.close()
    return found


def overlap(a: dict, b: dict) -> float:
    """The area two boxes share (0 when they do not touch)."""
    return max(0.0, min(a["x1"], b["x1"]) - max(a["x0"], b["x0"])) * max(0.0, min(a["y1"], b["y1"]) - max(a["y0"], b["y0"]))


def test_every_table_has_a_page_and_the_index_links_it():
    index = (SITE / "index.html").read_text(encoding="utf-8")
    for name in clusterdata.tables():
        assert (SITE / f"{name}.html").is_file()
        assert f'href="{name}.html"' in index
    assert {"pinghu_output", "ict_ownership_structure", "ict_rd_intensity", "ict_fdi"} <= set(CHARTED)


def test_clusterdata_docs_writes_the_committed_site(tmp_path, capsys):
    assert main(["docs", str(tmp_path)]) == 0
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == sorted(p.name for p in SITE.iterdir())
    for name in written:
        assert (tmp_path / name).read_bytes() == (SITE / name).read_bytes(), name


def test_a_page_shows_columns_annotations_and_source():
    text = (SITE / "pinghu_output.html").read_text(encoding="utf-8")
    assert "100 million yuan" in text and "unit_note" in text and "Huang Xianhai and Yang Gaoju (2009)" in text
    assert "<svg" in text


@pytest.mark.parametrize("name", PAGES)
def test_no_page_is_wider_than_a_1280_px_window(rendered, name):
    measured = rendered[name]
    assert measured["scrollWidth"] <= measured["innerWidth"], f"{name}: a horizontal scrollbar ({measured['scrollWidth']} px)"
    assert measured["widest"] <= measured["textRight"] + 0.5, f"{name}: a table or chart runs past the text's right edge"
    assert (SCREENSHOTS / f"{name}.png").stat().st_size > 10_000
    assert len(measured["charts"]) == (1 if name in CHARTED else 0)


@pytest.mark.parametrize("name", CHARTED)
def test_no_chart_label_overlaps_another_or_is_cut_off(rendered, name):
    charts = rendered[name]["charts"]
    assert len(charts) == 1, f"{name}: {len(charts)} charts on the page"
    chart = charts[0]
    texts, svg = chart["texts"], chart["svg"]
    assert len(texts) >= 5
    for t in texts:
        inside = svg["x0"] - 0.5 <= t["x0"] and t["x1"] <= svg["x1"] + 0.5 and svg["y0"] - 0.5 <= t["y0"] and t["y1"] <= svg["y1"] + 0.5
        assert inside, f"{name}: {t['text']!r} is cut off by the chart's edge"
        assert not t["text"].endswith("…"), f"{name}: {t['text']!r} is truncated"
    for i, a in enumerate(texts):
        for b in texts[i + 1:]:
            assert overlap(a, b) < 1.0, f"{name}: {a['text']!r} overlaps {b['text']!r}"


@pytest.mark.parametrize("name", CHARTED)
def test_axis_titles_give_the_units_and_a_legend_only_with_several_series(rendered, name):
    chart = rendered[name]["charts"][0]
    labels = dict(clusterdata.load("units")[["unit", "label"]].itertuples(index=False))
    units = {f["name"]: labels[f["unit"]] for f in RESOURCES[name]["schema"]["fields"] if "unit" in f}
    spec = json.dumps(RESOURCES[name]["chart"])
    for field, unit in units.items():
        if f'"field": "{field}", "type": "quantitative"' in spec:
            titled = [title for title in chart["axisTitles"] if f"({unit})" in title]
            assert len(titled) == 1 and titled[0].count(f"({unit})") == 1, f"{name}: axis titles {chart['axisTitles']}"
    if '"color": {"field"' in spec:
        assert len(chart["legend"]) >= 2 and len(set(chart["symbols"])) == len(chart["legend"])
    else:
        assert chart["legend"] == []


def test_a_category_has_one_colour_on_every_page(rendered):
    colours: dict[str, set] = {}
    for name in CHARTED:
        chart = rendered[name]["charts"][0]
        for label, fill in zip(chart["legend"], chart["symbols"]):
            colours.setdefault(label, set()).add(fill)
    assert {"foreign_funded", "state_owned", "electronic_telecom_equipment", "2007-2008"} <= set(colours)
    assert {label: fills for label, fills in colours.items() if len(fills) > 1} == {}
    assert len(colours["foreign_funded"] | colours["state_owned"] | colours["private"]) == 3


def test_ict_fdi_spaces_its_years_in_proportion_and_marks_estimates_and_the_coverage_break(rendered):
    chart = rendered["ict_fdi"]["charts"][0]
    centres = sorted(chart["bars"])
    assert len(centres) == 6  # 1995, 1997, 1999, 2001, 2003, 2004
    gaps = [b - a for a, b in zip(centres, centres[1:])]
    assert gaps[3] == pytest.approx(2 * gaps[4], rel=0.02) and gaps[0] == pytest.approx(gaps[3], rel=0.02)
    labels = [t["text"] for t in chart["texts"]]
    assert "4,000*" in labels and "8,637*" in labels and "1,343" in labels and "coverage break" in labels


@pytest.mark.parametrize("name", clusterdata.tables())
def test_annotated_cells_link_to_their_notes_and_back(name):
    text = (SITE / f"{name}.html").read_text(encoding="utf-8")
    notes = clusterdata.load("annotations")
    notes = notes[notes["table_name"] == name]
    assert re.findall(r'<tr id="note-(\d+)">', text) == [str(n) for n in range(1, len(notes) + 1)]
    for number, (row_key, column) in enumerate(zip(notes["row_key"], notes["column_name"]), start=1):
        named = bool(row_key) or bool(column)  # a note on a row, a column or a cell is marked there; one on the table is not
        assert (f'<a class="ref" href="#note-{number}" id="ref-{number}"' in text) is named, f"{name}: note {number}"
        assert (f'<a href="#ref-{number}"' in text) is named, f"{name}: note {number} links back"


def test_a_cell_note_marks_exactly_its_cell(browser):
    page = browser.new_page()
    page.goto((SITE / "pinghu_output.html").as_uri())
    # annotations.csv: pinghu_output,year=2003,growth_rate_pct,source_inconsistency,Printed 85.2; ...
    noted = page.evaluate("""() => [...document.querySelectorAll("table.rows td.noted")].map(td => td.textContent)""")
    page.click("table.rows td.noted a.ref >> nth=0")
    target = page.evaluate("() => location.hash")
    page.close()
    assert noted == ["85.2[2]", "21[3]", "22.68[4]", "120[6]", "21.9[5]"]  # in reading order: 2007 enterprises, then growth
    assert target == "#note-2"


def test_numbers_show_their_digits_not_an_exponent():
    profile = (SITE / "pinghu_survey_profile.html").read_text(encoding="utf-8")
    statistics = (SITE / "statistics.html").read_text(encoding="utf-8")
    assert '<td class="num">10000000</td>' in profile and '<td class="num">9600000</td>' in statistics
    assert re.search(r'<td class="num noted">0.111111<a class="ref"', statistics) and '<td class="num">21.1</td>' in (SITE / "pinghu_output.html").read_text()
    assert not re.search(r'<td class="num">[^<]*e[+-]', profile + statistics)


def test_statistics_shows_every_row_and_filters_without_a_server(browser):
    frame = clusterdata.load("statistics")
    page = browser.new_page()
    page.goto((SITE / "statistics.html").as_uri())
    visible = "() => [...document.querySelectorAll('table.rows tr[data-row]')].filter(r => r.offsetParent !== null).length"
    assert page.evaluate(visible) == len(frame) == 181
    source = "ning_2009_ict"
    page.select_option("select[name=source_id]", source)
    assert page.evaluate(visible) == (frame["source_id"] == source).sum()
    page.select_option("select[name=unit]", "pct")
    assert page.evaluate(visible) == ((frame["source_id"] == source) & (frame["unit"] == "pct")).sum()
    page.close()


def test_statistics_reads_without_javascript(browser):
    context = browser.browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto((SITE / "statistics.html").as_uri())
    rows = page.locator("table.rows tr[data-row]:visible").count()
    form = page.locator("form.filters").is_visible()
    width = page.evaluate("() => document.documentElement.scrollWidth")
    context.close()
    assert rows == 181 and not form and width <= 1280


def test_links_are_http_and_escaped():
    for path in SITE.glob("*.html"):
        text = path.read_text(encoding="utf-8")
        for href in re.findall(r'href="([^"]*)"', text):
            assert re.fullmatch(r"https?://[!#-&(-;=?-~]+|[a-z_]+\.(html|css|json)|#(note|ref)-\d+", href), f"{path.name}: {href}"
    # annotations.csv quotes the cover page's garbled address (ligatures lost): shown as text, not as a link
    sources = (SITE / "sources.html").read_text(encoding="utf-8")
    assert "prints &quot;http://paci\ufffdca\ufffdairs.ubc.ca/recent/v82no1.html&quot; with" in sources


def test_index_names_where_every_table_comes_from():
    text = (SITE / "index.html").read_text(encoding="utf-8")
    assert "(package metadata)" not in text and "catalog rule" not in "".join(p.read_text() for p in SITE.glob("*.html"))
    row = re.search(r'<tr><td><a href="statistics.html">.*?</tr>', text).group()
    assert "5 sources" in row and all(s in row for s in clusterdata.load("sources")["source_id"])


def test_years_are_drawn_in_proportion():
    for name in CHARTED:
        spec = json.dumps(RESOURCES[name]["chart"])
        for kind in re.findall(r'"field": "(?:year|period_start|period_end)", "type": "(\w+)"', spec):
            assert kind == "quantitative", f"{name}: years drawn as {kind} categories"
    assert sum('"field": "year", "type": "quantitative"' in json.dumps(RESOURCES[n]["chart"]) for n in CHARTED) == 5


def test_the_index_carries_schema_org_dataset_json_ld():
    text = (SITE / "index.html").read_text(encoding="utf-8")
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', text, re.S).group(1)
    data = json.loads(block)
    descriptor = _catalog.descriptor()
    assert data["@context"] == "https://schema.org/" and data["@type"] == "Dataset"
    assert data["name"] == descriptor["title"] and data["version"] == clusterdata.__version__
    assert data["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert data["creator"] == [{"@type": "Organization", "name": "The clusterdata contributors"}]
    assert data["citation"] == [s["title"] for s in descriptor["sources"]] and len(data["citation"]) == 5
    assert data["creditText"] == (f"The clusterdata contributors (2026). {descriptor['title']}. Dataset, version {clusterdata.__version__}. "
                                  "No published location yet.")
    assert f"Dataset: {data['creditText']} Table 'pinghu_output'." in clusterdata.cite("pinghu_output").text  # as cite() says it
    assert [d["name"] for d in data["distribution"]] == clusterdata.tables()
    for d in data["distribution"]:
        assert (SITE / d["contentUrl"]).resolve() == (REPO / "data" / "parquet" / f"{d['name']}.parquet")


def plain(value):
    """A value as Python compares it: text as str, a missing value as None."""
    if isinstance(value, bytes):
        return value.decode("utf-8")
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value.item() if hasattr(value, "item") else value


def test_croissant_validates_and_mlcroissant_reads_every_table_as_load_does():
    mlc = pytest.importorskip("mlcroissant", reason="the Croissant test needs mlcroissant (the test extra)")
    import subprocess
    import sys
    from pathlib import Path

    path = SITE / "croissant.json"
    command = shutil.which("mlcroissant", path=str(Path(sys.executable).parent)) or shutil.which("mlcroissant")
    checked = subprocess.run([command, "validate", "--jsonld", str(path)], capture_output=True, text=True, timeout=300)
    assert checked.returncode == 0, checked.stderr
    complaints = [line for line in (checked.stdout + checked.stderr).splitlines() if re.match(r"[WEF]\d{4} ", line)]
    assert complaints == []
    dataset = mlc.Dataset(jsonld=str(path))
    assert dataset.metadata.version == clusterdata.__version__
    for name in clusterdata.tables():
        frame = clusterdata.load(name)
        records = [{k.split("/", 1)[1]: plain(v) for k, v in r.items()} for r in dataset.records(name)]
        expected = [{c: plain(v) for c, v in row.items()} for row in frame.astype(object).to_dict("records")]
        assert records == expected, name


def test_a_chart_naming_no_field_of_its_table_is_refused(tmp_path):
    from clusterdata.contrib.definitions import DefinitionError, read_definition

    text = (REPO / "schemas" / "pinghu_output.toml").read_text(encoding="utf-8")
    path = tmp_path / "pinghu_output.toml"
    path.write_text(text.replace('field = "output_100m_yuan", type = "quantitative", title', 'field = "output", type = "quantitative", title'), encoding="utf-8")
    with pytest.raises(DefinitionError) as error:
        read_definition(path)
    assert str(error.value) == f"{path}: chart field 'output' is not a field (nor `annotated`, true on rows with a note)"


def test_a_category_without_its_colour_is_refused():
    import pandas as pd

    from clusterdata.contrib.dictionary import vega_lite_spec

    frame = pd.DataFrame({"year": [2001, 2001], "ownership": ["foreign_funded", "cooperative"], "share_pct": [60.0, 40.0]})
    spec = {"title": "t", "mark": "line", "encoding": {"x": {"field": "year", "type": "quantitative"},
                                                       "y": {"field": "share_pct", "type": "quantitative"},
                                                       "color": {"field": "ownership", "type": "nominal"}}}
    with pytest.raises(ValueError) as error:
        vega_lite_spec(frame, spec, {"share_pct": "percent"}, [False, False])
    assert str(error.value) == "chart of ownership: no colour for cooperative (add it to CATEGORY_COLOURS in contrib/dictionary.py)"
    del frame["ownership"], spec["encoding"]["color"]
    full = vega_lite_spec(frame.head(1), spec, {"share_pct": "percent"}, [True])
    assert full["encoding"]["y"]["title"] == "share pct (percent)"
    assert full["data"] == {"values": [{"year": 2001, "share_pct": 60.0, "annotated": True}]}


def test_the_index_tells_each_kind_of_user_the_readmes_tested_way():
    from clusterdata.contrib.dictionary import OPENERS

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    index = (SITE / "index.html").read_text(encoding="utf-8")
    assert [tool for tool, _ in OPENERS] == ["Python", "R", "Stata", "Excel", "SQL and Datasette", "LaTeX"]
    for tool, commands in OPENERS:
        for command in commands:
            assert command in readme, command  # the README's recipes are the ones the tests run
            assert f"<code>{escape(command)}</code>" in index
