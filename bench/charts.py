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
import os
import re
import sys

sys.dont_write_bytecode = True  # keep bench/ free of __pycache__
from perfpage.data import (COLORS, IPC_SIZES, IPC_TRANSPORTS, PAGE, PERF, SCALE_SIZES, COUNTS, Figure,  # noqa: E402
                           import_bdn, load_detail, load_ipc, load_machine)
from perfpage.fmt import ns, size_name, y_bytes, y_ns, y_rate  # noqa: E402
from perfpage.svg import Chart, bar_chart  # noqa: E402
from perfpage.tables import (fan_block, ipc_block, machine_block, micro_block, sizes_block,  # noqa: E402
                             states_block, targets_block, wake_block)


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
    colors = {"floor": "#777", "floor-futex": "#aaa", "floor-ring": "#555", "floor-ring-dotnet": "#888", "memshare": COLORS["memshare"], "memshare-blocking": COLORS["memshare-blocking"],
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
              "states": states_block(ipc),
              "micro": micro_block(micro), "scale-sizes": sizes_block(scale),
              "scale-broadcast": fan_block(scale, "broadcast", "readers"), "scale-producers": fan_block(scale, "producers", "producers")}
    for size in IPC_SIZES:
        blocks[f"ipc-{size_name(size).replace(' ', '').lower()}"] = ipc_block(ipc, size)
    render_page(blocks)


if __name__ == "__main__":
    main(sys.argv)
