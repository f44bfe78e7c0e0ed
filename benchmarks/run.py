"""Side-by-side benchmarks: clusterdata against a floor that does the same work. (A script, not a test.)

Every comparison is paired: its commands run in one round, in alternating order (A B, then B A, ...),
and the ratio is taken within each round; the report gives the median of those per-round ratios with
their interquartile range, for CPU time (user + sys of the child, from os.wait4) and for wall time.
The results, and the sha256 of every file of code they measured, go to docs/benchmarks.md
(tests/test_benchmarks_fresh.py fails when that code has changed since).

    python benchmarks/run.py            # about 6 minutes on 2 cores; rewrites docs/benchmarks.md
    python benchmarks/run.py --quick    # fewer rounds and rows, to try the script: prints, writes nothing
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import importlib.util
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOC = REPO / "docs" / "benchmarks.md"
PY = sys.executable
CLI = str(Path(PY).with_name("clusterdata"))
FRICTIONLESS = str(Path(PY).with_name("frictionless"))
TABLE = "pinghu_output"
PARQUET = str(REPO / "data" / "parquet" / f"{TABLE}.parquet")
HASHES_HEADING = "## The code measured"


@dataclass
class Run:
    wall: float  # seconds
    cpu: float  # user + sys seconds of the child (and of its waited-for children)
    peak_mb: float  # the child's peak resident memory
    stderr: str


def env(importtime: bool = False) -> dict:
    """The children's environment: no source texts (quotes are not checked: see the notes), optionally -X importtime."""
    out = {k: v for k, v in os.environ.items() if k not in ("CLUSTERDATA_SOURCES", "PYTHONPROFILEIMPORTTIME")}
    if importtime:
        out["PYTHONPROFILEIMPORTTIME"] = "1"
    return out


MEASURED_MODULES: set[str] = set()  # the clusterdata modules the measured processes imported


