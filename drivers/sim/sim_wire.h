// SimWire: two Devices, a() and b(), joined back to back by a pair of
// rte_rings, one per direction, with seeded faults applied on transmit:
// loss, corruption, duplication, reordering and delay. Two Stacks can talk
// over it polled from one thread, or from two threads (one per endpoint):
// each ring has a single producer (the sender's TxBurst) and a single
// consumer (the receiver's RxBurst).
//
// Time: a frame sent at t is due at the far end at t + delay (+ reorder_delay
// if picked for reordering) and RxBurst hands out only frames that are due.
// "Now" is SetNow()'s value, or config.clock->Now() if a clock is given.
// With delay 0 and no reordering, frames are due at once and time can be
// left alone.
//
// Determinism: each direction draws from its own generator seeded by its
// SimLinkConfig::seed, four draws per frame sent, so the same seed and the
// same traffic give the same faults.
//
// Checksum offload (SimWireConfig::checksum_offload): both endpoints report
// IPv4 and TCP checksum offload both ways, as a DPDK port whose PMD offers
// it, and the wire does the NIC's part (drivers/sim/checksum_offload.h):
// TxBurst writes the checksums the frame's tx flags ask for, before any
// fault, and the frame arrives with receive flags saying what its checksums
// are; a frame `corrupt` touched is verified again, so it arrives BAD.
#ifndef SKIFF_DRIVERS_SIM_SIM_WIRE_H_
#define SKIFF_DRIVERS_SIM_SIM_WIRE_H_

#include <atomic>
#include <cstdint>
#include <memory>
#include <span>

#include "absl/status/statusor.h"
#include "skiff/device.h"
#include "stack/base/clock.h"
#include "stack/buf/packet.h"
#include "stack/buf/packet_pool.h"

namespace skiff {

// The faults of one direction. Probabilities are per frame, in [0, 1].
struct SimLinkConfig {
  uint64_t seed = 1;
  double loss = 0;       // the frame is dropped
  double reorder = 0;    // the frame is held back by reorder_delay
  double duplicate = 0;  // the frame arrives twice
  double corrupt = 0;    // one byte of an IPv4 packet is flipped (a
                         // checksum catches it); other frames pass intact
  Duration delay = Duration::Zero();             // one-way latency
  Duration reorder_delay = Duration::Millis(1);  // extra for reordered frames
  uint32_t ring_size = 4096;  // frames in flight (ring, and again staged)
};

// What one direction did. Sender-side counts are written by the sender's
// TxBurst, `delivered` by the receiver's RxBurst.
struct SimLinkCounters {
  uint64_t sent = 0;       // frames TxBurst accepted
  uint64_t ring_full = 0;  // frames TxBurst refused (ring full: back-pressure)
  uint64_t oversize = 0;   // dropped: longer than MTU + 18 (Ethernet + VLAN)
  uint64_t lost = 0;       // dropped by `loss`
  uint64_t corrupted = 0;
  uint64_t duplicated = 0;  // extra copies put on the wire
  uint64_t reordered = 0;
  uint64_t delivered = 0;  // frames handed out by the far end's RxBurst
};

struct SimWireConfig {
  MacAddress mac_a = MacAddress({0x02, 0, 0, 0, 0, 0x0a});
  MacAddress mac_b = MacAddress({0x02, 0, 0, 0, 0, 0x0b});
  uint16_t mtu = 1500;
  SimLinkConfig a_to_b;
  SimLinkConfig b_to_a;
  // Time source read by both endpoints; must be safe to read from the
  // endpoints' threads. When null, time is what SetNow() last set.
  Clock* clock = nullptr;
  // Both endpoints offer IPv4/TCP checksum offload, tx and rx (see above);
  // off, the stacks compute every checksum and frames carry no flags.
  bool checksum_offload = false;
};

class SimWire {
 private:
  struct Link;

 public:
  // One end of the wire. Use each endpoint from one thread only.
  class Endpoint final : public Device {
   public:
    size_t RxBurst(std::span<Packet> out) override;
    // Takes frames until the ring is full; the rest stay with the caller.
    size_t TxBurst(std::span<Packet> pkts) override;
    MacAddress mac() const override { return mac_; }
    uint16_t mtu() const override { return mtu_; }
    DeviceCaps caps() const override;
    PacketPool& pool() override { return pool_; }

    // When the next frame towards this endpoint is due; Instant::Max() if
    // none is in flight. Call from this endpoint's thread (it drains the
    // ring into the staging heap).
    Instant NextArrival();

   private:
    friend class SimWire;
    Endpoint(SimWire& wire, PacketPool& pool, MacAddress mac, uint16_t mtu)
        : wire_(wire), pool_(pool), mac_(mac), mtu_(mtu) {}
    void Drain();

    SimWire& wire_;
    PacketPool& pool_;
    MacAddress mac_;
    uint16_t mtu_;
    Link* out_ = nullptr;  // we send on it
    Link* in_ = nullptr;   // we receive from it
  };

  // pool_a / pool_b: where each endpoint's transmit packets come from
  // (Device::pool()); they must outlive the wire.
  static absl::StatusOr<std::unique_ptr<SimWire>> Create(
      const SimWireConfig& config, PacketPool& pool_a, PacketPool& pool_b);
  ~SimWire();  // frees every frame still in flight, then the rings
  SimWire(const SimWire&) = delete;
  SimWire& operator=(const SimWire&) = delete;

  Endpoint& a() { return a_; }
  Endpoint& b() { return b_; }

  void SetNow(Instant now) {
    now_ns_.store(now.nanos(), std::memory_order_relaxed);
  }
  Instant now() const;

  SimLinkCounters counters_a_to_b() const;
  SimLinkCounters counters_b_to_a() const;

 private:
  SimWire(const SimWireConfig& config, PacketPool& pool_a, PacketPool& pool_b);

  Clock* clock_;
  const bool checksum_offload_;
  std::atomic<int64_t> now_ns_{0};
  std::unique_ptr<Link> ab_;
  std::unique_ptr<Link> ba_;
  Endpoint a_;
  Endpoint b_;
};

}  // namespace skiff

#endif  // SKIFF_DRIVERS_SIM_SIM_WIRE_H_
