// Configuration of one public Stack: the knobs an appliance sets, each with
// its default. (Everything else keeps the library's documented defaults;
// in-tree code may build a Stack from the internal StackConfig instead.)
#ifndef SKIFF_CONFIG_H_
#define SKIFF_CONFIG_H_

#include <cstdint>
#include <optional>
#include <vector>

#include "skiff/addr.h"
#include "skiff/time.h"

namespace skiff {

/// What a Stack is built from.
struct Config {
  /// Our IPv4 address and on-link prefix (required).
  Ipv4Cidr address;
  /// More local addresses in the same subnet, answered by ARP and usable as
  /// a TCP source (Stack::Connect with a source).
  std::vector<Ipv4Address> extra_addresses;
  /// Default route; none: on-link destinations only.
  std::optional<Ipv4Address> gateway;
  /// TTL of the datagrams we send.
  uint8_t ttl = 64;
  /// Connection slots (TIME-WAIT included); each costs its TCB only.
  uint32_t max_connections = 1 << 20;
  /// All sockets' send and receive buffers come from one pool of this size.
  uint64_t buffer_pool_bytes = uint64_t{1} << 30;
  /// Default per-socket send buffer (SO_SNDBUF); Stack::SetSendBufferSize.
  uint32_t send_buffer_size = 256 * 1024;
  /// Default per-socket receive buffer (SO_RCVBUF).
  uint32_t recv_buffer_size = 256 * 1024;
  /// Stack::SetZeroCopyRecv: received mbufs kept per socket at most (past
  /// that, payload is copied); what an application that does not read can
  /// pin of the Device's mbuf pool, per socket.
  uint32_t zero_copy_max_held = 64;
  /// Default of Stack::SetNoDelay: Nagle (RFC 1122 §4.2.3.4) off when true.
  bool no_delay = false;
  /// Receive GRO: each receive burst's in-order TCP segments of a flow are
  /// merged (DPDK rte_gro) so that TCP input runs once per merged segment.
  /// Merged payload is copied even under Stack::SetZeroCopyRecv. On by
  /// default: bulk receive gains, small-packet bursts skip it at the cost
  /// of a header read per frame.
  bool gro = true;
  /// Keepalive timing of every socket that turns it on (RFC 1122 §4.2.3.6).
  Duration keepalive_idle = Duration::Seconds(7200);
  /// Between unanswered keepalive probes.
  Duration keepalive_interval = Duration::Seconds(75);
  /// Unanswered probes before the connection ends with a timeout.
  uint8_t keepalive_count = 9;
};

}  // namespace skiff

#endif  // SKIFF_CONFIG_H_
