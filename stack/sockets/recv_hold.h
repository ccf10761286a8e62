// Zero-copy receive (issue 9): the mbufs of one socket whose payload the
// connection kept instead of copying (PayloadKeeper), in stream order,
// each trimmed to its payload. Bounded in count here; in bytes by the
// receive buffer, which counts them (Connection::rcv_held). Destroying it
// frees the mbufs.
#ifndef SKIFF_STACK_SOCKETS_RECV_HOLD_H_
#define SKIFF_STACK_SOCKETS_RECV_HOLD_H_

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <vector>

#include "stack/buf/packet.h"
#include "stack/wire/bytes.h"

namespace skiff {

class RecvHold {
 public:
  explicit RecvHold(uint32_t max_packets)
      : slots_(std::max<uint32_t>(max_packets, 1)) {}

  bool empty() const { return count_ == 0; }
  bool full() const { return count_ == slots_.size(); }
  uint32_t count() const { return count_; }
  uint64_t bytes() const { return bytes_; }

  // Keeps `pkt` (moved from) trimmed to `payload`, a span of its data.
  // False (pkt untouched) when full or `payload` is not inside it.
  bool Push(Packet& pkt, ConstByteSpan payload) {
    if (full() || pkt.empty() || payload.empty()) return false;
    const std::span<std::byte> d = pkt.data();
    if (payload.data() < d.data() ||
        payload.data() + payload.size() > d.data() + d.size() ||
        !pkt.is_contiguous()) {
      return false;
    }
    const auto front = static_cast<uint16_t>(payload.data() - d.data());
    const auto back = static_cast<uint16_t>(d.size() - front - payload.size());
    if (!pkt.TrimFront(front) || !pkt.TrimBack(back)) return false;
    slots_[(head_ + count_) % slots_.size()] = std::move(pkt);
    ++count_;
    bytes_ += payload.size();
    return true;
  }
  // The first held mbuf's bytes (empty when none).
  ConstByteSpan Front() const {
    return empty() ? ConstByteSpan() : ConstByteSpan(slots_[head_].data());
  }
  // Hands the first mbuf over.
  Packet PopFront() {
    Packet p = std::move(slots_[head_]);
    head_ = (head_ + 1) % slots_.size();
    --count_;
    bytes_ -= p.data().size();
    return p;
  }
  // Drops up to `n` bytes from the front, freeing drained mbufs; returns
  // how many it dropped.
  size_t Consume(size_t n) {
    size_t done = 0;
    while (done < n && !empty()) {
      Packet& p = slots_[head_];
      const size_t len = p.data().size();
      const size_t k = std::min(n - done, len);
      if (k == len) {
        PopFront();
      } else {
        p.TrimFront(static_cast<uint16_t>(k));
        bytes_ -= k;
      }
      done += k;
    }
    return done;
  }
  // Copies out and drops up to out.size() bytes; returns the count.
  size_t Read(ByteSpan out) {
    size_t done = 0;
    while (done < out.size() && !empty()) {
      const ConstByteSpan f = Front();
      const size_t k = std::min(out.size() - done, f.size());
      std::memcpy(out.data() + done, f.data(), k);
      Consume(k);
      done += k;
    }
    return done;
  }
  void Clear() {
    while (!empty()) PopFront();
  }

 private:
  std::vector<Packet> slots_;
  uint32_t head_ = 0;
  uint32_t count_ = 0;
  uint64_t bytes_ = 0;
};

}  // namespace skiff

#endif  // SKIFF_STACK_SOCKETS_RECV_HOLD_H_
