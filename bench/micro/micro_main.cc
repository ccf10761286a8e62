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
  std::string prefix = absl::StrFormat("skiff-micro-%d", getpid());
  std::vector<std::string> args = {"skiff-micro",
                                   "--no-huge",
                                   "-m",
                                   "512",
                                   "--no-pci",
                                   "--no-shconf",
                                   "--file-prefix",
                                   prefix,
                                   "--no-telemetry",
                                   "--log-level=error",
                                   "-l",
                                   "0"};
  std::vector<char*> eal_argv;
  for (std::string& a : args) eal_argv.push_back(a.data());
  eal_argv.push_back(nullptr);
  int consumed = 0;
  auto eal = skiff::Eal::Init(static_cast<int>(args.size()), eal_argv.data(),
                              &consumed);
  if (!eal.ok()) {
    std::fprintf(stderr, "skiff-micro: %s\n", eal.status().ToString().c_str());
    return 1;
  }
  auto pool = skiff::PacketPool::Create({.name = "micro_pool", .size = 8191});
  if (!pool.ok()) {
    std::fprintf(stderr, "skiff-micro: %s\n", pool.status().ToString().c_str());
    return 1;
  }
  skiff::bench::PoolSlotForMain() = std::move(*pool);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  skiff::bench::PoolSlotForMain().reset();
  eal->reset();
  std::error_code ignored;  // EAL leaves its runtime directory behind
  std::filesystem::remove_all(
      (geteuid() == 0
           ? std::string("/var/run")
           : std::string(getenv("XDG_RUNTIME_DIR") ? getenv("XDG_RUNTIME_DIR")
                                                   : "/tmp")) +
          "/dpdk/" + prefix,
      ignored);
  return 0;
}
