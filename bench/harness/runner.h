// The workloads skiff-bench runs and the interface each stack implements.
// A stack is one Runner: LinuxRunner (kernel sockets over loopback) exists;
// the skiff runner (two skiff stacks on two lcores joined by the in-process
// wire) is one more file implementing the same three methods, created by
// MakeSkiffRunner(). Every figure skiff reports then has its Linux twin from
// the same run, with the same parameters.
#ifndef SKIFF_BENCH_HARNESS_RUNNER_H_
#define SKIFF_BENCH_HARNESS_RUNNER_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "bench/harness/histogram.h"

namespace skiff::bench {

// An IPv4 endpoint in host byte order ("10.0.0.2:80").
struct Endpoint {
  uint32_t ip = 0;
  uint16_t port = 0;
  static std::optional<Endpoint> Parse(std::string_view s);
  std::string ToString() const;
};

// Where a runner places its two sides. The client runs on client_core and
// the server on server_core; with pin = false (a one-core machine) neither
// thread is pinned and the report says so.
struct Placement {
  int client_core = 0;
  int server_core = 1;
  bool pin = true;
  // The machine's cores, read before EAL pins the main thread (after that
  // the process's affinity mask is one core); 0: unknown.
  int cores = 0;
};

// Where thread k of a side runs when each side has `lcores` threads
// (--lcores): on a machine with 2 x lcores cores, client k on core k and
// server k on core lcores + k; one lcore a side, on client_core and
// server_core as the classic pair (so --server_core=0 puts both on core
// 0); otherwise (oversubscribed: 2 + 2 on 2
// cores) client k and server k share core k % cores, so that a pair's
// threads hand the core to each other when idle instead of one of them
// being descheduled for a time slice while its peer waits on it.
int LcoreCore(const Placement& p, int cores, int lcores, bool server, int k);

// What one thread (one lcore) of a run on several lcores did, over the whole
// run, warm-up included: its CPU time (CLOCK_THREAD_CPUTIME_ID, so time
// spent descheduled on an oversubscribed machine does not count) and the
// work it did (cps: connections it completed or served; bulk: bytes it sent
// or received).
struct LcoreCost {
  bool server = false;
  int index = 0;
  int core = -1;  // pinned to; -1 unpinned
  int64_t cpu_ns = 0;
  uint64_t work = 0;
  double ns_per_unit() const {
    return work > 0 ? static_cast<double>(cpu_ns) / static_cast<double>(work)
                    : 0;
  }
};
// Thread k of a side with `lcores` threads a side: side, index and core
// (LcoreCore on p.cores; -1 when p.pin is false) filled in.
LcoreCost LcoreThread(const Placement& p, int lcores, bool server, int k);

// Measurement window shared by every mode: run `warmup_s` unrecorded, then
// record for `duration_s`.
struct Window {
  double duration_s = 3.0;
  double warmup_s = 0.5;
};

// cps: `concurrency` connections kept open at once; each connects, sends one
// HTTP/1.1 GET, reads the whole response (a 64-byte page), and closes.
struct CpsParams {
  Window window;
  int concurrency = 32;
  // When set, only the client runs, against this external HTTP server.
  std::optional<Endpoint> target;
  // 0: the classic pair (one client and one server thread). N >= 1: N
  // client and N server threads (skiff: N Stacks a side over the multi-queue
  // wire; Linux: N epoll threads a side, the servers on SO_REUSEPORT
  // listeners), `concurrency` connections in flight per client thread.
  int lcores = 0;
};
struct CpsResult {
  uint64_t connections = 0;  // completed inside the window
  uint64_t errors = 0;       // refused, reset or malformed (excluded above)
  double seconds = 0;        // the window actually measured
  Histogram latency_ns;      // connect start -> response complete
  std::vector<LcoreCost> lcores;  // per thread, when run with lcores >= 1
  double conn_per_s() const {
    return seconds > 0 ? static_cast<double>(connections) / seconds : 0;
  }
};

// bulk: one connection; the client writes `write_size`-byte chunks, the
// server discards them. Throughput counts bytes the server received.
struct BulkParams {
  Window window;
  size_t write_size = 64 * 1024;
  // 0: one connection between two threads. N >= 1: N connections, client
  // thread k to server thread k.
  int lcores = 0;
};
struct BulkResult {
  uint64_t bytes = 0;
  double seconds = 0;
  std::vector<LcoreCost> lcores;  // per thread, when run with lcores >= 1
  double gbit_per_s() const {
    return seconds > 0 ? static_cast<double>(bytes) * 8 / seconds / 1e9 : 0;
  }
};

// rr: `connections` connections (TCP_NODELAY), each with exactly one
// request outstanding: the client sends `message_size` bytes, waits for the
// server's answer of as many, and sends the next (bench-iip's ping-pong).
// The server side is one thread (one Stack, or one epoll loop) on one core
// in both stacks, so requests/s is also requests/s per server core.
struct RrParams {
  Window window;
  size_t message_size = 64;
  int connections = 1;
};
struct RrResult {
  uint64_t round_trips = 0;  // requests answered inside the window
  double seconds = 0;
  Histogram rtt_ns;  // request sent -> whole answer received
  int server_cores = 1;
  double req_per_s() const {
    return seconds > 0 ? static_cast<double>(round_trips) / seconds : 0;
  }
  double req_per_s_per_server_core() const {
    return server_cores > 0 ? req_per_s() / server_cores : 0;
  }
};

class Runner {
 public:
  virtual ~Runner() = default;
  // "linux" or "skiff": the key of this stack's object in the JSON.
  virtual std::string_view name() const = 0;
  // A line for the report on how this stack was set up (pinning, close
  // mode, polling), printed under the table.
  virtual std::string Describe() const = 0;
  // Each call is a complete experiment: set up, warm up, measure, tear
  // down. An error means no figure, never a partial one.
  virtual absl::StatusOr<CpsResult> RunCps(const CpsParams& p) = 0;
  virtual absl::StatusOr<BulkResult> RunBulk(const BulkParams& p) = 0;
  virtual absl::StatusOr<RrResult> RunRr(const RrParams& p) = 0;
};

struct LinuxOptions {
  Placement placement;
  // Never sleep: cps and rr poll epoll with a zero timeout, bulk spins on
  // MSG_DONTWAIT recv. The kernel-socket analogue of a busy-polling
  // user-space stack; where idle CPUs wake slowly (VMs) it changes rr a lot.
  bool spin = false;
  int lcores = 0;  // --lcores (CpsParams::lcores): for Describe
};
std::unique_ptr<Runner> MakeLinuxRunner(const LinuxOptions& options);

struct SkiffOptions {
  Placement placement;
  int lcores = 0;  // --lcores (CpsParams::lcores): for Describe
  // --hugepages: EAL (mbufs, rings) on 2 MiB pages when enough are free.
  bool hugepages = true;
  // --wire_offload: the in-process wire declares IPv4/TCP checksum offload
  // tx+rx and does the NIC's part (drivers/sim/checksum_offload.h).
  bool wire_offload = true;
  // --gro: the stacks merge received TCP segments (StackConfig::gro).
  bool gro = true;
};
// Fails with kUnimplemented until the skiff runner is built.
absl::StatusOr<std::unique_ptr<Runner>> MakeSkiffRunner(
    const SkiffOptions& options);

}  // namespace skiff::bench

#endif  // SKIFF_BENCH_HARNESS_RUNNER_H_
