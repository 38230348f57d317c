#!/usr/bin/python3
"""Summarises the JSON output of ktl's benchmark programs as one Markdown table per family.

Usage: tools/bench_summary.py [--variants] RESULT.json [RESULT.json ...]

Reads Google Benchmark JSON (`--benchmark_out=FILE --benchmark_out_format=json`) of
bench_conv, bench_depthwise, bench_conv_transpose and bench_resize, whose cases are named
<family>/<implementation>/<shape>/<data format>/threads:<n>[/<variant>] (benchmarks/harness.hpp).
For each family it prints a table with one row per shape, thread count and data format: ktl's
time, every peer's time (oneDNN, XNNPACK, and memcpy for the reshaping layers) with the ratio
peer time / ktl time (above 1: ktl is faster), and ktl's GFLOP/s with % of the FMA peak the
program measured at start, and GB/s where a family reports it. Variants (the 1-thread "cputime"
timing of conv, the "fresh" output of resize) and the tiny "smoke*" shapes of the ctest smoke
runs are left out unless --variants is given.
With repetitions (--benchmark_repetitions) the median is used. Python 3 standard library only.
"""

import json
import statistics
import sys

FAMILY_ORDER = ["conv", "depthwise", "conv_transpose", "resize"]
PEER_ORDER = ["onednn", "xnnpack", "memcpy"]
PEER_TITLE = {"onednn": "oneDNN", "xnnpack": "XNNPACK", "memcpy": "memcpy"}
TO_MICROSECONDS = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}


def parse_name(name):
    """(family, impl, shape, format, threads, variant) of a case name, or None."""
    parts = name.split("/")
    while parts and parts[-1] in ("real_time", "manual_time"):
        parts.pop()
    if len(parts) < 5 or not parts[4].startswith("threads:"):
        return None
    try:
        threads = int(parts[4][len("threads:"):])
    except ValueError:
        return None
    return parts[0], parts[1], parts[2], parts[3], threads, "/".join(parts[5:])


class Case:
    """One benchmark case: time in microseconds (median over repetitions), counters, error."""

    def __init__(self):
        self.times = []
        self.median_time = None
        self.counters = {}
        self.error = None

    def time(self):
        if self.median_time is not None:
            return self.median_time
        return statistics.median(self.times) if self.times else None


def load(paths):
    """Returns (contexts, cases): cases maps (family, impl, shape, format, threads, variant)."""
    contexts, cases, order = [], {}, []
    for path in paths:
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, ValueError) as e:
            raise SystemExit("bench_summary.py: %s is not readable Google Benchmark JSON (%s)" % (path, e))
        contexts.append((path, data.get("context", {})))
        for b in data.get("benchmarks", []):
            key = parse_name(b.get("run_name") or b.get("name", ""))
            if key is None:
                continue
            case = cases.get(key)
            if case is None:
                case = cases[key] = Case()
                order.append(key)
            if b.get("error_occurred"):
                case.error = b.get("error_message", "error")
                continue
            scale = TO_MICROSECONDS.get(b.get("time_unit", "ns"), 1e-3)
            t = b.get("real_time", 0.0) * scale
            counters = {k: v for k, v in b.items() if k in ("GFLOP/s", "peak%", "GB/s", "x_memcpy",
                                                              "x_memcpy_min", "max_err", "reorders")}
            if b.get("run_type") == "aggregate":
                if b.get("aggregate_name") == "median":
                    case.median_time = t
                    case.counters = counters
            else:
                case.times.append(t)
                if case.median_time is None:
                    case.counters = counters
    return contexts, cases, order


def fmt_time(us, unit):
    if us is None:
        return "-"
    return "%.3f" % (us / 1e3) if unit == "ms" else "%.1f" % us


def fmt(value, digits=1):
    return "-" if value is None else "%.*f" % (digits, value)


