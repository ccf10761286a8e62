// Per-layer counters of the link, ARP, IPv4 and ICMP layers. Plain structs of
// integers: counting is one increment on the data path. Drops are counted
// apart, by reason, in DropCounters (stack/base/drop_reason.h).
#ifndef SKIFF_STACK_NET_NET_COUNTERS_H_
#define SKIFF_STACK_NET_NET_COUNTERS_H_

#include <cstdint>

namespace skiff {

struct LinkCounters {
  uint64_t rx_packets = 0;  // frames taken from the device
  uint64_t rx_bytes = 0;
  uint64_t tx_packets = 0;  // frames the device accepted
  uint64_t tx_bytes = 0;
  uint64_t rx_arp = 0;   // frames demuxed to ARP
  uint64_t rx_ipv4 = 0;  // frames demuxed to IPv4
  // Receive GRO (StackConfig::gro): frames that went into super-segments,
  // and the super-segments (chains of 2+ frames) TCP input then saw.
  uint64_t rx_gro_frames = 0;
  uint64_t rx_gro_super_segments = 0;
};

struct ArpCounters {
  uint64_t requests_in = 0;
  uint64_t replies_in = 0;
  uint64_t requests_out = 0;  // resolution requests (retries included)
  uint64_t replies_out = 0;
  uint64_t gratuitous_out = 0;
  uint64_t learned = 0;   // entries added from ARP traffic
  uint64_t updated = 0;   // entries merged (RFC 826 "Merge_flag")
  uint64_t resolved = 0;  // incomplete entries that got their address
  uint64_t expired = 0;   // reachable entries aged out
  uint64_t gave_up = 0;   // incomplete entries abandoned after max tries
  uint64_t parked = 0;    // packets parked waiting for resolution
  // Gauge: entries waiting for an answer (at most ArpConfig::max_incomplete).
  uint64_t incomplete = 0;
};

struct Ipv4Counters {
  uint64_t in_receives = 0;   // datagrams handed to IPv4 input
  uint64_t in_delivers = 0;   // delivered to ICMP or a transport
  uint64_t out_requests = 0;  // datagrams transports asked to send
  uint64_t out_packets = 0;   // datagrams emitted (queued or parked)
};

struct IcmpCounters {
  uint64_t in_msgs = 0;  // messages that passed length and checksum
  uint64_t in_echos = 0;
  uint64_t out_echo_reps = 0;
  uint64_t out_dest_unreachs = 0;
  // Errors received (nstat IcmpIn*); those about our datagrams go to the
  // transport of the quoted protocol.
  uint64_t in_dest_unreachs = 0;
  uint64_t in_time_excds = 0;
  uint64_t in_parm_probs = 0;
  uint64_t in_src_quenchs = 0;       // ignored (RFC 6633)
  uint64_t in_errors_delivered = 0;  // handed to a transport
};

}  // namespace skiff

#endif  // SKIFF_STACK_NET_NET_COUNTERS_H_
