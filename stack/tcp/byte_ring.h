// A byte ring whose memory is taken only when data first flows and given back
// on close (DESIGN.md: connection memory is small until data flows). The send
// buffer holds [snd_una, end of queued data); the receive buffer holds unread
// in-order bytes, with out-of-order bytes written beyond them at their offset.
#ifndef SKIFF_STACK_TCP_BYTE_RING_H_
#define SKIFF_STACK_TCP_BYTE_RING_H_

#include <cstdint>
#include <memory>

#include "stack/wire/bytes.h"

namespace skiff {

class ByteRing {
 public:
  explicit ByteRing(uint32_t capacity = 0) : cap_(capacity) {}

  // Capacity may change only while nothing is allocated.
  bool SetCapacity(uint32_t capacity);
  uint32_t capacity() const { return cap_; }
  uint32_t size() const { return len_; }
  uint32_t space() const { return cap_ - len_; }
  bool empty() const { return len_ == 0; }
  bool allocated() const { return buf_ != nullptr; }
  // Returns the memory (only when empty; a no-op otherwise).
  void FreeIfEmpty();
  void Free();

  // Appends as much of `data` as fits; returns the bytes taken.
  size_t Append(ConstByteSpan data);
  // Writes `data` at `offset` past the end of the stored bytes without
  // making it readable (out-of-order data); the caller keeps
  // size() + offset + data.size() <= capacity().
  void WriteBeyond(uint32_t offset, ConstByteSpan data);
  // Makes `n` bytes written by WriteBeyond(0, ...) part of the stored bytes.
  void Extend(uint32_t n) { len_ += n; }
  // Copies out and drops up to out.size() bytes; returns the count.
  size_t Read(ByteSpan out);
  // Drops `n` stored bytes from the front.
  void Consume(uint32_t n);
  // The stored bytes [offset, offset + n) as up to two spans (no copy).
  void Peek(uint32_t offset, uint32_t n, ConstByteSpan out[2]) const;

 private:
  void EnsureAllocated();
  void CopyIn(uint32_t pos, ConstByteSpan data);

  std::unique_ptr<std::byte[]> buf_;
  uint32_t cap_ = 0;
  uint32_t head_ = 0;
  uint32_t len_ = 0;
};

}  // namespace skiff

#endif  // SKIFF_STACK_TCP_BYTE_RING_H_
