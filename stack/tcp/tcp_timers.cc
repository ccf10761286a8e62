// Timers: retransmission (RFC 6298), delayed ACK (RFC 1122 §4.2.3.2),
// persist (RFC 9293 §3.8.6.1), keepalive (RFC 1122 §4.2.3.6), TIME-WAIT
// (RFC 9293 §3.4.2). Each is an Instant; Instant::Max() means not armed.
#include <algorithm>

#include "stack/tcp/connection.h"

namespace skiff {

// An orphaned connection does not wait in FIN-WAIT-2 forever for a peer
// that never closes (Linux's tcp_fin_timeout; RFC 9293 leaves it open).
// Armed from PollAt, i.e. by the input or Close() that made it necessary.
void Connection::ArmFinWait2(Instant now) {
  if (orphaned_ && state_ == TcpState::kFinWait2 &&
      timewait_deadline_ == Instant::Max()) {
    timewait_deadline_ = now + config_->fin_wait2_timeout;
  }
}

void Connection::OnTimers(Instant now) {
  if (timewait_deadline_ <= now) {
    EnterClosed(ConnectionError::kNone);
    return;
  }
  if (snd_.rack_deadline <= now) OnRackTimeout(now);
  // The probe first: when it is due at the RTO's time it stands in for
  // the RTO, which OnTlpTimeout re-arms (RFC 8985 §7.2, §7.3).
  if (snd_.tlp_deadline <= now) OnTlpTimeout(now);
  if (snd_.rto_deadline <= now) OnRetransmitTimeout(now);
  if (state_ == TcpState::kClosed) return;
  if (snd_.persist_deadline <= now) OnPersistTimeout(now);
  if (keepalive_deadline_ <= now) OnKeepaliveTimeout(now);
  if (state_ == TcpState::kClosed) return;
  if (rcv_.delack_deadline <= now) {
    owed_.ack = true;
    rcv_.delack_deadline = Instant::Max();
  }
}

void Connection::ArmRto(Instant now) {
  snd_.rto_deadline = now + snd_.rtt.rto(config_->rto_max);
}

// RFC 8985 §7.2 TLP_calc_PTO(): PTO = 2·SRTT, plus WCDelAckT (the peer's
// worst-case delayed ACK, not ours) when FlightSize is one segment, since
// that segment's ACK may be legitimately delayed; and "If Now() + PTO >
// TCP_RTO_expiration(): PTO = TCP_RTO_expiration() - Now()", so a probe
// that would come later than the RTO goes at the RTO's time in its place.
// Armed while data is outstanding outside recovery, once per tail (the
// next probe waits for an ACK that advances SND.UNA). Needs SACK (§7.1)
// and an RTT sample.
void Connection::ArmTlp(Instant now) {
  snd_.tlp_deadline = Instant::Max();
  // Not while RACK's reordering timer runs: it answers first (as Linux,
  // whose one timer holds either).
  if (!sack_ok_ || snd_.tlp_sent || !snd_.rtt.has_sample() ||
      cc().in_recovery() || snd_.rack_deadline != Instant::Max() ||
      snd_.una == snd_.max || snd_.nxt != snd_.max ||
      (state_ != TcpState::kEstablished && state_ != TcpState::kCloseWait &&
       state_ != TcpState::kFinWait1 && state_ != TcpState::kLastAck &&
       state_ != TcpState::kClosing)) {
    return;
  }
  Duration pto = snd_.rtt.srtt() * 2;
  // One segment: counted in bytes (no per-segment count is kept), which
  // errs toward the longer PTO.
  if (snd_.FlightSize() <= effective_mss()) {
    pto = pto + config_->tlp_peer_delayed_ack;
  }
  pto = std::max(pto, Duration::Millis(10));
  snd_.tlp_deadline = std::min(now + pto, snd_.rto_deadline);
}

// §7.3: after a probe the RTO, re-armed from now, guards the tail (the
// probe may have taken the RTO's place, see ArmTlp).
void Connection::OnTlpTimeout(Instant now) {
  snd_.tlp_deadline = Instant::Max();
  if (snd_.una != snd_.max && !cc().in_recovery() && !snd_.tlp_sent) {
    owed_.loss_probe = true;
    ArmRto(now);
  }
}

// RFC 6298 §5.4-5.6: resend the earliest unacknowledged segment (here: go
// back to SND.UNA), back off, and collapse cwnd (RFC 5681 §3.1). Gives up
// after max_syn_retries / max_synack_retries / max_data_retries (RFC 1122
// §4.2.3.5 R2).
void Connection::OnRetransmitTimeout(Instant now) {
  snd_.rto_deadline = Instant::Max();
  if (snd_.una == snd_.max) return;
  const bool handshake =
      state_ == TcpState::kSynSent || state_ == TcpState::kSynReceived;
  const uint8_t limit = state_ == TcpState::kSynSent ? config_->max_syn_retries
                        : handshake ? config_->max_synack_retries
                                    : config_->max_data_retries;
  if (snd_.retries >= limit) {
    EnterClosed(ConnectionError::kTimedOut);
    return;
  }
  ++snd_.retries;
  ++Trouble().timeouts;
  snd_.rtt.Backoff();
  if (!handshake) cc().OnRetransmitTimeout(snd_.max, snd_.FlightSize());
  snd_.nxt = snd_.una;
  snd_.rtt_timing = false;
  snd_.dupacks = 0;
  snd_.rexmit_nxt = snd_.una;
  snd_.tlp_deadline = Instant::Max();
  owed_.loss_probe = false;
  // RFC 2018 §8: after a timeout, do not trust earlier SACK information.
  snd_.sacked.Clear();
  snd_.log.ClearMarks();
  snd_.rack_deadline = Instant::Max();
  owed_.retransmit_head = owed_.sack_hole = false;
  // Re-armed by Transmit() when the retransmission goes out; with a zero
  // window nothing goes and the persist timer takes over (UpdatePersist).
  (void)now;
}

// The persist timer runs while data waits and nothing is in flight to
// bring an ACK back: a zero window, or a window too small for SWS
// avoidance to use. Backs off like the RTO; gives up only when the peer
// stops answering the zero-window probes (OnPersistTimeout).
bool Connection::PersistWanted() const {
  return snd_.DataEnd() > snd_.nxt && snd_.rto_deadline == Instant::Max() &&
         Synchronized() && state_ != TcpState::kSynReceived &&
         state_ != TcpState::kTimeWait;
}

void Connection::UpdatePersist(Instant now) {
  if (!PersistWanted()) {
    snd_.persist_deadline = Instant::Max();
    snd_.persist_backoff = 0;
    return;
  }
  if (snd_.persist_deadline != Instant::Max()) return;
  Duration d = snd_.rtt.rto(config_->rto_max);
  for (uint8_t i = 0; i < snd_.persist_backoff && d < config_->rto_max; ++i) {
    d = d * 2;
  }
  snd_.persist_deadline = now + std::min(d, config_->rto_max);
}

void Connection::OnPersistTimeout(Instant /*now*/) {
  snd_.persist_deadline = Instant::Max();
  if (snd_.persist_backoff < 30) ++snd_.persist_backoff;
  if (snd_.wnd == 0) {
    // RFC 1122 §4.2.2.17 keeps the connection open only while the receiver
    // answers the probes; one that stopped answering is given up on after
    // max_data_retries unanswered probes, as Linux does (tcp_retries2).
    if (probes_ >= config_->max_data_retries) {
      EnterClosed(ConnectionError::kTimedOut);
      return;
    }
    ++probes_;
    owed_.probe = true;
    ++Trouble().zero_window_probes;
  } else {
    owed_.force_send = true;  // RFC 1122 §4.2.3.4 (4): the override timeout
  }
}

void Connection::OnKeepaliveTimeout(Instant now) {
  keepalive_deadline_ = Instant::Max();
  if (!keepalive_) return;
  // RFC 1122 §4.2.3.6: any idle synchronized connection; FIN-WAIT-2 too,
  // where a Shutdown() half-close owes nothing and would otherwise wait for
  // a vanished peer forever (Linux probes there as well).
  if (state_ != TcpState::kEstablished && state_ != TcpState::kCloseWait &&
      state_ != TcpState::kFinWait2) {
    return;
  }
  // Only an idle connection is probed; with data outstanding the RTO rules.
  if (snd_.max != snd_.una || !snd_.buf.empty()) {
    keepalive_deadline_ = now + config_->keepalive_idle;
    return;
  }
  if (probes_ >= config_->keepalive_count) {
    EnterClosed(ConnectionError::kTimedOut);
    return;
  }
  ++probes_;
  owed_.probe = true;
  keepalive_deadline_ = now + config_->keepalive_interval;
}

}  // namespace skiff
