// Sample frames for the micro benchmarks, built with the wire emitters so
// every bench parses bytes that the stack itself would accept. Benchmarks of
// later layers (tcp parse/emit, the socket table, whole connections) build
// their inputs here too.
#ifndef SKIFF_BENCH_MICRO_FRAMES_H_
#define SKIFF_BENCH_MICRO_FRAMES_H_

#include <cstddef>
#include <vector>

#include "stack/wire/addr.h"
#include "stack/wire/arp.h"
#include "stack/wire/bytes.h"
#include "stack/wire/ethernet.h"
#include "stack/wire/icmp.h"
#include "stack/wire/ipv4.h"
#include "stack/wire/tcp.h"

namespace skiff::bench {

inline constexpr MacAddress kClientMac({0x02, 0, 0, 0, 0, 0x01});
inline constexpr MacAddress kServerMac({0x02, 0, 0, 0, 0, 0x02});
inline constexpr Ipv4Address kClientIp(10, 0, 0, 1);
inline constexpr Ipv4Address kServerIp(10, 0, 0, 2);

// `n` bytes of a fixed, non-trivial pattern.
inline std::vector<std::byte> PatternBytes(size_t n) {
  std::vector<std::byte> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<std::byte>(i * 131 + 7);
  return v;
}

// Ethernet + IPv4 + ICMP echo request carrying `payload_len` bytes (56 is
// what ping sends), with valid IPv4 and ICMP checksums.
inline std::vector<std::byte> EchoRequestFrame(size_t payload_len = 56) {
  std::vector<std::byte> payload = PatternBytes(payload_len);
  IcmpEchoRepr icmp{IcmpType::kEchoRequest, 0x1234, 1, payload};
  Ipv4Repr ip{.src = kClientIp,
              .dst = kServerIp,
              .protocol = IpProtocol::kIcmp,
              .payload_len = static_cast<uint16_t>(icmp.len())};
  std::vector<std::byte> f(EthernetRepr::kLen + ip.total_length());
  EthernetRepr{kServerMac, kClientMac, EtherType::kIpv4}.Emit(f.data());
  ip.Emit(f.data() + EthernetRepr::kLen, /*fill_checksum=*/true);
  icmp.Emit(f.data() + EthernetRepr::kLen + Ipv4Repr::kLen);
  return f;
}

// Ethernet + IPv4 + TCP from the client to the server with valid IPv4 and
// TCP checksums: what a peer's NIC would put on the wire.
inline std::vector<std::byte> TcpFrame(const TcpRepr& tcp,
                                       ConstByteSpan payload = {},
                                       Ipv4Address src = kClientIp) {
  const size_t tcp_len = tcp.header_len() + payload.size();
  Ipv4Repr ip{.src = src,
              .dst = kServerIp,
              .protocol = IpProtocol::kTcp,
              .payload_len = static_cast<uint16_t>(tcp_len)};
  std::vector<std::byte> f(EthernetRepr::kLen + ip.total_length());
  EthernetRepr{kServerMac, kClientMac, EtherType::kIpv4}.Emit(f.data());
  ip.Emit(f.data() + EthernetRepr::kLen, /*fill_checksum=*/true);
  std::byte* t = f.data() + EthernetRepr::kLen + Ipv4Repr::kLen;
  tcp.Emit(t);
  std::copy(payload.begin(), payload.end(), t + tcp.header_len());
  TcpFillChecksum({t, tcp_len}, src, kServerIp);
  return f;
}

// The options a Linux client puts on its SYN: MSS, SACK-permitted,
// timestamps, window scale 7.
inline TcpOptions LinuxSynOptions(uint32_t tsval) {
  TcpOptions o;
  o.mss = 1460;
  o.sack_permitted = true;
  o.timestamp = TcpTimestamp{tsval, 0};
  o.window_scale = 7;
  return o;
}

// An ARP request from the client for the server's address (it also teaches
// the server the client's MAC, RFC 826's merge step).
inline std::vector<std::byte> ArpRequestFrame() {
  std::vector<std::byte> f(EthernetRepr::kLen + ArpRepr::kLen);
  EthernetRepr{MacAddress::Broadcast(), kClientMac, EtherType::kArp}.Emit(
      f.data());
  ArpRepr{ArpOp::kRequest, kClientMac, kClientIp, MacAddress(), kServerIp}.Emit(
      f.data() + EthernetRepr::kLen);
  return f;
}

}  // namespace skiff::bench

#endif  // SKIFF_BENCH_MICRO_FRAMES_H_
