// What a connection has due, and the segments that carry it: SYN/SYN-ACK,
// retransmissions, data within min(SND.WND, cwnd) with Nagle and sender SWS
// avoidance, FIN, probes, ACKs (delayed or not), RST.
#include <algorithm>

#include "stack/tcp/connection.h"

namespace skiff {

namespace {

enum class Tx { kSent, kIdle, kBlocked };

}  // namespace

void Connection::PollTransmit(Instant now, SegmentSink& sink) {
  // Each EmitDue either takes away the reason it was due (a flag cleared,
  // SND.NXT moved, an ACK owed sent) or fails because the sink refused.
  for (Due d = NextDue(now); d != Due::kNone; d = NextDue(now)) {
    if (!EmitDue(d, sink, now)) return;
  }
}

Instant Connection::PollAt(Instant now) {
  ArmFinWait2(now);
  UpdatePersist(now);
  return NextDue(now) != Due::kNone ? now : NextDeadline();
}

Connection::Due Connection::NextDue(Instant now) const {
  if (rst_pending_) return Due::kRst;
  switch (state_) {
    case TcpState::kClosed:
    case TcpState::kListen:
      return Due::kNone;
    case TcpState::kSynSent:
      return snd_nxt_ == iss_ ? Due::kSyn : Due::kNone;
    case TcpState::kSynReceived:
      // Once the SYN,ACK is out, an unacceptable segment is still answered
      // with an ACK (RFC 9293 §3.10.7.4 first step).
      if (snd_nxt_ == iss_) return Due::kSyn;
      return ack_now_ ? Due::kAck : Due::kNone;
    default:
      break;
  }
  if (retransmit_head_) return Due::kRetransmitHead;
  if (retransmit_hole_) return Due::kSackHole;
  // Nothing unsent (a receiver's usual case): no data plan to make.
  const SeqNum from = NextSendSeq();
  if ((from < SndDataEnd() || (fin_queued_ && from == fin_seq_)) &&
      PlanData(from, DataMaxPayload()).send) {
    return Due::kData;
  }
  if (tlp_due_) return Due::kLossProbe;
  if (probe_due_) return Due::kProbe;
  if (ack_now_ || delack_deadline_ <= now) return Due::kAck;
  if (dup_acks_owed_ > 0) return Due::kDupAck;
  return Due::kNone;
}

bool Connection::EmitDue(Due d, SegmentSink& sink, Instant now) {
  switch (d) {
    case Due::kNone:
      return false;
    case Due::kRst:
      return EmitPendingRst(sink, now);
    case Due::kSyn:
      return EmitSyn(sink, now);
    case Due::kRetransmitHead:
      return EmitRetransmitHead(sink, now);
    case Due::kSackHole:
      return EmitSackHole(sink, now);
    case Due::kData:
      return EmitData(sink, now);
    case Due::kLossProbe:
      return EmitLossProbe(sink, now);
    case Due::kProbe:
      return EmitProbe(sink, now);
    case Due::kAck:
      return EmitAck(sink, now);
    case Due::kDupAck:
      if (!EmitAck(sink, now)) return false;
      --dup_acks_owed_;
      return true;
  }
  return false;
}

// RCV.WND as the window field. Receiver SWS avoidance (RFC 1122 §4.2.3.3):
// the right edge moves only by min(buffer / 2, MSS) or more. The window is
// never shrunk below what was advertised (RFC 9293 §3.8.6.2.2). A SYN's
// window is not scaled (RFC 7323 §2.2).
uint16_t Connection::WindowField(bool syn) const {
  const uint32_t space = RcvSpace();
  const uint32_t cur =
      rcv_adv_ > rcv_nxt_ ? static_cast<uint32_t>(rcv_adv_ - rcv_nxt_) : 0;
  const uint32_t threshold = std::min(rcv_buf_.capacity() / 2, effective_mss());
  uint32_t w = space;
  if (space >= cur && space - cur < threshold) w = cur;
  if (syn) return static_cast<uint16_t>(std::min<uint32_t>(w, 0xffff));
  return static_cast<uint16_t>(std::min<uint32_t>(w >> rcv_scale_, 0xffff));
}

TcpRepr Connection::MakeHeader(SeqNum seq, uint8_t flags, Instant now) const {
  TcpRepr h;
  h.src_port = tuple_.local_port;
  h.dst_port = tuple_.remote_port;
  h.seq = seq;
  h.flags = flags;
  if (flags & TcpFlag::kAck) h.ack = rcv_nxt_;
  h.window = WindowField((flags & TcpFlag::kSyn) != 0);
  if (ts_ok_) h.options.timestamp = TcpTimestamp{TsVal(now), ts_recent_};
  if (sack_ok_ && !reass_.empty() && !(flags & TcpFlag::kSyn)) {
    h.options.sack_count =
        reass_.FillSack(h.options.sack, TcpOptions::kMaxSackBlocks);
  }
  return h;
}

// Payload that fits beside this header's options in one MSS.
uint32_t Connection::MaxPayload(const TcpRepr& h) const {
  const uint32_t m = SendMssLimit();
  const uint32_t opts = static_cast<uint32_t>(h.options.EmittedLen());
  return m > opts + 64 ? m - opts : 64;
}

// MaxPayload() of the header MakeHeader() would build for a data segment,
// without building it (the window, the SACK blocks): the data path asks
// this on every ACK, and usually nothing is due.
uint32_t Connection::DataMaxPayload() const {
  TcpRepr h;
  if (ts_ok_) h.options.timestamp = TcpTimestamp{0, 0};
  if (sack_ok_ && !reass_.empty()) {
    h.options.sack_count = static_cast<uint8_t>(
        std::min<size_t>(reass_.size(), TcpOptions::kMaxSackBlocks));
  }
  return MaxPayload(h);
}

// Hands one segment to the sink and, if taken, books it: counters, the
// advertised window, the ACK obligations, SND.MAX, the RTO and RTT timing.
bool Connection::Transmit(SegmentSink& sink, TcpSegmentOut& out, Instant now) {
  if (!sink.Emit(out)) return false;
  const TcpRepr& h = out.header;
  const uint32_t len = static_cast<uint32_t>(out.payload_len());
  ++stats_.segs_out;
  stats_.bytes_out += len;
  if (h.has(TcpFlag::kAck)) {
    const uint32_t wnd = h.has(TcpFlag::kSyn)
                             ? uint32_t{h.window}
                             : uint32_t{h.window} << rcv_scale_;
    if (rcv_nxt_ + wnd > rcv_adv_) rcv_adv_ = rcv_nxt_ + wnd;
    last_ack_sent_ = rcv_nxt_;
    ack_now_ = false;
    delack_deadline_ = Instant::Max();
    rcv_unacked_ = 0;
  }
  const uint32_t seg_len =
      len + (h.has(TcpFlag::kSyn) ? 1 : 0) + (h.has(TcpFlag::kFin) ? 1 : 0);
  if (seg_len == 0) return true;
  const SeqNum end = h.seq + seg_len;
  if (!h.has(TcpFlag::kSyn) && sack_ok_ && config_->rack) {
    RackLogSend(h.seq, end, now);
  }
  if (h.seq < snd_max_) {
    ++stats_.retransmits;
    stats_.bytes_retransmitted += len;
    // Karn (RFC 6298 §3): a resent segment cannot be timed.
    if (rtt_timing_ && h.seq < rtt_seq_) rtt_timing_ = false;
  }
  if (end > snd_max_) {
    if (!rtt_timing_ && h.seq >= snd_max_) {
      rtt_timing_ = true;
      rtt_seq_ = end;
      rtt_start_ = now;
    }
    snd_max_ = end;
  }
  // RFC 6298 §5.1: start the timer if it is not running.
  if (rto_deadline_ == Instant::Max()) ArmRto(now);
  return true;
}

// SYN (SYN-SENT) or SYN,ACK (SYN-RECEIVED), with our options: all we
// support on an active open, only what the peer offered on a passive one.
bool Connection::EmitSyn(SegmentSink& sink, Instant now) {
  if (snd_nxt_ != iss_) return true;
  const bool synack = state_ == TcpState::kSynReceived;
  TcpSegmentOut out{MakeHeader(
      iss_, synack ? TcpFlag::kSyn | TcpFlag::kAck : TcpFlag::kSyn, now)};
  TcpOptions& o = out.header.options;
  o.mss = config_->mss;
  if (ws_ok_) o.window_scale = rcv_scale_;
  o.sack_permitted = sack_ok_;
  if (!Transmit(sink, out, now)) return false;
  snd_nxt_ = iss_ + 1;
  return true;
}

// Fast retransmit / NewReno partial ACK: the first unacknowledged segment,
// cut short where SACKed data begins (RFC 2018 §5, RFC 6675 in spirit).
bool Connection::EmitRetransmitHead(SegmentSink& sink, Instant now) {
  const SeqNum start = SndBufStart();
  TcpSegmentOut out{MakeHeader(snd_una_, TcpFlag::kAck, now)};
  const SeqNum data_sent_end = SeqMin(snd_max_, SndDataEnd());
  uint32_t len = data_sent_end > snd_una_
                     ? static_cast<uint32_t>(data_sent_end - snd_una_)
                     : 0;
  len = std::min(len, MaxPayload(out.header));
  if (sacked_count_ > 0 && sacked_[0].left > snd_una_) {
    len = std::min(len, static_cast<uint32_t>(sacked_[0].left - snd_una_));
  }
  const bool fin =
      fin_queued_ && snd_max_ > fin_seq_ && snd_una_ + len == fin_seq_;
  if (len == 0 && !fin) {
    retransmit_head_ = false;
    return true;
  }
  if (fin) out.header.flags |= TcpFlag::kFin;
  snd_buf_.Peek(static_cast<uint32_t>(snd_una_ - start), len, out.payload);
  if (!Transmit(sink, out, now)) return false;
  retransmit_head_ = false;
  rexmit_nxt_ = SeqMax(rexmit_nxt_, snd_una_ + len);
  rexmit_mark_ = snd_max_;
  return true;
}

// In recovery: the first hole at or after rexmit_nxt_ that is presumed
// lost because more than (DupThresh - 1) * SMSS bytes above it were SACKed
// (RFC 6675 §4 IsLost), resent up to the next SACKed block. Holes that are
// merely reordered wait.
bool Connection::EmitSackHole(SegmentSink& sink, Instant now) {
  if (RackOn()) return EmitRackLost(sink, now);
  retransmit_hole_ = false;
  if (sacked_count_ == 0 || !cc().in_recovery()) return true;
  SeqNum s = SeqMax(rexmit_nxt_, snd_una_);
  SeqNum hole_end = sacked_[sacked_count_ - 1].right;
  for (uint8_t i = 0; i < sacked_count_; ++i) {  // sorted by left edge
    if (sacked_[i].left <= s && s < sacked_[i].right) s = sacked_[i].right;
  }
  for (uint8_t i = 0; i < sacked_count_; ++i) {
    if (sacked_[i].left > s) hole_end = SeqMin(hole_end, sacked_[i].left);
  }
  hole_end = SeqMin(hole_end, SndDataEnd());
  if (!(s < hole_end)) return true;
  uint32_t sacked_above = 0;
  for (uint8_t i = 0; i < sacked_count_; ++i) {
    if (sacked_[i].left >= hole_end) {
      sacked_above += static_cast<uint32_t>(sacked_[i].right - sacked_[i].left);
    }
  }
  if (sacked_above <= 2 * effective_mss()) return true;
  TcpSegmentOut out{MakeHeader(s, TcpFlag::kAck, now)};
  const uint32_t len =
      std::min(static_cast<uint32_t>(hole_end - s), MaxPayload(out.header));
  snd_buf_.Peek(static_cast<uint32_t>(s - SndBufStart()), len, out.payload);
  if (!Transmit(sink, out, now)) {
    retransmit_hole_ = true;
    return false;
  }
  ++stats_.sack_retransmits;
  cc().OnRecoveryRetransmit(len);
  rexmit_nxt_ = s + len;
  rexmit_mark_ = snd_max_;
  return true;
}

// Where the next data segment starts: SND.NXT, moved past data the peer
// SACKed when resending after a loss.
SeqNum Connection::NextSendSeq() const {
  SeqNum from = SeqMax(snd_nxt_, SndBufStart());
  for (uint8_t i = 0; i < sacked_count_; ++i) {  // sorted by left edge
    if (from < snd_max_ && sacked_[i].left <= from && from < sacked_[i].right) {
      from = SeqMin(sacked_[i].right, snd_max_);
    }
  }
  return from;
}

// The data (and/or FIN) segment due from `from`, if windows, Nagle and SWS
// avoidance allow one now. Const: NextDue() asks it, EmitData() acts on it.
Connection::DataPlan Connection::PlanData(SeqNum from,
                                          uint32_t max_payload) const {
  switch (state_) {
    case TcpState::kEstablished:
    case TcpState::kCloseWait:
    case TcpState::kFinWait1:
    case TcpState::kClosing:
    case TcpState::kLastAck:
      break;
    default:
      return {};
  }
  const SeqNum end = SndDataEnd();
  const uint32_t unsent = end > from ? static_cast<uint32_t>(end - from) : 0;
  uint32_t cwnd = cc().cwnd();
  // RFC 3042 limited transmit: each of the first two duplicate ACKs lets
  // one more segment out, so a small window still brings the three
  // duplicates fast retransmit needs instead of an RTO.
  if (dupacks_ > 0 && !cc().in_recovery()) {
    cwnd += std::min<uint32_t>(dupacks_, 2) * effective_mss();
  }
  const SeqNum edge = snd_una_ + std::min(snd_wnd_, cwnd);
  uint32_t usable = edge > from ? static_cast<uint32_t>(edge - from) : 0;
  if (cc().in_recovery() && sack_ok_ && from >= snd_max_) {
    // RFC 6675 §5 step (C): in recovery, new data may go while the data
    // in the network (pipe) is below cwnd = ssthresh. Pipe is taken as
    // FlightSize less SACKed bytes (holes count as in flight: a little
    // conservative). Data sent now also reveals a lost retransmission
    // (DetectLostRetransmit) before the RTO would.
    const uint32_t pipe = FlightSize() - std::min(FlightSize(), SackedBytes());
    const SeqNum wnd_edge = snd_una_ + snd_wnd_;
    const uint32_t room =
        wnd_edge > from ? static_cast<uint32_t>(wnd_edge - from) : 0;
    if (cc().ssthresh() > pipe) {
      usable = std::max(usable, std::min(room, cc().ssthresh() - pipe));
    }
  }
  DataPlan plan;
  plan.len = std::min({unsent, usable, max_payload});
  // A bare FIN is sent regardless of the window (as Linux does; a receiver
  // accepts a FIN at RCV.NXT even with a zero window).
  plan.fin = fin_queued_ && from + plan.len == fin_seq_;
  if (plan.len == 0 && !plan.fin) return plan;
  const bool retransmission = from < snd_max_;
  if (plan.len > 0 && plan.len < max_payload && !retransmission &&
      !force_send_) {
    // RFC 1122 §4.2.3.4: a short segment only if everything queued goes
    // (or a good share of the peer's largest window), and by Nagle only
    // when nothing is in flight unless no_delay.
    const bool idle = snd_una_ == snd_max_;
    const bool all = plan.len == unsent;
    const bool big = max_snd_wnd_ > 0 && plan.len >= max_snd_wnd_ / 2;
    if (!((idle || no_delay_) && (all || big))) return plan;
  }
  plan.send = true;
  return plan;
}

// One data (and/or FIN) segment, if one is due. Returns true if it went out.
bool Connection::EmitData(SegmentSink& sink, Instant now) {
  const SeqNum from = NextSendSeq();
  const DataPlan plan = PlanData(from, DataMaxPayload());
  if (!plan.send) return false;
  TcpSegmentOut out{MakeHeader(from, TcpFlag::kAck, now)};
  snd_nxt_ = from;
  if (plan.fin) out.header.flags |= TcpFlag::kFin;
  if (plan.len > 0 && from + plan.len == SndDataEnd()) {
    out.header.flags |= TcpFlag::kPsh;
  }
  snd_buf_.Peek(static_cast<uint32_t>(from - SndBufStart()), plan.len,
                out.payload);
  if (!Transmit(sink, out, now)) return false;
  snd_nxt_ += plan.len + (plan.fin ? 1 : 0);
  force_send_ = false;
  // RFC 8985 §7.2: (re)start the probe timer after new data (which also
  // does a due probe's job of drawing an ACK).
  if (snd_nxt_ == snd_max_) {
    tlp_due_ = false;
    ArmTlp(now);
  }
  return true;
}

// RFC 8985 §7.3 tail loss probe: "If a previously unsent segment exists
// AND the receive window allows, send one new segment" (cwnd aside), with
// the FIN if it is queued right behind; else the last segment sent again,
// so that a lost tail is answered by a SACK (and fast recovery) instead of
// the RTO.
bool Connection::EmitLossProbe(SegmentSink& sink, Instant now) {
  tlp_due_ = false;
  if (snd_una_ == snd_max_ || snd_nxt_ != snd_max_ || cc().in_recovery()) {
    return true;
  }
  const SeqNum start = SndBufStart();
  const SeqNum data_end = SndDataEnd();
  TcpSegmentOut out{MakeHeader(snd_max_, TcpFlag::kAck, now)};
  const uint32_t mss = MaxPayload(out.header);
  SeqNum from;
  uint32_t len;
  bool fin;
  if (data_end > snd_max_ && snd_una_ + snd_wnd_ > snd_max_) {
    from = snd_max_;  // new data
    len =
        std::min({static_cast<uint32_t>(data_end - snd_max_),
                  static_cast<uint32_t>(snd_una_ + snd_wnd_ - snd_max_), mss});
    fin = fin_queued_ && from + len == fin_seq_;
    if (from + len == data_end) out.header.flags |= TcpFlag::kPsh;
  } else {
    const SeqNum sent_end = SeqMin(snd_max_, data_end);
    fin = fin_queued_ && snd_max_ > fin_seq_;
    from = SeqMax(SeqMax(snd_una_, start),
                  sent_end - std::min<uint32_t>(mss, sent_end - start));
    len = sent_end > from ? static_cast<uint32_t>(sent_end - from) : 0;
    if (len == 0 && !fin) return true;
  }
  out.header.seq = from;
  if (fin) out.header.flags |= TcpFlag::kFin;
  snd_buf_.Peek(static_cast<uint32_t>(from - start), len, out.payload);
  if (!Transmit(sink, out, now)) {
    tlp_due_ = true;
    return false;
  }
  snd_nxt_ = snd_max_;
  ++stats_.loss_probes;
  tlp_sent_ = true;
  ArmRto(now);  // §7.3: the RTO, not another probe, guards the probe
  return true;
}

// Zero-window or keepalive probe: an old sequence number (SND.UNA - 1) and
// no data, which any live peer answers with an ACK carrying its window
// (Linux's form of the RFC 9293 §3.8.6.1 / RFC 1122 §4.2.3.6 probe).
bool Connection::EmitProbe(SegmentSink& sink, Instant now) {
  TcpSegmentOut out{MakeHeader(snd_una_ - 1, TcpFlag::kAck, now)};
  if (!Transmit(sink, out, now)) return false;
  probe_due_ = false;
  return true;
}

// A pure ACK <SEQ=SND.MAX><ACK=RCV.NXT><CTL=ACK>. RFC 9293 says SND.NXT,
// but after a timeout our SND.NXT goes back to SND.UNA (go-back-N) while
// the peer may already hold data up to SND.MAX: an ACK stamped SND.NXT
// would be below its RCV.NXT, dropped unread, and with both sides in
// recovery neither SND.UNA would ever move. SND.MAX is Linux's choice
// (tcp_acceptable_seq: its snd_nxt never goes back).
// A pure ACK at SND.MAX, unless the peer's window closed below it (it
// dropped what it had no room for): a zero window accepts a segment only at
// RCV.NXT (RFC 9293 §3.10.7.4) and ignores the ACK field of any other, so
// the peer would never learn its data arrived. Then at the window's right
// edge, as Linux does (tcp_acceptable_seq).
bool Connection::EmitAck(SegmentSink& sink, Instant now) {
  SeqNum seq = snd_max_;
  if (Synchronized() && snd_una_ + snd_wnd_ < seq) seq = snd_una_ + snd_wnd_;
  TcpSegmentOut out{MakeHeader(seq, TcpFlag::kAck, now)};
  return Transmit(sink, out, now);
}

// RFC 7323 §3.2: once negotiated, TSopt "SHOULD be sent in an <RST>
// segment", and "If the ACK bit is not set in the outgoing TCP header, the
// sender of that segment SHOULD set the TSecr field to zero."
bool Connection::EmitPendingRst(SegmentSink& sink, Instant now) {
  TcpSegmentOut out{};
  out.header.src_port = tuple_.local_port;
  out.header.dst_port = tuple_.remote_port;
  out.header.seq = rst_.seq;
  out.header.ack = rst_.ack;
  out.header.flags = rst_.flags;
  if (rst_.ts) {
    out.header.options.timestamp = TcpTimestamp{
        TsVal(now), out.header.has(TcpFlag::kAck) ? ts_recent_ : 0};
  }
  if (!sink.Emit(out)) return false;
  ++stats_.segs_out;
  rst_pending_ = false;
  return true;
}

}  // namespace skiff
