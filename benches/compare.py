#!/usr/bin/env python3
"""Whole-process timings of two hubc binaries side by side, on generated fleets.

    benches/compare.py BASE_HUBC NEW_HUBC [--sizes 1000,10000,100000] [--runs 5]

Generates each fleet with `cargo bench --bench fleet -- write DIR N` (a platform, four
archetypes, two mixins, one cluster per 200 communities), then for each size times, for each
scenario the two binaries in turn, run after run:

- `check` with diagnostics for people, and with `--format json`;
- a cold `build` into an empty directory on tmpfs (/dev/shm);
- a `build` again with nothing changed, and after editing one community file (on the disk the
  fleet is on).

Prints a Markdown table: the median wall time and the median CPU time (user + system) of the
runs, the largest peak resident memory (from /usr/bin/time), and the ratio of the base binary's
median to the new one's; then, for each binary, that the output its incremental builds left is
byte for byte that of a cold build of the same fleet (it stops if not). BENCHMARKS.md records
the figures.
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EDITED = "communities/cluster0.hub"


def generate(directory: Path, communities: int) -> None:
    subprocess.run(
        ["cargo", "bench", "--quiet", "--bench", "fleet", "--", "write", str(directory), str(communities)],
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def measure(command: list[str]) -> tuple[float, float, int]:
    """Runs a command under /usr/bin/time: wall seconds, CPU seconds, peak RSS in KB."""
    with tempfile.NamedTemporaryFile("r") as report:
        started = time.perf_counter()
        result = subprocess.run(
            ["/usr/bin/time", "-o", report.name, "-f", "%U %S %M", *command],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wall = time.perf_counter() - started
        fields = report.read().split()[-3:]
    if result.returncode not in (0, 1):
        sys.exit(f"{' '.join(command)} exited with {result.returncode}")
    user, system, rss = float(fields[0]), float(fields[1]), int(fields[2])
    return wall, user + system, rss


def scenarios(hubc: str, fleet: Path, out: Path) -> dict[str, list[str] | tuple]:
    return {
        "check": [hubc, "check", str(fleet)],
        "check --format json": [hubc, "check", str(fleet), "--format", "json"],
        "build, empty OUT (tmpfs)": ("cold", [hubc, "build", str(fleet), "-o", str(out)]),
        "build again, nothing changed": ("warm", [hubc, "build", str(fleet), "-o", str(out)]),
        "build again, one community edited": ("edit", [hubc, "build", str(fleet), "-o", str(out)]),
    }


def run_once(kind, command, fleet: Path, out: Path, run: int):
    """One measured run of a scenario, after what it needs is made ready."""
    edited = fleet / EDITED
    original = edited.read_text()
    try:
        if kind == "cold":
            # Empty: no output, and no record of one beside it.
            shutil.rmtree(out, ignore_errors=True)
            (out.parent / f".{out.name}.hubc-record").unlink(missing_ok=True)
        elif kind in ("warm", "edit"):
            # The output of the fleet as it is, so that only the edit is new.
            edited.write_text(original)
            if not out.exists():
                subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            if kind == "edit":
                edited.write_text(original.replace('"hello 0"', f'"hello 0, edit {run}"', 1))
        # What earlier runs wrote goes to the disk first: a run that syncs (a rebuild's journal)
        # must not wait for another's writes.
        os.sync()
        return measure(command)
    finally:
        edited.write_text(original)


def tree(directory: Path) -> dict[str, bytes]:
    """Every file under a directory, by relative path, with its bytes."""
    return {
        str(path.relative_to(directory)): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def cached_is_cold(hubc: str, fleet: Path, out: Path, cold: Path) -> str:
    """Builds the fleet as it is into `out` (from its record: after the scenarios, the edit is
    undone by a partial build) and into the empty `cold`, and says whether they are the same."""
    for directory in (out, cold):
        subprocess.run([hubc, "build", str(fleet), "-o", str(directory)],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    cached, built = tree(out), tree(cold)
    if cached != built:
        sys.exit(f"{hubc}: the cached output {out} differs from the cold build {cold}")
    return f"{len(cached):,} files"


def main() -> None:
    # Every run, measured or not, on one day: the day is one of a build's inputs.
    os.environ["HUBC_TODAY"] = "2026-11-26"
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base")
    parser.add_argument("new")
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--runs", type=int, default=5)
    arguments = parser.parse_args()
    binaries = {"base": os.path.abspath(arguments.base), "new": os.path.abspath(arguments.new)}
    work = Path(tempfile.mkdtemp(prefix="hubc-compare-"))
    shm = Path(tempfile.mkdtemp(prefix="hubc-compare-", dir="/dev/shm"))
    print(f"base: {binaries['base']}\nnew:  {binaries['new']}\n")
    print("| fleet | command | base: wall, cpu, peak RSS | new: wall, cpu, peak RSS | base/new (wall) |")
    print("| --- | --- | --- | --- | --- |")
    checked = []
    try:
        for size in [int(size) for size in arguments.sizes.split(",")]:
            fleet = work / f"fleet{size}"
            generate(fleet, size)
            # Unmeasured: the fleet just written goes to the disk, and each binary reads it
            # once, so that the first scenario measured pays for neither.
            os.sync()
            for binary in binaries.values():
                measure([binary, "check", str(fleet), "--format", "json"])
            results = {}
            for label in scenarios("hubc", fleet, shm):
                # The binaries take turns, run after run: what the machine does meanwhile falls
                # on both alike.
                for run in range(arguments.runs):
                    for name, binary in binaries.items():
                        spec = scenarios(binary, fleet, shm / f"out-{name}")[label]
                        kind, command = spec if isinstance(spec, tuple) else (None, spec)
                        out = shm / f"out-{name}" if kind == "cold" else work / f"out-{name}-{size}"
                        if kind is not None:
                            command = command[:-1] + [str(out)]
                        sample = run_once(kind, command, fleet, out, run)
                        results.setdefault((name, label), []).append(sample)
            for label in scenarios("hubc", fleet, shm):
                cells = []
                medians = []
                for name in binaries:
                    samples = results[(name, label)]
                    wall = statistics.median(s[0] for s in samples)
                    cpu = statistics.median(s[1] for s in samples)
                    rss = max(s[2] for s in samples)
                    medians.append(wall)
                    cells.append(f"{wall:.3f} s, {cpu:.3f} s, {rss / 1024:.0f} MB")
                ratio = medians[0] / medians[1] if medians[1] else float("inf")
                print(f"| {size:,} | `{label}` | {cells[0]} | {cells[1]} | {ratio:.2f}× |", flush=True)
            # The incremental runs left each output built from its record: it must hold the
            # bytes of a cold build.
            for name, binary in binaries.items():
                same = cached_is_cold(binary, fleet, work / f"out-{name}-{size}", shm / f"cold-{name}")
                checked.append(f"{size:,} ({name}): cached output byte-identical to a cold build, {same}")
                shutil.rmtree(shm / f"cold-{name}", ignore_errors=True)
        print()
        for line in checked:
            print(line)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(shm, ignore_errors=True)


if __name__ == "__main__":
    main()
