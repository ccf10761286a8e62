// MultiQueueWire: two multi-queue ports joined back to back, in process:
// side A has queues_a queue pairs, side B queues_b, each queue pair a Device
// for one StackCore (one lcore). A frame sent on any queue of one side is
// steered to a receive queue of the other side as that side's port would
// steer it:
//   - kRss: Toeplitz over the frame's 4-tuple with the side's RssSteering
//     (drivers/rss/frame_hash.h), RETA[hash LSBs]; non-IP to RETA[0]'s
//     queue; the hash is reported in the mbuf (RTE_MBUF_F_RX_RSS_HASH) as a
//     NIC does.
//   - kSingleQueue: everything to queue 0, no hash (a port with one queue,
//     af_packet without fanout, tap): the other queues only transmit.
//   - kForeignHash: Toeplitz with Microsoft's asymmetric default key and no
//     hash reported (a kernel fanout hash, a PMD that ignores our key): the
//     two directions of a flow usually reach different queues.
// The last two are what software dispatch (drivers/dispatch) repairs.
//
// No faults and no delay (SimWire has those): frames are due at once.
// With checksum_offload every queue reports IPv4/TCP checksum offload both
// ways and the wire does the NIC's part (drivers/sim/checksum_offload.h).
// Each receive queue is one rte_ring, multi-producer (any queue of the far
// side sends into it) and single-consumer, so the queues may be polled from
// one thread (tests) or one thread per queue (benchmarks).
#ifndef SKIFF_DRIVERS_SIM_MULTI_QUEUE_WIRE_H_
#define SKIFF_DRIVERS_SIM_MULTI_QUEUE_WIRE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "absl/status/statusor.h"
#include "skiff/device.h"
#include "stack/base/rss.h"
#include "stack/buf/packet.h"
#include "stack/buf/packet_pool.h"

struct rte_ring;

namespace skiff {

enum class SimSteering : uint8_t { kRss, kSingleQueue, kForeignHash };

struct MultiQueueSideConfig {
  MacAddress mac;
  uint16_t queues = 1;
  SimSteering steering = SimSteering::kRss;
  // Key and RETA size of this side's port; `queues` above wins over
  // rss.queues.
  RssConfig rss;
};

struct MultiQueueWireConfig {
  MultiQueueSideConfig a{.mac = MacAddress({0x02, 0, 0, 0, 0, 0x0a})};
  MultiQueueSideConfig b{.mac = MacAddress({0x02, 0, 0, 0, 0, 0x0b})};
  uint16_t mtu = 1500;
  uint32_t ring_size = 4096;  // frames waiting per receive queue
  // Every queue offers IPv4/TCP checksum offload, tx and rx; off, the
  // stacks compute every checksum and frames carry no checksum flags.
  bool checksum_offload = false;
};

class MultiQueueWire {
 public:
  // One queue pair of one side.
  class Queue final : public Device {
   public:
    size_t RxBurst(std::span<Packet> out) override;
    // Takes frames until the receiving queue's ring is full.
    size_t TxBurst(std::span<Packet> pkts) override;
    MacAddress mac() const override;
    uint16_t mtu() const override;
    DeviceCaps caps() const override;
    PacketPool& pool() override { return pool_; }

    uint16_t index() const { return index_; }
    // Frames this queue received (RxBurst handed out) and sent.
    uint64_t received() const {
      return received_.load(std::memory_order_relaxed);
    }
    uint64_t sent() const { return sent_.load(std::memory_order_relaxed); }

   private:
    friend class MultiQueueWire;
    Queue(MultiQueueWire& wire, int side, uint16_t index, PacketPool& pool)
        : wire_(wire), side_(side), index_(index), pool_(pool) {}

    MultiQueueWire& wire_;
    int side_;  // 0: A, 1: B
    uint16_t index_;
    PacketPool& pool_;
    rte_ring* ring_ = nullptr;  // our receive queue
    std::atomic<uint64_t> received_{0}, sent_{0};
  };

  // Every queue of side A draws transmit packets from pool_a, of B from
  // pool_b; the pools must outlive the wire.
  static absl::StatusOr<std::unique_ptr<MultiQueueWire>> Create(
      const MultiQueueWireConfig& config, PacketPool& pool_a,
      PacketPool& pool_b);
  ~MultiQueueWire();  // frees every frame still queued
  MultiQueueWire(const MultiQueueWire&) = delete;
  MultiQueueWire& operator=(const MultiQueueWire&) = delete;

  Queue& a(uint16_t q) { return *sides_[0].queues[q]; }
  Queue& b(uint16_t q) { return *sides_[1].queues[q]; }
  uint16_t queues_a() const { return sides_[0].config.queues; }
  uint16_t queues_b() const { return sides_[1].config.queues; }
  // How side A's / B's port steers (kRss's table); for tests and dispatch.
  const RssSteering& rss_a() const { return sides_[0].rss; }
  const RssSteering& rss_b() const { return sides_[1].rss; }
  // Frames refused because the receiving queue's ring was full.
  uint64_t ring_full() const {
    return ring_full_.load(std::memory_order_relaxed);
  }

 private:
  struct SideState {
    explicit SideState(const MultiQueueSideConfig& c);
    MultiQueueSideConfig config;
    RssSteering rss;       // kRss
    ToeplitzHash foreign;  // kForeignHash
    std::vector<std::unique_ptr<Queue>> queues;
  };
  MultiQueueWire(const MultiQueueWireConfig& config);
  // The receive queue of side `to` for this frame; replaces the mbuf's
  // flags with `rx_flags` and the RSS hash when that side's port reports
  // one.
  uint16_t Steer(int to, Packet& p, uint64_t rx_flags) const;

  uint16_t mtu_;
  bool checksum_offload_;
  SideState sides_[2];
  std::atomic<uint64_t> ring_full_{0};
};

}  // namespace skiff

#endif  // SKIFF_DRIVERS_SIM_MULTI_QUEUE_WIRE_H_
