#include "stack/tcp/send_queue.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace skiff {

size_t SendQueue::owned_buffers() const {
  size_t n = 0;
  for (size_t i = head_; i < pieces_.size(); ++i) {
    if (!pieces_[i].owned.empty()) ++n;
  }
  return n;
}

// Ring bytes appended at the tail: they extend the last ring run, or start
// one after an owned buffer.
void SendQueue::NoteRing(uint32_t n) {
  if (n == 0 || head_ == pieces_.size()) return;  // ring only
  Piece& last = pieces_.back();
  if (last.owned.empty()) {
    last.len += n;
  } else {
    pieces_.push_back(Piece{n, 0, OwnedBytes()});
  }
}

size_t SendQueue::Append(ConstByteSpan data) {
  const size_t take = std::min<size_t>(data.size(), Room());
  const size_t n = ring_.Append(data.first(take));
  NoteRing(static_cast<uint32_t>(n));
  return n;
}

void SendQueue::Extend(uint32_t n) {
  ring_.Extend(n);
  NoteRing(n);
}

bool SendQueue::AppendOwned(OwnedBytes& data) {
  const uint32_t len = static_cast<uint32_t>(
      std::min<size_t>(data.size(), size_t{kMaxOwned} + 1));
  if (len > kMaxOwned) return false;
  if (!empty() && uint64_t{size()} + len > capacity()) return false;
  if (len == 0) {
    data.Release();
    return true;
  }
  if (len < kCopyBelow && ring_.available() >= len && Room() >= len) {
    Append(data.bytes());  // fits whole: checked above
    data.Release();
    return true;
  }
  if (head_ == pieces_.size()) {  // leaving ring-only mode
    pieces_.clear();
    head_ = 0;
    if (ring_.size() > 0) pieces_.push_back(Piece{ring_.size(), 0, {}});
  }
  pieces_.push_back(Piece{len, 0, std::move(data)});
  owned_bytes_ += len;
  return true;
}

void SendQueue::Consume(uint32_t n) {
  if (head_ == pieces_.size()) {
    ring_.Consume(n);
    return;
  }
  while (n > 0 && head_ < pieces_.size()) {
    Piece& p = pieces_[head_];
    const uint32_t k = std::min(n, p.len);
    if (p.owned.empty()) {
      ring_.Consume(k);
    } else {
      p.skip += k;
      owned_bytes_ -= k;
    }
    p.len -= k;
    n -= k;
    if (p.len == 0) {
      p.owned.Release();  // every byte acknowledged
      ++head_;
    }
  }
  if (owned_bytes_ == 0) {  // back to the ring alone
    pieces_.clear();
    head_ = 0;
  } else if (head_ > 32 && head_ * 2 > pieces_.size()) {
    pieces_.erase(pieces_.begin(), pieces_.begin() + head_);
    head_ = 0;
  }
}

void SendQueue::CopyOut(uint32_t offset, uint32_t n, std::byte* dst) const {
  uint32_t ring_off = 0;
  for (size_t i = head_; i < pieces_.size() && n > 0; ++i) {
    const Piece& p = pieces_[i];
    if (offset >= p.len) {
      offset -= p.len;
      if (p.owned.empty()) ring_off += p.len;
      continue;
    }
    const uint32_t k = std::min(n, p.len - offset);
    if (p.owned.empty()) {
      ConstByteSpan parts[2];
      ring_.Peek(ring_off + offset, k, parts);
      std::memcpy(dst, parts[0].data(), parts[0].size());
      if (!parts[1].empty()) {
        std::memcpy(dst + parts[0].size(), parts[1].data(), parts[1].size());
      }
      ring_off += p.len;
    } else {
      std::memcpy(dst, p.owned.bytes().data() + p.skip + offset, k);
    }
    dst += k;
    n -= k;
    offset = 0;
  }
}

void SendQueue::Peek(uint32_t offset, uint32_t n, ConstByteSpan out[2]) const {
  out[0] = out[1] = {};
  if (head_ == pieces_.size()) {
    ring_.Peek(offset, n, out);
    return;
  }
  if (n == 0) return;
  // Within one piece: no copy.
  uint32_t ring_off = 0;
  uint32_t off = offset;
  for (size_t i = head_; i < pieces_.size(); ++i) {
    const Piece& p = pieces_[i];
    if (off >= p.len) {
      off -= p.len;
      if (p.owned.empty()) ring_off += p.len;
      continue;
    }
    if (n > p.len - off) break;  // straddles: copy below
    if (p.owned.empty()) {
      ring_.Peek(ring_off + off, n, out);
    } else {
      out[0] = p.owned.bytes().subspan(p.skip + off, n);
    }
    return;
  }
  thread_local std::array<std::byte, kScratchSize> scratch;
  n = std::min(n, kScratchSize);
  CopyOut(offset, n, scratch.data());
  out[0] = ConstByteSpan(scratch.data(), n);
}

void SendQueue::Free() {
  std::vector<Piece> gone;
  gone.swap(pieces_);  // releases every owned buffer as it goes
  head_ = 0;
  owned_bytes_ = 0;
  ring_.Free();
}

}  // namespace skiff
