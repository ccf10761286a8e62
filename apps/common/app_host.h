// The DPDK start-up every skiff program shares (skiff-httpd, skiff-get,
// skiff-echo, tests/interop/skiff_tcp_peer), in two parts as DPDK's l3fwd
// keeps its lcore_conf set-up apart from the main loop:
//
//  * AppHost, once per process: the stop (SIGINT, SIGTERM) and status
//    (SIGUSR1) flags, EAL from the arguments before "--", the Abseil flags
//    after it, and the host flags every program takes:
//      --ip=A.B.C.D/N  --gateway=A.B.C.D  --dpdk_port=ID|NAME
//      --link_wait_ms=T  --mbufs=N  (and --pcap, apps/common/pcap_flags.h)
//  * LcoreHost, once per lcore: its port, the capture in front of it, its
//    StackCore, a clock and the loop that turns them until a stop signal.
//
//   absl::StatusOr<std::unique_ptr<AppHost>> host =
//       AppHost::Start(argc, argv, {.name = "skiff-echo", ...});
//   if (!host.ok()) return AppHost::Fail("skiff-echo", host.status());
//   absl::StatusOr<std::unique_ptr<LcoreHost>> lcore =
//       LcoreHost::Open((*host)->lcore_config());
//   ... listen or connect on (*lcore)->stack() ...
//   (*lcore)->Run([&](Instant now) { (*lcore)->stack().Poll(now); return true;
//   }); std::printf("%s", (*lcore)->FormatCounters().c_str());
//
// A LcoreHost reads no flag but --pcap (one capture per process today):
// with one queue per lcore, each worker opens its own from a copy of
// lcore_config() on its own thread, and the process-wide stop flag ends
// every loop. (The port itself then becomes process-wide and LcoreHost
// takes one queue of it.)
#ifndef SKIFF_APPS_COMMON_APP_HOST_H_
#define SKIFF_APPS_COMMON_APP_HOST_H_

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "apps/common/stats_line.h"
#include "drivers/capture/capture_device.h"
#include "drivers/dpdk/dpdk_port.h"
#include "drivers/dpdk/eal.h"
#include "drivers/dpdk/telemetry.h"
#include "skiff/device.h"
#include "stack/base/clock.h"
#include "stack/buf/packet.h"
#include "stack/buf/packet_pool.h"
#include "stack/observe/mailbox.h"
#include "stack/stack_config.h"
#include "stack/stack_core.h"

namespace skiff {

// What one lcore needs to run a stack on a port. The host flags fill it;
// an app may change it (skiff-httpd sets the TCP buffer pool) before Open.
struct LcoreConfig {
  uint16_t dpdk_port = 0;                     // --dpdk_port
  uint32_t mbufs = 8191;                      // --mbufs: the port's pool
  Duration link_wait = Duration::Seconds(5);  // --link_wait_ms
  StackConfig stack;                          // --ip, --gateway
  Duration stats_interval;     // --stats_interval; zero: no summary lines
  std::string name = "skiff";  // prefix of log lines
};

// What differs between the programs' start-up.
struct AppHostOptions {
  std::string name;        // "skiff-httpd": the prefix of every message
  std::string usage;       // --help's first line
  std::string default_ip;  // --ip when not given; empty: --ip is required
  uint32_t default_mbufs = 8191;  // --mbufs when not given (or 0)
  bool status_signal = false;     // SIGUSR1 raises a status request
};

class AppHost {
 public:
  // Installs the signal handlers, starts EAL on argv up to "--", parses
  // the app's part with Abseil and reads the host flags. A bad flag gives
  // InvalidArgument (exit 2, see Fail); EAL failing anything else.
  static absl::StatusOr<std::unique_ptr<AppHost>> Start(
      int argc, char** argv, const AppHostOptions& options);
  // rte_eal_cleanup: every LcoreHost (port, pool) must be gone first.
  ~AppHost() = default;
  AppHost(const AppHost&) = delete;
  AppHost& operator=(const AppHost&) = delete;

  // What the host flags said, for each lcore to copy.
  const LcoreConfig& lcore_config() const { return lcore_config_; }
  // What Abseil left after the flags: the program name, then positionals.
  const std::vector<char*>& args() const { return args_; }
  const Eal& eal() const { return *eal_; }

