// skiff-httpd: the demo web server (DESIGN.md, Apps).
//
//   skiff-httpd [EAL args] -- --ip=10.88.0.2/24 [--gateway=10.88.0.1]
//               [--port=80] [--root=DIR]
//
// Starts EAL, opens DPDK port 0, runs one Stack with an HttpServer on it and
// busy-polls it, as DPDK applications do, until SIGINT or SIGTERM. SIGUSR1
// prints one "status:" line (mbufs in use, connections, buffer chunks) and
// goes on serving. On SIGINT or SIGTERM it
// stops accepting, lets open connections finish for up to
// --drain_ms, closes the rest, prints its counters (HTTP, the stack's, the
// port's, live connections and mbufs in use) and exits 0.
#include <atomic>
#include <csignal>
#include <cstdio>
#include <ctime>
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
#include "apps/common/stats_line.h"
#include "apps/http/doc_root.h"
#include "apps/http/server_session.h"
#include "apps/httpd/server.h"
#include "drivers/dpdk/dpdk_port.h"
#include "drivers/dpdk/eal.h"
#include "drivers/dpdk/telemetry.h"
#include "stack/base/clock.h"
#include "stack/observe/mailbox.h"
#include "stack/stack.h"
#include "stack/stack_config.h"
#include "stack/wire/addr.h"

ABSL_FLAG(std::string, ip, "", "our address and prefix, e.g. 10.88.0.2/24");
ABSL_FLAG(std::string, gateway, "", "default gateway, e.g. 10.88.0.1");
ABSL_FLAG(int, port, 80, "TCP port to serve HTTP on");
ABSL_FLAG(std::string, root, "",
          "directory to serve (nothing outside it is reachable); empty: a "
          "built-in page at /");
ABSL_FLAG(int, backlog, 4096, "SYN and accept queue length");
ABSL_FLAG(int, mbufs, 16383, "mbufs in the port's pool");
ABSL_FLAG(int, buffer_pool_kb, 0,
          "TCP send/receive buffer pool in KiB, all connections together "
          "(16 KiB chunks); 0: the stack's default (1 GiB)");
ABSL_FLAG(int, drain_ms, 2000,
          "on SIGINT/SIGTERM, how long open connections may finish");
ABSL_FLAG(int, idle_timeout_ms, 5000, "idle keep-alive connection timeout");
ABSL_FLAG(int, request_timeout_ms, 10000,
          "time allowed from a request's first byte to its last");
ABSL_FLAG(int, dpdk_port, 0, "DPDK port id to run on");
ABSL_FLAG(int, link_wait_ms, 5000, "how long to wait for the link to come up");

