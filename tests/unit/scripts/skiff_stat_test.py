#!/usr/bin/env python3
"""scripts/skiff-stat's formatting and paging, without a running skiff.

  skiff_stat_test.py PATH-TO-skiff-stat
"""
import importlib.machinery
import importlib.util
import sys
import unittest

STAT_PATH = sys.argv.pop(1) if len(sys.argv) > 1 else "scripts/skiff-stat"
loader = importlib.machinery.SourceFileLoader("skiff_stat", STAT_PATH)
spec = importlib.util.spec_from_loader("skiff_stat", loader)
stat = importlib.util.module_from_spec(spec)
loader.exec_module(stat)

CONN_PAGE = {
    "lcore": 0, "total": 1, "start": 0,
    "state": ["ESTABLISHED"], "local": ["10.89.113.2:80"],
    "remote": ["10.89.113.1:44794"], "srtt_us": [44257],
    "rttvar_us": [21275], "rto_us": [200000], "mss": [1448],
    "cwnd": [14480], "ssthresh": [28960], "snd_wnd": [26624],
    "rcv_wnd": [262144], "bytes_in_flight": [2896], "retransmits": [1],
    "send_queue": [262144], "recv_queue": [0], "bytes_in": [82],
    "bytes_out": [2846544], "segs_in": [142], "segs_out": [1967],
}


class FakeTelemetry:
    """Answers like skiff's telemetry: two lcores, pages of two rows."""

    def __init__(self):
        self.asked = []

    def query(self, cmd):
        self.asked.append(cmd)
        if cmd == "/skiff/stacks":
            return {"count": 2, "lcores": [0, 1]}
        _, lcore, start = cmd.split(",")
        lcore, start = int(lcore), int(start)
        total = 3 if lcore == 0 else 1
        rows = list(range(start, min(start + 2, total)))
        reply = {"lcore": lcore, "total": total, "start": start,
                 "port": [8000 + lcore * 10 + r for r in rows]}
        if start + len(rows) < total:
            reply["next"] = start + len(rows)
        return reply


class SkiffStatTest(unittest.TestCase):
    def test_connections_like_ss(self):
        rows = stat.table_rows(CONN_PAGE)
        for r in rows:
            r["lcore"] = 0
        out = stat.format_connections(rows).splitlines()
        self.assertEqual(len(out), 3)
        self.assertRegex(out[1], r"^ESTAB +0 +262144 +10\.89\.113\.2:80 +"
                                 r"10\.89\.113\.1:44794")
        self.assertIn("rto:200 rtt:44.257/21.275 mss:1448 cwnd:10 "
                      "ssthresh:20 ", out[2])
        self.assertIn("bytes_in_flight:2896 retrans:1", out[2])

    def test_listeners_like_ss(self):
        out = stat.format_connections([], [{"port": 80, "backlog": 4096,
                                            "syn_queue": 2,
                                            "accept_queue": 5,
                                            "lcore": 1}])
        self.assertRegex(out.splitlines()[1], r"^LISTEN +5 +4096 +\*:80 ")
        self.assertIn("syn_queue:2 lcore:1", out)

    def test_no_rtt_sample_no_rtt_field(self):
        page = dict(CONN_PAGE, srtt_us=[0])
        rows = stat.table_rows(page)
        rows[0]["lcore"] = 0
        self.assertNotIn("rtt:", stat.format_connections(rows)
                         .replace("rto:", ""))

    def test_counters_nonzero_only_unless_zeros(self):
        c = {"lcores": 2, "tcp_established": 3, "tcp_retransmits": 0}
        self.assertEqual(stat.format_counters(c).split(),
                         ["tcp_established", "3"])
        self.assertIn("tcp_retransmits", stat.format_counters(c, zeros=True))
        self.assertNotIn("lcores", stat.format_counters(c, zeros=True))

    def test_watch_rates_of_what_moved(self):
        out = stat.format_rates({"a": 10, "b": 5, "lcores": 1},
                                {"a": 30, "b": 5, "lcores": 1}, 2.0)
        self.assertEqual(out.split(), ["a", "30", "10.0/s"])

    def test_fetch_table_follows_pages_on_every_lcore(self):
        t = FakeTelemetry()
        rows = stat.fetch_table(t, "/skiff/listeners")
        self.assertEqual([(r["lcore"], r["port"]) for r in rows],
                         [(0, 8000), (0, 8001), (0, 8002), (1, 8010)])
        self.assertEqual(t.asked[1:], ["/skiff/listeners,0,0",
                                       "/skiff/listeners,0,2",
                                       "/skiff/listeners,1,0"])

    def test_fetch_table_stops_at_max_rows(self):
        t = FakeTelemetry()
        rows = stat.fetch_table(t, "/skiff/listeners", max_rows=2)
        self.assertEqual([r["port"] for r in rows], [8000, 8001])
        self.assertEqual(t.asked[1:], ["/skiff/listeners,0,0"])

    def test_no_process_clear_error(self):
        import os
        import tempfile
        with tempfile.TemporaryDirectory() as d:
            os.environ["RUNTIME_DIRECTORY"] = d
            try:
                with self.assertRaisesRegex(stat.StatError,
                                            "no running skiff process"):
                    stat.find_socket()
                with self.assertRaisesRegex(stat.StatError,
                                            "--file-prefix nope"):
                    stat.find_socket(prefix="nope")
            finally:
                del os.environ["RUNTIME_DIRECTORY"]


if __name__ == "__main__":
    unittest.main()