def run_once(argv: list[str], cwd: Path | None = None, exit_codes=(0,), importtime: bool = False) -> Run:
    """One process: wall time, CPU time and peak memory (os.wait4), its stderr (kept in a file: a pipe could fill)."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err, env=env(importtime))
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    code = os.waitstatus_to_exitcode(status)
    if code not in exit_codes:
        raise SystemExit(f"exit code {code}: {' '.join(argv)}\n{stderr[-3000:]}")
    if importtime:
        MEASURED_MODULES.update(line.rsplit("|", 1)[1].strip() for line in stderr.splitlines()
                                if line.startswith("import time:") and line.rsplit("|", 1)[1].strip().startswith("clusterdata"))
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, stderr)


def paired(commands: dict[str, list[str]], rounds: int, cwd: Path | None = None, exit_codes=(0,), warm_up: bool = True) -> dict[str, list[Run]]:
    """Each command once per round, in the listed order in even rounds and reversed in odd ones, after a warm-up run each
    (the warm-up also records which clusterdata modules the command imports)."""
    for argv in commands.values() if warm_up else ():
        run_once(argv, cwd, exit_codes, importtime=True)
    results: dict[str, list[Run]] = {name: [] for name in commands}
    names = list(commands)
    for number in range(rounds):
        for name in names if number % 2 == 0 else reversed(names):
            results[name].append(run_once(commands[name], cwd, exit_codes))
    return results


def quartiles(values: list[float]) -> tuple[float, float, float]:
    """Median and the first and third quartiles."""
    if len(values) < 2:
        return values[0], values[0], values[0]
    q1, median, q3 = statistics.quantiles(values, n=4, method="inclusive")
    return median, q1, q3


ROWS: list[str] = []
SUMMARY: list[str] = []  # one line per target: met or not


def emit(line: str, rows: list[str] | None = None):
    (ROWS if rows is None else rows).append(line)
    print(line, flush=True)


def seconds(value: float) -> str:
    if value < 0.001:
        return f"{value * 1e6:.0f} µs"
    return f"{value * 1000:.1f} ms" if value < 1 else f"{value:.2f} s"


def verdict(measure: str, met: bool, detail: str) -> str:
    SUMMARY.append(f"- {measure}: {'met' if met else '**not met**'} ({detail})")
    return "yes" if met else "**no**"


def compare(measure: str, ours: list[Run], floor: list[Run], floor_name: str, target: float | None = None, target_text: str = ""):
    """One row: each side's median CPU and wall, and the median (interquartile range) of the per-round ratios ours/floor.
    A target is met only when the median ratio meets it for CPU and for wall."""
    cells = []
    medians = []
    for attr in ("cpu", "wall"):
        ratios = [getattr(a, attr) / getattr(b, attr) for a, b in zip(ours, floor)]
        median, q1, q3 = quartiles(ratios)
        medians.append(median)
        cells.append(f"{median:.3f}x ({q1:.2f}-{q3:.2f})")  # three decimals: 1.104x is not met by <= 1.1x
    side = lambda runs: f"{seconds(statistics.median(r.cpu for r in runs))} / {seconds(statistics.median(r.wall for r in runs))}"  # noqa: E731
    met = ""
    if target is not None:
        met = verdict(measure, all(m <= target for m in medians), f"CPU {medians[0]:.3f}x, wall {medians[1]:.3f}x; target {target_text or f'<= {target}x'}")
    emit(f"| {measure} | {side(ours)} | {floor_name}: {side(floor)} | {cells[0]} | {cells[1]} | {target_text or (f'<= {target}x' if target else '')} | {met} |")


def code(text: str) -> list[str]:
    return [PY, "-c", text]


def modules(snippet: str) -> set[str]:
    """The modules a snippet leaves imported (a fresh process)."""
    out = subprocess.run([PY, "-c", snippet + "\nimport sys; print('\\n'.join(sys.modules))"], capture_output=True, text=True,
                         check=True, env=env()).stdout
    return set(out.split())


NOTES: list[str] = []  # what each floor does and imports, beside clusterdata's side


def same_imports(label: str, ours: str, floor: str) -> None:
    """Refuse a floor that imports a module clusterdata's side does not (it would do more work); note what ours adds."""
    a, b = modules(ours), modules(floor)
    extra = sorted(b - a)
    if extra:
        raise SystemExit(f"the floor of {label} imports what clusterdata does not: {', '.join(extra)}")
    added = sorted({name.split(".")[0] for name in a - b})
    NOTES.append(f"- {label}: the floor imports no module that clusterdata does not; clusterdata imports "
                 f"{len(a - b)} more ({', '.join(added)}).")


# --- (a)-(d): reading ---------------------------------------------------------------------------------------------

def startup(rounds: int):
    runs = paired({"import": code("import clusterdata"), "pass": code("pass")}, rounds)
    compare("(a) `import clusterdata`", runs["import"], runs["pass"], "`python -c pass`", 1.5)


# What load(backend=...) does after its checks, written out: the same reader, the same imports.
READ_BYTES = f"data = open({PARQUET!r}, 'rb').read()\n"
ARROW_FLOOR = ("import pyarrow as pa\nfrom pyarrow._parquet import ParquetReader\n" + READ_BYTES +
               "reader = ParquetReader(); reader.open(pa.BufferReader(data)); table = reader.read_all()\n")
PANDAS_FLOOR = ARROW_FLOOR + ("import pandas as pd\n"
                              "mapper = {pa.int64(): pd.Int64Dtype(), pa.bool_(): pd.BooleanDtype(), pa.string(): pd.StringDtype()}.get\n"
                              "frame = table.to_pandas(ignore_metadata=True, types_mapper=mapper)\n")
POLARS_FLOOR = "import io, polars as pl\n" + READ_BYTES + "frame = pl.read_parquet(io.BytesIO(data))\n"


def load_code(backend: str) -> str:
    return f"import clusterdata; clusterdata.load({TABLE!r}, backend={backend!r})"


