#!/usr/bin/env python3
"""Draws docs/perf/*.svg and renders the generated tables of docs/performance.md, from docs/perf/*.csv only.

    python3 bench/charts.py                     # charts and page tables from the CSVs (no measuring)
    python3 bench/charts.py --import-bdn DIR    # first turn BenchmarkDotNet's DIR/*-report.csv into docs/perf/micro.csv

Inputs, all written by the harnesses (see bench/README.md):
    ipc.csv          ipc --csv          the issue's fixed columns
    ipc-detail.csv   ipc --csv-detail   every figure with its spread: series,x,metric,median,min,max,n,per_rep
    scale.csv        scale --csv        the same long format
    micro.csv        --import-bdn       BenchmarkDotNet's mean, error and allocation per benchmark
    machine.csv      ipc and scale      key,value: the machine and when each run was taken
The page keeps its prose; only the blocks between <!-- BEGIN generated: NAME --> and <!-- END generated: NAME -->
are replaced. Standard library only: the machine that regenerates the page may have nothing else.
"""

import csv
import glob
import math
import os
import re
import statistics
import sys
import time
from xml.sax.saxutils import escape

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PERF = os.path.join(ROOT, "docs", "perf")
PAGE = os.path.join(ROOT, "docs", "performance.md")

IPC_TRANSPORTS = ["floor", "floor-futex", "memshare", "memshare-blocking", "memshare-event",
                  "pipe", "uds", "tcp", "namedpipe"]
IPC_SIZES = [64, 1024, 65536]
SCALE_SIZES = [16, 64, 256, 1024, 4096, 16384, 65536, 262144]
COUNTS = [1, 2, 4]
COLORS = {"memshare": "#1f5fbf", "memshare-blocking": "#2a9d3a", "uds": "#d1452f",
          "spin": "#1f5fbf", "blocking": "#2a9d3a"}


# ---------------------------------------------------------------- data

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


# ---------------------------------------------------------------- formatting

def ns(v):
    if v is None:
        return "-"
    if v < 1000:
        return f"{v:.0f} ns"
    if v < 10_000:
        return f"{v / 1000:.2f} µs"
    if v < 1_000_000:
        return f"{v / 1000:.1f} µs" if v < 100_000 else f"{v / 1000:.0f} µs"
    return f"{v / 1e6:.2f} ms"


def n0(v):
    return "-" if v is None else f"{v:,.0f}"


def rate(v):
    if v is None:
        return "-"
    if v >= 1e6:
        return f"{v / 1e6:.2f}M" if v < 1e7 else f"{v / 1e6:.1f}M"
    return f"{v / 1e3:.1f}k" if v >= 1e3 else f"{v:.0f}"


def gbps(v):
    return "-" if v is None else f"{v / 1e9:.2f}"


def ratio(v):
    if v is None or math.isnan(v):
        return "-"
    return f"{v:.0f}×" if v >= 100 else f"{v:.1f}×" if v >= 10 else f"{v:.2f}×" if v >= 0.1 else f"{v:.3f}×"


def size_name(b):
    return f"{b // 1024} KiB" if b >= 1024 else f"{b} B"


def spread(fig, fmt):
    if fig is None:
        return "-"
    if fig.lo is None or fig.hi is None:
        return fmt(fig.median)
    return f"{fmt(fig.median)} [{fmt(fig.lo)}–{fmt(fig.hi)}]"


def paired_ratios(a, b):
    """Per-repetition ratios a/b, where the CSV kept per-repetition figures for both."""
    if not a or not b or not a.per_rep or len(a.per_rep) != len(b.per_rep):
        return []
    return [x / y for x, y in zip(a.per_rep, b.per_rep) if x is not None and y]


def md_table(header, rows, align=None):
    align = align or ["l"] + ["r"] * (len(header) - 1)
    out = ["| " + " | ".join(header) + " |", "|" + "|".join(" --- " if a == "l" else " ---: " for a in align) + "|"]
    out += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(out)


# ---------------------------------------------------------------- SVG

