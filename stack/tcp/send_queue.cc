#include "stack/tcp/send_queue.h"

#include <algorithm>
#include <array>
#include <cstring>

namespace skiff {

size_t SendQueue::owned_buffers() const {
  if (RingOnly()) return 0;
  size_t n = 0;
  for (size_t i = pieces_->head; i < pieces_->list.size(); ++i) {
    if (!pieces_->list[i].owned.empty()) ++n;
  }
  return n;
}

// Ring bytes appended at the tail: they extend the last ring run, or start
// one after an owned buffer.
void SendQueue::NoteRing(uint32_t n) {
  if (n == 0 || RingOnly()) return;
  Piece& last = pieces_->list.back();
  if (last.owned.empty()) {
    last.len += n;
  } else {
    pieces_->list.push_back(Piece{n, 0, OwnedBytes()});
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
  if (!pieces_) pieces_ = std::make_unique<Pieces>();
  Pieces& p = *pieces_;
  if (p.head == p.list.size()) {  // leaving ring-only mode
    p.list.clear();
    p.head = 0;
    if (ring_.size() > 0) p.list.push_back(Piece{ring_.size(), 0, {}});
  }
  p.list.push_back(Piece{len, 0, std::move(data)});
  p.bytes += len;
  return true;
}

void SendQueue::Consume(uint32_t n) {
  if (RingOnly()) {
    ring_.Consume(n);
    return;
  }
  Pieces& q = *pieces_;
  while (n > 0 && q.head < q.list.size()) {
    Piece& p = q.list[q.head];
    const uint32_t k = std::min(n, p.len);
    if (p.owned.empty()) {
      ring_.Consume(k);
    } else {
      p.skip += k;
      q.bytes -= k;
    }
    p.len -= k;
    n -= k;
    if (p.len == 0) {
      p.owned.Release();  // every byte acknowledged
      ++q.head;
    }
  }
  if (q.bytes == 0) {  // back to the ring alone (the list is kept)
    q.list.clear();
    q.head = 0;
  } else if (q.head > 32 && q.head * 2 > q.list.size()) {
    q.list.erase(q.list.begin(), q.list.begin() + q.head);
    q.head = 0;
  }
}

void SendQueue::CopyOut(uint32_t offset, uint32_t n, std::byte* dst) const {
  uint32_t ring_off = 0;
  const Pieces& q = *pieces_;
  for (size_t i = q.head; i < q.list.size() && n > 0; ++i) {
    const Piece& p = q.list[i];
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
  if (RingOnly()) {
    ring_.Peek(offset, n, out);
    return;
  }
  if (n == 0) return;
  // Within one piece: no copy.
  uint32_t ring_off = 0;
  uint32_t off = offset;
  const Pieces& q = *pieces_;
  for (size_t i = q.head; i < q.list.size(); ++i) {
    const Piece& p = q.list[i];
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
  pieces_.reset();  // releases every owned buffer
  ring_.Free();
}

}  // namespace skiff
