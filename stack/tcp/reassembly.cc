#include "stack/tcp/reassembly.h"

#include <algorithm>

namespace skiff {

bool Reassembly::Add(SeqNum left, SeqNum right, uint8_t max_ranges) {
  if (!(left < right)) return true;
  // Ranges [first, last) overlap or touch the new one.
  size_t first = 0;
  while (first < ranges_.size() && ranges_[first].right < left) ++first;
  size_t last = first;
  while (last < ranges_.size() && ranges_[last].left <= right) ++last;
  if (first == last && ranges_.size() >= max_ranges) return false;
  if (ranges_.capacity() == 0) ranges_.reserve(max_ranges);
  Range merged{left, right, ++next_stamp_};
  if (first < last) {
    merged.left = SeqMin(left, ranges_[first].left);
    merged.right = SeqMax(right, ranges_[last - 1].right);
    ranges_.erase(ranges_.begin() + static_cast<ptrdiff_t>(first) + 1,
                  ranges_.begin() + static_cast<ptrdiff_t>(last));
    ranges_[first] = merged;
  } else {
    ranges_.insert(ranges_.begin() + static_cast<ptrdiff_t>(first), merged);
  }
  return true;
}

SeqNum Reassembly::PopContiguous(SeqNum rcv_nxt) {
  while (!ranges_.empty() && ranges_.front().left <= rcv_nxt) {
    rcv_nxt = SeqMax(rcv_nxt, ranges_.front().right);
    ranges_.erase(ranges_.begin());
  }
  return rcv_nxt;
}

uint8_t Reassembly::FillSack(
    std::array<SackBlock, TcpOptions::kMaxSackBlocks>& out, uint8_t max) const {
  // Few ranges: pick the most recent ones by repeated selection.
  uint8_t n = 0;
  uint32_t below = UINT32_MAX;
  while (n < max && n < ranges_.size()) {
    const Range* best = nullptr;
    for (const Range& r : ranges_) {
      if (r.stamp < below && (!best || r.stamp > best->stamp)) best = &r;
    }
    if (!best) break;
    out[n++] = {best->left, best->right};
    below = best->stamp;
  }
  return n;
}

void Reassembly::Free() {
  std::vector<Range>().swap(ranges_);
  next_stamp_ = 0;
}

}  // namespace skiff