class Chart:
    """A log-log line chart with min-max whiskers, written as plain SVG (no dependencies)."""

    W, H, L, R, T, B = 820, 420, 78, 590, 44, 360  # canvas, then the plot area's left, right, top, bottom

    def __init__(self, title, xlabel, ylabel, xticks, yfmt, note="", xbase=2):
        self.title, self.xlabel, self.ylabel, self.xticks, self.yfmt, self.xbase = title, xlabel, ylabel, xticks, yfmt, xbase
        self.note = note  # which run the figures come from, and how busy the machine was
        self.series = []

    def add(self, label, color, points, dash=None, width=2.0):
        """points: [(x, Figure)]; missing figures are skipped."""
        pts = [(x, f) for x, f in points if f is not None and f.median > 0]
        if pts:
            self.series.append((label, color, dash, width, pts))

    def save(self, path):
        if not self.series:
            print(f"skipped {os.path.relpath(path, ROOT)}: no data")
            return
        ys = [v for *_, pts in self.series for _, f in pts for v in (f.median, f.lo, f.hi) if v]
        y0, y1 = math.floor(math.log10(min(ys))), math.ceil(math.log10(max(ys)))
        if y1 == y0:
            y1 += 1
        xs = [x for x, _ in self.xticks]
        x0, x1 = math.log(min(xs), self.xbase), math.log(max(xs), self.xbase)
        pad = 0.04 * (x1 - x0 or 1)

        def px(x):
            return self.L + (math.log(x, self.xbase) - x0 + pad) / (x1 - x0 + 2 * pad) * (self.R - self.L)

        def py(y):
            return self.B - (math.log10(y) - y0) / (y1 - y0) * (self.B - self.T)

        s = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{self.W}" height="{self.H}" viewBox="0 0 {self.W} {self.H}" '
             'font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">',
             f'<rect width="{self.W}" height="{self.H}" fill="white"/>',
             f'<text x="{self.L}" y="24" font-size="15" font-weight="bold">{escape(self.title)}</text>']
        for d in range(y0, y1 + 1):  # decades, with light 2x and 5x lines between them
            for m in (1, 2, 5):
                v = m * 10 ** d
                if d == y1 and m > 1:
                    continue
                y = py(v)
                major = m == 1
                s.append(f'<line x1="{self.L}" x2="{self.R}" y1="{y:.1f}" y2="{y:.1f}" stroke="{"#c8c8c8" if major else "#ececec"}"/>')
                if major or y1 - y0 <= 2:
                    s.append(f'<text x="{self.L - 6}" y="{y + 4:.1f}" text-anchor="end" fill="{"#222" if major else "#777"}">{escape(self.yfmt(v))}</text>')
        for x, label in self.xticks:
            X = px(x)
            s.append(f'<line x1="{X:.1f}" x2="{X:.1f}" y1="{self.T}" y2="{self.B}" stroke="#ececec"/>')
            s.append(f'<text x="{X:.1f}" y="{self.B + 18}" text-anchor="middle">{escape(label)}</text>')
        s.append(f'<rect x="{self.L}" y="{self.T}" width="{self.R - self.L}" height="{self.B - self.T}" fill="none" stroke="#888"/>')
        s.append(f'<text x="{(self.L + self.R) / 2}" y="{self.B + 40}" text-anchor="middle">{escape(self.xlabel)}</text>')
        s.append(f'<text transform="translate(18 {(self.T + self.B) / 2}) rotate(-90)" text-anchor="middle">{escape(self.ylabel)}</text>')
        for label, color, dash, width, pts in self.series:
            for x, f in pts:  # whiskers: the spread over repetitions
                if f.lo and f.hi and f.hi > f.lo:
                    X = px(x)
                    s.append(f'<path d="M{X - 3:.1f} {py(f.hi):.1f}h6M{X:.1f} {py(f.hi):.1f}V{py(f.lo):.1f}M{X - 3:.1f} {py(f.lo):.1f}h6" '
                             f'stroke="{color}" stroke-opacity="0.45" fill="none"/>')
            d = " ".join(f'{"M" if i == 0 else "L"}{px(x):.1f} {py(f.median):.1f}' for i, (x, f) in enumerate(pts))
            s.append(f'<path d="{d}" stroke="{color}" stroke-width="{width}" fill="none"' + (f' stroke-dasharray="{dash}"' if dash else "") + "/>")
            for x, f in pts:
                s.append(f'<circle cx="{px(x):.1f}" cy="{py(f.median):.1f}" r="3" fill="{color}"/>')
        ly = self.T + 6
        for label, color, dash, width, _ in self.series:  # legend, right of the plot
            s.append(f'<line x1="{self.R + 16}" x2="{self.R + 44}" y1="{ly:.1f}" y2="{ly:.1f}" stroke="{color}" stroke-width="{width}"'
                     + (f' stroke-dasharray="{dash}"' if dash else "") + "/>")
            s.append(f'<text x="{self.R + 50}" y="{ly + 4:.1f}">{escape(label)}</text>')
            ly += 20
        s.append(f'<text x="{self.W - 8}" y="{self.H - 8}" text-anchor="end" fill="#888" font-size="10">'
                 'median over interleaved repetitions; whiskers: min–max · generated by bench/charts.py</text>')
        if self.note:
            s.append(f'<text x="{self.W - 8}" y="{self.T + 6 + 20 * len(self.series) + 16}" text-anchor="end" fill="#a33" font-size="10">{escape(self.note)}</text>')
        s.append("</svg>")
        with open(path, "w") as f:
            f.write("\n".join(s) + "\n")
        print(f"wrote {os.path.relpath(path, ROOT)}")


