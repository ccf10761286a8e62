// The EAL's lcores (-l / --lcores): one StackCore per lcore runs on them
// (issue 10). The main lcore is lcore 0 of skiff's numbering, the EAL's
// workers 1..n-1 in their EAL order.
#ifndef SKIFF_DRIVERS_DPDK_LCORES_H_
#define SKIFF_DRIVERS_DPDK_LCORES_H_

#include <cstdint>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"

namespace skiff {

// rte_lcore_count(): the main lcore and the workers.
uint16_t EalLcoreCount();

// Runs fn(k) for every k in [0, n): k = 0 on the calling (main) lcore,
// the others on EAL worker lcores (rte_eal_remote_launch), and returns once
// all have returned. FailedPrecondition when the EAL has fewer than n
// lcores or a worker is busy; then fn ran nowhere.
absl::Status RunOnLcores(uint16_t n, absl::FunctionRef<void(uint16_t)> fn);

}  // namespace skiff

#endif  // SKIFF_DRIVERS_DPDK_LCORES_H_
