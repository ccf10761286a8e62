// The seam between IPv4 and the protocols above it (ICMP, TCP): a handler
// registered for a protocol number gets each datagram addressed to us.
#ifndef SKIFF_STACK_NET_IPV4_HANDLER_H_
#define SKIFF_STACK_NET_IPV4_HANDLER_H_

#include "stack/base/clock.h"
#include "stack/buf/packet.h"
#include "stack/wire/ipv4.h"

namespace skiff {

class Ipv4Handler {
 public:
  virtual ~Ipv4Handler() = default;
  // `pkt` starts at the transport header and ends with the datagram (link
  // padding stripped); `ip` views the validated IPv4 header, which still
  // sits in pkt's headroom: read it before prepending into that headroom.
  // The handler owns pkt: it may free it, keep it or reuse it for output.
  virtual void Input(const Ipv4View& ip, Packet pkt, Instant now) = 0;
};

}  // namespace skiff

#endif  // SKIFF_STACK_NET_IPV4_HANDLER_H_
