"""Time and memory of `portal network import` on a generated elements + connections CSV pair.

Usage: .venv/bin/python bench/network_import.py [--elements N] [--connections M] [--source DIR]
Generates N organisations and M relationships (with a few bad rows), then runs
`portal network import` in a subprocess on a fresh SQLite file (or PORTAL_BENCH_DATABASE_URL),
from this checkout or from DIR (e.g. a `git archive` of an older commit, to compare), and prints
the wall time, the peak RSS of the importing process and the command's own summary.
Compare figures as ratios within one run: machines here are shared and noisy.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KINDS = ["social_work_centre", "employment_office", "ngo", "social_enterprise", "employer", "municipality"]
TIES = ["project_partner", "referral_agreement", "cooperation", "funding", "membership"]
PLACES = [("SI", "Podravska", "Ptuj"), ("SI", "Savinjska", "Celje"), ("HR", "Međimurska županija", "Čakovec")]


def write_pair(folder: Path, elements: int, connections: int, seed: int = 7) -> tuple[Path, Path]:
    rng = random.Random(seed)
    labels = []
    orgs, ties = folder / "elements.csv", folder / "connections.csv"
    with orgs.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["ID", "Label", "Type", "Country", "Region", "Municipality", "Latitude", "Longitude"])
        for n in range(elements):
            country, region, town = rng.choice(PLACES)
            kind = "no such kind" if n % 997 == 0 else rng.choice(KINDS)  # a few bad rows to report
            lat, lon = 45.5 + rng.random(), 15.0 + rng.random() * 1.5
            labels.append(f"Organizacija {n} {town}")
            out.writerow([n + 1, labels[-1], kind, country, region, town, f"{lat:.5f}", f"{lon:.5f}"])
    with ties.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["ID", "From", "To", "Type", "Strength"])
        for n in range(connections):
            a = rng.randrange(elements)
            b = (a + 1 + rng.randrange(elements - 1)) % elements  # never a tie to itself
            out.writerow([n + 1, labels[a], labels[b], rng.choice(TIES), rng.randint(1, 5)])
    return orgs, ties


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--elements", type=int, default=20_000)
    parser.add_argument("--connections", type=int, default=80_000)
    parser.add_argument("--source", type=Path, default=ROOT, help="checkout to run the import from")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="portal-import-bench-"))
    orgs, ties = write_pair(work, args.elements, args.connections)
    env = {
        **os.environ,
        "PORTAL_ENV": "test",
        "PORTAL_DATA_DIR": str(work),
        "PORTAL_SECRET_KEY": "bench-secret-key-0123456789abcdef0123",
        "PORTAL_DATABASE_URL": os.environ.get("PORTAL_BENCH_DATABASE_URL", f"sqlite:///{work}/bench.sqlite3"),
        "PORTAL_NETWORK_RECOMPUTE": "manual",
        "PYTHONPATH": str(args.source),
    }
    env.pop("PICCOLO_CONF", None)
    python = str(ROOT / ".venv" / "bin" / "python")
    cli = [python, "-c", "from portal.cli import main; main()"]
    subprocess.run([*cli, "migrate"], env=env, cwd=args.source, check=True, capture_output=True)
    started = time.perf_counter()
    done = subprocess.run(
        [*cli, "network", "import", f"{orgs},{ties}"], env=env, cwd=args.source, capture_output=True, text=True
    )
    seconds = time.perf_counter() - started
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    rows = args.elements + args.connections
    print(f"source {args.source}: {rows:,} rows ({args.elements:,} elements, {args.connections:,} connections)")
    print(
        f"  import: {seconds:.1f} s, {rows / seconds:,.0f} rows/s, peak RSS {peak_mb:,.0f} MB, exit {done.returncode}"
    )
    summary = [line for line in done.stdout.splitlines() if "organisations:" in line]
    print("  " + (summary[0] if summary else (done.stdout + done.stderr)[-800:]))


if __name__ == "__main__":
    sys.exit(main())
