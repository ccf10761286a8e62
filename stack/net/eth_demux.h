// Ethernet input: which layer a received frame goes to, or why it is dropped.
#ifndef SKIFF_STACK_NET_ETH_DEMUX_H_
#define SKIFF_STACK_NET_ETH_DEMUX_H_

#include <cstdint>

#include "stack/base/drop_reason.h"
#include "stack/wire/addr.h"
#include "stack/wire/bytes.h"

namespace skiff {

enum class EthTarget : uint8_t { kDrop, kArp, kIpv4 };

struct EthDemuxResult {
  EthTarget target = EthTarget::kDrop;
  DropReason why = DropReason::kEthTooShort;  // when target == kDrop
  bool broadcast = false;                     // sent to ff:ff:ff:ff:ff:ff
};

// Accepts untagged frames to our MAC or broadcast carrying ARP or IPv4.
// Drops: kEthTooShort, kEthVlan (802.1Q/802.1ad tagged: we sit on no VLAN),
// kEthNotForUs (another unicast MAC, or multicast: we join no group),
// kEthUnknownType (IPv6, LLDP, ...).
EthDemuxResult EthDemux(ConstByteSpan frame, MacAddress our_mac);

}  // namespace skiff

#endif  // SKIFF_STACK_NET_ETH_DEMUX_H_
