// IPv4 header parse (with and without software checksum verification) and
// emit (with the checksum filled in software, or left to the NIC).
#include <benchmark/benchmark.h>

#include "bench/micro/frames.h"
#include "stack/wire/ipv4.h"

namespace skiff::bench {
namespace {

void BM_Ipv4Parse(benchmark::State& state) {
  auto frame = EchoRequestFrame();
  ConstByteSpan packet = ConstByteSpan(frame).subspan(EthernetRepr::kLen);
  DropReason why{};
  for (auto _ : state) {
    benchmark::DoNotOptimize(packet.data());
    auto v = Ipv4View::Parse(packet, &why);
    uint32_t dst = v->dst().value();
    benchmark::DoNotOptimize(dst);
  }
}
BENCHMARK(BM_Ipv4Parse);

void BM_Ipv4ParseAndVerifyChecksum(benchmark::State& state) {
  auto frame = EchoRequestFrame();
  ConstByteSpan packet = ConstByteSpan(frame).subspan(EthernetRepr::kLen);
  DropReason why{};
  for (auto _ : state) {
    benchmark::DoNotOptimize(packet.data());
    auto v = Ipv4View::Parse(packet, &why);
    bool ok = v->ChecksumValid();
    benchmark::DoNotOptimize(ok);
  }
}
BENCHMARK(BM_Ipv4ParseAndVerifyChecksum);

// Arg 1: fill the checksum in software; arg 0: leave it to tx offload.
void BM_Ipv4Emit(benchmark::State& state) {
  bool fill = state.range(0) != 0;
  Ipv4Repr r{.src = kServerIp,
             .dst = kClientIp,
             .protocol = IpProtocol::kTcp,
             .payload_len = 40};
  std::byte out[Ipv4Repr::kLen];
  for (auto _ : state) {
    benchmark::DoNotOptimize(&r);
    r.Emit(out, fill);
    ++r.id;
    benchmark::DoNotOptimize(out);
  }
}
BENCHMARK(BM_Ipv4Emit)->ArgName("sw_checksum")->Arg(0)->Arg(1);

}  // namespace
}  // namespace skiff::bench
