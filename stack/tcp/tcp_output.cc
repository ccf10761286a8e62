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
  if (owed_.rst) return Due::kRst;
  switch (state_) {
    case TcpState::kClosed:
    case TcpState::kListen:
      return Due::kNone;
    case TcpState::kSynSent:
      return snd_.nxt == snd_.iss ? Due::kSyn : Due::kNone;
    case TcpState::kSynReceived:
      // Once the SYN,ACK is out, an unacceptable segment is still answered
      // with an ACK (RFC 9293 §3.10.7.4 first step).
      if (snd_.nxt == snd_.iss) return Due::kSyn;
      return owed_.ack ? Due::kAck : Due::kNone;
    default:
      break;
  }
  if (owed_.retransmit_head) return Due::kRetransmitHead;
  if (owed_.sack_hole) return Due::kSackHole;
  // Nothing unsent (a receiver's usual case): no data plan to make.
  const SeqNum from = snd_.NextSendSeq();
  if ((from < snd_.DataEnd() || (snd_.fin_queued && from == snd_.fin_seq)) &&
      PlanData(from, DataMaxPayload()).send) {
    return Due::kData;
  }
  if (owed_.loss_probe) return Due::kLossProbe;
  if (owed_.probe) return Due::kProbe;
  if (owed_.ack || rcv_.delack_deadline <= now) return Due::kAck;
  if (owed_.dup_acks > 0) return Due::kDupAck;
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
      --owed_.dup_acks;
      return true;
  }
  return false;
}

