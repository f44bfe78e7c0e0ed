"""Side-by-side benchmarks: clusterdata against the floor for the same job. (A script, not a test.)

Each comparison runs its commands alternately, in one run, so that a noisy machine slows both
sides alike; it reports the median and the spread (the range of the middle half) of each, their
ratio and the target. The results go to docs/benchmarks.md.

    python benchmarks/run.py [--rounds 15] [--quick]

--quick uses fewer rounds and 200,000 instead of 1,000,000 rows, to try the script out.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
PY = sys.executable
PARQUET = str(REPO / "data" / "parquet" / "pinghu_output.parquet")


def run_once(argv: list[str], cwd: Path | None = None) -> tuple[float, float]:
    """Wall time in seconds and peak memory in MB of one process."""
    start = time.perf_counter()
    process = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(argv)}\n{process.stderr.read().decode()}")
    return elapsed, usage.ru_maxrss / 1024


def alternate(commands: dict[str, list[str]], rounds: int, cwd: Path | None = None) -> dict[str, list[tuple[float, float]]]:
    """Run each command once per round, in turn, after one warm-up run each."""
    for argv in commands.values():
        run_once(argv, cwd)
    results: dict[str, list[tuple[float, float]]] = {name: [] for name in commands}
    for _ in range(rounds):
        for name, argv in commands.items():
            results[name].append(run_once(argv, cwd))
    return results


def summary(samples: list[float]) -> tuple[float, str]:
    ordered = sorted(samples)
    quarter = len(ordered) // 4
    return statistics.median(ordered), f"{ordered[quarter]:.3f}-{ordered[-1 - quarter]:.3f}"


def code(text: str) -> list[str]:
    return [PY, "-c", text]


ROWS: list[str] = []


def row(measure: str, ours: tuple[float, str], floor: tuple[float, str], floor_name: str, target: float | None, unit: str = "s"):
    ratio = ours[0] / floor[0]
    met = "" if target is None else ("yes" if ratio <= target else "**no**")
    ROWS.append(f"| {measure} | {ours[0]:.3f} {unit} ({ours[1]}) | {floor_name}: {floor[0]:.3f} {unit} ({floor[1]}) | "
                f"{ratio:.2f}x | {'' if target is None else f'<= {target}x'} | {met} |")
    print(ROWS[-1], flush=True)


def startup(rounds: int):
    times = alternate({"pass": code("pass"), "import": code("import clusterdata")}, rounds)
    row("(a) `import clusterdata`", summary([t for t, _ in times["import"]]), summary([t for t, _ in times["pass"]]), "`python -c pass`", 1.5)


def first_load(rounds: int):
    times = alternate({
        "pandas": code("import pandas"),
        "load": code("import clusterdata; clusterdata.load('pinghu_output')"),
        "pyarrow": code(f"import pyarrow.parquet as pq; pq.ParquetFile({PARQUET!r}).read().to_pandas()"),
    }, rounds)
    ours = summary([t for t, _ in times["load"]])
    row("(b) first `load('pinghu_output')`", ours, summary([t for t, _ in times["pandas"]]), "`import pandas`", 1.05)
    row("(b) first `load('pinghu_output')`", ours, summary([t for t, _ in times["pyarrow"]]), "pyarrow read + to_pandas", None)


def other_backends(rounds: int):
    times = alternate({
        "arrow": code("import clusterdata; clusterdata.load('pinghu_output', backend='arrow')"),
        "pq": code(f"import pyarrow.parquet as pq; pq.ParquetFile({PARQUET!r}).read()"),
    }, rounds)
    row("(c) `load(..., backend='arrow')`", summary([t for t, _ in times["arrow"]]), summary([t for t, _ in times["pq"]]), "`pq.ParquetFile(path).read()`", 1.1)
    try:
        import polars  # noqa: F401
    except ModuleNotFoundError:
        ROWS.append("| (c) `load(..., backend='polars')` | not measured: polars is not installed | | | <= 1.1x | |")
        return
    times = alternate({
        "polars": code("import clusterdata; clusterdata.load('pinghu_output', backend='polars')"),
        "pl": code(f"import polars; polars.read_parquet({PARQUET!r})"),
    }, rounds)
    row("(c) `load(..., backend='polars')`", summary([t for t, _ in times["polars"]]), summary([t for t, _ in times["pl"]]), "`polars.read_parquet(path)`", 1.1)


def warm_loads(rounds: int):
    script = (
        "import time, sys, clusterdata, pandas as pd\n"
        "which = sys.argv[1]\n"
        "clusterdata.load('pinghu_output'); pd.read_parquet(%r)\n"
        "start = time.perf_counter()\n"
        "for _ in range(1000):\n"
        "    clusterdata.load('pinghu_output') if which == 'load' else pd.read_parquet(%r)\n"
        "print(time.perf_counter() - start)\n"
    ) % (PARQUET, PARQUET)
    samples = {"load": [], "read_parquet": []}
    for _ in range(max(3, rounds // 3)):
        for which in samples:
            out = subprocess.run([PY, "-c", script, which], capture_output=True, text=True, check=True).stdout
            samples[which].append(float(out))
    row("(d) 1,000 warm `load()` in one process", summary(samples["load"]), summary(samples["read_parquet"]), "1,000 `pandas.read_parquet(path)`", 1.0)


def build_times(rounds: int):
    cli = str(Path(PY).with_name("clusterdata"))
    times = alternate({"build": [cli, "build"], "check": [cli, "build", "--check"]}, max(3, rounds // 3), cwd=REPO)
    for name, label in (("build", "(e) `clusterdata build`, whole catalog"), ("check", "(e) `clusterdata build --check`")):
        ours = summary([t for t, _ in times[name]])
        ROWS.append(f"| {label} | {ours[0]:.3f} s ({ours[1]}) | target: under 5 s | | | {'yes' if ours[0] < 5 else '**no**'} |")
        print(ROWS[-1], flush=True)


def statistics_csv(path: Path, rows: int):
    """A CSV shaped like statistics: the real rows, then synthetic ones with unique ids."""
    with open(REPO / "data/raw/statistics.csv", encoding="utf-8") as f:
        real = list(csv.reader(f))
    header, body = real[0], real[1:]
    sources = sorted({r[1] for r in body})
    rng = random.Random(0)
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(body)
        for i in range(rows - len(body)):
            template = body[rng.randrange(len(body))]
            writer.writerow([f"synthetic_{i // 1000:04d}-{i % 1000:03d}", sources[i % len(sources)]] + template[2:])


def validation_at_scale(large: int):
    cli = str(Path(PY).with_name("clusterdata"))
    frictionless = str(Path(PY).with_name("frictionless"))
    with tempfile.TemporaryDirectory() as tmp:
        small_dir, large_dir = Path(tmp, "small"), Path(tmp, "large")
        small_dir.mkdir(), large_dir.mkdir()
        small, big = small_dir / "statistics.csv", large_dir / "statistics.csv"
        statistics_csv(small, large // 10)
        statistics_csv(big, large)
        schema = next(r["schema"] for r in json.loads((REPO / "datapackage.json").read_text())["resources"] if r["name"] == "statistics")
        schema = {k: v for k, v in schema.items() if k != "foreignKeys"}
        resource = Path(tmp, "resource.json")
        resource.write_text(json.dumps({"name": "statistics", "path": str(small), "format": "csv", "schema": schema}))
        times = alternate({
            "fixed": [cli, "validate", "--root", str(REPO)],
            "small": [cli, "validate", "--root", str(REPO), str(small)],
            "large": [cli, "validate", "--root", str(REPO), str(big)],
            "frictionless": [frictionless, "validate", "--trusted", str(resource)],
        }, 2)
    med = {name: statistics.median(t for t, _ in samples) for name, samples in times.items()}
    mem = {name: max(m for _, m in samples) for name, samples in times.items()}
    fixed = med["fixed"]
    per_row_small = (med["small"] - fixed) / (large // 10)
    per_row_large = (med["large"] - fixed) / large
    scaling = per_row_large / per_row_small
    ok_time, ok_mem, ok_scale = med["large"] < 20, mem["large"] < 1536, scaling <= 1.2
    ROWS.append(f"| (f) `clusterdata validate`, {large:,} rows shaped like statistics | {med['large']:.2f} s, peak {mem['large']:.0f} MB "
                f"| target: under 20 s and 1.5 GB | | | {'yes' if ok_time and ok_mem else '**no**'} |")
    ROWS.append(f"| (f) the same, {large // 10:,} rows | {med['small']:.2f} s, peak {mem['small']:.0f} MB | `frictionless validate` on these rows: "
                f"{med['frictionless']:.2f} s, peak {mem['frictionless']:.0f} MB | {med['small'] / med['frictionless']:.2f}x | | |")
    ROWS.append(f"| (f) scaling: time per row at {large:,} over time per row at {large // 10:,} (less the {fixed:.2f} s of a validation of the repository itself) "
                f"| {scaling:.2f} | no worse than linear within 20%: at most 1.2 | | | {'yes' if ok_scale else '**no**'} |")
    for line in ROWS[-3:]:
        print(line, flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--out", default=str(REPO / "docs" / "benchmarks.md"))
    args = parser.parse_args()
    rounds = 5 if args.quick else args.rounds
    large = 200_000 if args.quick else 1_000_000
    print("| measure | clusterdata: median (middle half) | floor: median (middle half) | ratio | target | met |\n|---|---|---|---|---|---|")
    startup(rounds)
    first_load(rounds)
    other_backends(rounds)
    warm_loads(rounds)
    build_times(rounds)
    validation_at_scale(large)
    header = [
        "# Benchmarks", "",
        f"Made by `python benchmarks/run.py` on {os.cpu_count()} cores, Python {sys.version.split()[0]}. Each comparison ran its",
        "commands alternately in one run (after a warm-up run each), so machine noise slows both sides alike.",
        "Times are whole processes unless stated; the middle half is the range of the middle 50% of the runs.",
        "For scaling, a value below 1 means the time per row falls as the file grows (fixed costs spread over more rows).", "",
        "| measure | clusterdata: median (middle half) | floor: median (middle half) | ratio | target | met |",
        "|---|---|---|---|---|---|",
    ]
    Path(args.out).write_text("\n".join(header + ROWS) + "\n", encoding="utf-8")
    print(f"\nwritten to {args.out}")


if __name__ == "__main__":
    main()
