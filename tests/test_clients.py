"""Every export read back by the real program its user opens it with: Datasette, Chromium, frictionless."""

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import clusterdata
from clusterdata._export import PINT_UNITS, export

NAMES = clusterdata.tables()


@pytest.fixture(scope="module")
def sqlite_export(tmp_path_factory):
    dest = tmp_path_factory.mktemp("sqlite")
    export(str(dest), "sqlite")
    return dest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture(scope="module")
def datasette(sqlite_export):
    """`datasette serve clusterdata.sqlite -m metadata.json` on a free 127.0.0.1 port; yields its base URL."""
    pytest.importorskip("datasette", reason="the Datasette test needs datasette (the `test` extra)")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "datasette", "serve", "clusterdata.sqlite", "-m", "metadata.json",
         "-h", "127.0.0.1", "-p", str(port)],
        cwd=sqlite_export, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                if get(base + "/-/versions.json")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("datasette did not start: " + server.stderr.read1().decode(errors="replace"))
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_pint_units_are_exactly_those_datasette_knows():
    from datasette.views.base import ureg  # the unit registry Datasette's table pages use

    units = {f["unit"] for r in json.loads((Path(clusterdata.__file__).parents[2] / "datapackage.json").read_text())["resources"]
             for f in r["schema"]["fields"] if "unit" in f}
    known = set()
    for unit in units:
        try:
            ureg(unit)
            known.add(unit)
        except Exception:
            pass
    assert known == PINT_UNITS & units and known


@pytest.mark.parametrize("name", NAMES)
def test_datasette_serves_every_table_page(datasette, name):
    status, html = get(f"{datasette}/clusterdata/{name}")
    assert status == 200, html[:2000].decode(errors="replace")
    status, body = get(f"{datasette}/clusterdata/{name}.json?_shape=array&_size=max")
    assert status == 200
    assert len(json.loads(body)) == len(clusterdata.load(name))


def test_datasette_shows_units_and_descriptions(datasette):
    status, html = get(f"{datasette}/clusterdata/pinghu_output")
    text = html.decode()
    assert status == 200 and "Total output of the optical-mechatronics industry in Pinghu" in text
    status, html = get(f"{datasette}/clusterdata/ict_market_performance")
    assert status == 200 and "%" in html.decode()  # Datasette prints a Pint unit beside each value


def test_a_datasette_page_opens_in_headless_chromium(datasette):
    browser = shutil.which("chromium") or shutil.which("google-chrome")
    if browser is None:
        pytest.skip("no Chromium (.ci/run installs Debian's chromium)")
    result = subprocess.run([browser, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
                             f"{datasette}/clusterdata/ict_fdi"], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "<table" in result.stdout and "official_estimate" in result.stdout
    assert result.stdout.count('<tr') == len(clusterdata.load("ict_fdi")) + 1
