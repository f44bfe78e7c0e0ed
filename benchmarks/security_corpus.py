"""How many hostile or mistaken contributions are handled well? (A script; the tests are the cases.)

Runs the corpus (tests/test_malformed.py: each case's messages compared whole, files unchanged) and
the security tests (tests/test_security.py: files, names, integrity, exports, the build), and counts,
per family, the cases that pass: a case passes when the package does exactly what docs/security.md
says it does. Prints a Markdown table (or writes it between the markers of docs/security.md).

    python benchmarks/security_corpus.py [--write docs/security.md]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ElementTree
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
START, END = "<!-- corpus:start (made by benchmarks/security_corpus.py) -->", "<!-- corpus:end -->"

# Family of a case, from its name (first match wins); the rest are a careful contributor's slips.
FAMILIES = [
    ("files outside the checkout", r"symbolic_link|folder_in_data_raw|source_file_outside|sources_folder|empty_folder|sources-file-outside"),
    ("names used as file names", r"table_name|reserved_name|resource_name"),
    ("integrity bypassed", r"swapped|replaced|parquet_export"),
    ("live formulas in exports", r"formula|workbook"),
    ("links and markup", r"links_only|catalog_marker|javascript"),
    ("the build, per package", r"full_disk|unwritable|second_build|killed"),
    ("rows that lose data", r"too-few-cells|optional-last-cell"),
    ("cells: invisible, garbled, long", r"zero-width|nul-byte|line-break|mojibake|over-long|invisible_characters"),
    ("numbers as printed", r"display-rounding|exponent|infinity|integer-overflow|too-many-digits|unicode-minus"),
    ("messages that mislead", r"header-|unterminated|invalid_json|beneath|docs_refuses|duplicates"),
]


def family(name: str) -> str:
    return next((label for label, pattern in FAMILIES if re.search(pattern, name)), "a careful contributor's slips")


def measure() -> tuple[Counter, Counter, list[str]]:
    """(cases per family, cases handled well per family, names of the cases not handled well)."""
    with tempfile.TemporaryDirectory() as scratch:
        report = Path(scratch) / "report.xml"
        subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"--junitxml={report}",
                        "tests/test_malformed.py", "tests/test_security.py"], cwd=REPO, capture_output=True)
        cases = ElementTree.parse(report).getroot().iter("testcase")
        total, good, bad = Counter(), Counter(), []
        for case in cases:
            if case.get("name").startswith(("test_the_corpus_is", "test_clusterdata_validate_says")):
                continue  # about the corpus, or the same cases again through the command line
            name = case.get("name")
            total[family(name)] += 1
            if any(child.tag in ("failure", "error", "skipped") for child in case):
                bad.append(name)
            else:
                good[family(name)] += 1
    return total, good, bad


def table(total: Counter, good: Counter, bad: list[str]) -> str:
    lines = ["| family | cases | handled well |", "|---|---|---|"]
    lines += [f"| {label} | {total[label]} | {good[label]} |" for label in sorted(total, key=lambda l: -total[l])]
    lines.append(f"| all | {sum(total.values())} | {sum(good.values())} |")
    if bad:
        lines += ["", "Not handled well: " + ", ".join(bad)]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", type=Path, help="replace the table between the corpus markers of this file")
    args = parser.parse_args()
    text = table(*measure())
    if args.write:
        page = args.write.read_text(encoding="utf-8")
        head, rest = page.split(START, 1)
        _, tail = rest.split(END, 1)
        args.write.write_text(f"{head}{START}\n{text}\n{END}{tail}", encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
