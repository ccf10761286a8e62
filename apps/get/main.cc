// skiff-get: the demo client (DESIGN.md, Apps; steps 2, 5 and 6).
//
//   skiff-get [EAL args] -- --ip=10.88.0.2/24 [--gateway=IP] URL
//             [--output=FILE] [--count=N] [--concurrency=C] [--timeout_ms=T]
//
// Fetches http://A.B.C.D[:port]/path over skiff on DPDK port 0 and writes
// the body to FILE (stdout without --output). With --count it fetches N
// times, C at a time, writes only the first body and reports connections/s
// and latency percentiles. Exit 0 on a 2xx/3xx answer; 1 with a message
// on refusal, timeout, a bad or truncated response or a 4xx/5xx status.
#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_format.h"
#include "apps/common/app_host.h"
#include "apps/common/lcore_group.h"
#include "apps/common/lcore_start.h"
#include "apps/common/pcap_flags.h"
#include "apps/get/client.h"
#include "stack/base/clock.h"
#include "stack/stack_core.h"

// --ip, --gateway, --dpdk_port, --link_wait_ms, --mbufs and --pcap are the
// host flags (apps/common/app_host.h).
ABSL_FLAG(std::string, output, "", "write the body here (default: stdout)");
ABSL_FLAG(int, count, 1, "fetches to make (one connection each)");
ABSL_FLAG(int, concurrency, 1, "fetches in flight at once");
ABSL_FLAG(int, timeout_ms, 10000, "per-fetch timeout, connect included");