namespace skiff {
namespace {

// A signal handler can only reach static storage: this flag is the one
// exception to "no globals", and it is written nowhere else.
std::atomic<bool> stop_requested{false};
static_assert(std::atomic<bool>::is_always_lock_free);

// Set by SIGUSR1, cleared by the loop once it has printed the status line.
std::atomic<bool> status_requested{false};

void OnSignal(int) { stop_requested.store(true, std::memory_order_relaxed); }
void OnStatusSignal(int) {
  status_requested.store(true, std::memory_order_relaxed);
}

struct HttpdOptions {
  StackConfig stack;
  uint16_t http_port = 80;
  uint16_t dpdk_port = 0;
  Duration link_wait;
  std::string root;
  uint32_t backlog = 4096;
  uint32_t mbufs = 16383;
  Duration drain;
  http::HttpServerConfig http;
};

absl::StatusOr<HttpdOptions> OptionsFromFlags() {
  HttpdOptions o;
  const std::string ip = absl::GetFlag(FLAGS_ip);
  if (ip.empty()) return absl::InvalidArgumentError("--ip is required");
  std::optional<Ipv4Cidr> cidr = Ipv4Cidr::Parse(ip);
  if (!cidr) return absl::InvalidArgumentError("bad --ip: " + ip);
  o.stack.address = *cidr;
  if (const std::string gw = absl::GetFlag(FLAGS_gateway); !gw.empty()) {
    o.stack.gateway = Ipv4Address::Parse(gw);
    if (!o.stack.gateway) return absl::InvalidArgumentError("bad --gateway");
  }
  const int port = absl::GetFlag(FLAGS_port);
  if (port <= 0 || port > 65535) {
    return absl::InvalidArgumentError("--port must be in 1..65535");
  }
  o.http_port = static_cast<uint16_t>(port);
  const int dpdk_port = absl::GetFlag(FLAGS_dpdk_port);
  if (dpdk_port < 0 || dpdk_port > 65535) {
    return absl::InvalidArgumentError("bad --dpdk_port");
  }
  o.dpdk_port = static_cast<uint16_t>(dpdk_port);
  o.link_wait = Duration::Millis(absl::GetFlag(FLAGS_link_wait_ms));
  o.root = absl::GetFlag(FLAGS_root);
  const int backlog = absl::GetFlag(FLAGS_backlog);
  const int mbufs = absl::GetFlag(FLAGS_mbufs);
  if (backlog <= 0 || mbufs < 1023) {
    return absl::InvalidArgumentError("--backlog > 0, --mbufs >= 1023");
  }
  o.backlog = static_cast<uint32_t>(backlog);
  o.mbufs = static_cast<uint32_t>(mbufs);
  const int pool_kb = absl::GetFlag(FLAGS_buffer_pool_kb);
  if (pool_kb < 0) return absl::InvalidArgumentError("--buffer_pool_kb >= 0");
  if (pool_kb > 0) {
    o.stack.tcp.buffer_pool_bytes = static_cast<uint64_t>(pool_kb) << 10;
  }
  o.drain = Duration::Millis(absl::GetFlag(FLAGS_drain_ms));
  o.http.idle_timeout = Duration::Millis(absl::GetFlag(FLAGS_idle_timeout_ms));
  o.http.request_timeout =
      Duration::Millis(absl::GetFlag(FLAGS_request_timeout_ms));
  return o;
}

void PrintPortStats(const DpdkPort& port) {
  const DpdkPort::Stats s = port.stats();
  std::printf(
      "port stats: ipackets %lu opackets %lu ibytes %lu obytes %lu "
      "imissed %lu ierrors %lu oerrors %lu rx_nombuf %lu "
      "tx_prepare_dropped %lu\n",
      s.ipackets, s.opackets, s.ibytes, s.obytes, s.imissed, s.ierrors,
      s.oerrors, s.rx_nombuf, s.tx_prepare_dropped);
}

// One line a script can poll while load runs (SIGUSR1), and print at exit.
void PrintStatus(Stack& stack, const HttpServer& server) {
  std::printf(
      "status: mbufs_in_use %u live_connections %zu tcp_connections %zu "
      "buffer_chunks_in_use %u buffer_chunks_high_water %u "
      "buffer_pool_exhausted %lu\n",
      stack.pool().in_use(), server.live_connections(),
      stack.tcp().connection_count(), stack.tcp().buffer_pool().in_use(),
      stack.tcp().buffer_pool().high_water(),
      stack.tcp().buffer_pool().exhausted());
  std::fflush(stdout);
}

int64_t UnixSeconds() { return static_cast<int64_t>(std::time(nullptr)); }

// Graceful stop: no new connections; open ones get `drain` to finish, then
// FIN (nothing owed) or RST (mid-response); a last few turns flush those.
void Drain(Stack& stack, HttpServer& server, MonotonicClock& clock,
           Duration drain) {
  server.StopListening();
  const Instant end = clock.Now() + drain;
  while (server.live_connections() > 0 && clock.Now() < end) {
    server.Poll(clock.Now());
  }
  server.CloseAll();
  const Instant flush_end = clock.Now() + Duration::Millis(200);
  while (clock.Now() < flush_end) server.Poll(clock.Now());
  (void)stack;
}

void PrintReport(Stack& stack, const HttpServer& server, const DpdkPort& port,
                 uint32_t mbufs_at_start) {
  std::printf("skiff-httpd: stopping\ncounters:\n%s%s",
              server.FormatCounters().c_str(), stack.FormatCounters().c_str());
  PrintPortStats(port);
  // What the tests assert: no connection left to the application, and the
  // mbufs in use back where they were (the rx ring's, and the pool cache).
  std::printf(
      "live connections %zu (tcp table %zu incl. TIME-WAIT)\n"
      "mbufs in use %u at exit, %u at start, of %u\n",
      server.live_connections(), stack.tcp().connection_count(),
      stack.pool().in_use(), mbufs_at_start, stack.pool().capacity());
  PrintStatus(stack, server);
}

absl::Status Serve(const HttpdOptions& opt) {
  if (DpdkPortCount() == 0) {
    return absl::NotFoundError(
        "no DPDK port: give a --vdev (e.g. "
        "--vdev=net_af_packet0,iface=skiff0) or bind a NIC to vfio-pci");
  }
  std::optional<http::DocRoot> root;
  if (!opt.root.empty()) {
    absl::StatusOr<http::DocRoot> r = http::DocRoot::Open(opt.root);
    if (!r.ok()) return r.status();
    root.emplace(std::move(*r));
  }
  DpdkPortConfig port_config;
  port_config.port_id = opt.dpdk_port;
  port_config.pool.size = opt.mbufs;
  absl::StatusOr<std::unique_ptr<DpdkPort>> port = DpdkPort::Open(port_config);
  if (!port.ok()) return port.status();
  if (!(*port)->WaitForLink(opt.link_wait)) {
    std::fprintf(stderr, "skiff-httpd: warning: link still down after %ld ms\n",
                 static_cast<long>(opt.link_wait.millis()));
  }

  MonotonicClock clock;
  absl::StatusOr<std::unique_ptr<CaptureDevice>> capture =
      CaptureFromFlags(**port, clock);  // --pcap
  if (!capture.ok()) return capture.status();
  Stack stack(*capture ? static_cast<Device&>(**capture) : **port, opt.stack);
  HttpServer server(stack, opt.http, root ? &*root : nullptr, UnixSeconds);
  if (!server.Listen(opt.http_port, opt.backlog)) {
    return absl::InternalError(
        absl::StrFormat("cannot listen on port %d", opt.http_port));
  }
  stack.Start(clock.Now());
  server.Poll(clock.Now());
  const uint32_t mbufs_at_start = stack.pool().in_use();
  // The line scripts and tests wait for (and read the MAC from).
  std::printf(
      "skiff-httpd: up: %s ip %s gateway %s mac %s, http port %u, %s\n",
      (*port)->Describe().c_str(), opt.stack.address.ToString().c_str(),
      opt.stack.gateway ? opt.stack.gateway->ToString().c_str() : "-",
      (*port)->mac().ToString().c_str(), opt.http_port,
      opt.root.empty() ? "built-in page" : ("root " + opt.root).c_str());
  std::fflush(stdout);

  // /skiff/* telemetry reads the stack through this mailbox, answered
  // between turns; --stats_interval prints a line per interval.
  SnapshotMailbox mailbox;
  std::unique_ptr<TelemetryRegistration> telemetry =
      TelemetryRegistration::Register(CurrentLcore(), &mailbox);
  StatsTicker stats = StatsTickerFromFlags(stdout);
  auto requests = [&server]() -> std::optional<uint64_t> {
    uint64_t n = 0;
    for (uint64_t c : server.status_counts().by_status) n += c;
    return n;
  };
  while (!stop_requested.load(std::memory_order_relaxed)) {
    const Instant now = clock.Now();
    server.Poll(now);
    mailbox.Poll(stack, now);
    stats.Tick(now, stack, requests);
    if (status_requested.load(std::memory_order_relaxed)) {
      status_requested.store(false, std::memory_order_relaxed);
      PrintStatus(stack, server);
    }
  }
  std::printf("skiff-httpd: signal: no new connections, draining %zu\n",
              server.live_connections());
  Drain(stack, server, clock, opt.drain);
  PrintReport(stack, server, **port, mbufs_at_start);
  FinishCapture(capture->get(), stdout);
  return absl::OkStatus();
}

int Main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "skiff-httpd [EAL args] -- --ip=10.88.0.2/24 [--gateway=10.88.0.1] "
      "[--port=80] [--root=DIR]");
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);
  std::signal(SIGUSR1, OnStatusSignal);

  int consumed = 0;
  absl::StatusOr<std::unique_ptr<Eal>> eal = Eal::Init(argc, argv, &consumed);
  if (!eal.ok()) {
    std::fprintf(stderr, "skiff-httpd: %s\n", eal.status().ToString().c_str());
    return 1;
  }
  std::vector<char*> rest =
      absl::ParseCommandLine(argc - consumed, argv + consumed);
  if (rest.size() > 1) {
    std::fprintf(stderr, "skiff-httpd: unexpected argument: %s\n", rest[1]);
    return 2;
  }
  absl::StatusOr<HttpdOptions> opt = OptionsFromFlags();
  if (!opt.ok()) {
    std::fprintf(stderr, "skiff-httpd: %s\n",
                 std::string(opt.status().message()).c_str());
    return 2;
  }
  if (absl::Status s = Serve(*opt); !s.ok()) {
    std::fprintf(stderr, "skiff-httpd: %s\n", s.ToString().c_str());
    return 1;
  }
  return 0;
}

}  // namespace
}  // namespace skiff

int main(int argc, char** argv) { return skiff::Main(argc, argv); }
