// The checksum work of one TCP segment between two stacks over the
// in-process SimWire, both ways --wire_offload can run: software (the sender
// fills both sums, the receiver verifies both) and offload (the sender seeds
// the pseudo-header, the wire writes the sums and flags the frame GOOD, the
// receiver trusts the flags). Only the checksum steps of the stacks are
// done here, as their code does them; the rest of the pipeline is
// connection_bench.cc's.
#include <benchmark/benchmark.h>

#include <array>
#include <cstring>
#include <memory>

#include "bench/micro/frames.h"
#include "bench/micro/micro_env.h"
#include "drivers/sim/sim_wire.h"
#include "stack/buf/packet.h"
#include "stack/wire/ethernet.h"
#include "stack/wire/ipv4.h"
#include "stack/wire/tcp.h"

namespace skiff::bench {
namespace {

constexpr size_t kL2 = EthernetRepr::kLen, kL3 = Ipv4Repr::kLen;

// Args: offload (0/1), payload bytes.
void BM_SegmentChecksumsOverSimWire(benchmark::State& state) {
  const bool offload = state.range(0) != 0;
  const auto payload = PatternBytes(static_cast<size_t>(state.range(1)));
  const TcpRepr tcp{.src_port = 40000,
                    .dst_port = 80,
                    .seq = SeqNum(1),
                    .ack = SeqNum(1),
                    .flags = TcpFlag::kAck,
                    .window = 65535};
  const std::vector<std::byte> frame = TcpFrame(tcp, payload);
  const size_t seg_len = frame.size() - kL2 - kL3;
  auto wire =
      SimWire::Create({.checksum_offload = offload}, MicroPool(), MicroPool());
  if (!wire.ok()) {
    state.SkipWithError(std::string(wire.status().message()).c_str());
    return;
  }
  SimWire& w = **wire;
  std::array<Packet, 1> burst;
  for (auto _ : state) {
    // Sender: the frame as emitted with the checksum fields zero.
    Packet p = MicroPool().Alloc();
    std::byte* d = p.Append(static_cast<uint16_t>(frame.size()));
    std::memcpy(d, frame.data(), frame.size());
    std::byte* ip = d + kL2;
    std::byte* seg = ip + kL3;
    StoreBe16(ip + 10, 0);
    StoreBe16(seg + 16, 0);
    if (offload) {  // SegmentWriter and Ipv4Layer::Send with the caps
      TcpFillPseudoHeaderChecksum({seg, seg_len}, kClientIp, kServerIp);
      p.SetTxOffload({.ipv4_checksum = true,
                      .tcp_checksum = true,
                      .l2_len = kL2,
                      .l3_len = kL3});
    } else {
      TcpFillChecksum({seg, seg_len}, kClientIp, kServerIp);
      StoreBe16(ip + 10, InternetChecksum({ip, kL3}));
    }
    burst[0] = std::move(p);
    w.a().TxBurst(burst);
    w.b().RxBurst(burst);
    // Receiver: Ipv4Layer and TcpLayer's checks.
    const Packet& r = burst[0];
    DropReason why;
    const auto v = Ipv4View::Parse(
        ConstByteSpan(r.data().data() + kL2, r.data().size() - kL2), &why);
    bool good = v.has_value();
    if (good && r.rx_ip_checksum() != RxChecksum::kGood) {
      good = v->ChecksumValid();
    }
    if (good && r.rx_l4_checksum() != RxChecksum::kGood) {
      const auto t = TcpView::Parse(v->payload(), &why);
      good = t && t->ChecksumValid(v->src(), v->dst());
    }
    benchmark::DoNotOptimize(good);
    if (!good) state.SkipWithError("a checksum failed");
    burst[0].Reset();
  }
  state.SetBytesProcessed(state.iterations() *
                          static_cast<int64_t>(frame.size()));
}
BENCHMARK(BM_SegmentChecksumsOverSimWire)
    ->ArgNames({"offload", "payload"})
    ->ArgsProduct({{0, 1}, {0, 1460}});

}  // namespace
}  // namespace skiff::bench