def first_load(rounds: int):
    same_imports("(b) pandas", load_code("pandas"), PANDAS_FLOOR)
    runs = paired({
        "load": code(load_code("pandas")),
        "pandas": code("import pandas"),
        "floor": code(PANDAS_FLOOR),
        "penguins": code("import palmerpenguins; palmerpenguins.load_penguins()"),
        "vega": code("import warnings; warnings.simplefilter('ignore'); from vega_datasets import data; data.cars()"),
    }, rounds)
    compare(f"(b) first `load({TABLE!r})`", runs["load"], runs["pandas"], "`import pandas` (the least any DataFrame costs)", 1.05)
    compare(f"(b) first `load({TABLE!r})`", runs["load"], runs["floor"], "the same read without clusterdata")
    compare(f"(b) first `load({TABLE!r})`", runs["load"], runs["penguins"], "peer: `palmerpenguins.load_penguins()`")
    compare(f"(b) first `load({TABLE!r})`", runs["load"], runs["vega"], "peer: `vega_datasets.data.cars()` (local)")


def other_backends(rounds: int):
    same_imports("(c) arrow", load_code("arrow"), ARROW_FLOOR)
    runs = paired({"load": code(load_code("arrow")), "floor": code(ARROW_FLOOR)}, rounds)
    compare("(c) `load(..., backend='arrow')`", runs["load"], runs["floor"], "the same read without clusterdata", 1.1)
    if importlib.util.find_spec("polars") is None:
        emit("| (c) `load(..., backend='polars')` | not measured: polars is not installed | | | | <= 1.1x | |")
        SUMMARY.append("- (c) polars: not measured (polars is not installed)")
        return
    same_imports("(c) polars", load_code("polars"), POLARS_FLOOR)
    runs = paired({"load": code(load_code("polars")), "floor": code(POLARS_FLOOR)}, rounds)
    compare("(c) `load(..., backend='polars')`", runs["load"], runs["floor"], "the same read without clusterdata", 1.1)


WARM = """
import json, sys, time, clusterdata
name, calls, rounds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
cache = {name: clusterdata.load(name)}
sides = {"load": lambda: clusterdata.load(name), "floor": lambda: cache[name].copy()}
for side in sides.values():
    for _ in range(calls):
        side()
out = []
for number in range(rounds):
    pair = {}
    for label in (["load", "floor"] if number % 2 == 0 else ["floor", "load"]):
        side, wall, cpu = sides[label], time.perf_counter(), time.process_time()
        for _ in range(calls):
            side()
        pair[label] = {"wall": (time.perf_counter() - wall) / calls, "cpu": (time.process_time() - cpu) / calls}
    out.append(pair)
print(json.dumps(out))
"""


def warm_loads(rounds: int):
    calls = 200
    out = subprocess.run([PY, "-c", WARM, TABLE, str(calls), str(rounds)], capture_output=True, text=True, check=True, env=env()).stdout
    pairs = json.loads(out)
    side = lambda label: [Run(p[label]["wall"], p[label]["cpu"], 0, "") for p in pairs]  # noqa: E731
    compare(f"(d) a warm `load({TABLE!r})`, per call ({calls} calls a round, in one process)", side("load"), side("floor"),
            "a dict look-up and `.copy()` of the cached frame")


# --- (e)-(h): validation and build --------------------------------------------------------------------------------

def statistics_csv(path: Path, rows: int, pasted: int = 0):
    """A CSV shaped like statistics: the real rows, then synthetic ones (real rows under new ids, each quote made unique
    by a suffix so that nothing per quote can be computed once for many rows), then the first `pasted` synthetic rows
    pasted again (duplicate keys). Rows the stated_by_quote check allows by key are not copied (a copy under another
    key would fail it)."""
    with open(REPO / "data/raw/statistics.csv", encoding="utf-8") as f:
        real = list(csv.reader(f))
    header, body = real[0], real[1:]
    checks = tomllib.loads((REPO / "schemas/statistics.toml").read_text(encoding="utf-8")).get("checks", [])
    allowed = {key.removeprefix("stat_id=") for check in checks for key in check.get("allow", [])}
    templates = [r for r in body if r[0] not in allowed]
    rng = random.Random(0)
    made = []
    for i in range(rows - len(body) - pasted):
        template = templates[rng.randrange(len(templates))]
        made.append([f"synthetic_{i // 1000:04d}-{i % 1000:03d}", *template[1:-1], f"{template[-1]} (copy {i})"])
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(body)
        writer.writerows(made)
        writer.writerows(made[:pasted])


