// What the skiff runner stands on: EAL and two packet pools for the whole
// process (SkiffEnv), and per experiment two Stacks joined by a SimWire
// (SkiffPair), each polled by its own busy thread pinned to its core
// (RunPair), as a DPDK application runs one stack per lcore.
#ifndef SKIFF_BENCH_HARNESS_SKIFF_ENV_H_
#define SKIFF_BENCH_HARNESS_SKIFF_ENV_H_

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "bench/harness/runner.h"
#include "drivers/dispatch/dispatch_device.h"
#include "drivers/dpdk/eal.h"
#include "drivers/sim/multi_queue_wire.h"
#include "drivers/sim/sim_wire.h"
#include "stack/buf/packet_pool.h"
#include "stack/sockets/port_chooser.h"
#include "stack/stack_core.h"

namespace skiff::bench {

inline constexpr Ipv4Address kSkiffClientIp(10, 0, 0, 1);
inline constexpr Ipv4Address kSkiffServerIp(10, 0, 0, 2);
inline constexpr uint16_t kSkiffPort = 80;

// EAL (-m 1024 --no-pci, on hugepages when `mem` allows and enough are
// free, else --no-huge) and one pool per side. Started once, on the first
// skiff experiment, so that a Linux-only run never touches DPDK.
class SkiffEnv {
 public:
  // checksum_offload: the wires MakeSkiffPair and MakeSkiffLcores build
  // declare IPv4/TCP checksum offload (SimWireConfig::checksum_offload).
  // gro: the stacks they build merge received segments
  // (StackConfig::gro).
  static absl::StatusOr<std::unique_ptr<SkiffEnv>> Start(
      InProcessMemory mem = InProcessMemory::kNoHuge,
      bool checksum_offload = false, bool gro = false);
  ~SkiffEnv();  // pools first, then EAL and its runtime directory
  SkiffEnv(const SkiffEnv&) = delete;
  SkiffEnv& operator=(const SkiffEnv&) = delete;

  PacketPool& client_pool() { return *client_pool_; }
  PacketPool& server_pool() { return *server_pool_; }
  bool checksum_offload() const { return checksum_offload_; }
  bool gro() const { return gro_; }
  // For the setup line: "EAL on hugepages (--in-memory)" or "EAL --no-huge".
  std::string memory_note() const;
  // "" when every mbuf of both pools is back; otherwise what is missing.
  std::string LeakReport() const;

 private:
  SkiffEnv() = default;
  std::unique_ptr<Eal> eal_;
  std::unique_ptr<PacketPool> client_pool_;
  std::unique_ptr<PacketPool> server_pool_;
  bool checksum_offload_ = false;
  bool gro_ = false;
};

// Two stacks over a fault-free SimWire: client on end a, server on end b;
// the wire offloads checksums when env.checksum_offload().
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

// --lcores=N: N client Stacks and N server Stacks over a MultiQueueWire
// (N queues a side, both sides steered by RSS with skiff's symmetric key and
// the same RETA), client k on queue a(k) and server k on b(k), as one Stack
// per lcore on a multi-queue NIC. Each Stack sits on a DispatchDevice over
// its queue, as in the apps (apps/common/lcore_group.h): the wire steers, so
// nothing is handed off, but ARP (steered to queue 0) is copied to every
// lcore. With N > 1 client k connects through an
// RssPortChooser for queue k: the replies come home to k and, the key being
// symmetric and the RETAs alike, its SYN reaches server k.
struct SkiffLcores {
  std::unique_ptr<MultiQueueWire> wire;
  std::unique_ptr<DispatchGroup> client_group, server_group;
  std::vector<std::unique_ptr<DispatchDevice>> dispatch;  // clients, servers
  std::vector<std::unique_ptr<RssPortChooser>> choosers;
  std::vector<std::unique_ptr<StackCore>> clients;
  std::vector<std::unique_ptr<StackCore>> servers;
  int size() const { return static_cast<int>(clients.size()); }
  ~SkiffLcores();  // stacks before the wire they point into
};
absl::StatusOr<std::unique_ptr<SkiffLcores>> MakeSkiffLcores(
    SkiffEnv& env, int n, const TcpLayerConfig& tcp);

// Runs client k and server k on threads of their own (2N threads; cores by
// LcoreCore), each polling its Stack. `client(k, now)` returns false when
// client k is done; once every client is, the servers stop. A thread whose
// turn received nothing calls sched_yield(): where threads share a core
// (2 + 2 on 2 cores, or other load) the one sharing it runs instead of
// waiting out a time slice of idle polling, and 1 + 1 and N + N run the
// same loop, so their per-lcore CPU costs compare. On a core of its own the
// thread still polls without sleeping. Returns one LcoreCost per thread
// (clients, then servers) with cpu_ns and core filled in; the caller fills
// `work`.
using LcoreClientTurn = std::function<bool(int k, Instant now)>;
using LcoreServerTurn = std::function<void(int k, Instant now)>;
std::vector<LcoreCost> RunLcores(const Placement& placement,
                                 SkiffLcores& lcores,
                                 const LcoreClientTurn& client,
                                 const LcoreServerTurn& server);
}  // namespace skiff::bench

#endif  // SKIFF_BENCH_HARNESS_SKIFF_ENV_H_
