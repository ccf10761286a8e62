// The seam between IPv4 and the protocols above it (ICMP, TCP): a handler
// registered for a protocol number gets each datagram addressed to us, and
// the ICMP errors about the datagrams of that protocol we sent.
#ifndef SKIFF_STACK_NET_IPV4_HANDLER_H_
#define SKIFF_STACK_NET_IPV4_HANDLER_H_

#include <cstdint>

#include "stack/base/clock.h"
#include "stack/buf/packet.h"
#include "stack/wire/addr.h"
#include "stack/wire/bytes.h"
#include "stack/wire/ipv4.h"

namespace skiff {

// An ICMP error (destination unreachable, time exceeded, parameter
// problem) about a datagram we sent, its quote validated by the ICMP layer
// (RFC 1122 §3.2.2.1: passed to the transport the quoted header names).
// Borrowed bytes: valid during the call only.
struct IcmpError {
  uint8_t type = 0;  // IcmpType
  uint8_t code = 0;
  // Fragmentation needed only: the next-hop MTU (RFC 1191 §4), or the
  // RFC 1191 §5 plateau estimate when the router left it zero. 0 otherwise.
  uint16_t mtu = 0;
  Ipv4Address reporter;  // who sent the ICMP message (a router, the peer)
  Ipv4Address local;     // the quoted source: our address
  Ipv4Address remote;    // the quoted destination
  uint8_t protocol = 0;  // the quoted protocol
  // The quoted transport header, at least 8 bytes (ports first).
  ConstByteSpan transport;
};

class Ipv4Handler {
 public:
  virtual ~Ipv4Handler() = default;
  // `pkt` starts at the transport header and ends with the datagram (link
  // padding stripped); `ip` views the validated IPv4 header, which still
  // sits in pkt's headroom: read it before prepending into that headroom.
  // The handler owns pkt: it may free it, keep it or reuse it for output.
  virtual void Input(const Ipv4View& ip, Packet pkt, Instant now) = 0;
  // An ICMP error quoting a datagram of this protocol. Returns false when
  // the handler takes no ICMP errors (the ICMP layer counts the drop); a
  // handler that takes them counts its own drops.
  virtual bool OnIcmpError(const IcmpError& /*err*/, Instant /*now*/) {
    return false;
  }
};

}  // namespace skiff

#endif  // SKIFF_STACK_NET_IPV4_HANDLER_H_
