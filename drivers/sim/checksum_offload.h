// Checksum offload as a NIC port does it, for the in-process wires (SimWire,
// MultiQueueWire) when their config turns it on: on transmit the checksums
// the stack left to the "NIC" are written into the frame (so the bytes on
// the wire are right whoever reads them), on receive every IPv4 frame is
// flagged with what its checksums are, as DPDK PMDs report it in ol_flags.
// The sums are the stack's own (stack/wire/checksum.h).
#ifndef SKIFF_DRIVERS_SIM_CHECKSUM_OFFLOAD_H_
#define SKIFF_DRIVERS_SIM_CHECKSUM_OFFLOAD_H_

#include <cstdint>

#include "skiff/device.h"

struct rte_mbuf;

namespace skiff {

// What a port with IPv4 and TCP checksum offload both ways reports, as
// DpdkPort does when the PMD offers them (drivers/dpdk/dpdk_port.cc).
inline constexpr DeviceCaps kChecksumOffloadCaps{.rx_ipv4_checksum = true,
                                                 .rx_tcp_checksum = true,
                                                 .tx_ipv4_checksum = true,
                                                 .tx_tcp_checksum = true};

// The checksums FinishTxChecksums wrote that are right by construction: the
// header it summed is the frame's whole IPv4 header (ip), the TCP segment
// was seeded with its true pseudo-header sum (tcp).
struct ChecksumsWritten {
  bool ip = false;
  bool tcp = false;
};

// Does what a NIC does for the frame's tx offload flags: RTE_MBUF_F_TX_IP_CKSUM
// writes the IPv4 header checksum (RFC 791 §3.1) of the m->l3_len bytes at
// m->l2_len; RTE_MBUF_F_TX_TCP_CKSUM sums the TCP segment from the
// pseudo-header sum (RFC 9293 §3.1) the stack seeded into its checksum field
// (TcpFillPseudoHeaderChecksum) and writes the result. Like hardware it trusts
// l2_len, l3_len and the seed; the returned value says whether the result is
// right by construction. Single-segment frames only (skiff sends no chains).
ChecksumsWritten FinishTxChecksums(rte_mbuf* m);

// The receive flags (RTE_MBUF_F_RX_IP_CKSUM_*, RTE_MBUF_F_RX_L4_CKSUM_*) a
// NIC reports for this frame. What `known` says the wire itself wrote, with
// nothing touching the frame since, is GOOD without summing again: the
// stand-in for hardware that verifies at no CPU cost. Everything else is
// verified: the IPv4 header checksum (GOOD or BAD), the TCP checksum of an
// unfragmented segment (GOOD or BAD); other transports, fragments and
// headers that do not parse get UNKNOWN (the stack checks them itself),
// non-IPv4 frames no flags.
uint64_t RxChecksumFlags(const rte_mbuf* m, ChecksumsWritten known);

}  // namespace skiff

#endif  // SKIFF_DRIVERS_SIM_CHECKSUM_OFFLOAD_H_
