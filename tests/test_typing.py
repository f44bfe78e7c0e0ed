"""The typed public API, as users' tools read it: mypy knows the table names (a generated Literal) and
the return type of `load` for each backend; the package docstring's examples run as doctests."""

import doctest
import subprocess
import sys

import clusterdata

USER_CODE = '''import clusterdata
reveal_type(clusterdata.load("pinghu_output"))
reveal_type(clusterdata.load("pinghu_output", backend="polars"))
clusterdata.load("pinghu_outpt")
'''


def test_mypy_knows_the_table_names_and_the_type_each_backend_returns(tmp_path):
    (tmp_path / "user.py").write_text(USER_CODE, encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "mypy", "--no-incremental", "--hide-error-context",
                             "--no-error-summary", "--hide-error-codes", "user.py"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=300)
    lines = [line for line in result.stdout.splitlines() if "note: " not in line or "Revealed type" in line]
    assert lines == [
        'user.py:2: note: Revealed type is "pandas.core.frame.DataFrame"',
        'user.py:3: note: Revealed type is "polars.dataframe.frame.DataFrame"',
        'user.py:4: error: No overload variant of "load" matches argument type "str"',
    ]


def test_the_package_docstring_examples_pass():
    result = doctest.testmod(clusterdata, optionflags=doctest.ELLIPSIS)
    assert result.attempted >= 10 and result.failed == 0


def test_the_generated_table_names_are_the_catalog_s():
    import typing

    from clusterdata._names import TableName

    assert list(typing.get_args(TableName)) == clusterdata.tables()
