#include "stack/tcp/sack_scoreboard.h"

#include <algorithm>

namespace skiff {

namespace {

bool LeftOrder(const SackBlock& a, const SackBlock& b) {
  return a.left < b.left;
}

}  // namespace

void SackScoreboard::Hold() {
  if (blocks_ != nullptr) return;
  blocks_ = pool_ != nullptr ? pool_->TakeSackBlocks() : new SackBlock[kBlocks];
}

void SackScoreboard::Release() {
  count_ = 0;
  if (blocks_ == nullptr) return;
  if (pool_ != nullptr) {
    pool_->GiveSackBlocks(blocks_);
  } else {
    delete[] blocks_;
  }
  blocks_ = nullptr;
}

uint32_t SackScoreboard::Bytes() const {
  uint32_t n = 0;
  for (uint8_t i = 0; i < count_; ++i) {
    n += static_cast<uint32_t>(blocks_[i].right - blocks_[i].left);
  }
  return n;
}

uint32_t SackScoreboard::Above(SeqNum s) const {
  uint32_t n = 0;
  for (uint8_t i = 0; i < count_; ++i) {
    if (blocks_[i].right > s) {
      n += static_cast<uint32_t>(blocks_[i].right - SeqMax(blocks_[i].left, s));
    }
  }
  return n;
}

SeqNum SackScoreboard::SkipSacked(SeqNum from, SeqNum limit) const {
  for (uint8_t i = 0; i < count_; ++i) {  // sorted by left edge
    if (from < limit && blocks_[i].left <= from && from < blocks_[i].right) {
      from = SeqMin(blocks_[i].right, limit);
    }
  }
  return from;
}

void SackScoreboard::Prune(SeqNum una) {
  uint8_t keep = 0;
  for (uint8_t i = 0; i < count_; ++i) {
    if (blocks_[i].right > una) blocks_[keep++] = blocks_[i];
  }
  count_ = keep;
  if (count_ == 0) Release();
}

uint32_t SackScoreboard::Update(const TcpOptions& opts, SeqNum una,
                                SeqNum max) {
  if (opts.sack_count == 0) return 0;
  const uint32_t before = Bytes();
  for (uint8_t i = 0; i < opts.sack_count; ++i) {
    SackBlock b = opts.sack[i];
    if (!(b.left < b.right) || b.right <= una || b.right > max) continue;
    b.left = SeqMax(b.left, una);
    bool merged = false;
    for (uint8_t j = 0; j < count_; ++j) {
      if (b.left <= blocks_[j].right && blocks_[j].left <= b.right) {
        blocks_[j] = {SeqMin(b.left, blocks_[j].left),
                      SeqMax(b.right, blocks_[j].right)};
        merged = true;
        break;
      }
    }
    if (merged) continue;
    Hold();
    if (count_ == kBlocks) {
      // Full: forget the highest block (the least urgent hole).
      *std::max_element(blocks_, blocks_ + kBlocks, LeftOrder) = b;
    } else {
      blocks_[count_++] = b;
    }
  }
  if (count_ == 0) return 0;
  std::sort(blocks_, blocks_ + count_, LeftOrder);
  // Blocks merged one at a time may now touch each other: coalesce.
  uint8_t n = 0;
  for (uint8_t i = 0; i < count_; ++i) {
    if (n > 0 && blocks_[i].left <= blocks_[n - 1].right) {
      blocks_[n - 1].right = SeqMax(blocks_[n - 1].right, blocks_[i].right);
    } else {
      blocks_[n++] = blocks_[i];
    }
  }
  count_ = n;
  const uint32_t after = Bytes();
  return after > before ? after - before : 0;
}

}  // namespace skiff
