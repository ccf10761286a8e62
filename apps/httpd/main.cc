// skiff-httpd: the demo web server (DESIGN.md, Apps).
//
//   skiff-httpd [EAL args] -- --ip=10.88.0.2/24 [--gateway=10.88.0.1]
//               [--port=80]
//
// Starts EAL, opens DPDK port 0, runs one Stack on it and busy-polls it, as
// DPDK applications do, until SIGINT or SIGTERM; then prints the stack's
// counters and the port's statistics and exits 0. For now it answers ARP and
// ICMP echo; HTTP arrives with TCP.
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
#include "drivers/dpdk/dpdk_port.h"
#include "drivers/dpdk/eal.h"
#include "stack/base/clock.h"
#include "stack/stack.h"
#include "stack/stack_config.h"
#include "stack/wire/addr.h"

ABSL_FLAG(std::string, ip, "", "our address and prefix, e.g. 10.88.0.2/24");
ABSL_FLAG(std::string, gateway, "", "default gateway, e.g. 10.88.0.1");
// Parsed now, used once TCP and the HTTP server land.
ABSL_FLAG(int, port, 80, "TCP port to serve HTTP on");
ABSL_FLAG(int, dpdk_port, 0, "DPDK port id to run on");
ABSL_FLAG(int, link_wait_ms, 5000, "how long to wait for the link to come up");

namespace skiff {
namespace {

// A signal handler can only reach static storage: this flag is the one
// exception to "no globals", and it is written nowhere else.
std::atomic<bool> stop_requested{false};
static_assert(std::atomic<bool>::is_always_lock_free);

void OnSignal(int) { stop_requested.store(true, std::memory_order_relaxed); }

struct HttpdOptions {
  StackConfig stack;
  uint16_t http_port = 80;
  uint16_t dpdk_port = 0;
  Duration link_wait;
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

absl::Status Serve(const HttpdOptions& opt) {
  if (DpdkPortCount() == 0) {
    return absl::NotFoundError(
        "no DPDK port: give a --vdev (e.g. "
        "--vdev=net_af_packet0,iface=skiff0) or bind a NIC to vfio-pci");
  }
  DpdkPortConfig port_config;
  port_config.port_id = opt.dpdk_port;
  absl::StatusOr<std::unique_ptr<DpdkPort>> port = DpdkPort::Open(port_config);
  if (!port.ok()) return port.status();
  if (!(*port)->WaitForLink(opt.link_wait)) {
    std::fprintf(stderr, "skiff-httpd: warning: link still down after %ld ms\n",
                 static_cast<long>(opt.link_wait.millis()));
  }

  MonotonicClock clock;
  Stack stack(**port, opt.stack);
  stack.Start(clock.Now());
  // The line scripts and tests wait for (and read the MAC from).
  std::printf(
      "skiff-httpd: up: %s ip %s gateway %s mac %s (ARP and ping; "
      "HTTP on port %u comes with TCP)\n",
      (*port)->Describe().c_str(), opt.stack.address.ToString().c_str(),
      opt.stack.gateway ? opt.stack.gateway->ToString().c_str() : "-",
      (*port)->mac().ToString().c_str(), opt.http_port);
  std::fflush(stdout);

  while (!stop_requested.load(std::memory_order_relaxed)) {
    stack.Poll(clock.Now());
  }

  std::printf("skiff-httpd: stopping\ncounters:\n%s",
              stack.FormatCounters().c_str());
  PrintPortStats(**port);
  std::fflush(stdout);
  return absl::OkStatus();
}

int Main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "skiff-httpd [EAL args] -- --ip=10.88.0.2/24 [--gateway=10.88.0.1] "
      "[--port=80]");
  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);

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
