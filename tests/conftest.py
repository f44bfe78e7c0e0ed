import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def repo_copy(tmp_path):
    """A scratch copy of the repository's data and definitions, for builds and broken inputs."""
    root = tmp_path / "repo"
    for name in ("schemas", "data", "docs/dictionary"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "datapackage.json", root / "datapackage.json")
    return root


@pytest.fixture
def sources_dir():
    """The source texts (not redistributed): found through CLUSTERDATA_SOURCES, else the test skips."""
    value = os.environ.get("CLUSTERDATA_SOURCES")
    if not value:
        pytest.skip("CLUSTERDATA_SOURCES is unset: the source texts are not part of the repository; "
                    "set it to the folder of the five source files (CI uses ../shared/sources)")
    path = Path(value)
    if not path.is_dir():
        pytest.fail(f"CLUSTERDATA_SOURCES={value} is not a folder")
    return path


def snapshot(root: Path) -> dict:
    """Every file under data/parquet plus datapackage.json, with its bytes and modification time."""
    files = sorted((root / "data" / "parquet").glob("*")) + [root / "datapackage.json"]
    return {p.relative_to(root): (p.read_bytes(), p.stat().st_mtime_ns) for p in files}
