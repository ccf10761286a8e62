#include "bench/harness/report.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "bench/harness/http.h"

namespace skiff::bench {
namespace {

double Us(uint64_t ns) { return static_cast<double>(ns) / 1e3; }

const StackReport* Find(const std::vector<StackReport>& stacks,
                        std::string_view name) {
  for (const StackReport& s : stacks) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

const CpsPoint* FindPoint(const StackReport* s, int concurrency) {
  if (s == nullptr) return nullptr;
  for (const CpsPoint& p : s->cps) {
    if (p.concurrency == concurrency) return &p;
  }
  return nullptr;
}

std::string Ratio(double skiff, double linux_value) {
  if (linux_value <= 0) return "";
  return absl::StrFormat("%.2fx", skiff / linux_value);
}

// ---- table ----------------------------------------------------------------

std::string F(double v, int decimals) {
  return absl::StrFormat("%.*f", decimals, v);
}

constexpr const char* kRowFormat = "%-5s %5s %-6s %11s %9s %9s %9s %8s %12s\n";

std::string Row(const std::string& mode, const std::string& conc,
                const std::string& stack, const std::string& cps,
                const std::string& p50, const std::string& p99,
                const std::string& p999, const std::string& gbit,
                const std::string& ratio) {
  return absl::StrFormat(kRowFormat, mode, conc, stack, cps, p50, p99, p999,
                         gbit, ratio);
}

// rr has a table of its own: its rate is requests, not connections.
constexpr const char* kRrRowFormat =
    "%-5s %5s %-6s %11s %14s %9s %9s %9s %12s\n";

const RrPoint* FindRr(const StackReport* s, int concurrency) {
  if (s == nullptr) return nullptr;
  for (const RrPoint& p : s->rr) {
    if (p.concurrency == concurrency) return &p;
  }
  return nullptr;
}

std::string RrTable(const RunParams& params,
                    const std::vector<StackReport>& stacks) {
  std::string out = absl::StrFormat(
      "rr: %u-byte request, %u-byte answer, one request outstanding per "
      "connection; the server side is one thread on one core in both "
      "stacks\n",
      params.rr_message_size, params.rr_message_size);
  out += absl::StrFormat(kRrRowFormat, "mode", "conns", "stack", "req/s",
                         "req/s/srv core", "p50 us", "p99 us", "p99.9 us",
                         "skiff/linux");
  const StackReport* linux_stack = Find(stacks, "linux");
  for (int c : params.concurrency) {
    for (const StackReport& s : stacks) {
      const RrPoint* pt = FindRr(&s, c);
      if (pt == nullptr) continue;
      const RrResult& r = pt->result;
      const RrPoint* lin = FindRr(linux_stack, c);
      std::string ratio = s.name != "linux" && lin != nullptr
                              ? Ratio(r.req_per_s(), lin->result.req_per_s())
                              : "";
      out += absl::StrFormat(kRrRowFormat, "rr", absl::StrCat(c), s.name,
                             F(r.req_per_s(), 0),
                             F(r.req_per_s_per_server_core(), 0),
                             F(Us(r.rtt_ns.Percentile(0.5)), 1),
                             F(Us(r.rtt_ns.Percentile(0.99)), 1),
                             F(Us(r.rtt_ns.Percentile(0.999)), 1), ratio);
    }
  }
  return out + "\n";
}

// Sum of a side's CPU time over its work: cost per unit per lcore, the
// side's threads pooled.
double SideCost(const std::vector<LcoreCost>& costs, bool server) {
  int64_t cpu = 0;
  uint64_t work = 0;
  for (const LcoreCost& c : costs) {
    if (c.server != server) continue;
    cpu += c.cpu_ns;
    work += c.work;
  }
  return work > 0 ? static_cast<double>(cpu) / static_cast<double>(work) : 0;
}

// "  skiff cps c=32: client 0 (core 0) 2,104 ns/conn ..." lines.
std::string LcoreLines(const std::string& stack, const std::string& what,
                       const std::vector<LcoreCost>& costs, const char* unit,
                       double unit_scale) {
  if (costs.empty()) return "";
  std::string out = absl::StrFormat("  %s %s:", stack, what);
  for (const LcoreCost& c : costs) {
    absl::StrAppendFormat(
        &out, " %s%d%s %.0f", c.server ? "server" : "client", c.index,
        c.core >= 0 ? absl::StrFormat("@%d", c.core) : std::string(),
        c.ns_per_unit() * unit_scale);
  }
  absl::StrAppendFormat(&out, " %s; per side: client %.0f, server %.0f\n", unit,
                        SideCost(costs, false) * unit_scale,
                        SideCost(costs, true) * unit_scale);
  return out;
}

}  // namespace

const RrPoint* StackReport::FewestRr() const {
  const RrPoint* fewest = nullptr;
  for (const RrPoint& p : rr) {
    if (fewest == nullptr || p.concurrency < fewest->concurrency) fewest = &p;
  }
  return fewest;
}

const CpsPoint* StackReport::BestCps() const {
  const CpsPoint* best = nullptr;
  for (const CpsPoint& p : cps) {
    if (best == nullptr || p.result.conn_per_s() > best->result.conn_per_s())
      best = &p;
  }
  return best;
}

std::string FormatTable(const RunParams& params,
                        const std::vector<StackReport>& stacks) {
  const StackReport* linux_stack = Find(stacks, "linux");
  std::string out;
  bool cps_or_bulk = false;
  for (const StackReport& s : stacks) cps_or_bulk |= !s.cps.empty() || s.bulk;
  if (cps_or_bulk) {
    out = Row("mode", "conc", "stack", "conn/s", "p50 us", "p99 us", "p99.9 us",
              "Gbit/s", "skiff/linux");
  }
  for (int c : params.concurrency) {
    for (const StackReport& s : stacks) {
      const CpsPoint* pt = FindPoint(&s, c);
      if (pt == nullptr) continue;
      const CpsResult& r = pt->result;
      const CpsPoint* lin = FindPoint(linux_stack, c);
      std::string ratio = s.name != "linux" && lin != nullptr
                              ? Ratio(r.conn_per_s(), lin->result.conn_per_s())
                              : "";
      out += Row("cps", absl::StrCat(c), s.name, F(r.conn_per_s(), 0),
                 F(Us(r.latency_ns.Percentile(0.5)), 1),
                 F(Us(r.latency_ns.Percentile(0.99)), 1),
                 F(Us(r.latency_ns.Percentile(0.999)), 1), "", ratio);
    }
  }
  for (const StackReport& s : stacks) {
    if (!s.bulk) continue;
    std::string ratio =
        s.name != "linux" && linux_stack != nullptr && linux_stack->bulk
            ? Ratio(s.bulk->gbit_per_s(), linux_stack->bulk->gbit_per_s())
            : "";
    out += Row("bulk", absl::StrCat(std::max(params.lcores, 1)), s.name, "", "",
               "", "", F(s.bulk->gbit_per_s(), 2), ratio);
  }
  if (cps_or_bulk) out += "\n";
  bool rr = false;
  for (const StackReport& s : stacks) rr |= !s.rr.empty();
  if (rr) out += RrTable(params, stacks);
  if (params.lcores > 0) {
    out += absl::StrFormat(
        "per-lcore cost (%d+%d lcores; thread CPU time over the whole run, "
        "warm-up included, / the connections or bytes that thread "
        "handled):\n",
        params.lcores, params.lcores);
    for (const StackReport& s : stacks) {
      for (const CpsPoint& p : s.cps) {
        out += LcoreLines(s.name, absl::StrFormat("cps c=%d", p.concurrency),
                          p.result.lcores, "ns/conn", 1);
      }
      if (s.bulk) {
        out += LcoreLines(s.name, "bulk", s.bulk->lcores, "ns/KiB", 1024);
      }
    }
  }
  for (const StackReport& s : stacks) {
    for (const CpsPoint& p : s.cps) {
      if (p.result.errors > 0) {
        out += absl::StrFormat("note: %s cps c=%d had %u failed connections\n",
                               s.name, p.concurrency, p.result.errors);
      }
    }
    out += "- " + s.description + "\n";
  }
  out += absl::StrFormat(
      "- %.2f s measured after %.2f s warm-up per figure; cps page %u bytes, "
      "bulk writes %u bytes, rr messages %u bytes%s\n",
      params.window.duration_s, params.window.warmup_s, kPageSize,
      params.bulk_write_size, params.rr_message_size,
      params.target ? ", target " + params.target->ToString() : "");
  out +=
      "- skiff/linux: ratio of the row's headline figure (conn/s, Gbit/s, "
      "req/s: higher is better)\n";
  out += absl::StrFormat("- machine: %s, %d cores, Linux %s\n",
                         params.machine.cpu_model, params.machine.cores,
                         params.machine.kernel);
  return out;
}

// ---- JSON -----------------------------------------------------------------

namespace {

std::string Quote(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += absl::StrFormat("\\u%04x", c);
    } else {
      out += c;
    }
  }
  return out + "\"";
}

std::string Num(double v) { return absl::StrFormat("%.3f", v); }

std::string CpsCore(const CpsPoint& p, const std::string& indent);

// [{"side": "client", "index": 0, "core": 0, "cpu_ns": .., "work": ..,
//   "ns_per_unit": ..}, ...]
std::string LcoresJson(const std::vector<LcoreCost>& costs) {
  std::vector<std::string> items;
  for (const LcoreCost& c : costs) {
    items.push_back(absl::StrFormat(
        "{\"side\": \"%s\", \"index\": %d, \"core\": %d, \"cpu_ns\": %d, "
        "\"work\": %u, \"ns_per_unit\": %s}",
        c.server ? "server" : "client", c.index, c.core, c.cpu_ns, c.work,
        Num(c.ns_per_unit())));
  }
  return absl::StrCat("[", absl::StrJoin(items, ", "), "]");
}

std::string CpsFields(const CpsPoint& p, const std::string& indent) {
  const CpsResult& r = p.result;
  std::string lcores;
  if (!r.lcores.empty()) {
    lcores =
        absl::StrFormat(",\n%s\"per_lcore\": %s", indent, LcoresJson(r.lcores));
  }
  return CpsCore(p, indent) + lcores;
}

std::string CpsCore(const CpsPoint& p, const std::string& indent) {
  const CpsResult& r = p.result;
  return absl::StrFormat(
      "%s\"concurrency\": %d,\n%s\"conn_per_s\": %s,\n%s\"p50_us\": %s,\n"
      "%s\"p99_us\": %s,\n%s\"p999_us\": %s,\n%s\"connections\": %u,\n"
      "%s\"errors\": %u",
      indent, p.concurrency, indent, Num(r.conn_per_s()), indent,
      Num(Us(r.latency_ns.Percentile(0.5))), indent,
      Num(Us(r.latency_ns.Percentile(0.99))), indent,
      Num(Us(r.latency_ns.Percentile(0.999))), indent, r.connections, indent,
      r.errors);
}

// One rr point: "concurrency" (connections), "req_per_s",
// "req_per_s_per_server_core", "server_cores", "p50_us", "p99_us",
// "p999_us" (request latency) and "requests".
std::string RrFields(const RrPoint& p, const std::string& indent) {
  const RrResult& r = p.result;
  return absl::StrFormat(
      "%s\"concurrency\": %d,\n%s\"req_per_s\": %s,\n"
      "%s\"req_per_s_per_server_core\": %s,\n%s\"server_cores\": %d,\n"
      "%s\"p50_us\": %s,\n%s\"p99_us\": %s,\n%s\"p999_us\": %s,\n"
      "%s\"requests\": %u",
      indent, p.concurrency, indent, Num(r.req_per_s()), indent,
      Num(r.req_per_s_per_server_core()), indent, r.server_cores, indent,
      Num(Us(r.rtt_ns.Percentile(0.5))), indent,
      Num(Us(r.rtt_ns.Percentile(0.99))), indent,
      Num(Us(r.rtt_ns.Percentile(0.999))), indent, r.round_trips);
}

std::string ParamsJson(const RunParams& p, const StackReport& s) {
  std::vector<std::string> modes, conc;
  for (const auto& m : p.modes) modes.push_back(Quote(m));
  for (int c : p.concurrency) conc.push_back(absl::StrCat(c));
  return absl::StrFormat(
      "{\n      \"modes\": [%s],\n      \"duration_s\": %s,\n"
      "      \"warmup_s\": %s,\n      \"concurrency\": [%s],\n"
      "      \"lcores\": %d,\n      \"cores\": %d,\n      \"kernel\": %s,\n    "
      "  \"cpu_model\": %s,\n"
      "      \"client_core\": %d,\n      \"server_core\": %d,\n"
      "      \"pinned\": %s,\n      \"page_bytes\": %u,\n"
      "      \"bulk_write_bytes\": %u,\n      \"rr_message_bytes\": %u,\n"
      "      \"target\": %s,\n      \"setup\": %s,\n      \"command\": %s\n"
      "    }",
      absl::StrJoin(modes, ", "), Num(p.window.duration_s),
      Num(p.window.warmup_s), absl::StrJoin(conc, ", "), p.lcores,
      p.machine.cores, Quote(p.machine.kernel), Quote(p.machine.cpu_model),
      p.placement.client_core, p.placement.server_core,
      p.placement.pin ? "true" : "false", kPageSize, p.bulk_write_size,
      p.rr_message_size, p.target ? Quote(p.target->ToString()) : "null",
      Quote(s.description), Quote(p.command));
}

std::string StackJson(const RunParams& p, const StackReport& s) {
  std::string out = "{\n";
  const CpsPoint* best = s.BestCps();
  if (best != nullptr) {
    out += CpsFields(*best, "    ") + ",\n";
  } else {
    out +=
        "    \"conn_per_s\": null,\n    \"p50_us\": null,\n"
        "    \"p99_us\": null,\n    \"p999_us\": null,\n";
  }
  out += "    \"gbit_per_s\": " +
         (s.bulk ? Num(s.bulk->gbit_per_s()) : std::string("null")) + ",\n";
  if (s.bulk && !s.bulk->lcores.empty()) {
    out += "    \"bulk_per_lcore\": " + LcoresJson(s.bulk->lcores) + ",\n";
  }
  // The classic rr keys carry the point with the fewest connections (the
  // latency figure); rr_sweep has every point.
  if (const RrPoint* rr = s.FewestRr()) {
    out += absl::StrFormat(
        "    \"rtt_p50_us\": %s,\n    \"rtt_p99_us\": %s,\n"
        "    \"round_trips\": %u,\n",
        Num(Us(rr->result.rtt_ns.Percentile(0.5))),
        Num(Us(rr->result.rtt_ns.Percentile(0.99))), rr->result.round_trips);
  } else {
    out += "    \"rtt_p50_us\": null,\n    \"rtt_p99_us\": null,\n";
  }
  out += "    \"cps_sweep\": [";
  for (size_t i = 0; i < s.cps.size(); ++i) {
    out += i ? ",\n      {\n" : "\n      {\n";
    out += CpsFields(s.cps[i], "        ") + "\n      }";
  }
  out += s.cps.empty() ? "],\n" : "\n    ],\n";
  out += "    \"rr_sweep\": [";
  for (size_t i = 0; i < s.rr.size(); ++i) {
    out += i ? ",\n      {\n" : "\n      {\n";
    out += RrFields(s.rr[i], "        ") + "\n      }";
  }
  out += s.rr.empty() ? "],\n" : "\n    ],\n";
  out += "    \"params\": " + ParamsJson(p, s) + "\n  }";
  return out;
}

}  // namespace

std::string FormatJson(const RunParams& params,
                       const std::vector<StackReport>& stacks) {
  const StackReport* skiff = Find(stacks, "skiff");
  const StackReport* linux_stack = Find(stacks, "linux");
  return absl::StrFormat(
      "{\n  \"skiff\": %s,\n  \"linux\": %s\n}\n",
      skiff ? StackJson(params, *skiff) : std::string("null"),
      linux_stack ? StackJson(params, *linux_stack) : std::string("null"));
}

}  // namespace skiff::bench
