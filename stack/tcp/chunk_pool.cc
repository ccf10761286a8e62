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
    owned_.push_back(std::make_unique_for_overwrite<std::byte[]>(kChunkSize));
    c = owned_.back().get();
    // Give() must never allocate: room for every chunk on the free list.
    if (free_.capacity() < owned_.capacity()) free_.reserve(owned_.capacity());
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
