// Every packet the stack throws away is counted under one of these reasons.
// The list is an X-macro so names and enum never drift apart.
#ifndef SKIFF_STACK_BASE_DROP_REASON_H_
#define SKIFF_STACK_BASE_DROP_REASON_H_

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>

namespace skiff {

#define SKIFF_DROP_REASONS(X)                     \
  /* device / buffers */                          \
  X(kRxMultiSegment, "rx_multi_segment")          \
  X(kTxNoBuffer, "tx_no_buffer")                  \
  X(kTxRingFull, "tx_ring_full")                  \
  /* ethernet */                                  \
  X(kEthTooShort, "eth_too_short")                \
  X(kEthNotForUs, "eth_not_for_us")               \
  X(kEthUnknownType, "eth_unknown_type")          \
  X(kEthVlan, "eth_vlan")                         \
  /* arp */                                       \
  X(kArpMalformed, "arp_malformed")               \
  X(kArpUnsupported, "arp_unsupported")           \
  X(kArpNotForUs, "arp_not_for_us")               \
  X(kArpPendingOverflow, "arp_pending_overflow")  \
  X(kArpTimeout, "arp_timeout")                   \
  X(kArpTableFull, "arp_table_full")              \
  X(kArpIncompleteFull, "arp_incomplete_full")    \
  X(kArpParkedFull, "arp_parked_full")            \
  /* ipv4 */                                      \
  X(kIpTooShort, "ip_too_short")                  \
  X(kIpBadVersion, "ip_bad_version")              \
  X(kIpBadIhl, "ip_bad_ihl")                      \
  X(kIpBadLength, "ip_bad_length")                \
  X(kIpBadChecksum, "ip_bad_checksum")            \
  X(kIpBadSource, "ip_bad_source")                \
  X(kIpNotForUs, "ip_not_for_us")                 \
  X(kIpFragment, "ip_fragment")                   \
  X(kIpTtlExpired, "ip_ttl_expired")              \
  X(kIpUnknownProtocol, "ip_unknown_protocol")    \
  X(kIpNoRoute, "ip_no_route")                    \
  X(kIpTooBig, "ip_too_big")                      \
  /* icmp */                                      \
  X(kIcmpMalformed, "icmp_malformed")             \
  X(kIcmpBadChecksum, "icmp_bad_checksum")        \
  X(kIcmpUnhandledType, "icmp_unhandled_type")    \
  X(kIcmpRateLimited, "icmp_rate_limited")        \
  /* icmp errors (RFC 5927) */                    \
  X(kIcmpSourceQuench, "icmp_source_quench")      \
  X(kIcmpErrorBroadcast, "icmp_error_broadcast")  \
  X(kIcmpBadQuote, "icmp_bad_quote")              \
  X(kIcmpQuoteNotOurs, "icmp_quote_not_ours")     \
  X(kIcmpNoHandler, "icmp_no_handler")            \
  X(kIcmpNoSocket, "icmp_no_socket")              \
  X(kIcmpOutOfWindow, "icmp_out_of_window")       \
  /* tcp */                                       \
  X(kTcpMalformed, "tcp_malformed")               \
  X(kTcpBadChecksum, "tcp_bad_checksum")          \
  X(kTcpBadOffset, "tcp_bad_offset")              \
  X(kTcpNoSocket, "tcp_no_socket")                \
  X(kTcpBadFlags, "tcp_bad_flags")                \
  X(kTcpOutOfWindow, "tcp_out_of_window")         \
  X(kTcpPawsReject, "tcp_paws_reject")            \
  X(kTcpBadAck, "tcp_bad_ack")                    \
  X(kTcpRstInvalid, "tcp_rst_invalid")            \
  X(kTcpSynQueueFull, "tcp_syn_queue_full")       \
  X(kTcpAcceptQueueFull, "tcp_accept_queue_full") \
  X(kTcpOutOfOrderFull, "tcp_out_of_order_full")  \
  X(kTcpRecvBufferFull, "tcp_recv_buffer_full")   \
  X(kTcpTableFull, "tcp_table_full")              \
  X(kTcpBroadcast, "tcp_broadcast")

enum class DropReason : uint8_t {
#define SKIFF_X(name, str) name,
  SKIFF_DROP_REASONS(SKIFF_X)
#undef SKIFF_X
      kCount
};

inline constexpr size_t kDropReasonCount =
    static_cast<size_t>(DropReason::kCount);

constexpr std::string_view DropReasonName(DropReason r) {
  constexpr std::string_view kNames[] = {
#define SKIFF_X(name, str) str,
      SKIFF_DROP_REASONS(SKIFF_X)
#undef SKIFF_X
  };
  return static_cast<size_t>(r) < kDropReasonCount
             ? kNames[static_cast<size_t>(r)]
             : std::string_view("unknown");
}

// Drops by reason. A plain array: counting is one increment on the data path.
class DropCounters {
 public:
  void Add(DropReason r, uint64_t n = 1) {
    counts_[static_cast<size_t>(r)] += n;
  }
  uint64_t operator[](DropReason r) const {
    return counts_[static_cast<size_t>(r)];
  }
  uint64_t Total() const {
    uint64_t t = 0;
    for (uint64_t c : counts_) t += c;
    return t;
  }

 private:
  std::array<uint64_t, kDropReasonCount> counts_{};
};

}  // namespace skiff

#endif  // SKIFF_STACK_BASE_DROP_REASON_H_
