"""Mistakes in a [[checks]] entry of a definition: each refused with one message naming the check, never run
with a wrong meaning (a misspelt `tolerence` used to be swallowed and the check ran with tolerance 0)."""

from pathlib import Path

import pytest

from clusterdata.contrib.definitions import DefinitionError, read_definition

FIXTURE = Path(__file__).parent / "fixture" / "schemas"
FIRST = '''[[checks]]
kind = "sums_to"
column = "domestic_market_share_pct"
group_by = ["year"]
total = 100
tolerance = 0.3
'''

CASES = {
    "misspelt parameter": ("tolerance = 0.3", "tolerence = 0.3",
                           '[[checks]] 1 (sums_to): unknown parameter "tolerence" (known: column, group_by, total, '
                           "total_column, total_row, where, comparison, aggregate, tolerance, why, name)"),
    "missing parameter": ('column = "domestic_market_share_pct"\ngroup_by = ["year"]\ntotal = 100', 'group_by = ["year"]\ntotal = 100',
                          '[[checks]] 1 (sums_to): the required parameter "column" is missing'),
    "tolerance as text": ("tolerance = 0.3", 'tolerance = "0.3"', "[[checks]] 1 (sums_to): tolerance = '0.3' is not a number"),
    "no total": ("total = 100\ntolerance = 0.3", "tolerance = 0.3",
                 "[[checks]] 1 (sums_to): give exactly one of total, total_column and total_row"),
    "two totals": ("total = 100\ntolerance = 0.3", 'total = 100\ntotal_column = "year"\ntolerance = 0.3',
                   "[[checks]] 1 (sums_to): give exactly one of total, total_column and total_row"),
    "two checks under one name": ('name = "foreign_funded_share_2003"', 'name = "foreign_funded_share_2004"', None),
    "name not a name": ('name = "foreign_funded_share_2003"', 'name = "FIE share"',
                        "[[checks]] 2 (sums_to): name = 'FIE share' is not a lower-case name (a-z, 0-9, _)"),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_a_check_definition_mistake_is_refused_with_its_message(case, tmp_path):
    old, new, message = CASES[case]
    text = (FIXTURE / "ict_market_performance.toml").read_text(encoding="utf-8")
    assert text.count(FIRST) == 1 and old in text
    start = text.index(FIRST) if case not in ("two checks under one name", "name not a name") else 0
    path = tmp_path / "ict_market_performance.toml"
    path.write_text(text[:start] + text[start:].replace(old, new, 1), encoding="utf-8")
    with pytest.raises(DefinitionError) as error:
        read_definition(path)
    if message is None:
        message = ("two checks report as foreign_funded_share_2004: give each a distinct `name` "
                   "(the name a source_inconsistency annotation gives in its `check` column)")
    assert str(error.value) == f"{path}: {message}"


def test_the_fixture_definition_is_accepted():
    assert [c.get("name") for c in read_definition(FIXTURE / "ict_market_performance.toml").checks] == [
        None, "foreign_funded_share_2003", "foreign_funded_share_2004", "jsc_llc_private_share_2004"]