  // SIGINT or SIGTERM arrived (process-wide: ends every lcore's loop).
  static bool stop_requested();
  // True once per SIGUSR1 (only with options.status_signal).
  static bool TakeStatusRequest();

  // Prints "<name>: <status>" to stderr and returns the exit code for it:
  // 2 for a bad argument (only the message is printed), 1 otherwise.
  static int Fail(const std::string& name, const absl::Status& status);

 private:
  AppHost(std::unique_ptr<Eal> eal, std::vector<char*> args, LcoreConfig config)
      : eal_(std::move(eal)),
        args_(std::move(args)),
        lcore_config_(std::move(config)) {}

  std::unique_ptr<Eal> eal_;
  std::vector<char*> args_;
  LcoreConfig lcore_config_;
};

// Put in front of the port (and the capture) by an app that wants to see
// or change frames on their way: return nullptr to add nothing.
using DeviceWrapper = std::function<std::unique_ptr<Device>(Device& inner)>;

// One lcore's port, device chain, stack and loop. Destroyed in the reverse
// order: stack, wrapper, capture, port (which frees the pool last).
class LcoreHost {
 public:
  // Opens the port (any PMD: a --vdev or a NIC by PCI address), waits up to
  // config.link_wait for the link (a warning if it stays down), puts the
  // --pcap capture and `wrap`'s device in front, builds the StackCore on top
  // and starts it (gratuitous ARP). Call it on the lcore that will Run it:
  // the stack is registered for /skiff/ telemetry under that lcore id.
  static absl::StatusOr<std::unique_ptr<LcoreHost>> Open(
      const LcoreConfig& config, const DeviceWrapper& wrap = nullptr);
  LcoreHost(const LcoreHost&) = delete;
  LcoreHost& operator=(const LcoreHost&) = delete;
  ~LcoreHost();

  // Calls turn(now) once per loop turn, busy-polling as DPDK programs do,
  // until a stop signal or turn returns false. True when a signal ended it.
  // After each turn the stack's telemetry mailbox is polled (one relaxed
  // load unless a /skiff/* command waits) and the --stats_interval ticker
  // checked (one compare): drivers/dpdk/telemetry.h, stats_line.h.
  bool Run(absl::FunctionRef<bool(Instant)> turn);
  // Turns for `d` whatever the signals say, or until turn returns false:
  // drains, last ACKs and FINs.
  void RunFor(Duration d, absl::FunctionRef<bool(Instant)> turn);

  StackCore& stack() { return *stack_; }
  DpdkPort& port() { return *port_; }
  Instant Now() { return clock_.Now(); }
  const LcoreConfig& config() const { return config_; }

  // The stack's counters, then one "port stats:" line.
  std::string FormatCounters() const;
  // "port stats: ipackets ... tx_prepare_dropped N\n"
  std::string FormatPortStats() const;
  // Closes the --pcap file (if any) and prints its "pcap:" line to `log`.
  void FinishCapture(std::FILE* log);
  // The app's request count for the --stats_interval line (req/s), read
  // once per interval; without it the line has no req/s.
  void SetRequestCounter(std::function<uint64_t()> requests) {
    requests_ = std::move(requests);
  }

 private:
  explicit LcoreHost(const LcoreConfig& config)
      : config_(config), stats_(config.stats_interval, stdout) {}
  void AfterTurn(Instant now) {
    mailbox_.Poll(*stack_, now);
    stats_.Tick(now, *stack_, [this]() -> std::optional<uint64_t> {
      if (!requests_) return std::nullopt;
      return requests_();
    });
  }

  LcoreConfig config_;
  MonotonicClock clock_;
  std::unique_ptr<DpdkPort> port_;
  std::unique_ptr<CaptureDevice> capture_;  // --pcap; may be null
  std::unique_ptr<Device> wrapper_;         // the app's; may be null
  std::unique_ptr<StackCore> stack_;
  // Telemetry reaches the stack only through the mailbox (registered after
  // the stack is built, unregistered before it goes).
  SnapshotMailbox mailbox_;
  std::unique_ptr<TelemetryRegistration> telemetry_;
  StatsTicker stats_;
  std::function<uint64_t()> requests_;
};

}  // namespace skiff

#endif  // SKIFF_APPS_COMMON_APP_HOST_H_
