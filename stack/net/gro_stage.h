// Receive-side GRO (DPDK's rte_gro, lightweight burst mode): pure-ACK TCP/IPv4
// frames of one flow with consecutive sequence numbers are chained into one
// super-segment, so TCP input runs once per chain instead of once per MSS.
#ifndef SKIFF_STACK_NET_GRO_STAGE_H_
#define SKIFF_STACK_NET_GRO_STAGE_H_

#include <cstddef>
#include <cstdint>
#include <span>

#include "stack/base/drop_reason.h"
#include "stack/buf/packet.h"
#include "stack/net/net_counters.h"

namespace skiff {

// Runs GRO over pkts (moved-from entries are reused for the result). Frames
// that qualify (Ether/IPv4 unfragmented, options-free L2, TCP with ACK as the
// only flag and payload) get their checksums verified first, in software
// unless the rx flags already say GOOD: a bad one is dropped and counted
// (kIpBadChecksum, kTcpBadChecksum), never merged, because a merged packet
// keeps the first frame's now stale checksums. Qualifying frames are marked
// IP and L4 checksum GOOD, so the IPv4 and TCP layers skip them.
// Other frames pass through untouched and in their place; each run of
// qualifying frames between them goes through rte_gro_reassemble_burst.
// A burst with fewer than two frames that could qualify (by flags and
// length, read in place) is left as it is, checksums to the layers: small-
// packet paths pay a header read per frame and nothing more.
// Returns the number of packets now in pkts; chained[i] says that pkts[i] is
// a chain GRO made (every other chain came from the device). Counts
// LinkCounters::rx_gro_frames and rx_gro_super_segments.
size_t GroBurst(std::span<Packet> pkts, size_t n, std::span<bool> chained,
                LinkCounters& counters, DropCounters& drops);

}  // namespace skiff

#endif  // SKIFF_STACK_NET_GRO_STAGE_H_
