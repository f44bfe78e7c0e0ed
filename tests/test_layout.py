"""The two halves of the package: the reading side (load, describe, cite, search, annotations, export,
versions) never imports the contributor side (definitions, validation, checks, build, the data
dictionary, releasing), and no two modules import each other at import time."""

import ast
from functools import cache
from pathlib import Path

import clusterdata

PACKAGE = Path(clusterdata.__file__).parent
MODULES = {p.stem for p in PACKAGE.glob("*.py")}
READING = {"__init__", "_names", "_types", "_model", "_describe", "_load", "_catalog", "_cite", "_statistics", "_annotations", "_export", "_releases", "_diff", "_errors", "_safety", "_verify"}
CONTRIBUTOR = {"definitions", "validate", "checks", "build", "_site", "release", "cli"}


@cache  # each module parsed once, not once per path that reaches it
def imports(module: str, top_level_only: bool) -> frozenset[str]:
    """The package's modules that `module` imports (relative imports), anywhere or only at import time."""
    tree = ast.parse((PACKAGE / f"{module}.py").read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else ast.walk(tree)
    found = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            found |= {node.module.split(".")[0]} if node.module else {a.name for a in node.names}
    return frozenset(found & MODULES)


def reachable(start: str, top_level_only: bool = False) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for found in imports(todo.pop(), top_level_only):
            if found not in seen:
                seen.add(found)
                todo.append(found)
    return seen


def test_every_module_is_on_one_side():
    assert MODULES - {"__main__"} == READING | CONTRIBUTOR
    assert not READING & CONTRIBUTOR


def test_the_reading_side_never_imports_the_contributor_side():
    assert {m: sorted(reachable(m) & CONTRIBUTOR) for m in sorted(READING) if reachable(m) & CONTRIBUTOR} == {}


def test_no_import_cycle():
    # Neither at import time nor through the imports inside functions.
    assert sorted(m for m in MODULES if m in reachable(m, top_level_only=True)) == []
    assert sorted(m for m in MODULES if m in reachable(m)) == []
