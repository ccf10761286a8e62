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
  if (rack_deadline_ <= now) OnRackTimeout(now);
  // The probe first: when it is due at the RTO's time it stands in for
  // the RTO, which OnTlpTimeout re-arms (RFC 8985 §7.2, §7.3).
  if (tlp_deadline_ <= now) OnTlpTimeout(now);
  if (rto_deadline_ <= now) OnRetransmitTimeout(now);
  if (state_ == TcpState::kClosed) return;
  if (persist_deadline_ <= now) OnPersistTimeout(now);
  if (keepalive_deadline_ <= now) OnKeepaliveTimeout(now);
  if (state_ == TcpState::kClosed) return;
  if (delack_deadline_ <= now) {
    ack_now_ = true;
    delack_deadline_ = Instant::Max();
  }
}

void Connection::ArmRto(Instant now) {
  rto_deadline_ = now + rtt_.rto(config_->rto_max);
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
  tlp_deadline_ = Instant::Max();
  // Not while RACK's reordering timer runs: it answers first (as Linux,
  // whose one timer holds either).
  if (!sack_ok_ || tlp_sent_ || !rtt_.has_sample() || cc().in_recovery() ||
      rack_deadline_ != Instant::Max() || snd_una_ == snd_max_ ||
      snd_nxt_ != snd_max_ ||
      (state_ != TcpState::kEstablished && state_ != TcpState::kCloseWait &&
       state_ != TcpState::kFinWait1 && state_ != TcpState::kLastAck &&
       state_ != TcpState::kClosing)) {
    return;
  }
  Duration pto = rtt_.srtt() * 2;
  // One segment: counted in bytes (no per-segment count is kept), which
  // errs toward the longer PTO.
  if (FlightSize() <= effective_mss()) {
    pto = pto + config_->tlp_peer_delayed_ack;
  }
  pto = std::max(pto, Duration::Millis(10));
  tlp_deadline_ = std::min(now + pto, rto_deadline_);
}

// §7.3: after a probe the RTO, re-armed from now, guards the tail (the
// probe may have taken the RTO's place, see ArmTlp).
void Connection::OnTlpTimeout(Instant now) {
  tlp_deadline_ = Instant::Max();
  if (snd_una_ != snd_max_ && !cc().in_recovery() && !tlp_sent_) {
    tlp_due_ = true;
    ArmRto(now);
  }
}

void Connection::ArmDelayedAck(Instant now) {
  if (delack_deadline_ == Instant::Max()) {
    delack_deadline_ = now + config_->delayed_ack_timeout;
  }
}

// RFC 6298 §5.4-5.6: resend the earliest unacknowledged segment (here: go
// back to SND.UNA), back off, and collapse cwnd (RFC 5681 §3.1). Gives up
// after max_syn_retries / max_synack_retries / max_data_retries (RFC 1122
// §4.2.3.5 R2).
void Connection::OnRetransmitTimeout(Instant now) {
  rto_deadline_ = Instant::Max();
  if (snd_una_ == snd_max_) return;
  const bool handshake =
      state_ == TcpState::kSynSent || state_ == TcpState::kSynReceived;
  const uint8_t limit = state_ == TcpState::kSynSent ? config_->max_syn_retries
                        : handshake ? config_->max_synack_retries
                                    : config_->max_data_retries;
  if (retries_ >= limit) {
    EnterClosed(ConnectionError::kTimedOut);
    return;
  }
  ++retries_;
  ++stats_.timeouts;
  rtt_.Backoff();
  if (!handshake) cc().OnRetransmitTimeout(snd_max_, FlightSize());
  snd_nxt_ = snd_una_;
  rtt_timing_ = false;
  dupacks_ = 0;
  rexmit_nxt_ = snd_una_;
  tlp_deadline_ = Instant::Max();
  tlp_due_ = false;
  // RFC 2018 §8: after a timeout, do not trust earlier SACK information.
  sacked_count_ = 0;
  log_.ClearMarks();
  rack_deadline_ = Instant::Max();
  retransmit_head_ = retransmit_hole_ = false;
  // Re-armed by Transmit() when the retransmission goes out; with a zero
  // window nothing goes and the persist timer takes over (UpdatePersist).
  (void)now;
}

// The persist timer runs while data waits and nothing is in flight to
// bring an ACK back: a zero window, or a window too small for SWS
// avoidance to use. Backs off like the RTO; gives up only when the peer
// stops answering the zero-window probes (OnPersistTimeout).
bool Connection::PersistWanted() const {
  return SndDataEnd() > snd_nxt_ && rto_deadline_ == Instant::Max() &&
         Synchronized() && state_ != TcpState::kSynReceived &&
         state_ != TcpState::kTimeWait;
}

void Connection::UpdatePersist(Instant now) {
  if (!PersistWanted()) {
    persist_deadline_ = Instant::Max();
    persist_backoff_ = 0;
    return;
  }
  if (persist_deadline_ != Instant::Max()) return;
  Duration d = rtt_.rto(config_->rto_max);
  for (uint8_t i = 0; i < persist_backoff_ && d < config_->rto_max; ++i) {
    d = d * 2;
  }
  persist_deadline_ = now + std::min(d, config_->rto_max);
}

void Connection::OnPersistTimeout(Instant /*now*/) {
  persist_deadline_ = Instant::Max();
  if (persist_backoff_ < 30) ++persist_backoff_;
  if (snd_wnd_ == 0) {
    // RFC 1122 §4.2.2.17 keeps the connection open only while the receiver
    // answers the probes; one that stopped answering is given up on after
    // max_data_retries unanswered probes, as Linux does (tcp_retries2).
    if (probes_ >= config_->max_data_retries) {
      EnterClosed(ConnectionError::kTimedOut);
      return;
    }
    ++probes_;
    probe_due_ = true;
    ++stats_.zero_window_probes;
  } else {
    force_send_ = true;  // RFC 1122 §4.2.3.4 (4): the override timeout
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
  if (snd_max_ != snd_una_ || !snd_buf_.empty()) {
    keepalive_deadline_ = now + config_->keepalive_idle;
    return;
  }
  if (probes_ >= config_->keepalive_count) {
    EnterClosed(ConnectionError::kTimedOut);
    return;
  }
  ++probes_;
  probe_due_ = true;
  keepalive_deadline_ = now + config_->keepalive_interval;
}

}  // namespace skiff
