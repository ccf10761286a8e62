// Raw TCP frames for the two-stack tests: build one to inject into a
// SimWire, parse the TCP header out of one captured from it.
#ifndef SKIFF_TESTS_UNIT_STACK_TCP_FRAMES_H_
#define SKIFF_TESTS_UNIT_STACK_TCP_FRAMES_H_

#include <array>
#include <optional>
#include <string>
#include <vector>

#include "stack/buf/packet.h"
#include "stack/wire/ethernet.h"
#include "stack/wire/ipv4.h"
#include "stack/wire/tcp.h"
#include "tests/support/eal_env.h"
#include "tests/unit/stack/two_stacks.h"
#include "tests/unit/tcp/segment_match.h"

namespace skiff::testing {

inline constexpr uint16_t kEtherTypeIpv4 = 0x0800;
inline constexpr uint8_t kProtoTcp = 6;

// An Ethernet + IPv4 + TCP frame, checksums filled.
inline Packet TcpFrame(MacAddress dst_mac, MacAddress src_mac, Ipv4Address src,
                       Ipv4Address dst, const TcpRepr& t,
                       ConstByteSpan payload = {}) {
  const size_t tcp_len = t.header_len() + payload.size();
  std::vector<std::byte> b(EthernetRepr::kLen + Ipv4Repr::kLen + tcp_len);
  EthernetRepr{dst_mac, src_mac, kEtherTypeIpv4}.Emit(b.data());
  Ipv4Repr ip{.src = src,
              .dst = dst,
              .protocol = kProtoTcp,
              .payload_len = static_cast<uint16_t>(tcp_len)};
  ip.Emit(b.data() + EthernetRepr::kLen, /*fill_checksum=*/true);
  std::byte* tcp = b.data() + EthernetRepr::kLen + Ipv4Repr::kLen;
  t.Emit(tcp);
  std::copy(payload.begin(), payload.end(), tcp + t.header_len());
  TcpFillChecksum(ByteSpan(tcp, tcp_len), src, dst);
  return MakePacket(b);
}

// The TCP segment of a captured frame (header and payload, for IsSegment
// of tests/unit/tcp/segment_match.h), if it is one.
inline std::optional<Sent> ParseTcpSegment(const Packet& p) {
  ConstByteSpan f(p.data().data(), p.data().size());
  DropReason why;
  auto eth = EthernetView::Parse(f, &why);
  if (!eth || eth->ethertype() != kEtherTypeIpv4) return std::nullopt;
  auto ip = Ipv4View::Parse(eth->payload(), &why);
  if (!ip || ip->protocol() != kProtoTcp) return std::nullopt;
  auto tcp = TcpView::Parse(ip->payload(), &why);
  if (!tcp) return std::nullopt;
  std::optional<TcpRepr> h = TcpRepr::FromView(*tcp, &why);
  if (!h) return std::nullopt;
  const ConstByteSpan payload = tcp->payload();
  return Sent{*h, std::string(reinterpret_cast<const char*>(payload.data()),
                              payload.size())};
}
// The TCP header of a captured frame, if it is one.
inline std::optional<TcpRepr> ParseTcp(const Packet& p) {
  std::optional<Sent> s = ParseTcpSegment(p);
  if (!s) return std::nullopt;
  return s->h;
}

// TwoStacks with a client that is only a wire end: tests write the client's
// segments themselves and read what the server sent back.
class RawClientTwoStacks : public TwoStacks {
 protected:
  // Frames from the server that reached the client's end (client not
  // polled), TCP headers only.
  std::vector<TcpRepr> CaptureAtClient() {
    std::vector<TcpRepr> out;
    for (const Sent& s : CaptureSegmentsAtClient()) out.push_back(s.h);
    return out;
  }
  // The same with payloads, to match with IsSegment.
  std::vector<Sent> CaptureSegmentsAtClient() {
    std::vector<Sent> out;
    std::array<Packet, 32> burst;
    for (size_t n; (n = wire_->a().RxBurst(burst)) > 0;) {
      for (size_t i = 0; i < n; ++i) {
        if (auto s = ParseTcpSegment(burst[i])) out.push_back(std::move(*s));
        burst[i] = Packet();
      }
    }
    return out;
  }
  // Puts a segment from `src` on the wire to the server (not polled).
  void InjectToServer(Ipv4Address src, const TcpRepr& t,
                      ConstByteSpan payload = {}) {
    Packet p[1] = {TcpFrame(wire_->b().mac(), wire_->a().mac(), src, kServerIp,
                            t, payload)};
    ASSERT_EQ(wire_->a().TxBurst(p), 1u);
  }
  // Both sides learn each other's MAC (a refused connect).
  void WarmArp() {
    ConnectResult c = client_->Connect(kServerIp, 9);
    ASSERT_TRUE(c.ok());
    RunFor(Duration::Millis(5));
    client_->Close(c.value());
    RunFor(Duration::Millis(1));
  }
};

}  // namespace skiff::testing

#endif  // SKIFF_TESTS_UNIT_STACK_TCP_FRAMES_H_