def frictionless_resource(csv_path: Path, out: Path) -> Path:
    """A frictionless resource for a statistics-shaped CSV: the schema datapackage.json gives, less the foreign keys
    (their tables are not in the resource), so frictionless checks types, constraints and the primary key."""
    schema = next(r["schema"] for r in json.loads((REPO / "datapackage.json").read_text())["resources"] if r["name"] == "statistics")
    schema = {k: v for k, v in schema.items() if k != "foreignKeys"}
    out.write_text(json.dumps({"name": "statistics", "path": str(csv_path), "format": "csv", "schema": schema}))
    return out


def validation(rows: int, small_rows: int, rounds: int, friction_rounds: int, budget: float, tmp: Path):
    """The smaller file against frictionless and pyarrow (for scale), then, when the smaller one's time says it can
    finish within `budget` CPU seconds a run, the large one: against pyarrow's CSV reader, its peak memory, and against
    frictionless (the targets are for the large file; frictionless takes long on it, so it has fewer rounds)."""
    big, small = tmp / "big" / "statistics.csv", tmp / "small" / "statistics.csv"
    big.parent.mkdir(), small.parent.mkdir()
    statistics_csv(small, small_rows)
    resource = frictionless_resource(small, tmp / "small" / "resource.json")
    runs = paired({
        "validate": [CLI, "validate", "--root", str(REPO), str(small)],
        "frictionless": [FRICTIONLESS, "validate", "--trusted", str(resource)],
        "pyarrow": code(f"import pyarrow.csv; pyarrow.csv.read_csv({str(small)!r})"),
    }, rounds)
    small_label = f"(f) `clusterdata validate` of {small_rows:,} rows shaped like statistics"
    compare(small_label, runs["validate"], runs["frictionless"], "`frictionless validate` of the same file")
    compare(small_label, runs["validate"], runs["pyarrow"], "`pyarrow.csv.read_csv` of the same file (a whole process)")
    small_mb, small_peak = small.stat().st_size / 2**20, max(r.peak_mb for r in runs["validate"])
    emit(f"| (f) its peak memory ({small_rows:,} rows) | {small_peak:.0f} MiB (the most of {rounds} runs) | the file: {small_mb:.0f} MiB "
         f"| {small_peak / small_mb:.2f}x | | (the target is for {rows:,} rows) | |")
    expected = statistics.median(r.cpu for r in runs["validate"]) * rows / small_rows
    label = f"(f) `clusterdata validate` of {rows:,} rows shaped like statistics"
    if expected > budget:
        why = f"not run: {small_rows:,} rows took {statistics.median(r.cpu for r in runs['validate']):.1f} s CPU, so about {expected:.0f} s a run"
        emit(f"| {label} | {why} | `pyarrow.csv.read_csv` of the same file | | | <= 2.5x | {verdict(label, False, why)} |")
        emit(f"| (f) its peak memory ({rows:,} rows) | not run | | | | < 2x the file | {verdict('(f) peak memory', False, 'not run')} |")
        emit(f"| {label} | not run | `frictionless validate` of the same file | | | <= 0.125x (8x faster) | {verdict(label + ' against frictionless', False, 'not run')} |")
        return
    statistics_csv(big, rows)
    size_mb = big.stat().st_size / 2**20
    runs = paired({
        "validate": [CLI, "validate", "--root", str(REPO), str(big)],
        "pyarrow": code(f"import pyarrow.csv; pyarrow.csv.read_csv({str(big)!r})"),
    }, rounds)
    compare(f"{label} ({size_mb:.0f} MiB)", runs["validate"], runs["pyarrow"], "`pyarrow.csv.read_csv` of the same file (a whole process)", 2.5)
    peak = max(r.peak_mb for r in runs["validate"])
    emit(f"| (f) its peak memory ({rows:,} rows) | {peak:.0f} MiB (the most of {rounds} runs) | the file: {size_mb:.0f} MiB "
         f"| {peak / size_mb:.2f}x | | < 2x the file | {verdict('(f) peak memory', peak / size_mb < 2, f'{peak / size_mb:.2f}x the file')} |")
    resource = frictionless_resource(big, tmp / "big" / "resource.json")
    runs = paired({
        "validate": [CLI, "validate", "--root", str(REPO), str(big)],
        "frictionless": [FRICTIONLESS, "validate", "--trusted", str(resource)],
    }, friction_rounds, warm_up=False)
    compare(f"{label} ({size_mb:.0f} MiB)", runs["validate"], runs["frictionless"], "`frictionless validate` of the same file",
            0.125, "<= 0.125x (8x faster)")


