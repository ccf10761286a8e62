// The send buffer of a Connection: [SND.UNA, end of queued data) as copied
// bytes in a ByteRing and, once the application used Stack::SendOwned,
// buffers it gave up (OwnedBytes) queued between them, uncopied until a
// segment is built. An owned buffer is released once every byte of it is
// acknowledged (Consume) or the queue is freed (the connection ended).
//
// While no owned buffer is queued this is the ring alone (no piece list,
// nothing allocated beyond it); with owned buffers, `pieces_` lists the
// stream in order: runs of ring bytes and owned buffers. The piece list
// lives behind a pointer allocated on the first SendOwned, so a connection
// that never uses it pays 8 bytes (the TCB stays under 800 B).
#ifndef SKIFF_STACK_TCP_SEND_QUEUE_H_
#define SKIFF_STACK_TCP_SEND_QUEUE_H_

#include <cstdint>
#include <memory>
#include <vector>

#include "skiff/zero_copy.h"
#include "stack/tcp/byte_ring.h"
#include "stack/tcp/chunk_pool.h"
#include "stack/wire/bytes.h"

namespace skiff {

class SendQueue {
 public:
  // Owned buffers smaller than this are copied into the ring and released
  // at once when it has room: a piece per tiny buffer costs more than the
  // copy saves.
  static constexpr uint32_t kCopyBelow = 1024;
  // The largest single owned buffer (sequence arithmetic stays far from
  // 2^31).
  static constexpr uint32_t kMaxOwned = 1u << 30;
  // Peek() answers a range that straddles pieces from a scratch copy this
  // big (per thread); a segment is never larger.
  static constexpr uint32_t kScratchSize = 1u << 16;

  explicit SendQueue(uint32_t capacity = 0, ChunkPool* pool = nullptr)
      : ring_(capacity, pool) {}
  SendQueue(const SendQueue&) = delete;
  SendQueue& operator=(const SendQueue&) = delete;

  // Capacity (SO_SNDBUF) may change only while nothing is queued.
  bool SetCapacity(uint32_t capacity) {
    return owned_bytes() == 0 && ring_.SetCapacity(capacity);
  }
  ChunkPool* pool() const { return ring_.pool(); }
  uint32_t capacity() const { return ring_.capacity(); }
  uint32_t size() const { return ring_.size() + owned_bytes(); }
  bool empty() const { return size() == 0; }
  bool allocated() const { return ring_.allocated() || owned_bytes() != 0; }
  // What Append can take now (owned bytes count against the capacity).
  uint32_t available() const { return std::min(ring_.available(), Room()); }
  uint32_t owned_bytes() const { return pieces_ ? pieces_->bytes : 0; }
  // Owned buffers not yet released.
  size_t owned_buffers() const;

  // Copies as much of `data` as fits; returns the bytes taken.
  size_t Append(ConstByteSpan data);
  // Queues `data` whole, or nothing (false, `data` untouched): it fits
  // when the queue is empty or size() + data.size() <= capacity().
  bool AppendOwned(OwnedBytes& data);
  // As ByteRing::Reserve / Extend, at the tail of the stream.
  uint32_t Reserve(uint32_t n, ByteSpan out[2]) {
    return ring_.Reserve(std::min(n, Room()), out);
  }
  void Extend(uint32_t n);
  // Drops `n` bytes from the front: ring chunks go back, owned buffers
  // fully acknowledged are released.
  void Consume(uint32_t n);
  // The bytes [offset, offset + n) as up to two spans, without a copy when
  // they lie in one piece; a range across pieces is copied into a
  // per-thread scratch that stays valid until the next Peek on this
  // thread (n <= kScratchSize).
  void Peek(uint32_t offset, uint32_t n, ConstByteSpan out[2]) const;
  // Drops everything, releasing owned buffers, and returns ring memory.
  void Free();

 private:
  struct Piece {
    uint32_t len;      // bytes of this piece still queued
    uint32_t skip;     // owned: bytes of it already consumed
    OwnedBytes owned;  // empty: `len` bytes of the ring
  };
  struct Pieces {
    std::vector<Piece> list;  // from list[head]
    size_t head = 0;
    uint32_t bytes = 0;  // owned bytes queued
  };
  // Ring only: no owned buffer queued.
  bool RingOnly() const {
    return !pieces_ || pieces_->head == pieces_->list.size();
  }
  uint32_t Room() const {
    const uint32_t s = size();
    return ring_.capacity() > s ? ring_.capacity() - s : 0;
  }
  void NoteRing(uint32_t n);
  void CopyOut(uint32_t offset, uint32_t n, std::byte* dst) const;

  ByteRing ring_;
  std::unique_ptr<Pieces> pieces_;  // null until the first owned buffer
};

}  // namespace skiff

#endif  // SKIFF_STACK_TCP_SEND_QUEUE_H_
