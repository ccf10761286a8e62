// HashFrame: which fields of an Ethernet frame a NIC's RSS hashes, and the
// Toeplitz hash over them, as DPDK's RTE_ETH_RSS_NONFRAG_IPV4_TCP/UDP and
// RTE_ETH_RSS_IPV4 define them: the 4-tuple of unfragmented TCP and UDP over
// IPv4, the address pair of other IPv4 (ICMP, fragments), nothing for the
// rest (ARP), which NICs deliver with hash 0, i.e. to RETA[0]'s queue.
// Used by the in-process multi-queue wire (drivers/sim) and by software
// dispatch (drivers/dispatch), so both agree with a port configured with
// the same RssSteering.
#ifndef SKIFF_DRIVERS_RSS_FRAME_HASH_H_
#define SKIFF_DRIVERS_RSS_FRAME_HASH_H_

#include <cstdint>

#include "stack/base/toeplitz.h"
#include "stack/wire/bytes.h"

namespace skiff {

enum class FrameClass : uint8_t {
  kIpv4L4,  // TCP or UDP over IPv4, not a fragment: 4-tuple hash
  kIpv4,    // other IPv4 (ICMP, fragments): address-pair hash
  kArp,     // hash 0 (RSS does not hash ARP)
  kOther,   // hash 0
};

struct FrameHash {
  FrameClass cls = FrameClass::kOther;
  uint32_t hash = 0;
};

FrameHash HashFrame(const ToeplitzHash& toeplitz, ConstByteSpan frame);

}  // namespace skiff

#endif  // SKIFF_DRIVERS_RSS_FRAME_HASH_H_
