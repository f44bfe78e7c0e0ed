"""The numbers a quote states, as the stated_by_quote check reads them."""

import pytest

from clusterdata.contrib.checks import numbers_in


@pytest.mark.parametrize("quote, value", [
    ("FDI reached US$1.44 billion", 1.44e9),
    ("FDI reached US$1.44 billion", 1440),             # the same number in millions
    ("exports of $14.5 billion", 14.5),
    ("a record of 1,343 million", 1343),
    ("including three nearby towns", 3),
    ("one-quarter have 5 or more employees", 0.25),
    ("is still one-ninth the size of IBM", 1 / 9),
    ("the world's sixth-largest ICf market", 6),
    ("the total value of FDI was more than twice that", 2),
    ("The district is hardly a decade old", 1),
    ("in 200 1", 2001),                                # the scan splits a year
    ("production to Dalian in 200 I", 2001),          # and reads its 1 as I
])
def test_a_quote_states_the_number(quote, value):
    assert any(abs(n - value) < 1e-9 * max(1, value) for n in numbers_in(quote))


@pytest.mark.parametrize("quote, value", [
    ("FDI reached US$1.44 billion", 1.45),
    ("including three nearby towns", 4),
    ("from 2005 to 2008", 2006),
    ("someone said so", 1),                            # "one" inside a word is not a number
])
def test_a_quote_does_not_state_the_number(quote, value):
    assert not any(abs(n - value) < 1e-9 * max(1, value) for n in numbers_in(quote))
