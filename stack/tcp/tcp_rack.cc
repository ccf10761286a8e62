// RACK loss detection (RFC 8985 §6) on a Connection: the transmit log,
// the per-ACK steps, the reordering timer and the retransmission of what
// RACK marked lost. The algorithm's own state and steps are in rack.h.
#include <algorithm>

#include "stack/tcp/connection.h"

namespace skiff {

namespace {

// RFC 6675 §2 DupThresh, for RACK's "DupThresh segments SACKed" (§6.2).
constexpr uint32_t kDupThresh = 3;

}  // namespace

// Every segment that occupies sequence space (not SYNs) is logged. A
// flight starts from nothing outstanding, so the records always cover
// [SND.UNA, SND.MAX); a flight that began without storage (pool empty)
// goes without RACK.
void Connection::RackLogSend(SeqNum seq, SeqNum end, Instant now) {
  if (!snd_.log.active() || (snd_.una == snd_.max && snd_.log.size() == 0)) {
    if (snd_.una != snd_.max || seq != snd_.max) return;
    if (!snd_.log.Start(snd_.buf.pool())) return;
    // Everything before this flight was delivered, so no record of it can
    // be "sent before" the last delivery; forgetting RACK.xmit_ts here also
    // keeps a stamp from an idle hour ago (the µs clock wraps) from being
    // read as later than the new ones.
    snd_.rack.valid = false;
  }
  snd_.log.OnSend(seq, end, NowUs(now));
}

// §6.2 steps 2 and 3 for one newly delivered segment.
void Connection::RackDeliver(const SentRecord& r, const TcpSegmentIn& seg,
                             Instant now) {
  const uint32_t now_us = snd_.log.Now(NowUs(now));
  bool ack_older = false;
  const TcpOptions& o = seg.header.options;
  if (r.has(SentRecord::kRetransmitted) && ts_ok_ && o.timestamp) {
    // TSecr older than this transmission's TSval: the ACK answers an
    // earlier one (§6.2 step 2, RFC 7323 §4).
    const Instant sent = now - Duration::Micros(now_us - r.xmit_us);
    ack_older = SeqNum(o.timestamp->tsecr) < SeqNum(TsVal(sent));
  }
  snd_.rack.Update(r, now_us, ack_older);
  snd_.rack.DetectReordering(r);
}

// §6.2 on an ACK: the segments it delivers (cumulatively or by SACK),
// DSACK, then loss detection and the timer.
void Connection::RackOnAck(const TcpSegmentIn& seg, Instant now) {
  const TcpOptions& o = seg.header.options;
  snd_.log.PopAcked(snd_.una, [&](const SentRecord& r) {
    if (!r.has(SentRecord::kSacked)) RackDeliver(r, seg, now);
  });
  if (snd_.rack.dsack_round_set && snd_.una >= snd_.rack.dsack_round) {
    snd_.rack.dsack_round_set = false;
  }
  for (uint8_t i = 0; i < o.sack_count; ++i) {
    const SackBlock& b = o.sack[i];
    // RFC 2883 §4: a first block below the ACK, or inside the second, is
    // a DSACK: data that arrived twice.
    if (i == 0 && (b.right <= seg.header.ack ||
                   (o.sack_count > 1 && o.sack[1].left <= b.left &&
                    b.right <= o.sack[1].right))) {
      snd_.rack.OnDsack(snd_.una, snd_.nxt);
      if (b.right <= seg.header.ack) continue;
    }
    if (!(b.left < b.right) || b.right <= snd_.una || b.right > snd_.max) {
      continue;
    }
    snd_.log.MarkSacked(snd_.una, SeqMax(b.left, snd_.una), b.right,
                        [&](const SentRecord& r) { RackDeliver(r, seg, now); });
  }
  RackAfterDetect(RackDetectLoss(now), now);
}

// §6.2 step 5 (RACK_detect_loss) and the timer of
// RACK_detect_loss_and_arm_timer: a segment sent before the most recently
// delivered one is lost once RACK.rtt + RACK.reo_wnd has passed since it
// was sent; for the others the timer waits for the latest of those times.
uint32_t Connection::RackDetectLoss(Instant now) {
  snd_.rack_deadline = Instant::Max();
  if (!snd_.rack.valid || snd_.log.size() == 0) return 0;
  const uint32_t now_us = snd_.log.Now(NowUs(now));
  const uint32_t srtt_us = static_cast<uint32_t>(
      std::min<int64_t>(snd_.rtt.srtt().nanos() / 1000, UINT32_MAX));
  // RFC 6675 IsLost's form of "DupThresh segments SACKed".
  const bool dupthresh =
      snd_.sacked.Above(snd_.una) > (kDupThresh - 1) * effective_mss();
  const uint32_t reo = snd_.rack.ReoWnd(
      cc().in_recovery(), dupthresh, srtt_us,
      static_cast<uint32_t>(config_->rack_reo_wnd_min.nanos() / 1000));
  int64_t timeout = 0;
  uint32_t newly = 0;
  bool lost_rexmit = false;
  for (uint32_t i = 0; i < snd_.log.size(); ++i) {
    const SentRecord& r = snd_.log.at(i);
    if (r.has(SentRecord::kSacked) || r.has(SentRecord::kLost)) continue;
    if (!RackState::SentAfter(snd_.rack.xmit_us, snd_.rack.end_seq, r.xmit_us,
                              r.end)) {
      continue;
    }
    const int64_t remaining =
        int64_t{static_cast<int32_t>(r.xmit_us - now_us)} + snd_.rack.rtt_us +
        reo;
    if (remaining <= 0) {
      lost_rexmit |= r.has(SentRecord::kRetransmitted);
      snd_.log.MarkLost(i);
      ++newly;
    } else {
      timeout = std::max(timeout, remaining);
    }
  }
  // Counted per detection, as the SACK heuristic before RACK counted.
  if (lost_rexmit) ++Trouble().lost_retransmits;
  if (timeout > 0) snd_.rack_deadline = now + Duration::Micros(timeout);
  return newly;
}

// A new loss starts fast recovery (RFC 8985 §3.4: RACK, not the third
// duplicate ACK, decides when); what is marked lost goes out one segment
// per ACK (or timer), as the holes of RFC 6675 did.
void Connection::RackAfterDetect(uint32_t newly_lost, Instant now) {
  if (snd_.log.lost() == 0) return;
  if (newly_lost > 0 && !cc().in_recovery() &&
      cc().OnLossDetected(snd_.una, snd_.max, snd_.FlightSize(), snd_.dupacks,
                          now)) {
    ++Trouble().fast_retransmits;
    snd_.tlp_deadline = Instant::Max();
  }
  owed_.sack_hole = true;
}

// §6.3: the reordering timer ran out; losses are detected again at now.
void Connection::OnRackTimeout(Instant now) {
  snd_.rack_deadline = Instant::Max();
  if (!RackOn()) return;
  ++Trouble().rack_timeouts;
  RackAfterDetect(RackDetectLoss(now), now);
}

// The first segment RACK marked lost, sent again up to one MSS (what of
// its record does not fit stays marked). Transmit() books it in the log
// as retransmitted now, which clears the mark.
bool Connection::EmitRackLost(SegmentSink& sink, Instant now) {
  owed_.sack_hole = false;
  if (snd_.log.lost() == 0) return true;
  uint32_t i = 0;
  while (i < snd_.log.size() && !snd_.log.at(i).has(SentRecord::kLost)) ++i;
  if (i == snd_.log.size()) return true;
  const SeqNum s = snd_.log.Start(i, snd_.una);
  // Up to the record's end, or where SACKed data begins within it.
  SeqNum e = snd_.log.at(i).end;
  for (uint8_t k = 0; k < snd_.sacked.size(); ++k) {
    if (snd_.sacked[k].left > s) e = SeqMin(e, snd_.sacked[k].left);
  }
  TcpSegmentOut out{MakeHeader(s, TcpFlag::kAck, now)};
  const SeqNum data_end = SeqMin(e, snd_.DataEnd());
  const uint32_t len = data_end > s
                           ? std::min(static_cast<uint32_t>(data_end - s),
                                      MaxPayload(out.header))
                           : 0;
  const bool fin =
      snd_.fin_queued && e > snd_.fin_seq && s + len == snd_.fin_seq;
  if (len == 0 && !fin) {
    snd_.log.ClearLost(i);  // nothing left to send there
    return true;
  }
  if (fin) out.header.flags |= TcpFlag::kFin;
  const SeqNum sent_end = s + len + (fin ? 1 : 0);
  if (sent_end < e) snd_.log.Split(i, sent_end);  // the rest stays marked
  snd_.buf.Peek(static_cast<uint32_t>(s - snd_.BufStart()), len, out.payload);
  if (!Transmit(sink, out, now)) {
    owed_.sack_hole = true;
    return false;
  }
  // The head is fast retransmit's segment; a hole above it is one the
  // SACKs revealed.
  if (s != snd_.una) ++Trouble().sack_retransmits;
  cc().OnRecoveryRetransmit(len);
  snd_.rexmit_nxt = SeqMax(snd_.rexmit_nxt, s + len);
  snd_.rexmit_mark = snd_.max;
  return true;
}

}  // namespace skiff
