#include "stack/tcp/rack.h"

#include <algorithm>
#include <cstring>

namespace skiff {

bool SendLog::Start(ChunkPool* pool) {
  head_ = count_ = lost_ = 0;
  stamped_ = false;
  if (recs_ != nullptr) return true;  // heap storage kept (no pool)
  // The log is metadata: when the pool runs low, the chunk is left for
  // data (a socket waiting for one to free must get it) and this flight
  // goes without RACK.
  if (pool != nullptr && pool->available_bytes() < kPoolReserve) return false;
  std::byte* c =
      pool != nullptr ? pool->Take() : new std::byte[ChunkPool::kChunkSize];
  recs_ = reinterpret_cast<SentRecord*>(c);
  return recs_ != nullptr;
}

void SendLog::Release(ChunkPool* pool) {
  head_ = count_ = lost_ = 0;
  if (pool != nullptr) Free(pool);
}

void SendLog::Free(ChunkPool* pool) {
  if (recs_ == nullptr) return;
  std::byte* c = reinterpret_cast<std::byte*>(recs_);
  if (pool != nullptr) {
    pool->Give(c);
  } else {
    delete[] c;
  }
  recs_ = nullptr;
  head_ = count_ = lost_ = 0;
}

uint32_t SendLog::Find(SeqNum s) const {
  // Records are sorted by end: binary search for the first end > s.
  uint32_t lo = 0, hi = count_;
  while (lo < hi) {
    const uint32_t mid = (lo + hi) / 2;
    if (at(mid).end > s) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo;
}

void SendLog::OnSend(SeqNum start, SeqNum end, uint32_t us) {
  us = Now(us);
  const SeqNum last = count_ > 0 ? at(count_ - 1).end : start;
  if (start < last) {
    // A retransmission: every record it overlaps was sent again now, and
    // after every transmission logged so far. Ties in time are broken by
    // sequence (RACK_sent_after), which holds for new data only, so a
    // retransmission in the same microsecond as a later-sequenced send is
    // stamped a microsecond on.
    if (static_cast<int32_t>(last_us_ - us) >= 0) us = last_us_ + 1;
    for (uint32_t i = Find(start); i < count_; ++i) {
      SentRecord& r = at(i);
      if (!(r.end > start) || !(end > Start(i, start))) break;
      if (i > 0 && !(at(i - 1).end < end)) break;
      if (r.has(SentRecord::kLost)) --lost_;
      r.xmit_us = us;
      r.flags = static_cast<uint8_t>((r.flags | SentRecord::kRetransmitted) &
                                     ~SentRecord::kLost);
    }
    last_us_ = us;
    stamped_ = true;
    if (!(end > last)) return;
    start = last;
  }
  last_us_ = us;
  stamped_ = true;
  if (count_ == kCapacity) {
    // Full (very small segments): the last record grows and takes the
    // newer time, which can only delay its loss detection.
    SentRecord& r = at(count_ - 1);
    r.end = end;
    r.xmit_us = us;
    return;
  }
  ++count_;
  at(count_ - 1) = SentRecord{end, us, 0};
}

void SendLog::ClearMarks() {
  for (uint32_t i = 0; i < count_; ++i) {
    at(i).flags &=
        static_cast<uint8_t>(~(SentRecord::kSacked | SentRecord::kLost));
  }
  lost_ = 0;
}

void SendLog::Split(uint32_t i, SeqNum at_seq) {
  if (count_ == kCapacity || i >= count_) return;
  ++count_;
  for (uint32_t k = count_ - 1; k > i; --k) at(k) = at(k - 1);
  at(i).end = at_seq;
  if (at(i).has(SentRecord::kLost)) ++lost_;  // both halves carry it
}

void RackState::Update(const SentRecord& r, uint32_t now_us, bool ack_older) {
  const uint32_t rtt =
      static_cast<int32_t>(now_us - r.xmit_us) > 0 ? now_us - r.xmit_us : 0;
  if (r.has(SentRecord::kRetransmitted)) {
    // The ACK may answer the original transmission (§6.2 step 2): skip a
    // sample that cannot be told apart.
    if (ack_older) return;
    if (min_rtt_us != UINT32_MAX && rtt < min_rtt_us) return;
  }
  rtt_us = rtt;
  min_rtt_us = std::min(min_rtt_us, rtt);
  if (!valid || SentAfter(r.xmit_us, r.end, xmit_us, end_seq)) {
    xmit_us = r.xmit_us;
    end_seq = r.end;
    valid = true;
  }
}

void RackState::DetectReordering(const SentRecord& r) {
  if (!fack_valid || r.end > fack) {
    fack = r.end;
    fack_valid = true;
  } else if (r.end < fack && !r.has(SentRecord::kRetransmitted)) {
    reordering_seen = true;
  }
}

// §6.2 step 4: grow the window once per round trip that sees a DSACK
// (a spurious retransmission: the window was too small), remember it for
// 16 recoveries.
void RackState::OnDsack(SeqNum snd_una, SeqNum snd_nxt) {
  if (dsack_round_set && snd_una >= dsack_round) dsack_round_set = false;
  if (dsack_round_set) return;
  dsack_round = snd_nxt;
  dsack_round_set = true;
  if (reo_wnd_mult < 255) ++reo_wnd_mult;
  reo_wnd_persist = 16;
}

void RackState::OnRecoveryExit() {
  if (reo_wnd_persist > 0 && --reo_wnd_persist == 0) reo_wnd_mult = 1;
}

// §6.2 step 4: no reordering seen yet, the window is zero in recovery and
// once DupThresh segments are SACKed (RACK then acts as fast retransmit
// did); otherwise min(reo_wnd_mult · min_RTT / 4, SRTT). `floor_us` is
// this stack's clock granularity (TcpConfig::rack_reo_wnd_min): below it a
// zero-RTT path would call every reordering a loss.
uint32_t RackState::ReoWnd(bool in_recovery, bool dupthresh_sacked,
                           uint32_t srtt_us, uint32_t floor_us) const {
  if (!reordering_seen && (in_recovery || dupthresh_sacked)) return 0;
  const uint32_t min_rtt = min_rtt_us == UINT32_MAX ? 0 : min_rtt_us;
  const uint64_t w = uint64_t{reo_wnd_mult} * (min_rtt / 4);
  return std::max(floor_us,
                  static_cast<uint32_t>(std::min<uint64_t>(w, srtt_us)));
}

}  // namespace skiff
