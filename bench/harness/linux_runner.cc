// The Linux kernel's TCP as a Runner: the baseline every skiff figure is
// reported beside.
#include "absl/strings/str_format.h"
#include "bench/harness/linux_workloads.h"
#include "bench/harness/runner.h"

namespace skiff::bench {
namespace {

class LinuxRunner : public Runner {
 public:
  explicit LinuxRunner(const LinuxOptions& o) : o_(o) {}

  std::string_view name() const override { return "linux"; }

  std::string Describe() const override {
    const Placement& pl = o_.placement;
    if (o_.lcores >= 1) {
      return absl::StrFormat(
          "linux: kernel TCP over 127.0.0.1, %d+%d threads (%s); cps: %d "
          "epoll client threads, concurrency per thread, %d epoll server "
          "threads each on its own SO_REUSEPORT listener of one port, RST "
          "close; bulk: %d connections, each a client thread to a server "
          "thread of its own, blocking send/recv; %s",
          o_.lcores, o_.lcores,
          pl.pin ? "pinned as the skiff lcores" : "not pinned", o_.lcores,
          o_.lcores, o_.lcores,
          o_.spin ? "threads busy-poll (--linux_spin)"
                  : "threads sleep when idle (default)");
    }
    std::string where =
        pl.pin ? absl::StrFormat("client pinned to core %d, server to core %d",
                                 pl.client_core, pl.server_core)
               : std::string("threads NOT pinned (fewer than 2 cores)");
    return absl::StrFormat(
        "linux: kernel TCP over 127.0.0.1, %s; cps: epoll, non-blocking, "
        "SO_REUSEADDR, clients close with RST (SO_LINGER {1,0}) so no "
        "TIME-WAIT; bulk: blocking send/recv; rr: one epoll server thread "
        "answering every connection, one epoll client thread, non-blocking, "
        "TCP_NODELAY; %s",
        where,
        o_.spin ? "threads busy-poll (--linux_spin: epoll_wait timeout 0, "
                  "bulk recv MSG_DONTWAIT)"
                : "threads sleep when idle (default)");
  }

  absl::StatusOr<CpsResult> RunCps(const CpsParams& p) override {
    return RunLinuxCps(p, o_.placement, o_.spin);
  }
  absl::StatusOr<BulkResult> RunBulk(const BulkParams& p) override {
    return RunLinuxBulk(p, o_.placement, o_.spin);
  }
  absl::StatusOr<RrResult> RunRr(const RrParams& p) override {
    return RunLinuxRr(p, o_.placement, o_.spin);
  }

 private:
  LinuxOptions o_;
};

}  // namespace

std::unique_ptr<Runner> MakeLinuxRunner(const LinuxOptions& options) {
  return std::make_unique<LinuxRunner>(options);
}

}  // namespace skiff::bench