def bar_chart(path, title, rows, fmt, note=""):
    """Horizontal bars on a log scale: rows = [(label, Figure, color)], one bar each, with min-max whiskers."""
    rows = [(label, f, color) for label, f, color in rows if f is not None and f.median > 0]
    if not rows:
        print(f"skipped {os.path.relpath(path, ROOT)}: no data")
        return
    W, L, R, T, row_h = 820, 150, 700, 44, 26
    B = T + row_h * len(rows)
    H = B + 56
    vs = [v for _, f, _ in rows for v in (f.median, f.lo, f.hi) if v]
    x0, x1 = math.floor(math.log10(min(vs))), math.ceil(math.log10(max(vs)))

    def px(v):
        return L + (math.log10(v) - x0) / (x1 - x0) * (R - L)

    s = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" '
         'font-family="DejaVu Sans, Helvetica, Arial, sans-serif" font-size="12">',
         f'<rect width="{W}" height="{H}" fill="white"/>',
         f'<text x="{L}" y="24" font-size="15" font-weight="bold">{escape(title)}</text>']
    for d in range(x0, x1 + 1):
        X = px(10 ** d)
        s.append(f'<line x1="{X:.1f}" x2="{X:.1f}" y1="{T}" y2="{B}" stroke="#c8c8c8"/>')
        s.append(f'<text x="{X:.1f}" y="{B + 18}" text-anchor="middle">{escape(y_ns(10 ** d))}</text>')
    for i, (label, f, color) in enumerate(rows):
        y = T + i * row_h + 4
        s.append(f'<text x="{L - 8}" y="{y + 13}" text-anchor="end">{escape(label)}</text>')
        s.append(f'<rect x="{L}" y="{y}" width="{px(f.median) - L:.1f}" height="{row_h - 8}" fill="{color}"/>')
        if f.lo and f.hi and f.hi > f.lo:
            s.append(f'<path d="M{px(f.lo):.1f} {y + 9}H{px(f.hi):.1f}M{px(f.lo):.1f} {y + 4}v10M{px(f.hi):.1f} {y + 4}v10" stroke="#333" stroke-opacity="0.6" fill="none"/>')
        s.append(f'<text x="{max(px(f.median), px(f.hi or f.median)) + 6:.1f}" y="{y + 13}">{escape(fmt(f.median))}</text>')
    s.append(f'<text x="{(L + R) / 2}" y="{B + 40}" text-anchor="middle">round trip, p50 (log scale)</text>')
    s.append(f'<text x="{W - 8}" y="{H - 6}" text-anchor="end" fill="#888" font-size="10">'
             'median over interleaved repetitions; whiskers: min–max · generated by bench/charts.py</text>')
    if note:
        s.append(f'<text x="{W - 8}" y="24" text-anchor="end" fill="#a33" font-size="10">{escape(note)}</text>')
    s.append("</svg>")
    with open(path, "w") as f:
        f.write("\n".join(s) + "\n")
    print(f"wrote {os.path.relpath(path, ROOT)}")


