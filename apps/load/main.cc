// skiff-load: a connection-rate load generator for other people's servers,
// with skiff's own TCP on a DPDK port (one lcore).
//
//   skiff-load [EAL args] -- --ip=10.88.0.2/24 [--gateway=IP]
//       http://A.B.C.D[:port]/path | tcp://A.B.C.D:port
//       [--workload=cps|rps|cc|bulk] [--concurrency=C] [--rate=R]
//       [--duration_s=S] [--count=N] [--ramp_s=S] [--close=fin|rst]
//       [--src_ips=10.88.0.2-10.88.0.5] [--json=F] [--csv=F] [--plot=F.png]
//       [--max_errors=N] [--max_error_ratio=X]
//
// Prints a live line per second and a final table. Exit 0; 3 when errors
// exceed --max_errors or --max_error_ratio; 1 on a start-up failure.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "apps/common/pcap_flags.h"
#include "apps/get/client.h"
#include "apps/load/engine.h"
#include "apps/load/report.h"
#include "drivers/dpdk/dpdk_port.h"
#include "drivers/dpdk/eal.h"
#include "stack/base/clock.h"
#include "stack/stack_core.h"

ABSL_FLAG(std::string, ip, "", "our address and prefix, e.g. 10.88.0.2/24");
ABSL_FLAG(std::string, gateway, "", "default gateway");
ABSL_FLAG(std::string, src_ips, "",
          "local addresses to connect from, round robin: A-B and/or A,B "
          "(all in --ip's subnet; default: --ip's address)");
ABSL_FLAG(std::string, workload, "cps", "cps, rps, cc or bulk");
ABSL_FLAG(std::string, close, "fin", "how we close: fin or rst");
ABSL_FLAG(int, concurrency, 16,
          "cps: requests in flight (closed loop); rps/cc/bulk: connections");
ABSL_FLAG(double, rate, 0,
          "open loop: new connections/s (cps) or requests/s (rps); 0: "
          "closed loop");
ABSL_FLAG(int, max_in_flight, 100000, "open loop: requests in flight at most");
ABSL_FLAG(double, duration_s, 10, "how long to run");
ABSL_FLAG(int64_t, count, 0, "stop after this many requests (0: no bound)");
ABSL_FLAG(double, ramp_s, 0, "climb to the rate or concurrency over this");
ABSL_FLAG(int, timeout_ms, 5000, "per request, connect included");
ABSL_FLAG(int, keepalive_ms, 1000, "cc: request period per connection");
ABSL_FLAG(int, drain_ms, 2000, "after the run, time for answers in flight");
ABSL_FLAG(int, raw_send, 64, "tcp://: bytes per request (bulk: per write)");
ABSL_FLAG(int, raw_recv, 64, "tcp://: bytes that complete an answer");
ABSL_FLAG(int, time_wait_ms, 60000, "TIME-WAIT of connections we close first");
ABSL_FLAG(std::string, json, "", "write the results as JSON here");
ABSL_FLAG(std::string, csv, "", "write one row per second here");
ABSL_FLAG(std::string, plot, "", "draw rates and latency to this PNG");
ABSL_FLAG(int64_t, max_errors, -1, "exit 3 when errors exceed this (-1: off)");
ABSL_FLAG(double, max_error_ratio, -1,
          "exit 3 when errors / requests exceed this (-1: off)");
ABSL_FLAG(bool, quiet, false, "no live line");
ABSL_FLAG(int, dpdk_port, 0, "DPDK port id to run on");
ABSL_FLAG(int, mbufs, 65535, "mbufs in the port's pool");
ABSL_FLAG(int, link_wait_ms, 5000, "how long to wait for the link");

