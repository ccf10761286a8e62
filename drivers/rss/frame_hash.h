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

// The lcore that owns an ICMP error is the one that owns the connection it
// reports on, not the one the outer address pair hashes to (the sender is
// often a router). For an ICMP error (RFC 792 types 3, 4, 5, 11, 12) over
// IPv4 quoting an unfragmented TCP or UDP header (RFC 1122 §3.2.2 asks for
// the IP header and 8 bytes of it), returns the hash of the quoted flow's
// reply direction — what a segment of that flow arriving here hashes to.
// Returns {kOther, 0} for every other frame. Software dispatch uses it; a
// NIC does not, so the multi-queue sim wire (which plays the NIC) must not.
FrameHash HashIcmpErrorQuote(const ToeplitzHash& toeplitz, ConstByteSpan frame);

}  // namespace skiff

#endif  // SKIFF_DRIVERS_RSS_FRAME_HASH_H_
