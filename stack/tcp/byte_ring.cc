#include "stack/tcp/byte_ring.h"

#include <algorithm>
#include <cstring>

namespace skiff {

namespace {
constexpr uint32_t kMask = ChunkPool::kChunkSize - 1;
}  // namespace

bool ByteRing::SetCapacity(uint32_t capacity) {
  if (allocated()) return false;
  DropTable();
  cap_ = capacity;
  // [head, head + cap) touches at most ceil(cap / chunk) + 1 chunks.
  nslots_ = (capacity + kMask) / kChunkSize + 1;
  first_ = head_ = len_ = 0;
  return true;
}

std::byte* ByteRing::TakeChunk() {
  if (pool_ != nullptr) return pool_->Take();
  return new std::byte[kChunkSize];
}

void ByteRing::GiveChunk(std::byte* c) {
  if (pool_ != nullptr) {
    pool_->Give(c);
  } else {
    delete[] c;
  }
}

uint32_t ByteRing::available() const {
  // Fast path: the pool alone covers the free space (almost always).
  if (pool_ == nullptr || pool_->available_bytes() >= space()) return space();
  // Room left in chunks already held (at and after the end), then the pool.
  const uint64_t end = uint64_t{head_} + len_;
  uint64_t room = 0;
  const uint32_t end_slot = Slot(end);
  if (held_ != 0 && slots()[end_slot] != nullptr)
    room = kChunkSize - (end & kMask);
  return static_cast<uint32_t>(
      std::min<uint64_t>(space(), room + pool_->available_bytes()));
}

void ByteRing::FreeIfEmpty() {
  if (len_ == 0) Free();
}

void ByteRing::Free() {
  // Held chunks sit from first_ on (the head's chunk first): stop once
  // all are back rather than scanning every slot.
  std::byte** s = slots();
  for (uint32_t i = first_; held_ != 0; i = i + 1 == nslots_ ? 0 : i + 1) {
    if (s[i] != nullptr) {
      GiveChunk(s[i]);
      s[i] = nullptr;
      --held_;
    }
  }
  DropTable();
  first_ = head_ = len_ = 0;
}

bool ByteRing::CopyIn(uint64_t pos, ConstByteSpan data) {
  MakeTable();
  std::byte** s = slots();
  uint64_t abs = head_ + pos;
  const std::byte* src = data.data();
  size_t n = data.size();
  while (n > 0) {
    const uint32_t slot = Slot(abs);
    if (s[slot] == nullptr) {
      s[slot] = TakeChunk();
      if (s[slot] == nullptr) {
        if (held_ == 0) DropTable();
        return false;
      }
      ++held_;
    }
    const uint32_t off = static_cast<uint32_t>(abs & kMask);
    const size_t k = std::min<size_t>(n, kChunkSize - off);
    std::memcpy(s[slot] + off, src, k);
    src += k;
    n -= k;
    abs += k;
  }
  return true;
}

size_t ByteRing::Append(ConstByteSpan data) {
  size_t n = std::min<size_t>(data.size(), available());
  if (n == 0) return 0;
  CopyIn(len_, data.first(n));  // available() guarantees the chunks
  len_ += static_cast<uint32_t>(n);
  return n;
}

bool ByteRing::WriteBeyond(uint32_t offset, ConstByteSpan data) {
  if (data.empty()) return true;
  return CopyIn(uint64_t{len_} + offset, data);
}

uint32_t ByteRing::Reserve(uint32_t n, ByteSpan out[2]) {
  out[0] = out[1] = {};
  n = std::min({n, available(), kChunkSize});
  if (n == 0) return 0;
  MakeTable();
  std::byte** s = slots();
  uint64_t abs = uint64_t{head_} + len_;
  uint32_t done = 0;
  // n <= kChunkSize: at most the rest of one chunk and part of the next.
  for (int i = 0; i < 2 && done < n; ++i) {
    const uint32_t slot = Slot(abs);
    if (s[slot] == nullptr) {
      s[slot] = TakeChunk();
      if (s[slot] == nullptr) break;
      ++held_;
    }
    const uint32_t off = static_cast<uint32_t>(abs & kMask);
    const uint32_t k = std::min(n - done, kChunkSize - off);
    out[i] = {s[slot] + off, k};
    done += k;
    abs += k;
  }
  if (held_ == 0) DropTable();  // not even one chunk could be had
  return done;
}

size_t ByteRing::Read(ByteSpan out) {
  uint32_t n = static_cast<uint32_t>(std::min<size_t>(out.size(), len_));
  uint32_t done = 0;
  while (done < n) {
    ConstByteSpan parts[2];
    const uint32_t k = std::min(n - done, kChunkSize);
    Peek(0, k, parts);
    std::memcpy(out.data() + done, parts[0].data(), parts[0].size());
    if (!parts[1].empty()) {
      std::memcpy(out.data() + done + parts[0].size(), parts[1].data(),
                  parts[1].size());
    }
    Consume(k);
    done += k;
  }
  return n;
}

void ByteRing::Consume(uint32_t n) {
  n = std::min(n, len_);
  if (n == 0) return;
  len_ -= n;
  uint64_t h = uint64_t{head_} + n;
  std::byte** s = slots();
  // Chunks wholly before the new head are drained: give them back.
  while (h >= kChunkSize) {
    if (s[first_] != nullptr) {
      GiveChunk(s[first_]);
      s[first_] = nullptr;
      --held_;
    }
    first_ = (first_ + 1) % nslots_;
    h -= kChunkSize;
  }
  head_ = static_cast<uint32_t>(h);
  if (held_ == 0) DropTable();  // drained: an idle ring holds no table
}

void ByteRing::Peek(uint32_t offset, uint32_t n, ConstByteSpan out[2]) const {
  out[0] = out[1] = {};
  if (n == 0 || held_ == 0) return;
  const uint64_t abs = uint64_t{head_} + offset;
  std::byte* const* s = slots();
  const uint32_t slot = Slot(abs);
  const uint32_t off = static_cast<uint32_t>(abs & kMask);
  const uint32_t first = std::min(n, kChunkSize - off);
  out[0] = {s[slot] + off, first};
  if (first < n) out[1] = {s[(slot + 1) % nslots_], n - first};
}

}  // namespace skiff
