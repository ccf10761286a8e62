// The skiff Runner: two skiff Stacks, client and server, each busy-polled
// on its own pinned core, joined by an in-process SimWire (no faults, no
// delay). EAL starts with the first experiment, not when the runner is made,
// so `--list_stacks` and Linux-only runs never start DPDK.
#include <memory>
#include <string>

#include "absl/strings/str_format.h"
#include "bench/harness/skiff_workloads.h"
#include "bench/harness/sys.h"

namespace skiff::bench {
namespace {

class SkiffRunner final : public Runner {
 public:
  explicit SkiffRunner(const SkiffOptions& o)
      : placement_(o.placement),
        lcores_(o.lcores),
        cores_(o.placement.cores),
        hugepages_(o.hugepages),
        wire_offload_(o.wire_offload),
        gro_(o.gro) {}

  std::string_view name() const override { return "skiff"; }
  std::string Describe() const override {
    if (lcores_ >= 1) return DescribeLcores();
    std::string where =
        placement_.pin
            ? absl::StrFormat(
                  "client stack on core %d, server stack on core %d",
                  placement_.client_core, placement_.server_core)
            : std::string("client and server stacks unpinned (one core)");
    return where +
           "; two skiff Stacks over an in-process SimWire (rte_ring per "
           "direction, no NIC), busy-polled; cps: the client Abort()s (RST) "
           "after the whole response (as Linux SO_LINGER 0), the server "
           "Close()s (FIN), no TIME-WAIT; rr: the server Stack answers on "
           "every connection, the client Stack drives them all; " +
           Wire() + "; " + Memory() + ", mbufs from 2 pools";
  }

  std::string DescribeLcores() const {
    const int n = lcores_;
    std::string where =
        !placement_.pin ? std::string("threads unpinned")
        : n == 1
            ? absl::StrFormat("client on core %d, server on core %d",
                              placement_.client_core, placement_.server_core)
        : cores_ >= 2 * n
            ? absl::StrFormat("client k on core k, server k on core %d+k", n)
            : absl::StrFormat(
                  "client k and server k on core k %% %d "
                  "(oversubscribed: %d threads on %d cores)",
                  cores_, 2 * n, cores_);
    return absl::StrFormat(
        "%d+%d lcores: %d client and %d server skiff Stacks, one thread "
        "each, polling (sched_yield after a turn that received nothing), over "
        "the in-process MultiQueueWire (%d queues a "
        "side, Toeplitz RSS with skiff's symmetric key, DispatchDevice per "
        "queue as in the apps, with 2+ lcores an RssPortChooser per client); "
        "%s; cps: "
        "concurrency per client lcore, client Abort()s (RST), server Close()s "
        "(FIN); bulk: connection k from client k to server k; %s; %s",
        n, n, n, n, n, where, Wire(), Memory());
  }

  absl::StatusOr<CpsResult> RunCps(const CpsParams& p) override {
    if (p.target) {
      return absl::UnimplementedError(
          "--target: skiff has no runner over a real DPDK port yet");
    }
    if (absl::Status s = Env(); !s.ok()) return s;
    return Checked(RunSkiffCps(*env_, p, placement_));
  }
  absl::StatusOr<BulkResult> RunBulk(const BulkParams& p) override {
    if (absl::Status s = Env(); !s.ok()) return s;
    return Checked(RunSkiffBulk(*env_, p, placement_));
  }
  absl::StatusOr<RrResult> RunRr(const RrParams& p) override {
    if (absl::Status s = Env(); !s.ok()) return s;
    return Checked(RunSkiffRr(*env_, p, placement_));
  }

 private:
  // What the stacks leave to the wire, as a port's offloads would be listed.
  std::string Wire() const {
    return std::string(wire_offload_
                           ? "wire: in-process, checksum offload tx+rx"
                           : "wire: in-process, checksums in software") +
           (gro_ ? ", receive GRO on" : ", receive GRO off");
  }
  std::string Memory() const {
    if (!env_) return "EAL not started";
    return env_->memory_note();
  }
  absl::Status Env() {
    if (env_) return absl::OkStatus();
    auto env = SkiffEnv::Start(hugepages_ ? InProcessMemory::kHugepagesIfFree
                                          : InProcessMemory::kNoHuge,
                               wire_offload_, gro_);
    if (!env.ok()) return env.status();
    env_ = std::move(*env);
    return absl::OkStatus();
  }
  // An experiment that leaks mbufs has a bug somewhere: no figure.
  template <typename T>
  absl::StatusOr<T> Checked(absl::StatusOr<T> r) {
    if (!r.ok()) return r;
    std::string leak = env_->LeakReport();
    if (!leak.empty()) return absl::InternalError("skiff: " + leak);
    return r;
  }

  Placement placement_;
  int lcores_;
  int cores_;
  bool hugepages_;
  bool wire_offload_;
  bool gro_;
  std::unique_ptr<SkiffEnv> env_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Runner>> MakeSkiffRunner(
    const SkiffOptions& options) {
  return std::unique_ptr<Runner>(new SkiffRunner(options));
}

}  // namespace skiff::bench