TcpRepr Connection::MakeHeader(SeqNum seq, uint8_t flags, Instant now) const {
  TcpRepr h;
  h.src_port = tuple_.local_port;
  h.dst_port = tuple_.remote_port;
  h.seq = seq;
  h.flags = flags;
  if (flags & TcpFlag::kAck) h.ack = rcv_.nxt;
  h.window = WindowField((flags & TcpFlag::kSyn) != 0);
  if (ts_ok_) h.options.timestamp = TcpTimestamp{TsVal(now), rcv_.ts_recent};
  if (sack_ok_ && !rcv_.reass.empty() && !(flags & TcpFlag::kSyn)) {
    h.options.sack_count =
        rcv_.reass.FillSack(h.options.sack, TcpOptions::kMaxSackBlocks);
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
  if (sack_ok_ && !rcv_.reass.empty()) {
    h.options.sack_count = static_cast<uint8_t>(
        std::min<size_t>(rcv_.reass.size(), TcpOptions::kMaxSackBlocks));
  }
  return MaxPayload(h);
}

// Hands one segment to the sink and, if taken, books it: counters, the
// advertised window, the ACK obligations, SND.MAX, the RTO and RTT timing.
bool Connection::Transmit(SegmentSink& sink, TcpSegmentOut& out, Instant now) {
  if (!sink.Emit(out)) return false;
  const TcpRepr& h = out.header;
  const uint32_t len = static_cast<uint32_t>(out.payload_len());
  ++hot_.segs_out;
  hot_.bytes_out += len;
  if (h.has(TcpFlag::kAck)) {
    rcv_.OnAckSent(h);
    owed_.ack = false;
  }
  const uint32_t seg_len =
      len + (h.has(TcpFlag::kSyn) ? 1 : 0) + (h.has(TcpFlag::kFin) ? 1 : 0);
  if (seg_len == 0) return true;
  const SeqNum end = h.seq + seg_len;
  if (!h.has(TcpFlag::kSyn) && sack_ok_ && config_->rack) {
    RackLogSend(h.seq, end, now);
  }
  if (h.seq < snd_.max) {
    ++Trouble().retransmits;
    Trouble().bytes_retransmitted += len;
    // Karn (RFC 6298 §3): a resent segment cannot be timed.
    if (snd_.rtt_timing && h.seq < snd_.rtt_seq) snd_.rtt_timing = false;
  }
  if (end > snd_.max) {
    if (!snd_.rtt_timing && h.seq >= snd_.max) {
      snd_.rtt_timing = true;
      snd_.rtt_seq = end;
      snd_.rtt_start = now;
    }
    snd_.max = end;
  }
  // RFC 6298 §5.1: start the timer if it is not running.
  if (snd_.rto_deadline == Instant::Max()) ArmRto(now);
  return true;
}

// SYN (SYN-SENT) or SYN,ACK (SYN-RECEIVED), with our options: all we
// support on an active open, only what the peer offered on a passive one.
bool Connection::EmitSyn(SegmentSink& sink, Instant now) {
  if (snd_.nxt != snd_.iss) return true;
  const bool synack = state_ == TcpState::kSynReceived;
  TcpSegmentOut out{MakeHeader(
      snd_.iss, synack ? TcpFlag::kSyn | TcpFlag::kAck : TcpFlag::kSyn, now)};
  TcpOptions& o = out.header.options;
  o.mss = config_->mss;
  if (ws_ok_) o.window_scale = rcv_.scale;
  o.sack_permitted = sack_ok_;
  if (!Transmit(sink, out, now)) return false;
  snd_.nxt = snd_.iss + 1;
  return true;
}

// Fast retransmit / NewReno partial ACK: the first unacknowledged segment,
// cut short where SACKed data begins (RFC 2018 §5, RFC 6675 in spirit).
bool Connection::EmitRetransmitHead(SegmentSink& sink, Instant now) {
  const SeqNum start = snd_.BufStart();
  TcpSegmentOut out{MakeHeader(snd_.una, TcpFlag::kAck, now)};
  const SeqNum data_sent_end = SeqMin(snd_.max, snd_.DataEnd());
  uint32_t len = data_sent_end > snd_.una
                     ? static_cast<uint32_t>(data_sent_end - snd_.una)
                     : 0;
  len = std::min(len, MaxPayload(out.header));
  if (snd_.sacked.size() > 0 && snd_.sacked[0].left > snd_.una) {
    len = std::min(len, static_cast<uint32_t>(snd_.sacked[0].left - snd_.una));
  }
  const bool fin = snd_.fin_queued && snd_.max > snd_.fin_seq &&
                   snd_.una + len == snd_.fin_seq;
  if (len == 0 && !fin) {
    owed_.retransmit_head = false;
    return true;
  }
  if (fin) out.header.flags |= TcpFlag::kFin;
  snd_.buf.Peek(static_cast<uint32_t>(snd_.una - start), len, out.payload);
  if (!Transmit(sink, out, now)) return false;
  owed_.retransmit_head = false;
  snd_.rexmit_nxt = SeqMax(snd_.rexmit_nxt, snd_.una + len);
  snd_.rexmit_mark = snd_.max;
  return true;
}

// In recovery: the first hole at or after snd_.rexmit_nxt that is presumed
// lost because more than (DupThresh - 1) * SMSS bytes above it were SACKed
// (RFC 6675 §4 IsLost), resent up to the next SACKed block. Holes that are
// merely reordered wait.
bool Connection::EmitSackHole(SegmentSink& sink, Instant now) {
  if (RackOn()) return EmitRackLost(sink, now);
  owed_.sack_hole = false;
  if (snd_.sacked.size() == 0 || !cc().in_recovery()) return true;
  SeqNum s = SeqMax(snd_.rexmit_nxt, snd_.una);
  SeqNum hole_end = snd_.sacked[snd_.sacked.size() - 1].right;
  for (uint8_t i = 0; i < snd_.sacked.size(); ++i) {  // sorted by left edge
    if (snd_.sacked[i].left <= s && s < snd_.sacked[i].right)
      s = snd_.sacked[i].right;
  }
  for (uint8_t i = 0; i < snd_.sacked.size(); ++i) {
    if (snd_.sacked[i].left > s)
      hole_end = SeqMin(hole_end, snd_.sacked[i].left);
  }
  hole_end = SeqMin(hole_end, snd_.DataEnd());
  if (!(s < hole_end)) return true;
  uint32_t sacked_above = 0;
  for (uint8_t i = 0; i < snd_.sacked.size(); ++i) {
    if (snd_.sacked[i].left >= hole_end) {
      sacked_above +=
          static_cast<uint32_t>(snd_.sacked[i].right - snd_.sacked[i].left);
    }
  }
  if (sacked_above <= 2 * effective_mss()) return true;
  TcpSegmentOut out{MakeHeader(s, TcpFlag::kAck, now)};
  const uint32_t len =
      std::min(static_cast<uint32_t>(hole_end - s), MaxPayload(out.header));
  snd_.buf.Peek(static_cast<uint32_t>(s - snd_.BufStart()), len, out.payload);
  if (!Transmit(sink, out, now)) {
    owed_.sack_hole = true;
    return false;
  }
  ++Trouble().sack_retransmits;
  cc().OnRecoveryRetransmit(len);
  snd_.rexmit_nxt = s + len;
  snd_.rexmit_mark = snd_.max;
  return true;
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
  const SeqNum end = snd_.DataEnd();
  const uint32_t unsent = end > from ? static_cast<uint32_t>(end - from) : 0;
  uint32_t cwnd = cc().cwnd();
  // RFC 3042 limited transmit: each of the first two duplicate ACKs lets
  // one more segment out, so a small window still brings the three
  // duplicates fast retransmit needs instead of an RTO.
  if (snd_.dupacks > 0 && !cc().in_recovery()) {
    cwnd += std::min<uint32_t>(snd_.dupacks, 2) * effective_mss();
  }
  const SeqNum edge = snd_.una + std::min(snd_.wnd, cwnd);
  uint32_t usable = edge > from ? static_cast<uint32_t>(edge - from) : 0;
  if (cc().in_recovery() && sack_ok_ && from >= snd_.max) {
    // RFC 6675 §5 step (C): in recovery, new data may go while the data
    // in the network (pipe) is below cwnd = ssthresh. Pipe is taken as
    // FlightSize less SACKed bytes (holes count as in flight: a little
    // conservative). Data sent now also reveals a lost retransmission
    // (DetectLostRetransmit) before the RTO would.
    const uint32_t pipe =
        snd_.FlightSize() - std::min(snd_.FlightSize(), snd_.sacked.Bytes());
    const SeqNum wnd_edge = snd_.una + snd_.wnd;
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
  plan.fin = snd_.fin_queued && from + plan.len == snd_.fin_seq;
  if (plan.len == 0 && !plan.fin) return plan;
  const bool retransmission = from < snd_.max;
  if (plan.len > 0 && plan.len < max_payload && !retransmission &&
      !owed_.force_send) {
    // RFC 1122 §4.2.3.4: a short segment only if everything queued goes
    // (or a good share of the peer's largest window), and by Nagle only
    // when nothing is in flight unless no_delay.
    const bool idle = snd_.una == snd_.max;
    const bool all = plan.len == unsent;
    const bool big = snd_.max_wnd > 0 && plan.len >= snd_.max_wnd / 2;
    if (!((idle || no_delay_) && (all || big))) return plan;
  }
  plan.send = true;
  return plan;
}

// One data (and/or FIN) segment, if one is due. Returns true if it went out.
bool Connection::EmitData(SegmentSink& sink, Instant now) {
  const SeqNum from = snd_.NextSendSeq();
  const DataPlan plan = PlanData(from, DataMaxPayload());
  if (!plan.send) return false;
  TcpSegmentOut out{MakeHeader(from, TcpFlag::kAck, now)};
  snd_.nxt = from;
  if (plan.fin) out.header.flags |= TcpFlag::kFin;
  if (plan.len > 0 && from + plan.len == snd_.DataEnd()) {
    out.header.flags |= TcpFlag::kPsh;
  }
  snd_.buf.Peek(static_cast<uint32_t>(from - snd_.BufStart()), plan.len,
                out.payload);
  if (!Transmit(sink, out, now)) return false;
  snd_.nxt += plan.len + (plan.fin ? 1 : 0);
  owed_.force_send = false;
  // RFC 8985 §7.2: (re)start the probe timer after new data (which also
  // does a due probe's job of drawing an ACK).
  if (snd_.nxt == snd_.max) {
    owed_.loss_probe = false;
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
  owed_.loss_probe = false;
  if (snd_.una == snd_.max || snd_.nxt != snd_.max || cc().in_recovery()) {
    return true;
  }
  const SeqNum start = snd_.BufStart();
  const SeqNum data_end = snd_.DataEnd();
  TcpSegmentOut out{MakeHeader(snd_.max, TcpFlag::kAck, now)};
  const uint32_t mss = MaxPayload(out.header);
  SeqNum from;
  uint32_t len;
  bool fin;
  if (data_end > snd_.max && snd_.una + snd_.wnd > snd_.max) {
    from = snd_.max;  // new data
    len =
        std::min({static_cast<uint32_t>(data_end - snd_.max),
                  static_cast<uint32_t>(snd_.una + snd_.wnd - snd_.max), mss});
    fin = snd_.fin_queued && from + len == snd_.fin_seq;
    if (from + len == data_end) out.header.flags |= TcpFlag::kPsh;
  } else {
    const SeqNum sent_end = SeqMin(snd_.max, data_end);
    fin = snd_.fin_queued && snd_.max > snd_.fin_seq;
    from = SeqMax(SeqMax(snd_.una, start),
                  sent_end - std::min<uint32_t>(mss, sent_end - start));
    len = sent_end > from ? static_cast<uint32_t>(sent_end - from) : 0;
    if (len == 0 && !fin) return true;
  }
  out.header.seq = from;
  if (fin) out.header.flags |= TcpFlag::kFin;
  snd_.buf.Peek(static_cast<uint32_t>(from - start), len, out.payload);
  if (!Transmit(sink, out, now)) {
    owed_.loss_probe = true;
    return false;
  }
  snd_.nxt = snd_.max;
  ++Trouble().loss_probes;
  snd_.tlp_sent = true;
  ArmRto(now);  // §7.3: the RTO, not another probe, guards the probe
  return true;
}

// Zero-window or keepalive probe: an old sequence number (SND.UNA - 1) and
// no data, which any live peer answers with an ACK carrying its window
// (Linux's form of the RFC 9293 §3.8.6.1 / RFC 1122 §4.2.3.6 probe).
bool Connection::EmitProbe(SegmentSink& sink, Instant now) {
  TcpSegmentOut out{MakeHeader(snd_.una - 1, TcpFlag::kAck, now)};
  if (!Transmit(sink, out, now)) return false;
  owed_.probe = false;
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
  SeqNum seq = snd_.max;
  if (Synchronized() && snd_.una + snd_.wnd < seq) seq = snd_.una + snd_.wnd;
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
        TsVal(now), out.header.has(TcpFlag::kAck) ? rcv_.ts_recent : 0};
  }
  if (!sink.Emit(out)) return false;
  ++hot_.segs_out;
  owed_.rst = false;
  return true;
}

}  // namespace skiff