namespace skiff::load {
namespace {

std::atomic<bool> stop_requested{false};
void OnSignal(int) { stop_requested.store(true, std::memory_order_relaxed); }

int Usage(const std::string& why) {
  std::fprintf(stderr, "skiff-load: %s\n", why.c_str());
  return 2;
}

// The target: http://... (HTTP) or tcp://ip:port (raw).
bool ParseTarget(const std::string& text, LoadConfig& lc, std::string* why) {
  std::string url = text;
  if (url.rfind("tcp://", 0) == 0) {
    lc.protocol = Protocol::kRaw;
    url = "http://" + url.substr(6);
  }
  absl::StatusOr<Url> u = ParseUrl(url);
  if (!u.ok()) {
    *why = std::string(u.status().message());
    return false;
  }
  lc.server = u->ip;
  lc.port = u->port;
  lc.path = u->path;
  lc.host = u->host;
  return true;
}

std::optional<LoadConfig> ConfigFromFlags(const std::string& target,
                                          std::string* why) {
  LoadConfig lc;
  if (!ParseTarget(target, lc, why)) return std::nullopt;
  std::optional<Workload> w = ParseWorkload(absl::GetFlag(FLAGS_workload));
  const std::string close = absl::GetFlag(FLAGS_close);
  if (!w || (close != "fin" && close != "rst")) {
    *why = "--workload is cps|rps|cc|bulk, --close is fin|rst";
    return std::nullopt;
  }
  lc.workload = *w;
  lc.close = close == "rst" ? CloseMode::kRst : CloseMode::kFin;
  const int conc = absl::GetFlag(FLAGS_concurrency);
  const double rate = absl::GetFlag(FLAGS_rate);
  if (conc < 1 || rate < 0 || absl::GetFlag(FLAGS_duration_s) <= 0 ||
      absl::GetFlag(FLAGS_timeout_ms) < 1 ||
      absl::GetFlag(FLAGS_raw_send) < 0 || absl::GetFlag(FLAGS_raw_recv) < 1 ||
      absl::GetFlag(FLAGS_max_in_flight) < 1) {
    *why = "--concurrency, --duration_s, --timeout_ms, --raw_recv must be > 0";
    return std::nullopt;
  }
  lc.concurrency = static_cast<uint32_t>(conc);
  lc.rate = rate;
  lc.max_in_flight = static_cast<uint32_t>(absl::GetFlag(FLAGS_max_in_flight));
  auto secs = [](double s) {
    return Duration::Nanos(static_cast<int64_t>(s * 1e9));
  };
  lc.duration = secs(absl::GetFlag(FLAGS_duration_s));
  lc.ramp = secs(absl::GetFlag(FLAGS_ramp_s));
  lc.count =
      static_cast<uint64_t>(std::max<int64_t>(0, absl::GetFlag(FLAGS_count)));
  lc.timeout = Duration::Millis(absl::GetFlag(FLAGS_timeout_ms));
  lc.keepalive_interval = Duration::Millis(absl::GetFlag(FLAGS_keepalive_ms));
  lc.drain = Duration::Millis(absl::GetFlag(FLAGS_drain_ms));
  lc.raw_send = static_cast<size_t>(absl::GetFlag(FLAGS_raw_send));
  lc.raw_recv = static_cast<size_t>(absl::GetFlag(FLAGS_raw_recv));
  if (const std::string src = absl::GetFlag(FLAGS_src_ips); !src.empty()) {
    std::optional<std::vector<Ipv4Address>> list = ParseAddressList(src);
    if (!list) {
      *why = "bad --src_ips (A-B or A,B,...)";
      return std::nullopt;
    }
    lc.sources = *list;
  }
  return lc;
}

void WriteOutputs(const RunSummary& sum) {
  if (const std::string f = absl::GetFlag(FLAGS_json); !f.empty())
    if (absl::Status st = WriteFile(f, ToJson(sum)); !st.ok())
      std::fprintf(stderr, "skiff-load: %s\n", st.ToString().c_str());
  std::string csv = absl::GetFlag(FLAGS_csv);
  const std::string png = absl::GetFlag(FLAGS_plot);
  if (csv.empty() && !png.empty()) csv = png + ".csv";
  if (!csv.empty())
    if (absl::Status st = WriteFile(csv, ToCsv(sum)); !st.ok())
      std::fprintf(stderr, "skiff-load: %s\n", st.ToString().c_str());
  if (!png.empty()) {
    const std::string cmd =
        absl::StrCat("/usr/bin/python3 ", SKIFF_LOAD_PLOT_SCRIPT, " '", csv,
                     "' '", png, "'");
    if (std::system(cmd.c_str()) != 0)
      std::fprintf(stderr, "skiff-load: plotting failed: %s\n", cmd.c_str());
  }
}

// Exit 3 when the errors pass a bound given on the command line.
int ExitCode(const LoadCounters& t) {
  const int64_t max = absl::GetFlag(FLAGS_max_errors);
  const double ratio = absl::GetFlag(FLAGS_max_error_ratio);
  const uint64_t errs = t.error_total();
  if (max >= 0 && errs > static_cast<uint64_t>(max)) return 3;
  if (ratio >= 0 && t.requests_sent > 0 &&
      static_cast<double>(errs) / static_cast<double>(t.requests_sent) > ratio)
    return 3;
  return 0;
}

int Run(const StackConfig& sc, const LoadConfig& lc) {
  if (DpdkPortCount() == 0) {
    std::fprintf(stderr, "skiff-load: no DPDK port: give a --vdev\n");
    return 1;
  }
  DpdkPortConfig pc;
  pc.port_id = static_cast<uint16_t>(absl::GetFlag(FLAGS_dpdk_port));
  pc.pool.size = static_cast<uint32_t>(absl::GetFlag(FLAGS_mbufs));
  absl::StatusOr<std::unique_ptr<DpdkPort>> port = DpdkPort::Open(pc);
  if (!port.ok()) {
    std::fprintf(stderr, "skiff-load: %s\n", port.status().ToString().c_str());
    return 1;
  }
  (*port)->WaitForLink(Duration::Millis(absl::GetFlag(FLAGS_link_wait_ms)));
  MonotonicClock clock;
  absl::StatusOr<std::unique_ptr<CaptureDevice>> capture =
      CaptureFromFlags(**port, clock);
  if (!capture.ok()) {
    std::fprintf(stderr, "skiff-load: %s\n",
                 capture.status().ToString().c_str());
    return 1;
  }
  StackCore stack(*capture ? static_cast<Device&>(**capture) : **port, sc);
  LoadEngine engine(stack, lc);
  stack.Start(clock.Now());
  RunSummary sum;
  sum.config = lc;
  const bool quiet = absl::GetFlag(FLAGS_quiet);
  const Instant start = clock.Now();
  engine.Start(start);
  Instant next_sample = start + Duration::Seconds(1);
  Instant now = start;
  while (!engine.done()) {
    now = clock.Now();
    if (stop_requested.load(std::memory_order_relaxed)) engine.Stop(now);
    engine.Poll(now);
    if (now >= next_sample) {
      sum.samples.push_back(engine.TakeSample(now));
      sum.max_held = std::max(sum.max_held, sum.samples.back().held);
      if (!quiet)
        std::fprintf(stderr, "%s\n", FormatLive(sum.samples.back()).c_str());
      next_sample += Duration::Seconds(1);
    }
  }
  if ((now - start).seconds() -
          (sum.samples.empty() ? 0 : sum.samples.back().t) >
      0.05)
    sum.samples.push_back(engine.TakeSample(now));
  sum.elapsed = (now - start).seconds();
  sum.seconds = engine.run_time().seconds();
  // Let the last ACKs and FINs reach the wire.
  const Instant flush_end = clock.Now() + Duration::Millis(200);
  while (clock.Now() < flush_end) stack.Poll(clock.Now());
  sum.totals = engine.totals();
  sum.latency = &engine.latency();
  sum.retransmits = stack.counters().tcp.retransmits;
  for (const LoadSample& s : sum.samples)
    sum.max_held = std::max(sum.max_held, s.held);
  std::printf("%s", FormatFinal(sum).c_str());
  std::fflush(stdout);
  WriteOutputs(sum);
  FinishCapture(capture->get(), stderr);
  return ExitCode(sum.totals);
}

int Main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "skiff-load [EAL args] -- --ip=10.88.0.2/24 http://A.B.C.D[:port]/path "
      "[--workload=cps|rps|cc|bulk] [--concurrency=C] [--rate=R] ...");
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  int consumed = 0;
  absl::StatusOr<std::unique_ptr<Eal>> eal = Eal::Init(argc, argv, &consumed);
  if (!eal.ok()) {
    std::fprintf(stderr, "skiff-load: %s\n", eal.status().ToString().c_str());
    return 1;
  }
  std::vector<char*> rest =
      absl::ParseCommandLine(argc - consumed, argv + consumed);
  if (rest.size() != 2) return Usage("give exactly one target URL");
  StackConfig sc;
  std::optional<Ipv4Cidr> cidr = Ipv4Cidr::Parse(absl::GetFlag(FLAGS_ip));
  if (!cidr) return Usage("--ip=A.B.C.D/N is required");
  sc.address = *cidr;
  if (const std::string gw = absl::GetFlag(FLAGS_gateway); !gw.empty()) {
    sc.gateway = Ipv4Address::Parse(gw);
    if (!sc.gateway) return Usage("bad --gateway");
  }
  std::string why;
  std::optional<LoadConfig> lc = ConfigFromFlags(rest[1], &why);
  if (!lc) return Usage(why);
  // The sources become the stack's extra addresses (the primary may be one
  // of them): ARP answers for each, connections go out from each.
  for (Ipv4Address a : lc->sources)
    if (a != sc.address.addr) sc.extra_addresses.push_back(a);
  sc.tcp.connection.time_wait =
      Duration::Millis(absl::GetFlag(FLAGS_time_wait_ms));
  return Run(sc, *lc);
}

}  // namespace
}  // namespace skiff::load

int main(int argc, char** argv) { return skiff::load::Main(argc, argv); }
