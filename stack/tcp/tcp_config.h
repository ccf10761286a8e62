// Knobs of one TCP connection, with their defaults. A plain struct (STYLE.md
// §6): the layer keeps one per stack and every Connection points at it; the
// per-socket options (no_delay, keepalive, buffer sizes, linger) are copied
// into the connection at open and can be changed through its setters.
#ifndef SKIFF_STACK_TCP_TCP_CONFIG_H_
#define SKIFF_STACK_TCP_TCP_CONFIG_H_

#include <cstdint>

#include "stack/base/clock.h"
#include "stack/tcp/congestion.h"

namespace skiff {

struct TcpConfig {
  // MSS we announce: the interface MTU minus 40 (IPv4 + TCP headers).
  uint16_t mss = 1460;
  // Send and receive buffer sizes in bytes (SO_SNDBUF / SO_RCVBUF). Buffers
  // are allocated when data first flows and freed on close.
  uint32_t send_buffer_size = 256 * 1024;
  uint32_t recv_buffer_size = 256 * 1024;

  // RFC 6298 retransmission timer. §2.1 says 1 s initial; §2.4 says a 1 s
  // minimum, Linux uses 200 ms, which we follow; §2.5 allows a 60 s cap.
  Duration rto_initial = Duration::Seconds(1);
  Duration rto_min = Duration::Millis(200);
  Duration rto_max = Duration::Seconds(60);
  // Retransmissions before giving up (RFC 1122 §4.2.3.5 R2): for SYN
  // (Linux tcp_syn_retries = 6), SYN-ACK (tcp_synack_retries = 5: a
  // half-open connection holds its SYN-queue slot about 63 s with the 1 s
  // initial RTO) and data/FIN (tcp_retries2 = 15).
  uint8_t max_syn_retries = 6;
  uint8_t max_synack_retries = 5;
  uint8_t max_data_retries = 15;

  // Initial congestion window in segments (RFC 6928: 10, as Linux; RFC 5681
  // §3.1 would give 3 for a 1460-byte MSS).
  uint8_t initial_cwnd_segments = 10;
  // The congestion controller of new connections (a connection can change
  // its own: Connection::SetCongestionControl). NewReno stays the default:
  // CUBIC grows the window differently once a loss has happened, which
  // some existing tests' figures depend on (DESIGN.md).
  CongestionAlgorithm congestion_control = CongestionAlgorithm::kNewReno;

  // RFC 8985 RACK loss detection when SACK is in use (otherwise, and for
  // peers without SACK, three duplicate ACKs, RFC 5681 §3.2). Its
  // reordering window is at least rack_reo_wnd_min: the clock granularity
  // this stack works with (RTTs from 1 ms TSvals, RFC 6298's G), below
  // which a near-zero RTT would make every reordering a loss.
  bool rack = true;
  Duration rack_reo_wnd_min = Duration::Millis(1);

  // Delayed ACK bound (RFC 1122 §4.2.3.2 says < 0.5 s; Linux uses 40 ms).
  Duration delayed_ack_timeout = Duration::Millis(40);
  // The peer's worst-case delayed ACK (RFC 8985 §7.2 WCDelAckT, 200 ms
  // recommended): a tail loss probe with one segment out waits this long
  // past 2·SRTT for an ACK the peer may be delaying. Not our own
  // delayed_ack_timeout: the peer's bound is not ours to know.
  Duration tlp_peer_delayed_ack = Duration::Millis(200);
  // TIME-WAIT lasts 2·MSL (RFC 9293 §3.4.2: MSL = 2 min; Linux uses 60 s).
  Duration time_wait = Duration::Seconds(60);
  // A connection the application has Close()d gives up waiting in
  // FIN-WAIT-2 for the peer's FIN after this long (Linux tcp_fin_timeout;
  // the RFC has no bound). A Shutdown() half-close waits forever.
  Duration fin_wait2_timeout = Duration::Seconds(60);

  // Keepalive (RFC 1122 §4.2.3.6): off by default; idle ≥ 2 h when on.
  bool keepalive = false;
  Duration keepalive_idle = Duration::Seconds(7200);
  Duration keepalive_interval = Duration::Seconds(75);
  uint8_t keepalive_count = 9;

  // Nagle (RFC 1122 §4.2.3.4) is on unless no_delay (TCP_NODELAY).
  bool no_delay = false;
  // Close() with linger_zero resets instead of a graceful FIN (SO_LINGER 0).
  bool linger_zero = false;

  // RFC 7323 window scaling: the shift we offer. The receive buffer should
  // fit in 65535 << shift.
  bool window_scaling = true;
  uint8_t window_scale_shift = 7;
  // RFC 7323 timestamps (RTTM and PAWS) and RFC 2018 SACK: offered and
  // accepted when true, used only when both sides agree.
  bool timestamps = true;
  bool sack = true;

  // At most one ACK per interval in answer to invalid segments without data
  // (out of window, PAWS, RFC 5961 challenge ACKs): such pure ACKs and SYNs
  // can form ACK loops (Linux tcp_invalid_ratelimit; RFC 5961 §7).
  Duration invalid_ack_interval = Duration::Millis(500);

  // ICMP errors (stack/tcp/tcp_icmp.cc). The lowest MSS a "fragmentation
  // needed" can impose (RFC 1191): 536 = 576 - 40, what every IPv4 host
  // must accept (RFC 9293 §3.7.1), so that a forged
  // message cannot shrink segments to a few bytes (RFC 5927 §7). Linux's
  // floor is min_pmtu 552.
  uint16_t pmtu_min_mss = 536;
  // RFC 5461, the widely implemented departure from RFC 1122 §4.2.3.9
  // (Linux does it): a soft error (net/host unreachable, time exceeded,
  // parameter problem) aborts a connection in SYN-SENT too. Off: it is
  // recorded and reported only if the connect times out.
  bool abort_connect_on_soft_icmp = false;

  // Out-of-order bound: at most this many disjoint ranges held beyond rcv_nxt
  // (segments that would need more are dropped: kTcpOutOfOrderFull). The
  // bytes live in the receive buffer; each range costs 12 bytes, reserved on
  // the first out-of-order segment. Against Linux with 3% loss and a 256 KiB
  // window, 8 ranges overflowed regularly.
  uint8_t max_ooo_ranges = 32;
};

}  // namespace skiff

#endif  // SKIFF_STACK_TCP_TCP_CONFIG_H_
