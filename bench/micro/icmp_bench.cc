// ICMP echo (RFC 792): parse, emit, and the whole reply path from a received
// frame to the bytes of its answer, as the stack's echo responder does it.
#include <benchmark/benchmark.h>

#include <algorithm>

#include "bench/micro/frames.h"
#include "stack/wire/icmp.h"

namespace skiff::bench {
namespace {

void BM_IcmpParse(benchmark::State& state) {
  auto frame = EchoRequestFrame();
  ConstByteSpan msg =
      ConstByteSpan(frame).subspan(EthernetRepr::kLen + Ipv4Repr::kLen);
  DropReason why{};
  for (auto _ : state) {
    benchmark::DoNotOptimize(msg.data());
    auto v = IcmpView::Parse(msg, &why);
    bool ok = v->ChecksumValid();
    benchmark::DoNotOptimize(ok);
  }
}
BENCHMARK(BM_IcmpParse);

void BM_IcmpEchoEmit(benchmark::State& state) {
  auto payload = PatternBytes(static_cast<size_t>(state.range(0)));
  IcmpEchoRepr r{IcmpType::kEchoReply, 0x1234, 1, payload};
  std::vector<std::byte> out(r.len());
  for (auto _ : state) {
    benchmark::DoNotOptimize(payload.data());
    r.Emit(out.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetBytesProcessed(static_cast<int64_t>(state.iterations()) *
                          static_cast<int64_t>(r.len()));
}
BENCHMARK(BM_IcmpEchoEmit)->ArgName("payload")->Arg(56)->Arg(1472);

// Ethernet, IPv4 and ICMP parsed with both checksums verified, then the
// reply's three headers and payload written into a fresh buffer.
void BM_EchoRequestToReply(benchmark::State& state) {
  auto frame = EchoRequestFrame();
  std::vector<std::byte> out(frame.size());
  DropReason why{};
  for (auto _ : state) {
    benchmark::DoNotOptimize(frame.data());
    auto eth = EthernetView::Parse(frame, &why);
    auto ip = Ipv4View::Parse(eth->payload(), &why);
    auto icmp = IcmpView::Parse(ip->payload(), &why);
    if (!ip->ChecksumValid() || !icmp->ChecksumValid()) {
      state.SkipWithError("bad checksum");
      break;
    }
    IcmpEchoRepr reply = IcmpEchoRepr::FromView(*icmp);
    reply.type = IcmpType::kEchoReply;
    Ipv4Repr ipr{.src = ip->dst(),
                 .dst = ip->src(),
                 .protocol = IpProtocol::kIcmp,
                 .payload_len = static_cast<uint16_t>(reply.len())};
    EthernetRepr{eth->src(), eth->dst(), EtherType::kIpv4}.Emit(out.data());
    ipr.Emit(out.data() + EthernetRepr::kLen, /*fill_checksum=*/true);
    reply.Emit(out.data() + EthernetRepr::kLen + Ipv4Repr::kLen);
    benchmark::DoNotOptimize(out.data());
  }
}
BENCHMARK(BM_EchoRequestToReply);

}  // namespace
}  // namespace skiff::bench
