// What a transport needs from the layers below it to send: the transport
// builds header + payload in a Packet, IPv4 does the rest. Ipv4Layer implements
// it; tests may fake it.
#ifndef SKIFF_STACK_NET_IP_SENDER_H_
#define SKIFF_STACK_NET_IP_SENDER_H_

#include <cstdint>

#include "stack/base/clock.h"
#include "stack/buf/packet.h"
#include "stack/wire/addr.h"

namespace skiff {

class IpSender {
 public:
  // Prepends IPv4 and Ethernet, resolves the next hop (or parks the packet
  // on ARP) and queues it. False when dropped (counted by the stack).
  virtual bool SendIpv4(Packet l4, Ipv4Address dst, uint8_t protocol,
                        Instant now) = 0;
  // The same from `src`, one of the stack's local addresses (a connection
  // opened from an extra address answers from it).
  virtual bool SendIpv4From(Ipv4Address src, Packet l4, Ipv4Address dst,
                            uint8_t protocol, Instant now) = 0;
  // Whether `dst` is on-link or reachable through the gateway.
  virtual bool HasRoute(Ipv4Address dst) const = 0;

 protected:
  ~IpSender() = default;
};

}  // namespace skiff

#endif  // SKIFF_STACK_NET_IP_SENDER_H_
