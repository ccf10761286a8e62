// DPDK telemetry commands under /skiff/, read with Debian's
// dpdk-telemetry.py or scripts/skiff-stat while skiff runs:
//
//   /skiff/stacks                       lcores with a registered StackCore
//   /skiff/counters[,LCORE]             counters, summed over lcores
//   /skiff/drops[,LCORE]                drops by reason, summed
//   /skiff/arp[,LCORE[,START]]          the ARP table (one page)
//   /skiff/listeners[,LCORE[,START]]    listeners, SYN/accept queue depths
//   /skiff/connections[,LCORE[,START]]  per connection: state, 4-tuple,
//                                       RTT/RTO, cwnd, in flight, queues
//
// DPDK calls these on its telemetry threads; a StackCore belongs to its lcore.
// So each command asks the StackCore's SnapshotMailbox (stack/observe/
// mailbox.h): the lcore answers at its next loop turn, and a callback that
// waits longer than kTelemetryWait answers {"error": "... busy ..."}
// instead of hanging. The reply's shape is built in plain C++
// (stack/observe/telemetry_format.h); this file only copies it into
// rte_tel_data. Tables are paged (START, and "next" in the reply) to fit
// telemetry's 16 KiB message.
#ifndef SKIFF_DRIVERS_DPDK_TELEMETRY_H_
#define SKIFF_DRIVERS_DPDK_TELEMETRY_H_

#include <chrono>
#include <memory>

#include "stack/observe/mailbox.h"

namespace skiff {

inline constexpr std::chrono::milliseconds kTelemetryWait{250};

// The calling thread's lcore id (rte_lcore_id()).
unsigned CurrentLcore();

class TelemetryRegistration {
 public:
  // Registers the /skiff/ commands with DPDK (the first time) and
  // `mailbox` as the StackCore running on `lcore`; the StackCore's loop must
  // call mailbox->Poll() every turn. `mailbox` must outlive the registration.
  static std::unique_ptr<TelemetryRegistration> Register(
      unsigned lcore, SnapshotMailbox* mailbox);
  // Unregisters the stack (later commands no longer see it).
  ~TelemetryRegistration();
  TelemetryRegistration(const TelemetryRegistration&) = delete;
  TelemetryRegistration& operator=(const TelemetryRegistration&) = delete;

 private:
  explicit TelemetryRegistration(SnapshotMailbox* mailbox)
      : mailbox_(mailbox) {}
  SnapshotMailbox* mailbox_;
};

}  // namespace skiff

#endif  // SKIFF_DRIVERS_DPDK_TELEMETRY_H_
