// main() for skiff-micro: starts EAL and the packet pool that the
// connection benchmarks need, then runs Google Benchmark.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_format.h"
#include "bench/micro/micro_env.h"
#include "drivers/dpdk/eal.h"

namespace skiff::bench {

std::unique_ptr<PacketPool>& PoolSlotForMain() {
  static std::unique_ptr<PacketPool> pool;
  return pool;
}

PacketPool& MicroPool() { return *PoolSlotForMain(); }

}  // namespace skiff::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  auto eal = skiff::Eal::InitInProcess(
      "skiff-micro", 512, skiff::InProcessMemory::kHugepagesIfFree);
  if (!eal.ok()) {
    std::fprintf(stderr, "skiff-micro: %s\n", eal.status().ToString().c_str());
    return 1;
  }
  // mbufs on 2 MiB pages cost fewer TLB misses: say which ran.
  benchmark::AddCustomContext("eal_memory", (*eal)->hugepages()
                                                ? "hugepages"
                                                : "4 KiB pages (no-huge)");
  auto pool = skiff::PacketPool::Create({.name = "micro_pool", .size = 8191});
  if (!pool.ok()) {
    std::fprintf(stderr, "skiff-micro: %s\n", pool.status().ToString().c_str());
    return 1;
  }
  skiff::bench::PoolSlotForMain() = std::move(*pool);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  skiff::bench::PoolSlotForMain().reset();
  eal->reset();  // also removes EAL's runtime directory
  return 0;
}
