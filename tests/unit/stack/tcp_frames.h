// Raw TCP frames for the two-stack tests: build one to inject into a
// SimWire, parse the TCP header out of one captured from it.
#ifndef SKIFF_TESTS_UNIT_STACK_TCP_FRAMES_H_
#define SKIFF_TESTS_UNIT_STACK_TCP_FRAMES_H_

#include <optional>
#include <vector>

#include "stack/buf/packet.h"
#include "stack/wire/ethernet.h"
#include "stack/wire/ipv4.h"
#include "stack/wire/tcp.h"
#include "tests/support/eal_env.h"

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

// The TCP header of a captured frame, if it is one.
inline std::optional<TcpRepr> ParseTcp(const Packet& p) {
  ConstByteSpan f(p.data().data(), p.data().size());
  DropReason why;
  auto eth = EthernetView::Parse(f, &why);
  if (!eth || eth->ethertype() != kEtherTypeIpv4) return std::nullopt;
  auto ip = Ipv4View::Parse(eth->payload(), &why);
  if (!ip || ip->protocol() != kProtoTcp) return std::nullopt;
  auto tcp = TcpView::Parse(ip->payload(), &why);
  if (!tcp) return std::nullopt;
  return TcpRepr::FromView(*tcp, &why);
}

}  // namespace skiff::testing

#endif  // SKIFF_TESTS_UNIT_STACK_TCP_FRAMES_H_