def duplicates(rounds: int, tmp: Path):
    """1,000 rows pasted again (duplicate keys): the report must name every pasted line; what they add, against the same
    file without them, must be under a second."""
    clean, pasted = tmp / "clean" / "statistics.csv", tmp / "pasted" / "statistics.csv"
    clean.parent.mkdir(), pasted.parent.mkdir()
    copies = 1_000
    statistics_csv(clean, 174 + copies)
    statistics_csv(pasted, 174 + 2 * copies, copies)
    total = sum(1 for _ in open(pasted, encoding="utf-8")) - 1
    runs = paired({
        "pasted": [CLI, "validate", "--root", str(REPO), str(pasted)],
        "clean": [CLI, "validate", "--root", str(REPO), str(clean)],
    }, rounds, exit_codes=(0, 1))
    named = {int(line.split(":")[1]) for line in runs["pasted"][0].stderr.splitlines() if "duplicate key" in line}
    missing = set(range(total - copies + 2, total + 2)) - named  # the pasted lines (line 1 is the header)
    if missing or any(r.stderr.strip() for r in runs["clean"]):
        raise SystemExit(f"the duplicate-key benchmark did not find what it pasted: {len(missing)} pasted lines not reported")
    extra = {attr: quartiles([getattr(a, attr) - getattr(b, attr) for a, b in zip(runs["pasted"], runs["clean"])]) for attr in ("cpu", "wall")}
    cells = [f"{q[0]:+.2f} s ({q[1]:+.2f} to {q[2]:+.2f})" for q in extra.values()]
    side = lambda runs: f"{seconds(statistics.median(r.cpu for r in runs))} / {seconds(statistics.median(r.wall for r in runs))}"  # noqa: E731
    worst = max(q[0] for q in extra.values())
    emit(f"| (h) {copies:,} rows pasted again in a file of {total:,} (every pasted line reported) | {side(runs['pasted'])} "
         f"| the file without them: {side(runs['clean'])} | difference: {cells[0]} | difference: {cells[1]} | < 1 s more | "
         f"{verdict('(h) 1,000 pasted duplicate keys', worst < 1, f'{worst:+.2f} s more than without them')} |")


