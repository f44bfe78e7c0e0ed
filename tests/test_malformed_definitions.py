"""The corpus of bad definitions (tests/malformed_definitions/): each case edits the frozen fixture's
schemas/ (or a CSV) and must fail the build with exactly its expected messages, every one at once and
none added, without a traceback, leaving data/parquet and datapackage.json untouched.

A case folder holds case.toml, a list of [[edit]] (file, old, new: the first occurrence of old is
replaced), and expected.txt, one message a line. Each case edits the one built fixture of the worker
(`scratch`, which puts it back afterwards) and builds in this process, parsing again only the CSVs whose
file or definition it changed; one case runs `clusterdata validate` as a user does, in a process of its own.
"""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from clusterdata.contrib.build import BuildFailed, build

from conftest import snapshot

CASES = sorted(p for p in (Path(__file__).parent / "malformed_definitions").iterdir() if p.is_dir())


def apply(case: Path, root: Path) -> list[str]:
    for edit in tomllib.loads((case / "case.toml").read_text(encoding="utf-8"))["edit"]:
        path = root / edit["file"]
        text = path.read_text(encoding="utf-8")
        assert edit["old"] in text, f"{case.name}: {edit['old']!r} is not in {edit['file']}"
        path.write_text(text.replace(edit["old"], edit["new"], 1), encoding="utf-8")
    return [line for line in (case / "expected.txt").read_text(encoding="utf-8").splitlines() if line]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_a_bad_definition_fails_with_its_messages_and_changes_nothing(case, scratch):
    expected = apply(case, scratch)
    before = snapshot(scratch)
    with pytest.raises(BuildFailed) as failure:
        build(scratch)
    assert [str(problem) for problem in failure.value.problems] == expected
    assert snapshot(scratch) == before


def test_clusterdata_validate_reports_definitions_and_csvs_together(scratch):
    expected = apply(Path(__file__).parent / "malformed_definitions" / "everything-at-once", scratch)
    command = shutil.which("clusterdata", path=str(Path(sys.executable).parent)) or shutil.which("clusterdata")
    result = subprocess.run([command, "validate"], cwd=scratch, capture_output=True, text=True, timeout=300)
    assert (result.returncode, result.stdout) == (1, "")
    err = result.stderr
    assert "Traceback" not in err
    assert [line.strip() for line in err.splitlines() if line.startswith("  ")] == expected
    assert err.splitlines()[-1] == "3 problems in 3 files"
