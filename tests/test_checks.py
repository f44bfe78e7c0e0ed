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


def quote_value_pairs():
    """Each real statistics quote with its value, every number it states, and numbers it does not; tricky quotes."""
    import csv
    from pathlib import Path

    with open(Path(__file__).resolve().parents[1] / "data/raw/statistics.csv", encoding="utf-8") as f:
        rows = [(r["quote"], float(r["value"])) for r in csv.DictReader(f) if r["quote"] and r["value"]]
    pairs = []
    for quote, value in rows:
        pairs += [(quote, value), (quote, value + 1), (quote, value * 1.5), (quote, -value)]
        pairs += [(quote, n) for n in sorted(numbers_in(quote))[:40]]
    tricky = ["in 200 1", "in 200 I", "the 5l and 6I", "1 2 3 4", "1,234,56 and 1.2.3", ".5 of it", "٣ towns", "1٣ towns",
              "someone said so", "a decade", "A Decade", "One-Quarter", "THREE", "third-largest", "one\x00two 7", "déjà 7 vu",
              "9" * 400, "00.50", "1,000,000", "12,34", "twice", "doubled", "firsl", "2 1/2", "an İ 5 x", "ﬁrst 8", "", "x",
              "\u201cthree\u201d times", "the \u2018first\u2019 of 2", "\u20ac5bn\u2014half", "x\u00a0two", "one\u2028two", "5\u2019I",
              "200\u00a01", "\u24c4ne 4", "\u212aten", "\u2160 one", "2\u00b73", "5\u00bd", "\u00b2 seven", "tw\u00f8 6", "one\u0301 9",
              "in 2000. And 3,", "5,.6 and 7..", "1,234.5.6", "12,345,678.9,", ".5.5", "3, 4, and 5.", "0,001"]
    for quote in tricky:
        pairs += [(quote, n) for n in sorted(numbers_in(quote))] + [(quote, 1), (quote, 2), (quote, 0.5), (quote, 3), (quote, 7)]
    return pairs


def test_the_fast_path_agrees_with_the_rule(monkeypatch):
    # surely_stated judges stated_by_quote column-wise; it may leave a pair undecided (the rule then judges it), never
    # call stated what the rule does not; and it settles the real rows' stated pairs (else it would save nothing)
    import numpy as np
    import pyarrow as pa

    from clusterdata.contrib.checks import states, surely_stated

    pairs = quote_value_pairs()
    rule = np.array([states(q, v) for q, v in pairs])
    fast = surely_stated(pa.array([q for q, _ in pairs]), np.array([v for _, v in pairs]))
    assert [pairs[i] for i in np.flatnonzero(fast & ~rule)] == []
    assert fast.sum() >= 0.9 * rule.sum() and rule.sum() > 1000
    # a quote whose characters beyond ASCII are punctuation, symbols or spaces reads alike in both: settled exactly
    import re
    import unicodedata

    from clusterdata.contrib.checks import REWRITTEN

    readable = [i for i, (q, _) in enumerate(pairs)
                if all(c.isascii() or unicodedata.category(c)[0] in "PSZ" for c in q) and not re.search(REWRITTEN, q)]
    assert sum(not pairs[i][0].isascii() for i in readable) > 100
    assert [pairs[i] for i in readable if fast[i] != rule[i]] == []
    monkeypatch.setattr("clusterdata.contrib.checks.STATED_CHUNK", 1000)  # judged by slices, as a large column is: the same verdicts
    assert (surely_stated(pa.array([q for q, _ in pairs]), np.array([v for _, v in pairs])) == fast).all()
    quotes = pa.array([q for q, _ in pairs], pa.large_string())  # a column read block by block: chunks of any length
    chunked = pa.chunked_array([quotes[:777], quotes[777:5000], quotes[5000:]])
    assert (surely_stated(chunked, np.array([v for _, v in pairs])) == fast).all()
    assert (surely_stated(chunked.dictionary_encode(), np.array([v for _, v in pairs])) == fast).all()  # a Categorical's
