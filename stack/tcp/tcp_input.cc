// Segment arrival, RFC 9293 §3.10.7, one handler per state group. Step
// names ("first" ... "eighth") are the RFC's.
#include <algorithm>

#include "stack/tcp/connection.h"

namespace skiff {

namespace {

uint32_t SegLen(const TcpSegmentIn& s) {
  return static_cast<uint32_t>(s.payload.size()) +
         (s.header.has(TcpFlag::kSyn) ? 1 : 0) +
         (s.header.has(TcpFlag::kFin) ? 1 : 0);
}

// Copies `payload` into the receive ring at `offset` past its stored bytes,
// one span at a time (a super-segment's mbufs are copied once, in place).
bool WritePayload(ByteRing& ring, uint32_t offset,
                  const PayloadSpans& payload) {
  return payload.ForEach([&](ConstByteSpan part) {
    if (!ring.WriteBeyond(offset, part)) return false;
    offset += static_cast<uint32_t>(part.size());
    return true;
  });
}

// Duplicate ACKs owed beyond the first, at most (enough for 3 dupacks).
constexpr uint8_t kMaxOwedDupAcks = 3;
// RFC 5681 §3.2 / RFC 6675 §2 DupThresh.
constexpr uint8_t kDupThresh = 3;

}  // namespace

void Connection::OnSegment(const TcpSegmentIn& seg, Instant now) {
  ++hot_.segs_in;
  switch (state_) {
    case TcpState::kClosed:
      HandleClosed(seg);
      return;
    case TcpState::kListen:
      Drop(DropReason::kTcpNoSocket);  // the listener's business
      return;
    case TcpState::kSynSent:
      HandleSynSent(seg, now);
      return;
    default:
      HandleSynchronized(seg, now);
      return;
  }
}

// §3.10.7.1: anything but a RST gets a RST.
void Connection::HandleClosed(const TcpSegmentIn& seg) {
  Drop(DropReason::kTcpNoSocket);
  if (!seg.header.has(TcpFlag::kRst)) ReplyRst(seg);
}

// If ACK is off: <SEQ=0><ACK=SEG.SEQ+SEG.LEN><CTL=RST,ACK>;
// else <SEQ=SEG.ACK><CTL=RST> (§3.10.7.1, §3.10.7.3).
// Timestamps only once negotiated (SYN-RECEIVED on): not in SYN-SENT, nor
// from a CLOSED connection, which has no TCB to speak for.
void Connection::ReplyRst(const TcpSegmentIn& seg) {
  const bool ts = ts_ok_ && Synchronized();
  if (seg.header.has(TcpFlag::kAck)) {
    rst_ = {seg.header.ack, SeqNum(), TcpFlag::kRst, ts};
  } else {
    rst_ = {SeqNum(), seg.header.seq + SegLen(seg),
            static_cast<uint8_t>(TcpFlag::kRst | TcpFlag::kAck), ts};
  }
  owed_.rst = true;
}

// §3.10.7.3 SYN-SENT.
void Connection::HandleSynSent(const TcpSegmentIn& seg, Instant now) {
  const TcpRepr& h = seg.header;
  // First: the ACK must acknowledge our SYN: ISS < SEG.ACK =< SND.NXT.
  if (h.has(TcpFlag::kAck) && (h.ack <= snd_.iss || h.ack > snd_.max)) {
    Drop(DropReason::kTcpBadAck);
    if (!h.has(TcpFlag::kRst)) ReplyRst(seg);
    return;
  }
  // Second: a RST is acceptable only with an acceptable ACK (RFC 5961 §3
  // keeps this rule for SYN-SENT).
  if (h.has(TcpFlag::kRst)) {
    if (h.has(TcpFlag::kAck)) {
      EnterClosed(ConnectionError::kRefused);
    } else {
      Drop(DropReason::kTcpRstInvalid);
    }
    return;
  }
  // Fourth: SYN. (Fifth: neither SYN nor RST → drop.)
  if (!h.has(TcpFlag::kSyn)) {
    Drop(DropReason::kTcpBadFlags);
    return;
  }
  rcv_.irs = h.seq;
  rcv_.nxt = rcv_.adv = rcv_.last_ack_sent = h.seq + 1;
  Negotiate(h);
  cc().Reset(effective_mss(), config_->initial_cwnd_segments, snd_.iss);
  // The window of a SYN is never scaled (RFC 7323 §2.2).
  snd_.SetWindow(h, h.window);
  if (h.has(TcpFlag::kAck)) {
    snd_.una = h.ack;
    if (snd_.nxt < snd_.una) snd_.nxt = snd_.una;
    SampleRtt(seg, now);
    SetState(TcpState::kEstablished, now);
    snd_.retries = 0;
    snd_.rtt.ResetBackoff();
    snd_.rto_deadline = Instant::Max();
    owed_.ack = true;
    // Sixth onwards for data or FIN carried by the SYN-ACK (rare).
    TcpSegmentIn rest = seg;
    rest.header.seq = h.seq + 1;
    rest.header.flags &= static_cast<uint8_t>(~TcpFlag::kSyn);
    ProcessText(rest, now);
    if (rest.header.has(TcpFlag::kFin) &&
        rest.header.seq + static_cast<uint32_t>(rest.payload.size()) ==
            rcv_.nxt) {
      ProcessFin(now);
    }
    return;
  }
  // Simultaneous open: SYN-RECEIVED, and our SYN goes again as SYN,ACK
  // <SEQ=ISS><ACK=RCV.NXT>. "If there are other controls or text in the
  // segment, queue them for processing after the ESTABLISHED state has been
  // reached" (§3.10.7.3 fourth).
  snd_.nxt = snd_.iss;
  SetState(TcpState::kSynReceived, now);
  QueueSynText(seg);
}

// Text and FIN riding on the peer's SYN in a simultaneous open: the bytes go
// into the receive ring at RCV.NXT and are recorded as a range beyond it, as
// out-of-order data is, so that nothing acknowledges them before ESTABLISHED
// (DeliverQueuedText). What does not fit the window our SYN announced is
// dropped; the peer retransmits it.
void Connection::QueueSynText(const TcpSegmentIn& seg) {
  // The window our SYN announced (a SYN's is never scaled, RFC 7323 §2.2).
  const uint32_t room = WindowField(/*syn=*/true);
  const PayloadSpans data = seg.payload.first(room);
  const uint32_t len = static_cast<uint32_t>(data.size());
  if (len > 0) {
    if (!WritePayload(rcv_.buf, 0, data)) {
      Drop(DropReason::kTcpRecvBufferFull);
      return;
    }
    if (!rcv_.reass.Add(rcv_.nxt, rcv_.nxt + len, config_->max_ooo_ranges)) {
      Drop(DropReason::kTcpOutOfOrderFull);
      return;
    }
  }
  if (seg.header.has(TcpFlag::kFin) && len == seg.payload.size()) {
    rcv_.fin_pending = true;
    rcv_.fin_seq = rcv_.nxt + len;
  }
}

// Once ESTABLISHED: text queued at RCV.NXT (QueueSynText) becomes readable,
// and is acknowledged at once.
void Connection::DeliverQueuedText() {
  if (rcv_.reass.empty() || orphaned_ || !TakesText()) return;
  const SeqNum n = rcv_.reass.PopContiguous(rcv_.nxt);
  if (n <= rcv_.nxt) return;
  const uint32_t more = static_cast<uint32_t>(n - rcv_.nxt);
  rcv_.buf.Extend(more);
  hot_.bytes_in += more;
  rcv_.nxt = n;
  events_ |= TcpEvent::kReadable;
  owed_.ack = true;
}

// RFC 7323 §5.3 R1: a timestamp older than TS.Recent is a duplicate from an
// earlier incarnation of the sequence space: ACK it and drop it.
bool Connection::PawsReject(const TcpSegmentIn& seg, Instant now) {
  const TcpRepr& h = seg.header;
  if (!ts_ok_ || !h.options.timestamp || h.has(TcpFlag::kRst)) return false;
  if (!(SeqNum(h.options.timestamp->tsval) < SeqNum(rcv_.ts_recent)))
    return false;
  if (DisorderedAck(seg)) return false;
  AckInvalid(seg, now, /*challenge=*/false);
  Drop(DropReason::kTcpPawsReject);
  return true;
}

// A pure duplicate ACK overtaken by a later segment carries an older
// timestamp than TS.Recent, yet it is no old duplicate: it changes nothing
// but the duplicate-ACK count, which fast retransmit needs. Like Linux's
// tcp_disordered_ack, PAWS (RFC 7323 §5.3) lets it through when it is at
// RCV.NXT with no data, ACKs exactly SND.UNA, would not update the window
// (§3.10.7.4 SND.WL1/WL2 rule) and its TSval is within one RTO (in TSval
// milliseconds) of TS.Recent.
bool Connection::DisorderedAck(const TcpSegmentIn& seg) const {
  const TcpRepr& h = seg.header;
  if (!h.has(TcpFlag::kAck) || h.has(TcpFlag::kSyn) || h.has(TcpFlag::kFin) ||
      !seg.payload.empty() || h.seq != rcv_.nxt || h.ack != snd_.una) {
    return false;
  }
  const uint32_t wnd = uint32_t{h.window} << snd_.scale;
  if (snd_.wl1 < h.seq || (snd_.wl1 == h.seq && wnd > snd_.wnd)) return false;
  const uint32_t behind = rcv_.ts_recent - h.options.timestamp->tsval;
  return behind <= static_cast<uint64_t>(rto().nanos() / 1'000'000);
}

// First step: the acceptability test (§3.10.7.4 table), then trimming the
// segment to the window. RCV.WND is the window we advertised (§3.3.1,
// §3.8.6; RFC 5961 §3.2 checks RSTs against it too), not the free buffer,
// which may be larger (e.g. 256 KiB behind an unscaled 65,535). Like
// Linux, a segment exactly at RCV.NXT is processed for its ACK and FIN
// even when the window is zero (its data is trimmed).
bool Connection::TrimToWindow(TcpSegmentIn& seg) {
  TcpRepr& h = seg.header;
  const uint32_t len = SegLen(seg);
  const uint32_t wnd = rcv_.Wnd();
  const SeqNum right = rcv_.nxt + wnd;
  bool ok;
  if (len == 0) {
    ok = wnd == 0 ? h.seq == rcv_.nxt : SeqInRange(h.seq, rcv_.nxt, right);
  } else {
    ok = wnd != 0 && (SeqInRange(h.seq, rcv_.nxt, right) ||
                      SeqInRange(h.seq + (len - 1), rcv_.nxt, right));
  }
  if (!ok && h.seq == rcv_.nxt) ok = true;  // zero window, see above
  if (!ok) return false;
  if (h.seq < rcv_.nxt) {
    uint32_t d = static_cast<uint32_t>(rcv_.nxt - h.seq);
    if (h.has(TcpFlag::kSyn)) {
      h.flags &= static_cast<uint8_t>(~TcpFlag::kSyn);
      h.seq += 1;
      --d;
    }
    d = std::min<uint32_t>(d, static_cast<uint32_t>(seg.payload.size()));
    seg.payload = seg.payload.subspan(d);
    h.seq += d;
  }
  const uint32_t room =
      right > h.seq ? static_cast<uint32_t>(right - h.seq) : 0;
  if (seg.payload.size() > room) {
    // Data beyond the window is dropped; the ACK tells the peer where the
    // window really ends.
    seg.payload = seg.payload.first(room);
    h.flags &= static_cast<uint8_t>(~TcpFlag::kFin);
    owed_.ack = true;
  }
  return true;
}

// §3.10.7.4 for SYN-RECEIVED and every synchronized state.
void Connection::HandleSynchronized(const TcpSegmentIn& in, Instant now) {
  const TcpRepr& h0 = in.header;
  // A retransmitted SYN while our SYN-ACK is outstanding: resend the SYN-ACK
  // (its ACK must have been lost). Only a plain SYN (ECN bits aside): with
  // ACK, RST or FIN it is no copy of the SYN that opened this connection.
  if (state_ == TcpState::kSynReceived && h0.has(TcpFlag::kSyn) &&
      (h0.flags & (TcpFlag::kAck | TcpFlag::kRst | TcpFlag::kFin)) == 0 &&
      h0.seq == rcv_.irs) {
    snd_.nxt = snd_.iss;
    return;
  }
  TcpSegmentIn seg = in;
  // Simultaneous open (RFC 9293 §3.5 Figure 7, lines 6-7): in SYN-RECEIVED
  // the peer's SYN,ACK <SEQ=IRS><ACK=SND.NXT> is its answer to our SYN and
  // completes the handshake, though SEQ = IRS is below RCV.NXT. Read it as
  // the ACK at RCV.NXT (as Linux's tcp_validate_incoming exception).
  if (state_ == TcpState::kSynReceived && !passive_ && h0.has(TcpFlag::kSyn) &&
      h0.has(TcpFlag::kAck) && !h0.has(TcpFlag::kRst) && h0.seq == rcv_.irs &&
      h0.ack == snd_.max) {
    seg.header.flags &= static_cast<uint8_t>(~TcpFlag::kSyn);
    seg.header.seq = rcv_.irs + 1;
  }
  // Fourth step ahead of the first: in a synchronized state (and in an
  // actively opened SYN-RECEIVED, "handle per the directions for
  // synchronized states") a SYN gets a challenge ACK "irrespective of the
  // sequence number" (RFC 5961 §4.2, RFC 9293 §3.10.7.4 fourth), so neither
  // the window test nor trimming may hide it. With RST set, the RST rules
  // apply (second step). Before PAWS too, as Linux: the answer is an ACK
  // either way, but this one counts against the RFC 5961 §7 limit.
  if (seg.header.has(TcpFlag::kSyn) && !seg.header.has(TcpFlag::kRst) &&
      !(state_ == TcpState::kSynReceived && passive_)) {
    AckInvalid(seg, now, /*challenge=*/true);
    Drop(DropReason::kTcpBadFlags);
    return;
  }
  if (PawsReject(in, now)) return;
  // First: sequence number.
  if (!TrimToWindow(seg)) {
    Drop(DropReason::kTcpOutOfWindow);
    if (!h0.has(TcpFlag::kRst)) AckInvalid(in, now, /*challenge=*/false);
    // A retransmitted FIN in TIME-WAIT restarts the 2·MSL wait (§3.10.7.4
    // eighth step; it fails the window test as it is below RCV.NXT).
    if (state_ == TcpState::kTimeWait && h0.has(TcpFlag::kFin)) {
      timewait_deadline_ = now + config_->time_wait;
    }
    return;
  }
  // Second: RST (RFC 5961 §3.2 on the untrimmed sequence number).
  if (h0.has(TcpFlag::kRst)) {
    HandleRst(in, now);
    return;
  }
  // RFC 7323 §4.3 (2): TS.Recent from an in-window segment that does not
  // start beyond what we last acknowledged, and (like Linux) whose ACK the
  // fifth step will accept: a blind segment ACKing data never sent must
  // not move TS.Recent ahead and make the next real segment fail PAWS.
  if (ts_ok_ && h0.options.timestamp && h0.seq <= rcv_.last_ack_sent &&
      !(SeqNum(h0.options.timestamp->tsval) < SeqNum(rcv_.ts_recent)) &&
      h0.has(TcpFlag::kAck) &&
      snd_.AcceptableAck(h0.ack, state_ == TcpState::kSynReceived)) {
    rcv_.ts_recent = h0.options.timestamp->tsval;
  }
  probes_ = 0;  // the peer answers: keepalive and zero-window probes alike
  if (keepalive_) {
    keepalive_deadline_ = now + config_->keepalive_idle;
  }
  // Fourth, for a passively opened SYN-RECEIVED (the synchronized states
  // were handled above): an in-window SYN returns the connection to LISTEN
  // (§3.10.7.4), i.e. this half-open one ends and the listener stays.
  if (seg.header.has(TcpFlag::kSyn)) {
    Drop(DropReason::kTcpBadFlags);
    EnterClosed(ConnectionError::kReset);
    return;
  }
  // Fifth: ACK.
  if (!seg.header.has(TcpFlag::kAck)) {
    Drop(DropReason::kTcpBadFlags);
    return;
  }
  if (!HandleAck(seg, now)) return;
  // Sixth (URG) is not supported: urgent data is delivered inline.
  // Seventh: segment text (and text queued from a simultaneous-open SYN).
  ProcessText(seg, now);
  if (state_ == TcpState::kClosed) return;
  DeliverQueuedText();
  // Eighth: FIN, in order only; a FIN beyond a hole waits for it.
  if (seg.header.has(TcpFlag::kFin)) {
    const SeqNum fin_at =
        seg.header.seq + static_cast<uint32_t>(seg.payload.size());
    if (fin_at == rcv_.nxt) {
      ProcessFin(now);
    } else if (fin_at > rcv_.nxt) {
      rcv_.fin_pending = true;
      rcv_.fin_seq = fin_at;
      owed_.ack = true;
    }
  } else if (rcv_.fin_pending && rcv_.fin_seq == rcv_.nxt) {
    ProcessFin(now);
  }
}

// RFC 5961 §3.2: exactly RCV.NXT resets; elsewhere in the window earns a
// challenge ACK (the segment already passed the window test).
void Connection::HandleRst(const TcpSegmentIn& seg, Instant now) {
  if (seg.header.seq != rcv_.nxt) {
    AckInvalid(seg, now, /*challenge=*/true);
    Drop(DropReason::kTcpRstInvalid);
    return;
  }
  switch (state_) {
    case TcpState::kSynReceived:
      // Passive: back to LISTEN, i.e. the listener never sees it; active
      // (simultaneous open): "connection refused".
      EnterClosed(passive_ ? ConnectionError::kReset
                           : ConnectionError::kRefused);
      return;
    case TcpState::kEstablished:
    case TcpState::kFinWait1:
    case TcpState::kFinWait2:
    case TcpState::kCloseWait:
      EnterClosed(ConnectionError::kReset);
      return;
    default:  // CLOSING, LAST-ACK, TIME-WAIT
      EnterClosed(ConnectionError::kNone);
      return;
  }
}

// Answers a segment we drop with an ACK. Those without data are answered
// at most once per invalid_ack_interval (as Linux's tcp_oow_rate_limited:
// two peers answering each other's pure ACKs forever is an ACK loop; a
// data segment cannot start one). RFC 5961 §7 adds a global limit on
// challenge ACKs, which the layer owns (challenge_limit_).
void Connection::AckInvalid(const TcpSegmentIn& seg, Instant now,
                            bool challenge) {
  const TcpRepr& h = seg.header;
  // A keepalive or zero-window probe (SEQ = RCV.NXT - 1, no data) must be
  // answered or the peer gives up or stalls; it cannot form a loop.
  const bool probe = h.seq == rcv_.nxt - 1 && seg.payload.empty() &&
                     !h.has(TcpFlag::kSyn) && !h.has(TcpFlag::kFin);
  const bool limited =
      !probe &&
      (h.has(TcpFlag::kSyn) || (seg.payload.empty() && !h.has(TcpFlag::kFin)));
  if (limited) {
    if (now - last_oow_ack_ < config_->invalid_ack_interval) {
      ++Trouble().invalid_acks_limited;
      return;
    }
    last_oow_ack_ = now;
  }
  if (challenge) {
    // RFC 5961 §7: the stack-wide limit.
    if (challenge_limit_ != nullptr && !challenge_limit_->Allow(now)) {
      ++Trouble().invalid_acks_limited;
      return;
    }
    ++Trouble().challenge_acks;
  }
  owed_.ack = true;
}

// Fifth step. Returns false when the segment is done with.
bool Connection::HandleAck(const TcpSegmentIn& seg, Instant now) {
  const TcpRepr& h = seg.header;
  if (state_ == TcpState::kSynReceived) {
    if (!HandleAckInSynReceived(seg, now)) return false;
  }
  // An ACK for something not yet sent: ACK and drop (§3.10.7.4 fifth).
  if (h.ack > snd_.max) {
    AckInvalid(seg, now, /*challenge=*/false);
    Drop(DropReason::kTcpBadAck);
    return false;
  }
  // RFC 5961 §5.2: SND.UNA - MAX.SND.WND =< SEG.ACK, else challenge ACK.
  if (h.ack < snd_.una - snd_.max_wnd) {
    AckInvalid(seg, now, /*challenge=*/true);
    Drop(DropReason::kTcpBadAck);
    return false;
  }
  if (h.ack > snd_.una) {
    ProcessNewAck(seg, now);
  } else {
    ProcessDupAck(seg, now);
  }
  snd_.UpdateWindow(seg.header);
  switch (state_) {
    case TcpState::kFinWait1:
      if (snd_.FinAcked()) {
        SetState(TcpState::kFinWait2, now);
      }
      break;
    case TcpState::kClosing:
      if (snd_.FinAcked()) {
        SetState(TcpState::kTimeWait, now);
        return false;
      }
      break;
    case TcpState::kLastAck:
      if (snd_.FinAcked()) {
        EnterClosed(ConnectionError::kNone);
        return false;
      }
      break;
    default:
      break;
  }
  return true;
}

// SYN-RECEIVED: an ACK of our SYN completes the handshake; any other ACK
// gets <SEQ=SEG.ACK><CTL=RST>.
bool Connection::HandleAckInSynReceived(const TcpSegmentIn& seg, Instant now) {
  const TcpRepr& h = seg.header;
  if (!(snd_.una < h.ack && h.ack <= snd_.max)) {
    Drop(DropReason::kTcpBadAck);
    ReplyRst(seg);
    return false;
  }
  // The window of a non-SYN segment is scaled from here on.
  snd_.SetWindow(h, uint32_t{h.window} << snd_.scale);
  SetState(TcpState::kEstablished, now);
  return true;
}

void Connection::ProcessNewAck(const TcpSegmentIn& seg, Instant now) {
  const SeqNum ack = seg.header.ack;
  const uint32_t acked = static_cast<uint32_t>(ack - snd_.una);
  const uint32_t flight = snd_.FlightSize();
  const SeqNum start = snd_.BufStart();
  if (ack > start) {
    snd_.buf.Consume(
        static_cast<uint32_t>(std::min<int64_t>(ack - start, snd_.buf.size())));
    if (!snd_.fin_queued) events_ |= TcpEvent::kWritable;
  }
  snd_.una = ack;
  if (snd_.nxt < snd_.una) snd_.nxt = snd_.una;
  SampleRtt(seg, now);
  snd_.retries = 0;
  snd_.rtt.ResetBackoff();
  snd_.dupacks = 0;
  snd_.tlp_sent = false;
  const bool was_in_recovery = cc().in_recovery();
  const bool partial_ack =
      cc().OnAck({ack, acked, flight, now,
                  snd_.rtt.has_sample() ? snd_.rtt.srtt() : Duration::Zero()});
  // RFC 6298 §5.2, §5.3: stop when all is acked, else restart.
  snd_.rto_deadline = snd_.una == snd_.max
                          ? Instant::Max()
                          : now + snd_.rtt.rto(config_->rto_max);
  snd_.sacked.Prune(snd_.una);
  UpdateSackScoreboard(seg.header.options);
  if (RackOn()) {
    // RFC 8985: RACK decides what is lost (a partial ACK's next hole
    // included); the controller only deflates.
    if (was_in_recovery && !cc().in_recovery()) snd_.rack.OnRecoveryExit();
    RackOnAck(seg, now);
  } else if (partial_ack) {
    // RFC 6582 §3.2 step 4 resends the first unacknowledged segment. With
    // SACK, RFC 6675 §5 (C) picks by NextSeg(), which never goes back
    // below HighRxt (snd_.rexmit_nxt): a hole resent once in this episode
    // waits for the RTO or lost-retransmit detection, and the room the
    // ACK made goes to the next lost hole or to new data.
    if (snd_.sacked.size() == 0 || snd_.rexmit_nxt <= snd_.una) {
      owed_.retransmit_head = true;
    } else {
      owed_.sack_hole = true;
    }
  }
  if (!RackOn()) DetectLostRetransmit();
  ArmTlp(now);
  // All acknowledged: the send ring's chunks go back to the pool, and so
  // does the RACK log.
  if (snd_.buf.empty()) snd_.buf.Free();
  if (snd_.una == snd_.max) snd_.log.Release(snd_.buf.pool());
}

// A duplicate ACK: ACK == SND.UNA with data outstanding, and either
// (RFC 6675 §2) SACK blocks that report new data, whatever the window or
// payload (a receiver that is reading grows its window in every ACK), or
// (RFC 5681 §2) no payload, no FIN and an unchanged window.
void Connection::ProcessDupAck(const TcpSegmentIn& seg, Instant now) {
  const TcpRepr& h = seg.header;
  if (h.ack != snd_.una || snd_.max == snd_.una) return;
  const bool new_sack = UpdateSackScoreboard(h.options) > 0;
  if (!new_sack && (!seg.payload.empty() || h.has(TcpFlag::kFin) ||
                    (uint32_t{h.window} << snd_.scale) != snd_.wnd)) {
    return;
  }
  ++Trouble().dup_acks;
  if (snd_.dupacks < 255) ++snd_.dupacks;
  if (RackOn() && new_sack) {
    // RFC 8985 replaces the duplicate-ACK threshold where SACK blocks say
    // what arrived: the count only inflates the window in recovery (RFC
    // 5681 §3.2 step 4) and paces limited transmit (RFC 3042). A duplicate
    // ACK without new SACK information (a peer that negotiated SACK and
    // sends none) is still counted the RFC 5681 way below.
    if (cc().in_recovery()) {
      cc().OnDupAck(snd_.dupacks, snd_.una, snd_.max, snd_.FlightSize(), now);
    }
    RackOnAck(seg, now);
    return;
  }
  const bool was_in_recovery = cc().in_recovery();
  if (cc().OnDupAck(snd_.dupacks, snd_.una, snd_.max, snd_.FlightSize(), now)) {
    ++Trouble().fast_retransmits;
    owed_.retransmit_head = true;  // RFC 5681 §3.2 step 2
    snd_.rexmit_nxt = snd_.una;
    snd_.tlp_deadline = Instant::Max();
  } else if (was_in_recovery && snd_.sacked.size() > 0) {
    // With SACK the next hole need not wait for a partial ACK (RFC 6675
    // in spirit: one retransmission per duplicate ACK).
    owed_.sack_hole = true;
  } else if (!was_in_recovery && sack_ok_ && snd_.dupacks >= kDupThresh &&
             snd_.rexmit_nxt <= snd_.una &&
             snd_.sacked.Above(snd_.una) > (kDupThresh - 1) * effective_mss()) {
    // The slow start after a timeout lost a segment: RFC 6582 §3.2 (and
    // RFC 6675 §5.1) allow no new recovery until SND.UNA passes `recover`,
    // but SACK shows the segment is lost (RFC 6675 §4 IsLost; RFC 8985
    // §6.2: data sent after it arrived). Resend it now instead of waiting
    // for another RTO; cwnd was already cut for this episode.
    ++Trouble().fast_retransmits;
    owed_.retransmit_head = true;
    snd_.rexmit_nxt = snd_.una;
  }
  if (!RackOn()) DetectLostRetransmit();
}

// RFC 8985 §6.2 (RACK) on the SACK scoreboard: a retransmission is lost
// once data sent after it was SACKed. Data is sent in sequence order, so
// what lies above snd_.rexmit_mark (SND.MAX when the retransmission left) was
// sent later; more than DupThresh - 1 segments of it allow for reordering
// (RFC 6675 §4 IsLost). Without this a lost retransmission waits for the
// RTO (RFC 6675 §5 step (C) leaves it to the timer).
void Connection::DetectLostRetransmit() {
  if (!sack_ok_ || snd_.sacked.size() == 0 || !(snd_.rexmit_nxt > snd_.una))
    return;
  if (snd_.sacked.Above(snd_.rexmit_mark) <= (kDupThresh - 1) * effective_mss())
    return;
  ++Trouble().lost_retransmits;
  owed_.retransmit_head = true;
  snd_.rexmit_nxt = snd_.una;
  snd_.rexmit_mark = snd_.max;  // re-detect only from data sent from now on
}

// Returns how many bytes this ACK newly SACKed.
uint32_t Connection::UpdateSackScoreboard(const TcpOptions& opts) {
  return sack_ok_ ? snd_.sacked.Update(opts, snd_.una, snd_.max) : 0;
}

// RFC 7323 §4 (RTTM) with timestamps, else Karn's timed segment (RFC 6298
// §3: never from a retransmitted segment; Transmit() cancels the timing).
void Connection::SampleRtt(const TcpSegmentIn& seg, Instant now) {
  const TcpRepr& h = seg.header;
  if (ts_ok_ && h.options.timestamp && h.options.timestamp->tsecr != 0) {
    const uint32_t ms = TsVal(now) - h.options.timestamp->tsecr;
    if (ms < 0x7fffffffu) {
      snd_.rtt.Sample(Duration::Millis(ms), config_->rto_min, config_->rto_max);
    }
    snd_.rtt_timing = false;
    return;
  }
  if (snd_.rtt_timing && h.ack >= snd_.rtt_seq) {
    snd_.rtt.Sample(now - snd_.rtt_start, config_->rto_min, config_->rto_max);
    snd_.rtt_timing = false;
  }
}

// Seventh step: data into the receive ring, in order or beyond a hole.
void Connection::ProcessText(const TcpSegmentIn& seg, Instant now) {
  if (seg.payload.empty()) return;
  // CLOSE-WAIT and later: the peer already sent FIN; ignore.
  if (!TakesText()) return;
  if (orphaned_) {
    // Data for an application that closed: reset (RFC 2525 §2.17, Linux).
    Abort();
    return;
  }
  const uint32_t len = static_cast<uint32_t>(seg.payload.size());
  rcv_.mss = static_cast<uint16_t>(
      std::max<uint32_t>(rcv_.mss, std::min<uint32_t>(len, config_->mss)));
  const SeqNum seq = seg.header.seq;
  if (seq != rcv_.nxt) {
    // Beyond a hole: keep it, and ACK at once so the sender sees a
    // duplicate ACK (RFC 5681 §4.2; RFC 9293 §3.10.7.4).
    if (!WritePayload(rcv_.buf, static_cast<uint32_t>(seq - rcv_.nxt),
                      seg.payload)) {
      Drop(DropReason::kTcpRecvBufferFull);  // the chunk pool ran dry
    } else if (!rcv_.reass.Add(seq, seq + len, config_->max_ooo_ranges)) {
      Drop(DropReason::kTcpOutOfOrderFull);
    } else {
      ++Trouble().out_of_order;
    }
    // One duplicate ACK per out-of-order segment, even when a burst of them
    // is processed before the next poll: the sender counts them.
    if (owed_.ack && owed_.dup_acks < kMaxOwedDupAcks) ++owed_.dup_acks;
    owed_.ack = true;
    return;
  }
  // Zero-copy receive keeps the payload where it arrived, but only while
  // nothing is queued in the ring (no unread copied bytes, no out-of-order
  // data at offsets from RCV.NXT): the stream stays [held][ring].
  // Anything else is copied, so correctness never depends on the mode.
  const bool keep = seg.keeper != nullptr && seg.payload.contiguous() &&
                    rcv_.buf.empty() && rcv_.reass.empty() &&
                    uint64_t{rcv_.held} + len <= rcv_.buf.capacity() &&
                    seg.keeper->Keep(seg.payload.head());
  if (keep) {
    rcv_.held += len;
  } else if (!WritePayload(rcv_.buf, 0, seg.payload)) {
    // The chunk pool ran dry: the peer retransmits (our window shrank).
    Drop(DropReason::kTcpRecvBufferFull);
    owed_.ack = true;
    return;
  } else {
    rcv_.buf.Extend(len);
  }
  rcv_.nxt += len;
  hot_.bytes_in += len;
  if (!rcv_.reass.empty()) {
    // Filling (part of) a hole: ACK at once (RFC 5681 §4.2).
    const SeqNum n = rcv_.reass.PopContiguous(rcv_.nxt);
    const uint32_t more = static_cast<uint32_t>(n - rcv_.nxt);
    rcv_.buf.Extend(more);
    hot_.bytes_in += more;
    rcv_.nxt = n;
    owed_.ack = true;  // the range storage stays reserved until close
  }
  events_ |= TcpEvent::kReadable;
  // Delayed ACK (RFC 1122 §4.2.3.2, RFC 5681 §4.2): at least every second
  // full-sized segment, otherwise within the delayed-ACK timeout.
  rcv_.unacked += len;
  if (rcv_.unacked >= 2u * rcv_.mss) {
    owed_.ack = true;
  } else if (!owed_.ack) {
    rcv_.ArmDelayedAck(now, config_->delayed_ack_timeout);
  }
}

// Eighth step, for a FIN at RCV.NXT.
void Connection::ProcessFin(Instant now) {
  rcv_.nxt += 1;
  rcv_.fin_received = true;
  rcv_.fin_pending = false;
  owed_.ack = true;
  events_ |= TcpEvent::kReadable;
  rcv_.reass.Free();
  switch (state_) {
    case TcpState::kSynReceived:
    case TcpState::kEstablished:
      SetState(TcpState::kCloseWait, now);
      break;
    case TcpState::kFinWait1:
      // Our FIN acked by this very segment was handled in the fifth step.
      if (snd_.FinAcked()) {
        SetState(TcpState::kTimeWait, now);
      } else {
        SetState(TcpState::kClosing, now);  // simultaneous close
      }
      break;
    case TcpState::kFinWait2:
      SetState(TcpState::kTimeWait, now);
      break;
    case TcpState::kTimeWait:
      timewait_deadline_ = now + config_->time_wait;
      break;
    default:
      break;  // CLOSE-WAIT, CLOSING, LAST-ACK: remain
  }
}

}  // namespace skiff
