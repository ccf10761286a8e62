// Whole-stack fuzz target: frames and time steps through a TestChannel into
// a StackCore with a listener and an established connection (stack_harness.h).
//
// The input is a sequence of operations, each an opcode byte and its
// operands; a short input just ends the sequence. Structured TCP segments
// take the 4-tuples and sequence numbers the stack itself used and get
// correct checksums; raw frames and raw TCP headers (checksum fixed) are
// taken as given.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>

#include "tests/fuzz/stack_harness.h"

namespace skiff::fuzz {
namespace {

constexpr int kMaxOps = 256;

// Reads operands from the input; past the end everything reads as zero.
class Reader {
 public:
  explicit Reader(std::span<const uint8_t> in) : in_(in) {}
  bool empty() const { return in_.empty(); }
  uint8_t Byte() {
    if (in_.empty()) return 0;
    const uint8_t b = in_[0];
    in_ = in_.subspan(1);
    return b;
  }
  uint16_t U16() { return static_cast<uint16_t>(Byte() << 8 | Byte()); }
  int8_t Signed() { return static_cast<int8_t>(Byte()); }
  Bytes Take(size_t n) {
    n = std::min(n, in_.size());
    Bytes out(n);
    for (size_t i = 0; i < n; ++i) out[i] = static_cast<std::byte>(in_[i]);
    in_ = in_.subspan(n);
    return out;
  }

 private:
  std::span<const uint8_t> in_;
};

// Scales for sequence-number offsets: next to the edge, a few segments
// away, window-sized, and far out (old or beyond any window).
constexpr int64_t kScales[] = {1, 512, 65536, 1 << 24};

void StructuredSegment(StackHarness& h, Reader& r) {
  const uint8_t sel = r.Byte();
  const auto& flows = h.flows();
  TcpRepr hdr;
  uint32_t seq_base = 0, ack_base = 0, tsecr = 0;
  if (sel < 0xc0 && !flows.empty()) {
    const Flow& f = flows[sel % flows.size()];
    hdr.src_port = f.peer_port;
    hdr.dst_port = f.our_port;
    seq_base = f.our_ack;
    ack_base = f.our_nxt;
    tsecr = f.our_tsval;
  } else {  // a tuple the stack has not seen: LISTEN or no socket at all
    hdr.src_port = static_cast<uint16_t>(kPeerPort + 1 + (sel & 7));
    hdr.dst_port = (sel & 0x10) ? 8080 : kListenPort;
    seq_base = 5'000'000u * (sel & 7);
  }
  hdr.flags = r.Byte();
  const uint8_t mode = r.Byte();
  hdr.seq =
      SeqNum(seq_base + static_cast<uint32_t>(r.Signed() * kScales[mode & 3]));
  hdr.ack = SeqNum(
      ack_base + static_cast<uint32_t>(r.Signed() * kScales[(mode >> 2) & 3]));
  hdr.window = r.U16();
  if (mode & 0x80) hdr.urgent = r.U16();

  const uint8_t opt = r.Byte();
  TcpOptions& o = hdr.options;
  if (opt & 0x01) o.mss = r.U16();
  if (opt & 0x02) o.window_scale = r.Byte();
  if (opt & 0x04) o.sack_permitted = true;
  if (opt & 0x08) {
    const uint32_t tsval =
        h.peer_tsval() +
        static_cast<uint32_t>(r.Signed() * kScales[(mode >> 4) & 3]);
    o.timestamp = TcpTimestamp{tsval, (mode & 0x40) ? r.U16() : tsecr};
  }
  o.sack_count = (opt >> 4) & 3;
  for (uint8_t i = 0; i < o.sack_count; ++i) {
    const SeqNum left(ack_base + static_cast<uint32_t>(r.Signed() * 512));
    o.sack[i] = {left, left + static_cast<uint32_t>(r.Byte()) * 64};
  }
  Bytes raw;
  if (opt & 0x40) raw = r.Take(r.Byte() % (kTcpMaxOptionsLen + 1));
  const uint8_t len = r.Byte();
  const size_t payload = (len & 0x80) ? (len & 0x7f) * 16u : len;
  h.InjectTcp(hdr, (opt & 0x40) ? &raw : nullptr, payload);
}

void AppAction(StackHarness& h, Reader& r) {
  const uint8_t op = r.Byte();
  const uint8_t which = r.Byte();
  switch (op % 8) {
    case 0:
      h.AppSend(which, r.Byte() * 256u);
      break;
    case 1:
      h.AppSend(which, r.Byte());
      break;
    case 2:
      h.AppRecv(which);
      break;
    case 3:
      h.AppShutdown(which);
      break;
    case 4:
      h.AppClose(which);
      break;
    case 5:
      h.AppAbort(which);
      break;
    case 6:
      h.AppConnect(static_cast<uint16_t>(kListenPort + which % 4));
      break;
    case 7:
      h.AppSetAutoRead(which & 1);
      break;
  }
}

constexpr Duration kSteps[] = {
    Duration::Zero(),       Duration::Millis(1),    Duration::Millis(10),
    Duration::Millis(40),   Duration::Millis(200),  Duration::Seconds(1),
    Duration::Seconds(3),   Duration::Seconds(10),  Duration::Seconds(61),
    Duration::Seconds(130), Duration::Seconds(600),
};

void RunOne(StackHarness& h, Reader& r) {
  const uint8_t opcode = r.Byte();
  if (std::getenv("STACK_FUZZ_TRACE") != nullptr)
    std::fprintf(stderr, "op %d\n", opcode % 12);
  switch (opcode % 12) {
    case 0:
      h.InjectRaw(r.Take(r.U16() % 1515));
      break;
    case 1: {
      const uint8_t protocol = r.Byte();
      h.InjectIpv4(protocol, r.Take(r.U16() % 1481));
      break;
    }
    case 2:
      h.InjectRawTcp(r.Take(r.U16() % 1481));
      break;
    case 3:
    case 4:
    case 5:
    case 6:
      StructuredSegment(h, r);
      break;
    case 7: {
      const uint8_t flow = r.Byte();
      const uint8_t code = r.Byte() % 6;
      const uint16_t mtu = r.U16();
      const uint8_t delta = r.Byte();
      h.InjectIcmpError(flow, code, mtu, -static_cast<int64_t>(delta) * 16,
                        (flow & 0x80) != 0);
      break;
    }
    case 8: {
      const uint8_t b = r.Byte();
      h.InjectArp(b & 1, r.Byte(), r.Byte());
      break;
    }
    case 9:
    case 10:
      h.Advance(kSteps[r.Byte() % std::size(kSteps)]);
      break;
    case 11:
      AppAction(h, r);
      break;
  }
}

}  // namespace
}  // namespace skiff::fuzz

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  skiff::fuzz::FuzzPool();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  skiff::fuzz::StackHarness h;
  h.Start();
  skiff::fuzz::Reader r({data, size});
  for (int i = 0; i < skiff::fuzz::kMaxOps && !r.empty(); ++i)
    skiff::fuzz::RunOne(h, r);
  h.Finish();
  return 0;
}
