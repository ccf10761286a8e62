// The three workloads over two skiff stacks (skiff_env.h). SkiffRunner is
// their thin Runner face; each lives in its own file, as the Linux ones do.
#ifndef SKIFF_BENCH_HARNESS_SKIFF_WORKLOADS_H_
#define SKIFF_BENCH_HARNESS_SKIFF_WORKLOADS_H_

#include "absl/status/statusor.h"
#include "bench/harness/runner.h"
#include "bench/harness/skiff_env.h"

namespace skiff::bench {

// Server: accepts, reads a request to its blank line, Send()s the page and
// Close()s (FIN). Client: `concurrency` connections in flight; each sends
// the GET on kConnected, reads the whole response and Abort()s (RST, as the
// Linux client's SO_LINGER 0), so neither side keeps TIME-WAIT.
// With p.lcores >= 1: N client and N server Stacks over the multi-queue
// wire (SkiffLcores), one thread each.
absl::StatusOr<CpsResult> RunSkiffCps(SkiffEnv& env, const CpsParams& p,
                                      const Placement& placement);
// One connection; the client Send()s until the buffer is full, the server
// Recv()s and discards; bytes counted at the server inside the window.
// With p.lcores >= 1: N connections, client k to server k.
absl::StatusOr<BulkResult> RunSkiffBulk(SkiffEnv& env, const BulkParams& p,
                                        const Placement& placement);
// p.connections connections, SetNoDelay(true) on both ends, one server
// Stack answering on all of them; each client connection times its
// message_size request answered by as many bytes, then sends the next.
absl::StatusOr<RrResult> RunSkiffRr(SkiffEnv& env, const RrParams& p,
                                    const Placement& placement);

}  // namespace skiff::bench

#endif  // SKIFF_BENCH_HARNESS_SKIFF_WORKLOADS_H_
