// The sender's record of what the peer SACKed above SND.UNA (RFC 2018 §5
// scoreboard; RFC 6675 §3). Sorted, disjoint ranges; small: a window with
// more holes than kBlocks forgets the highest ones (the least urgent).
// The blocks are held only while there are any: taken from the layer's
// ChunkPool with the first SACKed range of a flight and given back when
// SND.UNA passes the last, so an idle connection carries a null pointer,
// not 128 bytes it almost never uses.
#ifndef SKIFF_STACK_TCP_SACK_SCOREBOARD_H_
#define SKIFF_STACK_TCP_SACK_SCOREBOARD_H_

#include <cstdint>

#include "stack/tcp/chunk_pool.h"
#include "stack/wire/seq.h"
#include "stack/wire/tcp.h"

namespace skiff {

class SackScoreboard {
 public:
  static constexpr uint8_t kBlocks = ChunkPool::kSackBlocks;

  // `pool`: where the blocks come from (null: the heap).
  explicit SackScoreboard(ChunkPool* pool = nullptr) : pool_(pool) {}
  ~SackScoreboard() { Release(); }
  SackScoreboard(const SackScoreboard&) = delete;
  SackScoreboard& operator=(const SackScoreboard&) = delete;

  // Merges the SACK blocks of an ACK; blocks that make no sense (not above
  // `una`, beyond `max`) are ignored (RFC 2018 §5). Returns how many bytes
  // were newly SACKed.
  uint32_t Update(const TcpOptions& opts, SeqNum una, SeqNum max);
  // SND.UNA moved to `una`: forget what is now below it.
  void Prune(SeqNum una);
  // RFC 2018 §8: after a timeout, earlier SACK information is not trusted.
  void Clear() {
    count_ = 0;
    Release();
  }
  // Storage is held (there are blocks).
  bool holds_storage() const { return blocks_ != nullptr; }

  bool empty() const { return count_ == 0; }
  uint8_t size() const { return count_; }
  // Sorted by left edge.
  const SackBlock& operator[](uint8_t i) const { return blocks_[i]; }
  const SackBlock& front() const { return blocks_[0]; }
  const SackBlock& back() const { return blocks_[count_ - 1]; }

  // SACKed bytes in all, and at or above `s`.
  uint32_t Bytes() const;
  uint32_t Above(SeqNum s) const;
  // `from`, moved past SACKed ranges it falls in, never beyond `limit`.
  SeqNum SkipSacked(SeqNum from, SeqNum limit) const;

 private:
  void Hold();
  void Release();

  SackBlock* blocks_ = nullptr;  // kBlocks of them while count_ > 0
  ChunkPool* pool_;
  uint8_t count_ = 0;
};

}  // namespace skiff

#endif  // SKIFF_STACK_TCP_SACK_SCOREBOARD_H_
