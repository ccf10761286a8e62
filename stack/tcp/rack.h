// RACK loss detection, RFC 8985 §6: a segment is lost once a segment sent
// after it has been delivered (SACKed or cumulatively acknowledged) and
// more than RACK.rtt + the reordering window has passed since it was sent.
// Time, not a duplicate-ACK count, decides, so reordering within the window
// is tolerated and a lost retransmission or a short flight is detected
// without three duplicate ACKs.
//
// Per-segment state lives in a SendLog: one record per transmitted segment
// (its end, its last transmit time, retransmitted/SACKed/lost bits),
// 12 bytes each, in one ChunkPool chunk that a connection holds only while
// data is in flight (an idle connection keeps a null pointer). Records are
// in sequence order and cover [SND.UNA, SND.MAX) exactly: new data is
// appended, a retransmission updates the records it covers.
#ifndef SKIFF_STACK_TCP_RACK_H_
#define SKIFF_STACK_TCP_RACK_H_

#include <cstdint>

#include "stack/tcp/chunk_pool.h"
#include "stack/wire/seq.h"

namespace skiff {

struct SentRecord {
  static constexpr uint8_t kRetransmitted = 1;
  static constexpr uint8_t kSacked = 2;
  static constexpr uint8_t kLost = 4;
  SeqNum end;
  uint32_t xmit_us;  // last transmit time, µs (wraps; compared by difference)
  uint8_t flags;
  bool has(uint8_t f) const { return (flags & f) != 0; }
};

class SendLog {
 public:
  static constexpr uint32_t kCapacity =
      ChunkPool::kChunkSize / sizeof(SentRecord);
  // Start() takes a chunk only while the pool has this much left.
  static constexpr uint64_t kPoolReserve = 16 * ChunkPool::kChunkSize;

  SendLog() = default;
  SendLog(const SendLog&) = delete;
  SendLog& operator=(const SendLog&) = delete;

  // The log's clock: `us`, or the last stamp of this flight if that is
  // later (see OnSend), so that stamps follow the order of transmission.
  // Before the flight's first stamp there is nothing to follow: a zero (or
  // a previous flight's stamp) is no time at all, and the µs clock wraps
  // every 71.6 minutes, so half the time it would read as "later" and pin
  // the log's clock, stalling RACK until the RTO.
  uint32_t Now(uint32_t us) const {
    return stamped_ && static_cast<int32_t>(last_us_ - us) > 0 ? last_us_ : us;
  }
  // Records exist (storage held).
  bool active() const { return recs_ != nullptr; }
  // A flight starts: take storage (from `pool`, or the heap when null).
  // False when the pool is (nearly) exhausted: the flight goes without
  // RACK (three duplicate ACKs).
  bool Start(ChunkPool* pool);
  // Gives the storage back (the flight is over, or the connection ends).
  // Heap storage (no pool) is kept until Free().
  void Release(ChunkPool* pool);
  void Free(ChunkPool* pool);

  // [start, end) was sent at `us`: appended beyond the last record, or
  // (start below it) a retransmission of the records it overlaps.
  void OnSend(SeqNum start, SeqNum end, uint32_t us);
  // Drops the records SND.UNA = `una` covers, calling f(record) for each
  // (the caller's RACK update for the newly delivered).
  template <typename F>
  void PopAcked(SeqNum una, F&& f) {
    while (count_ > 0 && at(0).end <= una) {
      f(at(0));
      if (at(0).has(SentRecord::kLost)) --lost_;
      head_ = head_ + 1 == kCapacity ? 0 : head_ + 1;
      --count_;
    }
  }
  // Marks the records wholly inside [left, right) SACKed, calling f(record)
  // for each that was not.
  template <typename F>
  void MarkSacked(SeqNum una, SeqNum left, SeqNum right, F&& f) {
    for (uint32_t i = Find(left); i < count_; ++i) {
      SentRecord& r = at(i);
      if (r.end > right) break;
      if (Start(i, una) < left || r.has(SentRecord::kSacked)) continue;
      if (r.has(SentRecord::kLost)) --lost_;
      r.flags = static_cast<uint8_t>((r.flags | SentRecord::kSacked) &
                                     ~SentRecord::kLost);
      f(r);
    }
  }
  void MarkLost(uint32_t i) {
    if (!at(i).has(SentRecord::kLost)) ++lost_;
    at(i).flags |= SentRecord::kLost;
  }
  void ClearLost(uint32_t i) {
    if (at(i).has(SentRecord::kLost)) --lost_;
    at(i).flags &= static_cast<uint8_t>(~SentRecord::kLost);
  }
  // After a timeout: SACK information is not trusted (RFC 2018 §8) and
  // everything goes again; no record is lost or SACKed any more.
  void ClearMarks();
  // Splits record i at `at` (start < at < end): a retransmission that could
  // not cover all of a record (a lower MSS) leaves the rest marked.
  void Split(uint32_t i, SeqNum at);

