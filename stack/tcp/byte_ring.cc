#include "stack/tcp/byte_ring.h"

#include <algorithm>
#include <cstring>

namespace skiff {

bool ByteRing::SetCapacity(uint32_t capacity) {
  if (allocated()) return false;
  cap_ = capacity;
  return true;
}

void ByteRing::EnsureAllocated() {
  if (!buf_ && cap_ > 0) {
    buf_ = std::make_unique_for_overwrite<std::byte[]>(cap_);
    head_ = 0;
  }
}

void ByteRing::FreeIfEmpty() {
  if (len_ == 0) Free();
}

void ByteRing::Free() {
  buf_.reset();
  head_ = 0;
  len_ = 0;
}

void ByteRing::CopyIn(uint32_t pos, ConstByteSpan data) {
  uint32_t n = static_cast<uint32_t>(data.size());
  uint32_t first = std::min(n, cap_ - pos);
  std::memcpy(buf_.get() + pos, data.data(), first);
  if (first < n) std::memcpy(buf_.get(), data.data() + first, n - first);
}

size_t ByteRing::Append(ConstByteSpan data) {
  size_t n = std::min<size_t>(data.size(), space());
  if (n == 0) return 0;
  EnsureAllocated();
  CopyIn((head_ + len_) % cap_, data.first(n));
  len_ += static_cast<uint32_t>(n);
  return n;
}

void ByteRing::WriteBeyond(uint32_t offset, ConstByteSpan data) {
  if (data.empty()) return;
  EnsureAllocated();
  CopyIn(static_cast<uint32_t>((uint64_t{head_} + len_ + offset) % cap_), data);
}

size_t ByteRing::Read(ByteSpan out) {
  uint32_t n = static_cast<uint32_t>(std::min<size_t>(out.size(), len_));
  if (n == 0) return 0;
  ConstByteSpan parts[2];
  Peek(0, n, parts);
  std::memcpy(out.data(), parts[0].data(), parts[0].size());
  if (!parts[1].empty()) {
    std::memcpy(out.data() + parts[0].size(), parts[1].data(), parts[1].size());
  }
  Consume(n);
  return n;
}

void ByteRing::Consume(uint32_t n) {
  n = std::min(n, len_);
  if (n == 0) return;
  head_ = (head_ + n) % cap_;
  len_ -= n;
}

void ByteRing::Peek(uint32_t offset, uint32_t n, ConstByteSpan out[2]) const {
  out[0] = out[1] = {};
  if (n == 0 || !buf_) return;
  uint32_t pos = static_cast<uint32_t>((uint64_t{head_} + offset) % cap_);
  uint32_t first = std::min(n, cap_ - pos);
  out[0] = {buf_.get() + pos, first};
  if (first < n) out[1] = {buf_.get(), n - first};
}

}  // namespace skiff
