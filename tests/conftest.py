import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


FIXTURE = Path(__file__).resolve().parent / "fixture"


@pytest.fixture(scope="session")
def built_fixture(tmp_path_factory):
    """tests/fixture (a frozen copy of the definitions and raw data) built once: independent of the live data."""
    from clusterdata.build import build

    root = tmp_path_factory.mktemp("fixture") / "repo"
    shutil.copytree(FIXTURE, root, ignore=shutil.ignore_patterns("README.md"))
    build(root)
    return root


@pytest.fixture(scope="session")
def exported(tmp_path_factory):
    """Each export format written once per test session: exported("sqlite") is its folder. Tests only read it."""
    from clusterdata._export import export

    folders = {}

    def folder(fmt: str) -> Path:
        if fmt not in folders:
            folders[fmt] = tmp_path_factory.mktemp(f"export-{fmt}")
            export(str(folders[fmt]), fmt)
        return folders[fmt]

    return folder


@pytest.fixture
def repo_copy(tmp_path, built_fixture):
    """A scratch copy of the built fixture repository, for builds and broken inputs."""
    root = tmp_path / "repo"
    shutil.copytree(built_fixture, root)
    return root


@pytest.fixture
def live_copy(tmp_path):
    """A scratch copy of the live definitions and raw data, for breaking what the frozen fixture predates."""
    for folder in ("schemas", "data/raw"):
        shutil.copytree(REPO / folder, tmp_path / folder)
    return tmp_path


@pytest.fixture
def sources_dir():
    """The source texts (not redistributed): found through CLUSTERDATA_SOURCES, else the test skips."""
    value = os.environ.get("CLUSTERDATA_SOURCES")
    if not value:
        pytest.skip("CLUSTERDATA_SOURCES is unset: the source texts are not part of the repository; "
                    "set it to the folder of the five source files to run this test")
    path = Path(value)
    if not path.is_dir():
        pytest.fail(f"CLUSTERDATA_SOURCES={value} is not a folder")
    return path


def snapshot(root: Path) -> dict:
    """Every file under data/parquet plus datapackage.json, with its bytes and modification time."""
    files = sorted((root / "data" / "parquet").glob("*")) + [root / "datapackage.json"]
    return {p.relative_to(root): (p.read_bytes(), p.stat().st_mtime_ns) for p in files}
