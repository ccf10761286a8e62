// The transmit buffer: packets collect here during a loop turn and go to the
// device in bursts (DESIGN.md loop step 6; DPDK l3fwd's buffered per-port TX).
#ifndef SKIFF_STACK_NET_TX_QUEUE_H_
#define SKIFF_STACK_NET_TX_QUEUE_H_

#include <array>
#include <cstddef>

#include "skiff/device.h"
#include "stack/base/drop_reason.h"
#include "stack/buf/packet.h"
#include "stack/buf/packet_pool.h"
#include "stack/net/net_counters.h"

namespace skiff {

class TxQueue {
 public:
  static constexpr size_t kBurst = 32;

  TxQueue(Device& device, LinkCounters& counters, DropCounters& drops)
      : device_(device), counters_(counters), drops_(drops) {}
  TxQueue(const TxQueue&) = delete;
  TxQueue& operator=(const TxQueue&) = delete;
  ~TxQueue() = default;  // unsent packets are freed with the buffer

  // Takes a complete frame. Flushes first when the buffer is full.
  void Push(Packet frame);
  // Hands everything buffered to the device. A full ring gets one retry;
  // what it still refuses is dropped (kTxRingFull): holding packets back
  // would only grow latency, and TCP retransmits.
  void Flush();

  size_t size() const { return count_; }

 private:
  size_t Send(size_t from);

  Device& device_;
  LinkCounters& counters_;
  DropCounters& drops_;
  std::array<Packet, kBurst> buf_;
  size_t count_ = 0;
};

}  // namespace skiff

#endif  // SKIFF_STACK_NET_TX_QUEUE_H_
