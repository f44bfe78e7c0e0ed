"""Contract tests driven by the registries, in the manner of scikit-learn's datasets/tests/test_common.py:
a new CLI verb without a test fails here, not in a user's hands. (Every export format is read back by its
reader in tests/test_roundtrip.py, parametrized over the registry _export.FORMATS; every check kind has a
failing case in tests/malformed, tests/test_malformed.py.)"""

import re

import pytest
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



# What each parameter type is called when a definition gives a value of another type (written by hand:
# a parameter added to a kind without an entry here fails the test below).
TYPE_MESSAGES = {
    **dict.fromkeys(("column", "share", "count", "part", "level", "growth", "order_by", "total_column",
                     "denominator_column", "first", "second", "quote", "template"), "is not text"),
    **dict.fromkeys(("group_by", "allow"), "is not a list of text"),
    **dict.fromkeys(("total", "tolerance", "step"), "is not a number"),
    **dict.fromkeys(("total_row", "where", "excluded"), "is not a table, such as { column = value }"),
    "comparison": "is not one of '=', '<='",
    "aggregate": "is not one of 'sum', 'mean'",
    "row": "is not a table, such as { column = value }",
    "order": "is not one of 'largest', 'smallest'",
}


def declared_examples():
    """The first [[checks]] entry of each kind in the live definitions, with its table."""
    from clusterdata.contrib.definitions import read_definitions

    examples = {}
    for table in read_definitions(TESTS.parent / "schemas").values():
        for declared in table.checks:
            examples.setdefault(declared["kind"], (table, declared))
    return examples


def test_every_check_kind_is_used_and_types_each_parameter_when_read():
    # Driven by the registry: each kind's parameters, each given a value of no parameter type (true).
    from clusterdata.contrib.checks import KINDS, parameters
    from clusterdata.contrib.definitions import DefinitionError, check_declaration

    examples = declared_examples()
    assert sorted(examples) == sorted(KINDS)
    for kind, check in KINDS.items():
        table, declared = examples[kind]
        for parameter in parameters(check):
            with pytest.raises(DefinitionError) as refused:
                check_declaration(Path("schemas/x.toml"), table, {**declared, parameter.name: True})
            assert str(refused.value) == f"schemas/x.toml: [[checks]] 1 ({kind}): {parameter.name} = True {TYPE_MESSAGES[parameter.name]}"


def test_contributing_lists_every_check_kind_with_its_parameters():
    from clusterdata.contrib.checks import KINDS, parameters

    text = (TESTS.parent / "CONTRIBUTING.md").read_text(encoding="utf-8")
    table = text.split("### Check kinds", 1)[1].split("| kind |", 1)[1].split("\n\n", 1)[0].splitlines()[2:]
    rows = {re.match(r"\| `(\w+)` \|", line).group(1): line for line in table}
    assert list(rows) == list(KINDS)
    for kind, row in rows.items():
        named = set(re.findall(r"`(\w+)`", row.rsplit("|", 2)[1]))
        assert {p.name for p in parameters(KINDS[kind])} <= named, kind
