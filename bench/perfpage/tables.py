"""The generated blocks of docs/performance.md: each a markdown fragment computed from the figures."""

import statistics

from .data import COUNTS, IPC_TRANSPORTS, PROBE_STATES, SCALE_SIZES
from .fmt import gbps, md_table, n0, ns, paired_ratios, rate, ratio, size_name, spread


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
    if "thp" in m:
        lines.append(f"- **transparent huge pages**: `{m['thp']}` (shared memory: `{m.get('thp.shmem', '?')}`)")
    if "bdn.date" in m:
        lines.append(f"- **micro-benchmarks**: {m['bdn.date']}")
    return "\n".join(lines)


def ipc_block(ipc, size):
    floor = ipc.get(("floor", 64, "p50"))
    ring50, ringmsgs = ipc.get(("floor-ring", size, "p50")), ipc.get(("floor-ring", size, "msgs"))
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
                     ratio(p50.median / ring50.median) if p50 and ring50 else "",
                     ratio(p50.median / uds50.median) if p50 and uds50 else "",
                     spread(msgs, rate) if msgs else "", gbps(msgs.median * size) if msgs else "",
                     ratio(msgs.median / ringmsgs.median) if msgs and ringmsgs else "",
                     ratio(msgs.median / udsmsgs.median) if msgs and udsmsgs else ""])
    return md_table(["transport", "RTT p50 (ns) [min–max]", "p90", "p99 [min–max]", "p99.9", "p50 / floor", "p50 / ring", "p50 / uds",
                     "msg/s [min–max]", "GB/s", "msg/s / ring", "msg/s / uds"], rows)


def states_block(ipc):
    """One row per repetition: the machine-state probe run before it, beside that repetition's 64 B round trips."""
    state = ipc.get(("probe@state", 0, "state"))
    if not state or not state.per_rep:
        return "_No probe in docs/perf/ipc-detail.csv: run `ipc` with `--csv-detail`._"

    def at(key, i):
        f = ipc.get(key)
        return f.per_rep[i] if f and i < len(f.per_rep) else None

    slow = ipc.get(("probe@state", 0, "ring-slow"))
    rows = []
    for i, code in enumerate(state.per_rep):
        name = PROBE_STATES.get(int(code), "?") if code is not None else "-"
        if slow and i < len(slow.per_rep) and slow.per_rep[i] == 1:
            name += ", ring slow"
        ms, ring = at(("memshare", 64, "p50"), i), at(("floor-ring", 64, "p50"), i)
        rows.append([str(i + 1), n0(at(("probe@spin", 64, "p50"), i)), n0(at(("probe@ring", 64, "p50"), i)), name,
                     n0(ms), n0(ring), ratio(ms / ring) if ms and ring else "-"])
    return md_table(["repetition", "spin probe p50 (ns)", "ring probe p50 (ns)", "state", "`memshare` 64 B p50",
                     "`floor-ring` 64 B p50", "`memshare` / `floor-ring`"], rows)


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


def context(row):
    """A row shown for context: its target is the one above, so it gives no verdict of its own."""
    return row[:4] + ["(context)", ""]


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
    ring = fig("floor-ring", 64, "p50")
    gb = fig("memshare", 65536, "msgs")
    gb = gb.scaled(65536 / 1e9) if gb else None
    memcpy = fig("memcpy", 65536, "gbps")
    managed = fig("floor-ring-dotnet", 64, "p50")
    rows = [
        line("SPSC 64 B round trip p50 / `floor`", ms, fl, 1.5, True, f"{ns(ms and ms.median)} / {ns(fl and fl.median)}"),
        line("SPSC 64 B round trip p50 / `floor-ring`", ms, ring, 1.1, True, f"{ns(ms and ms.median)} / {ns(ring and ring.median)}"),
        context(line("  same harness: SPSC 64 B round trip p50 / `floor-ring-dotnet`", ms, managed, 1.1, True,
                     f"{ns(ms and ms.median)} / {ns(managed and managed.median)}")),
        line("spinning 64 B round trip p50 / blocking (`memshare` / `memshare-blocking`)", ms, blk, 1.0, True,
             f"{ns(ms and ms.median)} / {ns(blk and blk.median)}"),
    ]
    for size in (64, 1024, 65536):
        a, b, c = fig("memshare", size, "msgs"), fig("floor-ring", size, "msgs"), fig("floor-ring-dotnet", size, "msgs")
        rows.append(line(f"{size_name(size)} one-way throughput / `floor-ring`", a, b, 1.0, False,
                         f"{rate(a and a.median)} / {rate(b and b.median)} msg/s"))
        rows.append(context(line(f"  same harness: {size_name(size)} one-way throughput / `floor-ring-dotnet`", a, c, 1.0, False,
                                 f"{rate(a and a.median)} / {rate(c and c.median)} msg/s")))
    rows += [
        line("64 KiB one-way throughput / memcpy", gb, memcpy, 0.5, False,
             f"{gb.median:.2f} / {memcpy.median:.2f} GB/s" if gb and memcpy else "-"),
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