def table(family, cases, order, with_variants):
    keys = [k for k in order if k[0] == family and (with_variants or not k[5])
            and (with_variants or not k[2].startswith("smoke"))]
    if not keys:
        return ""
    peers = sorted({k[1] for k in keys if k[1] != "ktl"},
                   key=lambda p: (PEER_ORDER.index(p) if p in PEER_ORDER else len(PEER_ORDER), p))
    rows = []
    for k in keys:
        row = (k[2], k[4], k[3], k[5])
        if k[1] != "memcpy" and row not in rows:
            rows.append(row)
    ktl_times = [cases[k].time() for k in keys if k[1] == "ktl" and cases[k].time() is not None]
    unit = "ms" if ktl_times and statistics.median(ktl_times) >= 1000.0 else "us"
    ktl_keys = [k for k in keys if k[1] == "ktl"]
    has_flops = any("GFLOP/s" in cases[k].counters for k in ktl_keys)
    has_bytes = any("GB/s" in cases[k].counters for k in ktl_keys)

    header = ["shape", "threads", "format"] + (["variant"] if with_variants else []) + ["ktl " + unit]
    for p in peers:
        header += [PEER_TITLE.get(p, p) + " " + unit, PEER_TITLE.get(p, p) + "/ktl"]
    if has_flops:
        header += ["ktl GFLOP/s", "peak%"]
    if has_bytes:
        header += ["ktl GB/s"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    errors = []
    for shape, threads, fmt_name, variant in rows:
        ktl = cases.get((family, "ktl", shape, fmt_name, threads, variant))
        kt = ktl.time() if ktl and not ktl.error else None
        cells = [shape, str(threads), fmt_name] + ([variant or "-"] if with_variants else [])
        cells.append("error" if ktl and ktl.error else fmt_time(kt, unit))
        if ktl and ktl.error:
            errors.append("ktl %s/%s/%d: %s" % (shape, fmt_name, threads, ktl.error))
        for p in peers:
            peer = cases.get((family, p, shape, fmt_name, threads, variant))
            if peer is None and p == "memcpy":
                peer = cases.get((family, p, shape, "any", threads, ""))
            if peer is None:
                cells += ["-", "-"]
            elif peer.error:
                cells += ["error", "-"]
                errors.append("%s %s/%s/%d: %s" % (PEER_TITLE.get(p, p), shape, fmt_name, threads, peer.error))
            else:
                pt = peer.time()
                cells += [fmt_time(pt, unit), "%.2f" % (pt / kt) if kt and pt else "-"]
        c = ktl.counters if ktl and not ktl.error else {}
        if has_flops:
            cells += [fmt(c.get("GFLOP/s")), fmt(c.get("peak%"))]
        if has_bytes:
            cells += [fmt(c.get("GB/s"))]
        lines.append("| " + " | ".join(cells) + " |")
    text = "### %s\n\n%s\n" % (family, "\n".join(lines))
    if errors:
        text += "\nFailed cases:\n" + "".join("- %s\n" % e for e in errors)
    return text


def describe(path, ctx):
    peaks = ", ".join("%s thread%s %.1f" % (n, "" if n == "1" else "s", float(ctx[key]))
                      for n in ("1", "2") for key in ["ktl_peak_gflops_" + n] if key in ctx)
    load = ctx.get("load_avg")
    return ("- `%s`: %s, %s, %s CPUs at %s MHz; build %s %s; measured FMA peak (GFLOP/s): %s, %s%s" % (
        path.split("/")[-1], ctx.get("date", "?"), ctx.get("host_name", "?"), ctx.get("num_cpus", "?"),
        ctx.get("mhz_per_cpu", "?"), ctx.get("ktl_build_type", "?"), ctx.get("ktl_optimization", ""),
        peaks or "?", ctx.get("ktl_isa", "?"),
        "; load average %s" % ", ".join("%.2f" % x for x in load) if load else ""))


def main(argv):
    args = [a for a in argv[1:] if not a.startswith("--")]
    with_variants = "--variants" in argv[1:]
    if not args or "--help" in argv[1:] or "-h" in argv[1:]:
        print(__doc__.strip())
        return 0 if args else 2
    contexts, cases, order = load(args)
    out = ["## ktl benchmark summary", ""]
    out += [describe(path, ctx) for path, ctx in contexts]
    out += ["", "Times are wall times per call (median over repetitions); peer/ktl above 1 means "
            "ktl is faster. peak% is ktl's GFLOP/s over the FMA peak measured at program start "
            "for the same thread count.", ""]
    families = [f for f in FAMILY_ORDER if any(k[0] == f for k in order)]
    families += sorted({k[0] for k in order} - set(families))
    for family in families:
        t = table(family, cases, order, with_variants)
        if t:
            out += [t]
    print("\n".join(out))
    return 1 if any(c.error for c in cases.values()) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