def y_ns(v):
    return f"{v:g} ns" if v < 1e3 else f"{v / 1e3:g} µs" if v < 1e6 else f"{v / 1e6:g} ms"


def y_rate(v):
    return f"{v:g}/s" if v < 1e3 else f"{v / 1e3:g}k/s" if v < 1e6 else f"{v / 1e6:g}M/s"


def y_bytes(v):
    if v >= 1e9:
        return f"{v / 1e9:g} GB/s"
    if v >= 1e6:
        return f"{v / 1e6:g} MB/s"
    return f"{v / 1e3:g} kB/s"


def run_note(machine, scale):
    """Says on every chart when a run was not quiet, so a disturbed chart cannot pass for a quoted one."""
    notes = []
    foreign = scale.get(("cpu@foreign", 1, "share"))
    if foreign and foreign.median > 0.05:
        notes.append(f"busy machine: others used {foreign.median * 100:.0f}% CPU")
    if machine.get("scale.mode") == "quick":
        notes.append("--quick run")
    return "; ".join(notes)


def ipc_chart(ipc):
    foreign = ipc.get(("cpu@foreign", 1, "share"))
    note = f"busy machine: others used {foreign.median * 100:.0f}% CPU" if foreign and foreign.median > 0.05 else ""
    colors = {"floor": "#777", "floor-futex": "#aaa", "memshare": COLORS["memshare"], "memshare-blocking": COLORS["memshare-blocking"],
              "memshare-event": "#5b8fd6", "uds": COLORS["uds"]}
    rows = [(t, ipc.get((t, 64, "p50")), colors.get(t, "#e08a6f")) for t in IPC_TRANSPORTS]
    bar_chart(os.path.join(PERF, "ipc-rtt-64b.svg"), "64 B round trip between two processes", rows, ns, note)


def charts(ipc, scale, machine):
    if not scale:
        print("skipped the scaling charts: no docs/perf/scale.csv")
        return
    size_ticks = [(b, size_name(b)) for b in SCALE_SIZES]
    count_ticks = [(n, str(n)) for n in COUNTS]
    note = run_note(machine, scale)
    labels = {"memshare": "memshare (spin)", "memshare-blocking": "memshare-blocking", "uds": "UDS"}

    c = Chart("Round-trip latency vs message size (p50)", "message size", "round trip", size_ticks, y_ns, note)
    for t in ("memshare", "memshare-blocking", "uds"):
        c.add(labels[t], COLORS[t], [(b, scale.get((t, b, "p50"))) for b in SCALE_SIZES])
    for t in ("memshare", "uds"):
        c.add(labels[t].split(" (")[0] + " p99", COLORS[t], [(b, _median_only(scale.get((t, b, "p99")))) for b in SCALE_SIZES], dash="5 4", width=1.2)
    floor = ipc.get(("floor", 64, "p50"))
    if floor:
        c.add("floor (C, 64 B)", "#777", [(16, floor), (262144, _median_only(floor))], dash="2 3", width=1.2)
    c.save(os.path.join(PERF, "latency-vs-size.svg"))

    c = Chart("One-way throughput vs message size", "message size", "bytes per second", size_ticks, y_bytes, note)
    for t in ("memshare", "memshare-blocking", "uds"):
        c.add(labels[t], COLORS[t], [(b, _bytes(scale.get((t, b, "msgs")), b)) for b in SCALE_SIZES])
    memcpy = ipc.get(("memcpy", 65536, "gbps"))
    if memcpy:
        m = memcpy.scaled(1e9)
        c.add("memcpy, 1 core, RAM", "#777", [(16, _median_only(m)), (262144, _median_only(m))], dash="2 3", width=1.2)
    c.save(os.path.join(PERF, "throughput-vs-size.svg"))

    c = Chart("One-way messages per second vs message size", "message size", "messages per second", size_ticks, y_rate, note)
    for t in ("memshare", "memshare-blocking", "uds"):
        c.add(labels[t], COLORS[t], [(b, scale.get((t, b, "msgs"))) for b in SCALE_SIZES])
    c.save(os.path.join(PERF, "messages-vs-size.svg"))

    for group, who, title in (("broadcast", "readers", "Broadcast: one writer, N reader processes (64 B)"),
                              ("producers", "producers", "Multi-producer: N writer processes, one reader (64 B)")):
        c = Chart(title, f"{who} (processes; 2 CPUs)", "messages per second", count_ticks, y_rate, note)
        for mode in ("spin", "blocking"):
            series = f"{group}-{mode}"
            c.add(f"{mode}: aggregate", COLORS[mode], [(n, scale.get((series, n, "aggregate"))) for n in COUNTS])
            c.add(f"{mode}: per {who[:-1]}", COLORS[mode], [(n, scale.get((series, n, "per_mean"))) for n in COUNTS], dash="5 4", width=1.4)
        c.save(os.path.join(PERF, f"{group}.svg"))


