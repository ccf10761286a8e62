#include "stack/wire/arp.h"

namespace skiff {

// RFC 826 "Packet format": htype, ptype, hlen, plen, op, sha, spa, tha, tpa.
void ArpRepr::Emit(std::byte* p) const {
  using namespace arp_internal;
  StoreBe16(p, kHtypeEthernet);
  StoreBe16(p + 2, kPtypeIpv4);
  Store8(p + 4, kHlenEthernet);
  Store8(p + 5, kPlenIpv4);
  StoreBe16(p + 6, static_cast<uint16_t>(op));
  sender_mac.Store(p + 8);
  sender_ip.Store(p + 14);
  target_mac.Store(p + 18);
  target_ip.Store(p + 24);
}

}  // namespace skiff
