"""docs/benchmarks.md describes the code in this checkout: the sha256 it records of the benchmark script and of every
clusterdata module the benchmarks measured still match the files (benchmarks/run.py writes them)."""

import hashlib
import importlib.util
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def benchmark_script():
    """benchmarks/run.py as a module (it is a script, not a package); its functions read the record."""
    if "benchmarks_run" not in sys.modules:
        spec = importlib.util.spec_from_file_location("benchmarks_run", REPO / "benchmarks" / "run.py")
        sys.modules["benchmarks_run"] = importlib.util.module_from_spec(spec)  # before it runs: its dataclass looks it up
        spec.loader.exec_module(sys.modules["benchmarks_run"])
    return sys.modules["benchmarks_run"]


def test_the_benchmarks_were_made_from_this_code():
    run, text = benchmark_script(), (REPO / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    assert run.recorded_hashes(text), "docs/benchmarks.md records no code it measured: run `python benchmarks/run.py` and commit docs/benchmarks.md"
    stale = run.stale_files(REPO, text)
    assert not stale, f"docs/benchmarks.md is out of date ({', '.join(stale)} changed since it was measured): run `python benchmarks/run.py` and commit docs/benchmarks.md"


def test_the_record_names_the_script_and_the_modules_measured():
    recorded = benchmark_script().recorded_hashes((REPO / "docs" / "benchmarks.md").read_text(encoding="utf-8"))
    assert "benchmarks/run.py" in recorded
    assert {"src/clusterdata/__init__.py", "src/clusterdata/_load.py", "src/clusterdata/validate.py", "src/clusterdata/build.py"} <= set(recorded)


def test_a_changed_file_is_named_stale(tmp_path):
    run = benchmark_script()
    (tmp_path / "a.py").write_text("x = 1\n")
    (tmp_path / "b.py").write_text("y = 2\n")
    digest = hashlib.sha256(b"x = 1\n").hexdigest()
    text = f"# Benchmarks\n\n{run.HASHES_HEADING}\n\n| file | sha256 |\n|---|---|\n| `a.py` | `{digest}` |\n| `b.py` | `{digest}` |\n| `c.py` | `{digest}` |\n"
    assert run.stale_files(tmp_path, text) == ["b.py", "c.py"]
    assert run.stale_files(tmp_path, "# Benchmarks\n") == ["(no code listed)"]
