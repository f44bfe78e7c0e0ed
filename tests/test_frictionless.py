"""datapackage.json as other tools read it."""

import warnings

import frictionless

from conftest import REPO


def test_frictionless_validates_the_package():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = frictionless.validate(str(REPO / "datapackage.json"))
    errors = [(task.name, e.type, e.note) for task in report.tasks for e in task.errors]
    # frictionless 5 measures no bytes for Parquet (it reads the file through pyarrow, not its byte
    # stream) and so reports every declared `bytes` as 'actual is "None"'; test_build checks them.
    unmeasured = [e for e in errors if e[1] == "byte-count" and e[2].endswith('actual is "None"')]
    assert [e for e in errors if e not in unmeasured] == []
    assert report.stats["tasks"] == len(report.tasks) >= 6
