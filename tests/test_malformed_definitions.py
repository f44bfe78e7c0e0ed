"""The corpus of bad definitions (tests/malformed_definitions/): each case edits the frozen fixture's
schemas/ (or a CSV) and must fail the build with exactly its expected messages, every one at once and
none added, without a traceback, leaving data/parquet and datapackage.json untouched.

A case folder holds case.toml, a list of [[edit]] (file, old, new: the first occurrence of old is
replaced), and expected.txt, one message a line.
"""

import tomllib
from pathlib import Path

import pytest

from clusterdata.build import BuildFailed, build
from clusterdata.cli import main

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
def test_a_bad_definition_fails_with_its_messages_and_changes_nothing(case, repo_copy):
    expected = apply(case, repo_copy)
    before = snapshot(repo_copy)
    with pytest.raises(BuildFailed) as failure:
        build(repo_copy)
    assert [str(problem) for problem in failure.value.problems] == expected
    assert snapshot(repo_copy) == before


def test_clusterdata_validate_reports_definitions_and_csvs_together(repo_copy, capsys, monkeypatch):
    expected = apply(Path(__file__).parent / "malformed_definitions" / "everything-at-once", repo_copy)
    monkeypatch.chdir(repo_copy)
    assert main(["validate"]) == 1
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert [line.strip() for line in err.splitlines() if line.startswith("  ")] == expected
    assert err.splitlines()[-1] == "3 problems in 3 files"
