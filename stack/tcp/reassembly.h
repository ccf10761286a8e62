// Out-of-order bookkeeping (RFC 9293 §3.10.7.4 "seventh"): the sorted,
// disjoint sequence ranges received beyond rcv_nxt. The bytes themselves
// live in the receive ring at their offset; this only remembers where.
// Also yields our SACK blocks, most recently changed first (RFC 2018 §4).
#ifndef SKIFF_STACK_TCP_REASSEMBLY_H_
#define SKIFF_STACK_TCP_REASSEMBLY_H_

#include <array>
#include <cstdint>
#include <vector>

#include "stack/wire/seq.h"
#include "stack/wire/tcp.h"

namespace skiff {

class Reassembly {
 public:
  // Records [left, right), merging with overlapping or adjacent ranges.
  // Returns false (and records nothing) if that would need more than
  // `max_ranges` ranges. Storage is reserved once, on first use.
  bool Add(SeqNum left, SeqNum right, uint8_t max_ranges);
  // If the first range begins at or before rcv_nxt, removes it and returns
  // its right edge (the new rcv_nxt); otherwise returns rcv_nxt.
  SeqNum PopContiguous(SeqNum rcv_nxt);
  // Writes up to `max` SACK blocks, most recent first; returns the count.
  uint8_t FillSack(std::array<SackBlock, TcpOptions::kMaxSackBlocks>& out,
                   uint8_t max) const;
  bool empty() const { return ranges_.empty(); }
  size_t size() const { return ranges_.size(); }
  // Highest right edge held (valid when !empty()).
  SeqNum highest() const { return ranges_.back().right; }
  void Free();

 private:
  struct Range {
    SeqNum left, right;
    uint32_t stamp;  // larger = more recently changed
  };
  std::vector<Range> ranges_;
  uint32_t next_stamp_ = 0;
};

}  // namespace skiff

#endif  // SKIFF_STACK_TCP_REASSEMBLY_H_
