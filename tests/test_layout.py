"""The two halves of the package, visible in its layout: the reading side (load, describe, cite, search,
annotations, export, versions) is the top-level package; the contributor side (definitions, validation,
checks, build, the data dictionary, releasing) is `clusterdata.contrib`, which the reading side never
imports; no module imports itself through others."""

import ast
import subprocess
import sys
from functools import cache
from pathlib import Path

import clusterdata

PACKAGE = Path(clusterdata.__file__).parent
MODULES = {".".join(p.relative_to(PACKAGE).with_suffix("").parts) for p in PACKAGE.rglob("*.py")}
READING = {"__init__", "_names", "_types", "_model", "_describe", "_load", "_catalog", "_cite", "_statistics", "_annotations",
           "_export", "_releases", "_diff", "_errors", "_safety", "_verify"}
CONTRIBUTOR = {"contrib.__init__", "contrib.definitions", "contrib.validate", "contrib.checks", "contrib.build",
               "contrib.dictionary", "contrib.release"}
ENTRY = {"cli", "__main__"}  # the command line reaches both halves: the contributor's verbs import contrib when run


def module_path(module: str) -> Path:
    return PACKAGE.joinpath(*module.split(".")).with_suffix(".py")


def resolve(module: str, node: ast.ImportFrom) -> set[str]:
    """The package's modules a relative import in `module` names (`from .x import y`, `from .. import z`)."""
    package = module.split(".")[:-1]  # the package `module` is in ([] for the top level)
    base = package[: len(package) - (node.level - 1)] if node.level > 1 else package
    if node.module:
        target = ".".join(base + node.module.split("."))
        return {target} | {f"{target}.{a.name}" for a in node.names}
    return {".".join(base + [a.name]) for a in node.names}  # a submodule (a name such as __version__ is not one)


@cache  # each module parsed once, not once per path that reaches it
def imports(module: str, top_level_only: bool) -> frozenset[str]:
    """The package's modules that `module` imports (relative imports), anywhere or only at import time."""
    tree = ast.parse(module_path(module).read_text(encoding="utf-8"))
    nodes = tree.body if top_level_only else ast.walk(tree)
    found = set()
    for node in nodes:
        if isinstance(node, ast.ImportFrom) and node.level >= 1:
            found |= resolve(module, node)
    found |= {f"{m}.__init__" for m in found}
    return frozenset(found & MODULES - {module})


def reachable(start: str, top_level_only: bool = False) -> set[str]:
    seen, todo = set(), [start]
    while todo:
        for found in imports(todo.pop(), top_level_only):
            if found not in seen:
                seen.add(found)
                todo.append(found)
    return seen


def test_every_module_is_on_one_side_and_the_contributor_side_is_the_contrib_package():
    assert MODULES == READING | CONTRIBUTOR | ENTRY
    assert {m for m in MODULES if m.startswith("contrib.")} == CONTRIBUTOR


def test_the_reading_side_never_imports_the_contributor_side():
    assert {m: sorted(reachable(m) & CONTRIBUTOR) for m in sorted(READING) if reachable(m) & CONTRIBUTOR} == {}


def test_the_command_line_imports_the_contributor_side_only_to_run_its_verbs():
    assert sorted(reachable("cli", top_level_only=True) & CONTRIBUTOR) == []
    assert "contrib.build" in reachable("cli")  # a test that can fail: the scan does see cli's verbs


def test_loading_and_describing_a_table_imports_nothing_of_the_contributor_side():
    code = ("import sys, clusterdata; clusterdata.load('pinghu_output'); clusterdata.describe('pinghu_output'); "
            "clusterdata.cite('pinghu_output'); clusterdata.search('FDI'); clusterdata.annotations('ict_fdi'); "
            "print(sorted(m for m in sys.modules if m.startswith('clusterdata.contrib')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out == "[]\n"


def test_no_import_cycle():
    # Neither at import time nor through the imports inside functions.
    assert sorted(m for m in MODULES if m in reachable(m, top_level_only=True)) == []
    assert sorted(m for m in MODULES if m in reachable(m)) == []