def _median_only(f):
    return None if f is None else Figure(f.median)


def _bytes(f, size):
    return None if f is None else f.scaled(size)


# ---------------------------------------------------------------- page tables

def machine_block(m, ipc, scale):
    if not m:
        return "_No docs/perf/machine.csv yet: run the harnesses with their CSV options._"
    lines = [f"- **CPU**: {m.get('cpu', '?')}, {m.get('cores', '?')} logical CPUs (vCPUs of a VM)",
             f"- **OS**: {m.get('os', '?')}, kernel {m.get('kernel', '?')}",
             f"- **.NET**: {m.get('dotnet', '?')}"]
    for run, figures in (("ipc", ipc), ("scale", scale)):
        if f"{run}.date" in m:
            line = f"- **{run}** run: {m[f'{run}.date']}, {m.get(f'{run}.mode', '?')}, {m.get(f'{run}.reps', '?')} interleaved repetitions"
            foreign = figures.get(("cpu@foreign", 1, "share"))
            if foreign:
                line += f"; other processes used {foreign.median * 100:.0f}% of the CPUs meanwhile"
            if m.get(f"{run}.disturbed", "0") != "0":
                line += f"; **{m[f'{run}.disturbed']} sessions kept although disturbed**"
            lines.append(line)
    if "bdn.date" in m:
        lines.append(f"- **micro-benchmarks**: {m['bdn.date']}")
    return "\n".join(lines)


def ipc_block(ipc, size):
    floor = ipc.get(("floor", 64, "p50"))
    uds50, udsmsgs = ipc.get(("uds", size, "p50")), ipc.get(("uds", size, "msgs"))
    rows = []
    for t in IPC_TRANSPORTS:
        p50, msgs = ipc.get((t, size, "p50")), ipc.get((t, size, "msgs"))
        if not p50 and not msgs:
            continue
        get = lambda m: ipc.get((t, size, m))
        rows.append([f"`{t}`", spread(p50, n0), n0(get("p90").median) if get("p90") else "-",
                     spread(get("p99"), n0), n0(get("p999").median) if get("p999") else "-",
                     ratio(p50.median / floor.median) if p50 and floor and size == 64 else "",
                     ratio(p50.median / uds50.median) if p50 and uds50 else "",
                     spread(msgs, rate) if msgs else "", gbps(msgs.median * size) if msgs else "",
                     ratio(msgs.median / udsmsgs.median) if msgs and udsmsgs else ""])
    return md_table(["transport", "RTT p50 (ns) [min–max]", "p90", "p99 [min–max]", "p99.9", "p50 / floor", "p50 / uds",
                     "msg/s [min–max]", "GB/s", "msg/s / uds"], rows)


