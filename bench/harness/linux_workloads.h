// The three workloads over Linux kernel sockets. LinuxRunner is their thin
// Runner face; each lives in its own file.
#ifndef SKIFF_BENCH_HARNESS_LINUX_WORKLOADS_H_
#define SKIFF_BENCH_HARNESS_LINUX_WORKLOADS_H_

#include "absl/status/statusor.h"
#include "bench/harness/runner.h"

namespace skiff::bench {

// Server: one epoll thread, non-blocking accept4/read/write/close.
// Client: one epoll thread keeping `concurrency` non-blocking connects in
// flight; each closes with SO_LINGER {1, 0} (an RST), so neither side keeps
// TIME-WAIT state and ephemeral ports never run out. With `spin` both
// threads poll epoll without sleeping.
absl::StatusOr<CpsResult> RunLinuxCps(const CpsParams& p,
                                      const Placement& placement, bool spin);
// One connection, blocking send/recv (netperf TCP_STREAM style: one
// connection gains nothing from epoll but an extra syscall per write), or
// spinning on MSG_DONTWAIT when `spin`.
absl::StatusOr<BulkResult> RunLinuxBulk(const BulkParams& p,
                                        const Placement& placement, bool spin);
// Server: one epoll thread answering on every connection it accepts.
// Client: one epoll thread, p.connections non-blocking connections with one
// request outstanding each; TCP_NODELAY both ends (linux_rr.cc).
absl::StatusOr<RrResult> RunLinuxRr(const RrParams& p,
                                    const Placement& placement, bool spin);

}  // namespace skiff::bench

#endif  // SKIFF_BENCH_HARNESS_LINUX_WORKLOADS_H_
