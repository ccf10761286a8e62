#!/usr/bin/python3
"""Plots connections/s against concurrency, skiff vs Linux, from the JSON
that skiff-bench writes (python3-matplotlib, Debian-packaged).

    /usr/bin/python3 bench/plot.py RESULTS.json OUT.png
"""
import json
import sys

import matplotlib

matplotlib.use("Agg")  # no display: write files only
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402

STYLE = {"skiff": ("tab:blue", "o"), "linux": ("tab:gray", "s")}


def sweep(stack):
    """(concurrency, conn/s) points of one stack's cps sweep."""
    if not stack:
        return []
    points = sorted(
        (p["concurrency"], p["conn_per_s"]) for p in stack.get("cps_sweep", [])
    )
    return points


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    with open(argv[1]) as f:
        results = json.load(f)
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=120)
    plotted = 0
    ticks = set()
    for name in ("skiff", "linux"):
        points = sweep(results.get(name))
        if not points:
            continue
        xs, ys = zip(*points)
        ticks.update(xs)
        color, marker = STYLE[name]
        ax.plot(xs, ys, marker=marker, color=color, label=name)
        plotted += 1
    if plotted == 0:
        sys.stderr.write("plot.py: no cps_sweep in %s\n" % argv[1])
        return 1
    params = (results.get("linux") or results.get("skiff"))["params"]
    ax.set_xscale("log", base=2)
    ax.set_xticks(sorted(ticks))
    ax.xaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
    ax.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax.set_xlabel("concurrent connections")
    ax.set_ylabel("connections/s")
    ax.set_ylim(bottom=0)
    ax.grid(True, which="both", alpha=0.3)
    ax.set_title(
        "cps: 64-byte HTTP GET per connection, %.1f s per point\n%s, %d cores, "
        "Linux %s"
        % (params["duration_s"], params["cpu_model"], params["cores"],
           params["kernel"]),
        fontsize=9,
    )
    ax.legend()
    fig.tight_layout()
    fig.savefig(argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
