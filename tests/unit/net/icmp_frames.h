// ICMP error frames about datagrams we sent, for the ICMP-error tests.
#ifndef SKIFF_TESTS_UNIT_NET_ICMP_FRAMES_H_
#define SKIFF_TESTS_UNIT_NET_ICMP_FRAMES_H_

#include <algorithm>
#include <cstdint>

#include "tests/unit/net/net_fixture.h"

namespace skiff::testing {

// An ICMP error message (RFC 792): type, code, the 4-byte rest of header
// (the next-hop MTU in its low half for "fragmentation needed") and
// `quote`, with a valid checksum.
inline Bytes IcmpErrorMsg(uint8_t type, uint8_t code, ConstByteSpan quote,
                          uint16_t mtu = 0) {
  Bytes m(kIcmpHeaderLen + quote.size());
  Store8(m.data(), type);
  Store8(m.data() + 1, code);
  StoreBe16(m.data() + 6, mtu);
  std::copy(quote.begin(), quote.end(), m.begin() + kIcmpHeaderLen);
  StoreBe16(m.data() + 2, InternetChecksum(m));
  return m;
}

// The first `quote_len` bytes of the IPv4 datagram in one of our frames
// (what a router quotes: header + 8 bytes by default).
inline Bytes QuoteOf(const Bytes& our_frame, size_t quote_len = 28) {
  const size_t n = std::min(quote_len, our_frame.size() - EthernetRepr::kLen);
  return Bytes(our_frame.begin() + EthernetRepr::kLen,
               our_frame.begin() + EthernetRepr::kLen + n);
}

// `msg` from `reporter` (a router on the path, the peer itself) to us.
inline Bytes IcmpFrom(Ipv4Address reporter, const Bytes& msg,
                      Ipv4Address dst = kOurIp) {
  Ipv4Repr ip = PeerToUs(IpProtocol::kIcmp);
  ip.src = reporter;
  ip.dst = dst;
  return Ipv4Frame(ip, msg, dst == kOurIp ? kOurMac : MacAddress::Broadcast());
}

}  // namespace skiff::testing

#endif  // SKIFF_TESTS_UNIT_NET_ICMP_FRAMES_H_
