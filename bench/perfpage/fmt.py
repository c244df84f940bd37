"""How figures are written: in tables, on chart axes, and as markdown."""

import math


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
