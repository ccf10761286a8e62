#include "stack/tcp/chunk_pool.h"

#include <algorithm>

namespace skiff {

ChunkPool::ChunkPool(uint64_t max_bytes)
    : max_chunks_(static_cast<uint32_t>(
          std::min<uint64_t>(max_bytes >> kChunkShift, UINT32_MAX))) {}

std::byte* ChunkPool::Take() {
  if (in_use_ == max_chunks_) {
    ++exhausted_;
    return nullptr;
  }
  std::byte* c;
  if (!free_.empty()) {
    c = free_.back();
    free_.pop_back();
  } else {
    // Warm-up only: the pool grows to its high-water mark and stays there.
    if (carved_ == region_chunks_) {
      // A small budget takes a small region (4 KiB pages), a large one
      // 2 MiB regions (huge pages).
      const uint32_t made = in_use_;  // every chunk so far is in use
      const uint32_t n = std::min(kRegionChunks, max_chunks_ - made);
      HugeRegion r = HugeRegion::Allocate(size_t{n} << kChunkShift);
      if (r.data() == nullptr) {
        ++exhausted_;
        return nullptr;
      }
      regions_.push_back(std::move(r));
      region_chunks_ = n;
      carved_ = 0;
      // Give() must never allocate: room for every chunk on the free list.
      free_.reserve(size_t{made} + n);
    }
    c = regions_.back().data() + (size_t{carved_++} << kChunkShift);
  }
  ++in_use_;
  high_water_ = std::max(high_water_, in_use_);
  return c;
}

void ChunkPool::Give(std::byte* chunk) {
  free_.push_back(chunk);
  --in_use_;
}

}  // namespace skiff
