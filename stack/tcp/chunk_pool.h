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
#include <memory>
#include <vector>

#include "stack/base/array_pool.h"
#include "stack/base/huge_region.h"
#include "stack/tcp/tcp_types.h"
#include "stack/wire/tcp.h"

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

  // Slot tables for the rings (ByteRing): kTableSlots chunk pointers each,
  // enough for a 256 KiB ring. A ring takes one with its first chunk and
  // gives it back with its last, so an idle connection holds none (2 x
  // 136 B less per connection). Carved from heap blocks outside the chunk
  // budget (a table is worth 1/120 of the chunk it maps) and recycled
  // through a free list: after warm-up no allocation. Zeroed when taken.
  static constexpr uint32_t kTableSlots = 17;
  std::byte** TakeTable() { return tables_.Take(); }
  void GiveTable(std::byte** table) { tables_.Give(table); }
  uint32_t tables_in_use() const { return tables_.in_use(); }

  // SACK scoreboards (sack_scoreboard.h), the same way: a sender takes one
  // with the first SACK block of a flight and gives it back once SND.UNA
  // passes the last, so only a connection in loss recovery holds one.
  static constexpr uint32_t kSackBlocks = 16;
  SackBlock* TakeSackBlocks() { return sack_blocks_.Take(); }
  void GiveSackBlocks(SackBlock* blocks) { sack_blocks_.Give(blocks); }
  uint32_t sack_boards_in_use() const { return sack_blocks_.in_use(); }

  // The counters of trouble (Connection::Trouble): taken the first time a
  // connection counts a loss, a retransmission or a bad segment, kept until
  // it goes.
  TcpConnStats* TakeStats() { return stats_.Take(); }
  void GiveStats(TcpConnStats* s) { stats_.Give(s); }
  uint32_t stats_in_use() const { return stats_.in_use(); }

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

  ArrayPool<std::byte*, kTableSlots> tables_;
  ArrayPool<SackBlock, kSackBlocks> sack_blocks_;
  ArrayPool<TcpConnStats, 1> stats_;
};

}  // namespace skiff

#endif  // SKIFF_STACK_TCP_CHUNK_POOL_H_
