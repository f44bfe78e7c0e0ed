import fcntl
import os
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


FIXTURE = Path(__file__).resolve().parent / "fixture"
def made_once(tmp_path_factory, name: str, make) -> Path:
    """The folder `name`, made by make(folder) once per test run and shared by pytest-xdist's workers.

    Under xdist the workers' temporary folders lie in the run's own (getbasetemp().parent): the first
    worker to ask makes the folder under a lock while the others wait, and a folder counts only once
    it is complete (a make that failed is done again by the next to ask). Tests only read what it holds.
    """
    run = tmp_path_factory.getbasetemp()
    if "PYTEST_XDIST_WORKER" in os.environ:
        run = run.parent
    folder, done = run / name, run / f"{name}.done"
    with open(run / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # released when the file is closed
        if not done.exists():
            shutil.rmtree(folder, ignore_errors=True)
            make(folder)
            done.touch()
    return folder


@pytest.fixture(scope="session")
def built_fixture(tmp_path_factory):
    """tests/fixture (a frozen copy of the definitions and raw data) built once: independent of the live data."""
    from clusterdata.contrib.build import build

    def make(folder: Path) -> None:
        shutil.copytree(FIXTURE, folder / "repo", ignore=shutil.ignore_patterns("README.md"))
        build(folder / "repo")

    return made_once(tmp_path_factory, "fixture", make) / "repo"


@pytest.fixture(scope="session")
def exported(tmp_path_factory):
    """Each export format written once per test run: exported("sqlite") is its folder. Tests only read it."""
    from clusterdata._export import export

    def folder(fmt: str) -> Path:
        return made_once(tmp_path_factory, f"export-{fmt}", lambda dest: export(str(dest), fmt))

    return folder


def chromium() -> str:
    """The system's Chromium (Debian's, or Chrome where there is one, as on GitHub's runners)."""
    found = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not found:
        if os.environ.get("CI"):
            pytest.fail("CI must open the pages in Chromium: .ci/run installs Debian's chromium, but it is not on PATH")
        pytest.skip("Debian's chromium is not installed (.ci/run installs it: apt-get install chromium)")
    return found


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium (through Playwright, with the system's browser) for every page a test opens
    (a context at 1280 px): launched once per worker that needs it, not once per page or module."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="the browser tests need Playwright (the test extra)")
    executable = chromium()
    with sync_api.sync_playwright() as p:
        chrome = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        context = chrome.new_context(viewport={"width": 1280, "height": 900})
        yield context
        chrome.close()


@pytest.fixture(scope="session")
def scratch_tree(tmp_path_factory, built_fixture):
    """This worker's own copy of the built fixture, lent by `scratch` to one test at a time."""
    root = tmp_path_factory.mktemp("scratch") / "repo"
    shutil.copytree(built_fixture, root)
    return root


@pytest.fixture
def scratch(scratch_tree, built_fixture, monkeypatch, read_tables):
    """The built fixture for a test that edits a file or two in place and builds (the malformed corpus).

    No copy per test: afterwards every file is put back as the built fixture has it (an edited one
    rewritten, an added one removed), so that no test sees another's edit. Validation reads only the
    CSVs the test changed (see `remembered_read`); every other step of it runs on every table.
    """
    from clusterdata.contrib import validate

    monkeypatch.setattr(validate, "read_table_csv", remembered_read(validate.read_table_csv, read_tables))
    yield scratch_tree
    restore(scratch_tree, built_fixture)


@pytest.fixture(scope="session")
def read_tables() -> dict:
    """This worker's memory of validate.read_table_csv (see `remembered_read`)."""
    return {}


def remembered_read(read_table_csv, memory: dict):
    """validate.read_table_csv, done once for each CSV's bytes, shown name and table definition (all it reads).

    A case of the corpora edits one or two files of the fixture: the other tables' CSVs, unchanged, are
    not parsed again (their parsing is 70% of a validation). Each call gets its own copy of the frames and
    of the problems, so that a step that changed them in place could not carry that into another case.
    """
    import copy

    def read(path: Path, table, shown: str):
        key = (str(path), shown, path.read_bytes(), repr(table))
        if key not in memory:
            memory[key] = read_table_csv(path, table, shown)
        return copy.deepcopy(memory[key])

    return read


def restore(root: Path, pristine: Path) -> None:
    """Make the tree at `root` hold exactly the files of `pristine`, with their bytes and modification times."""
    for path in sorted(root.rglob("*"), reverse=True):  # deepest first: a folder after what it holds
        twin = pristine / path.relative_to(root)
        if path.is_symlink() or path.is_file():
            if not twin.is_file() or twin.is_symlink():
                path.unlink()
            elif path.read_bytes() != twin.read_bytes() or path.stat().st_mtime_ns != twin.stat().st_mtime_ns:
                path.unlink()
                shutil.copy2(twin, path)
        elif not twin.is_dir():
            shutil.rmtree(path)
    for twin in pristine.rglob("*"):
        path = root / twin.relative_to(pristine)
        if twin.is_dir():
            path.mkdir(exist_ok=True)
        elif not path.exists():
            shutil.copy2(twin, path)


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