def repository(root: Path, tables: int) -> Path:
    """A copy of the repository's data and definitions with `tables` more small tables: copies of pinghu_output (its
    definition without the chart, its 6 rows, its 6 annotations), built once so that its outputs are up to date."""
    for part in ("schemas", "data/raw", "data/parquet", "docs/dictionary", "releases"):
        shutil.copytree(REPO / part, root / part)
    for name in ("datapackage.json", "README.md", "CITATION.cff", ".zenodo.json", "CHANGELOG.md"):
        shutil.copy(REPO / name, root / name)
    definition = (REPO / "schemas" / f"{TABLE}.toml").read_text(encoding="utf-8")
    definition = definition[:definition.index("[chart]")] if "[chart]" in definition else definition
    data = (REPO / "data" / "raw" / f"{TABLE}.csv").read_text(encoding="utf-8")
    with open(REPO / "data/raw/annotations.csv", encoding="utf-8") as f:
        notes = [row for row in csv.reader(f) if row[0] == TABLE]
    with open(root / "data/raw/annotations.csv", "a", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        for i in range(tables):
            name = f"synthetic_{i:04d}"
            (root / "schemas" / f"{name}.toml").write_text(definition, encoding="utf-8")
            (root / "data" / "raw" / f"{name}.csv").write_text(data, encoding="utf-8")
            writer.writerows([name, *row[1:]] for row in notes)
    run_once([CLI, "build", "--root", str(root)], importtime=True)
    return root


def many_tables(sizes: list[int], rounds: int, budget: float, tmp: Path):
    """validate, build and build --check with the catalog alone and with `sizes` more small tables, alternating the
    three commands; the cost a table adds is the per-round slope between the smallest and largest size measured.
    A size is run only if the size before predicts (in proportion) under `budget` CPU seconds for its slowest command."""
    verbs = {"validate": ["validate"], "build": ["build"], "build --check": ["build", "--check"]}
    times: dict[int, dict[str, list[Run]]] = {}
    skipped = ""
    for size in [0, *sizes]:
        if times and size > 0 and max(times):
            last = max(times)
            predicted = max(statistics.median(r.cpu for r in runs) for runs in times[last].values()) * size / last
            if predicted > budget:
                skipped = f"+{size:,}: not run (+{last:,} predicts about {predicted:.0f} s CPU)"
                break
        root = repository(tmp / f"tables{size}", size)  # its build is the warm-up
        times[size] = paired({verb: [CLI, *argv, "--root", str(root)] for verb, argv in verbs.items()}, rounds, warm_up=size == 0)
        shutil.rmtree(root)
    for verb in verbs:
        catalog = times[0][verb]
        cpu, wall = statistics.median(r.cpu for r in catalog), statistics.median(r.wall for r in catalog)
        label = f"(e) `clusterdata {verb}`, the catalog ({len(list((REPO / 'schemas').glob('[!_]*.toml')))} tables)"
        emit(f"| {label} | {seconds(cpu)} / {seconds(wall)} | | | | < 5 s | {verdict(label, max(cpu, wall) < 5, f'CPU {cpu:.2f} s, wall {wall:.2f} s')} |")
    measured = sorted(times)
    for verb in verbs:
        cells = [f"+{size:,}: {seconds(statistics.median(r.cpu for r in times[size][verb]))} / "
                 f"{seconds(statistics.median(r.wall for r in times[size][verb]))}" for size in measured if size]
        cells += [skipped] if skipped else []
        label = f"(g) `clusterdata {verb}` with more small tables"
        if len(measured) < 2:
            emit(f"| {label} | {'; '.join(cells)} | | | | < 3 ms a table | {verdict(label, False, 'not run')} |")
            continue
        low, high = (measured[1] if len(measured) > 2 else 0), measured[-1]
        per_table = {attr: quartiles([(getattr(b, attr) - getattr(a, attr)) / (high - low) for a, b in zip(times[low][verb], times[high][verb])])
                     for attr in ("cpu", "wall")}
        ms = {attr: f"{q[0] * 1000:.1f} ms ({q[1] * 1000:.1f}-{q[2] * 1000:.1f})" for attr, q in per_table.items()}
        if len(measured) >= 4:
            first, second, third = measured[1:4]
            growth = {attr: statistics.median(
                ((getattr(c, attr) - getattr(b, attr)) / (third - second)) / ((getattr(b, attr) - getattr(a, attr)) / (second - first))
                for a, b, c in zip(times[first][verb], times[second][verb], times[third][verb])) for attr in ("cpu", "wall")}
            linear = (f"; a table from +{second:,} to +{third:,} costs {growth['cpu']:.2f}x (CPU), {growth['wall']:.2f}x (wall) "
                      f"one from +{first:,} to +{second:,}")
            is_linear = max(growth.values()) <= 1.25
        else:
            linear, is_linear = "; linearity not measured (too few sizes ran)", False
        detail = f"CPU {ms['cpu']}, wall {ms['wall']} a table, +{low:,} to +{high:,}{linear}"
        met = max(q[0] for q in per_table.values()) < 0.003 and is_linear
        emit(f"| {label} | {'; '.join(cells)} (CPU / wall) | | {detail} | | < 3 ms a table; later tables at most 1.25x earlier ones "
             f"| {verdict(label, met, detail)} |")


# --- the report ---------------------------------------------------------------------------------------------------

def measured_files() -> dict[str, str]:
    """sha256 of the benchmark script and of every clusterdata module the measured processes imported."""
    import clusterdata

    source = Path(clusterdata.__file__).resolve().parent
    if source != REPO / "src" / "clusterdata":
        raise SystemExit(f"clusterdata is imported from {source}, not from this checkout: pip install -e . first")
    paths = [Path(__file__).resolve()]
    for name in sorted(MEASURED_MODULES):
        spec = importlib.util.find_spec(name)
        paths.append(Path(spec.origin).resolve())
    return {p.relative_to(REPO).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(set(paths))}


def recorded_hashes(text: str) -> dict[str, str]:
    """The files and sha256 listed under HASHES_HEADING in docs/benchmarks.md."""
    section = text.split(HASHES_HEADING, 1)[1] if HASHES_HEADING in text else ""
    out = {}
    for line in section.splitlines():
        cells = [c.strip().strip("`") for c in line.strip().strip("|").split("|")]
        if len(cells) == 2 and len(cells[1]) == 64:
            out[cells[0]] = cells[1]
    return out


def stale_files(root: Path, text: str) -> list[str]:
    """The files listed in docs/benchmarks.md whose sha256 is no longer the one recorded (or that are gone)."""
    recorded = recorded_hashes(text)
    if not recorded:
        return ["(no code listed)"]
    return [path for path, digest in recorded.items()
            if not (root / path).is_file() or hashlib.sha256((root / path).read_bytes()).hexdigest() != digest]


def document(args, load_before, load_after, elapsed) -> str:
    from importlib.metadata import version

    versions = ", ".join(f"{p} {version(p)}" for p in ("pandas", "pyarrow", "pandera", "frictionless", "polars", "palmerpenguins", "vega_datasets"))
    lines = [
        "# Benchmarks", "",
        f"Made by `python benchmarks/run.py` ({elapsed / 60:.1f} minutes) on {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
        f"{versions}. The one-minute load average was {load_before:.1f} before the run and {load_after:.1f} after it "
        "(above 0, other work shared the machine: wall times then stretch more than CPU times).", "",
        "How to read it:", "",
        "- **Paired ratios.** Each comparison ran its commands in one run, in rounds, in alternating order (A B, then B A, ...), "
        "after one warm-up run each; the ratio clusterdata / floor is taken within each round, and the table gives the median of "
        "those per-round ratios and their interquartile range (in brackets). A noisy moment slows both sides of a round alike.",
        f"- **CPU and wall.** CPU is user + sys time of the child process (from `os.wait4`), wall is elapsed time; each side's "
        "column gives its median CPU / wall. A target is met only when the median ratio meets it for both.",
        f"- **Rounds.** {args.rounds} rounds for (a)-(c), {args.rounds} rounds of 200 calls for (d), {args.heavy_rounds} for (f) and (h) ({args.friction_rounds} for frictionless on the large file), {args.table_rounds} for (e) and (g): "
        "enough for a median and quartiles, not for small differences (an interquartile range that straddles the target means "
        "the target is not settled by this run).",
        "- **Byte code.** clusterdata and every installed package are byte-compiled before the run (as `pip install` does), so "
        "that no side pays for compiling its sources in every process.",
        "- **Floors that do the same work.** (b)'s and (c)'s floors are what `load` does once its checks are done, written out "
        "(the same reader, `pyarrow._parquet.ParquetReader` on the file's bytes, the same `to_pandas` types, the same imports); "
        "the script refuses a floor that imports a module `load` does not. What clusterdata adds is its own work: reading "
        "datapackage.json, the sha256 of the file, the table name inside it, and for pandas the `attrs` (units from the `units` "
        "table). `import pandas` is the least any pandas DataFrame costs. The peers are installed packages "
        "(the `bench` extra), each loading its own small table. (d) compares a warm `load` with what it returns at the least: "
        "the cached frame's `.copy()`.",
        "- **Validation.** The files are the real `statistics` rows followed by synthetic ones (real rows under new ids, each "
        "quote made unique by a suffix so that no work per quote is done once for many rows); "
        "`clusterdata validate` checks them with the rest of the package, without the source texts (`CLUSTERDATA_SOURCES` "
        "unset: quotes are not checked against the sources), as a whole process. frictionless validates the same files with "
        "the same schema less its foreign keys (their tables are not in its resource); on the large file, where the targets "
        f"are, in {args.friction_rounds} rounds without a warm-up (a run of frictionless there takes about half a minute). "
        "(g) adds copies of a small real table (pinghu_output: 6 rows, a cross-check, 6 annotations, no chart) to a copy of "
        "the repository; the cost a table adds is the per-round slope of time between the smallest and largest size. "
        f"A size is not run when the one before predicts (in proportion) over {args.budget_tables:.0f} s CPU for a command, nor the "
        f"{args.rows:,} rows when the {args.small_rows:,} predict over {args.budget_rows:.0f} s: it would fail its target anyway.",
        "",
        "| measure | clusterdata: CPU / wall | floor: CPU / wall | ratio of CPU: median (IQR) | ratio of wall: median (IQR) | target | met |",
        "|---|---|---|---|---|---|---|",
        *ROWS, "",
        "## Targets", "", *SUMMARY, "",
        "## What each floor imports", "", *NOTES, "",
        HASHES_HEADING, "",
        "The numbers above were measured on these files: the benchmark script and every clusterdata module the measured "
        "processes imported (recorded from `-X importtime` of each command's warm-up run). `tests/test_benchmarks_fresh.py` "
        "fails when any of them has changed since, so a change to the measured code is committed with a rerun of "
        "`python benchmarks/run.py`, which rewrites this file.", "",
        "| file | sha256 |", "|---|---|",
        *(f"| `{path}` | `{digest}` |" for path, digest in measured_files().items()),
    ]
    return "\n".join(lines) + "\n"


def byte_compile():
    """Byte-compile clusterdata and the installed packages first, as `pip install` does: no side of a comparison
    pays for compiling its sources in every process (an editable install under PYTHONDONTWRITEBYTECODE would)."""
    import compileall
    import sysconfig

    import clusterdata

    for folder in {Path(clusterdata.__file__).parent, Path(sysconfig.get_paths()["purelib"])}:
        compileall.compile_dir(folder, quiet=1, workers=0)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="few rounds and rows, to try the script; prints the table, writes nothing")
    parser.add_argument("--out", help=f"where to write the report (default: {DOC.relative_to(REPO)}; with --quick, nowhere)")
    args = parser.parse_args()
    args.rounds, args.heavy_rounds, args.table_rounds = (3, 2, 2) if args.quick else (20, 5, 3)
    args.friction_rounds = 2 if args.quick else 3
    args.rows, args.small_rows = (20_000, 5_000) if args.quick else (1_000_000, 100_000)
    sizes = [10, 20, 40] if args.quick else [250, 500, 1000]
    # CPU seconds a run: a size predicted to need more is not run (it would fail its target anyway, and take long)
    args.budget_rows, args.budget_tables = 60.0, 15.0
    out = Path(args.out) if args.out else (None if args.quick else DOC)
    byte_compile()
    load_before, start = os.getloadavg()[0], time.perf_counter()
    print("| measure | clusterdata: CPU / wall | floor: CPU / wall | ratio of CPU | ratio of wall | target | met |\n|---|---|---|---|---|---|---|")
    startup(args.rounds)
    first_load(args.rounds)
    other_backends(args.rounds)
    warm_loads(args.rounds)
    with tempfile.TemporaryDirectory() as tmp:
        validation(args.rows, args.small_rows, args.heavy_rounds, args.friction_rounds, args.budget_rows, Path(tmp))
        duplicates(args.heavy_rounds, Path(tmp))
        many_tables(sizes, args.table_rounds, args.budget_tables, Path(tmp))
    text = document(args, load_before, os.getloadavg()[0], time.perf_counter() - start)
    print("\n" + "\n".join(SUMMARY))
    if out:
        out.write_text(text, encoding="utf-8")
        print(f"\nwritten to {out}")


if __name__ == "__main__":
    main()
