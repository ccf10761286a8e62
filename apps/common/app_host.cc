#include "apps/common/app_host.h"

#include <atomic>
#include <csignal>
#include <cstdlib>
#include <optional>
#include <string_view>
#include <utility>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "apps/common/pcap_flags.h"
#include "stack/wire/addr.h"

ABSL_FLAG(std::string, ip, "",
          "our address and prefix, e.g. 10.88.0.2/24 (required unless the "
          "program has a default)");
ABSL_FLAG(std::string, gateway, "", "default gateway, e.g. 10.88.0.1");
ABSL_FLAG(std::string, dpdk_port, "0",
          "DPDK port to run on: its id, or its device name (a PCI address "
          "such as 0000:01:00.0, or a vdev such as net_af_packet0)");
ABSL_FLAG(bool, gro, false,
          "receive GRO (DPDK rte_gro): merge each rx burst's in-order TCP "
          "segments of a flow so TCP input runs once per merged segment");
ABSL_FLAG(int, link_wait_ms, 5000, "how long to wait for the link to come up");
ABSL_FLAG(int, mbufs, 0,
          "mbufs in the port's pool, at least 1023; 0: the program's default "
          "(8191; skiff-httpd 16383, skiff-load 65535)");

namespace skiff {
namespace {

// A signal handler can only reach static storage: these flags are the one
// exception to "no globals", written by the handlers and read by the loops.
std::atomic<bool> stop_flag{false};
std::atomic<bool> status_flag{false};
static_assert(std::atomic<bool>::is_always_lock_free);

void OnStop(int) { stop_flag.store(true, std::memory_order_relaxed); }
void OnStatus(int) { status_flag.store(true, std::memory_order_relaxed); }

absl::StatusOr<LcoreConfig> ConfigFromFlags(const AppHostOptions& options) {
  LcoreConfig c;
  c.name = options.name;
  std::string ip = absl::GetFlag(FLAGS_ip);
  if (ip.empty()) ip = options.default_ip;
  if (ip.empty()) {
    return absl::InvalidArgumentError("--ip=A.B.C.D/N is required");
  }
  std::optional<Ipv4Cidr> cidr = Ipv4Cidr::Parse(ip);
  if (!cidr) return absl::InvalidArgumentError("bad --ip: " + ip);
  c.stack.address = *cidr;
  if (const std::string gw = absl::GetFlag(FLAGS_gateway); !gw.empty()) {
    c.stack.gateway = Ipv4Address::Parse(gw);
    if (!c.stack.gateway) {
      return absl::InvalidArgumentError("bad --gateway: " + gw);
    }
  }
  const int wait_ms = absl::GetFlag(FLAGS_link_wait_ms);
  if (wait_ms < 0) return absl::InvalidArgumentError("--link_wait_ms >= 0");
  c.link_wait = Duration::Millis(wait_ms);
  const int mbufs = absl::GetFlag(FLAGS_mbufs);
  if (mbufs != 0 && mbufs < 1023) {
    return absl::InvalidArgumentError("--mbufs >= 1023");
  }
  c.mbufs = mbufs != 0 ? static_cast<uint32_t>(mbufs) : options.default_mbufs;
  c.stats_interval = StatsIntervalFromFlags();
  c.stack.gro = absl::GetFlag(FLAGS_gro);
  return c;
}

// --dpdk_port: a number is a port id, anything else a device name. Read
// after EAL has probed the devices.
absl::StatusOr<uint16_t> PortFromFlag() {
  const std::string s = absl::GetFlag(FLAGS_dpdk_port);
  uint32_t id = 0;
  if (absl::SimpleAtoi(s, &id)) {
    if (id > 65535) return absl::InvalidArgumentError("bad --dpdk_port");
    return static_cast<uint16_t>(id);
  }
  absl::StatusOr<uint16_t> by_name = DpdkPortByName(s);
  if (!by_name.ok()) {
    return absl::InvalidArgumentError("bad --dpdk_port: " +
                                      std::string(by_name.status().message()));
  }
  return *by_name;
}

}  // namespace

absl::StatusOr<std::unique_ptr<AppHost>> AppHost::Start(
    int argc, char** argv, const AppHostOptions& options) {
  absl::SetProgramUsageMessage(options.usage);
  std::signal(SIGINT, OnStop);
  std::signal(SIGTERM, OnStop);
  if (options.status_signal) std::signal(SIGUSR1, OnStatus);

  int consumed = 0;
  absl::StatusOr<std::unique_ptr<Eal>> eal = Eal::Init(argc, argv, &consumed);
  if (!eal.ok()) return eal.status();
  std::vector<char*> args =
      absl::ParseCommandLine(argc - consumed, argv + consumed);
  absl::StatusOr<LcoreConfig> config = ConfigFromFlags(options);
  if (!config.ok()) return config.status();
  absl::StatusOr<uint16_t> port = PortFromFlag();
  if (!port.ok()) return port.status();
  config->dpdk_port = *port;
  return std::unique_ptr<AppHost>(
      new AppHost(std::move(*eal), std::move(args), std::move(*config)));
}

bool AppHost::stop_requested() {
  return stop_flag.load(std::memory_order_relaxed);
}

bool AppHost::TakeStatusRequest() {
  if (!status_flag.load(std::memory_order_relaxed)) return false;
  status_flag.store(false, std::memory_order_relaxed);
  return true;
}

int AppHost::Fail(const std::string& name, const absl::Status& status) {
  const bool usage = absl::IsInvalidArgument(status);
  std::fprintf(stderr, "%s: %s\n", name.c_str(),
               usage ? std::string(status.message()).c_str()
                     : status.ToString().c_str());
  return usage ? 2 : 1;
}

absl::StatusOr<std::unique_ptr<LcoreHost>> LcoreHost::Open(
    const LcoreConfig& config, const DeviceWrapper& wrap) {
  if (DpdkPortCount() == 0) {
    return absl::NotFoundError(
        "no DPDK port: give a --vdev (e.g. "
        "--vdev=net_af_packet0,iface=skiff0) or bind a NIC to vfio-pci");
  }
  std::unique_ptr<LcoreHost> h(new LcoreHost(config));
  DpdkPortConfig port_config;
  port_config.port_id = config.dpdk_port;
  port_config.pool.size = config.mbufs;
  absl::StatusOr<std::unique_ptr<DpdkPort>> port = DpdkPort::Open(port_config);
  if (!port.ok()) return port.status();
  h->port_ = std::move(*port);
  if (!h->port_->WaitForLink(config.link_wait)) {
    std::fprintf(stderr, "%s: warning: link still down after %ld ms\n",
                 config.name.c_str(),
                 static_cast<long>(config.link_wait.millis()));
  }
  absl::StatusOr<std::unique_ptr<CaptureDevice>> capture =
      CaptureFromFlags(*h->port_, h->clock_);  // --pcap
  if (!capture.ok()) return capture.status();
  h->capture_ = std::move(*capture);
  Device* device = h->capture_ ? static_cast<Device*>(h->capture_.get())
                               : static_cast<Device*>(h->port_.get());
  if (wrap) {
    h->wrapper_ = wrap(*device);
    if (h->wrapper_) device = h->wrapper_.get();
  }
  h->stack_ = std::make_unique<StackCore>(*device, config.stack);
  h->stack_->Start(h->clock_.Now());
  h->telemetry_ = TelemetryRegistration::Register(CurrentLcore(), &h->mailbox_);
  return h;
}

LcoreHost::~LcoreHost() {
  // No telemetry command may wait on a stack that is going.
  telemetry_.reset();
  // The stack's packets go back to the pool before the port frees it.
  stack_.reset();
  wrapper_.reset();
  capture_.reset();
  port_.reset();
}

bool LcoreHost::Run(absl::FunctionRef<bool(Instant)> turn) {
  while (!AppHost::stop_requested()) {
    const Instant now = clock_.Now();
    if (!turn(now)) return false;
    AfterTurn(now);
  }
  return true;
}

void LcoreHost::RunFor(Duration d, absl::FunctionRef<bool(Instant)> turn) {
  const Instant end = clock_.Now() + d;
  for (Instant now = clock_.Now(); now < end; now = clock_.Now()) {
    if (!turn(now)) return;
    AfterTurn(now);
  }
}

std::string LcoreHost::FormatPortStats() const {
  const DpdkPort::Stats s = port_->stats();
  return absl::StrFormat(
      "port stats: ipackets %lu opackets %lu ibytes %lu obytes %lu "
      "imissed %lu ierrors %lu oerrors %lu rx_nombuf %lu "
      "tx_prepare_dropped %lu\n",
      s.ipackets, s.opackets, s.ibytes, s.obytes, s.imissed, s.ierrors,
      s.oerrors, s.rx_nombuf, s.tx_prepare_dropped);
}

std::string LcoreHost::FormatCounters() const {
  return stack_->FormatCounters() + FormatPortStats();
}

void LcoreHost::FinishCapture(std::FILE* log) {
  ::skiff::FinishCapture(capture_.get(), log);
}

}  // namespace skiff
