// LcoreMonitor: the --stats_interval line and the SIGUSR1 status lines of a
// process that runs one StackCore per lcore (apps/common/lcore_group.h).
//
// A StackCore belongs to its lcore; the monitor is a thread of its own that
// reads every lcore the way DPDK telemetry does, through the lcore's
// SnapshotMailbox (stack/observe/mailbox.h): it posts a kCounters request,
// the lcore answers between two loop turns, and the monitor sums the
// answers. No lcore waits for another, none takes a lock, and the monitor
// never touches a StackCore.
//
//   stats: 1.00s conns/s 3040 req/s 6080 active 70 rx_pps ... (summed)
//   status lcore 0: live_connections 12 tcp_connections 35 ...
//   status lcore 1: live_connections 9 tcp_connections 35 ...
//   status: mbufs_in_use 1100 live_connections 21 tcp_connections 70 ...
//
// The "status:" line keeps the one-lcore skiff-httpd's shape (scripts grep
// it); the lines before it give each lcore's part.
#ifndef SKIFF_APPS_COMMON_LCORE_MONITOR_H_
#define SKIFF_APPS_COMMON_LCORE_MONITOR_H_

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "apps/common/stats_line.h"
#include "stack/base/clock.h"
#include "stack/observe/mailbox.h"
#include "stack/observe/snapshot.h"

namespace skiff {

// The stats line's sample for every lcore at once: the counters its rates
// read (established, retransmits, rx/tx packets, drops) and the connection
// count summed; requests summed when every lcore's app counts
// them (Snapshot::app_requests), nullopt otherwise.
StatsSample SumStatsSample(Instant at, std::span<const Snapshot> each);

// One "status lcore K: ..." line per lcore (`lcores[i]` names each[i]),
// then the "status: mbufs_in_use M ..." line with every figure summed
// (buffer_chunks_high_water too: each lcore has its own buffer pool).
// live_connections appears when the app reports it (Snapshot::app_live).
std::string FormatStatusLines(std::span<const unsigned> lcores,
                              std::span<const Snapshot> each,
                              uint32_t mbufs_in_use);

class LcoreMonitor {
 public:
  struct Config {
    Duration stats_interval;  // zero or less: no stats lines
    // True once per SIGUSR1 (AppHost::TakeStatusRequest); null: no status.
    std::function<bool()> take_status_request;
    // The port pool's mbufs in use, read from the monitor's thread.
    std::function<uint32_t()> mbufs_in_use;
    std::FILE* out = stdout;
    // How long one lcore may take to answer; a late lcore costs that
    // interval's line (and says so once), never a hang.
    std::chrono::milliseconds wait{250};
  };
  // mailboxes[i] is the mailbox of the StackCore on EAL lcore lcores[i];
  // they must outlive the monitor.
  LcoreMonitor(Config config, std::vector<unsigned> lcores,
               std::vector<SnapshotMailbox*> mailboxes);

  // Whether Step can ever print anything.
  bool enabled() const;
  // One look at the clock and the status flag: prints a stats line when an
  // interval has passed (the first call only takes a sample), the status
  // lines when one was requested. Call from one thread, every few ms.
  void Step(Instant now);

 private:
  // Every lcore's kCounters snapshot; false (and nothing printed) if one
  // did not answer within config_.wait.
  bool AskAll();

  Config config_;
  std::vector<unsigned> lcores_;
  std::vector<SnapshotMailbox*> mailboxes_;
  std::vector<Snapshot> replies_;
  Instant next_stats_;
  bool sampled_ = false;
  StatsSample prev_;
  bool warned_busy_ = false;
};

}  // namespace skiff

#endif  // SKIFF_APPS_COMMON_LCORE_MONITOR_H_
