// ICMP errors about a connection: RFC 1122 §4.2.3.9 (what each one means
// to TCP), RFC 5927 (blind ICMP attacks), RFC 5461 (soft errors while
// connecting), RFC 1191 (path MTU discovery).
//
// TcpLayer::OnIcmpError finds the connection by the quoted 4-tuple and
// checks the quoted sequence number with IcmpSeqAcceptable (RFC 5927 §4.1)
// before OnIcmpError acts. What it does:
//
//  - "Fragmentation needed" (type 3 code 4), any state: the MSS drops to
//    the next-hop MTU - 40, never below TcpConfig::pmtu_min_mss, only if
//    that is lower than what is in use (RFC 1191 §6.4: one too-big burst
//    brings one message per segment; only the first may resend). With data
//    in flight, everything from SND.UNA goes out again at once, cut to the
//    new size (the too-big segments are lost), without touching cwnd or
//    the RTO (RFC 1191 §6.4; Linux's tcp_simple_retransmit).
//  - SYN-SENT: a hard error (below) aborts the connect: CLOSED, kUnreachable
//    (RFC 1122 §4.2.3.9 "SHOULD abort"). A soft error MUST NOT (same
//    section): it is recorded, and if the SYN retries run out the connect
//    fails with kUnreachable instead of kTimedOut ("SHOULD make the
//    information available"). TcpConfig::abort_connect_on_soft_icmp turns
//    on RFC 5461's workaround (Linux's behaviour): soft errors abort too.
//  - SYN-RECEIVED: a destination unreachable (any code) or a parameter
//    problem frees the half-open connection (kUnreachable). Linux does so
//    for net/host unreachable and parameter problem: the SYN's source
//    cannot be reached (under a flood, a spoofed one) and the slot is
//    better spent on others; the quote must carry our ISS exactly.
//  - Synchronized states: every error is soft, hard codes included (RFC
//    5927 §5.2: otherwise a forged port unreachable resets an established
//    connection; Linux agrees). Recorded; reported only if the connection
//    times out before anything more is acknowledged.
//
// Time exceeded and parameter problem are soft (RFC 1122 §4.2.3.9); source
// quench never gets here (RFC 6633: the ICMP layer discards it).
#include <algorithm>

#include "stack/tcp/connection.h"
#include "stack/wire/icmp.h"

namespace skiff {
namespace {

// Destination-unreachable codes that are hard errors. RFC 1122 §4.2.3.9
// names 2 (protocol) and 3 (port) hard, 0, 1 and 5 (net, host, source
// route failed) soft; 4 belongs to path MTU discovery since RFC 1191. The
// later codes follow Linux's icmp_err_convert table: an unknown or
// isolated destination (6-8), administratively prohibited (9, 10 of RFC
// 1122 §3.2.2.1; 13 of RFC 1812 §5.2.7.1, what a firewall's "reject"
// sends) and precedence (14, 15) are hard; the TOS variants of net/host
// unreachable (11, 12) are soft.
bool HardUnreachable(uint8_t code) {
  switch (code) {
    case IcmpUnreachCode::kProtocol:
    case IcmpUnreachCode::kPort:
    case 6:
    case 7:
    case 8:
    case IcmpUnreachCode::kNetProhibited:
    case IcmpUnreachCode::kHostProhibited:
    case IcmpUnreachCode::kAdminProhibited:
    case 14:
    case 15:
      return true;
    default:
      return false;
  }
}

}  // namespace

bool Connection::IcmpSeqAcceptable(SeqNum seq) const {
  // SND.MAX for SND.NXT: after a timeout SND.NXT is back at SND.UNA while
  // segments up to SND.MAX may still draw errors. A pure ACK or a probe
  // (SND.UNA - 1) is outside the range: errors about them are rejected,
  // as the RFC's check implies.
  return state_ != TcpState::kClosed && snd_.una <= seq && seq < snd_.max;
}

IcmpReaction Connection::OnIcmpError(uint8_t type, uint8_t code, uint16_t mtu) {
  if (state_ == TcpState::kClosed) return IcmpReaction::kIgnored;
  const bool unreachable = type == IcmpType::kDestUnreachable;
  if (unreachable && code == IcmpUnreachCode::kFragNeeded) {
    return LowerMss(mtu);
  }
  switch (state_) {
    case TcpState::kSynSent:
      if ((unreachable && HardUnreachable(code)) ||
          config_->abort_connect_on_soft_icmp) {
        Fail(ConnectionError::kUnreachable);
        return IcmpReaction::kAborted;
      }
      break;
    case TcpState::kSynReceived:
      if (unreachable || type == IcmpType::kParameterProblem) {
        Fail(ConnectionError::kUnreachable);
        return IcmpReaction::kAborted;
      }
      break;
    default:
      break;
  }
  soft_error_ = true;
  soft_error_una_ = snd_.una;
  return IcmpReaction::kSoftError;
}

IcmpReaction Connection::LowerMss(uint16_t mtu) {
  // RFC 9293 §3.7.1: the MSS is the MTU less the fixed IPv4 and TCP
  // headers (options come off the payload, RFC 6691).
  const int32_t from_mtu = int32_t{mtu} - 40;
  const uint32_t mss =
      static_cast<uint32_t>(std::max<int32_t>(from_mtu, config_->pmtu_min_mss));
  if (mss >= SendMssLimit()) return IcmpReaction::kIgnored;
  snd_.pmtu_mss = static_cast<uint16_t>(mss);
  const bool data_state = Synchronized() && state_ != TcpState::kSynReceived &&
                          state_ != TcpState::kTimeWait;
  if (data_state && snd_.una != snd_.max) {
    // Go back to SND.UNA: PollTransmit resends the flight in segments of
    // the new size, within cwnd, skipping what the peer SACKed. Karn's
    // rule drops the RTT sample on its own (Transmit).
    snd_.nxt = snd_.una;
    snd_.rexmit_nxt = snd_.una;
    owed_.retransmit_head = false;
    snd_.tlp_deadline = Instant::Max();
    owed_.loss_probe = false;
  }
  return IcmpReaction::kMssLowered;
}

}  // namespace skiff
