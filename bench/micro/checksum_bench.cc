// The Internet checksum (RFC 1071) over the sizes the stack sums: a small
// header, a typical segment, a full 1500-byte frame and a 9000-byte jumbo.
#include <benchmark/benchmark.h>

#include "bench/micro/frames.h"
#include "stack/wire/checksum.h"

namespace skiff::bench {
namespace {

void BM_InternetChecksum(benchmark::State& state) {
  auto data = PatternBytes(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(data.data());
    uint16_t c = InternetChecksum(data);
    benchmark::DoNotOptimize(c);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          state.range(0));
}
BENCHMARK(BM_InternetChecksum)->Arg(64)->Arg(256)->Arg(1500)->Arg(9000);

// A TCP segment's checksum: pseudo-header plus the segment bytes.
void BM_TransportChecksum(benchmark::State& state) {
  auto seg = PatternBytes(static_cast<size_t>(state.range(0)));
  for (auto _ : state) {
    benchmark::DoNotOptimize(seg.data());
    uint32_t sum = PseudoHeaderSum(kClientIp, kServerIp, IpProtocol::kTcp,
                                   static_cast<uint16_t>(seg.size()));
    uint16_t c = ChecksumFinish(ChecksumAccumulate(seg, sum));
    benchmark::DoNotOptimize(c);
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          state.range(0));
}
BENCHMARK(BM_TransportChecksum)->Arg(40)->Arg(1460);

// RFC 1624 incremental update, as used when rewriting one 16-bit field.
void BM_ChecksumUpdate16(benchmark::State& state) {
  uint16_t c = 0x1c46, v = 0;
  for (auto _ : state) {
    c = ChecksumUpdate16(c, v, static_cast<uint16_t>(v + 1));
    ++v;
    benchmark::DoNotOptimize(c);
  }
}
BENCHMARK(BM_ChecksumUpdate16);

}  // namespace
}  // namespace skiff::bench
