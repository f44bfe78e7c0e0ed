"""The wheel ships the data: built, installed into a fresh virtual environment, loaded from elsewhere."""

import subprocess
import sys
import sysconfig
import venv
import zipfile

import pytest

from conftest import REPO, made_once


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """The wheel, built once per run (shared by the workers)."""
    def make(out):
        subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(out), str(REPO)],
                       check=True, capture_output=True)

    (path,) = made_once(tmp_path_factory, "wheel", make).glob("clusterdata-*.whl")
    return path


def test_the_wheel_holds_the_descriptor_and_every_parquet_file(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert "clusterdata/_data/datapackage.json" in names
    for parquet in (REPO / "data/parquet").glob("*.parquet"):
        assert f"clusterdata/_data/data/parquet/{parquet.name}" in names


def test_installed_wheel_loads_every_table(wheel, tmp_path):
    env = tmp_path / "venv"
    venv.create(env)  # without pip of its own (ensurepip takes seconds): this environment's pip installs into it
    python = env / "bin" / "python"
    # The wheel alone, without its dependencies from the network: they are lent from this environment.
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps", "-q", str(wheel)],
                   check=True, capture_output=True)
    site = subprocess.run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], capture_output=True, text=True, check=True).stdout.strip()
    (tmp_path / "venv" / site.split(str(env) + "/", 1)[1] / "lend.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    code = ("import clusterdata; assert '/venv/' in clusterdata.__file__, clusterdata.__file__\n"
            "for name in clusterdata.tables():\n    assert len(clusterdata.load(name)) > 0, name\n"
            "for v in clusterdata.versions():\n    assert len(clusterdata.load('pinghu_output', version=v)) == 6, v\n"
            "assert clusterdata.versions()[0] == '0.1.0'\n"
            "print(len(clusterdata.tables()))")
    result = subprocess.run([python, "-c", code], cwd=tmp_path, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert int(result.stdout) >= 6