namespace skiff {
namespace {

constexpr char kName[] = "skiff-get";

void Report(const GetStats& st, Duration elapsed, uint32_t count) {
  std::vector<Duration> lat = st.latencies;
  std::sort(lat.begin(), lat.end());
  auto pct = [&](double p) {
    if (lat.empty()) return 0.0;
    size_t i = std::min(lat.size() - 1, static_cast<size_t>(p * lat.size()));
    return static_cast<double>(lat[i].nanos()) / 1e6;
  };
  const double secs = std::max(elapsed.seconds(), 1e-9);
  std::fprintf(stderr,
               "skiff-get: %lu of %u fetches in %.3f s: %.0f connections/s, "
               "%.1f MB/s; latency ms p50 %.3f p90 %.3f p99 %.3f max %.3f\n",
               st.completed, count, secs, st.completed / secs,
               st.body_bytes / secs / 1e6, pct(0.5), pct(0.9), pct(0.99),
               lat.empty() ? 0.0 : lat.back().nanos() / 1e6);
}

// --count on several EAL lcores (issue 10): one StackCore and one client per
// lcore on the port's queue pairs (apps/common/lcore_group.h), the fetches
// split between them. Each lcore's connections use ports whose replies come
// back to its own queue. Bodies are not written (use one lcore for that);
// --pcap writes a file per lcore (LcorePcapPath).
int RunLcores(const AppHost& host, const GetConfig& gc, uint16_t n) {
  MonotonicClock clock;
  absl::StatusOr<StartedLcores> started =
      StartLcores("skiff-get", host.lcore_config(), host.lcore_config().stack,
                  n, clock.Now());
  if (!started.ok()) {
    std::fprintf(stderr, "skiff-get: %s\n",
                 started.status().ToString().c_str());
    return 1;
  }
  LcoreGroup& group = *started->group;
  std::vector<std::unique_ptr<HttpGetClient>> clients;
  for (uint16_t k = 0; k < n; ++k) {
    GetConfig c = gc;
    c.count = gc.count / n + (k < gc.count % n ? 1 : 0);
    c.concurrency = std::max<uint32_t>(1, gc.concurrency / n);
    clients.push_back(std::make_unique<HttpGetClient>(group.stack(k), c,
                                                      [](std::string_view) {}));
  }
  const Instant start = clock.Now();
  std::vector<Instant> ended(n, start);
  absl::Status run = group.Run([&](uint16_t k, Instant now) {
    HttpGetClient& c = *clients[k];
    if (c.stats().completed == 0 && c.in_flight() == 0 && !c.failed() &&
        ended[k] == start) {
      c.Start(now);
      ended[k] = Instant::Max();
    }
    if (!c.done() && !AppHost::stop_requested()) {
      c.Poll(now);
      return true;
    }
    if (ended[k] == Instant::Max()) ended[k] = now;
    c.Poll(now);  // the last ACKs and FINs (step 6)
    return now < ended[k] + Duration::Millis(100);
  });
  if (!run.ok()) {
    std::fprintf(stderr, "skiff-get: %s\n", run.ToString().c_str());
    return 1;
  }
  GetStats all;
  Instant last = start;
  for (uint16_t k = 0; k < n; ++k) {
    const GetStats& st = clients[k]->stats();
    all.completed += st.completed;
    all.body_bytes += st.body_bytes;
    all.latencies.insert(all.latencies.end(), st.latencies.begin(),
                         st.latencies.end());
    if (all.first_status == 0) all.first_status = st.first_status;
    last = std::max(last, ended[k]);
  }
  std::fprintf(stderr, "counters:\n%s%s", group.FormatCounters().c_str(),
               group.FormatDispatch().c_str());
  for (uint16_t k = 0; k < n; ++k) {
    std::fprintf(stderr, "lcore %u: %lu fetches, tcp resets_in %lu\n", k,
                 clients[k]->stats().completed,
                 group.stack(k).counters().tcp.resets_in);
  }
  Report(all, last - start, gc.count);
  started->captures->Finish(stderr);
  if (AppHost::stop_requested()) {
    std::fprintf(stderr, "skiff-get: interrupted\n");
    return 130;
  }
  for (const auto& c : clients) {
    if (c->failed()) {
      std::fprintf(stderr, "skiff-get: %s\n", c->error().c_str());
      return 1;
    }
  }
  return all.first_status >= 400 ? 1 : 0;
}

int Run(const AppHost& host, const GetConfig& gc, const std::string& output) {
  if (const uint16_t n = StackLcores(host.eal().args());
      n > 1 && gc.count >= n) {
    return RunLcores(host, gc, n);
  }
  FILE* out = stdout;
  if (!output.empty()) {
    out = std::fopen(output.c_str(), "wb");
    if (out == nullptr) {
      std::fprintf(stderr, "skiff-get: cannot write %s\n", output.c_str());
      return 1;
    }
  }
  absl::StatusOr<std::unique_ptr<LcoreHost>> opened =
      LcoreHost::Open(host.lcore_config());
  if (!opened.ok()) {
    if (out != stdout) std::fclose(out);
    std::fprintf(stderr, "skiff-get: %s\n", opened.status().ToString().c_str());
    return 1;
  }
  LcoreHost& lcore = **opened;
  bool write_failed = false;
  HttpGetClient client(lcore.stack(), gc, [&](std::string_view data) {
    if (std::fwrite(data.data(), 1, data.size(), out) != data.size())
      write_failed = true;
  });
  const Instant start = lcore.Now();
  client.Start(start);
  lcore.Run([&](Instant now) {
    if (client.done()) return false;
    client.Poll(now);
    return true;
  });
  const Duration elapsed = lcore.Now() - start;
  // Let the last ACKs and FINs (step 6) reach the wire.
  lcore.RunFor(Duration::Millis(100), [&](Instant now) {
    client.Poll(now);
    return true;
  });
  if (out != stdout) std::fclose(out);
  std::fflush(stdout);
  lcore.FinishCapture(stderr);  // stdout may carry the body

  if (AppHost::stop_requested()) {
    std::fprintf(stderr, "skiff-get: interrupted\n");
    return 130;
  }
  if (client.failed()) {
    std::fprintf(stderr, "skiff-get: %s\n", client.error().c_str());
    return 1;
  }
  if (write_failed) {
    std::fprintf(stderr, "skiff-get: writing the body failed\n");
    return 1;
  }
  const GetStats& st = client.stats();
  if (gc.count > 1) {
    Report(st, elapsed, gc.count);
  } else {
    std::fprintf(stderr, "skiff-get: %d %s, %lu bytes in %.3f ms\n",
                 st.first_status, st.first_reason.c_str(), st.body_bytes,
                 elapsed.nanos() / 1e6);
  }
  if (st.first_status >= 400) {
    std::fprintf(stderr, "skiff-get: the server answered %d %s\n",
                 st.first_status, st.first_reason.c_str());
    return 1;
  }
  return 0;
}

int Main(int argc, char** argv) {
  absl::StatusOr<std::unique_ptr<AppHost>> host = AppHost::Start(
      argc, argv,
      {.name = kName,
       .usage = "skiff-get [EAL args] -- --ip=10.88.0.2/24 [--gateway=IP] "
                "http://A.B.C.D[:port]/path [--output=FILE] [--count=N] "
                "[--concurrency=C]"});
  if (!host.ok()) return AppHost::Fail(kName, host.status());
  const std::vector<char*>& rest = (*host)->args();
  if (rest.size() != 2) {
    std::fprintf(stderr, "skiff-get: give exactly one URL\n");
    return 2;
  }
  absl::StatusOr<Url> url = ParseUrl(rest[1]);
  if (!url.ok()) return AppHost::Fail(kName, url.status());
  GetConfig gc;
  gc.url = *url;
  const int count = absl::GetFlag(FLAGS_count);
  const int conc = absl::GetFlag(FLAGS_concurrency);
  const int timeout = absl::GetFlag(FLAGS_timeout_ms);
  if (count < 1 || conc < 1 || timeout < 1) {
    std::fprintf(stderr,
                 "skiff-get: --count, --concurrency, --timeout_ms must be "
                 ">= 1\n");
    return 2;
  }
  gc.count = static_cast<uint32_t>(count);
  gc.concurrency = static_cast<uint32_t>(conc);
  gc.timeout = Duration::Millis(timeout);
  return Run(**host, gc, absl::GetFlag(FLAGS_output));
}

}  // namespace
}  // namespace skiff

int main(int argc, char** argv) { return skiff::Main(argc, argv); }
