#include "stack/net/tx_queue.h"

#include <span>
#include <utility>

namespace skiff {

void TxQueue::Push(Packet frame) {
  if (count_ == kBurst) Flush();
  buf_[count_++] = std::move(frame);
}

size_t TxQueue::Send(size_t from) {
  // Lengths first: the device takes ownership of what it accepts.
  uint64_t bytes[kBurst];
  for (size_t i = from; i < count_; ++i) bytes[i] = buf_[i].length();
  size_t n =
      device_.TxBurst(std::span<Packet>(buf_.data() + from, count_ - from));
  counters_.tx_packets += n;
  for (size_t i = from; i < from + n; ++i) counters_.tx_bytes += bytes[i];
  return from + n;
}

void TxQueue::Flush() {
  if (count_ == 0) return;
  size_t sent = Send(0);
  if (sent < count_) sent = Send(sent);  // one retry on a full ring
  for (size_t i = sent; i < count_; ++i) {
    buf_[i].Reset();
    drops_.Add(DropReason::kTxRingFull);
  }
  count_ = 0;
}

}  // namespace skiff