def wake_block(ipc):
    rows = []
    for key, label in (("memshare-blocking@idle", "`memshare-blocking`, default spin (50 µs) on the pinging side"),
                       ("memshare-blocking@idle-spin0", "`memshare-blocking`, `SpinDuration` 0 on the pinging side"),
                       ("floor-futex@idle", "`floor-futex`, both sleep at once"),
                       ("floor-futex@idle-spin", "`floor-futex`, both spin 50 µs, then sleep")):
        p50, p99 = ipc.get((key, 64, "p50")), ipc.get((key, 64, "p99"))
        rows.append([label, spread(p50, n0), spread(p99, n0)])
    memcpy, cache = ipc.get(("memcpy", 65536, "gbps")), ipc.get(("memcpy-cache", 65536, "gbps"))
    text = md_table(["64 B round trip after 1 ms idle (peer asleep in `WaitToRead`)", "p50 (ns) [min–max]", "p99 (ns) [min–max]"], rows)
    if memcpy:
        text += (f"\n\nFor scale: `memcpy` on one core moves {spread(memcpy, lambda v: f'{v:.1f}')} GB/s between two 128 MiB buffers "
                 f"(RAM) and {spread(cache, lambda v: f'{v:.0f}')} GB/s within one 64 KiB pair that stays in cache.")
    return text


def targets_block(ipc, micro):
    def fig(t, size, m):
        return ipc.get((t, size, m))

    def line(what, a, b, limit, better_low, detail):
        if not a or not b:
            return [what, "no data", "", "", f"{'≤' if better_low else '≥'} {limit}×", "NO DATA"]
        r = a.median / b.median
        reps = paired_ratios(a, b)
        paired = f"{ratio(statistics.median(reps))} [{ratio(min(reps))}–{ratio(max(reps))}]" if reps else "-"
        basis = statistics.median(reps) if reps else r  # as the harness's own summary judges, where the CSV allows
        met = basis <= limit if better_low else basis >= limit
        return [what, ratio(r), paired, detail, f"{'≤' if better_low else '≥'} {limit}×", "**met**" if met else "**missed**"]

    ms, fl = fig("memshare", 64, "p50"), fig("floor", 64, "p50")
    msg, uds = fig("memshare", 64, "msgs"), fig("uds", 64, "msgs")
    blk, fut = fig("memshare-blocking", 64, "p50"), fig("floor-futex", 64, "p50")
    idle0, futidle = ipc.get(("memshare-blocking@idle-spin0", 64, "p50")), ipc.get(("floor-futex@idle", 64, "p50"))
    rows = [
        line("SPSC 64 B round trip p50 / `floor`", ms, fl, 1.5, True, f"{ns(ms and ms.median)} / {ns(fl and fl.median)}"),
        line("64 B one-way throughput / `uds`", msg, uds, 25, False, f"{rate(msg and msg.median)} / {rate(uds and uds.median)} msg/s"),
        line("blocking 64 B round trip p50 / `floor-futex` (busy ping-pong)", blk, fut, 1.2, True, f"{ns(blk and blk.median)} / {ns(fut and fut.median)}"),
        line("blocking, both asleep (wake from idle, `SpinDuration` 0) / `floor-futex` asleep", idle0, futidle, 1.2, True,
             f"{ns(idle0 and idle0.median)} / {ns(futidle and futidle.median)}"),
    ]
    channel = [r for r in micro if r["suite"] == "ChannelBenchmarks"]
    if channel:
        allocated = sorted({r["allocated"] or "?" for r in channel})
        zero = all(a in ("0 B", "-") for a in allocated)
        rows.append(["allocation per message (channel micro-benchmarks)", ", ".join(allocated), "", f"{len(channel)} benchmarks", "0 B",
                     "**met**" if zero else "**missed**"])
    else:
        rows.append(["allocation per message", "no micro.csv", "", "", "0 B", "NO DATA"])
    return md_table(["target", "ratio of medians", "per-repetition ratio: median [range]", "medians", "target", "verdict"], rows,
                    ["l", "r", "r", "r", "r", "l"])


