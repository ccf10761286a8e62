// TCP header parse (view, options, checksum) and emit, on the segments a
// connection meets most: a Linux SYN (MSS, SACK-permitted, timestamps,
// window scale) and a data segment with timestamps.
#include <benchmark/benchmark.h>

#include <vector>

#include "bench/micro/frames.h"
#include "stack/wire/tcp.h"

namespace skiff::bench {
namespace {

constexpr size_t kL4 = EthernetRepr::kLen + Ipv4Repr::kLen;

TcpRepr SynRepr() {
  return {.src_port = 40000,
          .dst_port = 80,
          .seq = SeqNum(1000),
          .flags = TcpFlag::kSyn,
          .window = 64240,
          .options = LinuxSynOptions(12345)};
}

TcpRepr DataRepr() {
  TcpOptions o;
  o.timestamp = TcpTimestamp{12345, 6789};
  return {.src_port = 40000,
          .dst_port = 80,
          .seq = SeqNum(1001),
          .ack = SeqNum(5001),
          .flags = TcpFlag::kAck | TcpFlag::kPsh,
          .window = 502,
          .options = o};
}

// TcpView::Parse + TcpRepr::FromView (options included).
void BM_TcpParse(benchmark::State& state, TcpRepr repr, size_t payload) {
  std::vector<std::byte> f = TcpFrame(repr, PatternBytes(payload));
  ConstByteSpan seg(f.data() + kL4, f.size() - kL4);
  DropReason why{};
  for (auto _ : state) {
    auto v = TcpView::Parse(seg, &why);
    auto r = TcpRepr::FromView(*v, &why);
    benchmark::DoNotOptimize(r);
  }
}
BENCHMARK_CAPTURE(BM_TcpParse, syn, SynRepr(), 0);
BENCHMARK_CAPTURE(BM_TcpParse, data_ts, DataRepr(), 0);

// The software checksum check a NIC without rx offload leaves to us.
void BM_TcpChecksumValid(benchmark::State& state) {
  std::vector<std::byte> f =
      TcpFrame(DataRepr(), PatternBytes(static_cast<size_t>(state.range(0))));
  ConstByteSpan seg(f.data() + kL4, f.size() - kL4);
  DropReason why{};
  auto v = TcpView::Parse(seg, &why);
  for (auto _ : state) {
    benchmark::DoNotOptimize(v->ChecksumValid(kClientIp, kServerIp));
  }
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(seg.size()));
}
BENCHMARK(BM_TcpChecksumValid)->Arg(0)->Arg(64)->Arg(1460);

// TcpRepr::Emit (header + options), then the pseudo-header checksum as with
// tx offload, or the full software checksum.
void BM_TcpEmit(benchmark::State& state, TcpRepr repr, bool full_checksum) {
  std::vector<std::byte> buf(kTcpMaxHeaderLen);
  for (auto _ : state) {
    repr.Emit(buf.data());
    ByteSpan seg(buf.data(), repr.header_len());
    if (full_checksum) {
      TcpFillChecksum(seg, kServerIp, kClientIp);
    } else {
      TcpFillPseudoHeaderChecksum(seg, kServerIp, kClientIp);
    }
    benchmark::DoNotOptimize(buf.data());
    benchmark::ClobberMemory();
  }
}
BENCHMARK_CAPTURE(BM_TcpEmit, synack_offload, SynRepr(), false);
BENCHMARK_CAPTURE(BM_TcpEmit, ack_ts_offload, DataRepr(), false);
BENCHMARK_CAPTURE(BM_TcpEmit, ack_ts_software, DataRepr(), true);

}  // namespace
}  // namespace skiff::bench
