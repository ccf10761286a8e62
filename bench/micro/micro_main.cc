// main() for skiff-micro where the system has no benchmark_main to link.
#include <benchmark/benchmark.h>

BENCHMARK_MAIN();
