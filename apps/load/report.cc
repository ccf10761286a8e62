#include "apps/load/report.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace skiff::load {
namespace {

double PerSecond(uint64_t n, double seconds) {
  return seconds > 0 ? static_cast<double>(n) / seconds : 0.0;
}

std::string ErrorsBrief(const LoadCounters& c) {
  std::string out;
  for (size_t i = 0; i < kErrorKinds; ++i) {
    if (c.errors[i] == 0) continue;
    absl::StrAppend(&out, out.empty() ? "" : " ",
                    std::string(ErrorKindName(static_cast<ErrorKind>(i))), "=",
                    c.errors[i]);
  }
  return out;
}

std::string Us(uint64_t ns) {
  return absl::StrFormat("%.1f", static_cast<double>(ns) / 1e3);
}

}  // namespace

std::string FormatLive(const LoadSample& s) {
  const std::string errs = ErrorsBrief(s.delta);
  return absl::StrFormat(
      "%6.1fs conn/s %8.0f req/s %8.0f active %6u held %6u err %u%s rtx %u "
      "p50 %sus p99 %sus",
      s.t, PerSecond(s.delta.conns_opened, s.seconds),
      PerSecond(s.delta.requests_done, s.seconds), s.active, s.held,
      s.delta.error_total(), errs.empty() ? "" : " (" + errs + ")",
      s.retransmits, Us(s.p50_ns), Us(s.p99_ns));
}

std::string FormatFinal(const RunSummary& r) {
  const LoadCounters& t = r.totals;
  const bench::Histogram& h = *r.latency;
  std::string out = absl::StrFormat(
      "skiff-load %s to %s:%u, %.3f s (%.3f s with the drain)\n",
      std::string(WorkloadName(r.config.workload)), r.config.server.ToString(),
      r.config.port, r.seconds, r.elapsed);
  auto row = [&](const std::string& name, const std::string& value) {
    absl::StrAppendFormat(&out, "  %-22s %s\n", name, value);
  };
  row("connections opened", absl::StrCat(t.conns_opened));
  row("connections est.", absl::StrCat(t.conns_established));
  row("connections/s",
      absl::StrFormat("%.0f", PerSecond(t.conns_opened, r.seconds)));
  row("max held", absl::StrCat(r.max_held));
  row("requests sent", absl::StrCat(t.requests_sent));
  row("requests completed", absl::StrCat(t.requests_done));
  row("requests/s",
      absl::StrFormat("%.0f", PerSecond(t.requests_done, r.seconds)));
  row("throughput in/out",
      absl::StrFormat("%.1f / %.1f Mbit/s",
                      PerSecond(t.bytes_in, r.seconds) * 8 / 1e6,
                      PerSecond(t.bytes_out, r.seconds) * 8 / 1e6));
  for (size_t i = 0; i < kErrorKinds; ++i)
    row(absl::StrCat("errors ",
                     std::string(ErrorKindName(static_cast<ErrorKind>(i)))),
        absl::StrCat(t.errors[i]));
  row("retransmits", absl::StrCat(r.retransmits));
  row("latency us min/mean",
      absl::StrFormat("%s / %.1f", Us(h.min()), h.mean() / 1e3));
  row("latency us p50/p90",
      absl::StrCat(Us(h.Percentile(0.5)), " / ", Us(h.Percentile(0.9))));
  row("latency us p99/p99.9",
      absl::StrCat(Us(h.Percentile(0.99)), " / ", Us(h.Percentile(0.999))));
  row("latency us max", Us(h.max()));
  return out;
}

