// TestChannel: a Device for tests. Frames the test injects come out of
// RxBurst; frames the stack transmits are kept for the test to read.
#ifndef SKIFF_DRIVERS_SIM_TEST_CHANNEL_H_
#define SKIFF_DRIVERS_SIM_TEST_CHANNEL_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <limits>
#include <span>
#include <vector>

#include "skiff/device.h"
#include "stack/buf/packet.h"
#include "stack/buf/packet_pool.h"

namespace skiff {

class TestChannel final : public Device {
 public:
  TestChannel(PacketPool& pool, MacAddress mac, uint16_t mtu = 1500,
              DeviceCaps caps = {});
  ~TestChannel() override = default;  // queued Packets free themselves
  TestChannel(const TestChannel&) = delete;
  TestChannel& operator=(const TestChannel&) = delete;

  // Copies `frame` into an mbuf from pool() and queues it for RxBurst.
  // False (nothing queued) when the pool is empty or the frame too big.
  bool Inject(ConstByteSpan frame);
  void InjectPacket(Packet p);

  // Everything transmitted since the last call, as bytes; the mbufs are
  // freed.
  std::vector<std::vector<std::byte>> TakeSent();
  // The same, keeping the packets (to look at offload flags, say).
  std::vector<Packet> TakeSentPackets();

  size_t rx_pending() const { return rx_.size(); }
  size_t tx_count() const { return tx_.size(); }   // sent, not yet taken
  uint64_t tx_total() const { return tx_total_; }  // accepted since creation
  // TxBurst accepts at most n packets per call (back-pressure tests);
  // unlimited by default.
  void set_tx_capacity(size_t n) { tx_capacity_ = n; }

  // Device.
  size_t RxBurst(std::span<Packet> out) override;
  size_t TxBurst(std::span<Packet> pkts) override;
  MacAddress mac() const override { return mac_; }
  uint16_t mtu() const override { return mtu_; }
  DeviceCaps caps() const override { return caps_; }
  PacketPool& pool() override { return pool_; }

 private:
  PacketPool& pool_;
  MacAddress mac_;
  uint16_t mtu_;
  DeviceCaps caps_;
  size_t tx_capacity_ = std::numeric_limits<size_t>::max();
  uint64_t tx_total_ = 0;
  std::deque<Packet> rx_;
  std::deque<Packet> tx_;
};

// The bytes of a packet, over all its segments.
std::vector<std::byte> PacketBytes(const Packet& p);

}  // namespace skiff

#endif  // SKIFF_DRIVERS_SIM_TEST_CHANNEL_H_
