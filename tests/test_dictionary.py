"""The data dictionary (docs/dictionary/): made by the build, the same from `clusterdata docs`, and
rendered by a real browser with its charts."""

import os
import shutil
import subprocess

import pytest

import clusterdata
from clusterdata import _catalog
from clusterdata._site import PALETTE
from clusterdata.cli import main

from conftest import REPO

SITE = REPO / "docs" / "dictionary"
CHARTED = [r["name"] for r in _catalog.descriptor()["resources"] if r.get("chart")]


def test_every_table_has_a_page_and_the_index_links_it():
    index = (SITE / "index.html").read_text(encoding="utf-8")
    for name in clusterdata.tables():
        assert (SITE / f"{name}.html").is_file()
        assert f'href="{name}.html"' in index
    assert {"pinghu_output", "ict_ownership_structure", "ict_rd_intensity"} <= set(CHARTED)


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


def chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not found:
        if os.environ.get("CI"):
            pytest.fail("CI must render the data dictionary: .ci/run installs Debian's chromium, but it is not on PATH")
        pytest.skip("Debian's chromium is not installed (.ci/run installs it: apt-get install chromium)")
    return found


def screenshot(browser: str, page, out, profile) -> None:
    subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    f"--user-data-dir={profile}", "--hide-scrollbars", "--window-size=1200,2000",
                    f"--screenshot={out}", page.as_uri()], check=True, capture_output=True, timeout=120)


def colour_pixels(png, colour: str) -> int:
    from PIL import Image

    target = tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))
    image = Image.open(png).convert("RGB")
    return sum(n for n, rgb in image.getcolors(image.width * image.height) if all(abs(a - b) <= 6 for a, b in zip(rgb, target)))


@pytest.mark.parametrize("name", ["index"] + clusterdata.tables())
def test_every_page_renders_in_chromium_with_its_chart(name, tmp_path):
    pytest.importorskip("PIL", reason="the screenshot check needs Pillow (the test extra)")
    browser = chromium()
    out = tmp_path / f"{name}.png"
    screenshot(browser, SITE / f"{name}.html", out, tmp_path / "profile")
    from PIL import Image

    image = Image.open(out).convert("L")
    dark = sum(n for n, level in image.getcolors(image.width * image.height) if level < 100)
    assert dark > 2000, "the page shows (almost) no text"
    chart = colour_pixels(out, PALETTE[0])
    if name in CHARTED:
        assert chart > 300, f"{name}: no chart on the page ({chart} pixels of its first colour)"
    else:
        assert chart < 50, f"{name}: chart colour where no chart is declared"
