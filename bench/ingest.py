#!/usr/bin/env python3
"""Ingestion side by side: WikiExtractor (2 processes) and `quarry ingest` on the same dump, .xml and .bz2.

Each run is timed under /usr/bin/time -v (wall clock, CPU time, peak resident set). Throughput is MB of
uncompressed XML per second of wall time, and per CPU-second (which a shared machine's load affects less). WikiExtractor writes documents, not passages: its passage count is the number
of 100-word windows its output text makes (counted after the timed run), so both tools' passages/s compare
the same unit. Quarry starts from a fresh database each time, FTS5 index included.
Prints a human table to stderr and one JSON line on stdout.

    ingest.py --quarry BIN --python VENV_PYTHON --xml DUMP.xml --bz2 DUMP.xml.bz2 --work DIR
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time


def load_average():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def timed(command, stdout_path):
    """Runs `command` under /usr/bin/time -v: (wall seconds, peak RSS in MiB, CPU seconds, stdout text).
    CPU seconds (user + system, children included) do not depend on how busy the machine is."""
    time_log = stdout_path + ".time"
    with open(stdout_path, "w") as out:
        start = time.monotonic()
        proc = subprocess.run(["/usr/bin/time", "-v", "-o", time_log] + command, stdout=out,
                              stderr=subprocess.PIPE, text=True)
        wall = time.monotonic() - start
    if proc.returncode != 0:
        sys.exit(f"ingest bench: {' '.join(command)} failed ({proc.returncode}):\n{proc.stderr[-2000:]}")
    with open(time_log) as f:
        log = f.read()
    rss_kib = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", log).group(1))
    cpu = sum(float(re.search(rf"{name} time \(seconds\): ([\d.]+)", log).group(1)) for name in ("User", "System"))
    with open(stdout_path) as f:
        return wall, rss_kib / 1024, cpu, f.read()


def wikiextractor_passages(out_dir, words=100):
    """Documents and 100-word windows in WikiExtractor's JSON output."""
    documents = passages = 0
    for root, _, files in os.walk(out_dir):
        for name in files:
            with open(os.path.join(root, name), encoding="utf-8") as f:
                for line in f:
                    doc = json.loads(line)
                    count = len(doc["text"].split())
                    documents += 1
                    passages += (count + words - 1) // words
    return documents, passages


def run_wikiextractor(python, dump, work, xml_bytes):
    out_dir = os.path.join(work, "wikiextractor-out")
    shutil.rmtree(out_dir, ignore_errors=True)
    load = load_average()
    wall, rss, cpu, _ = timed([python, "-m", "wikiextractor.WikiExtractor", dump, "--processes", "2", "--json",
                          "--no-templates", "-q", "-o", out_dir], os.path.join(work, "wikiextractor.log"))
    documents, passages = wikiextractor_passages(out_dir)
    shutil.rmtree(out_dir, ignore_errors=True)
    return {"tool": "wikiextractor", "input": os.path.basename(dump), "seconds": wall,
            "mb_per_s": xml_bytes / 1e6 / wall, "documents": documents, "passages": passages,
            "passages_per_s": passages / wall, "peak_rss_mib": rss, "load_avg": load,
            "cpu_seconds": cpu, "mb_per_cpu_s": xml_bytes / 1e6 / cpu}


def run_quarry(quarry, dump, work, xml_bytes):
    db = os.path.join(work, "ingest-bench.sqlite")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    load = load_average()
    wall, rss, cpu, out = timed([quarry, "ingest", dump, "--db", db, "--json", "--quiet"],
                           os.path.join(work, "quarry-ingest.log"))
    summary = json.loads(out)
    db_mb = sum(os.path.getsize(db + s) for s in ("", "-wal") if os.path.exists(db + s)) / 1e6
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    passages = summary["passages_added"]
    return {"tool": "quarry", "input": os.path.basename(dump), "seconds": wall,
            "mb_per_s": xml_bytes / 1e6 / wall, "documents": summary["documents_new"], "passages": passages,
            "passages_per_s": passages / wall, "peak_rss_mib": rss, "load_avg": load,
            "cpu_seconds": cpu, "mb_per_cpu_s": xml_bytes / 1e6 / cpu,
            "quarry_reported_seconds": summary["seconds"], "db_mb": db_mb}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quarry", required=True)
    parser.add_argument("--python", required=True)
    parser.add_argument("--xml", required=True)
    parser.add_argument("--bz2", required=True)
    parser.add_argument("--work", required=True)
    args = parser.parse_args()

    xml_bytes = os.path.getsize(args.xml)
    runs = []
    for dump in (args.xml, args.bz2):
        runs.append(run_wikiextractor(args.python, dump, args.work, xml_bytes))
        print(f"  {runs[-1]}", file=sys.stderr)
        runs.append(run_quarry(args.quarry, dump, args.work, xml_bytes))
        print(f"  {runs[-1]}", file=sys.stderr)

    def find(tool, dump):
        return next(r for r in runs if r["tool"] == tool and r["input"] == os.path.basename(dump))

    pairs = (("xml", args.xml), ("bz2", args.bz2))
    ratios = {kind: find("quarry", dump)["mb_per_s"] / find("wikiextractor", dump)["mb_per_s"] for kind, dump in pairs}
    cpu_ratios = {kind: find("quarry", dump)["mb_per_cpu_s"] / find("wikiextractor", dump)["mb_per_cpu_s"]
                  for kind, dump in pairs}
    quarry_bz2 = find("quarry", args.bz2)
    targets = {
        "ratio_at_least_10x": min(ratios.values()) >= 10,
        "bz2_at_least_20_mb_per_s": quarry_bz2["mb_per_s"] >= 20,
        "rss_under_200_mib": max(r["peak_rss_mib"] for r in runs if r["tool"] == "quarry") < 200,
    }
    print(f"{'tool':<14}{'input':<34}{'MB/s':>8}{'passages/s':>12}{'MB/CPU-s':>10}{'peak MiB':>10}{'load':>7}",
          file=sys.stderr)
    for r in runs:
        print(f"{r['tool']:<14}{r['input']:<34}{r['mb_per_s']:>8.2f}{r['passages_per_s']:>12.0f}"
              f"{r['mb_per_cpu_s']:>10.2f}{r['peak_rss_mib']:>10.0f}{r['load_avg']:>7.1f}", file=sys.stderr)
    print(json.dumps({"bench": "ingest", "xml_mb": xml_bytes / 1e6, "runs": runs,
                      "ratio_xml": ratios["xml"], "ratio_bz2": ratios["bz2"],
                      "cpu_ratio_xml": cpu_ratios["xml"], "cpu_ratio_bz2": cpu_ratios["bz2"], "targets": targets}))


if __name__ == "__main__":
    main()
