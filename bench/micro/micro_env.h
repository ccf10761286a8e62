// The packet pool for micro benchmarks that run real Stacks (DPDK mbufs).
// skiff-micro's main() starts EAL (--no-huge --no-pci --no-shconf, a
// per-process --file-prefix, as tests/support/eal_env.cc) before any
// benchmark runs.
#ifndef SKIFF_BENCH_MICRO_MICRO_ENV_H_
#define SKIFF_BENCH_MICRO_MICRO_ENV_H_

#include "stack/buf/packet_pool.h"

namespace skiff::bench {

PacketPool& MicroPool();

}  // namespace skiff::bench

#endif  // SKIFF_BENCH_MICRO_MICRO_ENV_H_
