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
#include <atomic>
#include <csignal>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_format.h"
#include "apps/common/pcap_flags.h"
#include "apps/get/client.h"
#include "drivers/dpdk/dpdk_port.h"
#include "drivers/dpdk/eal.h"
#include "stack/base/clock.h"
#include "stack/stack.h"
#include "stack/stack_config.h"
#include "stack/wire/addr.h"

ABSL_FLAG(std::string, ip, "", "our address and prefix, e.g. 10.88.0.2/24");
ABSL_FLAG(std::string, gateway, "", "default gateway, e.g. 10.88.0.1");
ABSL_FLAG(std::string, output, "", "write the body here (default: stdout)");
ABSL_FLAG(int, count, 1, "fetches to make (one connection each)");
ABSL_FLAG(int, concurrency, 1, "fetches in flight at once");
ABSL_FLAG(int, timeout_ms, 10000, "per-fetch timeout, connect included");
ABSL_FLAG(int, dpdk_port, 0, "DPDK port id to run on");
ABSL_FLAG(int, link_wait_ms, 5000, "how long to wait for the link to come up");

namespace skiff {
namespace {

// A signal handler can only reach static storage (see skiff-httpd).
std::atomic<bool> stop_requested{false};
void OnSignal(int) { stop_requested.store(true, std::memory_order_relaxed); }

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

int Run(const StackConfig& sc, const GetConfig& gc, const std::string& output,
        uint16_t dpdk_port, Duration link_wait) {
  if (DpdkPortCount() == 0) {
    std::fprintf(stderr,
                 "skiff-get: no DPDK port: give a --vdev (e.g. "
                 "--vdev=net_af_packet0,iface=skiff0)\n");
    return 1;
  }
  FILE* out = stdout;
  if (!output.empty()) {
    out = std::fopen(output.c_str(), "wb");
    if (out == nullptr) {
      std::fprintf(stderr, "skiff-get: cannot write %s\n", output.c_str());
      return 1;
    }
  }
  DpdkPortConfig pc;
  pc.port_id = dpdk_port;
  absl::StatusOr<std::unique_ptr<DpdkPort>> port = DpdkPort::Open(pc);
  if (!port.ok()) {
    std::fprintf(stderr, "skiff-get: %s\n", port.status().ToString().c_str());
    return 1;
  }
  (*port)->WaitForLink(link_wait);
  MonotonicClock clock;
  absl::StatusOr<std::unique_ptr<CaptureDevice>> capture =
      CaptureFromFlags(**port, clock);
  if (!capture.ok()) {
    std::fprintf(stderr, "skiff-get: %s\n",
                 capture.status().ToString().c_str());
    return 1;
  }
  Stack stack(*capture ? static_cast<Device&>(**capture) : **port, sc);
  bool write_failed = false;
  HttpGetClient client(stack, gc, [&](std::string_view data) {
    if (std::fwrite(data.data(), 1, data.size(), out) != data.size())
      write_failed = true;
  });
  stack.Start(clock.Now());
  const Instant start = clock.Now();
  client.Start(start);
  while (!client.done() && !stop_requested.load(std::memory_order_relaxed)) {
    client.Poll(clock.Now());
  }
  const Duration elapsed = clock.Now() - start;
  // Let the last ACKs and FINs (step 6) reach the wire.
  const Instant flush_end = clock.Now() + Duration::Millis(100);
  while (clock.Now() < flush_end) client.Poll(clock.Now());
  if (out != stdout) std::fclose(out);
  std::fflush(stdout);
  FinishCapture(capture->get(), stderr);  // stdout may carry the body

  if (stop_requested.load()) {
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
  absl::SetProgramUsageMessage(
      "skiff-get [EAL args] -- --ip=10.88.0.2/24 [--gateway=IP] "
      "http://A.B.C.D[:port]/path [--output=FILE] [--count=N] "
      "[--concurrency=C]");
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  int consumed = 0;
  absl::StatusOr<std::unique_ptr<Eal>> eal = Eal::Init(argc, argv, &consumed);
  if (!eal.ok()) {
    std::fprintf(stderr, "skiff-get: %s\n", eal.status().ToString().c_str());
    return 1;
  }
  std::vector<char*> rest =
      absl::ParseCommandLine(argc - consumed, argv + consumed);
  if (rest.size() != 2) {
    std::fprintf(stderr, "skiff-get: give exactly one URL\n");
    return 2;
  }
  StackConfig sc;
  const std::string ip = absl::GetFlag(FLAGS_ip);
  std::optional<Ipv4Cidr> cidr = Ipv4Cidr::Parse(ip);
  if (!cidr) {
    std::fprintf(stderr, "skiff-get: --ip=A.B.C.D/N is required\n");
    return 2;
  }
  sc.address = *cidr;
  if (const std::string gw = absl::GetFlag(FLAGS_gateway); !gw.empty()) {
    sc.gateway = Ipv4Address::Parse(gw);
    if (!sc.gateway) {
      std::fprintf(stderr, "skiff-get: bad --gateway\n");
      return 2;
    }
  }
  absl::StatusOr<Url> url = ParseUrl(rest[1]);
  if (!url.ok()) {
    std::fprintf(stderr, "skiff-get: %s\n",
                 std::string(url.status().message()).c_str());
    return 2;
  }
  GetConfig gc;
  gc.url = *url;
  const int count = absl::GetFlag(FLAGS_count);
  const int conc = absl::GetFlag(FLAGS_concurrency);
  const int timeout = absl::GetFlag(FLAGS_timeout_ms);
  const int dpdk_port = absl::GetFlag(FLAGS_dpdk_port);
  if (count < 1 || conc < 1 || timeout < 1 || dpdk_port < 0 ||
      dpdk_port > 65535) {
    std::fprintf(stderr,
                 "skiff-get: --count, --concurrency, --timeout_ms must be "
                 ">= 1\n");
    return 2;
  }
  gc.count = static_cast<uint32_t>(count);
  gc.concurrency = static_cast<uint32_t>(conc);
  gc.timeout = Duration::Millis(timeout);
  return Run(sc, gc, absl::GetFlag(FLAGS_output),
             static_cast<uint16_t>(dpdk_port),
             Duration::Millis(absl::GetFlag(FLAGS_link_wait_ms)));
}

}  // namespace
}  // namespace skiff

int main(int argc, char** argv) { return skiff::Main(argc, argv); }
