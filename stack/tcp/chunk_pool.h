// Fixed-size buffer chunks for the connections of one TcpLayer, recycled
// through a free list (DESIGN.md: no allocation per packet, and none per
// connection in steady state).
//
// Why chunks and not whole rings: a connection that sends a 64-byte page
// should not pin 2 x 256 KiB while it lives. A ring takes 16 KiB chunks as
// its data grows and gives each back as soon as it drains, so 10k+ mostly
// idle connections cost about one chunk each, not their full buffer sizes.
// Chunks are carved from 2 MiB HugeRegions (transparent huge pages) the
// first time they are needed (until `max_bytes`) and never freed until the
// pool goes: after warm-up, opening and closing connections never reaches
// the allocator, and the buffers of many connections share a few TLB
// entries.
#ifndef SKIFF_STACK_TCP_CHUNK_POOL_H_
#define SKIFF_STACK_TCP_CHUNK_POOL_H_

#include <cstddef>
#include <cstdint>
#include <vector>

#include "stack/base/huge_region.h"

namespace skiff {

class ChunkPool {
 public:
  static constexpr uint32_t kChunkShift = 14;
  static constexpr uint32_t kChunkSize = 1u << kChunkShift;  // 16 KiB

  // At most `max_bytes` (rounded down to whole chunks) are ever handed out.
  explicit ChunkPool(uint64_t max_bytes);
  ChunkPool(const ChunkPool&) = delete;
  ChunkPool& operator=(const ChunkPool&) = delete;

  // A chunk of kChunkSize bytes, or nullptr when the budget is used up
  // (counted in exhausted()).
  std::byte* Take();
  void Give(std::byte* chunk);

  // Bytes Take() can still hand out.
  uint64_t available_bytes() const {
    return uint64_t{max_chunks_ - in_use_} << kChunkShift;
  }
  uint32_t in_use() const { return in_use_; }
  uint32_t high_water() const { return high_water_; }
  uint64_t exhausted() const { return exhausted_; }

 private:
  uint32_t max_chunks_;
  uint32_t in_use_ = 0;
  uint32_t high_water_ = 0;
  uint64_t exhausted_ = 0;
  // Regions of up to kRegionChunks chunks; the newest is carved from
  // `carved_` on.
  static constexpr uint32_t kRegionChunks =
      static_cast<uint32_t>(HugeRegion::kHugePage >> kChunkShift);
  std::vector<HugeRegion> regions_;
  uint32_t carved_ = 0;         // chunks handed out of regions_.back() so far
  uint32_t region_chunks_ = 0;  // chunks in regions_.back()
  std::vector<std::byte*> free_;
};

}  // namespace skiff

#endif  // SKIFF_STACK_TCP_CHUNK_POOL_H_