std::string ToJson(const RunSummary& r) {
  const LoadCounters& t = r.totals;
  const bench::Histogram& h = *r.latency;
  std::string out = absl::StrFormat(
      "{\n  \"workload\": \"%s\",\n  \"server\": \"%s:%u\",\n"
      "  \"concurrency\": %u,\n  \"target_rate\": %.3f,\n"
      "  \"seconds\": %.6f,\n  \"elapsed_seconds\": %.6f,\n"
      "  \"conns_opened\": %u,\n"
      "  \"conns_established\": %u,\n  \"max_held\": %u,\n"
      "  \"requests_sent\": %u,\n  \"requests_completed\": %u,\n"
      "  \"conn_per_s\": %.3f,\n  \"req_per_s\": %.3f,\n"
      "  \"bytes_in\": %u,\n  \"bytes_out\": %u,\n  \"retransmits\": %u,\n",
      std::string(WorkloadName(r.config.workload)), r.config.server.ToString(),
      r.config.port, r.config.concurrency, r.config.rate, r.seconds, r.elapsed,
      t.conns_opened, t.conns_established, r.max_held, t.requests_sent,
      t.requests_done, PerSecond(t.conns_opened, r.seconds),
      PerSecond(t.requests_done, r.seconds), t.bytes_in, t.bytes_out,
      r.retransmits);
  absl::StrAppend(&out, "  \"errors\": {");
  for (size_t i = 0; i < kErrorKinds; ++i)
    absl::StrAppend(&out, i ? ", " : "", "\"",
                    std::string(ErrorKindName(static_cast<ErrorKind>(i))),
                    "\": ", t.errors[i]);
  absl::StrAppendFormat(
      &out,
      "},\n  \"errors_total\": %u,\n  \"latency_us\": {\"min\": %s, "
      "\"mean\": %.3f, \"p50\": %s, \"p90\": %s, \"p99\": %s, \"p999\": %s, "
      "\"max\": %s},\n  \"per_second\": [",
      t.error_total(), Us(h.min()), h.mean() / 1e3, Us(h.Percentile(0.5)),
      Us(h.Percentile(0.9)), Us(h.Percentile(0.99)), Us(h.Percentile(0.999)),
      Us(h.max()));
  for (size_t i = 0; i < r.samples.size(); ++i) {
    const LoadSample& s = r.samples[i];
    absl::StrAppendFormat(
        &out,
        "%s\n    {\"t\": %.3f, \"conn_per_s\": %.1f, \"req_per_s\": %.1f, "
        "\"active\": %u, \"held\": %u, \"errors\": %u, \"retransmits\": %u, "
        "\"p50_us\": %s, \"p99_us\": %s}",
        i ? "," : "", s.t, PerSecond(s.delta.conns_opened, s.seconds),
        PerSecond(s.delta.requests_done, s.seconds), s.active, s.held,
        s.delta.error_total(), s.retransmits, Us(s.p50_ns), Us(s.p99_ns));
  }
  absl::StrAppend(&out, "\n  ]\n}\n");
  return out;
}

std::string ToCsv(const RunSummary& r) {
  std::string out =
      "t,conn_per_s,req_per_s,active,held,errors,refused,timeout,reset,"
      "bad_status,parse,closed,other,retransmits,p50_us,p99_us,bytes_in,"
      "bytes_out\n";
  for (const LoadSample& s : r.samples) {
    absl::StrAppendFormat(&out, "%.3f,%.1f,%.1f,%u,%u,%u", s.t,
                          PerSecond(s.delta.conns_opened, s.seconds),
                          PerSecond(s.delta.requests_done, s.seconds), s.active,
                          s.held, s.delta.error_total());
    for (uint64_t e : s.delta.errors) absl::StrAppend(&out, ",", e);
    absl::StrAppend(&out, ",", s.retransmits, ",", Us(s.p50_ns), ",",
                    Us(s.p99_ns), ",", s.delta.bytes_in, ",", s.delta.bytes_out,
                    "\n");
  }
  return out;
}

absl::Status WriteFile(const std::string& path, const std::string& text) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr) return absl::UnavailableError("cannot write " + path);
  const bool ok = std::fwrite(text.data(), 1, text.size(), f) == text.size();
  if (std::fclose(f) != 0 || !ok)
    return absl::DataLossError("writing " + path + " failed");
  return absl::OkStatus();
}

}  // namespace skiff::load
