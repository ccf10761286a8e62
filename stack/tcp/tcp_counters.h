// StackCore-wide TCP counters (see TcpLayer::counters()).
#ifndef SKIFF_STACK_TCP_TCP_COUNTERS_H_
#define SKIFF_STACK_TCP_TCP_COUNTERS_H_

#include <cstdint>

namespace skiff {

// StackCore-wide TCP counters, in the spirit of nstat's Tcp* and TcpExt*.
struct TcpCounters {
  uint64_t active_opens = 0;     // Connect() calls that sent a SYN
  uint64_t passive_opens = 0;    // connections spawned by listeners
  uint64_t accepts = 0;          // handed to the application by Accept()
  uint64_t established = 0;      // reached ESTABLISHED
  uint64_t attempt_fails = 0;    // opens that ended before ESTABLISHED
  uint64_t resets_in = 0;        // connections ended by a peer's RST
  uint64_t resets_out = 0;       // RSTs we sent for segments to no socket
  uint64_t timeouts_closed = 0;  // connections that gave up (kTimedOut)
  // ICMP errors (RFC 5927): quoting a connection and a sequence number in
  // flight (delivered), or outside SND.UNA..SND.NXT (rejected, §4.1); and
  // "fragmentation needed" that lowered a connection's MSS (RFC 1191).
  uint64_t icmp_errors_in = 0;
  uint64_t icmp_errors_rejected = 0;
  uint64_t pmtu_mss_lowered = 0;
  uint64_t segs_in = 0;
  uint64_t segs_out = 0;
  uint64_t time_wait_reused = 0;  // TIME-WAIT tuples taken by a new SYN
  // RFC 4987 §3.6 SYN cookies (Linux SyncookiesSent/Recv/Failed).
  uint64_t syncookies_sent = 0;       // SYN-ACKs sent with a cookie
  uint64_t syncookies_validated = 0;  // ACKs that carried a valid cookie
  uint64_t syncookies_failed = 0;     // ACKs to a listener whose cookie failed
  // Sums over connections (live and gone) of TcpConnStats.
  uint64_t retransmits = 0;
  uint64_t fast_retransmits = 0;
  uint64_t rto_expirations = 0;
  uint64_t lost_retransmits = 0;  // RFC 8985 / RFC 6675 repeated resends
  uint64_t loss_probes = 0;       // RFC 8985 §7 tail loss probes
  uint64_t out_of_order = 0;
  uint64_t dup_acks = 0;
  uint64_t challenge_acks = 0;
  uint64_t zero_window_probes = 0;
  uint64_t bytes_in = 0;
  uint64_t bytes_out = 0;
  // Gauges.
  uint64_t connections = 0;  // live connection slots
  uint64_t listeners = 0;
};

}  // namespace skiff

#endif  // SKIFF_STACK_TCP_TCP_COUNTERS_H_
