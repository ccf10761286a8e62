// LcoreGroup: one StackCore per lcore on one DPDK port (issue 10), for the
// apps. The port gets a queue pair per lcore and skiff's RSS where the PMD
// takes it (drivers/dpdk/port_rss.h); every lcore's StackCore sits on a
// DispatchDevice over its queue (software dispatch when the port does not
// steer, ARP copied to every lcore either way) and connects through an
// RssPortChooser, so its active opens come home. Each StackCore listens for
// itself: an app calls Listen on every stack(k).
//
//   auto group = LcoreGroup::Open({.dpdk_port = 0, .lcores = EalLcoreCount(),
//                                  .stack = config});
//   for (k...) servers.emplace_back((*group)->stack(k), ...);
//   (*group)->Run([&](uint16_t k, Instant now) {
//     servers[k].Poll(now);  // StackCore k only, on lcore k
//     return !stop;
//   });
//
// Observability: each StackCore has a SnapshotMailbox, registered for
// DPDK telemetry's /skiff/* commands under its EAL lcore id while Run runs
// and polled after every turn; a monitor thread (lcore_monitor.h) prints
// the --stats_interval line and the SIGUSR1 status lines, summed over the
// lcores, reading them through the same mailboxes.
#ifndef SKIFF_APPS_COMMON_LCORE_GROUP_H_
#define SKIFF_APPS_COMMON_LCORE_GROUP_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/status/statusor.h"
#include "drivers/dispatch/dispatch_device.h"
#include "drivers/dpdk/dpdk_port.h"
#include "stack/base/clock.h"
#include "stack/counters.h"
#include "stack/observe/mailbox.h"
#include "stack/sockets/port_chooser.h"
#include "stack/stack_core.h"

namespace skiff {

// How many Stacks an app runs: one per EAL lcore when the EAL arguments
// name the lcores (-l, -c, --lcores), one otherwise: EAL takes every core
// by default, and a busy-polling StackCore on each is not what a plain
// invocation asks for.
uint16_t StackLcores(const std::vector<std::string>& eal_args);

// Every counter summed over `each` (one StackCounters per lcore), formatted
// as StackCore::FormatCounters formats one: "name value" lines, zeros left out.
// Summing by name covers every counter VisitCounters knows, drops included.
std::string FormatSummedCounters(const std::vector<StackCounters>& each);
// An app's own "name value" lines (HttpServer::FormatCounters), one block
// per lcore, summed by name: "name sum" lines in first-seen order. A line
// whose last word is not a number is kept once, as it is.
std::string SumCounterLines(const std::vector<std::string>& blocks);

struct LcoreGroupConfig {
  uint16_t dpdk_port = 0;
  uint32_t mbufs = 8191;  // one pool for every queue of the port
  uint16_t lcores = 1;    // Stacks; at most the EAL's lcores to Run
  StackConfig stack;      // each lcore's, port_chooser set per lcore
  DispatchConfig dispatch;
  // Put in front of lcore k's StackCore, above dispatch (so it sees k's flows
  // and the ARP copies): LcoreCaptures::Wrap for --pcap. May return null.
  std::function<std::unique_ptr<Device>(Device& inner, uint16_t k)> wrap;
  // --stats_interval: one summed line per interval while Run runs; zero:
  // none.
  Duration stats_interval;
  // True once per status request (AppHost::TakeStatusRequest, SIGUSR1):
  // then a status line per lcore and their sum. Null: no status lines.
  std::function<bool()> take_status_request;
};

class LcoreGroup {
 public:
  static absl::StatusOr<std::unique_ptr<LcoreGroup>> Open(
      const LcoreGroupConfig& config);
  ~LcoreGroup();  // stacks first, the port (and its pool) last
  LcoreGroup(const LcoreGroup&) = delete;
  LcoreGroup& operator=(const LcoreGroup&) = delete;

  uint16_t size() const { return static_cast<uint16_t>(stacks_.size()); }
  StackCore& stack(uint16_t k) { return *stacks_[k]; }
  DpdkPort& port() { return *port_; }
  const DispatchDevice& dispatch(uint16_t k) const { return *dispatch_[k]; }
  // Lcore k's mailbox: an app sets its gauges hook (SetAppGauges: req/s,
  // live connections) here before Run.
  SnapshotMailbox& mailbox(uint16_t k) { return *mailboxes_[k]; }

  // Starts every StackCore (gratuitous ARP from each).
  void Start(Instant now);
  // Calls turn(k, now) in a loop on lcore k, for every k, until it returns
  // false there; k = 0 runs on the calling lcore. An lcore whose turn said
  // false goes on polling StackCore k (receive, dispatch, timers) until
  // every lcore's has: its queue may hold the others' packets. Returns when
  // all are done. Touch only StackCore k and k's own state inside
  // turn(k, ...). After every turn lcore k answers its mailbox (one relaxed
  // load when nothing is asked). The monitor thread
  // runs from the moment every lcore has registered until the first lcore
  // leaves its loop.
  absl::Status Run(absl::FunctionRef<bool(uint16_t, Instant)> turn);

  // Every StackCore's counters summed (FormatSummedCounters). Read after Run.
  std::string FormatCounters() const;
  // One "lcore k dispatch: ..." line per lcore: where its packets went.
  std::string FormatDispatch() const;

 private:
  LcoreGroup() = default;

  std::unique_ptr<DpdkPort> port_;
  std::unique_ptr<DispatchGroup> group_;
  std::vector<std::unique_ptr<DispatchDevice>> dispatch_;
  std::vector<std::unique_ptr<Device>> wrappers_;  // config.wrap's
  std::vector<std::unique_ptr<RssPortChooser>> choosers_;
  std::vector<std::unique_ptr<StackCore>> stacks_;
  std::vector<std::unique_ptr<SnapshotMailbox>> mailboxes_;
  Duration stats_interval_;
  std::function<bool()> take_status_request_;
};

}  // namespace skiff

#endif  // SKIFF_APPS_COMMON_LCORE_GROUP_H_
