// Framing helper shared by ARP and IPv4 output.
#ifndef SKIFF_STACK_NET_LINK_OUTPUT_H_
#define SKIFF_STACK_NET_LINK_OUTPUT_H_

#include "stack/buf/packet.h"
#include "stack/wire/addr.h"
#include "stack/wire/ethernet.h"

namespace skiff {

// Prepends an untagged Ethernet header; false when the headroom is too small.
inline bool PrependEthernet(Packet& p, MacAddress dst, MacAddress src,
                            uint16_t ethertype) {
  std::byte* h = p.Prepend(EthernetRepr::kLen);
  if (h == nullptr) return false;
  EthernetRepr{dst, src, ethertype}.Emit(h);
  return true;
}

}  // namespace skiff

#endif  // SKIFF_STACK_NET_LINK_OUTPUT_H_