  uint32_t size() const { return count_; }
  uint32_t lost() const { return lost_; }
  SentRecord& at(uint32_t i) {
    const uint32_t k = head_ + i;
    return recs_[k >= kCapacity ? k - kCapacity : k];
  }
  const SentRecord& at(uint32_t i) const {
    const uint32_t k = head_ + i;
    return recs_[k >= kCapacity ? k - kCapacity : k];
  }
  // Where record i starts (record 0 starts at SND.UNA).
  SeqNum Start(uint32_t i, SeqNum una) const {
    return i == 0 ? una : at(i - 1).end;
  }
  // The first record ending after `s` (size() if none).
  uint32_t Find(SeqNum s) const;

 private:
  SentRecord* recs_ = nullptr;
  uint32_t last_us_ = 0;  // the latest stamp given (if stamped_)
  uint16_t head_ = 0;
  uint16_t count_ = 0;
  uint16_t lost_ = 0;     // records marked lost and not yet resent
  bool stamped_ = false;  // last_us_ holds this flight's latest stamp
};

// The RACK state of RFC 8985 §6.1 (times in µs, wrapping) and the steps of
// §6.2 that do not need the connection.
struct RackState {
  uint32_t xmit_us = 0;              // RACK.xmit_ts
  SeqNum end_seq;                    // RACK.end_seq
  uint32_t rtt_us = 0;               // RACK.rtt
  uint32_t min_rtt_us = UINT32_MAX;  // RACK.min_RTT
  SeqNum fack;                       // RACK.fack
  SeqNum dsack_round;                // RACK.dsack_round (if dsack_round_set)
  uint8_t reo_wnd_mult = 1;          // RACK.reo_wnd_mult
  uint8_t reo_wnd_persist = 0;       // RACK.reo_wnd_persist
  bool valid = false;                // a segment was delivered
  bool reordering_seen = false;      // RACK.reordering_seen
  bool dsack_round_set = false;
  bool fack_valid = false;

  // t1/s1 sent after t2/s2 (RACK_sent_after, §6.2 step 2).
  static bool SentAfter(uint32_t t1, SeqNum s1, uint32_t t2, SeqNum s2) {
    const int32_t d = static_cast<int32_t>(t1 - t2);
    return d > 0 || (d == 0 && s1 > s2);
  }
  // Step 2 (RACK_update) for a newly delivered record. `ack_older`: the
  // ACK's TSecr predates the record's last transmission, i.e. it answers
  // an earlier one.
  void Update(const SentRecord& r, uint32_t now_us, bool ack_older);
  // Step 3 (RACK_detect_reordering) for a newly delivered record.
  void DetectReordering(const SentRecord& r);
  // Step 4, the DSACK part of RACK_update_reo_wnd: a DSACK on this ACK.
  void OnDsack(SeqNum snd_una, SeqNum snd_nxt);
  // Step 4, on leaving recovery: 16 recoveries without DSACK reset the
  // multiplier.
  void OnRecoveryExit();
  // Step 4, RACK.reo_wnd, in µs.
  uint32_t ReoWnd(bool in_recovery, bool dupthresh_sacked, uint32_t srtt_us,
                  uint32_t floor_us) const;
};

}  // namespace skiff

#endif  // SKIFF_STACK_TCP_RACK_H_
