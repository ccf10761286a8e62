// Address text parsing and formatting (configuration and logging paths, not
// the data path: these bound what a control-plane call costs).
#include <benchmark/benchmark.h>

#include <string>

#include "stack/wire/addr.h"

namespace skiff::bench {
namespace {

void BM_MacAddressParse(benchmark::State& state) {
  std::string text = "02:00:5e:10:00:01";
  for (auto _ : state) {
    benchmark::DoNotOptimize(text.data());
    auto m = MacAddress::Parse(text);
    benchmark::DoNotOptimize(m);
  }
}
BENCHMARK(BM_MacAddressParse);

void BM_Ipv4AddressParse(benchmark::State& state) {
  std::string text = "192.168.100.254";
  for (auto _ : state) {
    benchmark::DoNotOptimize(text.data());
    auto a = Ipv4Address::Parse(text);
    benchmark::DoNotOptimize(a);
  }
}
BENCHMARK(BM_Ipv4AddressParse);

void BM_Ipv4CidrParse(benchmark::State& state) {
  std::string text = "10.88.0.2/24";
  for (auto _ : state) {
    benchmark::DoNotOptimize(text.data());
    auto c = Ipv4Cidr::Parse(text);
    benchmark::DoNotOptimize(c);
  }
}
BENCHMARK(BM_Ipv4CidrParse);

void BM_Ipv4AddressToString(benchmark::State& state) {
  Ipv4Address a(192, 168, 100, 254);
  for (auto _ : state) {
    benchmark::DoNotOptimize(&a);
    std::string s = a.ToString();
    benchmark::DoNotOptimize(s.data());
  }
}
BENCHMARK(BM_Ipv4AddressToString);

}  // namespace
}  // namespace skiff::bench
