"""The figures the page is drawn from: docs/perf/*.csv, read into {(series, x, metric): Figure}."""

import csv
import glob
import os
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PERF = os.path.join(ROOT, "docs", "perf")
PAGE = os.path.join(ROOT, "docs", "performance.md")

IPC_TRANSPORTS = ["floor", "floor-futex", "floor-ring", "floor-ring-dotnet", "memshare", "memshare-blocking", "memshare-event",
                  "pipe", "uds", "tcp", "namedpipe", "grpc-uds"]
# The machine-state probe's codes (probe@state, metric "state"), as the harness's MachineState enum numbers them.
PROBE_STATES = {0: "split", 1: "shared core", 2: "same cpu"}
IPC_SIZES = [64, 1024, 65536]
SCALE_SIZES = [16, 64, 256, 1024, 4096, 16384, 65536, 262144]
COUNTS = [1, 2, 4]
COLORS = {"memshare": "#1f5fbf", "memshare-blocking": "#2a9d3a", "uds": "#d1452f",
          "spin": "#1f5fbf", "blocking": "#2a9d3a"}


class Figure:
    """One measured figure: the median over repetitions and its spread (min, max may be None)."""

    def __init__(self, median, lo=None, hi=None, per_rep=None):
        self.median, self.lo, self.hi, self.per_rep = median, lo, hi, per_rep or []

    def scaled(self, k):
        return Figure(self.median * k, _mul(self.lo, k), _mul(self.hi, k), [v * k if v is not None else None for v in self.per_rep])


def _mul(v, k):
    return None if v is None else v * k


def _num(text):
    text = (text or "").strip()
    return float(text) if text else None


def load_detail(path, into):
    """series,x,metric,median,min,max,n,per_rep -> into[(series, x, metric)] = Figure."""
    with open(path, newline="") as f:
        for row in csv.DictReader(f):
            median = _num(row["median"])
            if median is None:
                continue
            per_rep = [_num(v) for v in row["per_rep"].split(";")] if row.get("per_rep") else []
            into[(row["series"], int(row["x"]), row["metric"])] = Figure(median, _num(row["min"]), _num(row["max"]), per_rep)


def load_ipc(figures):
    """ipc.csv gives medians of p50, p99 and msg/s; ipc-detail.csv, if present, everything with its spread."""
    path = os.path.join(PERF, "ipc.csv")
    if os.path.exists(path):
        with open(path, newline="") as f:
            for row in csv.DictReader(f):
                key = (row["transport"], int(row["message_bytes"]))
                for column, metric in (("rtt_p50_ns", "p50"), ("rtt_p99_ns", "p99"), ("msgs_per_s", "msgs")):
                    value = _num(row[column])
                    if value is not None:
                        figures[key + (metric,)] = Figure(value)
    detail = os.path.join(PERF, "ipc-detail.csv")
    if os.path.exists(detail):
        load_detail(detail, figures)


def load_machine():
    path = os.path.join(PERF, "machine.csv")
    if not os.path.exists(path):
        return {}
    with open(path, newline="") as f:
        return {row["key"]: row["value"] for row in csv.DictReader(f)}


def set_machine_key(key, value):
    m = load_machine()
    m[key] = value
    with open(os.path.join(PERF, "machine.csv"), "w", newline="") as f:
        f.write("key,value\n" + "".join(f"{k},{v}\n" for k, v in sorted(m.items())))


def import_bdn(directory):
    """Keeps the columns the page shows from every *-report.csv BenchmarkDotNet wrote into directory."""
    rows = []
    for path in sorted(glob.glob(os.path.join(directory, "*-report.csv"))):
        suite = os.path.basename(path).split("-report")[0].split(".")[-1]
        with open(path, newline="") as f:
            for row in csv.DictReader(f):
                rows.append({"suite": suite, "benchmark": row["Method"].strip("'"), "job": row.get("Job", ""),
                             "mean": row.get("Mean", ""), "error": row.get("Error", ""),
                             "stddev": row.get("StdDev", ""), "allocated": row.get("Allocated", "")})
    if not rows:
        sys.exit(f"no *-report.csv in {directory}: run BenchmarkDotNet with --artifacts {directory} first")
    with open(os.path.join(PERF, "micro.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    newest = max(os.path.getmtime(p) for p in glob.glob(os.path.join(directory, "*-report.csv")))
    set_machine_key("bdn.date", time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime(newest)))
    print(f"docs/perf/micro.csv: {len(rows)} benchmarks from {directory}")
