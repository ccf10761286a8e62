// What the skiff runner stands on: EAL and two packet pools for the whole
// process (SkiffEnv), and per experiment two Stacks joined by a SimWire
// (SkiffPair), each polled by its own busy thread pinned to its core
// (RunPair), as a DPDK application runs one stack per lcore.
#ifndef SKIFF_BENCH_HARNESS_SKIFF_ENV_H_
#define SKIFF_BENCH_HARNESS_SKIFF_ENV_H_

#include <functional>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "bench/harness/runner.h"
#include "drivers/dpdk/eal.h"
#include "drivers/sim/sim_wire.h"
#include "stack/buf/packet_pool.h"
#include "stack/stack_core.h"

namespace skiff::bench {

inline constexpr Ipv4Address kSkiffClientIp(10, 0, 0, 1);
inline constexpr Ipv4Address kSkiffServerIp(10, 0, 0, 2);
inline constexpr uint16_t kSkiffPort = 80;

// EAL (--no-huge -m 1024 --no-pci --file-prefix skiff-bench-<pid>) and one
// pool per side. Started once, on the first skiff experiment, so that a
// Linux-only run never touches DPDK.
class SkiffEnv {
 public:
  static absl::StatusOr<std::unique_ptr<SkiffEnv>> Start();
  ~SkiffEnv();  // pools first, then EAL and its runtime directory
  SkiffEnv(const SkiffEnv&) = delete;
  SkiffEnv& operator=(const SkiffEnv&) = delete;

  PacketPool& client_pool() { return *client_pool_; }
  PacketPool& server_pool() { return *server_pool_; }
  // "" when every mbuf of both pools is back; otherwise what is missing.
  std::string LeakReport() const;

 private:
  SkiffEnv() = default;
  std::unique_ptr<Eal> eal_;
  std::unique_ptr<PacketPool> client_pool_;
  std::unique_ptr<PacketPool> server_pool_;
};

// Two stacks over a fault-free SimWire: client on end a, server on end b.
struct SkiffPair {
  std::unique_ptr<SimWire> wire;
  std::unique_ptr<StackCore> client;
  std::unique_ptr<StackCore> server;
  ~SkiffPair();  // stacks before the wire they point into
};
absl::StatusOr<std::unique_ptr<SkiffPair>> MakeSkiffPair(
    SkiffEnv& env, const TcpLayerConfig& tcp);

// Runs `client` on placement.client_core and `server` on server_core, each
// in a loop that never sleeps. `client(now)` returns false when the
// experiment is over; then `server` stops too. Both stacks are started on
// their own threads; each thread reads its own MonotonicClock.
using ClientTurn = std::function<bool(Instant now)>;
using ServerTurn = std::function<void(Instant now)>;
void RunPair(const Placement& placement, SkiffPair& pair,
             const ClientTurn& client, const ServerTurn& server);

}  // namespace skiff::bench

#endif  // SKIFF_BENCH_HARNESS_SKIFF_ENV_H_
