#!/usr/bin/python3
"""Runs skiff-bench --mode=rr for one stack over a sweep of connection
counts and checks the JSON: a point per count, each with requests answered
and a positive rate and latency. A failed connection makes skiff-bench exit
1, so exit 0 here also means no errors.

    rr_check.py SKIFF_BENCH STACK CONCURRENCY [more skiff-bench args]
"""
import json
import os
import subprocess
import sys
import tempfile


def main(argv):
    if len(argv) < 4:
        sys.stderr.write(__doc__)
        return 2
    exe, stack, concurrency = argv[1], argv[2], argv[3]
    want = sorted(int(c) for c in concurrency.split(","))
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "rr.json")
        cmd = [exe, "--mode=rr", "--stack=" + stack,
               "--concurrency=" + concurrency, "--json=" + out] + argv[4:]
        run = subprocess.run(cmd, stdout=subprocess.PIPE, text=True)
        sys.stdout.write(run.stdout)
        if run.returncode != 0:
            print("rr_check: %s exited %d" % (" ".join(cmd), run.returncode))
            return 1
        with open(out) as f:
            results = json.load(f)
    points = results[stack]["rr_sweep"]
    got = sorted(p["concurrency"] for p in points)
    if got != want:
        print("rr_check: rr_sweep concurrency %s, want %s" % (got, want))
        return 1
    for p in points:
        if p["requests"] <= 0 or p["req_per_s"] <= 0 or p["p50_us"] <= 0:
            print("rr_check: empty point %s" % p)
            return 1
        if p["server_cores"] != 1:
            print("rr_check: server_cores %s, want 1" % p["server_cores"])
            return 1
    fewest = min(points, key=lambda p: p["concurrency"])
    if results[stack]["round_trips"] != fewest["requests"]:
        print("rr_check: round_trips is not the fewest-connections point")
        return 1
    if "rr:" not in run.stdout or "req/s" not in run.stdout:
        print("rr_check: no rr table in the text report")
        return 1
    print("rr_check: %s ok: %s" % (stack, ", ".join(
        "c=%d %.0f req/s" % (p["concurrency"], p["req_per_s"])
        for p in points)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
