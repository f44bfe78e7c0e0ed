"""The corpus of malformed contributions (tests/malformed/): each case must fail the build with its
expected messages and leave data/parquet and datapackage.json untouched.

A case folder holds the contributed file and expected.txt. A file named after a table replaces that
table's CSV; NAME.append.csv is appended to data/raw/NAME.csv, and "{+1}" in expected.txt stands for
the first appended line's number. Each case edits its file in the one built fixture of the worker
(`scratch`, which puts it back afterwards) and builds in this process, parsing again only the CSVs it
changed; the first case also runs `clusterdata validate` as a user does, in a process of its own, which
validates everything afresh.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from clusterdata.contrib.build import BuildFailed, build
from clusterdata.cli import main

from conftest import snapshot

CASES = sorted(p for p in (Path(__file__).parent / "malformed").iterdir() if p.is_dir())


def apply(case: Path, root: Path) -> list[str]:
    """Put the case's file in place; return its expected messages."""
    expected = (case / "expected.txt").read_text(encoding="utf-8")
    for contributed in case.glob("*.csv"):
        if contributed.name.endswith(".append.csv"):
            target = root / "data/raw" / contributed.name.replace(".append.csv", ".csv")
            lines = len(target.read_text(encoding="utf-8").splitlines())
            target.write_bytes(target.read_bytes() + contributed.read_bytes())
            expected = expected.replace("{+1}", str(lines + 1))
        else:
            shutil.copy(contributed, root / "data/raw" / contributed.name)
    return [line for line in expected.splitlines() if line]


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 40


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_malformed_contribution_fails_with_its_message_and_changes_nothing(case, scratch):
    expected = apply(case, scratch)
    before = snapshot(scratch)
    with pytest.raises(BuildFailed) as failure:
        build(scratch)
    messages = [str(problem) for problem in failure.value.problems]
    assert messages == expected  # all of them, in order: no message may be missing or added
    assert snapshot(scratch) == before


def validate_report(expected: list[str]) -> list[str]:
    """What `clusterdata validate` prints for the messages of a case that concerns one file."""
    files = {line.split(":")[0] for line in expected}
    assert len(files) == 1  # these first cases concern one file each
    count = f"{len(expected)} problem{'s' if len(expected) != 1 else ''}"
    return [f"{files.pop()}: {count}", *(f"  {line}" for line in expected), f"{count} in 1 file"]


@pytest.mark.parametrize("case", CASES[1:5], ids=[c.name for c in CASES[1:5]])
def test_clusterdata_validate_says_the_same_and_exits_1(case, scratch, capsys, monkeypatch):
    expected = apply(case, scratch)
    monkeypatch.chdir(scratch)
    assert main(["validate"]) == 1
    assert capsys.readouterr().err.splitlines() == validate_report(expected)


def test_the_clusterdata_command_exits_1_and_prints_the_report_without_a_traceback(scratch):
    expected = apply(CASES[0], scratch)
    command = shutil.which("clusterdata", path=str(Path(sys.executable).parent)) or shutil.which("clusterdata")
    result = subprocess.run([command, "validate"], cwd=scratch, capture_output=True, text=True, timeout=300)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.splitlines() == validate_report(expected)  # nothing else: no traceback, no warning


def test_every_check_kind_has_a_failing_case_in_the_corpus():
    # Driven by the registry of check kinds: a new kind without a case here fails this test.
    from clusterdata.contrib.checks import KINDS

    failures = "\n".join((case / "expected.txt").read_text(encoding="utf-8") for case in CASES)
    assert [kind for kind in KINDS if f"fails the cross-check {kind}(" not in failures] == []


CELL_CASES = [c for c in CASES if c.name.split("-")[0] in ("fdi", "output", "statistics", "survey", "exporters", "reasons", "annotation")]


@pytest.mark.parametrize("case", CELL_CASES, ids=[c.name for c in CELL_CASES])
def test_a_case_says_the_same_when_every_column_is_held_dictionary_encoded(case, scratch, monkeypatch):
    # A large file is read in blocks, its columns of repeated cells held as Categoricals, judged once per distinct
    # cell (validate.fast_read); forced on every column of every table, read in small blocks (chunked columns, a
    # dictionary per block), the corpus's small files must give the same messages.
    from clusterdata.contrib import validate

    monkeypatch.setattr(validate, "ENCODED_ROWS", 0)
    monkeypatch.setattr(validate, "REPEATED", 0)
    monkeypatch.setattr(validate, "BLOCK", 4096)
    expected = apply(case, scratch)
    with pytest.raises(BuildFailed) as failure:
        build(scratch)
    assert [str(problem) for problem in failure.value.problems] == expected
