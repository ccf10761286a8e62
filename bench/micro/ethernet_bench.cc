// Ethernet II header parse and emit (stack/wire/ethernet.h).
#include <benchmark/benchmark.h>

#include "bench/micro/frames.h"
#include "stack/wire/ethernet.h"

namespace skiff::bench {
namespace {

void BM_EthernetParse(benchmark::State& state) {
  auto frame = EchoRequestFrame();
  DropReason why{};
  for (auto _ : state) {
    benchmark::DoNotOptimize(frame.data());
    auto v = EthernetView::Parse(frame, &why);
    uint16_t type = v->ethertype();
    benchmark::DoNotOptimize(type);
  }
}
BENCHMARK(BM_EthernetParse);

// A frame with one 802.1Q tag: the parser reads through it.
void BM_EthernetParseVlan(benchmark::State& state) {
  auto plain = EchoRequestFrame();
  std::vector<std::byte> frame(plain.size() + kVlanTagLen);
  std::copy_n(plain.begin(), 12, frame.begin());
  StoreBe16(frame.data() + 12, EtherType::kVlan);
  StoreBe16(frame.data() + 14, 100);
  std::copy(plain.begin() + 12, plain.end(), frame.begin() + 16);
  DropReason why{};
  for (auto _ : state) {
    benchmark::DoNotOptimize(frame.data());
    auto v = EthernetView::Parse(frame, &why);
    uint16_t id = v->vlan_id();
    uint16_t type = v->ethertype();
    benchmark::DoNotOptimize(id);
    benchmark::DoNotOptimize(type);
  }
}
BENCHMARK(BM_EthernetParseVlan);

// Parse to a repr (addresses copied out) and emit the swapped header back.
void BM_EthernetParseToReprAndEmit(benchmark::State& state) {
  auto frame = EchoRequestFrame();
  DropReason why{};
  std::byte out[EthernetRepr::kLen];
  for (auto _ : state) {
    benchmark::DoNotOptimize(frame.data());
    EthernetRepr r = EthernetRepr::FromView(*EthernetView::Parse(frame, &why));
    std::swap(r.src, r.dst);
    r.Emit(out);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_EthernetParseToReprAndEmit);

void BM_EthernetEmit(benchmark::State& state) {
  EthernetRepr r{kServerMac, kClientMac, EtherType::kIpv4};
  std::byte out[EthernetRepr::kLen];
  for (auto _ : state) {
    benchmark::DoNotOptimize(&r);
    r.Emit(out);
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_EthernetEmit);

}  // namespace
}  // namespace skiff::bench
