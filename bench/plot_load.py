#!/usr/bin/python3
"""Plots a skiff-load run over time from its per-second CSV (--csv, or
FILE.png.csv when only --plot is given): connections/s and requests/s on
the left axis, latency p50/p99 on the right (python3-matplotlib).

    /usr/bin/python3 bench/plot_load.py RUN.csv OUT.png
"""
import csv
import sys

import matplotlib

matplotlib.use("Agg")  # no display: write files only
import matplotlib.pyplot as plt  # noqa: E402


def main(argv):
    if len(argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    with open(argv[1]) as f:
        rows = list(csv.DictReader(f))
    t = [float(r["t"]) for r in rows]
    fig, ax = plt.subplots(figsize=(8, 4.5), dpi=120)
    ax.plot(t, [float(r["conn_per_s"]) for r in rows], "o-",
            color="tab:blue", label="new connections/s")
    ax.plot(t, [float(r["req_per_s"]) for r in rows], "s-",
            color="tab:green", label="requests/s")
    ax.set_xlabel("seconds")
    ax.set_ylabel("per second")
    ax.set_ylim(bottom=0)
    lat = ax.twinx()
    lat.plot(t, [float(r["p50_us"]) for r in rows], "--",
             color="tab:orange", label="latency p50")
    lat.plot(t, [float(r["p99_us"]) for r in rows], ":",
             color="tab:red", label="latency p99")
    lat.set_ylabel("latency (µs)")
    lat.set_ylim(bottom=0)
    errors = sum(int(r["errors"]) for r in rows)
    ax.set_title("skiff-load: %d errors" % errors)
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = lat.get_legend_handles_labels()
    ax.legend(h1 + h2, l1 + l2, loc="lower right", fontsize="small")
    fig.tight_layout()
    fig.savefig(argv[2])
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
