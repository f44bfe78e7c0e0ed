"""Contract tests driven by the registries, in the manner of scikit-learn's datasets/tests/test_common.py:
a new CLI verb without a test fails here, not in a user's hands. (Every export format is read back by its
reader in tests/test_roundtrip.py, parametrized over the registry _export.FORMATS; every check kind has a
failing case in tests/malformed, tests/test_malformed.py.)"""

import re
from pathlib import Path

from clusterdata.cli import parser

TESTS = Path(__file__).parent


def verbs() -> list[str]:
    actions = [a for a in parser()._subparsers._group_actions if a.dest == "verb"]
    return sorted(actions[0].choices)


def test_every_cli_verb_has_a_test():
    code = "\n".join(p.read_text(encoding="utf-8") for p in TESTS.glob("test_*.py"))
    called = set(re.findall(r'main\(\[\s*"([a-z]+)"', code)) | set(re.findall(r'"clusterdata",\s*"([a-z]+)"', code)) \
        | set(re.findall(r"clusterdata ([a-z]+)\b", (TESTS.parent / ".ci/run").read_text(encoding="utf-8")))
    assert [verb for verb in verbs() if verb not in called] == []


def test_the_registry_of_verbs_is_read():
    assert {"list", "show", "load", "validate", "build", "export"} & set(verbs()) >= {"list", "show", "validate", "build", "export"}


def test_cli_describe_prints_the_metadata_and_each_erratum_with_its_check(capsys):
    from clusterdata.cli import main

    assert main(["describe", "pinghu_output"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "pinghu_output: Total output of the optical-mechatronics industry in Pinghu, 2002-2007"
    assert "Key: year" in out
    assert "  growth_rate_pct (number) [percent]: Growth Rate (%) on the previous year, as printed (not recomputed from the output)." in out
    start = next(i for i, line in enumerate(out) if line.startswith("  - [source_inconsistency] year=2003,"))
    end = next(i for i in range(start + 1, len(out)) if out[i].startswith("  - ["))
    assert " ".join(line.strip() for line in out[start:end]) == (
        "- [source_inconsistency] year=2003, growth_rate_pct (growth_matches_levels(growth_rate_pct): 85.2 vs 90.5213): "
        "Printed 85.2; the printed output levels give 100 x (40.2 / 21.1 - 1) = 90.52. Stored as printed.")

