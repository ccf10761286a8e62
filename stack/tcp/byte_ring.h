// A byte ring made of ChunkPool chunks taken as data arrives and given back
// as it drains (DESIGN.md: connection memory is small until data flows).
// The send buffer holds [snd_una, end of queued data); the receive buffer
// holds unread in-order bytes, with out-of-order bytes written beyond them
// at their offset.
//
// Layout: a ring of chunk slots; the stored bytes start head_ bytes into
// the chunk in slot first_. A slot is empty (nullptr) until written.
// Without a pool (tests, tools) chunks come from the heap.
#ifndef SKIFF_STACK_TCP_BYTE_RING_H_
#define SKIFF_STACK_TCP_BYTE_RING_H_

#include <cstdint>

#include "stack/tcp/chunk_pool.h"
#include "stack/wire/bytes.h"

namespace skiff {

class ByteRing {
 public:
  static constexpr uint32_t kChunkSize = ChunkPool::kChunkSize;

  explicit ByteRing(uint32_t capacity = 0, ChunkPool* pool = nullptr)
      : pool_(pool) {
    SetCapacity(capacity);
  }
  ~ByteRing() {
    Free();
    DropTable();
  }
  ByteRing(const ByteRing&) = delete;
  ByteRing& operator=(const ByteRing&) = delete;

  // Capacity may change only while nothing is allocated.
  bool SetCapacity(uint32_t capacity);
  void SetPool(ChunkPool* pool) {
    if (allocated()) return;
    DropTable();
    pool_ = pool;
  }
  ChunkPool* pool() const { return pool_; }
  uint32_t capacity() const { return cap_; }
  uint32_t size() const { return len_; }
  uint32_t space() const { return cap_ - len_; }
  // Of space(), what can be written now: bytes in chunks already held plus
  // what the pool can still give (always space() without a pool).
  uint32_t available() const;
  bool empty() const { return len_ == 0; }
  bool allocated() const { return held_ != 0; }
  uint32_t chunks_held() const { return held_; }
  // Returns the memory (only when empty; a no-op otherwise).
  void FreeIfEmpty();
  void Free();

  // Appends as much of `data` as fits (in capacity and in chunks the pool
  // can give); returns the bytes taken.
  size_t Append(ConstByteSpan data);
  // Writes `data` at `offset` past the end of the stored bytes without
  // making it readable (out-of-order data); the caller keeps
  // size() + offset + data.size() <= capacity(). False (nothing made
  // readable, part may be written) when the pool is exhausted.
  bool WriteBeyond(uint32_t offset, ConstByteSpan data);
  // Makes `n` bytes written by WriteBeyond(0, ...) part of the stored bytes.
  void Extend(uint32_t n) { len_ += n; }
  // Writable room for up to min(n, available(), kChunkSize) bytes right
  // after the stored ones, as up to two spans (chunks taken as needed);
  // Extend() then makes written bytes part of the ring. Returns the room.
  uint32_t Reserve(uint32_t n, ByteSpan out[2]);
  // Copies out and drops up to out.size() bytes; returns the count.
  size_t Read(ByteSpan out);
  // Drops `n` stored bytes from the front; drained chunks go back.
  void Consume(uint32_t n);
  // The stored bytes [offset, offset + n) as up to two spans (no copy);
  // n <= kChunkSize.
  void Peek(uint32_t offset, uint32_t n, ConstByteSpan out[2]) const;

 private:
  // The slot table (one chunk pointer per slot) exists only while the
  // ring holds chunks: from the pool for rings up to 256 KiB, from the heap
  // for larger ones or without a pool. Null otherwise.
  bool pooled_table() const {
    return pool_ != nullptr && nslots_ <= ChunkPool::kTableSlots;
  }
  std::byte** slots() { return slots_; }
  std::byte* const* slots() const { return slots_; }
  void MakeTable() {
    if (slots_ != nullptr) return;
    slots_ = pooled_table() ? pool_->TakeTable() : new std::byte*[nslots_]();
  }
  void DropTable() {
    if (slots_ == nullptr) return;
    if (pooled_table()) {
      pool_->GiveTable(slots_);
    } else {
      delete[] slots_;
    }
    slots_ = nullptr;
  }
  // abs < head + capacity, so first_ + chunk index < 2 * nslots_.
  uint32_t Slot(uint64_t abs) const {
    const uint32_t i =
        first_ + static_cast<uint32_t>(abs >> ChunkPool::kChunkShift);
    return i >= nslots_ ? i - nslots_ : i;
  }
  std::byte* TakeChunk();
  void GiveChunk(std::byte* c);
  // Copies `data` to logical offset `pos` from the head; false if a chunk
  // could not be had (stops there).
  bool CopyIn(uint64_t pos, ConstByteSpan data);

  ChunkPool* pool_;
  std::byte** slots_ = nullptr;
  uint32_t cap_ = 0;
  uint32_t nslots_ = 1;
  uint32_t first_ = 0;  // slot of the chunk holding the head
  uint32_t head_ = 0;   // offset of the head in that chunk
  uint32_t len_ = 0;
  uint32_t held_ = 0;  // chunks held
};

}  // namespace skiff

#endif  // SKIFF_STACK_TCP_BYTE_RING_H_