def micro_block(micro):
    if not micro:
        return "_No docs/perf/micro.csv yet: see the commands above._"
    rows = [[r["suite"].replace("Benchmarks", ""), r["benchmark"], r["mean"], r["error"], r["stddev"],
             "0 B" if r["allocated"] in ("-", "0 B") else r["allocated"]] for r in micro]
    job = sorted({r["job"] for r in micro})
    return md_table(["suite", "benchmark", "mean", "error", "stddev", "allocated"], rows, ["l", "l", "r", "r", "r", "r"]) + \
        f"\n\nBenchmarkDotNet job: {', '.join(job)}."


def sizes_block(scale):
    rows = []
    for b in SCALE_SIZES:
        g = lambda t, m: scale.get((t, b, m))
        ms, blk, uds = g("memshare", "msgs"), g("memshare-blocking", "msgs"), g("uds", "msgs")
        rows.append([size_name(b), spread(g("memshare", "p50"), n0), n0(g("memshare-blocking", "p50").median) if g("memshare-blocking", "p50") else "-",
                     spread(g("uds", "p50"), n0),
                     spread(ms, rate), rate(blk.median) if blk else "-", rate(uds.median) if uds else "-",
                     gbps(ms.median * b) if ms else "-", gbps(uds.median * b) if uds else "-",
                     ratio(ms.median / uds.median) if ms and uds else "-"])
    return md_table(["size", "memshare RTT p50 (ns) [min–max]", "blocking RTT p50", "uds RTT p50 [min–max]",
                     "memshare msg/s [min–max]", "blocking msg/s", "uds msg/s", "memshare GB/s", "uds GB/s", "msg/s memshare / uds"], rows)


def fan_block(scale, group, who):
    rows = []
    for n in COUNTS:
        row = [str(n)]
        for mode in ("spin", "blocking"):
            g = lambda m: scale.get((f"{group}-{mode}", n, m))
            row += [spread(g("per_mean"), rate), rate(g("per_min").median) if g("per_min") else "-", spread(g("aggregate"), rate)]
        rows.append(row)
    h = who[:-1]
    return md_table([who, f"spinning: per {h} [min–max]", f"slowest {h}", "aggregate [min–max]",
                     f"blocking: per {h} [min–max]", f"slowest {h}", "aggregate [min–max]"], rows)


def render_page(blocks):
    if not os.path.exists(PAGE):
        sys.exit(f"{PAGE} is missing")
    with open(PAGE) as f:
        text = f.read()
    for name, body in blocks.items():
        pattern = re.compile(rf"(<!-- BEGIN generated: {re.escape(name)} -->\n).*?(<!-- END generated: {re.escape(name)} -->)", re.S)
        if not pattern.search(text):
            print(f"note: docs/performance.md has no block '{name}'")
            continue
        text = pattern.sub(lambda m: m.group(1) + body.rstrip() + "\n" + m.group(2), text)
    with open(PAGE, "w") as f:
        f.write(text)
    print("rendered the tables of docs/performance.md")


def main(argv):
    if len(argv) == 3 and argv[1] == "--import-bdn":
        import_bdn(argv[2])
    elif len(argv) != 1:
        sys.exit(__doc__)
    ipc, scale = {}, {}
    load_ipc(ipc)
    if os.path.exists(os.path.join(PERF, "scale.csv")):
        load_detail(os.path.join(PERF, "scale.csv"), scale)
    micro = []
    if os.path.exists(os.path.join(PERF, "micro.csv")):
        with open(os.path.join(PERF, "micro.csv"), newline="") as f:
            micro = list(csv.DictReader(f))
    machine = load_machine()
    ipc_chart(ipc)
    charts(ipc, scale, machine)
    blocks = {"machine": machine_block(machine, ipc, scale), "targets": targets_block(ipc, micro), "wake": wake_block(ipc),
              "micro": micro_block(micro), "scale-sizes": sizes_block(scale),
              "scale-broadcast": fan_block(scale, "broadcast", "readers"), "scale-producers": fan_block(scale, "producers", "producers")}
    for size in IPC_SIZES:
        blocks[f"ipc-{size_name(size).replace(' ', '').lower()}"] = ipc_block(ipc, size)
    render_page(blocks)


if __name__ == "__main__":
    main(sys.argv)
